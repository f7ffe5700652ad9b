package reporting_test

import (
	"context"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/reporting"
)

// The dashboard counts the documents in force only (a revoked one was not
// "issued" in any sense a reader of the chart means), over the twelve
// months ending with today's; decisions in force per component; active
// enrollments per pathway.
func TestDashboard_CountsDocumentsInForceOverTwelveMonths(t *testing.T) {
	env := apptest.New(t)
	f := fixture{t, env}
	a, b := env.Candidate(t), env.Candidate(t)
	env.Enroll(t, a.ID, clerc, "formation_continue")
	env.Enroll(t, b.ID, clerc, "vae")
	f.decide(a.ID, "CLERC-1", candidates.Validated, "2026-03-10", true)
	f.decide(b.ID, "CLERC-1", candidates.NotValidated, "2026-03-10", true)
	old := f.decide(b.ID, "CLERC-2", candidates.Validated, "2026-03-10", true)
	env.App.DB.Model(&candidates.Decision{}).Where("id = ?", old).Update("superseded_by", "x")
	today := civil.MustParse("2026-11-22")
	f.issue(a.ID, "partial_attestation", "2026-03-20", false)
	f.issue(a.ID, "certificate", "2025-12-01", false)        // first day of the window
	f.issue(b.ID, "certificate", "2025-11-30", false)        // the day before: out
	f.issue(b.ID, "partial_attestation", "2026-06-10", true) // revoked: out

	d, err := env.App.Reporting.Dashboard(context.Background(), today)
	if err != nil {
		t.Fatal(err)
	}
	if d.Since != civil.MustParse("2025-12-01") {
		t.Errorf("since %v", d.Since)
	}
	got := map[reporting.MonthCount]bool{}
	for _, m := range d.Issued {
		got[m] = true
	}
	want := []reporting.MonthCount{{Year: 2026, Month: 3, Kind: "partial_attestation", N: 1}, {Year: 2025, Month: 12, Kind: "certificate", N: 1}}
	if len(d.Issued) != len(want) || !got[want[0]] || !got[want[1]] {
		t.Errorf("issued %+v, want %+v", d.Issued, want)
	}
	if c := d.Components["CLERC-1"]; c.Total != 2 || c.Validated != 1 {
		t.Errorf("CLERC-1 %+v", c)
	}
	if _, ok := d.Components["CLERC-2"]; ok {
		t.Errorf("a superseded decision counts: %+v", d.Components)
	}
	if d.Candidates < 2 || len(d.Enrollments) != 2 {
		t.Errorf("candidates %d, enrollments %+v", d.Candidates, d.Enrollments)
	}
}
