//go:build browser

package webui_test

// Browser tests: the product runs on a fresh database (demo data loaded),
// and Debian's Chromium, driven by chromedp, goes through the pages as a
// person would. `go test -tags browser ./internal/webui/...`; with
// CQP_SCREENSHOTS=docs/screenshots (relative to the module root) they also
// write the screenshots of the main pages at desktop and tablet widths.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/chromedp/chromedp"
)

// Widths of the screenshots: a desktop and a tablet held upright (a jury
// member scores on one).
var widths = []struct {
	name string
	w, h int64
}{{"desktop", 1280, 900}, {"tablet", 820, 1180}}

type tab struct {
	t    *testing.T
	env  *apptest.Env
	ctx  context.Context
	base string
}

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: apt-get install chromium (.ci/run does)")
	return ""
}

// demoEnv starts the product with the demo dataset, on plain HTTP as a
// local deployment is (so cookies are not Secure).
func demoEnv(t *testing.T) *apptest.Env {
	return apptest.New(t, apptest.WithDemo(), browserConfig)
}

// demoYearEnv serves the demo year: every kind of page has something on it
// (minutes, certificates, VAE at each stage).
func demoYearEnv(t *testing.T) *apptest.Env {
	return apptest.New(t, apptest.WithDemoYear(), browserConfig)
}

var browserConfig = apptest.WithConfig(func(c *config.Config) {
	c.SecureCookie = false
	c.BaseURL = "http://127.0.0.1"
})

// newTab starts a headless Chromium of its own for the test, in French.
func newTab(t *testing.T, env *apptest.Env) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root in a container
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Flag("accept-lang", "fr-FR,fr"),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("hide-scrollbars", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &tab{t: t, env: env, ctx: ctx, base: env.Server.URL}
}

// do runs the steps, each run bounded so that a missing element fails the
// test instead of hanging it.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		b.t.Fatalf("browser at %s: %v\npage text:\n%s", loc, err, body)
	}
}

// waitJS waits until the expression is true (htmx swaps, autosave, a new
// page). A navigation in between destroys the page being asked, so errors
// are retried until the deadline.
func (b *tab) waitJS(expr string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	b.t.Fatalf("waiting for %s at %s: %v\npage text:\n%s", expr, loc, last, body)
}

func (b *tab) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// text is the visible text of the first element matching the CSS selector.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *tab) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return s
}

func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// contains fails unless the page's main text has every want.
func (b *tab) contains(want ...string) {
	b.t.Helper()
	body := plainSpaces(b.text("main"))
	for _, w := range want {
		if !strings.Contains(body, plainSpaces(w)) {
			b.t.Errorf("at %s the page lacks %q; text:\n%s", b.path(), w, body)
		}
	}
}

// click clicks an element as a person would: scrolled to the middle of the
// screen first, clear of the player's sticky action bar (a click at the edge
// of the screen would land on the bar's "Rendre la copie").
func (b *tab) click(sel string) {
	b.t.Helper()
	b.eval(fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"}); "1"`, sel))
	b.do(chromedp.Click(chromedp.CSS(sel)))
}

// submit clicks a form's button and waits for the next page: the old
// page's window carries a mark the new one has not.
func (b *tab) submit(button, waitFor string) {
	b.t.Helper()
	b.eval(`window.__cqpOld = "1"; "1"`)
	b.click(button)
	b.waitJS(`!window.__cqpOld && document.readyState === "complete"`)
	b.do(chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

func (b *tab) login(email, password string) {
	b.t.Helper()
	b.open("/login")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), password),
	)
	b.submit("form[action='/login'] button[type=submit]", "form[action='/logout']")
}

// follow clicks the link inside sel whose text holds name, then waits for
// the selector next: a list's first row depends on the dataset (the small
// demo, or the demo year for screenshots), a person's name does not.
func (b *tab) follow(sel, name, next string) {
	b.t.Helper()
	found := b.eval(fmt.Sprintf(`(() => { const a = [...document.querySelectorAll(%q)].find(a => a.innerText.includes(%q));
		if (!a) return ""; a.setAttribute("data-follow", "1"); return "1"; })()`, sel+" a", name))
	if found == "" {
		b.t.Fatalf("no link to %s in %s at %s", name, sel, b.path())
	}
	b.submit(sel+` a[data-follow="1"]`, next)
}

