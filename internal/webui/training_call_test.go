package webui_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/scenario"
)

// named gives replies of the demo call, by their authoring ids (r1 is the
// first reply the author wrote), under the names the attempt at path shows
// them: each attempt names them its own way.
func named(t *testing.T, env *apptest.Env, path string, ids ...string) []string {
	t.Helper()
	sc, ok := env.App.Training.Catalogue().Scenario("agent4-appel-contestation")
	if !ok {
		t.Fatal("the demo call is not served")
	}
	raw, _ := json.Marshal(ids)
	var out []string
	attempt := path[strings.LastIndex(path, "/")+1:]
	if err := json.Unmarshal(scenario.AliasAnswers(sc, attempt, map[string]json.RawMessage{"call": raw})["call"], &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var callPathRe = regexp.MustCompile(`name="t.call" value="([^"]*)"`)

// A reply with htmx answers the call alone (the page does not reload), with
// the debtor's new line for the live region; without script, the reply is a
// form post that comes back at the newest line, never at the task's title.
func TestTrainee_CallRepliesSwapInPlaceAndAnnounceTheNewLine(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	v.get("/training")
	attempt := v.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location")
	id := strings.TrimPrefix(attempt, "/training/attempts/")
	pl := v.get(attempt)
	pl.has(t, `id="call-call"`, `id="call-live-call"`, `aria-live="polite"`, `hx-post="/training/attempts/`+id+`/save"`)

	// Without script: a 303 to the newest line. (r1 and r3, the author's
	// first replies, go on with the call; the others may end it.)
	best := named(t, env, attempt, "r1", "r3")
	if !strings.Contains(pl.Body, `value="call:`+best[0]+`"`) {
		t.Fatalf("the first line does not offer %s (the author's r1)", best[0])
	}
	r := v.post(attempt+"/save", url.Values{"_reply": {"call:" + best[0]}, "t.call": {""}})
	r.status(t, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != attempt+"#now-call" {
		t.Fatalf("a reply without script went to %q", loc)
	}
	pl = v.get(attempt)
	pl.has(t, `id="now-call"`)

	// With htmx: the call block and the live region's new text, no layout.
	pm := callPathRe.FindStringSubmatch(pl.Body)
	if pm == nil {
		t.Fatalf("no path:\n%s", pl.Body)
	}
	path := pm[1]
	m := []string{"", "call:" + best[1]}
	hx := v.do("POST", attempt+"/save", url.Values{"_csrf": {v.csrf}, "_reply": {m[1]}, "t.call": {path}}, "HX-Request", "true")
	hx.status(t, http.StatusOK)
	if strings.Contains(hx.Body, "<html") || strings.Contains(hx.Body, "Rendre la copie") {
		t.Fatalf("htmx got a whole page:\n%s", hx.Body)
	}
	hx.has(t, `<div class="call" id="call-call">`, `id="call-live-call" hx-swap-oob="innerHTML"`, `id="now-call"`)
	live := regexp.MustCompile(`(?s)hx-swap-oob="innerHTML">(.*?)</p>`).FindStringSubmatch(hx.Body)
	if live == nil || !strings.Contains(live[1], "Débiteur") || len(strings.TrimSpace(live[1])) < 20 {
		t.Errorf("the live region gets %q", live)
	}
	newPath := callPathRe.FindStringSubmatch(hx.Body)[1]
	if want := strings.TrimPrefix(path+","+strings.TrimPrefix(m[1], "call:"), ","); newPath != want {
		t.Errorf("path after the reply %q, want %q", newPath, want)
	}
	// The restart, with htmx, answers the call from its first line.
	rs := v.do("POST", attempt+"/save", url.Values{"_csrf": {v.csrf}, "_restart": {"call"}, "t.call": {newPath}}, "HX-Request", "true")
	rs.status(t, http.StatusOK)
	rs.has(t, `name="t.call" value=""`)
	if strings.Contains(rs.Body, `class="bubble me"`) {
		t.Error("the restarted call still shows a reply")
	}
}

// The replies come in an order of the attempt's own: the same on every
// reload of one attempt, another for most other attempts.
func TestTrainee_CallRepliesOrderIsTheAttemptsOwn(t *testing.T) {
	env := apptest.New(t)
	orders := map[string]bool{}
	for range 6 {
		v, _ := signedIn(t, env, auth.RoleCandidate)
		v.get("/training")
		attempt := v.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location")
		order := func() string {
			var ids []string
			for _, m := range replyRe.FindAllStringSubmatch(v.get(attempt).Body, -1) {
				ids = append(ids, m[1])
			}
			return strings.Join(ids, " ")
		}
		first := order()
		if again := order(); again != first {
			t.Fatalf("one attempt shows %q then %q", first, again)
		}
		orders[first] = true
	}
	if len(orders) < 2 {
		t.Errorf("six attempts all show the replies as %v", orders)
	}
}

// An open exercise is abandoned from the player after one more question;
// it leaves the exercises in progress and the latest results, and a new
// start opens a fresh attempt.
func TestTrainee_AbandonsAnOpenExerciseAfterConfirming(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	v.get("/training")
	attempt := v.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location")
	pl := v.get(attempt)
	pl.has(t, `action="`+attempt+`/abandon"`, "Abandonner l'exercice")

	ask := v.post(attempt+"/abandon", nil)
	ask.status(t, http.StatusSeeOther)
	if loc := ask.Header.Get("Location"); loc != attempt+"?abandon=1#confirm-abandon" {
		t.Fatalf("abandon without confirmation went to %q", loc)
	}
	v.get(attempt+"?abandon=1").has(t, "Abandonner l'exercice ?", "ne comptera pas dans vos progrès", "Confirmer l'abandon", "Continuer l'exercice")
	if v.get("/training").Body == "" {
		t.Fatal("no catalogue")
	}
	done := v.post(attempt+"/abandon", url.Values{"confirm": {"yes"}})
	done.status(t, http.StatusSeeOther)
	if loc := done.Header.Get("Location"); loc != "/training" {
		t.Fatalf("abandon went to %q", loc)
	}
	cat := v.get("/training")
	cat.has(t, "Exercice abandonné : il ne compte pas dans vos progrès.")
	if strings.Contains(cat.Body, `href="`+attempt+`"`) {
		t.Error("the abandoned exercise is still listed")
	}
	v.get(attempt).has(t, "Exercice abandonné le")
	// Abandoned twice: the service's refusal, as a page.
	v.post(attempt+"/abandon", url.Values{"confirm": {"yes"}}).status(t, http.StatusConflict)
	v.get("/training")
	if again := v.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location"); again == attempt || again == "" {
		t.Errorf("a new start after abandoning went to %q", again)
	}
}
