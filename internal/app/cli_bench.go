package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/reporting"
)

// runBench is `cqp bench seed N` (generate N synthetic candidates, fast:
// the database builds the rows) and `cqp bench candidates [ROUNDS]` (time
// the list and search queries and print their percentiles), for
// docs/performance.md.
func runBench(ctx context.Context, env *cliEnv, args []string) error {
	usage := errors.New("usage: cqp bench seed N | cqp bench candidates [ROUNDS] | cqp bench backoffice [ROUNDS]")
	if len(args) < 1 {
		return usage
	}
	switch args[0] {
	case "seed":
		if len(args) != 2 {
			return usage
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n <= 0 {
			return usage
		}
		a, err := New(ctx, env.cfg, Options{Logger: env.log})
		if err != nil {
			return err
		}
		defer a.Close()
		start := time.Now()
		bar := newProgressBar(env.stderr, "candidats")
		err = candidates.SeedBench(ctx, a.DB, n, func(done int) { bar.draw("génération", int64(done), int64(n), done) })
		bar.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d candidats générés en %s\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	case "candidates", "backoffice":
		rounds := 200
		if len(args) == 2 {
			var err error
			if rounds, err = strconv.Atoi(args[1]); err != nil || rounds <= 0 {
				return usage
			}
		}
		a, err := New(ctx, env.cfg, Options{Logger: env.log})
		if err != nil {
			return err
		}
		defer a.Close()
		if args[0] == "backoffice" {
			return benchBackOffice(ctx, env, a, rounds)
		}
		return benchCandidates(ctx, env, a, rounds)
	}
	return usage
}

func benchCandidates(ctx context.Context, env *cliEnv, a *App, rounds int) error {
	var total int64
	if err := a.DB.WithContext(ctx).Table("candidates").Count(&total).Error; err != nil {
		return err
	}
	// Cursors spread over the table, taken once (OFFSET is fine for set-up).
	var cursors []string
	for i := range 20 {
		var id string
		if err := a.DB.WithContext(ctx).Raw("SELECT id FROM candidates ORDER BY id OFFSET ? LIMIT 1", total*int64(i)/20).
			Scan(&id).Error; err != nil {
			return err
		}
		cursors = append(cursors, id)
	}
	var emails []string
	if err := a.DB.WithContext(ctx).Raw("SELECT email FROM candidates WHERE email <> '' ORDER BY id LIMIT 50").Scan(&emails).Error; err != nil {
		return err
	}
	if len(emails) == 0 {
		return errors.New("bench: no candidates: run cqp bench seed N first")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	common := []string{"eloise", "lefevre", "berard", "nguyen", "muller", "creances lyon"}
	rare := []string{"eloise lefevre", "zoe meunier", "lukasz wisniewski", "jurgen guerin", "soren barbier"}
	cases := []struct {
		name  string
		query func() candidates.ListQuery
	}{
		{"première page (50)", func() candidates.ListQuery { return candidates.ListQuery{Limit: 50} }},
		{"page suivante par curseur", func() candidates.ListQuery {
			return candidates.ListQuery{Limit: 50, After: cursors[rng.IntN(len(cursors))]}
		}},
		{"recherche, terme fréquent", func() candidates.ListQuery {
			return candidates.ListQuery{Limit: 50, Q: common[rng.IntN(len(common))]}
		}},
		{"recherche, terme fréquent, page suivante", func() candidates.ListQuery {
			return candidates.ListQuery{Limit: 50, Q: common[rng.IntN(len(common))], After: cursors[rng.IntN(len(cursors))]}
		}},
		{"recherche, deux mots", func() candidates.ListQuery {
			return candidates.ListQuery{Limit: 50, Q: rare[rng.IntN(len(rare))]}
		}},
		{"recherche, courriel exact", func() candidates.ListQuery {
			return candidates.ListQuery{Limit: 50, Q: emails[rng.IntN(len(emails))]}
		}},
		{"recherche sans résultat", func() candidates.ListQuery { return candidates.ListQuery{Limit: 50, Q: "xqzwv"} }},
	}
	fmt.Fprintf(env.stdout, "%d candidats, %d requêtes par cas (%s)\n\n", total, rounds, a.DB.Dialector.Name())
	fmt.Fprintf(env.stdout, "%-42s %9s %9s %9s\n", "cas", "p50", "p95", "max")
	for _, c := range cases {
		// Warm the cache once, as a running server would be.
		if _, _, err := a.Candidates.List(ctx, cliActor, c.query()); err != nil {
			return err
		}
		times := make([]time.Duration, 0, rounds)
		for range rounds {
			q := c.query()
			start := time.Now()
			if _, _, err := a.Candidates.List(ctx, cliActor, q); err != nil {
				return err
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
		fmt.Fprintf(env.stdout, "%-42s %9s %9s %9s\n", c.name, ms(pct(0.50)), ms(pct(0.95)), ms(times[len(times)-1]))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// benchBackOffice is `cqp bench backoffice [ROUNDS]`: on the candidates
// `cqp bench seed` made, it adds (once) 100 000 final decisions for 25 000
// of them (four components each, over 2026), their enrollments and 10 000
// certificates, then times the year's statistics, the register's search by
// number, and the exports of every candidate as CSV and XLSX with the
// process's peak resident memory (docs/performance.md).
func benchBackOffice(ctx context.Context, env *cliEnv, a *App, rounds int) error {
	db := a.DB.WithContext(ctx)
	var total, seeded int64
	if err := db.Table("candidates").Count(&total).Error; err != nil {
		return err
	}
	if total < 25_000 {
		return errors.New("bench: run cqp bench seed N (N ≥ 25000) first")
	}
	if err := db.Table("component_decisions").Where("created_by = 'bench'").Count(&seeded).Error; err != nil {
		return err
	}
	const cert = "clerc-recouvrement-amiable"
	var numbers []string
	if seeded == 0 {
		start := time.Now()
		var ids []string
		if err := db.Table("candidates").Order("id").Limit(25_000).Pluck("id", &ids).Error; err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(3, 4))
		pathways := []string{"formation_continue", "contrat_professionnalisation", "vae"}
		var ens []candidates.Enrollment
		var ds []candidates.Decision
		now := time.Now().UTC()
		for _, id := range ids {
			ens = append(ens, candidates.Enrollment{ID: database.NewID(), CandidateID: id, Certification: cert,
				Pathway: pathways[rng.IntN(3)], Status: candidates.EnrollmentActive, EnrolledOn: civil.New(2025, 9, 1),
				CreatedBy: "bench", CreatedAt: now, UpdatedAt: now})
			for i, comp := range []string{"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4"} {
				outcome := candidates.Validated
				if rng.IntN(5) == 0 {
					outcome = candidates.NotValidated
				}
				ds = append(ds, candidates.Decision{ID: database.NewID(), CandidateID: id, Certification: cert, Component: comp,
					Outcome: outcome, DecidedOn: civil.New(2026, time.Month(1+rng.IntN(11)), 1+i), Final: true,
					CreatedBy: "bench", CreatedAt: now})
			}
		}
		if err := db.CreateInBatches(ens, 1000).Error; err != nil {
			return err
		}
		if err := db.CreateInBatches(ds, 1000).Error; err != nil {
			return err
		}
		var err error
		if numbers, err = a.Certificates.SeedBench(ctx, ids[:10_000], cert, civil.New(2026, 11, 2)); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "données ajoutées en %s : 25 000 inscriptions, 100 000 décisions, 10 000 certificats\n",
			time.Since(start).Round(time.Millisecond))
	} else if err := db.Table("certificates").Where("created_by = 'bench'").Order("number").Pluck("number", &numbers).Error; err != nil {
		return err
	}
	c, _ := a.Referential.Certification(cert)
	rng := rand.New(rand.NewPCG(5, 6))
	fmt.Fprintf(env.stdout, "%d candidats, %d requêtes par cas (%s)\n\n%-42s %9s %9s %9s\n", total, rounds,
		a.DB.Dialector.Name(), "cas", "p50", "p95", "max")
	timed := func(name string, f func() error) error {
		if err := f(); err != nil { // warm, as a running server is
			return err
		}
		times := make([]time.Duration, 0, rounds)
		for range rounds {
			start := time.Now()
			if err := f(); err != nil {
				return err
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
		fmt.Fprintf(env.stdout, "%-42s %9s %9s %9s\n", name, ms(pct(0.50)), ms(pct(0.95)), ms(times[len(times)-1]))
		return nil
	}
	if err := timed("statistiques de l'année, calculées", func() error {
		_, err := a.Reporting.Compute(ctx, 2026, c)
		return err
	}); err != nil {
		return err
	}
	if err := timed("statistiques de l'année, journal inchangé", func() error {
		_, err := a.Reporting.Statistics(ctx, 2026, c)
		return err
	}); err != nil {
		return err
	}
	if err := timed("registre : numéro saisi sans tirets", func() error {
		n := strings.ToLower(strings.ReplaceAll(numbers[rng.IntN(len(numbers))], "-", ""))
		p, err := a.Certificates.Register(ctx, certificates.RegisterQuery{Q: n, Limit: 50})
		if err == nil && len(p.Items) != 1 {
			err = fmt.Errorf("register: %d documents for %s", len(p.Items), n)
		}
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout)
	for _, format := range []string{"csv", "xlsx"} {
		resetPeakRSS()
		start := time.Now()
		var out countingWriter
		n, err := a.Reporting.Export(ctx, &out, "candidates", format, reporting.ExportFilter{})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "export candidates.%-4s %8d lignes %8.1f Mo en %6.1f s, mémoire résidente max %s\n",
			format, n, float64(out.n)/1e6, time.Since(start).Seconds(), peakRSS())
	}
	return nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// resetPeakRSS starts the kernel's count of the peak resident set afresh
// (Linux: writing 5 to clear_refs); elsewhere it does nothing.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o600) }

// peakRSS is the process's peak resident set since the last reset (VmHWM).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return fmt.Sprintf("%.0f Mio", float64(kb)/1024)
		}
	}
	return "?"
}
