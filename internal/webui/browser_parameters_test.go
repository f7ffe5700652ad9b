//go:build browser

package webui_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/chromedp/chromedp"
)

// withNextHalfYearScenario serves the embedded assessments plus the gym
// subscription file moved into the first half of 2027 (formal notice on
// 15 January, as of 10 March), which the seeded tables do not cover yet.
func withNextHalfYearScenario(t *testing.T) apptest.Option {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(assessments.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assessments.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	y := strings.NewReplacer(
		"id: clerc1-frais-salle-de-sport", "id: clerc1-frais-2027",
		`title: "Frais de recouvrement`, `title: "2027 — Frais de recouvrement`,
		"as_of: 2026-03-10", "as_of: 2027-03-10",
		"starts_on: 2025-09-05", "starts_on: 2026-12-05",
		"on: 2025-10-06", "on: 2027-01-05",
		"on: 2025-12-15", "on: 2027-01-15",
	).Replace(string(m["scenarios/clerc1-frais-salle-de-sport.yaml"].Data))
	if !strings.Contains(y, "as_of: 2027-03-10") || !strings.Contains(y, `title: "2027 — `) {
		t.Fatal("the scenario moved: update the replacements")
	}
	m["scenarios/clerc1-frais-2027.yaml"] = &fstest.MapFile{Data: []byte(y)}
	return apptest.WithAssessments(m)
}

// The administrator sees the dashboard's warning, adds next half-year's
// legal interest rate (the one after the app clock's 22 November 2026) on
// « Paramètres du droit », mending a typing error shown next to its field,
// and the engine's trial computation over that half-year then uses the
// new rate and no longer reports PARAMETER_MISSING.
func TestBrowserParameters_AdministratorAddsNextHalfYearsLegalRateAndTheEngineUsesIt(t *testing.T) {
	env := apptest.New(t, apptest.WithDemo(), withNextHalfYearScenario(t), apptest.WithConfig(func(c *config.Config) {
		c.SecureCookie = false
		c.BaseURL = "http://127.0.0.1"
	}))
	b := newTab(t, env)
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")

	// A trainee's catalogue lacks the scenario dated in 2027: its keys need
	// that half-year's rate.
	trainee := newTab(t, env)
	trainee.login("candidat@demo.cqp.fr", "Candidat-2026")
	trainee.open("/training")
	if trainee.eval(`document.querySelector("#s-clerc1-frais-2027") ? "yes" : "no"`) != "no" {
		t.Fatal("a scenario outside the tables is offered")
	}

	b.open("/admin")
	b.contains("Le taux de l'intérêt légal du semestre en cours (à partir du 1er juillet 2026) n'est pas saisi")
	b.submit("#params-missing a", "#param-form")
	b.contains("Paramètres du droit", "Taux de l'intérêt légal", "6,67 %")

	// Before: the first half of 2027 has no rate; the engine says so.
	trial := func() {
		b.do(chromedp.SetValue(chromedp.CSS("#f-t_notice"), "2027-01-15"),
			chromedp.SetValue(chromedp.CSS("#f-t_as_of"), "2027-03-31"))
		b.submit("#trial-form button", "#trial-result")
	}
	trial()
	b.contains("PARAMETER_MISSING", "Le taux d'intérêt légal du 1er semestre 2027 n'est pas dans les tables")
	if got := plainSpaces(b.text("#trial-interest")); got != "5,38 €" {
		t.Fatalf("interest before the addition: %q", got)
	}

	// A typing error first: refused next to its field, nothing added.
	b.do(chromedp.SetValue(chromedp.CSS("#f-from"), "2027-01-01"),
		chromedp.SendKeys(chromedp.CSS("#f-consumer_creditor"), "7"),
		chromedp.SendKeys(chromedp.CSS("#f-other"), "350"),
		chromedp.SendKeys(chromedp.CSS("#f-source"), "Arrêté du 18 décembre 2026"))
	b.submit("#param-form button[type=submit]", "#e-other")
	if got := plainSpaces(b.text("#e-other")); !strings.Contains(got, "Taux invraisemblable : au-delà de 100 %") {
		t.Fatalf("error next to the field: %q", got)
	}
	b.shot("admin-parameters-error")
	b.do(chromedp.SetValue(chromedp.CSS("#f-other"), "3,5"))
	b.submit("#param-form button[type=submit]", ".flash")
	b.contains("Valeur ajoutée : en vigueur à partir du 1er janvier 2027.", "ajoutée par un administrateur", "3,50 %")

	// After: the same computation takes the new rate.
	trial()
	if got := plainSpaces(b.text("#trial-interest")); got != "7,19 €" {
		t.Fatalf("interest after the addition: %q", got)
	}
	b.contains("Toutes les valeurs nécessaires sont en vigueur.", "3,50 %")
	if strings.Contains(b.text("#trial-result"), "PARAMETER_MISSING") {
		t.Fatal("the engine still reports the half-year missing")
	}
	b.shot("admin-parameters")

	// The trainee's catalogue now offers the 2027 file, graded with the new rate.
	trainee.open("/training")
	trainee.contains("2027 — Frais de recouvrement")
	trainee.submit("#s-clerc1-frais-2027 button[type=submit]", "#submit-attempt")
	trainee.contains("Courriel du service contentieux de FitAvenue SAS", "Rendre la copie")
	trainee.submit("#submit-attempt", "#confirm-submit")
	trainee.submit("#confirm-submit-btn", ".score-ring")
	trainee.contains("Copie rendue.", "Correction question par question")
}
