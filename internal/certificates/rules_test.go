package certificates

import (
	"testing"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/referential"
)

var clerc = []string{"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4"}

// validated builds final decisions validating component code on date.
func validated(code, on string) candidates.Decision {
	return candidates.Decision{Component: code, Outcome: candidates.Validated, DecidedOn: civil.MustParse(on), Final: true}
}

func TestExpiresOn_FiveYearsWithMonthEndRule(t *testing.T) {
	for _, tc := range []struct{ acquired, expires string }{
		{"2024-02-29", "2029-02-28"}, // leap day: no 29 February in 2029
		{"2028-02-29", "2033-02-28"},
		{"2023-02-28", "2028-02-28"}, // not moved to the leap day
		{"2026-01-31", "2031-01-31"},
		{"2026-12-31", "2031-12-31"},
		{"2026-11-22", "2031-11-22"},
	} {
		got := candidates.ExpiresOn(civil.MustParse(tc.acquired), 5)
		if got.String() != tc.expires {
			t.Errorf("acquired %s: expires %s, want %s", tc.acquired, got, tc.expires)
		}
		// Half-open: valid on the eve of expiry, not on the day itself.
		exp := civil.MustParse(tc.expires)
		if !candidates.ValidOn(civil.MustParse(tc.acquired), 5, exp.AddDays(-1)) || candidates.ValidOn(civil.MustParse(tc.acquired), 5, exp) {
			t.Errorf("acquired %s: validity is not [acquired, %s)", tc.acquired, tc.expires)
		}
	}
}

func TestAssess(t *testing.T) {
	today := civil.MustParse("2026-11-22")
	for _, tc := range []struct {
		name      string
		decisions []candidates.Decision
		ok        bool
		kind      string
		awardedOn string
		// components listed, as "CODE acquired expires"
		want []string
	}{
		{
			name:      "all four valid on the completing date: CQP awarded on that date",
			decisions: []candidates.Decision{validated("CLERC-1", "2024-02-29"), validated("CLERC-2", "2025-06-30"), validated("CLERC-3", "2026-03-31"), validated("CLERC-4", "2026-10-15")},
			ok:        true, kind: KindCertificate, awardedOn: "2026-10-15",
			want: []string{"CLERC-1 2024-02-29 2029-02-28", "CLERC-2 2025-06-30 2030-06-30", "CLERC-3 2026-03-31 2031-03-31", "CLERC-4 2026-10-15 2031-10-15"},
		},
		{
			name: "a component expired on the completing date: attestation, not CQP",
			// CLERC-1 acquired 2021-02-28 expires 2026-02-28, the very day CLERC-4 completes the set.
			decisions: []candidates.Decision{validated("CLERC-1", "2021-02-28"), validated("CLERC-2", "2025-01-10"), validated("CLERC-3", "2025-01-10"), validated("CLERC-4", "2026-02-28")},
			ok:        true, kind: KindAttestation,
			want: []string{"CLERC-2 2025-01-10 2030-01-10", "CLERC-3 2025-01-10 2030-01-10", "CLERC-4 2026-02-28 2031-02-28"},
		},
		{
			name:      "the day before expiry still completes the set",
			decisions: []candidates.Decision{validated("CLERC-1", "2021-02-28"), validated("CLERC-2", "2025-01-10"), validated("CLERC-3", "2025-01-10"), validated("CLERC-4", "2026-02-27")},
			ok:        true, kind: KindCertificate, awardedOn: "2026-02-27",
			want: []string{"CLERC-1 2021-02-28 2026-02-28", "CLERC-2 2025-01-10 2030-01-10", "CLERC-3 2025-01-10 2030-01-10", "CLERC-4 2026-02-27 2031-02-27"},
		},
		{
			name: "an expired component acquired again starts a new period and completes the set",
			decisions: []candidates.Decision{validated("CLERC-1", "2020-05-04"), validated("CLERC-2", "2025-01-10"), validated("CLERC-3", "2025-01-10"), validated("CLERC-4", "2026-02-27"),
				validated("CLERC-1", "2026-06-01")},
			ok: true, kind: KindCertificate, awardedOn: "2026-06-01",
			want: []string{"CLERC-1 2026-06-01 2031-06-01", "CLERC-2 2025-01-10 2030-01-10", "CLERC-3 2025-01-10 2030-01-10", "CLERC-4 2026-02-27 2031-02-27"},
		},
		{
			name:      "partial: attestation lists each acquired component with its expiry",
			decisions: []candidates.Decision{validated("CLERC-2", "2024-02-29"), validated("CLERC-3", "2026-01-31"), {Component: "CLERC-1", Outcome: candidates.NotValidated, DecidedOn: civil.MustParse("2026-01-31"), Final: true}},
			ok:        true, kind: KindAttestation,
			want: []string{"CLERC-2 2024-02-29 2029-02-28", "CLERC-3 2026-01-31 2031-01-31"},
		},
		{
			name:      "decisions not final, superseded, in the future or of another certification do not count",
			decisions: []candidates.Decision{{Component: "CLERC-1", Outcome: candidates.Validated, DecidedOn: civil.MustParse("2026-01-10")}, {Component: "CLERC-2", Outcome: candidates.Validated, DecidedOn: civil.MustParse("2026-01-10"), Final: true, SupersededBy: ptr("x")}, validated("CLERC-3", "2026-12-01"), validated("AGENT-1", "2026-01-10")},
			ok:        false,
		},
		{
			name:      "a refusal after a validation does not undo it",
			decisions: []candidates.Decision{validated("CLERC-1", "2025-01-10"), {Component: "CLERC-1", Outcome: candidates.NotValidated, DecidedOn: civil.MustParse("2026-01-10"), Final: true}},
			ok:        true, kind: KindAttestation, want: []string{"CLERC-1 2025-01-10 2030-01-10"},
		},
		{
			name:      "only expired components: nothing to attest",
			decisions: []candidates.Decision{validated("CLERC-1", "2020-01-10")},
			ok:        false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, ok := Assess(clerc, 5, tc.decisions, today)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, out)
			}
			if !ok {
				return
			}
			if out.Kind != tc.kind || out.AwardedOn.String() != tc.awardedOn {
				t.Fatalf("kind %s awarded %s, want %s %s", out.Kind, out.AwardedOn, tc.kind, tc.awardedOn)
			}
			var got []string
			for _, c := range out.Components {
				got = append(got, c.Code+" "+c.AcquiredOn.String()+" "+c.ExpiresOn.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("components %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("component %d: %s, want %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestRegistryEntry_OnlyInsideARegistrationPeriod(t *testing.T) {
	regs := []referential.Registration{{Registry: "RNCP", Number: "26291", From: civil.MustParse("2016-06-07"), To: civil.MustParse("2019-06-07")}}
	for on, want := range map[string]bool{"2016-06-06": false, "2016-06-07": true, "2018-01-01": true, "2019-06-07": true, "2019-06-08": false, "2026-11-22": false} {
		if _, got := RegistryEntry(regs, civil.MustParse(on)); got != want {
			t.Errorf("award on %s: mention %v, want %v", on, got, want)
		}
	}
	// A registration with no known start (an archived record) is never mentioned.
	if _, got := RegistryEntry([]referential.Registration{{Registry: "Certif Info", Number: "54073"}}, civil.MustParse("2020-01-01")); got {
		t.Error("a registration without period is mentioned")
	}
}

func ptr[T any](v T) *T { return &v }
