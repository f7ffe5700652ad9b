package auth_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

var linkRe = regexp.MustCompile(`https://cqp\.example\.test/account/(activate|reset)\?token=([A-Za-z0-9_-]+)`)

// tokenIn reads the single-use link of a received message and checks where it points.
func tokenIn(t *testing.T, m mailtest.Mail, page string) string {
	t.Helper()
	found := linkRe.FindStringSubmatch(m.Text)
	if found == nil || found[1] != page {
		t.Fatalf("no %s link in:\n%s", page, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+found[0]+`"`) {
		t.Fatalf("the HTML version lacks the link %s", found[0])
	}
	return found[2]
}

func login(env *apptest.Env, t *testing.T, email, pw string) *apptest.Response {
	t.Helper()
	return env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw})
}

func TestInvitation_ReceivedActivatedOnceThenSignIn(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	_, admin := env.User(t, auth.RoleAdmin)
	var u auth.User
	env.Do(t, "POST", "/api/v1/users", admin, map[string]any{"email": "Jeanne.Roux@Example.fr", "name": "Jeanne Roux", "role": "jury",
		"organisation": "Cabinet Roux"}).Expect(t, 201).JSON(t, &u)
	var raw map[string]any
	env.Do(t, "GET", "/api/v1/users/"+u.ID, admin, nil).Expect(t, 200).JSON(t, &raw)
	if raw["active"] != false {
		t.Fatalf("an invited account is active: %v", raw)
	}
	login(env, t, "jeanne.roux@example.fr", "anything-at-all").Expect(t, 401)

	env.Deliver(t)
	m := srv.WaitFor(t, 1)[0]
	if m.Kind != messages.KindInvitation || !m.SentTo("jeanne.roux@example.fr") || !strings.Contains(m.Text, "Bonjour Jeanne Roux") ||
		!strings.Contains(m.Text, "membre de jury") || !strings.Contains(m.Text, "25\u00a0novembre 2026") {
		t.Fatalf("invitation %q:\n%s", m.Subject, m.Text)
	}
	tok := tokenIn(t, m, "activate")

	// Bad passwords are refused on the password field, the link still valid.
	for _, pw := range []string{"court-11car", "aaaaaaaaaaaa", "password1234", "Azertyuiop12", "tab\there-12345"} {
		p := env.Do(t, "POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": pw}).Expect(t, 422).Problem(t)
		if !p.HasField("password") {
			t.Errorf("%q: %+v", pw, p)
		}
	}
	env.Do(t, "POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": "douze-car-ok"}).Expect(t, 204)
	p := env.Do(t, "POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": "une autre phrase"}).Expect(t, 400).Problem(t)
	if p.Code != "invalid_token" {
		t.Fatalf("reused link: %+v", p)
	}
	env.Do(t, "POST", "/api/v1/auth/activate", "", map[string]string{"token": "made-up", "password": "une autre phrase"}).Expect(t, 400)
	login(env, t, "jeanne.roux@example.fr", "douze-car-ok").Expect(t, 200)
	env.Do(t, "POST", "/api/v1/users/"+u.ID+"/invitation", admin, nil).Expect(t, 409)
}

func TestInvitation_ExpiresAfter72HoursAndCanBeResent(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	adminUser, admin := env.User(t, auth.RoleAdmin)
	var u auth.User
	env.Do(t, "POST", "/api/v1/users", admin, map[string]any{"email": "paul@example.fr", "name": "Paul", "role": "trainer"}).Expect(t, 201).JSON(t, &u)
	env.Deliver(t)
	first := tokenIn(t, srv.WaitFor(t, 1)[0], "activate")
	env.Clock.Advance(72*time.Hour + time.Second)
	env.Do(t, "POST", "/api/v1/auth/activate", "", map[string]string{"token": first, "password": "une phrase assez longue"}).Expect(t, 400)
	s, err := env.App.Auth.Open(t.Context(), adminUser) // the morning's session has expired
	if err != nil {
		t.Fatal(err)
	}
	env.Do(t, "POST", "/api/v1/users/"+u.ID+"/invitation", s.Token, nil).Expect(t, 202)
	env.Deliver(t)
	second := tokenIn(t, srv.WaitFor(t, 2)[1], "activate")
	env.Clock.Advance(72*time.Hour - time.Second)
	env.Do(t, "POST", "/api/v1/auth/activate", "", map[string]string{"token": second, "password": "une phrase assez longue"}).Expect(t, 204)
}

