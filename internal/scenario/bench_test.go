package scenario_test

import (
	"testing"

	"github.com/ancr/cqp/internal/scenario"
)

// BenchmarkGradeAttempt measures what a submission costs in grading: draw the
// variant from the stored seed, run the engine on it and mark every task.
// Goal: ≤ 1 ms for the heaviest shipped scenario.
func BenchmarkGradeAttempt(b *testing.B) {
	p := parameters(b)
	for _, id := range []string{"agent2-appel-premier-contact", "clerc4-validation-proposition-agent", "clerc1-recevabilite-facture-artisan"} {
		s, ok := shipped(b).Scenario(id)
		if !ok {
			b.Fatalf("%s not shipped", id)
		}
		sheet := scenario.AnswerSheet(s, scenario.Draw(s, 42), p)
		b.Run(id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res := scenario.Grade(s, scenario.Draw(s, 42), p, sheet)
				if res.Score != res.MaxScore {
					b.Fatal("the corrigé did not score full marks")
				}
			}
		})
	}
	cat := shipped(b)
	b.Run("every-shipped-scenario", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range cat.Scenarios {
				scenario.Grade(s, scenario.Draw(s, 7), p, nil)
			}
		}
	})
}

// BenchmarkCheckCatalogue is what the training catalogue costs when the law
// parameters change: every scenario and module checked again against the
// engine (the base case, the corners of the variants and drawn variants).
func BenchmarkCheckCatalogue(b *testing.B) {
	cat, p := shipped(b), parameters(b)
	for b.Loop() {
		if _, errs := scenario.CheckAll(cat, p); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
