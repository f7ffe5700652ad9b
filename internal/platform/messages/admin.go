package messages

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Query filters the outbox for administrators.
type Query struct {
	To     string // address, exact (case-insensitive)
	UserID string
	Kind   string
	Status string
	Before string // id of the last row of the previous page (ids grow with time)
	Limit  int
}

// List returns messages newest first.
func (o *Outbox) List(ctx context.Context, q Query) ([]Message, error) {
	tx := o.db.WithContext(ctx).Order("id DESC")
	if q.To != "" {
		tx = tx.Where("to_email = ?", strings.ToLower(strings.TrimSpace(q.To)))
	}
	if q.UserID != "" {
		tx = tx.Where("user_id = ?", q.UserID)
	}
	if q.Kind != "" {
		tx = tx.Where("kind = ?", q.Kind)
	}
	if q.Status != "" {
		tx = tx.Where("status = ?", q.Status)
	}
	if q.Before != "" {
		tx = tx.Where("id < ?", q.Before)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var ms []Message
	if err := tx.Limit(q.Limit).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return ms, nil
}

// Counts tells how many messages are in each status, for the dashboard.
func (o *Outbox) Counts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := o.db.WithContext(ctx).Model(&Message{}).Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count messages: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// Get returns one message with its bodies.
func (o *Outbox) Get(ctx context.Context, id string) (Message, error) {
	var m Message
	err := o.db.WithContext(ctx).Where("id = ?", id).Take(&m).Error
	if database.IsNotFound(err) {
		return m, httpx.NotFound("Message introuvable.", "Message not found.")
	}
	if err != nil {
		return m, fmt.Errorf("get message %s: %w", id, err)
	}
	return m, nil
}

// Resend puts a failed or unsent message back in the queue (an
// administrator fixed the address's mailbox, or configured SMTP since).
// A message being delivered or already sent gets 409.
func (o *Outbox) Resend(ctx context.Context, actorID, id string) (Message, error) {
	if o.smtp == nil {
		return Message{}, httpx.Conflict("not_configured",
			"Aucun serveur de messagerie n'est configuré (CQP_SMTP_URL) : le message ne peut pas partir.",
			"No mail server is configured (CQP_SMTP_URL): the message cannot be sent.")
	}
	var m Message
	err := database.Tx(ctx, o.db, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&m).Error; err != nil {
			if database.IsNotFound(err) {
				return httpx.NotFound("Message introuvable.", "Message not found.")
			}
			return fmt.Errorf("resend %s: %w", id, err)
		}
		if m.Status != StatusFailed && m.Status != StatusNotConfigured {
			return httpx.Conflict("conflict", "Seul un message en échec ou non envoyé peut être renvoyé.",
				"Only a failed or unsent message can be sent again.")
		}
		before := m.Status
		res := tx.Model(&Message{}).Where("id = ? AND status = ?", id, before).
			Updates(map[string]any{"status": StatusPending, "last_error": "", "updated_at": o.now().UTC()})
		if res.Error != nil {
			return fmt.Errorf("resend %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return httpx.Conflict("conflict", "Le message vient de changer d'état.", "The message just changed state.")
		}
		m.Status, m.LastError = StatusPending, ""
		if _, err := o.jobs.Enqueue(tx, jobs.NewJob{Kind: JobDeliver, Payload: deliverPayload{ID: id}}); err != nil {
			return err
		}
		return audit.Record(tx, o.now(), audit.Event{ActorID: actorID, Action: "message.resend", Entity: "message",
			EntityID: id, Before: map[string]string{"status": before}, After: map[string]string{"status": StatusPending}})
	})
	return m, err
}

// Routes registers the administrators' API on g; admin is the role check
// and actor tells who asks (both from the accounts package, which imports
// this one to send its messages).
func (o *Outbox) Routes(g *echo.Group, admin echo.MiddlewareFunc, actor func(echo.Context) string) {
	g.GET("/messages", o.handleList, admin)
	g.GET("/messages/:id", o.handleGet, admin)
	g.POST("/messages/:id/resend", func(c echo.Context) error {
		m, err := o.Resend(c.Request().Context(), actor(c), c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, m)
	}, admin)
}

func (o *Outbox) handleList(c echo.Context) error {
	kind, status := c.QueryParam("kind"), c.QueryParam("status")
	if kind != "" && !o.HasTemplate(kind, "fr") {
		return httpx.Invalid(httpx.Field("kind", "Type de message inconnu.", "Unknown message kind."))
	}
	if status != "" && !known([]string{StatusPending, StatusSent, StatusFailed, StatusNotConfigured}, status) {
		return httpx.Invalid(httpx.Field("status", "Statut inconnu : pending, sent, failed ou not_configured.",
			"Unknown status: pending, sent, failed or not_configured."))
	}
	return httpx.List(c, func(after string, limit int) ([]Message, string, error) {
		ms, err := o.List(c.Request().Context(), Query{To: c.QueryParam("to"), UserID: c.QueryParam("user_id"),
			Kind: kind, Status: status, Before: after, Limit: limit})
		if err != nil {
			return nil, "", err
		}
		next := ""
		if len(ms) == limit {
			next = ms[len(ms)-1].ID
		}
		return ms, next, nil
	})
}

func (o *Outbox) handleGet(c echo.Context) error {
	m, err := o.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Detail{Message: m})
}

func known(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
