package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

const clercCert = "clerc-recouvrement-amiable"

func validated(t *testing.T, env *apptest.Env, candidateID, component, on string) {
	t.Helper()
	d := candidates.Decision{ID: database.NewID(), CandidateID: candidateID, Certification: clercCert, Component: component,
		Outcome: candidates.Validated, DecidedOn: civil.MustParse(on), Final: true, CreatedBy: "test", CreatedAt: time.Now()}
	if err := env.App.DB.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
}

// Today is 2026-11-22 (apptest.Start): a component expires five years after
// its validation, the reminders go out within 6 months and within 1 month of
// that day, each once, however often the job runs.
func TestReminders_ExpiryAtTheBoundariesOnceEach(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	env.User(t, auth.RoleAdmin)
	mk := func(name string) candidates.Candidate {
		return env.Candidate(t, func(n *candidates.NewCandidate) { n.FirstName = name })
	}
	six, sevenish, one, justOver, expired, renewed := mk("Six"), mk("SixPlusUn"), mk("Un"), mk("UnPlusUn"), mk("Expire"), mk("Renouvele")
	validated(t, env, six.ID, "CLERC-1", "2022-05-22")      // expires 2027-05-22: exactly 6 months
	validated(t, env, sevenish.ID, "CLERC-1", "2022-05-23") // expires 2027-05-23: 6 months + 1 day
	validated(t, env, one.ID, "CLERC-2", "2021-12-22")      // expires 2026-12-22: exactly 1 month
	validated(t, env, justOver.ID, "CLERC-2", "2021-12-23") // expires 2026-12-23: 1 month + 1 day
	validated(t, env, expired.ID, "CLERC-3", "2021-11-22")  // expires today: no longer in force
	validated(t, env, renewed.ID, "CLERC-4", "2021-12-22")  // acquired again since:
	validated(t, env, renewed.ID, "CLERC-4", "2024-01-10")  // the new period counts

	ctx := context.Background()
	rep, err := env.App.SendReminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Expiry1m != 1 || rep.Expiry6m != 2 || rep.AdminDigests != 1 {
		t.Fatalf("first run %+v, want 1 at 1 month (Un), 2 at 6 months (Six, UnPlusUn), 1 digest", rep)
	}
	for range 2 {
		again, err := env.App.SendReminders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again.Expiry1m+again.Expiry6m+again.AdminDigests != 0 {
			t.Fatalf("a repeated run wrote %+v", again)
		}
	}
	env.Deliver(t)
	to := func(c candidates.Candidate) []mailtest.Mail { return srv.Find(messages.KindExpiryReminder, c.Email) }
	if len(to(six)) != 1 || len(to(one)) != 1 || len(to(justOver)) != 1 {
		t.Fatalf("reminders: six %d, one %d, justOver %d", len(to(six)), len(to(one)), len(to(justOver)))
	}
	for _, c := range []candidates.Candidate{sevenish, expired, renewed} {
		if n := len(to(c)); n != 0 {
			t.Errorf("%s reminded %d times", c.FirstName, n)
		}
	}
	if m := to(one)[0]; !strings.Contains(m.Text, "22\u00a0décembre 2026, dans moins d’un mois") || m.Subject != "Votre bloc CLERC-2 expire le 22\u00a0décembre 2026" {
		t.Fatalf("1-month reminder %q:\n%s", m.Subject, m.Text)
	}
	if m := to(six)[0]; !strings.Contains(m.Text, "dans moins de six mois") {
		t.Fatalf("6-month reminder:\n%s", m.Text)
	}
	digest := srv.Find(messages.KindExpiryReminder, "")
	found := false
	for _, m := range digest {
		if strings.HasPrefix(m.Subject, "Blocs de compétences arrivant à échéance") {
			found = strings.Contains(m.Text, "3 blocs de compétences arrivent")
		}
	}
	if !found {
		t.Fatal("no administrators' digest of the 3 components")
	}

	// A day later UnPlusUn crosses the 1-month line (its second reminder)
	// and SixPlusUn the 6-month line (its first).
	env.Clock.Advance(24 * time.Hour)
	rep, err = env.App.SendReminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Expiry1m != 1 || rep.Expiry6m != 1 {
		t.Fatalf("the next day %+v", rep)
	}
}

func TestRemindersCommand_PrintsWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	lookup := func(k string) (string, bool) {
		switch k {
		case "CQP_DATA_DIR":
			return dir, true
		case "CQP_MASTER_KEY":
			return apptest.MasterKey, true
		case "CQP_DEMO":
			return "false", true
		}
		return "", false
	}
	if err := app.Main(context.Background(), []string{"reminders", "send"}, lookup, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Rappels envoyés : 0 échéance à 6 mois") || !strings.Contains(out.String(), "not_configured") {
		t.Fatalf("output %q", out.String())
	}
}

// A second run the same day that finds a new component (an import since)
// sends the holder's reminder and a second list to the administrators.
func TestReminders_SecondRunTheSameDayListsTheNewOnes(t *testing.T) {
	env := apptest.New(t)
	env.User(t, auth.RoleAdmin)
	a, b := env.Candidate(t), env.Candidate(t)
	validated(t, env, a.ID, "CLERC-1", "2022-03-01")
	ctx := context.Background()
	if rep, err := env.App.SendReminders(ctx); err != nil || rep.AdminDigests != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	validated(t, env, b.ID, "CLERC-1", "2022-04-01")
	rep, err := env.App.SendReminders(ctx)
	if err != nil || rep.Expiry6m != 1 || rep.AdminDigests != 1 {
		t.Fatalf("second run %+v %v", rep, err)
	}
}
