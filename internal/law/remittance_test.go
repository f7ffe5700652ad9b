package law

import (
	"slices"
	"strings"
	"testing"
)

// CPCE R124-6: the funds the collector receives are remitted to the creditor
// within one month of their effective collection (same day number the next
// month, or its last day), and the debtor gets a receipt for every payment.
func TestRemittance_FundsReachTheCreditorWithinOneMonthOfCollection(t *testing.T) {
	p := params(t)
	cases := []struct {
		name, collected, remitted, asOf string
		remitBy                         string
		late                            bool
		code                            string
	}{
		{"remitted on the last day", "2026-03-10", "2026-04-10", "2026-05-01", "2026-04-10", false, CodeRemittanceOnTime},
		{"remitted the day after", "2026-03-10", "2026-04-11", "2026-05-01", "2026-04-10", true, CodeRemittanceLate},
		{"remitted the same day", "2026-03-10", "2026-03-10", "2026-05-01", "2026-04-10", false, CodeRemittanceOnTime},
		{"held, last day is as_of", "2026-03-10", "", "2026-04-10", "2026-04-10", false, CodeRemittanceDue},
		{"held, the day after the last day", "2026-03-10", "", "2026-04-11", "2026-04-10", true, CodeRemittanceLate},
		{"month-end: 31 January to 28 February", "2026-01-31", "", "2026-02-28", "2026-02-28", false, CodeRemittanceDue},
		{"month-end: held on 1 March", "2026-01-31", "", "2026-03-01", "2026-02-28", true, CodeRemittanceLate},
		{"leap year: 31 January to 29 February", "2024-01-31", "2024-02-29", "2024-03-15", "2024-02-29", false, CodeRemittanceOnTime},
		{"leap year: remitted 1 March", "2024-01-31", "2024-03-01", "2024-03-15", "2024-02-29", true, CodeRemittanceLate},
		// a remittance dated after as_of has not happened yet on as_of
		{"remittance after as_of is not counted", "2026-03-10", "2026-04-20", "2026-04-15", "2026-04-10", true, CodeRemittanceLate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2023-12-01", c.asOf)
			in.Claim.StartsOn = d(c.collected).AddDays(-60)
			ev := Event{Kind: "partial_payment", On: d(c.collected), Amount: eur("120"), ReceivedByCollector: true, ReceiptIssued: true}
			if c.remitted != "" {
				ev.RemittedOn = d(c.remitted)
			}
			in.Claim.Events = []Event{ev}
			if got := RemittanceDeadline(d(c.collected)); got != d(c.remitBy) {
				t.Errorf("deadline %s, want %s", got, c.remitBy)
			}
			out := Evaluate(in, p)
			if len(out.Remittances) != 1 {
				t.Fatalf("remittances %+v", out.Remittances)
			}
			r := out.Remittances[0]
			if r.RemitBy != d(c.remitBy) || r.Late != c.late || r.Amount != eur("120") || r.Rule != "CPCE R124-6" {
				t.Errorf("remittance %+v, want remit by %s late %v", r, c.remitBy, c.late)
			}
			f, ok := finding(out, c.code)
			if !ok || !strings.Contains(f.Rule, "R124-6") {
				t.Errorf("finding %s missing in %v", c.code, findingCodes(out))
			}
			held := r.RemittedOn.IsZero()
			wantDeadline := Deadline{Kind: DeadlineRemittance, On: d(c.remitBy), Rule: "CPCE R124-6"}
			if slices.Contains(out.Situation.Deadlines, wantDeadline) != held {
				t.Errorf("deadlines %v, held %v", out.Situation.Deadlines, held)
			}
			if slices.Contains(out.Situation.NextSteps, StepRemitFunds) != held {
				t.Errorf("steps %v, held %v", out.Situation.NextSteps, held)
			}
			if probs := Check(in); len(probs) != 0 && c.remitted <= c.asOf {
				t.Errorf("valid file refused: %v", probs)
			}
		})
	}
}

func TestRemittance_ReceiptForEveryPayment(t *testing.T) {
	in := file("consumer", "2026-01-10", "2026-03-20")
	in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2026-03-02"), Amount: eur("50"), ReceivedByCollector: true}}
	out := Evaluate(in, params(t))
	if f, ok := finding(out, CodeReceiptMissing); !ok || f.Rule != "CPCE R124-6" {
		t.Errorf("missing receipt not reported: %v", findingCodes(out))
	}
	if !slices.Contains(out.Situation.NextSteps, StepIssueReceipt) || out.Remittances[0].ReceiptIssued {
		t.Errorf("steps %v remittance %+v", out.Situation.NextSteps, out.Remittances[0])
	}
	in.Claim.Events[0].ReceiptIssued = true
	out = Evaluate(in, params(t))
	if hasFinding(out, CodeReceiptMissing) || slices.Contains(out.Situation.NextSteps, StepIssueReceipt) {
		t.Errorf("receipt given, still asked: %v", out.Situation.NextSteps)
	}
}

func TestRemittance_OnlyForPaymentsTheCollectorReceived(t *testing.T) {
	in := file("consumer", "2026-01-10", "2026-03-20")
	in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2026-02-02"), Amount: eur("50")}}
	out := Evaluate(in, params(t))
	if out.Remittances != nil || hasFinding(out, CodeRemittanceDue) || hasFinding(out, CodeReceiptMissing) {
		t.Errorf("a payment made to the creditor has no remittance: %+v %v", out.Remittances, findingCodes(out))
	}
}

func TestCheck_RemittanceFields(t *testing.T) {
	cases := []struct {
		name  string
		ev    Event
		field string
	}{
		{"remitted before collected", Event{Kind: "partial_payment", On: d("2025-05-01"), Amount: eur("10"), ReceivedByCollector: true, RemittedOn: d("2025-04-30")}, "claim.events[0].remitted_on"},
		{"remitted after as_of", Event{Kind: "partial_payment", On: d("2025-05-01"), Amount: eur("10"), ReceivedByCollector: true, RemittedOn: d("2025-06-02")}, "claim.events[0].remitted_on"},
		{"remitted without being collected", Event{Kind: "partial_payment", On: d("2025-05-01"), Amount: eur("10"), RemittedOn: d("2025-05-02")}, "claim.events[0].remitted_on"},
		{"a reminder is not collected", Event{Kind: "reminder", On: d("2025-05-01"), ReceivedByCollector: true}, "claim.events[0].received_by_collector"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-06-01")
			in.Claim.Events = []Event{c.ev}
			probs := Check(in)
			if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Field == c.field }) {
				t.Errorf("problems %v, want one on %s", probs, c.field)
			}
		})
	}
}

func TestRender_ShowsTheFundsToRemit(t *testing.T) {
	in := file("consumer", "2026-01-10", "2026-03-20")
	in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2026-01-31"), Amount: eur("1250"), ReceivedByCollector: true}}
	text := Render(Evaluate(in, params(t)))
	flat := strings.Join(strings.Fields(text), " ") // long lines wrap
	for _, want := range []string{"Fonds encaissés (CPCE R124-6)", "1 250,00 €", "28 février 2026", "en retard", "quittance à remettre", "reverser les fonds encaissés au créancier"} {
		if !strings.Contains(flat, want) {
			t.Errorf("rendering lacks %q:\n%s", want, text)
		}
	}
}
