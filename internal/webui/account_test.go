package webui_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
	"github.com/pquerna/otp/totp"
)

var activateRe = regexp.MustCompile(`/account/activate\?token=([A-Za-z0-9_-]+)`)

func TestActivationPage_ChoosesThePasswordOnceAndSpentLinksSaySo(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	_, err := env.App.Auth.CreateUser(context.Background(), "test", auth.NewUser{Email: "lina@example.fr", Name: "Lina Petit", Role: auth.RoleTrainer})
	if err != nil {
		t.Fatal(err)
	}
	env.Deliver(t)
	m := activateRe.FindStringSubmatch(srv.Find(messages.KindInvitation, "lina@example.fr")[0].Text)
	v := newVisitor(t, env)
	v.get(m[0]).has(t, "Activer mon compte", "Au moins 12 caractères")
	form := url.Values{"token": {m[1]}, "password": {"phrase de passe solide"}, "password_again": {"phrase de passe autre"}}
	v.post("/account/activate", form).status(t, 422)
	form.Set("password_again", "phrase de passe solide")
	if loc := v.post("/account/activate", form).location(t); loc != "/login" {
		t.Fatalf("after activation: %s", loc)
	}
	v.get("/login").has(t, "Votre compte est activé")
	res := v.post("/account/activate", form)
	res.status(t, 400)
	res.has(t, "Ce lien n'est plus valable", "nouvelle invitation")
	v.get("/account/activate").has(t, "Ce lien n'est plus valable")
}

func TestAccountPage_ChangePasswordAndLanguageFollowsToMessages(t *testing.T) {
	env := apptest.New(t)
	v, u := signedIn(t, env, auth.RoleJury)
	v.get("/account").has(t, "Mon compte", "Changer de mot de passe", "Se déconnecter partout")
	v.post("/account/password", url.Values{"current_password": {"faux"}, "new_password": {"phrase de passe neuve"},
		"new_password_again": {"phrase de passe neuve"}}).status(t, 422)
	if loc := v.post("/account/password", url.Values{"current_password": {"motdepasse-de-test"}, "new_password": {"phrase de passe neuve"},
		"new_password_again": {"phrase de passe neuve"}}).location(t); loc != "/account" {
		t.Fatalf("after change: %s", loc)
	}
	v.get("/account").has(t, "Mot de passe changé")
	v.get("/lang/en?next=/account")
	got, err := env.App.Auth.Get(context.Background(), u.ID)
	if err != nil || got.Locale != "en" {
		t.Fatalf("locale %q, %v", got.Locale, err)
	}
	if loc := v.post("/account/logout-all", nil).location(t); loc != "/login" {
		t.Fatalf("after logout-all: %s", loc)
	}
	if loc := v.get("/account").location(t); loc == "" {
		t.Fatal("still signed in after signing out everywhere")
	}
}

func TestSecondFactorPages_EnrolConfirmAndSignInWithTheCode(t *testing.T) {
	env := apptest.New(t)
	v, u := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin").has(t, "Recommandé : protégez votre compte d'administrateur")
	v.get("/account").has(t, "Double authentification", "Activer la double authentification")
	page := v.post("/account/totp", nil)
	page.status(t, 200)
	page.has(t, "Scannez ce code", `src="data:image/png;base64,`)
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("no secret on the page")
	}
	code, _ := totp.GenerateCode(m[1], env.Clock.Now())
	v.post("/account/totp/confirm", url.Values{"code": {code}}).has(t, "Notez ces dix codes de secours")
	v.get("/admin").lacks(t, "Recommandé : protégez votre compte")

	w := newVisitor(t, env)
	w.get("/login")
	second := w.post("/login", url.Values{"email": {u.Email}, "password": {"motdepasse-de-test"}})
	second.status(t, 401)
	second.has(t, "Saisissez le code de votre application", `name="otp"`)
	env.Clock.Advance(30 * time.Second)
	next, _ := totp.GenerateCode(m[1], env.Clock.Now())
	if loc := w.post("/login", url.Values{"email": {u.Email}, "password": {"motdepasse-de-test"}, "otp": {next}, "otp_step": {"1"}}).location(t); loc != "/admin" {
		t.Fatalf("signed in to %q", loc)
	}
}
