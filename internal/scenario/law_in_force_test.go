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
