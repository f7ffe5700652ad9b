package vae_test

import (
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

// FuzzRequest sends any bytes to POST /api/v1/vae/dossiers (a candidate
// opening a VAE request).
func FuzzRequest(f *testing.F) {
	f.Add([]byte(`{"certification":"agent-recouvrement","motivation":"Huit ans de recouvrement.","activity_months":96}`))
	f.Add([]byte(`{"certification":"agent-recouvrement","activity_months":-1e99,"motivation":"\u202e"}`))
	env := apptest.New(f)
	_, tok := env.User(f, auth.RoleCandidate)
	apptest.FuzzRoute(f, env, "POST", "/api/v1/vae/dossiers", tok, "application/json")
}
