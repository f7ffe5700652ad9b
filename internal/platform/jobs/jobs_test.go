package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/jobs"
	"gorm.io/gorm"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func open(t *testing.T) (*gorm.DB, *clock) {
	t.Helper()
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(context.Background(), db, jobs.Migrations()); err != nil {
		t.Fatal(err)
	}
	return db, &clock{t: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
}

func enqueue(t *testing.T, db *gorm.DB, q *jobs.Queue, n jobs.NewJob) string {
	t.Helper()
	var id string
	err := database.Tx(context.Background(), db, func(tx *gorm.DB) (err error) {
		id, err = q.Enqueue(tx, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestEnqueue_RolledBackTransactionLeavesNoJob(t *testing.T) {
	db, c := open(t)
	q := jobs.New(db, c.now, nil)
	boom := errors.New("the event failed")
	err := database.Tx(context.Background(), db, func(tx *gorm.DB) error {
		if _, err := q.Enqueue(tx, jobs.NewJob{Kind: "k", Payload: 1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx error = %v", err)
	}
	if n, _ := q.Count(context.Background(), "", ""); n != 0 {
		t.Fatalf("%d jobs after a rollback, want 0", n)
	}
}

func TestRunDue_RunsOnceWithPayloadAndResult(t *testing.T) {
	db, c := open(t)
	q := jobs.New(db, c.now, nil)
	var got []int
	q.Handle("add", func(ctx context.Context, r *jobs.Run) error {
		var p struct{ A, B int }
		if err := r.Decode(&p); err != nil {
			return err
		}
		got = append(got, p.A+p.B)
		if err := r.Progress(ctx, 1, 1); err != nil {
			return err
		}
		return r.SetResult(map[string]int{"sum": p.A + p.B})
	}, jobs.HandlerOptions{})
	id := enqueue(t, db, q, jobs.NewJob{Kind: "add", Payload: map[string]int{"A": 2, "B": 3}})
	future := enqueue(t, db, q, jobs.NewJob{Kind: "add", Payload: map[string]int{"A": 1, "B": 1}, RunAt: c.now().Add(time.Hour)})
	for range 3 {
		if _, err := q.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0] != 5 {
		t.Fatalf("handler saw %v, want [5] (once; the future job not yet)", got)
	}
	j, err := q.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != jobs.StatusDone || j.Attempts != 1 || j.Done != 1 || j.Total != 1 || string(j.Result) != `{"sum":5}` {
		t.Fatalf("job = %+v", j)
	}
	c.advance(time.Hour)
	if n, _ := q.RunDue(context.Background()); n != 1 {
		t.Fatalf("ran %d at the future job's time, want 1", n)
	}
	if j, _ := q.Get(context.Background(), future); j.Status != jobs.StatusDone {
		t.Fatalf("future job %s", j.Status)
	}
}

func TestUniqueKey_SecondEnqueueIsANoOp(t *testing.T) {
	db, c := open(t)
	q := jobs.New(db, c.now, nil)
	var ids [3]string
	var created [3]bool
	for i := range ids {
		err := database.Tx(context.Background(), db, func(tx *gorm.DB) (err error) {
			ids[i], created[i], err = q.EnqueueUnique(tx, jobs.NewJob{Kind: "daily", UniqueKey: "daily:2026-12-05"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !created[0] || created[1] || created[2] || ids[1] != ids[0] || ids[2] != ids[0] {
		t.Fatalf("created %v ids %v: want one job, the same id thrice", created, ids)
	}
}

func TestFailure_RetriesWithBackoffThenFails(t *testing.T) {
	db, c := open(t)
	q := jobs.New(db, c.now, nil)
	var calls int
	q.Handle("flaky", func(context.Context, *jobs.Run) error { calls++; return errors.New("server busy") },
		jobs.HandlerOptions{MaxAttempts: 3, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }})
	id := enqueue(t, db, q, jobs.NewJob{Kind: "flaky"})
	q.RunDue(context.Background())
	j, _ := q.Get(context.Background(), id)
	if j.Status != jobs.StatusPending || j.Attempts != 1 || j.LastError != "server busy" || !j.RunAt.Equal(c.now().Add(time.Minute)) {
		t.Fatalf("after 1 failure: %+v", j)
	}
	q.RunDue(context.Background()) // not due yet
	if calls != 1 {
		t.Fatalf("retried before its backoff: %d calls", calls)
	}
	c.advance(time.Minute)
	q.RunDue(context.Background())
	c.advance(2 * time.Minute)
	q.RunDue(context.Background())
	j, _ = q.Get(context.Background(), id)
	if calls != 3 || j.Status != jobs.StatusFailed || j.FinishedAt == nil {
		t.Fatalf("after 3 attempts: calls %d, %+v", calls, j)
	}
	c.advance(time.Hour)
	q.RunDue(context.Background())
	if calls != 3 {
		t.Fatal("a failed job ran again")
	}
}

func TestPermanent_FailsAtOnce(t *testing.T) {
	db, c := open(t)
	q := jobs.New(db, c.now, nil)
	q.Handle("bad", func(context.Context, *jobs.Run) error { return jobs.Permanent(errors.New("550 no such user")) }, jobs.HandlerOptions{})
	id := enqueue(t, db, q, jobs.NewJob{Kind: "bad"})
	q.RunDue(context.Background())
	if j, _ := q.Get(context.Background(), id); j.Status != jobs.StatusFailed || j.Attempts != 1 {
		t.Fatalf("%+v", j)
	}
}

func TestPanic_IsAFailureNotACrash(t *testing.T) {
	db, c := open(t)
	q := jobs.New(db, c.now, nil)
	q.Handle("panics", func(context.Context, *jobs.Run) error { panic("oops") }, jobs.HandlerOptions{MaxAttempts: 1})
	id := enqueue(t, db, q, jobs.NewJob{Kind: "panics"})
	if _, err := q.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j, _ := q.Get(context.Background(), id); j.Status != jobs.StatusFailed {
		t.Fatalf("%+v", j)
	}
}

// A worker that dies mid-job (the process killed) leaves the job running
// under its lease; another worker (the restarted process) takes it when the
// lease ends, and not before.
func TestDeadWorker_JobTakenAgainAfterItsLease(t *testing.T) {
	db, c := open(t)
	first := jobs.New(db, c.now, nil)
	started := make(chan struct{})
	first.Handle("long", func(ctx context.Context, r *jobs.Run) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, jobs.HandlerOptions{Lease: 5 * time.Minute})
	id := enqueue(t, db, first, jobs.NewJob{Kind: "long"})
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { first.Work(ctx, 1, 10*time.Millisecond); close(done) }()
	<-started
	kill()
	<-done
	if j, _ := first.Get(context.Background(), id); j.Status != jobs.StatusRunning {
		t.Fatalf("killed worker's job: %s, want running (leased)", j.Status)
	}

	second := jobs.New(db, c.now, nil)
	var runs atomic.Int32
	second.Handle("long", func(context.Context, *jobs.Run) error { runs.Add(1); return nil }, jobs.HandlerOptions{Lease: 5 * time.Minute})
	second.RunDue(context.Background())
	if runs.Load() != 0 {
		t.Fatal("taken while its lease runs")
	}
	c.advance(5*time.Minute + time.Second)
	second.RunDue(context.Background())
	second.RunDue(context.Background())
	j, _ := second.Get(context.Background(), id)
	if runs.Load() != 1 || j.Status != jobs.StatusDone || j.Attempts != 2 {
		t.Fatalf("runs %d, %+v", runs.Load(), j)
	}
}

// Many workers on many queues (as many processes) run each job once.
func TestConcurrentWorkers_EachJobOnce(t *testing.T) {
	db, c := open(t)
	var mu sync.Mutex
	seen := map[int]int{}
	handler := func(_ context.Context, r *jobs.Run) error {
		var n int
		if err := r.Decode(&n); err != nil {
			return err
		}
		mu.Lock()
		seen[n]++
		mu.Unlock()
		return nil
	}
	qs := make([]*jobs.Queue, 3)
	for i := range qs {
		qs[i] = jobs.New(db, c.now, nil)
		qs[i].Handle("n", handler, jobs.HandlerOptions{})
	}
	const total = 60
	err := database.Tx(context.Background(), db, func(tx *gorm.DB) error {
		for i := range total {
			if _, err := qs[0].Enqueue(tx, jobs.NewJob{Kind: "n", Payload: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Add(1)
		go func() { defer wg.Done(); q.Work(ctx, 2, 5*time.Millisecond) }()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, _ := qs[0].Count(context.Background(), "n", jobs.StatusDone)
		if n == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != total {
		t.Fatalf("%d distinct jobs ran, want %d", len(seen), total)
	}
	for n, k := range seen {
		if k != 1 {
			t.Fatalf("job %d ran %d times", n, k)
		}
	}
}
