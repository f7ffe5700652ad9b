package apptest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/ancr/cqp/internal/app"
)

// Restart stops the product as a crash or a deployment would (nothing in
// memory is kept: the HTTP server and the App are dropped, no job is run)
// and starts it again on the same database, data folder and clock. The Env
// is updated in place, so visitors and tokens made before go on working:
// sessions live in the database.
func (e *Env) Restart(t testing.TB) {
	t.Helper()
	e.Server.Close()
	_ = e.App.Close()
	a, err := app.New(context.Background(), e.Cfg, e.opts)
	if err != nil {
		t.Fatalf("apptest: restart: %v", err)
	}
	srv := httptest.NewServer(a.Echo)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	e.App, e.Server = a, srv
}
