package webui_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
)

// Saving a grid reads what the member scores, not the jury: the same
// statements with one candidate as with nine, each with an exam attempt
// (issue 18: the save read the whole jury view, one attempt per candidate).
func TestScorePage_SaveCostsTheSameWhateverTheJurysSize(t *testing.T) {
	env := apptest.New(t)
	counter := env.Statements()
	save := func(candidates int) int64 {
		juryID, cid, _, token := env.ScoringJury(t, "agent-recouvrement", candidates)
		v := newVisitor(t, env)
		v.cookies["cqp_session"] = token
		path := "/jury/" + juryID + "/candidates/" + cid + "/components/AGENT-1"
		v.get(path).status(t, http.StatusOK)
		form := url.Values{"comment": {"Dossier étudié."}, "level.AGENT-1.D1": {"3"}, "level.AGENT-1.E1": {"2"}}
		before := counter.Load()
		v.post(path, form).status(t, http.StatusSeeOther)
		n := counter.Load() - before
		// Two criteria of seven: begun, not scored; the grid says so too.
		v.get("/jury/"+juryID).has(t, "commencé (2 / 7 critères)")
		v.get(path).has(t, "2 / 7", "critères notés", "le bloc compte comme noté quand chaque critère l'est")
		return n
	}
	small, large := save(1), save(9)
	if small != large {
		t.Fatalf("one save: %d statements with 1 candidate, %d with 9", small, large)
	}
}