// shot writes the current page at each width into CQP_SCREENSHOTS, when set.
func (b *tab) shot(name string) {
	b.t.Helper()
	dir := os.Getenv("CQP_SCREENSHOTS")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // tests run in internal/webui
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	for _, w := range widths {
		b.do(chromedp.EmulateViewport(w.w, w.h))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s.png", name, w.name)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(1280, 900))
}

func TestBrowser_AdministratorFindsCandidatesEnrollsAndReadsTheJournal(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)

	b.open("/admin")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("signed out, /admin went to %s", p)
	}
	b.contains("Connexion", "Adresse électronique")
	b.shot("login")

	// A wrong password: the message is shown, the email kept.
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-email"), "admin@demo.cqp.fr"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "mauvais"),
	)
	b.submit("form[action='/login'] button[type=submit]", "#form-error")
	if v := b.eval(`document.querySelector("#f-email").value`); v != "admin@demo.cqp.fr" {
		t.Errorf("email field after a refusal: %q", v)
	}
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")
	if p := b.path(); p != "/admin" {
		t.Fatalf("after sign-in at %s, want /admin", p)
	}
	b.contains("Tableau de bord", "Candidats par voie d'accès", "Documents délivrés par mois")
	if n := b.eval(`String(document.querySelectorAll("main svg.chart").length)`); n == "0" {
		t.Error("no chart on the dashboard")
	}
	b.shot("admin-dashboard")

	// The live search (htmx) narrows the list as one types, accents ignored.
	b.open("/admin/candidates")
	b.contains("Lefèvre", "Wiśniewski")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-q"), "wisniewski"))
	b.waitJS(`!document.querySelector("#results").innerText.includes("Lefèvre")`)
	b.contains("Wiśniewski")
	b.open("/admin/candidates")
	b.shot("admin-candidates")

	// A new candidate: errors next to the fields in French, input kept.
	b.open("/admin/candidates/new")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Bérénice"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "pas-une-adresse"),
	)
	b.submit("main form button[type=submit]", "#e-last_name")
	b.contains("Le formulaire contient des erreurs")
	if focused := b.eval(`document.activeElement ? document.activeElement.id : ""`); focused != "form-error" {
		t.Errorf("focus after a refused form is on %q, want the error summary", focused)
	}
	if v := b.eval(`document.querySelector("#f-first_name").value`); v != "Bérénice" {
		t.Errorf("first name after the refusal: %q", v)
	}
	b.shot("admin-candidate-form-errors")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Château"),
		chromedp.SetValue(chromedp.CSS("#f-email"), "berenice.chateau@example.fr"),
		chromedp.SetValue(chromedp.CSS("#f-birth_date"), "1992-04-01"),
	)
	b.submit("main form button[type=submit]", ".flash")
	b.contains("Candidat enregistré.", "Bérénice Château", "1er avril 1992")

	// Enrollment: choose the certification and the pathway.
	b.do(
		chromedp.SetValue(chromedp.CSS("#f-certification"), "clerc-recouvrement-amiable"),
		chromedp.SetValue(chromedp.CSS("#f-pathway"), "formation_continue"),
	)
	b.submit("form[action$='/enrollments'] button[type=submit]", ".flash")
	b.contains("Inscription enregistrée.", "Formation continue")
	b.shot("admin-candidate")

	b.open("/admin/audit?verify=1")
	b.contains("Journal d'audit", "Chaîne d'intégrité intacte", "a inscrit le candidat", "a enregistré le candidat")
	b.shot("admin-audit")

	// English switch and back.
	b.do(chromedp.Click(chromedp.CSS("a.lang")), chromedp.WaitVisible(chromedp.CSS("html[lang=en]")))
	b.contains("Audit log")
	b.do(chromedp.Click(chromedp.CSS("a.lang")), chromedp.WaitVisible(chromedp.CSS("html[lang=fr]")))

	// Sign out: the session is gone.
	b.submit("form[action='/logout'] button", "#f-email")
	b.contains("Vous êtes déconnecté.")
	b.open("/admin")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after sign-out /admin went to %s", p)
	}
}

func TestBrowser_FormWithATamperedTokenIsRefused(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")
	b.open("/admin/candidates/new")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Intrus"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Falsifié"),
		chromedp.SetValue(chromedp.CSS("#f-birth_date"), "1990-01-01"),
		chromedp.SetValue(chromedp.CSS("main input[name=_csrf]"), "jeton-falsifie"),
	)
	b.submit("main form button[type=submit]", ".error-page")
	b.contains("Accès refusé", "Le formulaire a expiré ou ne provient pas de ce site.")
	b.shot("csrf-refused")
	var n int64
	if err := env.App.DB.Table("candidates").Where("last_name = ?", "Falsifié").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the refused form created %d candidates", n)
	}
}

