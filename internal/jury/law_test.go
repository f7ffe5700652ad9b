package jury_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
)

// vaeRequest opens a VAE request for a candidate through the API, has it
// declared admissible and adds one experience per employer period
// ({employer, starts_on, ends_on}); it returns the dossier's id.
func vaeRequest(t *testing.T, env *apptest.Env, admin, candidateID string, periods ...[3]string) string {
	t.Helper()
	var d struct{ ID string }
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", admin, map[string]any{"candidate_id": candidateID,
		"certification": cert, "motivation": "Recouvrement amiable en cabinet.", "activity_months": 40})
	if res.Status != http.StatusCreated {
		t.Fatalf("vae request: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &d)
	res = env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/admissibility", admin, map[string]any{"decision": "admissible",
		"criteria": map[string]bool{"related_to_certification": true, "documented": true}})
	if res.Status != http.StatusOK {
		t.Fatalf("vae admissibility: %d %s", res.Status, res.Body)
	}
	for _, p := range periods {
		exp := map[string]any{"employer": p[0], "role": "Chargé de recouvrement", "starts_on": p[1],
			"activities": "Relances, plans d'apurement.", "components": []string{"AGENT-1"}}
		if p[2] != "" {
			exp["ends_on"] = p[2]
		}
		if res := env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/experiences", admin, exp); res.Status != http.StatusCreated {
			t.Fatalf("vae experience %v: %d %s", p, res.Status, res.Body)
		}
	}
	return d.ID
}

// supportedBy names the dossier's VAE support person, as the VAE feature
// records it (a column of vae_dossiers).
func supportedBy(t *testing.T, env *apptest.Env, dossierID, userID string) {
	t.Helper()
	if err := env.App.DB.Table("vae_dossiers").Where("id = ?", dossierID).Update("support_user_id", userID).Error; err != nil {
		t.Fatal(err)
	}
}

func exclusionsBy(t *testing.T, es []jury.Exclusion) map[string]jury.Exclusion {
	t.Helper()
	out := map[string]jury.Exclusion{}
	for _, e := range es {
		if _, dup := out[e.UserID]; dup {
			t.Fatalf("member %s excluded twice: %+v", e.UserID, es)
		}
		out[e.UserID] = e
	}
	return out
}

// Session 2026-12-10: the look-back starts on 2023-12-10, inclusive.
func TestAssign_FormerEmployersOfTheVAEExperiencesWithinThreeYears(t *testing.T) {
	p := newPanel(t, 5, 1, "2026-12-10")
	cand := p.env.Candidate(t, apptest.Employer("Cabinet sans lien"))
	p.env.Enroll(t, cand.ID, cert)
	orgs := make([]string, 5)
	for i, m := range p.pros {
		orgs[i] = m.Organisation
	}
	vaeRequest(t, p.env, p.admin, cand.ID,
		[3]string{strings.ToUpper(orgs[0]), "2019-01-01", "2023-12-10"}, // exactly 3 years: conflict
		[3]string{orgs[1], "2019-01-01", "2023-12-09"},                  // one day more than 3 years: none
		[3]string{orgs[2], "2020-01-01", "2023-12-11"},                  // one day less: conflict
		[3]string{orgs[3], "2024-01-01", ""},                            // going on: current employer
	)
	res := p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": cand.ID})
	var a jury.AssignmentView
	must(t, res, http.StatusCreated).JSON(t, &a)
	ex := exclusionsBy(t, a.Exclusions)
	if len(ex) != 3 {
		t.Fatalf("exclusions %+v", a.Exclusions)
	}
	if e := ex[p.pros[0].ID]; e.Reason != jury.ReasonFormerEmployer || e.EndedOn.String() != "2023-12-10" ||
		!strings.Contains(e.MessageFR, "jusqu'au 10/12/2023") || !strings.Contains(e.MessageFR, strings.ToUpper(orgs[0])) {
		t.Errorf("exactly 3 years before the session: %+v", e)
	}
	if _, ok := ex[p.pros[1].ID]; ok {
		t.Errorf("an employment that ended more than 3 years before the session excluded %s", p.pros[1].Name)
	}
	if e := ex[p.pros[2].ID]; e.Reason != jury.ReasonFormerEmployer || e.EndedOn.String() != "2023-12-11" {
		t.Errorf("less than 3 years: %+v", e)
	}
	if e := ex[p.pros[3].ID]; e.Reason != jury.ReasonEmployer || !strings.Contains(e.MessageFR, "employeur actuel") {
		t.Errorf("an experience going on: %+v", e)
	}
	// The jury's view explains them too.
	var v jury.View
	must(t, p.env.Do(t, "GET", p.path(""), p.admin, nil), http.StatusOK).JSON(t, &v)
	if len(v.Candidates) != 1 || len(v.Candidates[0].Exclusions) != 3 || v.Candidates[0].Exclusions[0].MessageFR == "" {
		t.Fatalf("view %+v", v.Candidates)
	}
	// Moving the session a day later moves the window: the employment
	// that ended on 2023-12-10 no longer bars.
	later := "2026-12-11"
	must(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"session_date": later}), http.StatusOK).JSON(t, &v)
	ex = exclusionsBy(t, v.Candidates[0].Exclusions)
	if _, ok := ex[p.pros[0].ID]; ok || len(ex) != 2 {
		t.Errorf("after the session moved to %s, the employment ended 2023-12-10 still excludes: %+v", later, ex)
	}
}

