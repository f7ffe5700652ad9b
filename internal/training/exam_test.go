package training_test

import (
	"encoding/json"
	"github.com/ancr/cqp/internal/scenario/scenariotest"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/training"
)

// An exam is opened by an administrator, taken once, and its result stays
// hidden from the candidate and their trainer until a jury has deliberated
// on the component.
func TestExam_OneTimedAttemptWithNoFeedbackUntilTheJuryDeliberates(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	_, trainerTok := cohortTrainer(t, env, tr)
	_, adminTok := env.User(t, auth.RoleAdmin)
	sc := mustScenario(t, env, "agent2-appel-premier-contact")

	if res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+sc.ID+"/attempts", tr.token, map[string]any{"mode": "exam"}); res.Status != http.StatusForbidden {
		t.Fatalf("a trainee opening their own exam: %d, want 403", res.Status)
	}
	if res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+sc.ID+"/attempts", adminTok, map[string]any{"mode": "exam"}); res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("candidate_id") {
		t.Fatalf("an exam with no candidate: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+sc.ID+"/attempts", adminTok, map[string]any{"mode": "exam", "candidate_id": "inconnu"}); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an exam for an unknown candidate: %d %s", res.Status, res.Body)
	}
	v := start(t, env, adminTok, sc.ID, map[string]any{"mode": "exam", "candidate_id": tr.candidateID()})
	if v.Mode != training.Exam || v.CandidateID != tr.candidateID() {
		t.Fatalf("exam opened as %+v", v)
	}
	if res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+sc.ID+"/attempts", adminTok, map[string]any{"mode": "exam", "candidate_id": tr.candidateID()}); res.Status != http.StatusConflict || res.Problem(t).Code != "exam_already_taken" {
		t.Fatalf("a second exam: %d %s", res.Status, res.Body)
	}

	// The candidate works it and submits within the time.
	env.Clock.Advance(5 * time.Minute)
	if res := save(t, env, tr.token, v.ID, perfectSheet(t, env, sc, v.ID)); res.Status != http.StatusOK {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	out, res := submit(t, env, tr.token, v.ID)
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	if !out.ResultHidden || out.Result != nil || strings.Contains(string(res.Body), `"items"`) || strings.Contains(string(res.Body), `"score"`) {
		t.Fatalf("an exam gives no feedback on submission: %s", res.Body)
	}
	for name, tok := range map[string]string{"candidate": tr.token, "trainer": trainerTok} {
		got, res := getAttempt(t, env, tok, v.ID)
		if res.Status != http.StatusOK || !got.ResultHidden || got.Result != nil || got.Released == nil || *got.Released {
			t.Fatalf("%s before deliberation: %d %s", name, res.Status, res.Body)
		}
		var page struct{ Items []training.AttemptSummary }
		env.Do(t, http.MethodGet, "/api/v1/attempts?candidate_id="+tr.candidateID(), tok, nil).JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Score != nil || !page.Items[0].ResultHidden {
			t.Fatalf("%s lists the exam with its score: %+v", name, page.Items)
		}
		var p training.Progress
		env.Do(t, http.MethodGet, "/api/v1/candidates/"+tr.candidateID()+"/progress", tok, nil).JSON(t, &p)
		for _, c := range p.Components {
			for _, s := range c.Scenarios {
				if s.Best != nil {
					t.Fatalf("%s: progress reveals the exam score of %s", name, s.Scenario)
				}
			}
		}
	}
	got, _ := getAttempt(t, env, adminTok, v.ID)
	if got.Result == nil || got.Result.Score != got.Result.MaxScore {
		t.Fatalf("the administrator sees the exam result: %+v", got.Result)
	}

	// The jury deliberates on the component: the result is released.
	env.Clock.Advance(time.Hour)
	d := candidates.Decision{ID: database.NewID(), CandidateID: tr.candidateID(), Certification: "agent-recouvrement",
		Component: sc.Component(), Outcome: candidates.Validated, DecidedOn: civil.Of(env.Clock.Now()), CreatedBy: "jury", CreatedAt: env.Clock.Now()}
	if err := env.App.DB.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	got, _ = getAttempt(t, env, tr.token, v.ID)
	if got.ResultHidden || got.Result == nil || got.Released == nil || !*got.Released || !got.Result.Passed {
		t.Fatalf("after deliberation the candidate sees the result: %+v", got)
	}
}

