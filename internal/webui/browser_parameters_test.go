//go:build browser

package webui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The administrator sees the dashboard's warning, adds next half-year's
// legal interest rate (the one after the app clock's 22 November 2026) on
// « Paramètres du droit », mending a typing error shown next to its field,
// and the engine's trial computation over that half-year then uses the
// new rate and no longer reports PARAMETER_MISSING.
func TestBrowserParameters_AdministratorAddsNextHalfYearsLegalRateAndTheEngineUsesIt(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")

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
	if got := b.text("#trial-interest"); got != "5,38 €" {
		t.Fatalf("interest before the addition: %q", got)
	}

	// A typing error first: refused next to its field, nothing added.
	b.do(chromedp.SetValue(chromedp.CSS("#f-from"), "2027-01-01"),
		chromedp.SendKeys(chromedp.CSS("#f-consumer_creditor"), "7"),
		chromedp.SendKeys(chromedp.CSS("#f-other"), "350"),
		chromedp.SendKeys(chromedp.CSS("#f-source"), "Arrêté du 18 décembre 2026"))
	b.submit("#param-form button[type=submit]", "#e-other")
	if got := b.text("#e-other"); !strings.Contains(got, "Taux invraisemblable : au-delà de 100 %") {
		t.Fatalf("error next to the field: %q", got)
	}
	b.shot("admin-parameters-error")
	b.do(chromedp.SetValue(chromedp.CSS("#f-other"), "3,5"))
	b.submit("#param-form button[type=submit]", ".flash")
	b.contains("Valeur ajoutée : en vigueur à partir du 1er janvier 2027.", "ajoutée par un administrateur", "3,50 %")

	// After: the same computation takes the new rate.
	trial()
	if got := b.text("#trial-interest"); got != "7,19 €" {
		t.Fatalf("interest after the addition: %q", got)
	}
	b.contains("Toutes les valeurs nécessaires sont en vigueur.", "3,50 %")
	if strings.Contains(b.text("#trial-result"), "PARAMETER_MISSING") {
		t.Fatal("the engine still reports the half-year missing")
	}
	b.shot("admin-parameters")
}
