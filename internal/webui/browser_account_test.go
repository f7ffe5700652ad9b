//go:build browser

package webui_test

import (
	"regexp"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
	"github.com/chromedp/chromedp"
)

var resetLinkRe = regexp.MustCompile(`/account/reset\?token=([A-Za-z0-9_-]+)`)

// "Mot de passe oublié" end to end: the trainer asks from the sign-in page,
// the message reaches the mail server, its link opens the page where she
// chooses a new password, she signs in with it, and the link is spent.
func TestBrowser_ForgottenPasswordEndToEnd(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithDemo(), apptest.WithSMTP(srv), apptest.WithConfig(func(c *config.Config) {
		c.SecureCookie = false
		c.BaseURL = "http://127.0.0.1"
	}))
	b := newTab(t, env)
	b.open("/login")
	b.submit("a[href='/account/forgot']", "#f-email")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), "formatrice@demo.cqp.fr"))
	b.submit("form[action='/account/forgot'] button[type=submit]", "#forgot-sent")
	b.contains("Si un compte actif existe pour cette adresse")
	b.shot("account-forgot")

	env.Deliver(t)
	mails := srv.Find(messages.KindPasswordReset, "formatrice@demo.cqp.fr")
	if len(mails) != 1 {
		t.Fatalf("%d reset messages", len(mails))
	}
	m := resetLinkRe.FindStringSubmatch(mails[0].Text)
	if m == nil {
		t.Fatalf("no link in:\n%s", mails[0].Text)
	}
	b.open(m[0])
	b.contains("Choisir un nouveau mot de passe", "Au moins 12 caractères")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-password"), "azerty"),
		chromedp.SendKeys(chromedp.CSS("#f-password_again"), "azerty"),
	)
	b.submit("form[action='/account/reset'] button[type=submit]", "#e-password")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-password"), "une nouvelle phrase de passe"),
		chromedp.SendKeys(chromedp.CSS("#f-password_again"), "une nouvelle phrase de passe"),
	)
	b.submit("form[action='/account/reset'] button[type=submit]", "#f-email")
	b.contains("Votre mot de passe est changé")
	b.login("formatrice@demo.cqp.fr", "une nouvelle phrase de passe")
	if p := b.path(); p != "/admin/candidates" {
		t.Errorf("signed in at %s", p)
	}
	b.open(m[0])
	b.submitIfForm()
}

// submitIfForm: a spent link shows the invalid-link notice, even before
// anything is typed, once the form is sent.
func (b *tab) submitIfForm() {
	b.t.Helper()
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-password"), "encore une autre phrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password_again"), "encore une autre phrase"),
	)
	b.submit("form[action='/account/reset'] button[type=submit]", "#token-invalid")
	b.contains("Ce lien n'est plus valable")
}
