package webui

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/candidates"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestImportJobs_CloseCancelsAndWaitsForRunningJobs(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	r := newImportJobs(clock.now, time.Hour, time.Minute)
	started := make(chan struct{})
	ended := false
	id, err := r.start(importJob{Owner: "admin-1", Rows: 10}, func(ctx context.Context, progress func(string, int)) (candidates.ImportResult, error) {
		progress("validation", 4)
		close(started)
		<-ctx.Done() // a job still writing when the program stops
		time.Sleep(20 * time.Millisecond)
		ended = true
		return candidates.ImportResult{}, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if j, ok := r.get(id, "admin-1"); !ok || j.Finished || j.Done != 4 || j.Phase != "validation" {
		t.Fatalf("running job: %+v %v", j, ok)
	}
	if _, ok := r.get(id, "admin-2"); ok {
		t.Error("another administrator sees the job")
	}
	r.Close()
	if !ended {
		t.Fatal("Close returned before the job's goroutine ended")
	}
	if j, _ := r.get(id, "admin-1"); !j.Finished || !errors.Is(j.Err, context.Canceled) {
		t.Errorf("after Close: %+v", j)
	}
	if _, err := r.start(importJob{Owner: "admin-1"}, nil); !errors.Is(err, errJobsClosed) {
		t.Errorf("start after Close: %v", err)
	}
}

func TestImportJobs_FinishedJobsExpireAfterTheirTTLAndPanicsAreErrors(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	r := newImportJobs(clock.now, time.Hour, time.Minute)
	defer r.Close()
	id, err := r.start(importJob{Owner: "a"}, func(context.Context, func(string, int)) (candidates.ImportResult, error) {
		panic("boom")
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		j, ok := r.get(id, "a")
		if !ok {
			t.Fatal("job lost")
		}
		if j.Finished {
			if j.Err == nil {
				t.Error("a panicking job finished without error")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("job never finished")
		}
		time.Sleep(5 * time.Millisecond)
	}
	clock.add(59 * time.Minute)
	if _, ok := r.get(id, "a"); !ok {
		t.Error("expired too early")
	}
	clock.add(2 * time.Minute)
	if _, ok := r.get(id, "a"); ok {
		t.Error("still there after an hour")
	}
}
