package reporting_test

import (
	"context"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/internal/reporting"
)

const clerc = "clerc-recouvrement-amiable"

type fixture struct {
	t   *testing.T
	env *apptest.Env
}

func (f fixture) decide(candidateID, component, outcome, on string, final bool) string {
	f.t.Helper()
	d := candidates.Decision{ID: database.NewID(), CandidateID: candidateID, Certification: clerc, Component: component,
		Outcome: outcome, DecidedOn: civil.MustParse(on), Final: final, CreatedBy: "test", CreatedAt: time.Now()}
	if err := f.env.App.DB.Create(&d).Error; err != nil {
		f.t.Fatal(err)
	}
	return d.ID
}

func (f fixture) issue(candidateID, kind, on string, revoked bool) {
	f.t.Helper()
	row := map[string]any{"id": database.NewID(), "number": database.NewID()[:20], "kind": kind, "candidate_id": candidateID,
		"certification": clerc, "issued_on": civil.MustParse(on), "state_hash": "x", "body": "{}", "credentials": "{}",
		"kid": "k", "created_by": "test", "created_at": time.Now()}
	if revoked {
		row["revoked_at"] = time.Now()
	}
	if err := f.env.App.DB.Table("certificates").Create(row).Error; err != nil {
		f.t.Fatal(err)
	}
}

// A fixture whose rates are known: three candidates presented in 2026 (two
// in continuing education, one in VAE), CLERC-1 validated by two of three,
// CLERC-2 by the only one presented, CLERC-3 and CLERC-4 presented by nobody
// (rate null, not 0 %). Decisions not final, superseded, or of another year
// do not count; nor do revoked documents.
func TestStatistics_KnownRatesAndEmptyCells(t *testing.T) {
	env := apptest.New(t)
	f := fixture{t, env}
	a, b, c, d := env.Candidate(t), env.Candidate(t), env.Candidate(t), env.Candidate(t)
	env.Enroll(t, a.ID, clerc, "formation_continue")
	env.Enroll(t, b.ID, clerc, "formation_continue")
	env.Enroll(t, c.ID, clerc, "vae")
	env.Enroll(t, d.ID, clerc, "contrat_professionnalisation")
	f.decide(a.ID, "CLERC-1", candidates.Validated, "2026-03-10", true)
	f.decide(a.ID, "CLERC-2", candidates.Validated, "2026-03-10", true)
	f.decide(b.ID, "CLERC-1", candidates.Validated, "2026-06-01", true)
	f.decide(c.ID, "CLERC-1", candidates.NotValidated, "2026-12-31", true)
	f.decide(d.ID, "CLERC-1", candidates.Validated, "2025-12-31", true)        // another year
	f.decide(d.ID, "CLERC-3", candidates.Validated, "2026-05-05", false)       // minutes not signed
	old := f.decide(c.ID, "CLERC-4", candidates.Validated, "2026-02-02", true) // corrected below
	env.App.DB.Model(&candidates.Decision{}).Where("id = ?", old).Update("superseded_by", "x")
	f.issue(a.ID, "partial_attestation", "2026-03-20", false)
	f.issue(b.ID, "partial_attestation", "2026-06-10", true) // revoked
	f.issue(b.ID, "certificate", "2027-01-02", false)        // another year

	_, admin := env.User(t, auth.RoleAdmin)
	var st reporting.Statistics
	env.Do(t, "GET", "/api/v1/statistics?year=2026&certification="+clerc, admin, nil).Expect(t, 200).JSON(t, &st)
	if st.Year != 2026 || st.Certification != clerc {
		t.Fatalf("%+v", st)
	}
	rates := map[string]reporting.ComponentResult{}
	for _, r := range st.Components {
		rates[r.Code] = r
	}
	check := func(code string, presented, validated int64, rate *float64) {
		t.Helper()
		r := rates[code]
		if r.Presented != presented || r.Validated != validated || (r.Rate == nil) != (rate == nil) || (rate != nil && *r.Rate != *rate) {
			t.Errorf("%s: %+v (rate %v), want %d/%d rate %v", code, r, deref(r.Rate), validated, presented, deref(rate))
		}
	}
	check("CLERC-1", 3, 2, ptr(0.6667))
	check("CLERC-2", 1, 1, ptr(1))
	check("CLERC-3", 0, 0, nil)
	check("CLERC-4", 0, 0, nil)
	paths := map[string]int64{}
	for _, p := range st.Pathways {
		paths[p.Pathway] = p.Candidates
	}
	if paths["formation_continue"] != 2 || paths["vae"] != 1 || paths["contrat_professionnalisation"] != 0 || len(st.Pathways) != 3 {
		t.Errorf("pathways %+v", st.Pathways)
	}
	if st.Awarded != (reporting.Awarded{Certificates: 0, PartialAttestations: 1}) {
		t.Errorf("awarded %+v", st.Awarded)
	}

	// An empty year: counts 0, rates null, in the JSON itself.
	res := env.Do(t, "GET", "/api/v1/statistics?year=2020&certification="+clerc, admin, nil).Expect(t, 200)
	var raw map[string]any
	res.JSON(t, &raw)
	comp := raw["components"].([]any)[0].(map[string]any)
	if v, ok := comp["rate"]; !ok || v != nil || comp["presented"] != float64(0) {
		t.Fatalf("empty year component %v", comp)
	}
	env.Do(t, "GET", "/api/v1/statistics?year=20x6", admin, nil).Expect(t, 422)
	env.Do(t, "GET", "/api/v1/statistics?certification=nope", admin, nil).Expect(t, 422)
	_, trainer := env.User(t, auth.RoleTrainer)
	env.Do(t, "GET", "/api/v1/statistics", trainer, nil).Expect(t, 403)
}

