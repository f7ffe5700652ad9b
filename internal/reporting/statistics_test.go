package reporting_test

import (
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
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
