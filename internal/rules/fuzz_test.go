package rules_test

import (
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

// FuzzEvaluateEndpoint posts arbitrary bodies through the whole HTTP stack
// (binding, validation, the engine, encoding): whatever arrives, the answer
// is 200, 400, 413 or 422, never a 500. The seeds run with `go test`; search
// further with `go test -fuzz FuzzEvaluateEndpoint ./internal/rules/`.
func FuzzEvaluateEndpoint(f *testing.F) {
	env := apptest.New(f)
	_, tok := env.User(f, auth.RoleTrainer)
	for _, seed := range []string{
		fullFile, `{}`, `null`, `[]`, `"x"`, `{"as_of":"2026-02-29"}`,
		`{"as_of":"2026-03-02","claim":{"kind":"consumer","principal":1e400,"starts_on":"2025-01-01"}}`,
		`{"as_of":"2026-03-02","claim":{"kind":"commercial","principal":"12.345","starts_on":"0001-01-01","late_penalty":{"rate_percent":-5}}}`,
		`{"as_of":"2026-03-02","claim":{"kind":"consumer","principal":10,"starts_on":"2025-01-01","events":[{"kind":"court_claim"}]}}`,
		`{"as_of":"9999-12-31","household":{"monthly_net_income":99999999999999,"dependants":-1},"claim":{"kind":"civil","principal":0.01,"starts_on":"9999-12-31"}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		res := env.Do(t, "POST", "/api/v1/rules/evaluate", tok, body)
		switch res.Status {
		case 200, 400, 413, 422:
		default:
			t.Fatalf("status %d for %q: %s", res.Status, body, res.Body)
		}
	})
}