func ptr(f float64) *float64 { return &f }

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// Sessions, training organisations and the RNCP's published figures, on a
// fixture with known counts: two sessions, two organisations, one
// certificate among three candidates presented.
func TestStatistics_BySessionOrganisationAndPublishedFigures(t *testing.T) {
	env := apptest.New(t)
	f := fixture{t, env}
	org := func(name string) apptest.CandidateOpt {
		return func(c *candidates.NewCandidate) { c.TrainingOrganisation = name }
	}
	a, b, c := env.Candidate(t, org("Organisme A")), env.Candidate(t, org("Organisme A")), env.Candidate(t, org("Organisme B"))
	env.Enroll(t, a.ID, clerc, "formation_continue")
	env.Enroll(t, b.ID, clerc, "vae")
	env.Enroll(t, c.ID, clerc, "formation_continue")
	for _, j := range []jury.Jury{{ID: "j1", Certification: clerc, SessionDate: civil.MustParse("2026-03-10"), Location: "Paris"},
		{ID: "j2", Certification: clerc, SessionDate: civil.MustParse("2026-06-01"), Location: "Lyon"}} {
		j.PresidentID, j.CreatedBy = "p", "test"
		if err := env.App.DB.Create(&j).Error; err != nil {
			t.Fatal(err)
		}
	}
	byJury := func(candidateID, component, outcome, on, juryID string) {
		id := f.decide(candidateID, component, outcome, on, true)
		env.App.DB.Model(&candidates.Decision{}).Where("id = ?", id).Update("jury_id", juryID)
	}
	for _, comp := range []string{"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4"} {
		byJury(a.ID, comp, candidates.Validated, "2026-03-10", "j1")
	}
	byJury(b.ID, "CLERC-1", candidates.Validated, "2026-03-10", "j1")
	byJury(b.ID, "CLERC-2", candidates.NotValidated, "2026-03-10", "j1")
	byJury(c.ID, "CLERC-1", candidates.Validated, "2026-06-01", "j2")
	byJury(c.ID, "CLERC-2", candidates.Validated, "2026-06-01", "j2")
	f.issue(a.ID, "certificate", "2026-03-20", false)
	f.issue(c.ID, "partial_attestation", "2026-06-10", false)

	st, err := env.App.Reporting.Statistics(context.Background(), 2026, mustCert(t, env))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sessions) != 2 {
		t.Fatalf("sessions %+v", st.Sessions)
	}
	s1, s2 := st.Sessions[0], st.Sessions[1]
	if s1.JuryID != "j1" || s1.Location != "Paris" || s1.Candidates != 2 || s1.Presented != 6 || s1.Validated != 5 || deref(s1.Rate) != 0.8333 {
		t.Errorf("session 1 %+v rate %v", s1, deref(s1.Rate))
	}
	if s2.JuryID != "j2" || s2.SessionDate == nil || *s2.SessionDate != civil.MustParse("2026-06-01") || s2.Candidates != 1 || deref(s2.Rate) != 1.0 {
		t.Errorf("session 2 %+v", s2)
	}
	orgs := map[string]reporting.OrganisationResult{}
	for _, o := range st.Organisations {
		orgs[o.Organisation] = o
	}
	if o := orgs["Organisme A"]; o.Candidates != 2 || o.Presented != 6 || o.Validated != 5 || o.Certified != 1 {
		t.Errorf("Organisme A %+v", o)
	}
	if o := orgs["Organisme B"]; o.Candidates != 1 || o.Certified != 0 || deref(o.Rate) != 1.0 {
		t.Errorf("Organisme B %+v", o)
	}
	p := st.Published
	if p.Presented != 3 || p.Certified != 1 || deref(p.SuccessRate) != 0.3333 {
		t.Errorf("published %+v rate %v", p, deref(p.SuccessRate))
	}
	paths := map[string]reporting.PathwayOutcome{}
	for _, po := range p.ByPathway {
		paths[po.Pathway] = po
	}
	if po := paths["formation_continue"]; po.Presented != 2 || po.Certified != 1 || deref(po.SuccessRate) != 0.5 {
		t.Errorf("formation continue %+v", po)
	}
	if po := paths["vae"]; po.Presented != 1 || po.Certified != 0 || deref(po.SuccessRate) != 0.0 {
		t.Errorf("vae %+v", po)
	}
	if po := paths["contrat_professionnalisation"]; po.Presented != 0 || po.SuccessRate != nil {
		t.Errorf("nobody presented: rate %v, want null", deref(po.SuccessRate))
	}
}

