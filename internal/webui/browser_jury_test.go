//go:build browser

package webui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/chromedp/chromedp"
)

// The jury's journey: a member scores on the grid, the president opens the
// deliberation, sees the scores side by side with the disagreement
// highlighted, decides and signs; the minutes come as a PDF.
func TestBrowser_JuryScoresDeliberatesAndSigns(t *testing.T) {
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) {
		c.SecureCookie = false
		c.BaseURL = "http://127.0.0.1"
	}))
	_, admin := env.User(t, auth.RoleAdmin)
	pres, presTok := env.User(t, auth.RoleJury, apptest.Named("Hélène Présidente"), apptest.Organisation("Étude Dupré"))
	member, _ := env.User(t, auth.RoleJury, apptest.Named("Gaëlle Membre"), apptest.Organisation("Cabinet Lenôtre"))
	rep, repTok := env.User(t, auth.RoleJury, apptest.Named("Rémi Représentant"), apptest.Organisation("Syndicat des salariés"))

	res := env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{
		"certification": "agent-recouvrement", "session_date": "2026-11-20", "location": "Lyon — salle Rameau",
		"president_user_id": pres.ID,
		"members": []map[string]any{
			{"user_id": pres.ID, "category": jury.Professional},
			{"user_id": member.ID, "category": jury.Professional},
			{"user_id": rep.ID, "category": jury.OrganisationRepresentative},
		}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create jury: %d %s", res.Status, res.Body)
	}
	var j jury.View
	res.JSON(t, &j)
	cand := env.Candidate(t, apptest.Names("Anaïs", "Leclerc"), apptest.Employer("Recouvrements du Rhône"))
	env.Enroll(t, cand.ID, "agent-recouvrement")
	if res := env.Do(t, "POST", "/api/v1/juries/"+j.ID+"/candidates", admin, map[string]any{"candidate_id": cand.ID}); res.Status != http.StatusCreated {
		t.Fatalf("assign: %d %s", res.Status, res.Body)
	}
	// The two others score through the API; the representative disagrees
	// by two levels on D1.
	for _, s := range []struct {
		tok    string
		levels []int
	}{{presTok, []int{3, 3, 3, 3}}, {repTok, []int{1, 3, 3, 3}}} {
		var scores []map[string]any
		for i, c := range []string{"D1", "D2", "E1", "E2"} {
			scores = append(scores, map[string]any{"criterion": "AGENT-1." + c, "level": s.levels[i]})
		}
		res := env.Do(t, "POST", "/api/v1/juries/"+j.ID+"/evaluations", s.tok, map[string]any{
			"candidate_id": cand.ID, "component": "AGENT-1", "scores": scores, "comment": "Entretien solide."})
		if res.Status != http.StatusCreated {
			t.Fatalf("evaluate: %d %s", res.Status, res.Body)
		}
	}

	b := newTab(t, env)
	b.login(member.Email, "motdepasse-de-test")
	if p := b.path(); p != "/jury" {
		t.Fatalf("a jury member lands on %s", p)
	}
	b.contains("Mes sessions", "Anaïs Leclerc", "20 novembre 2026")
	b.submit(fmt.Sprintf("#j-%s a.btn", j.ID), "#members-title")
	b.contains("Composition", "Hélène Présidente", "Gaëlle Membre", "Rémi Représentant", "Représentant d'organisation", "à noter")
	b.shot("jury-session")

	b.submit(fmt.Sprintf("a.score-link[href$='/components/AGENT-1']"), "#score-form")
	b.contains("Anaïs Leclerc", "AGENT-1")
	b.contains("0 / 7 critères notés")
	for _, c := range []string{"D1", "D2", "E1", "E2"} {
		b.click(fmt.Sprintf(`input[name="level.AGENT-1.%s"][value="3"] + span`, c))
	}
	// The counter follows the taps; the component counts as scored only
	// when every criterion is.
	if got := b.text("#score-count strong"); got != "4 / 7" {
		t.Errorf("counter after four taps: %q", got)
	}
	for _, c := range []string{"M1", "M2", "M3"} {
		b.click(fmt.Sprintf(`input[name="level.AGENT-1.%s"][value="3"] + span`, c))
	}
	if got := b.text("#score-count strong"); got != "7 / 7" {
		t.Errorf("counter after seven taps: %q", got)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#f-comment"), "Posture professionnelle, plan d'apurement réaliste."))
	b.shot("jury-scoring")
	b.submit("#save-scores", ".flash")
	b.contains("Notes enregistrées", "noté")

	// Nothing chosen on another component: the French message, the page kept.
	b.open("/jury/" + j.ID + "/candidates/" + cand.ID + "/components/AGENT-2")
	b.submit("#save-scores", "#form-error")
	b.contains("Choisissez un niveau pour au moins un critère.")
	if n := b.eval(`String(document.querySelectorAll("#form-error li").length)`); n != "0" {
		t.Errorf("the summary lists %s technical field messages", n)
	}

	// Saving again over a version someone else changed: the French message.
	b.open("/jury/" + j.ID + "/candidates/" + cand.ID + "/components/AGENT-1")
	b.eval(`document.querySelector("input[name=version]").value = "99"; "1"`)
	b.submit("#save-scores", "#form-error")
	b.contains("Ces notes ont changé depuis votre lecture")

	// A member who does not preside is refused the deliberation.
	b.open("/jury/" + j.ID + "/candidates/" + cand.ID + "/deliberation")
	b.contains("Accès refusé", "Seul le président du jury")
	b.submit("form[action='/logout'] button", "#f-email")

	b.login(pres.Email, "motdepasse-de-test")
	b.open("/jury/" + j.ID + "/candidates/" + cand.ID + "/deliberation")
	b.submit("#open-deliberation", ".flash")
	b.contains("Délibération ouverte", "Gaëlle Membre", "Rémi Représentant", "désaccord")
	if n := b.eval(`String(document.querySelectorAll("tr.disagree").length)`); n != "1" {
		t.Errorf("%s criteria highlighted, want 1 (D1)", n)
	}
	b.shot("jury-deliberation")

	// A refusal without its reason: the message next to the component.
	b.click(`input[name="decision.AGENT-2"][value="not_validated"] + span`)
	b.click(`input[name="decision.AGENT-1"][value="validated"] + span`)
	b.submit("#deliberate", "#form-error")
	if msg := b.eval(`(document.querySelector("#e-reason\\.AGENT-2") || document.querySelector("#e-decision\\.AGENT-2") || {innerText: ""}).innerText`); msg == "" {
		t.Errorf("no message next to AGENT-2; page:\n%s", b.text("main"))
	}
	b.do(chromedp.SendKeys(chromedp.CSS(`#f-reason\.AGENT-2`), "Calcul des intérêts erroné."))
	b.submit("#deliberate", ".flash")
	b.contains("Délibération enregistrée pour Anaïs Leclerc.", "délibéré")

	b.submit("#sign", ".flash")
	b.contains("Procès-verbal signé", "signé le")
	ct := b.eval(fmt.Sprintf(`(() => { const x = new XMLHttpRequest(); x.open("GET", "/jury/%s/minutes.pdf", false); x.send(); return x.status + " " + x.getResponseHeader("Content-Type"); })()`, j.ID))
	if ct != "200 application/pdf" {
		t.Errorf("minutes PDF answers %q", ct)
	}
	if href := b.eval(`document.querySelector("#minutes-pdf").getAttribute("href")`); !strings.HasSuffix(href, "/minutes.pdf") {
		t.Errorf("minutes link %q", href)
	}
	b.shot("jury-signed")
}
