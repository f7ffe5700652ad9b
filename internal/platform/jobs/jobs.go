// Package jobs is the one durable mechanism for background work: message
// delivery, dated reminders, imports and batch issuance. A job is a row,
// written in the same transaction as the event that asks for it, so work is
// never lost to a crash or a restart; workers on any number of processes
// claim due jobs with a conditional UPDATE and a lease, so each job runs on
// one worker at a time, and a job whose worker died is taken again when its
// lease ends.
//
// Why not a library queue: River (the well-kept candidate) keeps its own
// clock in the database, which the tests' fixed clock cannot drive, and its
// SQLite driver wants a single connection; this package is about 300 lines
// on the project's own GORM handle and clock, and works the same on both
// databases (docs/architecture.md, "Background work").
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Statuses of a job.
const (
	StatusPending = "pending" // waiting for its run_at, or for a retry
	StatusRunning = "running" // claimed; its lease says until when
	StatusDone    = "done"
	StatusFailed  = "failed" // attempts exhausted, or a permanent error
)

// Job is a unit of background work.
type Job struct {
	ID          string     `gorm:"primaryKey;size:36" json:"id"`
	Kind        string     `gorm:"size:60;not null;index" json:"kind"`
	Payload     string     `gorm:"type:text;not null" json:"-"`
	UniqueKey   *string    `gorm:"size:200;uniqueIndex" json:"-"`
	Status      string     `gorm:"size:20;not null;index:idx_jobs_due,priority:1" json:"status"`
	RunAt       time.Time  `gorm:"not null;index:idx_jobs_due,priority:2" json:"run_at"`
	Attempts    int        `gorm:"not null;default:0" json:"attempts"`
	MaxAttempts int        `gorm:"not null" json:"max_attempts"`
	LockedBy    string     `gorm:"size:80" json:"-"`
	LockedUntil *time.Time `json:"-"`
	LastError   string     `gorm:"size:2000" json:"last_error,omitempty"`
	Done        int        `gorm:"not null;default:0" json:"done"`
	Total       int        `gorm:"not null;default:0" json:"total"`
	Result      string     `gorm:"type:text" json:"-"` // JSON, set by Run.SetResult
	CreatedBy   string     `gorm:"size:36" json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// TableName fixes the table's name.
func (Job) TableName() string { return "jobs" }

// DecodeResult reads the job's result into v; false when it has none.
func (j Job) DecodeResult(v any) (bool, error) {
	if j.Result == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(j.Result), v); err != nil {
		return false, fmt.Errorf("job %s: result: %w", j.ID, err)
	}
	return true, nil
}

// Finished tells whether the job will not run again.
func (j Job) Finished() bool { return j.Status == StatusDone || j.Status == StatusFailed }

// Handler does one job. Returning an error retries it later (with backoff)
// until its attempts run out; Permanent(err) fails it at once.
type Handler func(ctx context.Context, r *Run) error

// HandlerOptions tune a kind.
type HandlerOptions struct {
	// Lease is how long a worker may hold the job before another takes it
	// (a worker that died). Progress calls renew it. Default 2 minutes.
	Lease time.Duration
	// MaxAttempts before the job fails. Default 8.
	MaxAttempts int
	// Backoff gives the delay before attempt n+1; default 30 s × 2^(n-1),
	// at most 1 h (8 attempts span about 2 hours).
	Backoff func(attempt int) time.Duration
}

type handler struct {
	fn Handler
	HandlerOptions
}

// NewJob is what a caller asks for.
type NewJob struct {
	Kind    string
	Payload any // encoded as JSON
	// UniqueKey, when set, makes the enqueue a no-op if a job with that
	// key exists (done or not): a daily job is asked for by every replica
	// every hour and runs once.
	UniqueKey string
	RunAt     time.Time // zero: now
	CreatedBy string    // the account that asked, for pages that show progress
	// MaxAttempts overrides the kind's default when set.
	MaxAttempts int
}

// Queue enqueues and runs jobs.
type Queue struct {
	db       *gorm.DB
	now      func() time.Time
	log      *slog.Logger
	worker   string
	mu       sync.RWMutex
	handlers map[string]handler
	wake     chan struct{}
}

// New builds a queue on db with the application's clock.
func New(db *gorm.DB, now func() time.Time, log *slog.Logger) *Queue {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	return &Queue{db: db, now: now, log: log, handlers: map[string]handler{}, wake: make(chan struct{}, 1),
		worker: host + ":" + strconv.Itoa(os.Getpid()) + ":" + database.NewID()[:8]}
}

// Handle registers the handler of a kind. Register every kind before Work.
func (q *Queue) Handle(kind string, fn Handler, o HandlerOptions) {
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff == nil {
		o.Backoff = func(n int) time.Duration {
			d := 30 * time.Second << min(max(n-1, 0), 7)
			return min(d, time.Hour)
		}
	}
	q.mu.Lock()
	q.handlers[kind] = handler{fn: fn, HandlerOptions: o}
	q.mu.Unlock()
}

func (q *Queue) handler(kind string) (handler, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	h, ok := q.handlers[kind]
	return h, ok
}

// Enqueue writes a job in tx, the caller's transaction, so that the job
// exists if and only if the caller's write commits. With a UniqueKey that is
// already taken it returns the existing job's id and created=false.
func (q *Queue) Enqueue(tx *gorm.DB, n NewJob) (id string, err error) {
	id, _, err = q.EnqueueUnique(tx, n)
	return id, err
}

// EnqueueUnique is Enqueue that also says whether the job is new.
func (q *Queue) EnqueueUnique(tx *gorm.DB, n NewJob) (id string, created bool, err error) {
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return "", false, fmt.Errorf("enqueue %s: payload: %w", n.Kind, err)
	}
	now := q.now().UTC()
	runAt := n.RunAt.UTC()
	if n.RunAt.IsZero() {
		runAt = now
	}
	maxAttempts := n.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 8
		if h, ok := q.handler(n.Kind); ok {
			maxAttempts = h.MaxAttempts
		}
	}
	j := Job{ID: database.NewID(), Kind: n.Kind, Payload: string(payload), Status: StatusPending, RunAt: runAt,
		MaxAttempts: maxAttempts, CreatedBy: n.CreatedBy, CreatedAt: now, UpdatedAt: now}
	if n.UniqueKey != "" {
		j.UniqueKey = &n.UniqueKey
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&j)
		if res.Error != nil {
			return "", false, fmt.Errorf("enqueue %s: %w", n.Kind, res.Error)
		}
		if res.RowsAffected == 0 {
			var old Job
			if err := tx.Select("id").Where("unique_key = ?", n.UniqueKey).Take(&old).Error; err != nil {
				return "", false, fmt.Errorf("enqueue %s: existing: %w", n.Kind, err)
			}
			return old.ID, false, nil
		}
	} else if err := tx.Create(&j).Error; err != nil {
		return "", false, fmt.Errorf("enqueue %s: %w", n.Kind, err)
	}
	q.Notify()
	return j.ID, true, nil
}

// Notify wakes an idle worker of this process (a job was just enqueued; if
// its transaction has not committed yet, the next poll finds it).
func (q *Queue) Notify() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Get returns a job.
func (q *Queue) Get(ctx context.Context, id string) (Job, error) {
	var j Job
	err := q.db.WithContext(ctx).Where("id = ?", id).Take(&j).Error
	if err != nil {
		return j, fmt.Errorf("get job %s: %w", id, err)
	}
	return j, nil
}

// Count tells how many jobs of a kind are in a status ("" for any).
func (q *Queue) Count(ctx context.Context, kind, status string) (int64, error) {
	tx := q.db.WithContext(ctx).Model(&Job{})
	if kind != "" {
		tx = tx.Where("kind = ?", kind)
	}
	if status != "" {
		tx = tx.Where("status = ?", status)
	}
	var n int64
	if err := tx.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count jobs: %w", err)
	}
	return n, nil
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that the job fails now, without retries.
func Permanent(err error) error { return permanent{err} }

// IsPermanent tells whether err was wrapped by Permanent.
func IsPermanent(err error) bool { var p permanent; return errors.As(err, &p) }

// Run is a claimed job, handed to its handler.
type Run struct {
	ID      string
	Kind    string
	Attempt int // 1 for the first run
	// Last is true when this is the last attempt the job will get.
	Last      bool
	CreatedBy string
	payload   string
	q         *Queue
	lease     time.Duration
	result    json.RawMessage
}

// Decode reads the payload into v.
func (r *Run) Decode(v any) error {
	if err := json.Unmarshal([]byte(r.payload), v); err != nil {
		return Permanent(fmt.Errorf("job %s: payload: %w", r.ID, err))
	}
	return nil
}

// Progress records how far the job is (shown to the person who started it)
// and renews the lease.
func (r *Run) Progress(ctx context.Context, done, total int) error {
	until := r.q.now().UTC().Add(r.lease)
	err := r.q.db.WithContext(ctx).Model(&Job{}).Where("id = ? AND locked_by = ?", r.ID, r.q.worker).
		Updates(map[string]any{"done": done, "total": total, "locked_until": until, "updated_at": r.q.now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("job %s: progress: %w", r.ID, err)
	}
	return nil
}

// SetResult keeps v (as JSON) with the job when it ends.
func (r *Run) SetResult(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("job %s: result: %w", r.ID, err)
	}
	r.result = b
	return nil
}

// claim takes one due job, or returns nil when none is due. Candidates are
// read first, then each is taken by a conditional UPDATE: of several
// workers racing for a row, exactly one sees a row affected.
func (q *Queue) claim(ctx context.Context) (*Job, error) {
	now := q.now().UTC()
	if !database.IsSQLite(q.db) {
		return q.claimSkipLocked(ctx, now)
	}
	// Pending jobs first, in the order of an index (status, run_at, id), so
	// that finding the next job costs the same with ten or a million queued;
	// then running jobs whose worker's lease has ended (a dead worker).
	var due []Job
	err := q.db.WithContext(ctx).Select("id", "kind").Where("status = ? AND run_at <= ?", StatusPending, now).
		Order("run_at, id").Limit(16).Find(&due).Error
	if err != nil {
		return nil, fmt.Errorf("jobs: find due: %w", err)
	}
	if len(due) == 0 {
		err = q.db.WithContext(ctx).Select("id", "kind").Where("status = ? AND locked_until < ?", StatusRunning, now).
			Order("locked_until, id").Limit(16).Find(&due).Error
		if err != nil {
			return nil, fmt.Errorf("jobs: find abandoned: %w", err)
		}
	}
	for _, d := range due {
		h, ok := q.handler(d.Kind)
		if !ok {
			continue // another version of the program may know it
		}
		until := now.Add(h.Lease)
		res := q.db.WithContext(ctx).Model(&Job{}).
			Where("id = ? AND status IN ? AND run_at <= ? AND (locked_until IS NULL OR locked_until < ?)",
				d.ID, []string{StatusPending, StatusRunning}, now, now).
			Updates(map[string]any{"status": StatusRunning, "locked_by": q.worker, "locked_until": until,
				"attempts": gorm.Expr("attempts + 1"), "updated_at": now})
		if res.Error != nil {
			return nil, fmt.Errorf("jobs: claim %s: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			var j Job
			if err := q.db.WithContext(ctx).Where("id = ?", d.ID).Take(&j).Error; err != nil {
				return nil, fmt.Errorf("jobs: read claimed %s: %w", d.ID, err)
			}
			return &j, nil
		}
	}
	return nil, nil
}

// claimSkipLocked is claim in one PostgreSQL statement: the due row is
// locked as it is read, and rows other workers hold are skipped rather than
// waited for, so concurrent workers never collide on the same job.
func (q *Queue) claimSkipLocked(ctx context.Context, now time.Time) (*Job, error) {
	kinds := q.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	// Pending jobs in index order first, then abandoned ones (see claim).
	for _, pick := range []string{
		`status = 'pending' AND run_at <= ? AND kind IN ? ORDER BY run_at, id`,
		`status = 'running' AND locked_until < ? AND kind IN ? ORDER BY locked_until, id`,
	} {
		var j Job
		res := q.db.WithContext(ctx).Raw(`UPDATE jobs SET status = ?, locked_by = ?, attempts = attempts + 1, updated_at = ?,
			locked_until = CAST(? AS timestamptz) + (CASE kind `+q.leaseCases()+` END) * INTERVAL '1 second'
			WHERE id = (SELECT id FROM jobs WHERE `+pick+` LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING *`, StatusRunning, q.worker, now, now, now, kinds).Scan(&j)
		if res.Error != nil {
			return nil, fmt.Errorf("jobs: claim: %w", res.Error)
		}
		if res.RowsAffected > 0 && j.ID != "" {
			return &j, nil
		}
	}
	return nil, nil
}

// kinds are the kinds this process runs.
func (q *Queue) kinds() []string {
	q.mu.RLock()
	defer q.mu.RUnlock()
	out := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		out = append(out, k)
	}
	return out
}

// leaseCases is a CASE over the kinds giving each its lease in seconds
// (the kinds are the program's own words, never user input).
func (q *Queue) leaseCases() string {
	q.mu.RLock()
	defer q.mu.RUnlock()
	var b strings.Builder
	for k, h := range q.handlers {
		fmt.Fprintf(&b, "WHEN '%s' THEN %d ", strings.ReplaceAll(k, "'", ""), int(h.Lease.Seconds()))
	}
	b.WriteString("ELSE 120")
	return b.String()
}

// runOne claims and runs one due job; false when none was due.
func (q *Queue) runOne(ctx context.Context) (bool, error) {
	j, err := q.claim(ctx)
	if err != nil || j == nil {
		return false, err
	}
	h, _ := q.handler(j.Kind)
	r := &Run{ID: j.ID, Kind: j.Kind, Attempt: j.Attempts, Last: j.Attempts >= j.MaxAttempts,
		CreatedBy: j.CreatedBy, payload: j.Payload, q: q, lease: h.Lease}
	herr := q.call(ctx, h.fn, r)
	if ctx.Err() != nil && herr != nil {
		// Stopping: leave the job to its lease, so that it is taken
		// again after the restart, as after a crash.
		return true, nil
	}
	now := q.now().UTC()
	upd := map[string]any{"locked_until": nil, "updated_at": now}
	if r.result != nil {
		upd["result"] = string(r.result)
	}
	switch {
	case herr == nil:
		upd["status"], upd["finished_at"], upd["last_error"] = StatusDone, now, ""
	case IsPermanent(herr) || j.Attempts >= j.MaxAttempts:
		upd["status"], upd["finished_at"], upd["last_error"] = StatusFailed, now, Clip(herr.Error(), 2000)
		q.log.Warn("job failed", "kind", j.Kind, "id", j.ID, "attempts", j.Attempts, "err", herr)
	default:
		upd["status"], upd["run_at"], upd["last_error"] = StatusPending, now.Add(h.Backoff(j.Attempts)), Clip(herr.Error(), 2000)
		q.log.Info("job will be retried", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "err", herr)
	}
	// The job's end is written even if ctx ended meanwhile.
	if err := q.db.Model(&Job{}).Where("id = ? AND locked_by = ?", j.ID, q.worker).Updates(upd).Error; err != nil {
		return true, fmt.Errorf("jobs: finish %s: %w", j.ID, err)
	}
	return true, nil
}

// call runs the handler, turning a panic into an error so that one bad job
// does not stop the worker.
func (q *Queue) call(ctx context.Context, fn Handler, r *Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", r.ID, p)
		}
	}()
	return fn(ctx, r)
}

// RunDue runs every job due now, one after the other, in this goroutine,
// and returns how many ran. Tests and the command line use it; jobs a handler
// enqueues for now run too.
func (q *Queue) RunDue(ctx context.Context) (int, error) {
	n := 0
	for {
		ran, err := q.runOne(ctx)
		if err != nil {
			return n, err
		}
		if !ran {
			return n, nil
		}
		n++
	}
}

// Work runs workers goroutines that take due jobs until ctx ends, polling
// every poll (and at once when this process enqueues). It returns when every
// worker has stopped.
func (q *Queue) Work(ctx context.Context, workers int, poll time.Duration) {
	if workers < 1 {
		workers = 1
	}
	if poll <= 0 {
		poll = time.Second
	}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(poll)
			defer t.Stop()
			for {
				for ctx.Err() == nil {
					ran, err := q.runOne(ctx)
					if err != nil {
						if ctx.Err() == nil {
							q.log.Error("jobs worker", "err", err)
						}
						break
					}
					if !ran {
						break
					}
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				case <-q.wake:
					// pass the wake-up on, so that every idle worker looks
					q.Notify()
				}
			}
		}()
	}
	wg.Wait()
}

// Purge deletes finished jobs older than age (the daily job calls it).
func (q *Queue) Purge(ctx context.Context, age time.Duration) (int64, error) {
	res := q.db.WithContext(ctx).Where("status IN ? AND finished_at < ?",
		[]string{StatusDone, StatusFailed}, q.now().UTC().Add(-age)).Delete(&Job{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge jobs: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Clip cuts s to at most n bytes without splitting a UTF-8 sequence
// (error texts kept in bounded columns).
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

// Migrations create the jobs table.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026120501_jobs",
		Migrate: func(tx *gorm.DB) error {
			type job struct {
				ID          string    `gorm:"primaryKey;size:36"`
				Kind        string    `gorm:"size:60;not null;index:idx_jobs_kind"`
				Payload     string    `gorm:"type:text;not null"`
				UniqueKey   *string   `gorm:"size:200;uniqueIndex:idx_jobs_unique_key"`
				Status      string    `gorm:"size:20;not null;index:idx_jobs_due,priority:1"`
				RunAt       time.Time `gorm:"not null;index:idx_jobs_due,priority:2"`
				Attempts    int       `gorm:"not null;default:0"`
				MaxAttempts int       `gorm:"not null"`
				LockedBy    string    `gorm:"size:80"`
				LockedUntil *time.Time
				LastError   string `gorm:"size:2000"`
				Done        int    `gorm:"not null;default:0"`
				Total       int    `gorm:"not null;default:0"`
				Result      string `gorm:"type:text"`
				CreatedBy   string `gorm:"size:36"`
				CreatedAt   time.Time
				UpdatedAt   time.Time
				FinishedAt  *time.Time
			}
			return tx.Table("jobs").AutoMigrate(&job{})
		},
	}, {
		// The claim reads pending jobs in (run_at, id) order and abandoned
		// ones by lease end: both straight from an index, however long the
		// queue (10 000 reminders queued at once made each claim sort them).
		ID: "2026120503_jobs_claim_indexes",
		Migrate: func(tx *gorm.DB) error {
			for _, q := range []string{
				"CREATE INDEX idx_jobs_pending ON jobs (status, run_at, id)",
				"CREATE INDEX idx_jobs_lease ON jobs (status, locked_until, id)",
				"DROP INDEX IF EXISTS idx_jobs_due",
			} {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}}
}
