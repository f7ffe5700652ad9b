package law

import (
	"slices"
	"testing"
)

func TestLimitation_LastDayAndTheDayAfter(t *testing.T) {
	p := params(t)
	cases := []struct {
		kind, start, lastDay string
		years                int
		rule, nature         string
	}{
		{"consumer", "2024-03-15", "2026-03-15", 2, "C. conso. L218-2", "prescription"},
		{"consumer_credit", "2024-03-15", "2026-03-15", 2, "C. conso. R312-35", "forclusion"},
		{"residential_rent", "2024-03-15", "2027-03-15", 3, "loi n° 89-462 art. 7-1", "prescription"},
		{"commercial", "2024-03-15", "2029-03-15", 5, "C. com. L110-4", "prescription"},
		{"civil", "2024-03-15", "2029-03-15", 5, "C. civ. 2224", "prescription"},
		{"executory_title", "2024-03-15", "2034-03-15", 10, "CPCE L111-4", "prescription"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			last := d(c.lastDay)
			for _, asOf := range []struct {
				on     string
				barred bool
			}{{c.lastDay, false}, {last.AddDays(1).String(), true}, {last.AddDays(-1).String(), false}} {
				out := Evaluate(file(c.kind, c.start, asOf.on), p)
				l := out.Limitation
				if l == nil {
					t.Fatalf("as of %s: no limitation part", asOf.on)
				}
				if l.LastDay != last || l.PeriodYears != c.years || l.Rule != c.rule || l.Nature != c.nature {
					t.Errorf("as of %s: got %+v, want last day %s, %d years, %s, %s", asOf.on, *l, c.lastDay, c.years, c.rule, c.nature)
				}
				if l.Barred != asOf.barred {
					t.Errorf("as of %s: barred = %v, want %v", asOf.on, l.Barred, asOf.barred)
				}
				wantCode := CodeLimitationRunning
				if asOf.barred {
					wantCode = CodeLimitationBarred
					if c.kind == "consumer_credit" {
						wantCode = CodeForclusionAcquired
					}
				}
				if f, ok := finding(out, wantCode); !ok || f.Message == "" {
					t.Errorf("as of %s: no %s finding in %v", asOf.on, wantCode, findingCodes(out))
				}
			}
		})
	}
}

func TestLimitation_29FebruaryEndsOnTheLastDayOfFebruary(t *testing.T) {
	p := params(t)
	cases := []struct{ kind, lastDay string }{
		{"consumer", "2026-02-28"},
		{"residential_rent", "2027-02-28"},
		{"commercial", "2029-02-28"},
		{"executory_title", "2034-02-28"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			out := Evaluate(file(c.kind, "2024-02-29", c.lastDay), p)
			if got := out.Limitation.LastDay.String(); got != c.lastDay || out.Limitation.Barred {
				t.Fatalf("last day %s barred %v, want %s not barred", got, out.Limitation.Barred, c.lastDay)
			}
			out = Evaluate(file(c.kind, "2024-02-29", d(c.lastDay).AddDays(1).String()), p)
			if !out.Limitation.Barred {
				t.Fatalf("the day after %s must be barred", c.lastDay)
			}
		})
	}
	// An interruption on 29 February follows the same rule.
	in := file("consumer", "2023-06-01", "2026-02-28")
	in.Claim.Events = []Event{{Kind: "acknowledgment", On: d("2024-02-29")}}
	if got := Evaluate(in, p).Limitation.LastDay.String(); got != "2026-02-28" {
		t.Errorf("acknowledgment on 2024-02-29: last day %s, want 2026-02-28", got)
	}
}

func TestLimitation_WeekendLastDayIsNotExtended(t *testing.T) {
	p := params(t)
	// 2024-03-14 + 2 years = Saturday 2026-03-14: barred on Monday 16 March.
	out := Evaluate(file("consumer", "2024-03-14", "2026-03-16"), p)
	if !out.Limitation.Barred {
		t.Fatal("a period ending on a Saturday is not extended to Monday")
	}
	if !hasFinding(out, CodeLastDayNotExtended) {
		t.Errorf("missing %s in %v", CodeLastDayNotExtended, findingCodes(out))
	}
	out = Evaluate(file("consumer", "2024-03-14", "2026-03-15"), p) // Sunday
	if !out.Limitation.Barred {
		t.Fatal("Sunday after a Saturday last day: barred")
	}
	out = Evaluate(file("consumer", "2024-03-16", "2026-03-16"), p) // Monday last day
	if hasFinding(out, CodeLastDayNotExtended) {
		t.Error("a weekday last day needs no weekend note")
	}
}

