package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// A running server applies the certifier's silence by itself (at start, then
// hourly), not only when someone reads the dossier: the step is audited near
// the day it takes effect.
func TestServe_AppliesImplicitVAEAdmissibilityWithoutAnyRead(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	cfg := testConfig(t, url, false)
	o := quiet()
	o.Now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }
	a, err := app.New(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	admin := auth.User{ID: "test", Role: auth.RoleAdmin}
	cand, err := a.Candidates.Create(ctx, admin, candidates.NewCandidate{FirstName: "Léon", LastName: "Papier",
		BirthDate: civil.MustParse("1980-05-05"), Email: "leon.papier@example.fr"})
	if err != nil {
		t.Fatal(err)
	}
	// Received on paper on 1 September: the decision was due by 1 November.
	d, err := a.VAE.Open(ctx, admin, vae.NewRequest{CandidateID: cand.ID, Certification: "agent-recouvrement",
		ReceivedOn: civil.MustParse("2026-09-01")})
	if err != nil {
		t.Fatal(err)
	}

	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(sctx, time.Second) }()
	defer func() { stop(); <-served }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var status string
		if err := a.DB.Table("vae_dossiers").Where("id = ?", d.ID).Select("status").Scan(&status).Error; err != nil {
			t.Fatal(err)
		}
		if status == vae.StatusAdmissible {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %q after 10 s of serving", status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
