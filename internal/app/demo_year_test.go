package app_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
)

// startDemoYear starts the product on a fresh database with the demo year,
// at the tests' fixed clock.
func startDemoYear(t *testing.T) (*app.App, time.Duration) {
	t.Helper()
	url, _ := apptest.DatabaseURL(t)
	cfg := testConfig(t, url, true)
	cfg.DemoYear = true
	o := quiet()
	o.Now = func() time.Time { return apptest.Start }
	began := time.Now()
	a, err := app.New(context.Background(), cfg, o)
	if err != nil {
		t.Fatalf("start with the demo year: %v", err)
	}
	took := time.Since(began)
	t.Cleanup(func() { a.Close() })
	return a, took
}

// The demo year holds the rules it was written through: the audit chain
// verifies, every document verifies, every jury's composition holds, no row
// points to nothing; it is what the issue asks for; and a second load gives
// the same business content (the generator's seed is fixed). The second
// load is apptest's (on SQLite, a copy of the template the other tests of
// this binary share): it must hold the very same year.
func TestDemoYear_KeepsTheRulesShowsAYearAndIsDeterministic(t *testing.T) {
	a, took := startDemoYear(t)
	t.Logf("demo year loaded in %s", took)
	ctx := context.Background()
	again := apptest.New(t, apptest.WithDemoYear()).App
	d1, d2 := digest(t, a), digest(t, again)
	for k, v := range d1 {
		if d2[k] != v {
			t.Errorf("%s differs between two loads", k)
		}
	}
	if rep, err := a.VerifyAudit(ctx); err != nil || !rep.OK() || rep.Checked == 0 {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
	if n := countBackwards(t, a); n > 0 {
		t.Errorf("%d journal rows dated before the row that precedes them", n)
	}
	var numbers []string
	a.DB.Table("certificates").Order("number").Pluck("number", &numbers)
	revoked := 0
	for _, n := range numbers {
		v, err := a.Certificates.Public(ctx, n)
		if err != nil || v.Status == "invalid" {
			t.Errorf("certificate %s does not verify: %+v %v", n, v, err)
		}
		if v.Status == "revoked" {
			revoked++
		}
	}
	admin := auth.User{ID: "test", Role: auth.RoleAdmin}
	var juries []string
	a.DB.Table("juries").Order("session_date").Pluck("id", &juries)
	for _, id := range juries {
		v, err := a.Jury.Get(ctx, admin, id)
		if err != nil || !v.Composition.Holds {
			t.Errorf("jury %s: composition %+v %v", id, v.Composition, err)
		}
	}
	for _, o := range orphans {
		var n int64
		q := fmt.Sprintf("SELECT COUNT(*) FROM %s c WHERE c.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s p WHERE p.id = c.%s)",
			o[0], o[1], o[2], o[1])
		if err := a.DB.Raw(q).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			t.Errorf("%d rows of %s point by %s to no %s", n, o[0], o[1], o[2])
		}
	}

	// What the issue asks the year to hold.
	today := civil.Of(apptest.Start)
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := a.DB.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	checks := []struct {
		what     string
		got, min int64
	}{
		{"candidates", count("SELECT COUNT(*) FROM candidates"), 200},
		{"cohorts", count("SELECT COUNT(*) FROM cohorts"), 6},
		{"juries signed in the past", count("SELECT COUNT(*) FROM juries WHERE finalised_at IS NOT NULL AND session_date < ?", today), 4},
		{"sessions to come", count("SELECT COUNT(*) FROM juries WHERE session_date > ?", today), 2},
		{"certificates", count("SELECT COUNT(*) FROM certificates WHERE kind = 'certificate'"), 5},
		{"partial attestations", count("SELECT COUNT(*) FROM certificates WHERE kind = 'partial_attestation'"), 5},
		{"revoked with a reason", count("SELECT COUNT(*) FROM certificates WHERE revoked_at IS NOT NULL AND revocation_reason <> ''"), 1},
		{"failed attempts", count("SELECT COUNT(*) FROM training_attempts WHERE status = 'graded' AND passed = ?", false), 3},
		{"attempts awaiting review", count("SELECT COUNT(*) FROM training_attempts WHERE status = 'pending_review'"), 1},
		{"exams", count("SELECT COUNT(*) FROM training_attempts WHERE mode = 'exam'"), 10},
		{"VAE refused", count("SELECT COUNT(*) FROM vae_dossiers WHERE status = 'inadmissible'"), 2},
		{"VAE admissible by silence", count("SELECT COUNT(*) FROM vae_dossiers WHERE admissibility_implicit = ?", true), 1},
		{"VAE submitted", count("SELECT COUNT(*) FROM vae_dossiers WHERE status = 'submitted'"), 2},
		{"VAE with a jury", count("SELECT COUNT(*) FROM vae_dossiers WHERE status = 'with_jury'"), 2},
		{"VAE missing pieces", count("SELECT COUNT(*) FROM vae_dossiers WHERE complete_on IS NULL AND status = 'requested'"), 1},
		{"conflicts explained", count("SELECT COUNT(*) FROM jury_exclusions"), 1},
		{"disagreements (a member two levels away)", int64(disagreements(t, a)), 2},
		{"convocations of sessions to come", count("SELECT COUNT(*) FROM messages WHERE kind = 'jury_convocation'"), 8},
		{"components expiring within six months", count("SELECT COUNT(*) FROM component_decisions WHERE final = ? AND decision = 'validated' AND decided_on < ?", true, today.AddMonths(-54)), 3},
	}
	for _, c := range checks {
		if c.got < c.min {
			t.Errorf("%s: %d, want at least %d", c.what, c.got, c.min)
		}
	}

	// The administrator's dashboard: every chart has something to show.
	d, err := a.Reporting.Dashboard(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]bool{}
	for _, e := range d.Enrollments {
		cells[e.Certification+"/"+e.Pathway] = e.N > 0
	}
	for _, c := range []string{"clerc-recouvrement-amiable", "agent-recouvrement"} {
		for _, p := range []string{"formation_continue", "contrat_professionnalisation", "vae"} {
			if !cells[c+"/"+p] {
				t.Errorf("dashboard: no enrollment in %s by %s", c, p)
			}
		}
	}
	if len(d.Components) != 8 || len(d.Issued) < 2 || len(d.Upcoming) < 2 {
		t.Errorf("dashboard: components %v, issued %v, upcoming %v", d.Components, d.Issued, d.Upcoming)
	}
	// The SI CPF page: Clerc certificates issued under the renewed RNCP registration.
	o, err := a.Accrochage.Overview(ctx)
	if err != nil || len(o.ToSend)+len(o.Sent) == 0 {
		t.Errorf("accrochage: nothing to show: %+v %v", o, err)
	}
}

