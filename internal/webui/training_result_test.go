package webui_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/scenario"
)

// The result of a call that threatened the debtor: the breach by its name
// and rule (never the grader's code), then the call reply by reply with the
// reply expected where another was better, and the rule.
func TestTrainee_ResultNamesTheBreachAndGoesThroughTheCallStepByStep(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	v.get("/training")
	attempt := v.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location")
	v.get(attempt)
	// r1 (welcome), r3 (listening), then r6: a threat of a credit file.
	v.post(attempt+"/submit", url.Values{"t.call": {strings.Join(named(t, env, attempt, "r1", "r3", "r6"), ",")}, "confirm": {"yes"}}).status(t, http.StatusSeeOther)
	res := v.get(attempt)
	res.status(t, http.StatusOK)
	res.has(t, "Manquement à la déontologie", "menace", "C. conso. L121-6", "L'appel, réplique par réplique",
		"Réponse attendue", `class="call-step step-ok"`, `class="call-step step-ko"`)
	body := plainSpaces(html.UnescapeString(res.Body))
	for _, raw := range []string{"threat", "disclosure", "⚠ "} {
		if strings.Contains(body, raw) {
			t.Errorf("the result shows %q", raw)
		}
	}
	if n := strings.Count(res.Body, `class="call-step `); n != 3 {
		t.Errorf("%d steps shown for three replies", n)
	}
}

// A free-text task tells its points before submission, its criteria after.
func TestTrainee_MarkingCriteriaComeWithTheResultOnly(t *testing.T) {
	env := apptest.New(t)
	const id = "clerc1-frais-salle-de-sport"
	sc, ok := env.App.Training.Catalogue().Scenario(id)
	if !ok {
		t.Fatalf("%s is not served", id)
	}
	var labels []string
	for _, tk := range sc.Tasks {
		if tk.Type == scenario.FreeText {
			for _, c := range tk.Rubric {
				labels = append(labels, c.Label)
			}
		}
	}
	if len(labels) == 0 {
		t.Fatal("no criteria: the test proves nothing")
	}
	v, _ := signedIn(t, env, auth.RoleCandidate)
	v.get("/training")
	attempt := v.post("/training/scenarios/"+id+"/start", nil).Header.Get("Location")
	pl := v.get(attempt)
	pl.has(t, "Réponse corrigée par un formateur sur")
	body := plainSpaces(html.UnescapeString(pl.Body))
	for _, l := range labels {
		if strings.Contains(body, plainSpaces(l)) {
			t.Errorf("the player shows the criterion %q", l)
		}
	}
	v.post(attempt+"/submit", url.Values{"confirm": {"yes"}}).status(t, http.StatusSeeOther)
	res := v.get(attempt)
	res.has(t, "Critères de correction")
	res.has(t, labels...)
}