// A rolled-back event writes no message: an account refused for its
// duplicate address sends no invitation.
func TestInvitation_RefusedAccountSendsNothing(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	_, admin := env.User(t, auth.RoleAdmin)
	env.Do(t, "POST", "/api/v1/users", admin, map[string]any{"email": "dup@example.fr", "name": "Un", "role": "trainer"}).Expect(t, 201)
	env.Do(t, "POST", "/api/v1/users", admin, map[string]any{"email": "DUP@example.fr", "name": "Deux", "role": "trainer"}).Expect(t, 409)
	env.Do(t, "POST", "/api/v1/users", admin, map[string]any{"email": "c@example.fr", "name": "Trois", "role": "candidate", "candidate_id": "nope"}).Expect(t, 422)
	var page struct{ Items []messages.Message }
	env.Do(t, "GET", "/api/v1/messages?kind=invitation", admin, nil).Expect(t, 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].To != "dup@example.fr" {
		t.Fatalf("messages %+v", page.Items)
	}
}

func TestPasswordReset_SameAnswerForAnyAddressOneHourSingleUseSessionsRevoked(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	u, _ := env.User(t, auth.RoleTrainer)
	old := login(env, t, u.Email, "motdepasse-de-test").Expect(t, 200)
	var sess auth.Session
	old.JSON(t, &sess)

	unknown := env.Do(t, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "nobody@example.fr"}).Expect(t, 202)
	known := env.Do(t, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": strings.ToUpper(u.Email)}).Expect(t, 202)
	if string(unknown.Body) != string(known.Body) {
		t.Fatalf("the answers differ: %s / %s", unknown.Body, known.Body)
	}
	env.Deliver(t)
	mails := srv.WaitFor(t, 1)
	if len(mails) != 1 || mails[0].Kind != messages.KindPasswordReset || !mails[0].SentTo(u.Email) {
		t.Fatalf("mails %+v", mails)
	}
	tok := tokenIn(t, mails[0], "reset")
	env.Do(t, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "short"}).Expect(t, 422)
	env.Do(t, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "nouvelle phrase secrète"}).Expect(t, 204)
	env.Do(t, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "encore une autre"}).Expect(t, 400)
	env.Do(t, "GET", "/api/v1/auth/me", sess.Token, nil).Expect(t, 401)
	login(env, t, u.Email, "nouvelle phrase secrète").Expect(t, 200)
	env.Deliver(t)
	if got := srv.WaitFor(t, 2)[1]; got.Kind != messages.KindPasswordChanged || !strings.Contains(got.Text, "/account/forgot") {
		t.Fatalf("second message %s:\n%s", got.Kind, got.Text)
	}

	// A link lives one hour.
	env.Do(t, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.Email}).Expect(t, 202)
	env.Deliver(t)
	late := tokenIn(t, srv.WaitFor(t, 3)[2], "reset")
	env.Clock.Advance(time.Hour + time.Second)
	env.Do(t, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": late, "password": "trop tard pour celle-ci"}).Expect(t, 400)
}

