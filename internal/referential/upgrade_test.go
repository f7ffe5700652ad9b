package referential_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
)

// A database of the previous release (every step but the parameter values)
// upgrades at start: the new step runs after later ones, the seed values
// are added, and the engine computes with them.
func TestParameters_UpgradeFromTheReleaseBefore(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	var older []*database.Migration
	for _, m := range app.Migrations() {
		if m.ID != "2026120401_parameter_values" {
			older = append(older, m)
		}
	}
	if len(older) != len(app.Migrations())-1 {
		t.Fatal("the parameter values step is not in the list")
	}
	if err := database.Migrate(context.Background(), db, older); err != nil {
		t.Fatal(err)
	}
	if db.Migrator().HasTable("parameter_values") {
		t.Fatal("the older schema already has parameter_values")
	}
	database.Close(db)

	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.DatabaseURL = url }))
	_, token := env.User(t, "admin")
	ts := tables(t, env, token)
	if n := len(ts["legal_interest_rate"].Values); n != 4 {
		t.Fatalf("%d legal rates after the upgrade", n)
	}
	if res := env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", token, `{"from":"2027-01-01","values":{"consumer_creditor":7,"other":3.5}}`); res.Status != http.StatusCreated {
		t.Fatalf("add after the upgrade: %d %s", res.Status, res.Body)
	}
	if interest, missing := evaluate(t, env, token); missing || interest != 7.19 {
		t.Fatalf("after the upgrade: interest %v missing %v", interest, missing)
	}
}
