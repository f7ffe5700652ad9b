package candidates_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
)

// These tests run on SQLite, and on PostgreSQL when CQP_TEST_DATABASE_URL is set.

type page struct {
	Items      []candidates.Candidate `json:"items"`
	NextCursor *string                `json:"next_cursor"`
}

func names(cs []candidates.Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.FirstName + " " + c.LastName
	}
	return out
}

func wantStatus(t *testing.T, res *apptest.Response, want int) {
	t.Helper()
	if res.Status != want {
		t.Fatalf("status %d, want %d; body %s", res.Status, want, res.Body)
	}
}

func TestSearch_IgnoresCaseAndAccents(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	env.Candidate(t, apptest.Names("Éloïse", "Lefèvre"), apptest.Employer("Créances Services Lyon"))
	env.Candidate(t, apptest.Names("Noémie", "Garnier"), apptest.Employer("Cabinet Bérard"))
	env.Candidate(t, apptest.Names("Łukasz", "Wiśniewski"), apptest.Employer("Cabinet Bérard"))
	env.Candidate(t, apptest.Names("Œdipe", "100%_Sûr"), apptest.Employer("Axiome"))

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"eloise", []string{"Éloïse Lefèvre"}},
		{"ÉLOÏSE", []string{"Éloïse Lefèvre"}},
		{"LEFEVRE eloise", []string{"Éloïse Lefèvre"}},
		{"creances", []string{"Éloïse Lefèvre"}},
		{"berard", []string{"Noémie Garnier", "Łukasz Wiśniewski"}},
		{"lukasz wisniewski", []string{"Łukasz Wiśniewski"}},
		{"oedipe", []string{"Œdipe 100%_Sûr"}},
		// LIKE wildcards in the query are plain characters.
		{"%", []string{"Œdipe 100%_Sûr"}},
		{"1_0", []string{}},
		{"zoe", []string{}},
	} {
		res := env.Do(t, "GET", "/api/v1/candidates?q="+urlQuery(tc.q), admin, nil)
		wantStatus(t, res, http.StatusOK)
		var p page
		res.JSON(t, &p)
		if got := names(p.Items); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("q=%q: got %q, want %q", tc.q, got, tc.want)
		}
	}
	// The email is searched too.
	c := env.Candidate(t, apptest.Names("Jérôme", "Petit"))
	res := env.Do(t, "GET", "/api/v1/candidates?q="+urlQuery(strings.ToUpper(c.Email)), admin, nil)
	var p page
	res.JSON(t, &p)
	if len(p.Items) != 1 || p.Items[0].ID != c.ID {
		t.Errorf("search by email: got %q", names(p.Items))
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", " ", "+", "&", "%26", "#", "%23", "+", "%2B").Replace(s)
}

