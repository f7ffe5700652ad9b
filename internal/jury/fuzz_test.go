package jury_test

import (
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

// FuzzCreate sends any bytes to POST /api/v1/juries.
func FuzzCreate(f *testing.F) {
	f.Add([]byte(`{"certification":"agent-recouvrement","session_date":"2026-12-15","location":"Paris","members":[]}`))
	f.Add([]byte(`{"certification":"clerc-recouvrement-amiable","session_date":"0001-01-01","start_time":"25:61","members":[{"user_id":"\u0000"}]}`))
	env := apptest.New(f)
	_, tok := env.User(f, auth.RoleAdmin)
	apptest.FuzzRoute(f, env, "POST", "/api/v1/juries", tok, "application/json")
}
