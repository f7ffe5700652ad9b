package certificates_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIssue10000 issues CQP_BENCH_DOCS (10 000) documents end to end on
// the test database (set CQP_TEST_DATABASE_URL for PostgreSQL): for each
// candidate, the issuing transaction (ledger read, number, signature, Open
// Badges credentials, row, audit) and the PDF, by GOMAXPROCS×2 workers.
// Then it draws every PDF again from the stored snapshots, to measure PDFs
// per second per core on their own. Run with -benchtime=1x. CQP_BENCH_NOPDF=1
// leaves the PDF out of the issuing loop (the transactions alone);
// CQP_BENCH_WORKERS changes the number of workers.
//
//	CQP_TEST_DATABASE_URL=postgres://… go test -run x -bench Issue10000 -benchtime=1x ./internal/certificates/
func BenchmarkIssue10000(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("CQP_BENCH_DOCS")); err == nil && v > 0 {
		n = v
	}
	env := apptest.New(b)
	admin, _ := env.User(b, auth.RoleAdmin)
	ctx := context.Background()

	// Setup, not measured: n candidates with four final validations each,
	// three quarters complete (certificates), one quarter partial (attestations).
	ids := make([]string, n)
	cands := make([]candidates.Candidate, n)
	var ds []candidates.Decision
	for i := range n {
		ids[i] = database.NewID()
		cands[i] = candidates.Candidate{ID: ids[i], FirstName: "Éloïse", LastName: fmt.Sprintf("Lefèvre-%05d", i),
			BirthDate: civil.New(1990, 5, 17), Search: "eloise lefevre", CreatedBy: admin.ID}
		comps := []string{"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4"}
		if i%4 == 3 {
			comps = comps[:2]
		}
		for j, code := range comps {
			ds = append(ds, candidates.Decision{ID: database.NewID(), CandidateID: ids[i], Certification: clerc,
				Component: code, Outcome: candidates.Validated, DecidedOn: civil.New(2024, 2, 29).AddMonths(j * 7),
				Final: true, CreatedBy: admin.ID})
		}
	}
	if err := env.App.DB.CreateInBatches(cands, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := env.App.DB.CreateInBatches(ds, 1000).Error; err != nil {
		b.Fatal(err)
	}
	svc := env.App.Certificates
	workers := runtime.GOMAXPROCS(0) * 2
	if v, err := strconv.Atoi(os.Getenv("CQP_BENCH_WORKERS")); err == nil && v > 0 {
		workers = v
	}
	run := func(work func(id string) error) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= int64(n) {
						return
					}
					if err := work(ids[i]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuTime()
	b.ResetTimer()
	issueWall := run(func(id string) error {
		res, err := svc.Issue(ctx, admin.ID, id, clerc)
		if err != nil {
			return err
		}
		d, err := res.Record.Document()
		if err != nil {
			return err
		}
		if os.Getenv("CQP_BENCH_NOPDF") != "" {
			return nil
		}
		_, err = certificates.RenderPDF(d)
		return err
	})
	issueCPU := cpuTime() - cpu0
	runtime.ReadMemStats(&m1)

	numbers := make(map[string]string, n)
	var recs []certificates.Record
	if err := env.App.DB.Select("number", "candidate_id").Find(&recs).Error; err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		numbers[r.CandidateID] = r.Number
	}
	if len(recs) != n {
		b.Fatalf("%d documents for %d candidates", len(recs), n)
	}
	adminUser := auth.User{ID: admin.ID, Role: auth.RoleAdmin}
	cpu1 := cpuTime()
	pdfWall := run(func(id string) error {
		_, err := svc.PDF(ctx, adminUser, numbers[id])
		return err
	})
	pdfCPU := cpuTime() - cpu1
	b.StopTimer()

	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cores := float64(runtime.GOMAXPROCS(0))
	b.ReportMetric(issueWall.Seconds(), "s-issue-all")
	b.ReportMetric(float64(n)/issueWall.Seconds(), "docs/s")
	b.ReportMetric(float64(issueCPU.Milliseconds())/float64(n), "cpu-ms/doc")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n)/1024, "KiB-alloc/doc")
	b.ReportMetric(float64(ru.Maxrss)/1024, "MiB-maxrss")
	b.ReportMetric(pdfWall.Seconds(), "s-pdf-all")
	b.ReportMetric(float64(pdfCPU.Microseconds())/1000/float64(n), "cpu-ms/pdf")
	b.ReportMetric(float64(n)/pdfWall.Seconds()/cores, "pdf/s/core")
	b.Logf("%s: %d documents issued with their PDF in %s (%d workers, %v cores); %d PDFs redrawn in %s",
		env.Backend, n, issueWall.Round(time.Millisecond), workers, cores, n, pdfWall.Round(time.Millisecond))
}