func TestPasswordReset_ThrottledWithoutRevealingIt(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	u, _ := env.User(t, auth.RoleTrainer)
	for range 12 {
		env.Do(t, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": u.Email}).Expect(t, 202)
	}
	env.Deliver(t)
	if n := len(srv.Find(messages.KindPasswordReset, u.Email)); n == 0 || n > 6 {
		t.Fatalf("%d reset messages for 12 requests in an instant", n)
	}
}

func TestChangePassword_OtherSessionsRevokedThisOneKept_LogoutAll(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	u, first := env.User(t, auth.RoleJury)
	s2, err := env.App.Auth.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	p := env.Do(t, "POST", "/api/v1/auth/password", first, map[string]string{"current_password": "wrong", "new_password": "une phrase assez longue"}).Expect(t, 422).Problem(t)
	if !p.HasField("current_password") {
		t.Fatalf("%+v", p)
	}
	env.Do(t, "POST", "/api/v1/auth/password", first, map[string]string{"current_password": "motdepasse-de-test", "new_password": "azerty"}).Expect(t, 422)
	env.Do(t, "POST", "/api/v1/auth/password", first, map[string]string{"current_password": "motdepasse-de-test", "new_password": "une phrase assez longue"}).Expect(t, 204)
	env.Do(t, "GET", "/api/v1/auth/me", first, nil).Expect(t, 200)
	env.Do(t, "GET", "/api/v1/auth/me", s2.Token, nil).Expect(t, 401)
	env.Deliver(t)
	if m := srv.Find(messages.KindPasswordChanged, u.Email); len(m) != 1 {
		t.Fatalf("%d password_changed messages", len(m))
	}
	s3, _ := env.App.Auth.Open(t.Context(), u)
	env.Do(t, "POST", "/api/v1/auth/logout-all", first, nil).Expect(t, 204)
	env.Do(t, "GET", "/api/v1/auth/me", first, nil).Expect(t, 401)
	env.Do(t, "GET", "/api/v1/auth/me", s3.Token, nil).Expect(t, 401)
}

func TestUsersAdmin_SearchPagesPatchRules(t *testing.T) {
	env := apptest.New(t)
	me, admin := env.User(t, auth.RoleAdmin)
	for _, n := range []string{"Alice Martin", "Bruno Martin", "Chloé Durand"} {
		env.User(t, auth.RoleJury, apptest.Named(n))
	}
	var page struct {
		Items      []auth.User
		NextCursor *string `json:"next_cursor"`
	}
	env.Do(t, "GET", "/api/v1/users?q=MARTIN&role=jury&limit=1", admin, nil).Expect(t, 200).JSON(t, &page)
	if len(page.Items) != 1 || page.NextCursor == nil {
		t.Fatalf("page 1 %+v", page)
	}
	first := page.Items[0].Name
	env.Do(t, "GET", "/api/v1/users?q=MARTIN&role=jury&limit=1&cursor="+url.QueryEscape(*page.NextCursor), admin, nil).Expect(t, 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Name == first || !strings.Contains(page.Items[0].Name, "Martin") {
		t.Fatalf("page 2 %+v", page)
	}
	target, tok := env.User(t, auth.RoleTrainer)
	p := env.Do(t, "PATCH", "/api/v1/users/"+me.ID, admin, map[string]any{"disabled": true}).Expect(t, 422).Problem(t)
	if p.Code != "self_lockout" {
		t.Fatalf("%+v", p)
	}
	env.Do(t, "PATCH", "/api/v1/users/"+me.ID, admin, map[string]any{"role": "trainer"}).Expect(t, 422)
	env.Do(t, "PATCH", "/api/v1/users/"+target.ID, admin, map[string]any{"role": "candidate"}).Expect(t, 422) // no candidate_id
	env.Do(t, "GET", "/api/v1/auth/me", tok, nil).Expect(t, 200)
	var after map[string]any
	env.Do(t, "PATCH", "/api/v1/users/"+target.ID, admin, map[string]any{"disabled": true, "name": "Nouveau Nom"}).Expect(t, 200).JSON(t, &after)
	if after["disabled"] != true || after["name"] != "Nouveau Nom" {
		t.Fatalf("%v", after)
	}
	env.Do(t, "GET", "/api/v1/auth/me", tok, nil).Expect(t, 401) // at once, not after the cache
	login(env, t, target.Email, "motdepasse-de-test").Expect(t, 401)
	c := env.Candidate(t)
	env.Do(t, "PATCH", "/api/v1/users/"+target.ID, admin, map[string]any{"disabled": false, "role": "candidate", "candidate_id": c.ID}).Expect(t, 200)
	env.Do(t, "PATCH", "/api/v1/users/nope", admin, map[string]any{"name": "X Y"}).Expect(t, 404)
	env.Do(t, "PATCH", "/api/v1/users/"+target.ID, tok, map[string]any{"name": "X Y"}).Expect(t, 401)
	var n int64
	env.App.DB.Table("audit_entries").Where("action = ? AND entity_id = ?", "user.update", target.ID).Count(&n)
	if n != 2 {
		t.Fatalf("%d audit rows", n)
	}
}
