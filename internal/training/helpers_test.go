package training_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/internal/training"
)

var system = auth.User{ID: "test", Role: auth.RoleAdmin}

// trainee is a candidate account with its token.
type trainee struct {
	user  auth.User
	token string
}

func (tr trainee) candidateID() string { return *tr.user.CandidateID }

func newTrainee(t testing.TB, env *apptest.Env) trainee {
	t.Helper()
	u, tok := env.User(t, auth.RoleCandidate)
	return trainee{u, tok}
}

// cohortTrainer is a trainer following the given trainees through a cohort.
func cohortTrainer(t *testing.T, env *apptest.Env, members ...trainee) (auth.User, string) {
	t.Helper()
	u, tok := env.User(t, auth.RoleTrainer)
	ctx := context.Background()
	co, err := env.App.Candidates.CreateCohort(ctx, system, candidates.NewCohort{Name: "Promotion test", TrainingOrganisation: "Organisme Exemple",
		StartsOn: civil.New(2026, 9, 1), EndsOn: civil.New(2027, 6, 30), TrainerIDs: []string{u.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if err := env.App.Candidates.AddMember(ctx, system, co.ID, m.candidateID()); err != nil {
			t.Fatal(err)
		}
	}
	return u, tok
}

func catalogue(env *apptest.Env) scenario.Catalogue { return env.App.Training.Catalogue() }

func mustScenario(t *testing.T, env *apptest.Env, id string) scenario.Scenario {
	t.Helper()
	sc, ok := catalogue(env).Scenario(id)
	if !ok {
		t.Fatalf("scenario %s is not served", id)
	}
	return sc
}

func start(t *testing.T, env *apptest.Env, token, scenarioID string, body any) training.AttemptView {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+scenarioID+"/attempts", token, body)
	if res.Status != http.StatusCreated {
		t.Fatalf("start %s: %d %s", scenarioID, res.Status, res.Body)
	}
	var v training.AttemptView
	res.JSON(t, &v)
	return v
}

// seedOf reads the seed the server drew, as a trainer would see it.
func seedOf(t *testing.T, env *apptest.Env, attemptID string) int64 {
	t.Helper()
	var a training.Attempt
	if err := env.App.DB.Where("id = ?", attemptID).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	return a.Seed
}

func scenarioSheet(sc scenario.Scenario, seed int64, p law.Parameters) map[string]json.RawMessage {
	return scenario.AnswerSheet(sc, scenario.Draw(sc, seed), p)
}

// perfectSheet is the corrigé of the attempt's drawn case, computed by the
// engine, under the names the attempt shows its trainee (a call's replies).
func perfectSheet(t *testing.T, env *apptest.Env, sc scenario.Scenario, attemptID string) map[string]json.RawMessage {
	t.Helper()
	return scenario.AliasAnswers(sc, attemptID, scenario.AnswerSheet(sc, scenario.Draw(sc, seedOf(t, env, attemptID)), env.App.Training.Parameters()))
}

func save(t *testing.T, env *apptest.Env, token, attemptID string, answers map[string]json.RawMessage) *apptest.Response {
	t.Helper()
	return env.Do(t, http.MethodPut, "/api/v1/attempts/"+attemptID+"/answers", token, map[string]any{"answers": answers})
}

func submit(t *testing.T, env *apptest.Env, token, attemptID string) (training.Outcome, *apptest.Response) {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/api/v1/attempts/"+attemptID+"/submit", token, nil)
	var out training.Outcome
	if res.Status == http.StatusOK {
		res.JSON(t, &out)
	}
	return out, res
}

func getAttempt(t *testing.T, env *apptest.Env, token, attemptID string) (training.AttemptView, *apptest.Response) {
	t.Helper()
	res := env.Do(t, http.MethodGet, "/api/v1/attempts/"+attemptID, token, nil)
	var v training.AttemptView
	if res.Status == http.StatusOK {
		res.JSON(t, &v)
	}
	return v, res
}

func hasFreeText(sc scenario.Scenario) bool {
	return slices.ContainsFunc(sc.Tasks, func(t scenario.Task) bool { return t.Type == scenario.FreeText })
}

// withText answers every free-text task, as a trainee would.
func withText(sc scenario.Scenario, sheet map[string]json.RawMessage) map[string]json.RawMessage {
	for _, tk := range sc.Tasks {
		if tk.Type == scenario.FreeText {
			sheet[tk.ID] = json.RawMessage(`"Madame, le cabinet réclamera le principal restant dû, et non les frais de recouvrement, qui restent à la charge du créancier (CPCE L111-8)."`)
		}
	}
	return sheet
}