func TestList_PagesStayStableWhenCandidatesAreAdded(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	var ids []string
	for range 7 {
		ids = append(ids, env.Candidate(t).ID)
	}
	res := env.Do(t, "GET", "/api/v1/candidates?limit=3", admin, nil)
	wantStatus(t, res, http.StatusOK)
	var p page
	res.JSON(t, &p)
	if len(p.Items) != 3 || p.NextCursor == nil {
		t.Fatalf("first page: %d items, cursor %v", len(p.Items), p.NextCursor)
	}
	var seen []string
	for _, c := range p.Items {
		seen = append(seen, c.ID)
	}
	// Rows added between two pages land after the rows already listed: the
	// next page goes on where the first stopped, nothing repeated or skipped.
	for range 2 {
		ids = append(ids, env.Candidate(t).ID)
	}
	for p.NextCursor != nil {
		res = env.Do(t, "GET", "/api/v1/candidates?limit=3&cursor="+*p.NextCursor, admin, nil)
		wantStatus(t, res, http.StatusOK)
		p = page{}
		res.JSON(t, &p)
		for _, c := range p.Items {
			seen = append(seen, c.ID)
		}
	}
	if strings.Join(seen, ",") != strings.Join(ids, ",") {
		t.Errorf("pages listed\n%v\nwant every candidate once, in creation order\n%v", seen, ids)
	}
	if res := env.Do(t, "GET", "/api/v1/candidates?cursor=!!", admin, nil); res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("cursor") {
		t.Errorf("bad cursor: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "GET", "/api/v1/candidates?limit=0", admin, nil); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("limit=0: %d", res.Status)
	}
}

func TestTrainer_SeesOnlyTheTraineesOfTheirCohorts(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	mine, trainer := env.User(t, auth.RoleTrainer)
	_, other := env.User(t, auth.RoleTrainer)
	trainee := env.Candidate(t, apptest.Names("Inès", "Moreau"))
	stranger := env.Candidate(t, apptest.Names("Hugo", "Roux"))

	res := env.Do(t, "POST", "/api/v1/cohorts", admin, map[string]any{"name": "Promotion printemps 2026",
		"training_organisation": "Organisme Exemple", "certification": "agent-recouvrement",
		"starts_on": "2026-03-02", "ends_on": "2026-12-18", "trainer_ids": []string{mine.ID}})
	wantStatus(t, res, http.StatusCreated)
	var co candidates.Cohort
	res.JSON(t, &co)
	wantStatus(t, env.Do(t, "PUT", "/api/v1/cohorts/"+co.ID+"/members/"+trainee.ID, admin, nil), http.StatusNoContent)

	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+trainee.ID, trainer, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+trainee.ID+"/enrollments", trainer, nil), http.StatusOK)
	for _, path := range []string{
		"/api/v1/candidates/" + stranger.ID,
		"/api/v1/candidates/" + stranger.ID + "/enrollments",
		"/api/v1/candidates/" + stranger.ID + "/components",
		"/api/v1/candidates/does-not-exist",
	} {
		if res := env.Do(t, "GET", path, trainer, nil); res.Status != http.StatusNotFound {
			t.Errorf("trainer GET %s: %d, want 404", path, res.Status)
		}
	}
	if res := env.Do(t, "PATCH", "/api/v1/candidates/"+stranger.ID, trainer, map[string]any{"employer": "X"}); res.Status != http.StatusNotFound {
		t.Errorf("trainer PATCH a stranger: %d, want 404", res.Status)
	}
	res = env.Do(t, "GET", "/api/v1/candidates", trainer, nil)
	var p page
	res.JSON(t, &p)
	if len(p.Items) != 1 || p.Items[0].ID != trainee.ID {
		t.Errorf("trainer's list: %q, want only the trainee", names(p.Items))
	}
	// Another trainer sees neither the cohort nor its trainee.
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+trainee.ID, other, nil), http.StatusNotFound)
	wantStatus(t, env.Do(t, "GET", "/api/v1/cohorts/"+co.ID, other, nil), http.StatusNotFound)
	res = env.Do(t, "GET", "/api/v1/cohorts", other, nil)
	var cp struct{ Items []candidates.Cohort }
	res.JSON(t, &cp)
	if len(cp.Items) != 0 {
		t.Errorf("other trainer lists %d cohorts", len(cp.Items))
	}
	// A trainer keeps the trainees they record themselves.
	res = env.Do(t, "POST", "/api/v1/candidates", other, map[string]any{"first_name": "Zoé", "last_name": "Faure", "birth_date": "1999-04-01"})
	wantStatus(t, res, http.StatusCreated)
	var own candidates.Candidate
	res.JSON(t, &own)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+own.ID, other, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+own.ID, trainer, nil), http.StatusNotFound)
	// Taken out of the cohort, the trainee disappears for the trainer.
	wantStatus(t, env.Do(t, "DELETE", "/api/v1/cohorts/"+co.ID+"/members/"+trainee.ID, admin, nil), http.StatusNoContent)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+trainee.ID, trainer, nil), http.StatusNotFound)

	// A candidate sees their own record only.
	_, cand := env.User(t, auth.RoleCandidate, apptest.ForCandidate(trainee.ID))
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+trainee.ID, cand, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+stranger.ID, cand, nil), http.StatusNotFound)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates", cand, nil), http.StatusForbidden)
}

