package webui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/candidates"
)

// importJob is a CSV import running (or run) in the background, as its page
// shows it.
type importJob struct {
	ID       string
	Owner    string // the administrator who started it: only they see it
	FileName string
	Rows     int // data lines counted in the file, for the progress bar
	Started  time.Time

	Phase    string // "validation", then "import"
	Done     int
	Finished bool
	Ended    time.Time
	Result   candidates.ImportResult
	Err      error
}

// importWork is the job's body: it reports its progress and returns the
// service's answer.
type importWork func(ctx context.Context, progress func(phase string, done int)) (candidates.ImportResult, error)

// importJobs holds the UI's background imports. They run under the
// registry's context, not the request's (a job outlives the request that
// started it); Close cancels them and waits, so that none is left writing
// to a database being closed. Finished jobs are forgotten after ttl.
type importJobs struct {
	now     func() time.Time
	ttl     time.Duration
	timeout time.Duration
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu     sync.Mutex
	closed bool
	jobs   map[string]*importJob
}

func newImportJobs(now func() time.Time, ttl, timeout time.Duration) *importJobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &importJobs{now: now, ttl: ttl, timeout: timeout, ctx: ctx, cancel: cancel, jobs: map[string]*importJob{}}
}

var errJobsClosed = errors.New("import jobs: shutting down")

// start records j and runs work in its own goroutine; it returns the job's id.
func (r *importJobs) start(j importJob, work importWork) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return "", errJobsClosed
	}
	r.pruneLocked()
	job := j
	job.ID, job.Started, job.Phase = randomToken(), r.now(), "validation"
	r.jobs[job.ID] = &job
	r.wg.Add(1)
	go r.run(&job, work)
	return job.ID, nil
}

func (r *importJobs) run(job *importJob, work importWork) {
	defer r.wg.Done()
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	var (
		res candidates.ImportResult
		err error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("import job %s: panic: %v", job.ID, p)
			}
		}()
		res, err = work(ctx, func(phase string, done int) {
			r.mu.Lock()
			job.Phase, job.Done = phase, done
			r.mu.Unlock()
		})
	}()
	r.mu.Lock()
	job.Finished, job.Ended, job.Result, job.Err = true, r.now(), res, err
	r.mu.Unlock()
}

// get is a copy of the job, for its owner only; an unknown, expired or
// someone else's job is not found.
func (r *importJobs) get(id, owner string) (importJob, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruneLocked()
	j, ok := r.jobs[id]
	if !ok || j.Owner != owner {
		return importJob{}, false
	}
	return *j, true
}

func (r *importJobs) pruneLocked() {
	now := r.now()
	for id, j := range r.jobs {
		if j.Finished && now.Sub(j.Ended) > r.ttl {
			delete(r.jobs, id)
		}
	}
}

// Close cancels the running jobs and waits for their goroutines to end.
func (r *importJobs) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}
