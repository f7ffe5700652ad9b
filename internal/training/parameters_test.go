package training_test

import (
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/internal/training"
)

// nextHalfYearScenario is the gym-subscription file moved into the first
// half of 2027, a half-year the seeded tables do not cover yet: its legal
// interest runs from a formal notice of 15 January to 10 March 2027.
func nextHalfYearScenario(t testing.TB) fs.FS {
	t.Helper()
	raw, err := fs.ReadFile(assessments.FS, "scenarios/clerc1-frais-salle-de-sport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := strings.NewReplacer(
		"id: clerc1-frais-salle-de-sport", "id: clerc1-frais-2027",
		"as_of: 2026-03-10", "as_of: 2027-03-10",
		"starts_on: 2025-09-05", "starts_on: 2026-12-05",
		"on: 2025-10-06", "on: 2027-01-05",
		"on: 2025-12-15", "on: 2027-01-15",
	).Replace(string(raw))
	if !strings.Contains(y, "as_of: 2027-03-10") || !strings.Contains(y, "on: 2027-01-15") {
		t.Fatal("the scenario's dates moved: update this test's replacements")
	}
	return fstest.MapFS{"scenarios/clerc1-frais-2027.yaml": {Data: []byte(y)}}
}

func listed(t *testing.T, env *apptest.Env, token, id string) bool {
	t.Helper()
	res := env.Do(t, "GET", "/api/v1/scenarios", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("scenarios: %d %s", res.Status, res.Body)
	}
	var list []training.ScenarioEntry
	res.JSON(t, &list)
	return slices.ContainsFunc(list, func(e training.ScenarioEntry) bool { return e.ID == id })
}

func TestCatalogue_ScenarioOutsideTheTablesIsServedOnceTheAdministratorAddsTheRate(t *testing.T) {
	env := apptest.New(t, apptest.WithAssessments(nextHalfYearScenario(t)))
	_, admin := env.User(t, auth.RoleAdmin)
	tr := newTrainee(t, env)
	const id = "clerc1-frais-2027"

	// Its keys cannot be computed yet: held back, and the reason is known.
	if listed(t, env, tr.token, id) {
		t.Fatal("a scenario whose dates lie outside the tables is served")
	}
	if res := env.Do(t, "POST", "/api/v1/scenarios/"+id+"/attempts", tr.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("attempt on a held-back scenario: %d", res.Status)
	}
	if !slices.ContainsFunc(env.App.Training.Problems(), func(e error) bool { return strings.Contains(e.Error(), "outside the parameter tables") }) {
		t.Fatalf("problems: %v", env.App.Training.Problems())
	}

	res := env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", admin,
		`{"from":"2027-01-01","values":{"consumer_creditor":7.45,"other":3.5},"source":"Arrêté du 21 décembre 2026"}`)
	if res.Status != http.StatusCreated {
		t.Fatalf("add the rate: %d %s", res.Status, res.Body)
	}

	// Served at once, without a restart, and graded with the new rate.
	if !listed(t, env, tr.token, id) {
		t.Fatalf("the scenario is still held back: %v", env.App.Training.Problems())
	}
	if res := env.Do(t, "POST", "/api/v1/scenarios/"+id+"/attempts", tr.token, nil); res.Status != http.StatusCreated {
		t.Fatalf("attempt: %d %s", res.Status, res.Body)
	}
	var sc scenario.Scenario
	for _, s := range env.App.Training.Catalogue().Scenarios {
		if s.ID == id {
			sc = s
		}
	}
	c := scenario.Base(sc)
	out := law.Evaluate(c.Input, env.App.Training.Parameters())
	for _, f := range out.Findings {
		if f.Code == law.CodeParameterMissing {
			t.Fatalf("still missing: %s", f.Message)
		}
	}
	// The creditor is a professional: the "other" column, 3.5 %, over the
	// 54 days from 15 January to 10 March 2027, on the principal.
	principal := float64(c.Input.Claim.Principal) / 100
	want := int64(math.Round(principal * 3.5 / 100 * 54 / 365 * 100))
	var got int64 = -1
	for _, it := range out.Claimable.Allowed {
		if it.Kind == "interest" {
			got = int64(it.Amount)
		}
	}
	if got != want {
		t.Fatalf("legal interest %d cents, want %d (%s)", got, want, fmt.Sprint(out.Claimable.Allowed))
	}
}