// Free-text answers wait in the review queue of the trainers who follow the
// trainee; the result is final once they are marked.
func TestReview_FreeTextWaitsForTheTraineesTrainerThenTheResultIsFinal(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	_, trainerTok := cohortTrainer(t, env, tr)
	_, strangerTok := cohortTrainer(t, env)
	sc := mustScenario(t, env, "clerc1-frais-salle-de-sport")
	v := start(t, env, tr.token, sc.ID, nil)
	save(t, env, tr.token, v.ID, withText(sc, perfectSheet(t, env, sc, v.ID)))
	out, _ := submit(t, env, tr.token, v.ID)
	if out.Status != training.PendingReview || out.Passed {
		t.Fatalf("submitted with free text: %+v", out)
	}

	var queue struct{ Items []training.ReviewEntry }
	env.Do(t, http.MethodGet, "/api/v1/reviews", strangerTok, nil).JSON(t, &queue)
	if len(queue.Items) != 0 {
		t.Fatalf("a trainer of another cohort sees %d reviews", len(queue.Items))
	}
	if res := env.Do(t, http.MethodGet, "/api/v1/reviews", tr.token, nil); res.Status != http.StatusForbidden {
		t.Fatalf("a trainee's review queue: %d, want 403", res.Status)
	}
	env.Do(t, http.MethodGet, "/api/v1/reviews", trainerTok, nil).JSON(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].ID != v.ID || len(queue.Items[0].Items) != 1 {
		t.Fatalf("the trainer's queue: %+v", queue.Items)
	}
	item := queue.Items[0].Items[0]
	if !strings.Contains(item.Answer, "principal restant dû") || len(item.Rubric) == 0 {
		t.Fatalf("the queue shows the answer and the rubric: %+v", item)
	}

	path := "/api/v1/attempts/" + v.ID + "/review"
	full := map[string]float64{}
	for _, c := range item.Rubric {
		full[c.ID] = c.Points
	}
	tooMuch := map[string]float64{}
	for k, p := range full {
		tooMuch[k] = p
	}
	tooMuch[item.Rubric[0].ID] = item.Rubric[0].Points + 1
	res := env.Do(t, http.MethodPost, path, trainerTok, map[string]any{"reviews": map[string]any{item.Task: map[string]any{"scores": tooMuch}}})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("reviews."+item.Task+".scores."+item.Rubric[0].ID) {
		t.Fatalf("a score above the rubric: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodPost, path, strangerTok, map[string]any{"reviews": map[string]any{item.Task: map[string]any{"scores": full}}}); res.Status != http.StatusNotFound {
		t.Fatalf("a trainer of another cohort reviewing: %d, want 404", res.Status)
	}
	if res := env.Do(t, http.MethodPost, path, tr.token, map[string]any{"reviews": map[string]any{item.Task: map[string]any{"scores": full}}}); res.Status != http.StatusForbidden {
		t.Fatalf("a trainee reviewing: %d, want 403", res.Status)
	}
	res = env.Do(t, http.MethodPost, path, trainerTok, map[string]any{"reviews": map[string]any{item.Task: map[string]any{"scores": full, "comment": "Réponse complète et bien fondée."}}})
	if res.Status != http.StatusOK {
		t.Fatalf("review: %d %s", res.Status, res.Body)
	}
	var got training.AttemptView
	res.JSON(t, &got)
	if got.Status != training.Graded || got.Result == nil || got.Result.PendingReview || !got.Result.Passed || got.Result.Score != got.Result.MaxScore {
		t.Fatalf("reviewed: status %s result %+v", got.Status, got.Result)
	}
	if res := env.Do(t, http.MethodPost, path, trainerTok, map[string]any{"reviews": map[string]any{item.Task: map[string]any{"scores": full}}}); res.Status != http.StatusConflict {
		t.Fatalf("a second review: %d, want 409", res.Status)
	}
	env.Do(t, http.MethodGet, "/api/v1/reviews", trainerTok, nil).JSON(t, &queue)
	if len(queue.Items) != 0 {
		t.Fatalf("the queue still holds %d attempts", len(queue.Items))
	}
}

// Progress shows, per component, best and last score against the pass mark,
// and module completion, to the trainee and to their trainer.
func TestProgress_BestAndLastScoreAndModuleCompletion(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	_, trainerTok := cohortTrainer(t, env, tr)
	var mods []training.ModuleView
	if res := env.Do(t, http.MethodGet, "/api/v1/modules", tr.token, nil); res.Status != http.StatusOK {
		t.Fatalf("modules: %d %s", res.Status, res.Body)
	} else {
		res.JSON(t, &mods)
	}
	if len(mods) != 8 {
		t.Fatalf("%d modules, want one per component (8)", len(mods))
	}
	var mod training.ModuleView
	for _, m := range mods {
		if m.Course == "" || len(m.Scenarios) == 0 || m.Completion.MinPercent == 0 || m.Progress == nil || m.Progress.Completed {
			t.Errorf("module %s: %+v", m.ID, m)
		}
		if m.ID == "agent-4" {
			mod = m
		}
	}
	// The first scenario: a wrong attempt, then a perfect one, then a weaker one.
	first := mustScenario(t, env, mod.Scenarios[0].ID)
	for i, kind := range []string{"wrong", "perfect", "wrong"} {
		v := start(t, env, tr.token, first.ID, nil)
		sheet := withText(first, perfectSheet(t, env, first, v.ID))
		if kind == "wrong" {
			sheet = scenariotest.WrongSheet(first, sheet)
		}
		save(t, env, tr.token, v.ID, sheet)
		submit(t, env, tr.token, v.ID)
		env.Clock.Advance(time.Duration(i+1) * time.Minute)
	}
	var p training.Progress
	env.Do(t, http.MethodGet, "/api/v1/candidates/"+tr.candidateID()+"/progress", trainerTok, nil).JSON(t, &p)
	found := false
	for _, c := range p.Components {
		for _, s := range c.Scenarios {
			if s.Scenario != first.ID || c.Component != first.Component() {
				continue
			}
			found = true
			if s.Attempts != 3 || s.Best == nil || *s.Best != 100 || s.Last == nil || *s.Last >= 100 || !s.Passed || s.PassMark != first.Mark() {
				t.Fatalf("progress on %s: %+v", first.ID, s)
			}
			if c.Passed != 1 {
				t.Fatalf("component %s: %d passed", c.Component, c.Passed)
			}
		}
	}
	if !found {
		t.Fatalf("progress lacks %s", first.ID)
	}
	// Pass the rest of the module: it is complete, for the trainee and the trainer.
	for _, e := range mod.Scenarios[1:] {
		sc := mustScenario(t, env, e.ID)
		v := start(t, env, tr.token, sc.ID, nil)
		save(t, env, tr.token, v.ID, perfectSheet(t, env, sc, v.ID))
		submit(t, env, tr.token, v.ID)
	}
	for name, path := range map[string]string{
		"trainee": "/api/v1/modules/" + mod.ID,
		"trainer": "/api/v1/modules/" + mod.ID + "?candidate_id=" + tr.candidateID(),
	} {
		tok := tr.token
		if name == "trainer" {
			tok = trainerTok
		}
		var m training.ModuleView
		res := env.Do(t, http.MethodGet, path, tok, nil)
		res.JSON(t, &m)
		if res.Status != http.StatusOK || m.Progress == nil || !m.Progress.Completed || len(m.Progress.Remaining) != 0 {
			t.Fatalf("%s: module %s after passing all: %d %s", name, mod.ID, res.Status, res.Body)
		}
	}
	if res := env.Do(t, http.MethodGet, "/api/v1/modules/inconnu", tr.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("unknown module: %d", res.Status)
	}
	var raw []map[string]json.RawMessage
	env.Do(t, http.MethodGet, "/api/v1/scenarios", tr.token, nil).JSON(t, &raw)
	if len(raw) < 16 {
		t.Fatalf("the catalogue lists %d scenarios", len(raw))
	}
	for _, k := range []string{"id", "title", "component", "kind", "duration_minutes"} {
		if _, ok := raw[0][k]; !ok {
			t.Fatalf("catalogue entries lack %q (API contract)", k)
		}
	}
}
