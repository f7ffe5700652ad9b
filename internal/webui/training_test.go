package webui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

var replyRe = regexp.MustCompile(`name="_reply" value="(call:r\d+)"`)

func TestTrainee_TakesACallScenarioAndReadsTheFeedback(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	cat := v.get("/training")
	cat.status(t, http.StatusOK)
	cat.has(t, "AGENT-4", "Appel difficile", `action="/training/scenarios/agent4-appel-contestation/start"`)

	res := v.post("/training/scenarios/agent4-appel-contestation/start", nil)
	res.status(t, http.StatusSeeOther)
	attempt := res.Header.Get("Location")
	if !strings.HasPrefix(attempt, "/training/attempts/") {
		t.Fatalf("start went to %q", attempt)
	}
	// Starting the same exercise again resumes it: no second timed attempt.
	v.get("/training")
	if again := v.post("/training/scenarios/agent4-appel-contestation/start", nil); again.Header.Get("Location") != attempt {
		t.Fatalf("a second start went to %q, not back to %q", again.Header.Get("Location"), attempt)
	}
	pl := v.get(attempt)
	pl.status(t, http.StatusOK)
	pl.has(t, `class="countdown"`, `data-deadline="2026-11-22T10:20:00Z"`, "Fiche du dossier", `class="bubble them"`, "Rendre la copie")

	// Walk the call by the first reply offered each time, as a trainee
	// without JavaScript does: each reply is a save and a new page.
	base := strings.TrimPrefix(attempt, "/training/attempts/")
	for i := 0; i < 12; i++ {
		m := replyRe.FindStringSubmatch(pl.Body)
		if m == nil {
			break
		}
		form := url.Values{"_reply": {m[1]}}
		if hv := regexp.MustCompile(`name="t.call" value="([^"]*)"`).FindStringSubmatch(pl.Body); hv != nil {
			form.Set("t.call", hv[1])
		}
		r := v.post("/training/attempts/"+base+"/save", form)
		r.status(t, http.StatusSeeOther)
		pl = v.get(attempt)
	}
	pl.has(t, "Fin de l'appel.", `class="bubble me"`)

	// Autosave (the script's request): a one-line answer.
	auto := v.do("POST", "/training/attempts/"+base+"/save", url.Values{"_csrf": {v.csrf}}, "HX-Request", "true")
	auto.status(t, http.StatusOK)
	if !strings.HasPrefix(auto.Body, "Enregistré à") {
		t.Errorf("autosave answered %q", auto.Body)
	}

	hv := regexp.MustCompile(`name="t.call" value="([^"]*)"`).FindStringSubmatch(pl.Body)
	// The copy is handed in after one more question, which names the
	// tasks left without an answer.
	ask := v.post("/training/attempts/"+base+"/submit", url.Values{"t.call": {hv[1]}})
	ask.status(t, http.StatusSeeOther)
	if loc := ask.Header.Get("Location"); !strings.HasSuffix(loc, "?confirm=1#confirm-submit") {
		t.Fatalf("submit without confirmation went to %q", loc)
	}
	confirm := v.get(attempt + "?confirm=1")
	confirm.has(t, "Rendre la copie ?", "Confirmer et rendre la copie", "Continuer à répondre")
	sub := v.post("/training/attempts/"+base+"/submit", url.Values{"t.call": {hv[1]}, "confirm": {"yes"}})
	sub.status(t, http.StatusSeeOther)
	out := v.get(attempt)
	out.status(t, http.StatusOK)
	out.has(t, "Copie rendue.", "Correction question par question", `class="score-ring"`)
	if !strings.Contains(out.Body, `class="rule"`) && !strings.Contains(out.Body, `class="feedback"`) {
		t.Errorf("no feedback on the result:\n%s", out.Body)
	}
	// A second submission is refused (409), as in the API.
	v.post("/training/attempts/"+base+"/submit", nil).status(t, http.StatusConflict)
	v.get("/training").has(t, "Derniers résultats", "Appel difficile")
}

func TestTrainee_CannotOpenAnotherTraineesAttempt(t *testing.T) {
	env := apptest.New(t)
	a, _ := signedIn(t, env, auth.RoleCandidate)
	a.get("/training")
	loc := a.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location")
	b, _ := signedIn(t, env, auth.RoleCandidate)
	b.get(loc).status(t, http.StatusNotFound)
	b.get("/training")
	b.post(strings.Replace(loc, "/attempts/", "/attempts/", 1)+"/submit", nil).status(t, http.StatusNotFound)
	adm, _ := signedIn(t, env, auth.RoleAdmin)
	adm.get("/training").status(t, http.StatusForbidden)
}
