package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/ancr/cqp/internal/candidates"
)

// runBench is `cqp bench seed N` (generate N synthetic candidates, fast:
// the database builds the rows) and `cqp bench candidates [ROUNDS]` (time
// the list and search queries and print their percentiles), for
// docs/performance.md.
func runBench(ctx context.Context, env *cliEnv, args []string) error {
	usage := errors.New("usage: cqp bench seed N | cqp bench candidates [ROUNDS]")
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
		bar := &progressBar{w: env.stderr, start: start}
		err = candidates.SeedBench(ctx, a.DB, n, func(done int) { bar.draw("génération", int64(done), int64(n), done) })
		bar.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d candidats générés en %s\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	case "candidates":
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
