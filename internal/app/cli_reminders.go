package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/civil"
)

// runReminders is `cqp reminders send`: the dated reminders once, now, then
// their delivery (when a mail server is set), with what was written.
func runReminders(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) != 1 || args[0] != "send" {
		return errors.New("usage: cqp reminders send")
	}
	a, err := New(ctx, env.cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.SendReminders(ctx)
	if err != nil {
		return err
	}
	if _, err := a.Jobs.RunDue(ctx); err != nil {
		return err
	}
	n := func(k int, one, many string) string { return civil.Count("fr", k, one, many) }
	fmt.Fprintf(env.stdout, "Rappels envoyés : %s à 6 mois, %d à 1 mois, %s aux administrateurs, %s de travail de jury, %s ; %s par silence.\n",
		n(rep.Expiry6m, "échéance", "échéances"), rep.Expiry1m, n(rep.AdminDigests, "liste", "listes"),
		n(rep.JuryPending, "rappel", "rappels"), n(rep.VAEDeadlines, "délai VAE proche", "délais VAE proches"),
		n(rep.VAEImplicit, "demande VAE recevable", "demandes VAE recevables"))
	if !a.Outbox.Configured() {
		fmt.Fprintln(env.stdout, "CQP_SMTP_URL n'est pas défini : les messages sont conservés (not_configured), visibles dans « Messages ».")
	}
	return nil
}