func TestBrowser_TraineeTakesAScenarioSeesFeedbackAndCannotOpenAdminPages(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.login("candidat@demo.cqp.fr", "Candidat-2026")
	if p := b.path(); p != "/training" {
		t.Fatalf("a trainee lands on %s", p)
	}
	b.contains("Éloïse", "AGENT-4", "Appel difficile")
	b.shot("trainee-catalogue")
	if got := b.eval(`[...document.querySelectorAll("nav a")].map(a => a.getAttribute("href")).join(" ")`); strings.Contains(got, "/admin") {
		t.Errorf("the trainee's menu links to administration: %s", got)
	}

	b.submit("#s-agent4-appel-contestation button[type=submit]", ".chat")
	b.contains("Fiche du dossier", "Rendre la copie")
	if cd := b.text(".countdown"); !strings.Contains(cd, ":") {
		t.Errorf("countdown shows %q", cd)
	}
	// A choice is autosaved without leaving the page.
	b.click("main form label.choice")
	b.waitJS(`document.querySelector("#savestate").innerText.startsWith("Enregistré à")`)
	b.shot("trainee-player")

	// The call, one reply at a time, until it ends.
	for i := 0; i < 12; i++ {
		if b.eval(`document.querySelector(".reply-btn") ? "yes" : "no"`) == "no" {
			break
		}
		// A reply swaps the call in place (htmx): no new page.
		n := b.eval(`String(document.querySelectorAll(".chat > li").length)`)
		b.click(".reply-btn")
		b.waitJS(`document.querySelectorAll(".chat > li").length > ` + n)
	}
	b.contains("Fin de l'appel.")
	if checked := b.eval(`String(document.querySelectorAll("main input[type=radio]:checked").length)`); checked != "1" {
		t.Errorf("the saved choice is lost across the call: %s checked", checked)
	}
	b.shot("trainee-call")

	b.submit("#submit-attempt", "#confirm-submit")
	b.submit("#confirm-submit-btn", ".score-ring")
	b.contains("Copie rendue.", "Correction question par question")
	if n := b.eval(`String(document.querySelectorAll(".item .rule, .item .feedback").length)`); n == "0" {
		t.Error("the result shows no feedback and no rule")
	}
	b.shot("trainee-result")

	for _, path := range []string{"/admin", "/admin/candidates", "/admin/audit"} {
		b.open(path)
		b.contains("Accès refusé", "Votre rôle ne permet pas d'ouvrir cette page.")
	}
	b.shot("forbidden")
}

func TestBrowser_AdministratorIssuesACertificateThePublicVerifiesItFromItsQRCodeURL(t *testing.T) {
	env := demoEnv(t)
	c := certifiedCandidate(t, env, "Anaïs", "Érard")
	b := newTab(t, env)
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")

	b.open("/admin/candidates/" + c.ID)
	b.contains("Certificats et attestations", "Aucun document délivré.")
	b.submit("#issue-btn", ".flash")
	number := strings.TrimSpace(b.text(".doc-number"))
	b.contains("Document délivré : n° "+number, "Valide", "Télécharger le PDF")
	b.shot("admin-candidate-documents")

	// The address printed in the QR code, opened by someone signed out in
	// a browser of their own.
	var rec certificates.Record
	if err := env.App.DB.Take(&rec, "number = ?", number).Error; err != nil {
		t.Fatal(err)
	}
	doc, err := rec.Document()
	if err != nil {
		t.Fatal(err)
	}
	qr, err := url.Parse(doc.VerificationURL)
	if err != nil || qr.Path != "/verify/"+number {
		t.Fatalf("verification URL %q (%v)", doc.VerificationURL, err)
	}
	pub := newTab(t, env)
	pub.open(qr.Path)
	pub.contains("Document authentique et valide", "Anaïs É.", "Certificat de qualification professionnelle", number)
	if strings.Contains(pub.text("main"), "Érard") {
		t.Error("the public page shows the holder's last name")
	}
	if pub.eval(`document.querySelector("form[action='/logout']") ? "yes" : "no"`) != "no" {
		t.Error("the public browser is signed in")
	}
	pub.shot("verify-valid")

	// Revocation: the reason is required, its error next to the field.
	revoke := "form[action$='/" + number + "/revoke'] button[type=submit]"
	b.submit(revoke, "#e-reason-"+number)
	b.contains("Indiquez le motif de la révocation.")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-reason-"+number), "Décision du jury annulée."))
	// Final: the page asks once more, with the reason in full.
	b.submit(revoke, "#confirm-revoke-"+number)
	b.contains("Révoquer le document n° "+number+" ?", "Motif : Décision du jury annulée.")
	b.shot("admin-candidate-revoke-confirm")
	b.submit("#confirm-revoke-btn-"+number, ".flash")
	b.contains("Document n° "+number+" révoqué.", "Décision du jury annulée.")
	b.shot("admin-candidate-revoked")

	pub.open(qr.Path)
	pub.contains("RÉVOQUÉ", "Ce document a été révoqué le", "Anaïs É.")
	pub.shot("verify-revoked")

	// On a phone (390 px): the number typed by hand in lower case without
	// dashes, the page found, nothing wider than the screen.
	phone := newTab(t, env)
	phone.do(chromedp.EmulateViewport(390, 844))
	phone.open("/verify")
	phone.do(chromedp.SendKeys(chromedp.CSS("#f-number"), strings.ToLower(strings.ReplaceAll(number, "-", ""))))
	phone.submit("form.verify-form button[type=submit]", "#verify-status")
	phone.contains("RÉVOQUÉ", number)
	if w := phone.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
		t.Errorf("the verification page is wider than a 390 px screen (%s)", phone.eval(`String(document.documentElement.scrollWidth)`))
	}

	// The register finds it by its number typed without dashes.
	b.open("/admin/certificates?q=" + strings.ToLower(strings.ReplaceAll(number, "-", "")))
	b.contains("Registre des certificats", number, "Anaïs Érard", "Révoqué")
	b.shot("admin-register")
}