func TestEnroll_ClosedPathwayAndOneActivePerCertification(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	path := "/api/v1/candidates/" + c.ID + "/enrollments"

	for _, closed := range []string{"formation_initiale", "apprentissage", "candidature_individuelle"} {
		res := env.Do(t, "POST", path, admin, map[string]string{"certification": "agent-recouvrement", "pathway": closed})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", closed, res.Status, res.Body)
		}
		if p := res.Problem(t); p.Code != "pathway_closed" || !p.HasField("pathway") {
			t.Errorf("%s: problem %+v", closed, p)
		}
	}
	res := env.Do(t, "POST", path, admin, map[string]string{"certification": "agent-recouvrement", "pathway": "teleportation"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("pathway") {
		t.Errorf("unknown pathway: %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", path, admin, map[string]string{"certification": "cqp-inconnu", "pathway": "vae"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("certification") {
		t.Errorf("unknown certification: %d %s", res.Status, res.Body)
	}

	res = env.Do(t, "POST", path, admin, map[string]string{"certification": "agent-recouvrement", "pathway": "formation_continue"})
	wantStatus(t, res, http.StatusCreated)
	var first candidates.Enrollment
	res.JSON(t, &first)
	if first.Status != "active" || first.EnrolledOn != env.Clock.Today() {
		t.Errorf("enrollment %+v", first)
	}
	res = env.Do(t, "POST", path, admin, map[string]string{"certification": "agent-recouvrement", "pathway": "vae"})
	if res.Status != http.StatusConflict {
		t.Errorf("second active enrollment: %d, want 409", res.Status)
	}
	// Another certification is another enrollment.
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]string{"certification": "clerc-recouvrement-amiable", "pathway": "contrat_professionnalisation"}), http.StatusCreated)
	// Once withdrawn, the certification is free again.
	res = env.Do(t, "PATCH", path+"/"+first.ID, admin, map[string]string{"status": "withdrawn"})
	wantStatus(t, res, http.StatusOK)
	wantStatus(t, env.Do(t, "PATCH", path+"/"+first.ID, admin, map[string]string{"status": "completed"}), http.StatusConflict)
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]string{"certification": "agent-recouvrement", "pathway": "vae"}), http.StatusCreated)

	res = env.Do(t, "GET", path, admin, nil)
	var es []candidates.Enrollment
	res.JSON(t, &es)
	if len(es) != 3 {
		t.Errorf("%d enrollments, want 3", len(es))
	}
	wantStatus(t, env.Do(t, "POST", "/api/v1/candidates/nobody/enrollments", admin, map[string]string{"certification": "agent-recouvrement", "pathway": "vae"}), http.StatusNotFound)
}

func decide(t *testing.T, env *apptest.Env, candidateID, component, outcome, on string, final bool) candidates.Decision {
	t.Helper()
	cert := "agent-recouvrement"
	if strings.HasPrefix(component, "CLERC") {
		cert = "clerc-recouvrement-amiable"
	}
	d := candidates.Decision{ID: database.NewID(), CandidateID: candidateID, Certification: cert, Component: component,
		Outcome: outcome, DecidedOn: civil.MustParse(on), Final: final, CreatedBy: "jury-test"}
	if err := env.App.DB.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	return d
}

func TestComponents_ValidityIsHalfOpenWithTheMonthEndRule(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	_, cand := env.User(t, auth.RoleCandidate, apptest.ForCandidate(c.ID))
	decide(t, env, c.ID, "AGENT-1", "validated", "2024-02-29", true)
	decide(t, env, c.ID, "AGENT-2", "not_validated", "2024-02-29", true)
	decide(t, env, c.ID, "AGENT-3", "validated", "2026-06-30", false) // minutes not signed yet
	old := decide(t, env, c.ID, "AGENT-4", "validated", "2021-03-15", true)
	// A correction supersedes the 2021 decision: it no longer counts.
	corr := decide(t, env, c.ID, "AGENT-4", "not_validated", "2021-03-15", true)
	if err := env.App.DB.Model(&candidates.Decision{}).Where("id = ?", old.ID).Update("superseded_by", corr.ID).Error; err != nil {
		t.Fatal(err)
	}

	status := func(token, query string) map[string]candidates.ComponentStatus {
		t.Helper()
		res := env.Do(t, "GET", "/api/v1/candidates/"+c.ID+"/components"+query, token, nil)
		wantStatus(t, res, http.StatusOK)
		var sts []candidates.ComponentStatus
		res.JSON(t, &sts)
		out := map[string]candidates.ComponentStatus{}
		for _, s := range sts {
			out[s.Component] = s
		}
		return out
	}
	for _, tc := range []struct {
		asOf, status string
	}{
		{"2024-02-28", "not_acquired"}, // before the decision
		{"2024-02-29", "acquired"},     // the day itself counts
		{"2029-02-27", "acquired"},
		{"2029-02-28", "expired"}, // no 29 February in 2029: the month's last day ends it
		{"2031-01-01", "expired"},
	} {
		st := status(admin, "?as_of="+tc.asOf)["AGENT-1"]
		if st.Status != tc.status {
			t.Errorf("as_of %s: %s, want %s", tc.asOf, st.Status, tc.status)
		}
		if tc.status != "not_acquired" && (st.AcquiredOn.String() != "2024-02-29" || st.ExpiresOn.String() != "2029-02-28") {
			t.Errorf("as_of %s: period %s → %s", tc.asOf, st.AcquiredOn, st.ExpiresOn)
		}
	}
	now := status(admin, "")
	if now["AGENT-2"].Status != "not_acquired" || now["AGENT-4"].Status != "not_acquired" {
		t.Errorf("refused and superseded: %+v %+v", now["AGENT-2"], now["AGENT-4"])
	}
	if now["AGENT-3"].Status != "acquired" || now["AGENT-3"].ExpiresOn.String() != "2031-06-30" {
		t.Errorf("staff see the unsigned decision: %+v", now["AGENT-3"])
	}
	if len(now) != 4 {
		t.Errorf("%d components, want the 4 of the certification", len(now))
	}
	// The candidate sees only decisions whose minutes are signed.
	if st := status(cand, "")["AGENT-3"]; st.Status != "not_acquired" {
		t.Errorf("candidate sees an unsigned decision: %+v", st)
	}
	res := env.Do(t, "GET", "/api/v1/candidates/"+c.ID+"/components?as_of=2026-02-30", admin, nil)
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("as_of") {
		t.Errorf("impossible date: %d %s", res.Status, res.Body)
	}
	// A component acquired again starts a new period.
	decide(t, env, c.ID, "AGENT-1", "validated", "2029-03-10", true)
	if st := status(admin, "?as_of=2030-01-01")["AGENT-1"]; st.Status != "acquired" || st.ExpiresOn.String() != "2034-03-10" {
		t.Errorf("acquired again: %+v", st)
	}
}

