package webui

import (
	"net/http"
	"strings"

	"github.com/ancr/cqp/internal/platform/auth"
	outbox "github.com/ancr/cqp/internal/platform/messages"
	"github.com/labstack/echo/v4"
)

// messageKinds names each kind of message for people, French then English.
var messageKinds = map[string][2]string{
	outbox.KindInvitation:           {"Invitation à activer un compte", "Account invitation"},
	outbox.KindPasswordReset:        {"Réinitialisation du mot de passe", "Password reset"},
	outbox.KindPasswordChanged:      {"Mot de passe modifié", "Password changed"},
	outbox.KindJuryConvocation:      {"Convocation d'un membre de jury", "Jury member convocation"},
	outbox.KindCandidateConvocation: {"Convocation d'un candidat", "Candidate convocation"},
	outbox.KindVAEAdmissibility:     {"Recevabilité VAE", "VAE admissibility"},
	outbox.KindResults:              {"Résultats", "Results"},
	outbox.KindCertificateIssued:    {"Certificat délivré", "Certificate issued"},
	outbox.KindExpiryReminder:       {"Rappel d'échéance", "Expiry reminder"},
	outbox.KindJuryPending:          {"Travail de jury en attente", "Jury work pending"},
}

var messageStatuses = map[string][2]string{
	outbox.StatusPending:       {"En attente", "Pending"},
	outbox.StatusSent:          {"Envoyé", "Sent"},
	outbox.StatusFailed:        {"En échec", "Failed"},
	outbox.StatusNotConfigured: {"Non envoyé (messagerie non configurée)", "Not sent (no mail server)"},
}

type messagesData struct {
	Rows                []outbox.Message
	To, Kind, Status    string
	Kinds, Statuses     []option
	Next                string
	Configured          bool
	Counts              map[string]int64
	KindLabel, StatusOf func(string) string
}

func (ui *UI) messageRoutes(admin *echo.Group) {
	admin.GET("/messages", ui.messageList)
	admin.GET("/messages/:id", ui.messageShow)
	admin.POST("/messages/:id/resend", ui.messageResend)
}

func labelOf(p *page, m map[string][2]string) func(string) string {
	return func(k string) string {
		if l, ok := m[k]; ok {
			return p.L(l[0], l[1])
		}
		return k
	}
}

// messageList is the outbox: every message, newest first, filtered by
// address, kind and status, with what became of it.
func (ui *UI) messageList(c echo.Context) error {
	p := ui.newPage(c, "Messages envoyés", "Messages")
	d := messagesData{To: strings.TrimSpace(c.QueryParam("to")), Kind: c.QueryParam("kind"), Status: c.QueryParam("status"),
		Configured: ui.Outbox.Configured(), KindLabel: labelOf(p, messageKinds), StatusOf: labelOf(p, messageStatuses)}
	if _, ok := messageKinds[d.Kind]; !ok {
		d.Kind = ""
	}
	if _, ok := messageStatuses[d.Status]; !ok {
		d.Status = ""
	}
	for _, k := range outbox.Kinds {
		d.Kinds = append(d.Kinds, option{k, d.KindLabel(k)})
	}
	for _, s := range []string{outbox.StatusPending, outbox.StatusSent, outbox.StatusFailed, outbox.StatusNotConfigured} {
		d.Statuses = append(d.Statuses, option{s, d.StatusOf(s)})
	}
	const limit = 50
	ctx := c.Request().Context()
	rows, err := ui.Outbox.List(ctx, outbox.Query{To: d.To, Kind: d.Kind, Status: d.Status,
		Before: c.QueryParam("before"), Limit: limit})
	if err != nil {
		return err
	}
	d.Rows = rows
	if len(rows) == limit {
		d.Next = rows[len(rows)-1].ID
	}
	if d.Counts, err = ui.Outbox.Counts(ctx); err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/messages", p)
}

type messageData struct {
	M                   outbox.Message
	Configured          bool
	KindLabel, StatusOf func(string) string
}

func (ui *UI) messageShow(c echo.Context) error {
	p := ui.newPage(c, "Message", "Message")
	m, err := ui.Outbox.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	p.Data = messageData{M: m, Configured: ui.Outbox.Configured(), KindLabel: labelOf(p, messageKinds), StatusOf: labelOf(p, messageStatuses)}
	return ui.render(c, http.StatusOK, "admin/message", p)
}

func (ui *UI) messageResend(c echo.Context) error {
	id := c.Param("id")
	if _, err := ui.Outbox.Resend(c.Request().Context(), auth.Caller(c).ID, id); err != nil {
		return err
	}
	p := ui.newPage(c, "", "")
	return ui.redirect(c, "/admin/messages/"+id, p.L("Le message repart dans la file d'envoi.", "The message is queued again."))
}
