package law

import (
	"slices"
	"testing"
)

func TestCheck_ValidFileHasNoProblem(t *testing.T) {
	in := file("consumer", "2025-01-10", "2025-06-01")
	in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2025-06-01"), Amount: eur("10")}}
	in.Claim.LatePenalty = &LatePenalty{RatePercent: Percent(100), PaidOn: d("2025-01-10")}
	in.Debtor = &Debtor{DeceasedOn: d("2025-06-01"), CollectiveProceeding: &CollectiveProceeding{Kind: "none"}}
	in.Household = &Household{MonthlyNetIncome: MaxAmount, Dependants: 20}
	if probs := Check(in); len(probs) != 0 {
		t.Fatalf("problems on a valid file: %v", probs)
	}
}

func TestCheck_Problems(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"no as_of", func(in *Input) { in.AsOf = noDate }, "as_of"},
		{"as_of before 1900", func(in *Input) { in.AsOf = d("1899-12-31") }, "as_of"},
		{"no claim", func(in *Input) { in.Claim = nil }, "claim"},
		{"unknown claim kind", func(in *Input) { in.Claim.Kind = "alimony" }, "claim.kind"},
		{"zero principal", func(in *Input) { in.Claim.Principal = 0 }, "claim.principal"},
		{"negative principal", func(in *Input) { in.Claim.Principal = -1 }, "claim.principal"},
		{"principal one cent over 100 000 000 €", func(in *Input) { in.Claim.Principal = MaxAmount + 1 }, "claim.principal"},
		{"no starts_on", func(in *Input) { in.Claim.StartsOn = noDate }, "claim.starts_on"},
		{"starts_on the day after as_of", func(in *Input) { in.Claim.StartsOn = d("2025-06-02") }, "claim.starts_on"},
		{"starts_on before 1900", func(in *Input) { in.Claim.StartsOn = d("1899-12-31") }, "claim.starts_on"},
		{"event the day after as_of", func(in *Input) {
			in.Claim.Events = []Event{{Kind: "reminder", On: d("2025-05-01")}, {Kind: "acknowledgment", On: d("2025-06-02")}}
		}, "claim.events[1].on"},
		{"event without date", func(in *Input) { in.Claim.Events = []Event{{Kind: "reminder"}} }, "claim.events[0].on"},
		{"unknown event kind", func(in *Input) { in.Claim.Events = []Event{{Kind: "phone_call", On: d("2025-05-01")}} }, "claim.events[0].kind"},
		{"negative payment", func(in *Input) {
			in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2025-05-01"), Amount: -1}}
		}, "claim.events[0].amount"},
		{"payment without amount", func(in *Input) {
			in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2025-05-01")}}
		}, "claim.events[0].amount"},
		{"payments adding up to an absurd sum", func(in *Input) {
			in.Claim.Events = []Event{{Kind: "partial_payment", On: d("2025-05-01"), Amount: MaxAmount}, {Kind: "partial_payment", On: d("2025-05-02"), Amount: 1}}
		}, "claim.events"},
		{"negative requested item", func(in *Input) {
			in.Claim.RequestedItems = []RequestedItem{{Kind: "other", Amount: -1}}
		}, "claim.requested_items[0].amount"},
		{"absurd requested item", func(in *Input) {
			in.Claim.RequestedItems = []RequestedItem{{Kind: "other", Amount: MaxAmount + 1}}
		}, "claim.requested_items[0].amount"},
		{"unknown requested kind", func(in *Input) {
			in.Claim.RequestedItems = []RequestedItem{{Kind: "tip", Amount: 1}}
		}, "claim.requested_items[0].kind"},
		{"rate one unit over 100 %", func(in *Input) { in.Claim.LatePenalty = &LatePenalty{RatePercent: Percent(100) + 1} }, "claim.late_penalty.rate_percent"},
		{"negative rate", func(in *Input) { in.Claim.LatePenalty = &LatePenalty{RatePercent: -1} }, "claim.late_penalty.rate_percent"},
		{"paid_on after as_of", func(in *Input) { in.Claim.LatePenalty = &LatePenalty{PaidOn: d("2025-06-02")} }, "claim.late_penalty.paid_on"},
		{"paid_on before the due date", func(in *Input) { in.Claim.LatePenalty = &LatePenalty{PaidOn: d("2025-01-09")} }, "claim.late_penalty.paid_on"},
		{"unknown creditor kind", func(in *Input) { in.Creditor = &Creditor{Kind: "state"} }, "creditor.kind"},
		{"unknown debtor kind", func(in *Input) { in.Debtor = &Debtor{Kind: "state"} }, "debtor.kind"},
		{"unknown over-indebtedness stage", func(in *Input) { in.Debtor = &Debtor{OverIndebtedness: "maybe"} }, "debtor.over_indebtedness"},
		{"unknown protection", func(in *Input) { in.Debtor = &Debtor{Protection: "sauvegarde_de_justice"} }, "debtor.protection"},
		{"proceeding without published_on", func(in *Input) {
			in.Debtor = &Debtor{CollectiveProceeding: &CollectiveProceeding{Kind: "liquidation"}}
		}, "debtor.collective_proceeding.published_on"},
		{"published_on after as_of", func(in *Input) {
			in.Debtor = &Debtor{CollectiveProceeding: &CollectiveProceeding{Kind: "redressement", PublishedOn: d("2025-06-02")}}
		}, "debtor.collective_proceeding.published_on"},
		{"judgment after its publication", func(in *Input) {
			in.Debtor = &Debtor{CollectiveProceeding: &CollectiveProceeding{Kind: "redressement", OpenedOn: d("2025-05-02"), PublishedOn: d("2025-05-01")}}
		}, "debtor.collective_proceeding.opened_on"},
		{"opened_on after as_of", func(in *Input) {
			in.Debtor = &Debtor{CollectiveProceeding: &CollectiveProceeding{Kind: "redressement", OpenedOn: d("2025-06-02"), PublishedOn: d("2025-06-01")}}
		}, "debtor.collective_proceeding.opened_on"},
		{"unknown proceeding", func(in *Input) {
			in.Debtor = &Debtor{CollectiveProceeding: &CollectiveProceeding{Kind: "conciliation"}}
		}, "debtor.collective_proceeding.kind"},
		{"deceased after as_of", func(in *Input) { in.Debtor = &Debtor{DeceasedOn: d("2025-06-02")} }, "debtor.deceased_on"},
		{"deceased before 1900", func(in *Input) { in.Debtor = &Debtor{DeceasedOn: d("1800-01-01")} }, "debtor.deceased_on"},
		{"negative income", func(in *Input) { in.Household = &Household{MonthlyNetIncome: -1} }, "household.monthly_net_income"},
		{"absurd charges", func(in *Input) { in.Household = &Household{MonthlyCharges: MaxAmount + 1} }, "household.monthly_charges"},
		{"negative instalment", func(in *Input) { in.Household = &Household{ProposedInstalment: -1} }, "household.proposed_instalment"},
		{"21 dependants", func(in *Input) { in.Household = &Household{Dependants: 21} }, "household.dependants"},
		{"negative dependants", func(in *Input) { in.Household = &Household{Dependants: -1} }, "household.dependants"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-06-01")
			c.edit(&in)
			probs := Check(in)
			fields := make([]string, len(probs))
			for i, pr := range probs {
				fields[i] = pr.Field
				if pr.FR == "" || pr.EN == "" {
					t.Errorf("problem %q lacks a message", pr.Field)
				}
			}
			if !slices.Contains(fields, c.field) {
				t.Fatalf("problems on %v, want one on %s", fields, c.field)
			}
		})
	}
}

func TestCheck_TooManyEventsOrItems(t *testing.T) {
	in := file("consumer", "2025-01-10", "2025-06-01")
	in.Claim.Events = make([]Event, MaxEvents+1)
	for i := range in.Claim.Events {
		in.Claim.Events[i] = Event{Kind: "reminder", On: d("2025-02-01")}
	}
	in.Claim.RequestedItems = make([]RequestedItem, MaxRequestedItems+1)
	for i := range in.Claim.RequestedItems {
		in.Claim.RequestedItems[i] = RequestedItem{Kind: "other", Amount: 1}
	}
	var fields []string
	for _, p := range Check(in) {
		fields = append(fields, p.Field)
	}
	if !slices.Contains(fields, "claim.events") || !slices.Contains(fields, "claim.requested_items") {
		t.Fatalf("problems on %v", fields)
	}
}
