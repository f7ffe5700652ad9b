package scenario_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/scenario"
)

// Tests that play the scenarios of "the law in force": each asserts what the
// engine computes for the drawn cases, so a scenario whose variants no longer
// reach the law it teaches fails here.

func shippedScenario(t *testing.T, id string) scenario.Scenario {
	t.Helper()
	s, ok := shipped(t).Scenario(id)
	if !ok {
		t.Fatalf("scenario %s is not served", id)
	}
	return s
}

func keyOf(t *testing.T, s scenario.Scenario, c scenario.Case, p law.Parameters, task string) json.RawMessage {
	t.Helper()
	v, ok := scenario.AnswerSheet(s, c, p)[task]
	if !ok {
		t.Fatalf("%s: no key for task %s", s.ID, task)
	}
	return v
}

func asString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("key %s is not one option: %v", raw, err)
	}
	return s
}

func asList(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatalf("key %s is not a list: %v", raw, err)
	}
	return l
}

// The barred variant of the court-threat letter must be drawn: a payment
// before 3 March 2024 leaves the claim barred on 3 March 2026 (a threat of an
// impossible action, C. conso. L121-6); a later one keeps it alive, and the
// threat on a claim of at most 5 000 € with no conciliation attempt breaks
// CPC 750-1.
func TestAgent3CourtThreat_BothTheBarredAndTheLiveVariantAreDrawn(t *testing.T) {
	p := parameters(t)
	s := shippedScenario(t, "agent3-relance-menace-tribunal")
	drawn := map[bool]int{}
	for sd := int64(1); sd <= 60; sd++ {
		c := scenario.Draw(s, sd)
		out := law.Evaluate(c.Input, p)
		barred := out.Limitation.Barred
		drawn[barred]++
		faults := asList(t, keyOf(t, s, c, p, "faults"))
		decision := asString(t, keyOf(t, s, c, p, "decision"))
		if barred {
			if !slices.Contains(faults, law.ViolationImpossibleThreat) || slices.Contains(faults, law.ViolationConciliationFirst) || decision != "arreter" {
				t.Errorf("seed %d barred: faults %v decision %s", sd, faults, decision)
			}
		} else {
			if !slices.Contains(faults, law.ViolationConciliationFirst) || slices.Contains(faults, law.ViolationImpossibleThreat) || decision != "conciliation" {
				t.Errorf("seed %d live: faults %v decision %s", sd, faults, decision)
			}
		}
		res := scenario.Grade(s, c, p, map[string]json.RawMessage{"faults": json.RawMessage(`[]`)})
		for _, it := range res.Items {
			if strings.Contains(it.Feedback, "{{") {
				t.Errorf("seed %d task %s: unfilled placeholder in %q", sd, it.Task, it.Feedback)
			}
		}
	}
	if drawn[true] == 0 || drawn[false] == 0 {
		t.Fatalf("60 draws: %d barred, %d live: both variants must be reachable", drawn[true], drawn[false])
	}
}

// A direct summons is never a right answer to what follows an amicable
// failure: up to 5 000 € the conciliation comes first (CPC 750-1).
func TestAgent3CourtThreat_DirectSummonsIsNeverAnExpectedStep(t *testing.T) {
	p := parameters(t)
	s := shippedScenario(t, "agent3-relance-menace-tribunal")
	for sd := int64(1); sd <= 20; sd++ {
		c := scenario.Draw(s, sd)
		steps := asList(t, keyOf(t, s, c, p, "suites"))
		if slices.Contains(steps, "assignation") {
			t.Errorf("seed %d: direct summons expected: %v", sd, steps)
		}
		live := !law.Evaluate(c.Input, p).Limitation.Barred
		if live != slices.Contains(steps, "conciliation") {
			t.Errorf("seed %d: live=%v steps %v", sd, live, steps)
		}
	}
}

