package webui_test

import (
	"context"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
	"gorm.io/gorm"
)

func writeMessage(t *testing.T, env *apptest.Env, to string) messages.Message {
	t.Helper()
	var m messages.Message
	err := database.Tx(context.Background(), env.App.DB, func(tx *gorm.DB) (err error) {
		m, _, err = env.App.Outbox.Enqueue(tx, messages.Draft{Kind: "test", To: messages.Recipient{Email: to, Name: "Jeanne Roux"},
			Data: map[string]any{"Topic": "la page des messages"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMessagesPage_WithoutSMTPShowsWhatWouldBeSent(t *testing.T) {
	env := apptest.New(t)
	m := writeMessage(t, env, "jeanne.roux@example.fr")
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin").has(t, "1 message est conservé sans être envoyé", "Voir ce qui aurait été envoyé")
	p := v.get("/admin/messages")
	p.status(t, 200)
	p.has(t, "Aucun serveur de messagerie n'est configuré", "CQP_SMTP_URL", "Jeanne Roux", "jeanne.roux@example.fr",
		"Non envoyé (messagerie non configurée)", "Message d’essai\u00a0: la page des messages")
	d := v.get("/admin/messages/" + m.ID)
	d.status(t, 200)
	d.has(t, "Bonjour Jeanne Roux,", `sandbox srcdoc=`)
	d.lacks(t, "Renvoyer") // no resend without a mail server
	v.get("/admin/messages?status=sent").has(t, "Aucun message ne correspond.")
	trainee, _ := signedIn(t, env, auth.RoleCandidate, apptest.ForCandidate(env.Candidate(t).ID))
	if s := trainee.get("/admin/messages").Status; s != 403 && s != 404 {
		t.Fatalf("a trainee opened the outbox: %d", s)
	}
}

func TestMessagesPage_ResendsAFailedMessage(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse("gone@example.fr")
	env := apptest.New(t, apptest.WithSMTP(srv))
	m := writeMessage(t, env, "gone@example.fr")
	env.Deliver(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin").has(t, "1 message n'a pas pu être remis", "/admin/messages?status=failed")
	v.get("/admin/messages?status=failed").has(t, "gone@example.fr", "En échec", "550")
	v.get("/admin/messages/"+m.ID).has(t, "Renvoyer", "Dernière erreur")
	srv.Accept("gone@example.fr")
	res := v.post("/admin/messages/"+m.ID+"/resend", nil)
	if res.Status != 303 {
		t.Fatalf("resend: %d\n%s", res.Status, res.Body)
	}
	env.Deliver(t)
	srv.WaitFor(t, 1)
	v.get("/admin/messages/"+m.ID).has(t, "Envoyé le")
}
