package webui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

var (
	blockCountRe = regexp.MustCompile(`class="muted small block-count">(\d+) / (\d+) `)
	tileRe       = regexp.MustCompile(`<article class="card tile `)
)

// « Mes progrès »: per block the attempts, best and last scores, each
// exercise's record, the rules missed with a link to the module, and what
// remains before the exam; the catalogue's tiles show status and best score,
// and each block's counter counts the tiles shown under it.
func TestTrainee_ProgressPageAndTilesTellWhereTheTraineeStands(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	v.get("/training")
	attempt := v.post("/training/scenarios/agent4-appel-contestation/start", nil).Header.Get("Location")
	v.get(attempt)
	// A curt first reply (r2) ends the call badly.
	v.post(attempt+"/submit", url.Values{"t.call": named(t, env, attempt, "r2"), "confirm": {"yes"}}).status(t, http.StatusSeeOther)

	pr := v.get("/training/progress")
	pr.status(t, http.StatusOK)
	pr.has(t, "Mes progrès", `id="p-AGENT-4"`, "1 tentative", "meilleur score", "dernier score",
		"Règles les plus souvent manquées", "C. civ. 9", `href="/training/modules/agent-4"`, "revoir le module",
		"Avant l'épreuve", "Pour terminer le module", "à retravailler", "pas commencé", `aria-current="page">Mes progrès`)
	block := pr.Body[strings.Index(pr.Body, `id="p-AGENT-4"`):]
	block = block[:strings.Index(block, "</section>")]
	if !strings.Contains(block, "0 / ") || !strings.Contains(plainSpaces(block), "0 %") {
		t.Errorf("AGENT-4 block:\n%s", block)
	}

	cat := v.get("/training")
	cat.has(t, `class="card tile tile-retry" id="s-agent4-appel-contestation"`, "à retravailler", "meilleur score", `href="/training/progress"`)
	sections := strings.Split(cat.Body, `<section aria-labelledby="c-`)[1:]
	if len(sections) < 8 {
		t.Fatalf("%d blocks in the catalogue", len(sections))
	}
	for _, s := range sections {
		name := s[:strings.Index(s, `"`)]
		m := blockCountRe.FindStringSubmatch(s)
		if m == nil {
			t.Errorf("block %s has no counter", name)
			continue
		}
		if tiles := len(tileRe.FindAllString(s, -1)); m[2] != strconv.Itoa(tiles) {
			t.Errorf("block %s counts %s exercises and shows %d", name, m[2], tiles)
		}
	}

	mod := v.get("/training/modules/agent-4")
	mod.status(t, http.StatusOK)
	mod.has(t, "Communiquer dans le respect de la déontologie", "<h2>1. Les interdits</h2>", "<strong>Menacer</strong>",
		"Les exercices du module", "Appel difficile", "à retravailler")
	v.get("/training/modules/inconnu").status(t, http.StatusNotFound)
	v.get("/training/progress?lang=en").has(t, "My progress", "Rules missed most often", "Before the exam", "to work on")
}
