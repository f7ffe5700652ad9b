package app

import (
	"context"
	"errors"
	"fmt"
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
	fmt.Fprintf(env.stdout, "Rappels envoyés : %d échéance(s) à 6 mois, %d à 1 mois, %d liste(s) aux administrateurs, "+
		"%d rappel(s) de travail de jury, %d délai(s) VAE proche(s) ; %d demande(s) VAE recevable(s) par silence.\n",
		rep.Expiry6m, rep.Expiry1m, rep.AdminDigests, rep.JuryPending, rep.VAEDeadlines, rep.VAEImplicit)
	if !a.Outbox.Configured() {
		fmt.Fprintln(env.stdout, "CQP_SMTP_URL n'est pas défini : les messages sont conservés (not_configured), visibles dans « Messages ».")
	}
	return nil
}
