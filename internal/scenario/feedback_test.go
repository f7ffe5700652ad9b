package scenario_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/scenario"
)

// The call's feedback goes exchange by exchange: the line, the reply and
// its points, and where a better reply existed, that reply, why and the rule.
func TestCallFeedback_StepByStepWithTheExpectedReplyAndTheRule(t *testing.T) {
	sc, ok := shipped(t).Scenario("agent4-appel-contestation")
	if !ok {
		t.Fatal("the demo call is not served")
	}
	c := scenario.Draw(sc, 3)
	steps := func(path ...string) []scenario.CallStep {
		raw, _ := json.Marshal(path)
		for _, it := range scenario.Grade(sc, c, parameters(t), map[string]json.RawMessage{"call": raw}).Items {
			if it.Task == "call" {
				return it.Steps
			}
		}
		t.Fatal("no call item")
		return nil
	}
	// The best path (r1 accueil, r3 ecoute, r5 reformule, r8 mediation): every step good.
	best := steps("r1", "r3", "r5", "r8")
	if len(best) != 4 {
		t.Fatalf("%d steps for four replies", len(best))
	}
	for i, s := range best {
		if !s.Good || s.Expected != "" || s.Line == "" || s.Said == "" || s.Speaker == "" {
			t.Errorf("best path, step %d: %+v", i+1, s)
		}
	}
	// A curt first reply ends the call badly: the expected reply is named.
	curt := steps("r2")
	if len(curt) != 1 || curt[0].Good || curt[0].Expected == "" || curt[0].Rule == "" || curt[0].Expected == curt[0].Said {
		t.Fatalf("a curt reply: %+v", curt)
	}
	// A threat: the violation by its French name and its rule.
	threat := steps("r1", "r3", "r6")
	if s := threat[2]; len(s.Flags) != 1 || s.Flags[0] != "menace" || !strings.Contains(s.Rule, "L121-6") || s.Good {
		t.Fatalf("a threat: %+v", s)
	}
	// A call left after one reply: the line left without an answer and the reply expected there.
	open := steps("r1")
	if len(open) != 2 || open[1].Said != "" || open[1].Expected == "" || open[1].Line == "" {
		t.Fatalf("an unfinished call: %+v", open)
	}
}

// Before submission a free-text task tells its points, not its criteria
// (they would give the answer away); with the result, the criteria come.
func TestPublic_FreeTextCriteriaOnlyWithTheResult(t *testing.T) {
	seen := 0
	for _, s := range shipped(t).Scenarios {
		for _, tk := range s.Tasks {
			if tk.Type != scenario.FreeText {
				continue
			}
			seen++
			v := scenario.Public(s, scenario.Base(s))
			js, _ := json.Marshal(v)
			for _, cr := range tk.Rubric {
				if strings.Contains(string(js), cr.Label) {
					t.Errorf("%s: the criterion %q is shown before submission", s.ID, cr.Label)
				}
			}
			var max float64
			for _, pt := range v.Tasks {
				if pt.ID == tk.ID {
					max = pt.MaxPoints
				}
			}
			if max <= 0 {
				t.Errorf("%s %s: no points announced", s.ID, tk.ID)
			}
			scenario.RevealRubrics(s, scenario.Base(s), v.Tasks)
			for _, pt := range v.Tasks {
				if pt.ID == tk.ID && len(pt.Rubric) != len(tk.Rubric) {
					t.Errorf("%s %s: %d criteria revealed, want %d", s.ID, tk.ID, len(pt.Rubric), len(tk.Rubric))
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no free-text task shipped: the test proves nothing")
	}
}
