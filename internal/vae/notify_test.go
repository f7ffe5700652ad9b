package vae_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
	"github.com/ancr/cqp/internal/vae"
)

func TestAdmissibility_DecisionTellsTheCandidate(t *testing.T) {
	srv := mailtest.Start(t)
	f := admissibleDossier(t, apptest.WithSMTP(srv))
	f.env.Deliver(t)
	got := srv.Find(messages.KindVAEAdmissibility, "")
	if len(got) != 1 || got[0].Subject != "Votre demande de VAE est recevable" ||
		!strings.Contains(got[0].Text, "jusqu’au 22\u00a0novembre 2029") || !strings.Contains(got[0].Text, "/training/vae") {
		t.Fatalf("%+v", got)
	}
}

// Silence for two months accepts the request: the candidate is told once,
// however many reads and runs apply the law.
func TestAdmissibility_ImplicitAcceptanceToldOnce(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	e := clockEnv{Env: env}
	e.admin, _ = env.User(t, auth.RoleAdmin)
	e.cand, _ = env.User(t, auth.RoleCandidate)
	e.at("2026-12-31")
	res := e.Do(t, "POST", "/api/v1/vae/dossiers", relogin(t, env, e.cand), map[string]any{"certification": "agent-recouvrement"})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	e.at("2027-03-01")
	for range 3 {
		e.dossier(t, d.ID)
		if _, err := env.App.VAE.ApplyImplicitAdmissibility(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	env.Deliver(t)
	got := srv.Find(messages.KindVAEAdmissibility, e.cand.Email)
	if len(got) != 1 || !strings.Contains(got[0].Text, "ce silence vaut acceptation") || !strings.Contains(got[0].Text, "28\u00a0février 2027") {
		t.Fatalf("%d messages: %+v", len(got), got)
	}
}

// Fifteen days before a request's two-month deadline the administrators are
// reminded, once; the day after the deadline, silence decides.
func TestReminders_VAEDeadlineNearTellsTheAdministratorsOnce(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	e := clockEnv{Env: env}
	e.admin, _ = env.User(t, auth.RoleAdmin)
	e.cand, _ = env.User(t, auth.RoleCandidate)
	e.at("2026-12-31")
	res := e.Do(t, "POST", "/api/v1/vae/dossiers", relogin(t, env, e.cand), map[string]any{"certification": "agent-recouvrement"})
	wantStatus(t, res, http.StatusCreated) // deadline 2027-02-28
	ctx := context.Background()
	e.at("2027-02-12") // 16 days before
	if rep, _ := env.App.SendReminders(ctx); rep.VAEDeadlines != 0 {
		t.Fatalf("reminded 16 days before: %+v", rep)
	}
	e.at("2027-02-13") // 15 days before
	for i := range 2 {
		rep, err := env.App.SendReminders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 - i; rep.VAEDeadlines != want {
			t.Fatalf("run %d: %+v", i, rep)
		}
	}
	env.Deliver(t)
	got := srv.Find(messages.KindVAEDeadline, e.admin.Email)
	if len(got) != 1 || !strings.Contains(got[0].Subject, "28\u00a0février 2027") {
		t.Fatalf("%+v", got)
	}
}

// A decision refused by the rules writes no message (it is written in the
// decision's transaction); a refusal tells the candidate its reason, once,
// even when a second decision is attempted.
func TestAdmissibility_RefusalToldWithItsReasonAndRefusedDecisionsSilent(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	_, admin := env.User(t, auth.RoleAdmin)
	candUser, cand := env.User(t, auth.RoleCandidate)
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement"})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	path := "/api/v1/vae/dossiers/" + d.ID + "/admissibility"
	unrelated := map[string]bool{"related_to_certification": false, "documented": true}
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]any{"decision": "admissible", "criteria": unrelated}), http.StatusUnprocessableEntity)
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible", "criteria": unrelated}), http.StatusUnprocessableEntity)
	env.Deliver(t)
	if n := len(srv.Mails()); n != 0 {
		t.Fatalf("%d messages after refused decisions", n)
	}
	reason := "Activité de télévente sans lien direct avec le recouvrement de créances."
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible", "criteria": unrelated, "reason": reason}), http.StatusOK)
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible", "criteria": unrelated, "reason": "Encore"}), http.StatusConflict)
	env.Deliver(t)
	got := srv.Find(messages.KindVAEAdmissibility, candUser.Email)
	if len(got) != 1 || got[0].Subject != "Votre demande de VAE n’est pas recevable" ||
		!strings.Contains(got[0].Text, "Motif\u00a0: "+reason) || !strings.Contains(got[0].HTML, "/training/vae") {
		t.Fatalf("%d messages: %+v", len(got), got)
	}
	if len(srv.Mails()) != 1 {
		t.Fatalf("%d messages in all", len(srv.Mails()))
	}
}
