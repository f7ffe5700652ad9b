package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

// healthzRate hammers GET /healthz with workers keep-alive clients until
// stop is closed (or for d when stop is nil) and returns requests a second.
func healthzRate(url string, workers int, d time.Duration, stop <-chan struct{}) float64 {
	var n atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for {
				select {
				case <-done:
					return
				default:
				}
				res, err := c.Get(url + "/healthz")
				if err == nil {
					res.Body.Close()
					n.Add(1)
				}
			}
		}()
	}
	if stop == nil {
		time.Sleep(d)
	} else {
		<-stop
	}
	close(done)
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// BenchmarkReminderDelivery: 10 000 components expiring within a month,
// their reminders queued (one transaction each) and delivered by the
// server's 4 workers to a local SMTP server, while /healthz is measured
// idle and during the delivery, in the same run (issue 12's goal: delivery
// ≤ 60 s on 2 cores, /healthz within 20 % of idle). Run with
//
//	go test -run '^$' -bench ReminderDelivery -benchtime 1x ./internal/app/
//
// (CQP_TEST_DATABASE_URL=postgres://… for PostgreSQL).
func BenchmarkReminderDelivery(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("CQP_BENCH_MESSAGES")); err == nil && v > 0 {
		n = v // a smaller run, for profiling
	}
	srv := mailtest.Start(b)
	srv.Discard()
	env := apptest.New(b, apptest.WithSMTP(srv))
	env.User(b, auth.RoleAdmin)
	ctx := context.Background()
	cs := make([]candidates.Candidate, 0, 500)
	ds := make([]candidates.Decision, 0, 500)
	flush := func() {
		if err := env.App.DB.CreateInBatches(cs, 500).Error; err != nil {
			b.Fatal(err)
		}
		if err := env.App.DB.CreateInBatches(ds, 500).Error; err != nil {
			b.Fatal(err)
		}
		cs, ds = cs[:0], ds[:0]
	}
	for i := range n {
		id := database.NewID()
		cs = append(cs, candidates.Candidate{ID: id, FirstName: "Camille", LastName: fmt.Sprintf("Bench%05d", i),
			BirthDate: civil.New(1990, 1, 1), Email: fmt.Sprintf("bench%05d@example.fr", i), Search: "bench", CreatedBy: "bench"})
		ds = append(ds, candidates.Decision{ID: database.NewID(), CandidateID: id, Certification: clercCert, Component: "CLERC-1",
			Outcome: candidates.Validated, DecidedOn: civil.New(2021, 12, 10), Final: true, CreatedBy: "bench"})
		if len(cs) == cap(cs) {
			flush()
		}
	}
	flush()

	for b.Loop() {
		idle := healthzRate(env.Server.URL, 4, 3*time.Second, nil)
		start := time.Now()
		rep, err := env.App.SendReminders(ctx)
		if err != nil {
			b.Fatal(err)
		}
		queued := time.Since(start)
		if rep.Expiry1m != n {
			b.Fatalf("queued %d reminders, want %d", rep.Expiry1m, n)
		}
		wctx, stopWorkers := context.WithCancel(ctx)
		workers := 4 // as App.Serve
		if v, err := strconv.Atoi(os.Getenv("CQP_BENCH_WORKERS")); err == nil && v > 0 {
			workers = v
		}
		go env.App.Jobs.Work(wctx, workers, 200*time.Millisecond)
		delivered := make(chan struct{})
		go func() {
			_ = srv.Wait(n+1, 10*time.Minute) // + the administrators' list
			close(delivered)
		}()
		busy := healthzRate(env.Server.URL, 4, 0, delivered)
		total := time.Since(start)
		stopWorkers()
		b.ReportMetric(queued.Seconds(), "s-queue")
		b.ReportMetric(total.Seconds(), "s-total")
		b.ReportMetric(float64(n)/total.Seconds(), "msg/s")
		b.ReportMetric(idle, "healthz-idle-rps")
		b.ReportMetric(busy, "healthz-busy-rps")
		b.ReportMetric(busy/idle, "busy/idle")
	}
}