// orphans are the references checked: table, column, referenced table.
var orphans = [][3]string{
	{"enrollments", "candidate_id", "candidates"}, {"cohort_members", "candidate_id", "candidates"},
	{"cohort_members", "cohort_id", "cohorts"}, {"component_decisions", "candidate_id", "candidates"},
	{"component_decisions", "jury_id", "juries"}, {"component_decisions", "deliberation_id", "jury_deliberations"},
	{"jury_members", "jury_id", "juries"}, {"jury_members", "user_id", "users"},
	{"juries", "president_user_id", "users"}, {"jury_candidates", "jury_id", "juries"},
	{"jury_candidates", "candidate_id", "candidates"}, {"jury_candidates", "exam_attempt_id", "training_attempts"},
	{"jury_candidates", "deliberation_id", "jury_deliberations"}, {"jury_evaluations", "jury_id", "juries"},
	{"jury_evaluations", "candidate_id", "candidates"}, {"jury_evaluations", "member_id", "users"},
	{"jury_deliberations", "jury_id", "juries"}, {"jury_deliberations", "candidate_id", "candidates"},
	{"jury_signatures", "jury_id", "juries"}, {"jury_signatures", "user_id", "users"},
	{"jury_exclusions", "jury_id", "juries"}, {"jury_exclusions", "candidate_id", "candidates"},
	{"jury_exclusions", "user_id", "users"}, {"certificates", "candidate_id", "candidates"},
	{"certificates", "supersedes_id", "certificates"}, {"vae_dossiers", "candidate_id", "candidates"},
	{"vae_dossiers", "jury_id", "juries"}, {"vae_dossiers", "support_user_id", "users"},
	{"vae_experiences", "dossier_id", "vae_dossiers"}, {"vae_documents", "dossier_id", "vae_dossiers"},
	{"vae_events", "dossier_id", "vae_dossiers"}, {"vae_support_opinions", "dossier_id", "vae_dossiers"},
	{"training_attempts", "candidate_id", "candidates"}, {"users", "candidate_id", "candidates"},
	{"messages", "user_id", "users"}, {"member_certifications", "user_id", "users"},
}

