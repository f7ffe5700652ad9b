package webui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/jobs"
	"gorm.io/gorm"
)

// ImportKind is the durable job of a CSV import started from the web
// interface. The file travels in the job's payload, so that the import
// survives a restart and runs on whichever replica's worker takes it; its
// progress and result are columns of the job, read by the page on any
// replica. Finished jobs, and the file with them, go with jobs.Purge.
const ImportKind = "candidates.import"

// importPayload is what the job carries. CSV is base64 in the JSON text
// (encoding/json's form of []byte); the file is at most the body limit.
type importPayload struct {
	FileName string `json:"file_name"`
	Rows     int    `json:"rows"`
	CSV      []byte `json:"csv"`
}

// importMeta is the payload without the file, for the page.
type importMeta struct {
	FileName string `json:"file_name"`
	Rows     int    `json:"rows"`
}

// importOutcome is the job's result: the count, or the refused lines.
type importOutcome struct {
	Imported *candidates.ImportResult `json:"imported,omitempty"`
	Problem  *importProblem           `json:"problem,omitempty"`
}

// importProblem keeps a refusal (httpx.Problem) in both languages, with its
// fields, so that the page can list the bad lines after the fact.
type importProblem struct {
	Status int                `json:"status"`
	Code   string             `json:"code"`
	FR     string             `json:"fr"`
	EN     string             `json:"en"`
	Fields []httpx.FieldError `json:"fields,omitempty"`
}

// importJob is a CSV import, as its page shows it.
type importJob struct {
	ID       string
	FileName string
	Rows     int // data lines counted in the file, for the progress bar
	Started  time.Time

	Phase     string // "validation", then "import"
	Done      int    // lines done in the current phase
	Finished  bool
	Failed    bool
	LastError string
	Result    candidates.ImportResult
}

// enqueueImport writes the job; it runs when a worker (or, in tests,
// RunDue) takes it.
func (ui *UI) enqueueImport(ctx context.Context, actor auth.User, fileName string, rows int, content []byte) (string, error) {
	id, err := ui.Jobs.Enqueue(ui.DB.WithContext(ctx), jobs.NewJob{Kind: ImportKind, CreatedBy: actor.ID,
		Payload: importPayload{FileName: fileName, Rows: rows, CSV: content}})
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	return id, nil
}

// importJob reads a job for its page: only the administrator who started
// it sees it; anyone else, like an unknown id, gets a 404.
func (ui *UI) importJob(ctx context.Context, id, owner string) (importJob, importOutcome, error) {
	notFound := httpx.NotFound("Cet import n'existe pas ou n'est plus conservé.",
		"This import does not exist or is no longer kept.")
	j, err := ui.Jobs.Get(ctx, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return importJob{}, importOutcome{}, notFound
	}
	if err != nil {
		return importJob{}, importOutcome{}, err
	}
	if j.Kind != ImportKind || j.CreatedBy == "" || j.CreatedBy != owner {
		return importJob{}, importOutcome{}, notFound
	}
	var meta importMeta
	if err := json.Unmarshal([]byte(j.Payload), &meta); err != nil {
		return importJob{}, importOutcome{}, fmt.Errorf("import job %s: %w", j.ID, err)
	}
	var out importOutcome
	if _, err := j.DecodeResult(&out); err != nil {
		return importJob{}, importOutcome{}, err
	}
	v := importJob{ID: j.ID, FileName: meta.FileName, Rows: meta.Rows, Started: j.CreatedAt,
		Phase: "validation", Done: j.Done, Finished: j.Finished(), Failed: j.Status == jobs.StatusFailed, LastError: j.LastError}
	// Progress counts both phases on one scale (see runImport): past the
	// file's length, the lines are being saved.
	if meta.Rows > 0 && j.Done >= meta.Rows && j.Total > meta.Rows {
		v.Phase, v.Done = "import", j.Done-meta.Rows
	}
	if out.Imported != nil {
		v.Result = *out.Imported
	}
	return v, out, nil
}

// runImport is the job: the file is checked then written, all rows or
// none (candidates.Service.Import), so a retry after a crash or an error
// cannot import a line twice.
func (ui *UI) runImport(ctx context.Context, r *jobs.Run) error {
	var p importPayload
	if err := r.Decode(&p); err != nil {
		return err
	}
	actor, err := ui.Auth.Get(ctx, r.CreatedBy)
	if err != nil {
		var pr *httpx.Problem
		if errors.As(err, &pr) && pr.Status == http.StatusNotFound {
			return jobs.Permanent(fmt.Errorf("import job %s: the account %s is gone", r.ID, r.CreatedBy))
		}
		return err
	}
	if actor.Role != auth.RoleAdmin {
		return jobs.Permanent(fmt.Errorf("import job %s: %s is no longer an administrator", r.ID, actor.ID))
	}
	ctx, cancel := context.WithTimeout(ctx, importTimeout)
	defer cancel()
	total := 2 * p.Rows
	_ = r.Progress(ctx, 0, total)
	// Import reports every line, the second phase from inside its one
	// write transaction: a write to the job's row there would wait for that
	// transaction on SQLite (one writer). So the callback only notes the
	// count, and a writer of its own records it every 250 ms; what cannot be
	// written yet (SQLite) is written once the transaction ends.
	var at atomic.Int64
	progress := func(phase string, done int) {
		if phase == "import" {
			done += p.Rows
		}
		at.Store(int64(min(done, total)))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		written := int64(0)
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if n := at.Load(); n != written {
				if err := r.Progress(ctx, int(n), total); err != nil {
					ui.Log.Warn("candidate import: progress", "job", r.ID, "err", err)
					continue
				}
				written = n
			}
		}
	}()
	res, err := ui.Candidates.Import(ctx, actor, bytes.NewReader(p.CSV), candidates.ImportOptions{Progress: progress})
	close(stop)
	wg.Wait()
	if err != nil {
		var pr *httpx.Problem
		if errors.As(err, &pr) && pr.Status < 500 {
			// A refused file: the bad lines are the result; retrying
			// would refuse it again.
			if serr := r.SetResult(importOutcome{Problem: &importProblem{Status: pr.Status, Code: pr.Code,
				FR: pr.FR, EN: pr.EN, Fields: pr.Fields}}); serr != nil {
				return serr
			}
			return jobs.Permanent(err)
		}
		return err
	}
	_ = r.Progress(ctx, total, total)
	return r.SetResult(importOutcome{Imported: &res})
}