func TestStatuses_Table(t *testing.T) {
	d := func(s string) civil.Date { return civil.MustParse(s) }
	for _, tc := range []struct{ acquired, expires string }{
		{"2024-02-29", "2029-02-28"},
		{"2026-01-31", "2031-01-31"},
		{"2025-03-31", "2030-03-31"},
		{"2028-02-29", "2033-02-28"},
	} {
		if got := candidates.ExpiresOn(d(tc.acquired), 5); got != d(tc.expires) {
			t.Errorf("ExpiresOn(%s) = %s, want %s", tc.acquired, got, tc.expires)
		}
		if !candidates.ValidOn(d(tc.acquired), 5, d(tc.expires).AddDays(-1)) || candidates.ValidOn(d(tc.acquired), 5, d(tc.expires)) {
			t.Errorf("%s: the period must be half-open", tc.acquired)
		}
	}
}

func postCSV(t *testing.T, env *apptest.Env, token, body string) *apptest.Response {
	t.Helper()
	return env.Do(t, "POST", "/api/v1/candidates/import", token, body, "Content-Type", "text/csv; charset=utf-8")
}

func count(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Model(&candidates.Candidate{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport_OneBadRowImportsNothingAndNamesTheRow(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, trainer := env.User(t, auth.RoleTrainer)
	before := count(t, env)

	bad := "first_name;last_name;birth_date;email;employer\n" +
		"Éloïse;Lefèvre;1991-04-12;eloise@example.fr;Cabinet Bérard\n" +
		"Jérôme;Petit;31/02/1988;jerome@example.fr;\n" +
		"Zoé;;1990-01-01;pas-un-courriel;\n" +
		"Anaïs;Faure;1985-07-08;;\n"
	res := postCSV(t, env, admin, bad)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d %s", res.Status, res.Body)
	}
	p := res.Problem(t)
	for _, f := range []string{"lines[3].birth_date", "lines[4].last_name", "lines[4].email"} {
		if !p.HasField(f) {
			t.Errorf("problem does not name %s: %+v", f, p.Errors)
		}
	}
	if p.HasField("lines[2].birth_date") || p.HasField("lines[5].first_name") {
		t.Errorf("good rows named: %+v", p.Errors)
	}
	if !strings.Contains(p.Detail, "2 lignes en erreur sur 4") {
		t.Errorf("detail %q", p.Detail)
	}
	for _, e := range p.Errors {
		if !strings.HasPrefix(e.Message, "Ligne ") {
			t.Errorf("message %q does not give the line", e.Message)
		}
	}
	if n := count(t, env); n != before {
		t.Fatalf("%d candidates written by a refused import", n-before)
	}

	good := "\xEF\xBB\xBFfirst_name;last_name;birth_date;email;employer;training_organisation\n" +
		"Éloïse;Lefèvre;1991-04-12;eloise@example.fr;Cabinet Bérard;Formapro\n" +
		"Jérôme;Petit;28/02/1988;;;\n" +
		"\"Marie-Hélène\";\"D'Ornano; née Roux\";1979-12-01;;;\n"
	res = postCSV(t, env, admin, good)
	wantStatus(t, res, http.StatusCreated)
	var r candidates.ImportResult
	res.JSON(t, &r)
	if r.Imported != 3 || count(t, env) != before+3 {
		t.Fatalf("imported %d, count +%d", r.Imported, count(t, env)-before)
	}
	res = env.Do(t, "GET", "/api/v1/candidates?q=ornano", admin, nil)
	var pg page
	res.JSON(t, &pg)
	if len(pg.Items) != 1 || pg.Items[0].LastName != "D'Ornano; née Roux" || pg.Items[0].BirthDate.String() != "1979-12-01" {
		t.Errorf("imported row: %+v", pg.Items)
	}
	// Each imported row is audited.
	var audited int64
	env.App.DB.Table("audit_entries").Where("action = ?", "candidate.import").Count(&audited)
	if audited != 3 {
		t.Errorf("%d audit rows, want 3", audited)
	}

	// The same file as a multipart form.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "candidats.csv")
	fmt.Fprint(fw, "first_name,last_name,birth_date\nLoïc,Meunier,1994-09-09\n")
	mw.Close()
	res = env.Do(t, "POST", "/api/v1/candidates/import", admin, buf.Bytes(), "Content-Type", mw.FormDataContentType())
	wantStatus(t, res, http.StatusCreated)

	for _, tc := range []struct{ name, body string }{
		{"empty", ""},
		{"header only", "first_name,last_name,birth_date\n"},
		{"unknown column", "first_name,last_name,birth_date,shoe_size\nA,B,1990-01-01,42\n"},
		{"missing column", "first_name,last_name\nA,B\n"},
		{"ragged row", "first_name,last_name,birth_date\nA,B\n"},
	} {
		if res := postCSV(t, env, admin, tc.body); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", tc.name, res.Status, res.Body)
		}
	}
	if res := env.Do(t, "POST", "/api/v1/candidates/import", admin, `{"a":1}`); res.Status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d", res.Status)
	}
	wantStatus(t, postCSV(t, env, trainer, good), http.StatusForbidden)
}

