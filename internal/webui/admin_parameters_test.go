package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

func TestDashboard_WarnsUntilTheCurrentHalfYearsLegalRateIsAdded(t *testing.T) {
	env := apptest.New(t) // 22 November 2026: the seed stops at 30 June 2026
	admin, _ := signedIn(t, env, auth.RoleAdmin)

	dash := admin.get("/admin")
	dash.status(t, http.StatusOK)
	dash.has(t, `id="params-missing"`, "semestre en cours (à partir du 1er juillet 2026)", `href="/admin/parameters"`)
	if strings.Contains(dash.Body, "barème de saisie des rémunérations de 2026") {
		t.Error("the 2026 seizure scale is in the seed: no warning about it")
	}

	res := admin.post("/admin/parameters/legal_interest_rate", url.Values{"from": {"2026-07-01"},
		"consumer_creditor": {"6,21"}, "other": {"2,45"}, "source": {"Arrêté du 20 juin 2026"}})
	res.status(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/parameters?table=legal_interest_rate" {
		t.Fatalf("redirect to %q", loc)
	}
	dash = admin.get("/admin")
	if strings.Contains(dash.Body, `id="params-missing"`) {
		t.Fatal("the warning stays after the half-year's rate was added")
	}

	// A new year without its scale: both warnings.
	env.Clock.Set(time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC))
	admin, _ = signedIn(t, env, auth.RoleAdmin) // the session of November has expired
	dash = admin.get("/admin")
	dash.has(t, `id="params-missing"`, "à partir du 1er janvier 2027", "rémunérations de 2027")
}

func TestParametersPage_ListsAddsAndShowsErrorsNextToTheFields(t *testing.T) {
	env := apptest.New(t)
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	trainer, _ := signedIn(t, env, auth.RoleTrainer)
	trainer.get("/admin/parameters").status(t, http.StatusForbidden)
	trainer.post("/admin/parameters/rsa_single_person", url.Values{"from": {"2026-04-01"}, "amount": {"651"}}).status(t, http.StatusForbidden)

	pg := admin.get("/admin/parameters")
	pg.status(t, http.StatusOK)
	pg.has(t, "Paramètres du droit", `aria-current="page"`, "6,67 %", "2,62 %", "€ : 1/20", "au-delà : 1/1", "646,52 €",
		`id="table-small_claims_ceiling"`, "26291", `action="/admin/parameters/legal_interest_rate"`)

	en := admin.do("GET", "/admin/parameters?table=seizure_scale", nil, "Accept-Language", "en")
	en.status(t, http.StatusOK)
	en.has(t, "Law parameters", "Add a value", "Yearly bands", "per dependant: +", "Certification registrations")

	before := countRows(t, env, "parameter_values")
	audits := countRows(t, env, "audit_entries")
	res := admin.post("/admin/parameters/legal_interest_rate", url.Values{"from": {"2026-08-01"}, "consumer_creditor": {"-1"}, "other": {"250"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-from"`, "commence le 1er janvier ou le 1er juillet", `id="e-consumer_creditor"`, "ne peut pas être négatif",
		`id="e-other"`, "au-delà de 100 %", `value="250"`)
	res = admin.post("/admin/parameters/seizure_scale", url.Values{"from": {"2027-01-01"}, "per_dependant": {"1760"},
		"bands": {"4 520 1/20\n4 000 1/10\n1/1"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-bands"`, "Ligne 2 : Les plafonds doivent croître")
	res = admin.post("/admin/parameters/legal_interest_rate", url.Values{"from": {"2026-01-01"}, "consumer_creditor": {"6"}, "other": {"2"}})
	res.status(t, http.StatusConflict)
	res.has(t, "déjà en vigueur sur cette période")
	if countRows(t, env, "parameter_values") != before || countRows(t, env, "audit_entries") != audits {
		t.Fatal("a refused form wrote something")
	}

	res = admin.post("/admin/parameters/seizure_scale", url.Values{"from": {"01/01/2027"}, "per_dependant": {"1 760"},
		"bands": {"4 520 1/20\n8 800 ; 1/10\n13 100 1/5\n1/1"}})
	res.status(t, http.StatusSeeOther)
	pg = admin.get("/admin/parameters?table=seizure_scale")
	pg.has(t, "100,00 € : 1/5", "ajoutée par un administrateur", `action="/admin/parameters/seizure_scale"`)

	// Registration periods, on the same page.
	res = admin.post("/admin/parameters/registrations", url.Values{"certification": {"agent-recouvrement"},
		"reg_registry": {"RNCP"}, "reg_number": {""}, "reg_from": {"2026-02-30"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-reg_number"`, `id="e-reg_from"`, "Date invalide")
	res = admin.post("/admin/parameters/registrations", url.Values{"certification": {"agent-recouvrement"},
		"reg_registry": {"RNCP"}, "reg_number": {"40123"}, "reg_from": {"2026-01-15"}, "reg_to": {"2031-01-15"}})
	res.status(t, http.StatusSeeOther)
	pg = admin.get("/admin/parameters")
	pg.has(t, "40123", "en vigueur")
}

func TestParametersPage_TrialComputationUsesTheAddedRate(t *testing.T) {
	env := apptest.New(t)
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	q := "/admin/parameters?t_notice=2027-01-15&t_as_of=2027-03-31&t_principal=1000&t_creditor=professional"
	pg := admin.get(q)
	pg.has(t, `id="trial-missing"`, "PARAMETER_MISSING", `id="trial-interest">5,38 €`)
	admin.post("/admin/parameters/legal_interest_rate", url.Values{"from": {"2027-01-01"}, "consumer_creditor": {"7"}, "other": {"3,5"}}).
		status(t, http.StatusSeeOther)
	pg = admin.get(q)
	pg.has(t, `id="trial-complete"`, `id="trial-interest">7,19 €`, "3,50 %")
	if strings.Contains(pg.Body, `id="trial-missing"`) {
		t.Fatal("still reported missing")
	}
}