func mustCert(t *testing.T, env *apptest.Env) referential.Certification {
	t.Helper()
	c, ok := env.App.Referential.Certification(clerc)
	if !ok {
		t.Fatal("no clerc")
	}
	return c
}

// The statistics are kept while the audit journal has not moved: a write
// that is not journaled (only a test can make one) is not seen, the next
// journaled write brings it in.
func TestStatistics_KeptUntilTheJournalMoves(t *testing.T) {
	env := apptest.New(t)
	f := fixture{t, env}
	a, b := env.Candidate(t), env.Candidate(t)
	f.decide(a.ID, "CLERC-1", candidates.Validated, "2026-03-10", true)
	ctx, cert := context.Background(), mustCert(t, env)
	first, err := env.App.Reporting.Statistics(ctx, 2026, cert)
	if err != nil || first.Published.Presented != 1 {
		t.Fatalf("first %+v %v", first.Published, err)
	}
	f.decide(b.ID, "CLERC-1", candidates.Validated, "2026-03-11", true)
	if st, _ := env.App.Reporting.Statistics(ctx, 2026, cert); st.Published.Presented != 1 {
		t.Errorf("recomputed without a journaled write: %d", st.Published.Presented)
	}
	if st, _ := env.App.Reporting.Compute(ctx, 2026, cert); st.Published.Presented != 2 {
		t.Errorf("compute: %d", st.Published.Presented)
	}
	env.Candidate(t)
	if st, _ := env.App.Reporting.Statistics(ctx, 2026, cert); st.Published.Presented != 2 {
		t.Errorf("after a journaled write: %d, want 2", st.Published.Presented)
	}
}
