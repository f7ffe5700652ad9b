package rules_test

import (
	"os"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

// FuzzEvaluate sends any bytes to POST /api/v1/rules/evaluate: a debt file
// the engine cannot read is a 400 or a 422, never a 500. Corpus in
// testdata/fuzz/FuzzEvaluate; CI runs it 30 s (.ci/run).
func FuzzEvaluate(f *testing.F) {
	full, err := os.ReadFile("../law/testdata/full.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"today":"2026-11-22","claims":[{"principal":"1e400","due_on":"0001-01-01"}]}`))
	env := apptest.New(f)
	_, tok := env.User(f, auth.RoleTrainer)
	apptest.FuzzRoute(f, env, "POST", "/api/v1/rules/evaluate", tok, "application/json")
}
