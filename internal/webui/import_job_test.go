package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/ancr/cqp/internal/webui"
)

// The import is a durable job: sent before a restart, it is run by the
// product started again on the same database, and its page is there.
func TestImportJob_SurvivesARestartAndIsSeenByItsAuthorOnly(t *testing.T) {
	env := apptest.New(t)
	v, admin := signedIn(t, env, auth.RoleAdmin)
	other, _ := signedIn(t, env, auth.RoleAdmin)
	trainer, _ := signedIn(t, env, auth.RoleTrainer)
	v.get("/admin/candidates/import")
	var csv strings.Builder
	csv.WriteString("first_name;last_name;birth_date\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "Rémi%d;Redémarré%d;1987-06-%02d\n", i, i, i%28+1)
	}
	loc := v.postFile("/admin/candidates/import", nil, "reprise.csv", []byte(csv.String())).location(t)
	if !jobPathRe.MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	waiting := v.get(loc)
	waiting.status(t, http.StatusOK)
	waiting.has(t, "Import en cours", "reprise.csv", "40 lignes de candidats", `<progress id="import-progress"`)
	if n := countCandidates(t, env, "last_name LIKE ?", "Redémarré%"); n != 0 {
		t.Fatalf("%d candidates written before the job ran", n)
	}

	env.Restart(t) // nothing in memory survives; the job is a row

	j, err := env.App.Jobs.Get(context.Background(), id)
	if err != nil || j.Kind != webui.ImportKind || j.Status != jobs.StatusPending || j.CreatedBy != admin.ID {
		t.Fatalf("after the restart: %+v %v", j, err)
	}
	v.get(loc).has(t, "Import en cours", "reprise.csv")
	if n := env.Deliver(t); n < 1 {
		t.Fatalf("%d jobs ran after the restart", n)
	}
	res := importResult(t, env, v, loc)
	res.has(t, "40 candidats importés.", "reprise.csv")
	if n := countCandidates(t, env, "last_name LIKE ?", "Redémarré%"); n != 40 {
		t.Errorf("%d candidates imported, want 40", n)
	}
	// The due jobs run again: a finished import is not run a second time.
	env.Deliver(t)
	if n := countCandidates(t, env, "last_name LIKE ?", "Redémarré%"); n != 40 {
		t.Errorf("%d candidates after a second run, want 40", n)
	}

	// Another administrator does not see it; a trainer is not let in.
	other.get(loc).status(t, http.StatusNotFound)
	trainer.get(loc).status(t, http.StatusForbidden)
	// The API says the same: its author reads it, another administrator
	// gets a 404.
	if r := env.Do(t, "GET", "/api/v1/jobs/"+id, v.cookies["cqp_session"], nil); r.Status != http.StatusOK ||
		!strings.Contains(string(r.Body), `"status":"done"`) || !strings.Contains(string(r.Body), `"imported":{"imported":40}`) {
		t.Errorf("the author reads the job by the API: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "GET", "/api/v1/jobs/"+id, other.cookies["cqp_session"], nil); r.Status != http.StatusNotFound {
		t.Errorf("another administrator reads the job by the API: %d", r.Status)
	}
}
