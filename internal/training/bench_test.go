package training_test

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/internal/training"
)

// BenchmarkStartAndSubmitHTTP is a trainee's whole attempt over real HTTP:
// start (draw and send the case), one autosave of the corrigé, submit (grade,
// store, journal). In parallel, one trainee per goroutine, so writers contend
// as a class sitting the same exercise would.
func BenchmarkStartAndSubmitHTTP(b *testing.B) {
	env := apptest.New(b)
	sc, ok := env.App.Training.Catalogue().Scenario("clerc1-recevabilite-facture-artisan")
	if !ok {
		b.Fatal("scenario not served")
	}
	params := env.App.Training.Parameters()
	const trainees = 32
	toks := make([]string, trainees)
	for i := range toks {
		toks[i] = newTrainee(b, env).token
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		tok := toks[int(next.Add(1)-1)%trainees]
		for pb.Next() {
			res := env.Do(b, http.MethodPost, "/api/v1/scenarios/"+sc.ID+"/attempts", tok, nil)
			if res.Status != http.StatusCreated {
				b.Fatalf("start: %d %s", res.Status, res.Body)
			}
			var v training.AttemptView
			if err := json.Unmarshal(res.Body, &v); err != nil {
				b.Fatal(err)
			}
			var a training.Attempt
			if err := env.App.DB.Select("seed").Where("id = ?", v.ID).Take(&a).Error; err != nil {
				b.Fatal(err)
			}
			sheet := scenario.AliasAnswers(sc, v.ID, scenarioSheet(sc, a.Seed, params))
			if res := env.Do(b, http.MethodPut, "/api/v1/attempts/"+v.ID+"/answers", tok, map[string]any{"answers": sheet}); res.Status != http.StatusOK {
				b.Fatalf("save: %d %s", res.Status, res.Body)
			}
			if res := env.Do(b, http.MethodPost, "/api/v1/attempts/"+v.ID+"/submit", tok, nil); res.Status != http.StatusOK {
				b.Fatalf("submit: %d %s", res.Status, res.Body)
			}
		}
	})
}
