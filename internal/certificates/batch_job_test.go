package certificates_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/jobs"
)

type jobAnswer struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Status    string          `json:"status"`
	Done      int             `json:"done"`
	Total     int             `json:"total"`
	Result    json.RawMessage `json:"result"`
	LastError string          `json:"last_error"`
}

func getJob(t *testing.T, env *apptest.Env, token, id string) jobAnswer {
	t.Helper()
	r := env.Do(t, "GET", "/api/v1/jobs/"+id, token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET job %s: %d %s", id, r.Status, r.Body)
	}
	var j jobAnswer
	r.JSON(t, &j)
	return j
}

func countRecords(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Model(&certificates.Record{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// POST /certificates/batch?async=true: a durable job, followed by GET
// /jobs/{id}, that survives a restart and issues nothing twice.
func TestBatchJob_ProgressAndReportThroughTheJobAndNoDuplicate(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, otherAdmin := env.User(t, auth.RoleAdmin)
	_, trainer := env.User(t, auth.RoleTrainer)
	var ids []string
	for i := range 5 {
		c := env.Candidate(t)
		ids = append(ids, c.ID)
		if i < 4 {
			decide(t, env, c.ID, allFour[:1+i]...)
		}
	}
	body := map[string]any{"certification": clerc, "candidates": ids}

	r := env.Do(t, "POST", "/api/v1/certificates/batch?async=true", admin, body)
	var acc certificates.BatchAccepted
	r.JSON(t, &acc)
	if r.Status != http.StatusAccepted || acc.JobID == "" || acc.Status != jobs.StatusPending ||
		r.Header.Get("Location") != "/api/v1/jobs/"+acc.JobID {
		t.Fatalf("async batch: %d %v %s", r.Status, r.Header, r.Body)
	}
	if n := countRecords(t, env); n != 0 {
		t.Fatalf("%d documents issued before the job ran", n)
	}
	j := getJob(t, env, admin, acc.JobID)
	if j.Kind != certificates.BatchKind || j.Status != jobs.StatusPending || j.Done != 0 || string(j.Result) != "null" || j.LastError != "" {
		t.Errorf("waiting job: %+v", j)
	}
	// Only its author follows it; a trainer is not let in.
	if r := env.Do(t, "GET", "/api/v1/jobs/"+acc.JobID, otherAdmin, nil); r.Status != http.StatusNotFound {
		t.Errorf("another administrator: %d", r.Status)
	}
	if r := env.Do(t, "GET", "/api/v1/jobs/"+acc.JobID, trainer, nil); r.Status != http.StatusForbidden {
		t.Errorf("a trainer: %d", r.Status)
	}
	if r := env.Do(t, "GET", "/api/v1/jobs/inconnu", admin, nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown job: %d", r.Status)
	}

	env.Restart(t) // the job is a row: it outlives the process that took it
	env.Deliver(t)
	j = getJob(t, env, admin, acc.JobID)
	var rep certificates.BatchReport
	if err := json.Unmarshal(j.Result, &rep); err != nil {
		t.Fatalf("result %s: %v", j.Result, err)
	}
	if j.Status != jobs.StatusDone || j.Done != 5 || j.Total != 5 || rep.Total != 5 || rep.Issued != 4 || rep.Nothing != 1 || len(rep.Numbers) != 4 {
		t.Fatalf("finished job: %+v, report %+v", j, rep)
	}
	if n := countRecords(t, env); n != 4 {
		t.Fatalf("%d documents, want 4", n)
	}

	// A worker that died after issuing, before writing the job's end: the
	// job is taken again once its lease is over, and issues nothing twice.
	if err := env.App.DB.Model(&jobs.Job{}).Where("id = ?", acc.JobID).Updates(map[string]any{
		"status": jobs.StatusRunning, "locked_until": env.Clock.Now().Add(-time.Second), "finished_at": nil}).Error; err != nil {
		t.Fatal(err)
	}
	if n := env.Deliver(t); n != 1 {
		t.Fatalf("%d jobs ran, want the batch again", n)
	}
	j = getJob(t, env, admin, acc.JobID)
	rep = certificates.BatchReport{}
	if err := json.Unmarshal(j.Result, &rep); err != nil {
		t.Fatal(err)
	}
	if j.Status != jobs.StatusDone || rep.Issued != 0 || rep.Unchanged != 4 || rep.Nothing != 1 {
		t.Errorf("run again: %+v, report %+v", j, rep)
	}
	if n := countRecords(t, env); n != 4 {
		t.Errorf("%d documents after the second run, want 4", n)
	}

	// A second batch job on the same list: nothing new either.
	r = env.Do(t, "POST", "/api/v1/certificates/batch?async=1", admin, body)
	r.JSON(t, &acc)
	if r.Status != http.StatusAccepted {
		t.Fatalf("second async batch: %d %s", r.Status, r.Body)
	}
	env.Deliver(t)
	if j := getJob(t, env, admin, acc.JobID); j.Status != jobs.StatusDone || countRecords(t, env) != 4 {
		t.Errorf("second batch: %+v, %d documents", j, countRecords(t, env))
	}

	// The synchronous answer is unchanged; a bad async value is refused.
	if r := env.Do(t, "POST", "/api/v1/certificates/batch?async=false", admin, body); r.Status != http.StatusOK {
		t.Errorf("async=false: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", "/api/v1/certificates/batch?async=peut-etre", admin, body); r.Status < 400 || r.Status >= 500 {
		t.Errorf("async=peut-etre: %d %s", r.Status, r.Body)
	}
	// Validation stays synchronous: an unknown jury is a 404 at once.
	if r := env.Do(t, "POST", "/api/v1/certificates/batch?async=true", admin, map[string]any{"jury_id": "00000000-0000-0000-0000-000000000000"}); r.Status != http.StatusNotFound {
		t.Errorf("async batch by an unknown jury: %d %s", r.Status, r.Body)
	}
}

// A batch refused on the way (an unknown candidate) fails at once, with
// the report so far and the reason.
func TestBatchJob_ARefusalFailsTheJobWithItsReport(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	decide(t, env, c.ID, allFour...)
	r := env.Do(t, "POST", "/api/v1/certificates/batch?async=true", admin,
		map[string]any{"certification": clerc, "candidates": []string{c.ID, "00000000-0000-0000-0000-000000000000"}})
	var acc certificates.BatchAccepted
	r.JSON(t, &acc)
	if r.Status != http.StatusAccepted {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	env.Deliver(t)
	j := getJob(t, env, admin, acc.JobID)
	var rep certificates.BatchReport
	if err := json.Unmarshal(j.Result, &rep); err != nil {
		t.Fatal(err)
	}
	if j.Status != jobs.StatusFailed || j.Done != 1 || j.Total != 2 || rep.Issued != 1 || j.LastError == "" {
		t.Errorf("refused batch: %+v, report %+v", j, rep)
	}
}
