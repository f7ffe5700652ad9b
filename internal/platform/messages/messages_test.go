package messages_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
	"gorm.io/gorm"
)

func draft(to string) messages.Draft {
	return messages.Draft{Kind: "test", To: messages.Recipient{Email: to, Name: "Léa Martin"},
		Data: map[string]any{"Topic": "l’essai"}}
}

func enqueue(t *testing.T, env *apptest.Env, d messages.Draft) messages.Message {
	t.Helper()
	var m messages.Message
	err := database.Tx(context.Background(), env.App.DB, func(tx *gorm.DB) (err error) {
		m, _, err = env.App.Outbox.Enqueue(tx, d)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func get(t *testing.T, env *apptest.Env, id string) messages.Message {
	t.Helper()
	m, err := env.App.Outbox.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDelivery_ReachesTheSMTPServerWithKindTextAndHTML(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	m := enqueue(t, env, draft("lea.martin@example.fr"))
	if m.Status != messages.StatusPending {
		t.Fatalf("status %s before delivery", m.Status)
	}
	if n := env.Deliver(t); n != 1 {
		t.Fatalf("%d jobs ran, want 1", n)
	}
	mails := srv.WaitFor(t, 1)
	got := mails[0]
	if got.Kind != "test" || !got.SentTo("lea.martin@example.fr") || got.Subject != "Message d’essai\u00a0: l’essai" {
		t.Fatalf("kind %q to %v subject %q", got.Kind, got.To, got.Subject)
	}
	if !strings.Contains(got.Text, "Bonjour Léa Martin,") || !strings.Contains(got.Text, "https://cqp.example.test/") {
		t.Fatalf("text:\n%s", got.Text)
	}
	if !strings.Contains(got.HTML, `<html lang="fr">`) || !strings.Contains(got.HTML, "«&nbsp;l’essai&nbsp;»") {
		t.Fatalf("html:\n%s", got.HTML)
	}
	if got.Header.Get("Message-Id") != "<"+m.ID+"@cqp-recouvrement>" {
		t.Fatalf("Message-ID %q", got.Header.Get("Message-Id"))
	}
	after := get(t, env, m.ID)
	if after.Status != messages.StatusSent || after.SentAt == nil || after.Attempts != 1 || after.LastError != "" {
		t.Fatalf("after delivery: %+v", after)
	}
	env.Deliver(t)
	if srv.Count() != 1 {
		t.Fatal("delivered twice")
	}
}

func TestEnglishRecipient_GetsTheEnglishVersion(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	d := draft("sam@example.com")
	d.To.Lang = "en"
	enqueue(t, env, d)
	env.Deliver(t)
	got := srv.WaitFor(t, 1)[0]
	if got.Subject != "Test message: l’essai" || !strings.Contains(got.HTML, `<html lang="en">`) {
		t.Fatalf("subject %q", got.Subject)
	}
}

func TestRollback_LeavesNoMessageAndNoJob(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	boom := errors.New("the event failed")
	err := database.Tx(context.Background(), env.App.DB, func(tx *gorm.DB) error {
		if _, _, err := env.App.Outbox.Enqueue(tx, draft("x@example.fr")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	ms, _ := env.App.Outbox.List(context.Background(), messages.Query{})
	n, _ := env.App.Jobs.Count(context.Background(), messages.JobDeliver, "")
	if len(ms) != 0 || n != 0 {
		t.Fatalf("%d messages, %d jobs after rollback", len(ms), n)
	}
}

func TestDedupeKey_WritesOnce(t *testing.T) {
	env := apptest.New(t)
	d := draft("x@example.fr")
	d.DedupeKey = "expiry:c1:6m"
	for i := range 3 {
		err := database.Tx(context.Background(), env.App.DB, func(tx *gorm.DB) error {
			_, created, err := env.App.Outbox.Enqueue(tx, d)
			if created != (i == 0) {
				t.Errorf("run %d: created=%v", i, created)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if ms, _ := env.App.Outbox.List(context.Background(), messages.Query{}); len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
}

func TestNotConfigured_KeptAndShownNotSent(t *testing.T) {
	env := apptest.New(t)
	m := enqueue(t, env, draft("x@example.fr"))
	if m.Status != messages.StatusNotConfigured {
		t.Fatalf("status %s", m.Status)
	}
	if n := env.Deliver(t); n != 0 {
		t.Fatalf("%d jobs ran with no SMTP server", n)
	}
	_, admin := env.User(t, auth.RoleAdmin)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/messages?status=not_configured", admin, nil).Expect(t, 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0]["to"] != "x@example.fr" || page.Items[0]["status"] != "not_configured" {
		t.Fatalf("%v", page.Items)
	}
	for _, k := range []string{"id", "to", "kind", "subject", "status", "created_at", "sent_at", "attempts", "last_error"} {
		if _, ok := page.Items[0][k]; !ok {
			t.Errorf("message JSON lacks %q", k)
		}
	}
	p := env.Do(t, "POST", "/api/v1/messages/"+m.ID+"/resend", admin, nil).Expect(t, 409).Problem(t)
	if p.Code != "not_configured" {
		t.Fatalf("code %s", p.Code)
	}
}

func TestRefusedRecipient_FailsAtOnceWithTheReasonAndCanBeResent(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse("nobody@example.fr")
	env := apptest.New(t, apptest.WithSMTP(srv))
	m := enqueue(t, env, draft("nobody@example.fr"))
	env.Deliver(t)
	after := get(t, env, m.ID)
	if after.Status != messages.StatusFailed || !strings.Contains(after.LastError, "550") {
		t.Fatalf("%+v", after)
	}
	_, admin := env.User(t, auth.RoleAdmin)
	var page struct {
		Items []messages.Message `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/messages?to=NOBODY@example.fr&status=failed", admin, nil).Expect(t, 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != m.ID {
		t.Fatalf("failed message not listed: %+v", page.Items)
	}
	srv.Accept("nobody@example.fr")
	env.Do(t, "POST", "/api/v1/messages/"+m.ID+"/resend", admin, nil).Expect(t, 202)
	env.Do(t, "POST", "/api/v1/messages/"+m.ID+"/resend", admin, nil).Expect(t, 409)
	env.Deliver(t)
	if srv.WaitFor(t, 1); get(t, env, m.ID).Status != messages.StatusSent {
		t.Fatal("resent message not sent")
	}
}

func TestUnreachableServer_StaysPendingAndIsRetried(t *testing.T) {
	// A port with nothing behind it: the address of a server just closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := apptest.New(t, apptest.WithSMTP(url("smtp://"+addr+"?starttls=none")))
	m := enqueue(t, env, draft("x@example.fr"))
	env.Deliver(t)
	after := get(t, env, m.ID)
	if after.Status != messages.StatusPending || after.Attempts != 1 || after.LastError == "" {
		t.Fatalf("%+v", after)
	}
	env.Deliver(t) // the retry waits for its backoff
	if get(t, env, m.ID).Attempts != 1 {
		t.Fatal("retried before the backoff")
	}
	env.Clock.Advance(31 * time.Second)
	env.Deliver(t)
	if a := get(t, env, m.ID).Attempts; a != 2 {
		t.Fatalf("attempts %d after the backoff", a)
	}
}

// A worker killed while the SMTP server holds the message (the process
// stopped mid-delivery): after the restart the message is delivered, once.
func TestKilledMidDelivery_DeliveredOnceAfterRestart(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Hold()
	env := apptest.New(t, apptest.WithSMTP(srv))
	m := enqueue(t, env, draft("x@example.fr"))
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { env.App.Jobs.Work(ctx, 1, 10*time.Millisecond); close(done) }()
	select {
	case <-srv.Holding():
	case <-time.After(10 * time.Second):
		t.Fatal("delivery never reached the server")
	}
	kill()
	<-done
	srv.Release()
	if s := get(t, env, m.ID).Status; s != messages.StatusPending {
		t.Fatalf("status %s after the kill", s)
	}
	// The restarted process: a new queue, after the dead worker's lease.
	restarted := jobs.New(env.App.DB, env.Clock.Now, nil)
	restarted.Handle(messages.JobDeliver, func(ctx context.Context, r *jobs.Run) error {
		return env.App.Outbox.Deliver(ctx, r)
	}, jobs.HandlerOptions{})
	env.Clock.Advance(2*time.Minute + time.Second)
	for range 3 {
		if _, err := restarted.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	srv.WaitFor(t, 1)
	time.Sleep(100 * time.Millisecond)
	if srv.Count() != 1 || get(t, env, m.ID).Status != messages.StatusSent {
		t.Fatalf("%d received, status %s", srv.Count(), get(t, env, m.ID).Status)
	}
}

func TestMessagesAPI_AdminOnlyFiltersAndPages(t *testing.T) {
	env := apptest.New(t)
	for i := range 5 {
		d := draft("p" + string(rune('a'+i)) + "@example.fr")
		enqueue(t, env, d)
	}
	_, trainer := env.User(t, auth.RoleTrainer)
	env.Do(t, "GET", "/api/v1/messages", trainer, nil).Expect(t, 403)
	env.Do(t, "GET", "/api/v1/messages", "", nil).Expect(t, 401)
	_, admin := env.User(t, auth.RoleAdmin)
	env.Do(t, "GET", "/api/v1/messages?kind=nonsense", admin, nil).Expect(t, 422)
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; pages < 5; pages++ {
		var page struct {
			Items      []messages.Message `json:"items"`
			NextCursor *string            `json:"next_cursor"`
		}
		env.Do(t, "GET", "/api/v1/messages?kind=test&limit=2"+cursor, admin, nil).Expect(t, 200).JSON(t, &page)
		for _, m := range page.Items {
			if seen[m.ID] {
				t.Fatalf("message %s on two pages", m.ID)
			}
			seen[m.ID] = true
		}
		if page.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *page.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("%d messages over the pages, want 5", len(seen))
	}
}

type url string

func (u url) URL() string { return string(u) }

// Every kind the contract names has its French and its English version.
func TestTemplates_EveryKindInBothLanguages(t *testing.T) {
	env := apptest.New(t)
	for _, k := range messages.Kinds {
		for _, lang := range []string{"fr", "en"} {
			if !env.App.Outbox.HasTemplate(k, lang) {
				t.Errorf("kind %s has no %s template", k, lang)
			}
		}
	}
}