// disagreements counts the candidates on whom members' levels for one
// criterion differ by two or more.
func disagreements(t *testing.T, a *app.App) int {
	t.Helper()
	var rows []struct{ JuryID, CandidateID, Component, Scores string }
	if err := a.DB.Table("jury_evaluations").Select("jury_id, candidate_id, component, scores").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	type key struct{ j, c, crit string }
	lo, hi := map[key]int{}, map[key]int{}
	for _, r := range rows {
		for _, part := range strings.Split(strings.Trim(r.Scores, "[]"), "},{") {
			var crit string
			var level int
			part = strings.Trim(part, "{}")
			if _, err := fmt.Sscanf(strings.ReplaceAll(part, ",", " "), `"criterion":%q "level":%d`, &crit, &level); err != nil {
				continue
			}
			k := key{r.JuryID, r.CandidateID, crit}
			if _, ok := lo[k]; !ok || level < lo[k] {
				lo[k] = level
			}
			hi[k] = max(hi[k], level)
		}
	}
	who := map[string]bool{}
	for k := range lo {
		if hi[k]-lo[k] >= 2 {
			who[k.j+k.c] = true
		}
	}
	return len(who)
}

// digest is the business content of the demo, table by table, without
// the random ids, keys, tokens and numbers: names, dates, statuses,
// scores, outcomes.
func digest(t *testing.T, a *app.App) map[string]string {
	t.Helper()
	cand := "(SELECT email FROM candidates WHERE id = %s)"
	user := "(SELECT email FROM users WHERE id = %s)"
	jur := "(SELECT certification || ' ' || session_date FROM juries WHERE id = %s)"
	f := fmt.Sprintf
	queries := map[string]string{
		"candidates":  "SELECT first_name, last_name, birth_date, email, employer, training_organisation, sex, birth_name, birth_place, birth_place_insee, birth_country, created_at FROM candidates",
		"users":       f("SELECT email, name, role, organisation, gender, %s, created_at FROM users", f(cand, "users.candidate_id")),
		"enrollments": f("SELECT %s, certification, pathway, status, enrolled_on, ended_on FROM enrollments", f(cand, "candidate_id")),
		"cohorts":     "SELECT name, training_organisation, certification, starts_on, ends_on, (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = cohorts.id) FROM cohorts",
		"juries":      f("SELECT certification, session_date, location, start_time, end_time, %s, finalised_at, version FROM juries", f(user, "president_user_id")),
		"members":     f("SELECT %s, %s, category, organisation, position FROM jury_members", f(jur, "jury_id"), f(user, "user_id")),
		"assignments": f("SELECT %s, %s, dossier_submitted_on, opened_at, deliberation_id IS NULL, exam_attempt_id IS NULL FROM jury_candidates", f(jur, "jury_id"), f(cand, "candidate_id")),
		"exclusions":  f("SELECT %s, %s, %s, reason, detail FROM jury_exclusions", f(jur, "jury_id"), f(cand, "candidate_id"), f(user, "user_id")),
		"evaluations": f("SELECT %s, %s, component, %s, scores, comment, version FROM jury_evaluations", f(jur, "jury_id"), f(cand, "candidate_id"), f(user, "member_id")),
		"signatures":  f("SELECT %s, %s, position, signed_at FROM jury_signatures", f(jur, "jury_id"), f(user, "user_id")),
		"decisions":   f("SELECT %s, certification, component, decision, decided_on, reason, final FROM component_decisions", f(cand, "candidate_id")),
		"documents":   f("SELECT %s, kind, certification, issued_on, revoked_at, revocation_reason FROM certificates", f(cand, "candidate_id")),
		"vae":         f("SELECT %s, certification, status, received_on, complete_on, admissibility_deadline, decided_at, submitted_at, handed_at, admissibility_note FROM vae_dossiers", f(cand, "candidate_id")),
		"attempts":    f("SELECT %s, scenario_id, mode, status, started_at, submitted_at, score, max_score, passed FROM training_attempts", f(cand, "candidate_id")),
		"journal":     "SELECT action, entity, COUNT(*) FROM audit_entries GROUP BY action, entity",
		"messages":    "SELECT kind, to_email, COUNT(*) FROM messages GROUP BY kind, to_email",
	}
	out := map[string]string{}
	for name, q := range queries {
		rows, err := a.DB.Raw(q).Rows()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = v.String
			}
			lines = append(lines, strings.Join(parts, "|"))
		}
		rows.Close()
		slices.Sort(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[fmt.Sprintf("%s (%d rows)", name, len(lines))] = hex.EncodeToString(sum[:])
	}
	return out
}