func TestAssign_VAESupportPersonIsInConflictAndTooFewLeftIsRefused(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-11-20")
	cand := p.env.Candidate(t, apptest.Employer("Cabinet sans lien"))
	p.env.Enroll(t, cand.ID, cert)
	d := vaeRequest(t, p.env, p.admin, cand.ID)
	supportedBy(t, p.env, d, p.pros[0].ID)
	before := p.version(t)
	res := p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": cand.ID}, "Accept-Language", "fr")
	pr := expect(t, res, http.StatusUnprocessableEntity, "conflict_of_interest")
	if !strings.Contains(pr.Detail, p.pros[0].Name) || !strings.Contains(pr.Detail, "il manque un professionnel") {
		t.Errorf("detail %q", pr.Detail)
	}
	if after := p.version(t); after != before {
		t.Errorf("the refused assignment wrote: version %d → %d", before, after)
	}
	// With a third professional the support person is set aside for them.
	extra := juryUsers(t, p.env, 1, "Extra")[0]
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+extra.ID), p.admin, map[string]any{"category": jury.Professional}), http.StatusOK, "")
	res = p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": cand.ID})
	expect(t, res, http.StatusCreated, "")
	var a jury.AssignmentView
	res.JSON(t, &a)
	if len(a.Exclusions) != 1 || a.Exclusions[0].UserID != p.pros[0].ID || a.Exclusions[0].Reason != jury.ReasonVAESupport ||
		a.Exclusions[0].MessageFR != "accompagnateur VAE du candidat" {
		t.Fatalf("exclusions %+v", a.Exclusions)
	}
	// The support person may not score them.
	res = p.env.Do(t, "POST", p.path("/evaluations"), p.pros[0].token, scoreBody(cand.ID, "AGENT-1", 3, 3, 3, 3))
	expect(t, res, http.StatusForbidden, "forbidden")
}

// A support person named after the assignment may not score, and is set
// aside when the jury deliberates: the exclusions are computed again first.
func TestDeliberate_SupportNamedAfterAssignmentNeitherVotesNorCounts(t *testing.T) {
	p := newPanel(t, 3, 1, "2026-11-20")
	cid := p.mustAssign(t)
	d := vaeRequest(t, p.env, p.admin, cid)
	supportedBy(t, p.env, d, p.pros[1].ID)
	all := p.ids(p.all()...)
	ok := decision("AGENT-1", "validated", "")
	res := p.env.Do(t, "POST", p.path("/evaluations"), p.pros[1].token, scoreBody(cid, "AGENT-1", 3, 3, 3, 3))
	expect(t, res, http.StatusForbidden, "forbidden")
	res = p.env.Do(t, "POST", p.path("/evaluations"), p.pros[2].token, scoreBody(cid, "AGENT-1", 3, 3, 3, 3))
	expect(t, res, http.StatusCreated, "")
	res = p.env.Do(t, "POST", p.path("/deliberations"), p.pros[1].token, deliberation(cid, all, ok))
	expect(t, res, http.StatusForbidden, "forbidden")
	res = p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(cid, all, ok))
	expect(t, res, http.StatusCreated, "")
	var dv jury.DeliberationView
	res.JSON(t, &dv)
	for _, id := range dv.PresentIDs {
		if id == p.pros[1].ID {
			t.Fatalf("the support person counted among the present: %v", dv.PresentIDs)
		}
	}
	if len(dv.PresentIDs) != 3 {
		t.Fatalf("present %v", dv.PresentIDs)
	}
}

