package app

import (
	"context"
	"time"
)

// runVAEDeadlines applies implicit VAE admissibility (two months of silence
// after the complete request, docs/domain.md §4) at start and then every period
// until ctx ends. Reads of dossiers apply it too, so this only makes the
// change, its timeline step and its audit row happen near midnight rather
// than at the next read. Safe on several replicas: each dossier changes
// through a conditional update. The durable job scheduler (reminders) may
// take it over.
func (a *App) runVAEDeadlines(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if n, err := a.VAE.ApplyImplicitAdmissibility(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			a.Log.Error("vae implicit admissibility", "err", err)
		} else if n > 0 {
			a.Log.Info("vae implicit admissibility", "dossiers", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
