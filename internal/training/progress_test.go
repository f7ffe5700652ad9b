package training_test

import (
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/scenario/scenariotest"
	"github.com/ancr/cqp/internal/training"
)

// Progress names the rules a trainee's marked answers got wrong, most often
// first, with the module that teaches them; a later pass keeps the count.
func TestProgress_ListsTheRulesMissedMostOftenWithTheirModule(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	const id = "clerc1-recevabilite-facture-artisan"
	sc := mustScenario(t, env, id)
	for range 2 {
		v := start(t, env, tr.token, id, nil)
		save(t, env, tr.token, v.ID, scenariotest.WrongSheet(sc, perfectSheet(t, env, sc, v.ID))).Expect(t, http.StatusOK)
		if _, res := submit(t, env, tr.token, v.ID); res.Status != http.StatusOK {
			t.Fatalf("submit: %d %s", res.Status, res.Body)
		}
	}
	v := start(t, env, tr.token, id, nil)
	save(t, env, tr.token, v.ID, withText(sc, perfectSheet(t, env, sc, v.ID))).Expect(t, http.StatusOK)
	submit(t, env, tr.token, v.ID)

	var p training.Progress
	env.Do(t, http.MethodGet, "/api/v1/candidates/"+tr.candidateID()+"/progress", tr.token, nil).Expect(t, http.StatusOK).JSON(t, &p)
	var comp *training.ComponentProgress
	for i := range p.Components {
		if p.Components[i].Component == sc.Component() {
			comp = &p.Components[i]
		}
	}
	if comp == nil || len(comp.Missed) == 0 {
		t.Fatalf("no missed rules: %+v", comp)
	}
	if len(comp.Missed) > training.MaxMissed {
		t.Errorf("%d missed rules listed", len(comp.Missed))
	}
	for i, m := range comp.Missed {
		if m.Rule == "" || m.Count < 1 || m.Module == "" {
			t.Errorf("missed rule %d: %+v", i, m)
		}
		if i > 0 && comp.Missed[i-1].Count < m.Count {
			t.Errorf("not most often first: %+v", comp.Missed)
		}
	}
	if comp.Missed[0].Count < 2 {
		t.Errorf("two wrong copies, the top rule counted %d times", comp.Missed[0].Count)
	}
	for _, s := range comp.Scenarios {
		if s.Scenario == id && (s.Attempts != 3 || !s.Passed || s.Best == nil || *s.Best != 100 || len(s.Missed) == 0) {
			t.Errorf("scenario progress: %+v", s)
		}
	}
}
