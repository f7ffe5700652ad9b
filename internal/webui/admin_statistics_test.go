package webui_test

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
)

// Known rates: two candidates presented on CLERC-1 (one validated), one on
// the others (validated); a year without decisions shows dashes, never 0 %.
func TestStatisticsPage_RatesTablesCSVAndNoDataAsADash(t *testing.T) {
	env := apptest.New(t)
	certifiedCandidate(t, env, "Anaïs", "Érard")
	other := env.Candidate(t)
	d := candidates.Decision{ID: database.NewID(), CandidateID: other.ID, Certification: clerc, Component: "CLERC-1",
		Outcome: candidates.NotValidated, DecidedOn: civil.MustParse("2026-06-30"), Final: true, CreatedBy: "jury-test"}
	if err := env.App.DB.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	v, _ := signedIn(t, env, auth.RoleAdmin)
	page := v.get("/admin/statistics?year=2026&certification=" + clerc)
	page.status(t, 200)
	page.has(t, "Statistiques", "Taux de validation par bloc", "CLERC-1", "50\u00a0%", "100\u00a0%", "Télécharger (CSV)",
		"Indicateurs publiés (fiche RNCP)", "Par organisme de formation", "Organisme Exemple",
		"Aucune session de jury n'a décidé dans l'année.") // the fixture's decisions name no jury

	empty := v.get("/admin/statistics?year=2025&certification=" + clerc)
	empty.has(t, "—")
	if strings.Contains(empty.Body, "0\u00a0%") || strings.Contains(empty.Body, ">0 %") {
		t.Error("a year without decisions shows 0 %")
	}

	csv := v.get("/admin/statistics.csv?year=2026&certification=" + clerc)
	csv.status(t, 200)
	if !strings.HasPrefix(csv.Body, "\ufeffAnnée;Certification;Bloc;Présentés;Validés;Taux de validation (%)") ||
		!strings.Contains(csv.Body, "2026;"+clerc+";CLERC-1;2;1;50.00") || !strings.Contains(csv.Body, "CLERC-2;1;1;100.00") {
		t.Fatalf("csv:\n%s", csv.Body)
	}
	if e := v.get("/admin/statistics.csv?year=2025&certification=" + clerc); !strings.Contains(e.Body, "CLERC-1;0;0;\n") && !strings.Contains(e.Body, "CLERC-1;0;0;\r\n") {
		t.Fatalf("no data is an empty cell:\n%s", e.Body)
	}
	trainee, _ := signedIn(t, env, auth.RoleTrainer)
	if s := trainee.get("/admin/statistics").Status; s != 403 && s != 404 {
		t.Fatalf("a trainer opened the statistics: %d", s)
	}
}