// For works, the consumer period (C. conso. L218-2) runs from their
// completion, not from the invoice (Cass. 1re civ., 19 mai 2021,
// n° 20-12.520). The drawn payments straddle the last day counted from the
// completion: the keys must follow it, never the invoice date.
func TestClerc1Artisan_PeriodRunsFromTheCompletionOfTheWorks(t *testing.T) {
	p := parameters(t)
	s := shippedScenario(t, "clerc1-recevabilite-facture-artisan")
	drawn := map[bool]int{}
	for sd := int64(1); sd <= 60; sd++ {
		c := scenario.Draw(s, sd)
		completion := c.Input.Claim.StartsOn
		invoice := completion.AddDays(49) // the invoice's date in the documents
		payment := c.Input.Claim.Events[1].On
		out := law.Evaluate(c.Input, p)
		barred := out.Limitation.Barred
		drawn[barred]++
		if barred {
			if out.Limitation.LastDay != completion.AddYears(2) || !payment.After(completion.AddYears(2)) || payment.After(invoice.AddYears(2)) {
				t.Errorf("seed %d: barred with last day %s, completion %s, payment %s", sd, out.Limitation.LastDay, completion, payment)
			}
		} else if out.Limitation.LastDay != payment.AddYears(2) {
			t.Errorf("seed %d: last day %s, want two years after the payment %s", sd, out.Limitation.LastDay, payment)
		}
		if got := asString(t, keyOf(t, s, c, p, "start")); got != "fin" {
			t.Errorf("seed %d: start key %q, want the completion of the works", sd, got)
		}
		wantDecision := map[bool]string{true: "refuser", false: "accepter"}[barred]
		if got := asString(t, keyOf(t, s, c, p, "decision")); got != wantDecision {
			t.Errorf("seed %d: decision %q, want %q", sd, got, wantDecision)
		}
	}
	if drawn[true] == 0 || drawn[false] == 0 {
		t.Fatalf("60 draws: %d barred, %d live: the payment must straddle the last day", drawn[true], drawn[false])
	}
}

// Interest at the legal rate from the formal notice (C. civ. 1231-6) is owed
// by a consumer too: it is claimed, never refused, and the total includes it.
func TestClerc1Gym_LegalInterestAfterTheFormalNoticeIsClaimed(t *testing.T) {
	p := parameters(t)
	s := shippedScenario(t, "clerc1-frais-salle-de-sport")
	for _, c := range cases(s) {
		out := law.Evaluate(c.Input, p)
		var interest *law.Item
		for i, it := range out.Claimable.Allowed {
			if it.Kind == "interest" {
				interest = &out.Claimable.Allowed[i]
			}
		}
		if interest == nil || interest.Amount <= 0 || !strings.Contains(interest.Rule, "1231-6") {
			t.Fatalf("seed %d: no legal interest allowed: %+v", c.Seed, out.Claimable)
		}
		if out.Claimable.Total != out.Claimable.Principal+interest.Amount {
			t.Errorf("seed %d: total %s, want principal %s + interest %s", c.Seed, out.Claimable.Total, out.Claimable.Principal, interest.Amount)
		}
		if refused := asList(t, keyOf(t, s, c, p, "refused")); slices.Contains(refused, "interets") {
			t.Errorf("seed %d: interest among the refused items %v", c.Seed, refused)
		}
		if got := asString(t, keyOf(t, s, c, p, "interest")); got != "oui" {
			t.Errorf("seed %d: interest key %q, want oui", c.Seed, got)
		}
		// The principal alone is no longer the right total.
		principalOnly, _ := json.Marshal(out.Claimable.Principal)
		res := scenario.Grade(s, c, p, map[string]json.RawMessage{"total": principalOnly})
		for _, it := range res.Items {
			if it.Task == "total" && it.Correct {
				t.Errorf("seed %d: the principal alone (%s) is graded correct", c.Seed, principalOnly)
			}
		}
	}
}

