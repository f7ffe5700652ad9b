package app

import (
	"context"
	"net/http"
	"time"

	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/labstack/echo/v4"
)

// SealAudit seals the journal's new rows with the key derived from the
// master key (audit/seal.go).
func (a *App) SealAudit(ctx context.Context) (int, error) {
	return audit.Seal(ctx, a.DB, a.Secrets.Derive(audit.SealPurpose))
}

// CheckpointAudit signs the journal's head with the certificates' key and
// writes it to the log, where it outlives the database.
func (a *App) CheckpointAudit(ctx context.Context) (audit.Checkpoint, error) {
	kid, key, err := a.Certificates.Keys().Signer()
	if err != nil {
		return audit.Checkpoint{}, err
	}
	c, made, err := audit.TakeCheckpoint(ctx, a.DB, a.Now(), kid, key)
	if err == nil && made {
		a.Log.Info("audit checkpoint", "seq", c.Seq, "hash", c.Hash, "at", c.At, "kid", c.KID, "signature", c.Signature)
	}
	return c, err
}

// VerifyAudit checks the chain, its seals and its checkpoints.
func (a *App) VerifyAudit(ctx context.Context) (audit.Report, error) {
	pub, err := certificates.PublicKeys(ctx, a.DB)
	if err != nil {
		return audit.Report{}, err
	}
	return audit.VerifyKeyed(ctx, a.DB, audit.Keys{Seal: a.Secrets.Derive(audit.SealPurpose), Public: pub})
}

// runAuditSeal seals new journal rows every period until ctx ends.
func (a *App) runAuditSeal(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if _, err := a.SealAudit(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("seal the audit journal", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// handleCheckpoints is GET /api/v1/audit/checkpoints: the signed heads of
// the journal, for an auditor to keep and compare.
func (a *App) handleCheckpoints(c echo.Context) error {
	cs, err := audit.Checkpoints(c.Request().Context(), a.DB, 1000)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": cs})
}