func TestExport_GivesTheCandidateEverythingHeldAboutThem(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, trainer := env.User(t, auth.RoleTrainer)
	c := env.Candidate(t, apptest.Names("Gaëlle", "Guérin"))
	other := env.Candidate(t)
	_, cand := env.User(t, auth.RoleCandidate, apptest.ForCandidate(c.ID))
	wantStatus(t, env.Do(t, "POST", "/api/v1/candidates/"+c.ID+"/enrollments", admin,
		map[string]string{"certification": "clerc-recouvrement-amiable", "pathway": "vae"}), http.StatusCreated)
	decide(t, env, c.ID, "CLERC-1", "validated", "2026-06-30", true)

	res := env.Do(t, "GET", "/api/v1/candidates/"+c.ID+"/export", cand, nil)
	wantStatus(t, res, http.StatusOK)
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	var ex candidates.Export
	res.JSON(t, &ex)
	if ex.Candidate.LastName != "Guérin" || len(ex.Accounts) != 1 || len(ex.Enrollments) != 1 || len(ex.Decisions) != 1 {
		t.Errorf("export: %+v", ex)
	}
	actions := map[string]bool{}
	for _, e := range ex.Audit {
		actions[e.Action] = true
	}
	if !actions["candidate.create"] || !actions["enrollment.create"] {
		t.Errorf("audit in export: %v", actions)
	}
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+other.ID+"/export", cand, nil), http.StatusNotFound)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+c.ID+"/export", trainer, nil), http.StatusForbidden)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+c.ID+"/export", admin, nil), http.StatusOK)
}

