package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/jobs"
)

// Every replica asks for the daily jobs every hour; each runs once a day,
// and the maintenance purges the expired sessions (the tokens table no
// longer only grows).
func TestDailyJobs_RunOnceADayAndPurgeExpiredSessions(t *testing.T) {
	env := apptest.New(t)
	env.User(t, auth.RoleTrainer) // opens a session
	ctx := context.Background()
	count := func(table string) int64 {
		var n int64
		if err := env.App.DB.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("tokens") != 1 {
		t.Fatalf("%d tokens", count("tokens"))
	}
	env.Clock.Advance(env.Cfg.TokenTTL + time.Second)
	for range 3 {
		if err := env.App.ScheduleDaily(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := env.App.Jobs.Count(ctx, "maintenance.daily", ""); n != 1 {
		t.Fatalf("%d maintenance jobs for one day, want 1", n)
	}
	env.Deliver(t)
	if n, _ := env.App.Jobs.Count(ctx, "maintenance.daily", jobs.StatusDone); n != 1 {
		t.Fatal("maintenance did not run")
	}
	if count("tokens") != 0 {
		t.Fatalf("%d expired tokens left", count("tokens"))
	}
	env.Clock.Advance(24 * time.Hour)
	env.App.ScheduleDaily(ctx)
	if n, _ := env.App.Jobs.Count(ctx, "maintenance.daily", ""); n != 2 {
		t.Fatalf("%d maintenance jobs after two days, want 2", n)
	}
}

// The daily maintenance seals the journal and signs its head; the
// checkpoints are downloadable by administrators, and `cqp audit verify`
// checks chain, seals and checkpoints.
func TestDailyJobs_SignAnAuditCheckpointThatVerifyChecks(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, trainer := env.User(t, auth.RoleTrainer)
	env.Candidate(t) // audited writes
	ctx := context.Background()
	if err := env.App.ScheduleDaily(ctx); err != nil {
		t.Fatal(err)
	}
	env.Deliver(t)
	var cps struct {
		Items []audit.Checkpoint `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/audit/checkpoints", admin, nil).Expect(t, http.StatusOK).JSON(t, &cps)
	var head int64
	env.App.DB.Table("audit_entries").Select("MAX(seq)").Scan(&head)
	if len(cps.Items) != 1 || cps.Items[0].Seq == 0 || cps.Items[0].KID != env.App.Certificates.Keys().CurrentKID() || cps.Items[0].Seq > head {
		t.Fatalf("checkpoints %+v (head %d)", cps.Items, head)
	}
	env.Do(t, "GET", "/api/v1/audit/checkpoints", trainer, nil).Expect(t, http.StatusForbidden)
	var unsealed int64
	env.App.DB.Table("audit_entries").Where("seq <= ? AND (seal IS NULL OR seal = '')", cps.Items[0].Seq).Count(&unsealed)
	if unsealed != 0 {
		t.Fatalf("%d rows before the checkpoint unsealed", unsealed)
	}
	rep, err := env.App.VerifyAudit(ctx)
	if err != nil || !rep.OK() || rep.Checkpoints != 1 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	// Rows cut after the checkpoint are caught.
	env.App.DB.Exec("DELETE FROM audit_entries WHERE seq >= ?", cps.Items[0].Seq)
	if rep, _ := env.App.VerifyAudit(ctx); rep.OK() {
		t.Fatal("a journal cut before its checkpoint verified")
	}
}
