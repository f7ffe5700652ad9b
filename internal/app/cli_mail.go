package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/messages"
	"gorm.io/gorm"
)

// runMail is `cqp mail test ADDRESS`: it writes a test message to ADDRESS
// through the outbox and delivers it at once, so that an administrator sees
// whether CQP_SMTP_URL and CQP_MAIL_FROM work before the first convocation.
func runMail(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) != 2 || args[0] != "test" {
		return errors.New("usage: cqp mail test ADDRESS")
	}
	a, err := New(ctx, env.cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	var m messages.Message
	err = database.Tx(ctx, a.DB, func(tx *gorm.DB) (err error) {
		m, _, err = a.Outbox.Enqueue(tx, messages.Draft{Kind: "test", To: messages.Recipient{Email: args[1]},
			Data: map[string]any{"Topic": "la configuration de la messagerie"}})
		return err
	})
	if err != nil {
		return err
	}
	if !a.Outbox.Configured() {
		fmt.Fprintln(env.stdout, "CQP_SMTP_URL n'est pas défini : le message est conservé (not_configured), rien n'est envoyé.")
		return errors.New("no mail server configured")
	}
	if _, err := a.Jobs.RunDue(ctx); err != nil {
		return err
	}
	if m, err = a.Outbox.Get(ctx, m.ID); err != nil {
		return err
	}
	if m.Status != messages.StatusSent {
		fmt.Fprintf(env.stdout, "échec de l'envoi à %s (%s) : %s\n", m.To, m.Status, m.LastError)
		return fmt.Errorf("message not sent: %s", m.LastError)
	}
	fmt.Fprintf(env.stdout, "message d'essai envoyé à %s\n", m.To)
	return nil
}
