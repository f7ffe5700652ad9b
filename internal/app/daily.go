package app

import (
	"context"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/ancr/cqp/internal/platform/messages"
	"gorm.io/gorm"
)

// Daily job kinds: each runs once a day, on one replica, whatever the
// number of replicas asking for it (the unique key kind:date).
const jobMaintenance = "maintenance.daily"

// dailyKinds lists the kinds ScheduleDaily asks for.
var dailyKinds = []string{jobMaintenance, jobReminders}

// maintenanceReport says what the daily maintenance removed.
type maintenanceReport struct {
	Sessions int64 `json:"sessions"` // expired session tokens
	Links    int64 `json:"links"`    // used or expired invitation and reset links
	Jobs     int64 `json:"jobs"`     // finished jobs older than 90 days
	Blobs    int   `json:"blobs"`    // stored objects no row counts any more
	// Checkpoint is the journal's head signed today (0: nothing new).
	Checkpoint int64 `json:"audit_checkpoint"`
}

func (a *App) registerDailyJobs() {
	a.Jobs.Handle(jobMaintenance, func(ctx context.Context, r *jobs.Run) error {
		rep, err := a.maintain(ctx)
		if err != nil {
			return err
		}
		return r.SetResult(rep)
	}, jobs.HandlerOptions{Lease: 10 * time.Minute, MaxAttempts: 3})
}

// maintain removes what only grows: expired session tokens, old finished
// jobs, stored documents nothing points at any more (the outbox keeps its messages: they are the record of what was sent).
func (a *App) maintain(ctx context.Context) (maintenanceReport, error) {
	var rep maintenanceReport
	var err error
	if rep.Sessions, err = a.Auth.PurgeExpired(ctx); err != nil {
		return rep, err
	}
	if rep.Links, err = a.Auth.PurgeAccountTokens(ctx); err != nil {
		return rep, err
	}
	if rep.Jobs, err = a.Jobs.Purge(ctx, 90*24*time.Hour); err != nil {
		return rep, err
	}
	if rep.Blobs, err = a.Blobs.CollectAll(ctx); err != nil {
		return rep, err
	}
	if _, err := a.SealAudit(ctx); err != nil {
		return rep, err
	}
	cp, err := a.CheckpointAudit(ctx)
	if err != nil {
		return rep, err
	}
	rep.Checkpoint = cp.Seq
	return rep, nil
}

// ScheduleDaily asks for today's instance of every daily job. Every replica
// calls it at start and hourly; the unique key makes one run a day.
func (a *App) ScheduleDaily(ctx context.Context) error {
	day := civil.Of(a.Now().In(messages.Paris)).String()
	return database.Tx(ctx, a.DB, func(tx *gorm.DB) error {
		for _, kind := range dailyKinds {
			if _, err := a.Jobs.Enqueue(tx, jobs.NewJob{Kind: kind, UniqueKey: kind + ":" + day}); err != nil {
				return err
			}
		}
		return nil
	})
}

// runDailySchedule calls ScheduleDaily at start and every period until ctx ends.
func (a *App) runDailySchedule(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if err := a.ScheduleDaily(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("schedule daily jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