func TestLimitation_PaymentOneDayBeforeAndAfterTheBar(t *testing.T) {
	p := params(t)
	// consumer claim due 2024-03-15: last day 2026-03-15.
	cases := []struct {
		name, paidOn string
		lastDay      string
		barred       bool
		interrupted  bool
	}{
		{"the day before the last day", "2026-03-14", "2028-03-14", false, true},
		{"on the last day", "2026-03-15", "2028-03-15", false, true},
		{"the day after the last day", "2026-03-16", "2026-03-15", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2024-03-15", "2026-06-01")
			in.Claim.Events = []Event{{Kind: "partial_payment", On: d(c.paidOn), Amount: eur("50")}}
			out := Evaluate(in, p)
			l := out.Limitation
			if l.LastDay.String() != c.lastDay || l.Barred != c.barred {
				t.Fatalf("last day %s barred %v, want %s %v", l.LastDay, l.Barred, c.lastDay, c.barred)
			}
			if got := len(l.InterruptedBy) == 1; got != c.interrupted {
				t.Errorf("interrupted_by = %v, want interrupted %v", l.InterruptedBy, c.interrupted)
			}
			if c.barred && !hasFinding(out, CodeEventAfterBar) {
				t.Errorf("a payment after the bar must be reported: %v", findingCodes(out))
			}
			// Whatever its effect on the period, the payment reduces the principal.
			if out.Claimable.Principal != eur("430") {
				t.Errorf("principal %s, want 430.00", out.Claimable.Principal)
			}
		})
	}
}

func TestLimitation_WhichEventsInterrupt(t *testing.T) {
	p := params(t)
	cases := []struct {
		kind       string
		interrupts bool
		code       string
	}{
		{"acknowledgment", true, CodeInterruption},
		{"partial_payment", true, CodeInterruption},
		{"court_claim", true, CodeCourtClaimPending},
		{"enforcement_act", true, CodeInterruption},
		{"formal_notice", false, CodeNotInterruptive},
		{"reminder", false, CodeNotInterruptive},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			in := file("consumer", "2024-03-15", "2026-06-01")
			in.Claim.Events = []Event{{Kind: c.kind, On: d("2025-01-10"), Amount: eur("10")}}
			out := Evaluate(in, p)
			if out.Limitation.Barred == c.interrupts {
				t.Errorf("barred = %v, want %v", out.Limitation.Barred, !c.interrupts)
			}
			if c.interrupts && out.Limitation.LastDay.String() != "2027-01-10" {
				t.Errorf("last day %s, want 2027-01-10", out.Limitation.LastDay)
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s in %v", c.code, findingCodes(out))
			}
		})
	}
}

func TestLimitation_ForclusionIsInterruptedOnlyByCourtClaimOrEnforcement(t *testing.T) {
	p := params(t)
	cases := []struct {
		kind   string
		barred bool
	}{
		{"partial_payment", true},
		{"acknowledgment", true},
		{"formal_notice", true},
		{"court_claim", false},
		{"enforcement_act", false},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			in := file("consumer_credit", "2024-03-15", "2026-06-01")
			in.Claim.Events = []Event{{Kind: c.kind, On: d("2026-01-10"), Amount: eur("10")}}
			out := Evaluate(in, p)
			if out.Limitation.Barred != c.barred {
				t.Fatalf("barred = %v, want %v (%v)", out.Limitation.Barred, c.barred, findingCodes(out))
			}
			if (c.kind == "partial_payment" || c.kind == "acknowledgment") && !hasFinding(out, CodeForclusionNotInterrupted) {
				t.Errorf("missing %s", CodeForclusionNotInterrupted)
			}
		})
	}
}

func TestLimitation_EventAfterTheBarRevivesNothing(t *testing.T) {
	p := params(t)
	cases := []struct {
		name    string
		events  []Event
		lastDay string
		kept    []EventRef
	}{
		{
			name: "every event after the first bar",
			events: []Event{
				{Kind: "court_claim", On: d("2023-01-05")},
				{Kind: "acknowledgment", On: d("2022-01-11")}, // the day after 2022-01-10
				{Kind: "partial_payment", On: d("2022-06-02"), Amount: eur("20")},
			},
			lastDay: "2022-01-10",
			kept:    []EventRef{},
		},
		{
			name: "after the bar of a new period",
			events: []Event{
				{Kind: "acknowledgment", On: d("2021-06-01")},                     // runs to 2023-06-01
				{Kind: "partial_payment", On: d("2023-06-02"), Amount: eur("20")}, // the day after
			},
			lastDay: "2023-06-01",
			kept:    []EventRef{{Kind: "acknowledgment", On: d("2021-06-01")}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2020-01-10", "2026-06-01")
			in.Claim.Events = c.events
			out := Evaluate(in, p)
			l := out.Limitation
			if l.LastDay.String() != c.lastDay || !l.Barred {
				t.Fatalf("last day %s barred %v, want %s barred", l.LastDay, l.Barred, c.lastDay)
			}
			if !slices.Equal(l.InterruptedBy, c.kept) {
				t.Errorf("interrupted_by %v, want %v", l.InterruptedBy, c.kept)
			}
			if !hasFinding(out, CodeEventAfterBar) {
				t.Errorf("missing %s", CodeEventAfterBar)
			}
		})
	}
}