// The negotiation is graded by the engine's plan (C. trav. R3252-2, reste à
// vivre ≥ RSA): the variants must draw both a sustainable and an
// unsustainable proposal, and the right decision and counter-offer follow.
func TestAgent3Plan_DecisionAndCounterOfferFollowTheSeizureScale(t *testing.T) {
	p := parameters(t)
	s := shippedScenario(t, "agent3-echeancier-soutenable")
	drawn := map[bool]int{}
	for sd := int64(1); sd <= 60; sd++ {
		c := scenario.Draw(s, sd)
		pl := law.Evaluate(c.Input, p).Plan
		if pl == nil {
			t.Fatalf("seed %d: no plan", sd)
		}
		drawn[pl.Sustainable]++
		want := map[bool]string{true: "accepter", false: "revoir"}[pl.Sustainable]
		if got := asString(t, keyOf(t, s, c, p, "decision")); got != want {
			t.Errorf("seed %d: decision %q, want %q (max %s, proposed %s)", sd, got, want, pl.MaxInstalment, c.Input.Household.ProposedInstalment)
		}
		if pl.Sustainable != (c.Input.Household.ProposedInstalment <= pl.MaxInstalment) {
			t.Errorf("seed %d: sustainable %v but proposed %s, max %s", sd, pl.Sustainable, c.Input.Household.ProposedInstalment, pl.MaxInstalment)
		}
		// A counter-offer one cent above the maximum is refused, the maximum itself accepted.
		for _, tc := range []struct {
			offer int64
			ok    bool
		}{{int64(pl.MaxInstalment), true}, {int64(pl.MaxInstalment) + 1, false}} {
			ans, _ := json.Marshal(map[string]float64{"instalment": float64(tc.offer) / 100})
			res := scenario.Grade(s, c, p, map[string]json.RawMessage{"counter": ans})
			for _, it := range res.Items {
				if it.Task == "counter" && it.Correct != tc.ok {
					t.Errorf("seed %d: counter-offer %d cents graded %v, want %v", sd, tc.offer, it.Correct, tc.ok)
				}
			}
		}
	}
	if drawn[true] == 0 || drawn[false] == 0 {
		t.Fatalf("60 draws: %d sustainable, %d not: both must be reachable", drawn[true], drawn[false])
	}
}

// CPCE R124-6: each payment the collector receives is remitted within one
// month of its collection, and the debtor gets a receipt. The March
// remittance is drawn on both sides of its deadline.
func TestAgent3Remittance_DeadlinesAndReceiptsFollowR124_6(t *testing.T) {
	p := parameters(t)
	s := shippedScenario(t, "agent3-suivi-encaissements")
	late := map[bool]int{}
	for sd := int64(1); sd <= 60; sd++ {
		c := scenario.Draw(s, sd)
		ev := c.Input.Claim.Events
		out := law.Evaluate(c.Input, p)
		if len(out.Remittances) != 3 {
			t.Fatalf("seed %d: remittances %+v", sd, out.Remittances)
		}
		march := out.Remittances[1]
		late[march.Late]++
		if march.Late != ev[1].RemittedOn.After(ev[1].On.AddMonths(1)) {
			t.Errorf("seed %d: March collected %s remitted %s late=%v", sd, ev[1].On, ev[1].RemittedOn, march.Late)
		}
		wantLate := map[bool]string{true: "non", false: "oui"}[march.Late]
		if got := asString(t, keyOf(t, s, c, p, "march_late")); got != wantLate {
			t.Errorf("seed %d: march_late key %q, want %q", sd, got, wantLate)
		}
		var deadline string
		_ = json.Unmarshal(keyOf(t, s, c, p, "april_deadline"), &deadline)
		if deadline != ev[2].On.AddMonths(1).String() {
			t.Errorf("seed %d: April deadline %s, want a month after %s", sd, deadline, ev[2].On)
		}
		todo := asList(t, keyOf(t, s, c, p, "todo"))
		if !slices.Contains(todo, "reverser") || slices.Contains(todo, "quittance") == ev[2].ReceiptIssued || slices.Contains(todo, "garder") {
			t.Errorf("seed %d: todo %v (receipt issued %v)", sd, todo, ev[2].ReceiptIssued)
		}
	}
	if late[true] == 0 || late[false] == 0 {
		t.Fatalf("60 draws: %d late, %d on time: both must be reachable", late[true], late[false])
	}
}