func TestPseudonymise_KeepsOnlyWhatVerificationNeeds(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	holder := env.Candidate(t, apptest.Names("Éloïse", "Lefèvre"), apptest.Employer("Cabinet Bérard"))
	_, holderToken := env.User(t, auth.RoleCandidate, apptest.ForCandidate(holder.ID))
	decide(t, env, holder.ID, "AGENT-1", "validated", "2026-06-30", true)
	nobody := env.Candidate(t, apptest.Names("Joël", "Mercier"))

	res := env.Do(t, "POST", "/api/v1/candidates/"+holder.ID+"/pseudonymise", admin, nil)
	wantStatus(t, res, http.StatusOK)
	var got candidates.Candidate
	res.JSON(t, &got)
	if got.FirstName != "Éloïse" || got.LastName != "L." || got.Email != "" || got.Employer != "" || !got.BirthDate.IsZero() || got.PseudonymisedAt == nil {
		t.Errorf("holder pseudonymised as %+v", got)
	}
	res = env.Do(t, "POST", "/api/v1/candidates/"+nobody.ID+"/pseudonymise", admin, nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &got)
	if got.FirstName != "Anonyme" || strings.Contains(got.LastName, "Mercier") {
		t.Errorf("non-holder pseudonymised as %+v", got)
	}
	wantStatus(t, env.Do(t, "POST", "/api/v1/candidates/"+nobody.ID+"/pseudonymise", admin, nil), http.StatusConflict)
	wantStatus(t, env.Do(t, "PATCH", "/api/v1/candidates/"+nobody.ID, admin, map[string]string{"last_name": "Mercier"}), http.StatusConflict)

	// The old names are found nowhere: not by search, not in the journal's new rows.
	for _, q := range []string{"lefevre", "mercier", "berard"} {
		res = env.Do(t, "GET", "/api/v1/candidates?q="+q, admin, nil)
		var p page
		res.JSON(t, &p)
		if len(p.Items) != 0 {
			t.Errorf("q=%s still finds %q", q, names(p.Items))
		}
	}
	var after []string
	env.App.DB.Table("audit_entries").Where("action IN ?", []string{"candidate.pseudonymise", "user.pseudonymise"}).Pluck("after", &after)
	if len(after) != 3 || strings.Contains(strings.Join(after, " "), "Lefèvre") {
		t.Errorf("journal of the pseudonymisation: %q", after)
	}
	// The account is closed: once the short token cache has passed, its token is refused.
	env.Clock.Advance(time.Hour)
	wantStatus(t, env.Do(t, "GET", "/api/v1/candidates/"+holder.ID, holderToken, nil), http.StatusUnauthorized)
	var user auth.User
	env.App.DB.Where("candidate_id = ?", holder.ID).Take(&user)
	if user.DisabledAt == nil || strings.Contains(user.Email, "@test.cqp.fr") {
		t.Errorf("account %+v", user)
	}
}

// A name is printed on certificates and minutes: an emoji crashed the PDF,
// and a bidirectional override or a zero-width character makes a name look
// like another. They are refused at input, field by field; names of every
// script, with accents, apostrophes and hyphens, pass.
func TestNames_RefuseEmojiSymbolsAndInvisibleCharacters(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	for _, bad := range []struct{ first, last string }{
		{"Éloïse 😀", "Lefèvre"},
		{"Éloïse", "Lef\u202Eerv\u202C"}, // right-to-left override
		{"Élo\u200Bïse", "Lefèvre"},      // zero-width space
		{"Éloïse", "Lefèvre\uFEFF"},      // zero-width no-break space
		{"Éloïse ☺", "Lefèvre"},          // a symbol of the BMP
		{"Éloïse", "Lef\U0001D4BBvre"},   // beyond the BMP
	} {
		res := env.Do(t, "POST", "/api/v1/candidates", admin, map[string]any{"first_name": bad.first, "last_name": bad.last, "birth_date": "1990-01-02"})
		p := res.Expect(t, http.StatusUnprocessableEntity).Problem(t)
		field := "first_name"
		if bad.first == "Éloïse" {
			field = "last_name"
		}
		if !p.HasField(field) || !strings.Contains(string(res.Body), "caractère non admis dans un nom") {
			t.Errorf("%q %q: %s", bad.first, bad.last, res.Body)
		}
	}
	for _, good := range []struct{ first, last string }{
		{"Zoë", "N'Diaye-Lefèvre"}, {"Jean-Baptiste", "d’Alembert"}, {"Ōta", "大阪"}, {"Łukasz", "Żółw"}, {"Anne-Marie", "O. Brien"},
	} {
		env.Do(t, "POST", "/api/v1/candidates", admin, map[string]any{"first_name": good.first, "last_name": good.last, "birth_date": "1990-01-02"}).
			Expect(t, http.StatusCreated)
	}
}