// The tests' environments share one generated year (a template copied per
// test on SQLite): the second costs a copy, not a load.
func TestDemoYear_AppTestCopiesOneTemplate(t *testing.T) {
	for i := range 2 {
		began := time.Now()
		env := apptest.New(t, apptest.WithDemoYear())
		t.Logf("environment %d with the demo year in %s", i+1, time.Since(began))
		var n int64
		env.App.DB.Table("candidates").Count(&n)
		if n != 200 {
			t.Fatalf("%d candidates", n)
		}
		if rep, err := env.App.VerifyAudit(context.Background()); err != nil || !rep.OK() {
			t.Fatalf("audit after the copy: %+v %v", rep, err)
		}
		// The README's administrator signs in with their password.
		env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@demo.cqp.fr", "password": "Admin-CQP-2026"}).Expect(t, 200)
		if env.Backend == "postgres" {
			// No template there: each test loads the year (as the one
			// above does), so one environment shows it serves.
			break
		}
	}
}

// cqp seed --demo-year refuses a database that already holds people.
func TestDemoYear_SeedRefusesADatabaseInUse(t *testing.T) {
	env := apptest.New(t)
	env.Candidate(t)
	lookup := func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return env.Cfg.DatabaseURL, true
		case "CQP_DATA_DIR":
			return env.Cfg.DataDir, true
		case "CQP_MASTER_KEY":
			return apptest.MasterKey, env.Backend == "postgres"
		}
		return "", false
	}
	var out strings.Builder
	err := app.Main(context.Background(), []string{"seed", "--demo-year"}, lookup, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("seed --demo-year on a database in use: %v", err)
	}
}

// countBackwards counts the journal rows dated before their predecessor:
// the demo year writes its past in date order.
func countBackwards(t *testing.T, a *app.App) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Raw(`SELECT COUNT(*) FROM (SELECT at, LAG(at) OVER (ORDER BY seq) AS prev FROM audit_entries) x WHERE at < prev`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
