package vae_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/vae"
)

// A request filed before the law-in-force migration is received, and
// complete, on the day it was filed. One filed since 1 January 2024 gets its
// two-month deadline, so that the law's silence rule reaches it; an older one
// was decided under the procedure it was filed under and gets none.
func TestUpgrade_OldRequestsReceivedAndCompleteTheDayTheyWereFiled(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url, Now: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	all := app.Migrations()
	i := slices.IndexFunc(all, func(m *database.Migration) bool { return m.ID == "2026120403_vae_law_in_force" })
	if i < 0 {
		t.Fatal("the migration is gone")
	}
	ctx := context.Background()
	if err := database.Migrate(ctx, db, all[:i]); err != nil {
		t.Fatal(err)
	}
	for id, filed := range map[string]time.Time{
		"d-2025": time.Date(2025, 3, 14, 16, 30, 0, 0, time.UTC),
		"d-2023": time.Date(2023, 12, 31, 9, 0, 0, 0, time.UTC),
	} {
		if err := db.Exec(`INSERT INTO vae_dossiers (id, candidate_id, certification, status, motivation, activity_months,
			requested_at, requested_by, created_at, updated_at) VALUES (?, ?, 'agent-recouvrement', 'requested', '', 14, ?, 'u', ?, ?)`,
			id, "c-"+id, filed, filed, filed).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := database.Migrate(ctx, db, all); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	read := func(id string) vae.Dossier {
		var d vae.Dossier
		if err := db.Where("id = ?", id).Take(&d).Error; err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := read("d-2025")
	if d.ReceivedOn.String() != "2025-03-14" || d.CompleteOn == nil || d.CompleteOn.String() != "2025-03-14" ||
		d.AdmissibilityDeadline == nil || d.AdmissibilityDeadline.String() != "2025-05-14" || d.AdmissibilityImplicit {
		t.Fatalf("request of 2025: %+v", d)
	}
	if d = read("d-2023"); d.ReceivedOn.String() != "2023-12-31" || d.AdmissibilityDeadline != nil {
		t.Fatalf("request of 2023: %+v", d)
	}
}
