package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
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