func (p *panel) version(t *testing.T) int {
	t.Helper()
	var v jury.View
	must(t, p.env.Do(t, "GET", p.path(""), p.admin, nil), http.StatusOK).JSON(t, &v)
	return v.Version
}

func TestAssign_OnlyCandidatesEnrolledInTheJurysCertification(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-12-10")
	cand := p.env.Candidate(t)
	try := func() *apptest.Response {
		return p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": cand.ID}, "Accept-Language", "fr")
	}
	before := p.version(t)
	pr := expect(t, try(), http.StatusUnprocessableEntity, "not_enrolled")
	if !pr.HasField("candidate_id") || !strings.Contains(pr.Detail, "n'est pas inscrit") {
		t.Fatalf("%+v", pr)
	}
	// Enrolled in the other certification: still not.
	p.env.Enroll(t, cand.ID, "clerc-recouvrement-amiable")
	expect(t, try(), http.StatusUnprocessableEntity, "not_enrolled")
	// Withdrawn from this one: not either.
	var e struct{ ID string }
	res := p.env.Do(t, "POST", "/api/v1/candidates/"+cand.ID+"/enrollments", p.admin, map[string]any{"certification": cert, "pathway": "formation_continue"})
	must(t, res, http.StatusCreated).JSON(t, &e)
	expect(t, p.env.Do(t, "PATCH", "/api/v1/candidates/"+cand.ID+"/enrollments/"+e.ID, p.admin, map[string]any{"status": "withdrawn"}), http.StatusOK, "")
	expect(t, try(), http.StatusUnprocessableEntity, "not_enrolled")
	if after := p.version(t); after != before {
		t.Fatalf("refusals wrote: version %d → %d", before, after)
	}
	var v jury.View
	must(t, p.env.Do(t, "GET", p.path(""), p.admin, nil), http.StatusOK).JSON(t, &v)
	if len(v.Candidates) != 0 {
		t.Fatalf("assigned anyway: %+v", v.Candidates)
	}
	// Enrolled again (by VAE): assigned.
	p.env.Enroll(t, cand.ID, cert, "vae")
	expect(t, try(), http.StatusCreated, "")
}

func TestDeliberation_NotBeforeTheSessionDate(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-12-10") // today is 2026-11-22
	cid := p.mustAssign(t)
	var v jury.View
	must(t, p.env.Do(t, "GET", p.path(""), p.admin, nil), http.StatusOK).JSON(t, &v)
	if v.SessionHeld {
		t.Fatal("session_held before the session date")
	}
	pres := p.pros[0]
	for _, tok := range []string{p.admin, pres.token} {
		pr := expect(t, p.env.Do(t, "POST", p.path("/candidates/"+cid+"/open"), tok, nil, "Accept-Language", "fr"),
			http.StatusUnprocessableEntity, "session_not_held")
		if !strings.Contains(pr.Detail, "10/12/2026") || !strings.Contains(pr.Detail, "avant cette date") {
			t.Errorf("detail %q", pr.Detail)
		}
		body := deliberation(cid, p.ids(p.all()...), decision("AGENT-1", "validated", ""))
		body["decided_on"] = "2026-12-10"
		expect(t, p.env.Do(t, "POST", p.path("/deliberations"), tok, body), http.StatusUnprocessableEntity, "session_not_held")
	}
	must(t, p.env.Do(t, "GET", p.path(""), p.admin, nil), http.StatusOK).JSON(t, &v)
	if v.Candidates[0].OpenedAt != nil || v.Candidates[0].DeliberationID != nil {
		t.Fatalf("written before the session: %+v", v.Candidates[0])
	}
	// On the session day both are allowed (new tokens: the old ones
	// expired meanwhile).
	p.env.Clock.Set(apptest.Start.AddDate(0, 0, 18))
	s, err := p.env.App.Auth.Open(context.Background(), pres.User)
	if err != nil {
		t.Fatal(err)
	}
	pres.token = s.Token
	_, p.admin = p.env.User(t, auth.RoleAdmin)
	expect(t, p.env.Do(t, "POST", p.path("/candidates/"+cid+"/open"), pres.token, nil), http.StatusOK, "")
	body := deliberation(cid, p.ids(p.all()...), decision("AGENT-1", "validated", ""))
	body["decided_on"] = "2026-12-10"
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), pres.token, body), http.StatusCreated, "")
	must(t, p.env.Do(t, "GET", p.path(""), p.admin, nil), http.StatusOK).JSON(t, &v)
	if !v.SessionHeld {
		t.Fatal("session_held false on the session day")
	}
}