func TestLimitation_SuccessiveInterruptionsChain(t *testing.T) {
	p := params(t)
	in := file("commercial", "2015-05-31", "2026-06-01")
	in.Claim.Events = []Event{
		{Kind: "acknowledgment", On: d("2019-04-30")},  // → 2024-04-30
		{Kind: "enforcement_act", On: d("2024-04-30")}, // on the last day → 2029-04-30
		{Kind: "formal_notice", On: d("2025-01-01")},   // no effect
		{Kind: "partial_payment", On: d("2025-02-28")}, // → 2030-02-28
	}
	in.Claim.Events[3].Amount = eur("10")
	out := Evaluate(in, p)
	if got := out.Limitation.LastDay.String(); got != "2030-02-28" || out.Limitation.Barred {
		t.Fatalf("last day %s, want 2030-02-28 not barred", got)
	}
	if len(out.Limitation.InterruptedBy) != 3 {
		t.Errorf("interrupted_by %v, want 3 events", out.Limitation.InterruptedBy)
	}
}

func TestLimitation_EventBeforeTheStartInterruptsNothing(t *testing.T) {
	p := params(t)
	in := file("consumer", "2024-03-15", "2026-03-16")
	in.Claim.Events = []Event{{Kind: "acknowledgment", On: d("2024-03-14")}}
	out := Evaluate(in, p)
	if !out.Limitation.Barred || len(out.Limitation.InterruptedBy) != 0 {
		t.Fatalf("an acknowledgment before the due date must not interrupt: %+v", *out.Limitation)
	}
	if !hasFinding(out, CodeEventBeforeStart) {
		t.Errorf("missing %s", CodeEventBeforeStart)
	}
}

func TestLimitation_AcknowledgmentsCannotPassTwentyYears(t *testing.T) {
	p := params(t)
	acks := func(kind string) []Event {
		var ev []Event
		for _, on := range []string{"2001-06-01", "2003-06-01", "2005-06-01", "2007-06-01", "2009-06-01",
			"2011-06-01", "2013-06-01", "2015-06-01", "2017-06-01", "2019-06-01"} {
			ev = append(ev, Event{Kind: kind, On: d(on)})
		}
		return ev
	}
	in := file("consumer", "2000-01-10", "2020-06-01")
	in.Claim.Events = acks("acknowledgment")
	out := Evaluate(in, p)
	if got := out.Limitation.LastDay.String(); got != "2020-01-10" || !out.Limitation.Barred {
		t.Fatalf("last day %s barred %v, want the 20-year long stop 2020-01-10", got, out.Limitation.Barred)
	}
	if !hasFinding(out, CodeLongStop) {
		t.Errorf("missing %s", CodeLongStop)
	}
	// Court claims and enforcement acts escape the long stop (C. civ. 2232 al. 2).
	in.Claim.Events = acks("enforcement_act")
	out = Evaluate(in, p)
	if got := out.Limitation.LastDay.String(); got != "2021-06-01" || out.Limitation.Barred {
		t.Fatalf("enforcement acts: last day %s, want 2021-06-01", got)
	}
}

func TestLimitation_KindThatDoesNotFitThePartiesIsFlagged(t *testing.T) {
	p := params(t)
	in := file("consumer", "2024-03-15", "2025-01-01")
	in.Debtor = &Debtor{Kind: "professional"}
	if out := Evaluate(in, p); !hasFinding(out, CodeKindMismatch) {
		t.Errorf("consumer claim on a professional: missing %s", CodeKindMismatch)
	}
	in = file("commercial", "2024-03-15", "2025-01-01")
	in.Debtor = &Debtor{Kind: "consumer"}
	if out := Evaluate(in, p); !hasFinding(out, CodeKindMismatch) {
		t.Errorf("commercial claim on a consumer: missing %s", CodeKindMismatch)
	}
	if out := Evaluate(file("commercial", "2024-03-15", "2025-01-01"), p); hasFinding(out, CodeKindMismatch) {
		t.Error("a commercial claim between professionals fits")
	}
}

func TestLimitation_UnknownKindGivesNoPeriod(t *testing.T) {
	out := Evaluate(file("alimony", "2024-03-15", "2025-01-01"), params(t))
	if out.Limitation != nil || !hasFinding(out, CodeUnknownClaimKind) {
		t.Fatalf("unknown kind: limitation %v, findings %v", out.Limitation, findingCodes(out))
	}
}