func TestComposition_GenderBalanceFlaggedNeverRefused(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	mk := func(name, gender string) auth.User {
		u, _ := env.User(t, auth.RoleJury, apptest.Named(name), apptest.Gender(gender), apptest.Organisation("Organisation de "+name))
		return u
	}
	f1, f2, m1, f3 := mk("Hélène", "female"), mk("Inès", "female"), mk("Benoît", "male"), mk("Gaëlle", "female")
	var v jury.View
	res := env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{"certification": cert, "session_date": "2026-12-10",
		"members": []map[string]any{{"user_id": f1.ID, "category": "professional"}, {"user_id": f2.ID, "category": "professional"},
			{"user_id": m1.ID, "category": "organisation_representative"}}})
	must(t, res, http.StatusCreated).JSON(t, &v)
	if c := v.Composition; !c.GenderBalanced || c.Women != 2 || c.Men != 1 || c.GenderUnstated != 0 {
		t.Fatalf("2 women and 1 man: %+v", c)
	}
	if v.Members[0].Gender != "female" || v.Members[2].Gender != "male" {
		t.Errorf("members' genders %+v", v.Members)
	}
	// A third woman: unbalanced, flagged, accepted.
	res = env.Do(t, "PUT", "/api/v1/juries/"+v.ID+"/members/"+f3.ID, admin, map[string]any{"category": "professional"})
	must(t, res, http.StatusOK).JSON(t, &v)
	if c := v.Composition; c.GenderBalanced || c.Women != 3 || c.Men != 1 || !c.Holds {
		t.Fatalf("3 women and 1 man: %+v", c)
	}
	var raw struct {
		Composition map[string]any `json:"composition"`
	}
	must(t, env.Do(t, "GET", "/api/v1/juries/"+v.ID, admin, nil), http.StatusOK).JSON(t, &raw)
	if b, ok := raw.Composition["gender_balanced"].(bool); !ok || b {
		t.Fatalf("composition.gender_balanced in JSON: %v", raw.Composition)
	}
}

// must checks the status and hands the response on.
func must(t *testing.T, res *apptest.Response, status int) *apptest.Response {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	return res
}

// A member excluded for a conflict of interest could still read that
// candidate's VAE dossier and timeline through the jury: no longer.
func TestExcludedMember_CannotReadTheCandidatesVAEDossier(t *testing.T) {
	p := newPanel(t, 4, 1, "2026-12-10")
	cand := p.env.Candidate(t, apptest.Employer("Cabinet sans lien"))
	p.env.Enroll(t, cand.ID, cert)
	d := vaeRequest(t, p.env, p.admin, cand.ID, [3]string{p.pros[0].Organisation, "2024-01-01", ""})
	res := p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": cand.ID})
	var a jury.AssignmentView
	must(t, res, http.StatusCreated).JSON(t, &a)
	if len(a.Exclusions) != 1 || a.Exclusions[0].UserID != p.pros[0].ID {
		t.Fatalf("exclusions %+v", a.Exclusions)
	}
	// The dossier handed to this jury (the column the VAE feature sets).
	if err := p.env.App.DB.Table("vae_dossiers").Where("id = ?", d).Update("jury_id", p.jury.ID).Error; err != nil {
		t.Fatal(err)
	}
	excluded, other := p.pros[0].token, p.pros[1].token
	for _, path := range []string{"/api/v1/vae/dossiers/" + d, "/api/v1/vae/dossiers/" + d + "/timeline"} {
		if r := p.env.Do(t, "GET", path, excluded, nil); r.Status != http.StatusNotFound {
			t.Errorf("excluded member: GET %s → %d, want 404", path, r.Status)
		}
		if r := p.env.Do(t, "GET", path, other, nil); r.Status != http.StatusOK {
			t.Errorf("member without conflict: GET %s → %d, want 200", path, r.Status)
		}
	}
	var list struct{ Items []struct{ ID string } }
	must(t, p.env.Do(t, "GET", "/api/v1/vae/dossiers", excluded, nil), http.StatusOK).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("the excluded member lists the dossier: %+v", list.Items)
	}
}
