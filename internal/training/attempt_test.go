package training_test

import (
	"encoding/json"
	"github.com/ancr/cqp/internal/scenario/scenariotest"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/internal/training"
)

// Every shipped scenario, on several drawn variants, gives full marks to the
// corrigé computed by the engine for that variant (free text aside, which
// waits for a trainer).
func TestAttempt_PerfectSheetScoresFullMarksOnSeveralVariants(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	const variants = 3
	for _, sc := range catalogue(env).Scenarios {
		seeds := map[int64]bool{}
		for range variants {
			v := start(t, env, tr.token, sc.ID, nil)
			seeds[seedOf(t, env, v.ID)] = true
			sheet := withText(sc, perfectSheet(t, env, sc, v.ID))
			if res := save(t, env, tr.token, v.ID, sheet); res.Status != http.StatusOK {
				t.Fatalf("%s: save: %d %s", sc.ID, res.Status, res.Body)
			}
			out, res := submit(t, env, tr.token, v.ID)
			if res.Status != http.StatusOK {
				t.Fatalf("%s: submit: %d %s", sc.ID, res.Status, res.Body)
			}
			if hasFreeText(sc) {
				if out.Status != training.PendingReview || !out.PendingReview || out.Passed {
					t.Errorf("%s: free text must wait for a trainer: %+v", sc.ID, out)
				}
				for _, it := range out.Items {
					if it.Type != scenario.FreeText && !it.Correct {
						t.Errorf("%s task %s: the corrigé was marked wrong: %s", sc.ID, it.Task, it.Feedback)
					}
				}
				continue
			}
			if out.Status != training.Graded || out.Score != out.MaxScore || !out.Passed || out.MaxScore == 0 {
				t.Errorf("%s seed %d: want full marks, got %v/%v passed=%v", sc.ID, seedOf(t, env, v.ID), out.Score, out.MaxScore, out.Passed)
				for _, it := range out.Items {
					if !it.Correct {
						t.Logf("  %s: %s", it.Task, it.Feedback)
					}
				}
			}
		}
		if len(sc.Variants) > 0 && len(seeds) < 2 {
			t.Errorf("%s: %d attempts drew the same seed", sc.ID, variants)
		}
	}
}

// A wrong sheet gets, for each task, no points, feedback that gives the
// expected answer, and the rule it rests on.
func TestAttempt_WrongSheetGetsFeedbackPerTask(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	for _, sc := range catalogue(env).Scenarios {
		for range 2 {
			v := start(t, env, tr.token, sc.ID, nil)
			wrong := scenariotest.WrongSheet(sc, perfectSheet(t, env, sc, v.ID))
			if res := save(t, env, tr.token, v.ID, wrong); res.Status != http.StatusOK {
				t.Fatalf("%s: save: %d %s", sc.ID, res.Status, res.Body)
			}
			out, res := submit(t, env, tr.token, v.ID)
			if res.Status != http.StatusOK {
				t.Fatalf("%s: submit: %d %s", sc.ID, res.Status, res.Body)
			}
			if out.Passed {
				t.Errorf("%s: a wrong sheet passed", sc.ID)
			}
			for _, it := range out.Items {
				if it.Type == scenario.FreeText {
					continue
				}
				if it.Correct || it.Points == it.MaxPoints {
					t.Errorf("%s task %s: a wrong answer was accepted", sc.ID, it.Task)
				}
				if it.Feedback == "" || it.Rule == "" {
					t.Errorf("%s task %s: feedback %q, rule %q", sc.ID, it.Task, it.Feedback, it.Rule)
				}
				switch it.Type {
				case scenario.SingleChoice, scenario.MultipleChoice, scenario.LetterMentions, scenario.Number, scenario.DateTask:
					if !strings.Contains(it.Feedback, "Réponse attendue") {
						t.Errorf("%s task %s: the feedback does not give the expected answer: %s", sc.ID, it.Task, it.Feedback)
					}
				}
			}
		}
	}
}

// A call with an ethics violation fails the attempt over the API too, even
// when every other task is perfect.
func TestAttempt_EthicsViolationFailsTheCall(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	sc := mustScenario(t, env, "agent2-appel-premier-contact")
	v := start(t, env, tr.token, sc.ID, nil)
	sheet := perfectSheet(t, env, sc, v.ID)
	var call *scenario.Task
	for i := range sc.Tasks {
		if sc.Tasks[i].Type == scenario.DialogueTask {
			call = &sc.Tasks[i]
		}
	}
	// The first reply of the call that speaks of the debt before checking
	// who answers, or carries a flag, is a violation from the first line.
	var first string
	var k int
	for _, n := range call.Dialogue.Nodes {
		for _, r := range n.Replies {
			k++
			if n.ID == call.Dialogue.Start && first == "" && (len(r.Flags) > 0 || r.SpeaksOfDebt) {
				first = "r" + strconv.Itoa(k)
			}
		}
	}
	if first == "" {
		t.Fatal("the call offers no violation at its first line: update the test")
	}
	// Under the name the attempt shows it.
	raw, _ := json.Marshal([]string{first})
	sheet[call.ID] = scenario.AliasAnswers(sc, v.ID, map[string]json.RawMessage{call.ID: raw})[call.ID]
	save(t, env, tr.token, v.ID, sheet)
	out, res := submit(t, env, tr.token, v.ID)
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	if out.Passed || !out.EthicsFailure {
		t.Fatalf("an ethics violation must fail: %+v", out.Result)
	}
}

func TestAttempt_SecondSubmitIsAConflict(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	v := start(t, env, tr.token, "clerc1-recevabilite-facture-artisan", nil)
	if _, res := submit(t, env, tr.token, v.ID); res.Status != http.StatusOK {
		t.Fatalf("first submit: %d %s", res.Status, res.Body)
	}
	_, res := submit(t, env, tr.token, v.ID)
	if res.Status != http.StatusConflict || res.Problem(t).Code != "already_submitted" {
		t.Fatalf("second submit: want 409 already_submitted, got %d %s", res.Status, res.Body)
	}
	if res := save(t, env, tr.token, v.ID, map[string]json.RawMessage{}); res.Status != http.StatusConflict {
		t.Fatalf("saving after submission: want 409, got %d", res.Status)
	}

	// Two submissions racing: exactly one is graded.
	v = start(t, env, tr.token, "clerc1-recevabilite-facture-artisan", nil)
	codes := make([]int, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			res := env.Do(t, http.MethodPost, "/api/v1/attempts/"+v.ID+"/submit", tr.token, nil)
			codes[i] = res.Status
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
		default:
			t.Fatalf("racing submissions: unexpected %d", c)
		}
	}
	if ok != 1 {
		t.Fatalf("racing submissions: %d graded, want exactly 1 (%v)", ok, codes)
	}
}

// The time limit is the server's: saves stop after the deadline and its
// grace; a late submission is taken once, graded on the answers saved in
// time, and flagged late.
func TestAttempt_TimeLimitIsEnforcedAndLateSubmissionGradesTheSavedAnswers(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	sc := mustScenario(t, env, "clerc1-recevabilite-facture-artisan")
	v := start(t, env, tr.token, sc.ID, nil)
	if want := apptest.Start.Add(time.Duration(sc.DurationMinutes) * time.Minute); !v.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", v.Deadline, want)
	}
	sheet := perfectSheet(t, env, sc, v.ID)
	first := sc.Tasks[0].ID
	if res := save(t, env, tr.token, v.ID, map[string]json.RawMessage{first: sheet[first]}); res.Status != http.StatusOK {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	// Within the grace period an answer still counts.
	env.Clock.Set(v.Deadline.Add(training.Grace - time.Second))
	second := sc.Tasks[1].ID
	if res := save(t, env, tr.token, v.ID, map[string]json.RawMessage{second: sheet[second]}); res.Status != http.StatusOK {
		t.Fatalf("save within grace: %d %s", res.Status, res.Body)
	}
	env.Clock.Set(v.Deadline.Add(training.Grace + time.Second))
	res := save(t, env, tr.token, v.ID, sheet)
	if res.Status != http.StatusConflict || res.Problem(t).Code != "time_up" {
		t.Fatalf("save after time: want 409 time_up, got %d %s", res.Status, res.Body)
	}
	got, _ := getAttempt(t, env, tr.token, v.ID)
	if !got.Expired || got.Status != training.InProgress {
		t.Fatalf("an unsubmitted attempt past its time shows expired: %+v", got.Status)
	}
	// Answers sent with a late submission are ignored.
	lateRes := env.Do(t, http.MethodPost, "/api/v1/attempts/"+v.ID+"/submit", tr.token, map[string]any{"answers": sheet})
	if lateRes.Status != http.StatusOK {
		t.Fatalf("late submit: %d %s", lateRes.Status, lateRes.Body)
	}
	var out training.Outcome
	lateRes.JSON(t, &out)
	if !out.Late {
		t.Fatal("a late submission is flagged late")
	}
	for _, it := range out.Items {
		saved := it.Task == first || it.Task == second
		if saved != it.Correct {
			t.Errorf("task %s: correct=%v, want %v (only answers saved in time count)", it.Task, it.Correct, saved)
		}
	}
	if _, res := submit(t, env, tr.token, v.ID); res.Status != http.StatusConflict {
		t.Fatalf("a late submission is taken once: got %d", res.Status)
	}
}

// Only the owner, the trainers who follow the trainee and administrators see
// an attempt; anyone else gets 404, as if it did not exist.
func TestAttempt_OthersGetNotFound(t *testing.T) {
	env := apptest.New(t)
	owner, other := newTrainee(t, env), newTrainee(t, env)
	_, followerTok := cohortTrainer(t, env, owner)
	_, strangerTok := cohortTrainer(t, env, other)
	_, adminTok := env.User(t, auth.RoleAdmin)
	_, juryTok := env.User(t, auth.RoleJury)
	v := start(t, env, owner.token, "clerc1-recevabilite-facture-artisan", nil)
	path := "/api/v1/attempts/" + v.ID

	for name, tok := range map[string]string{"another trainee": other.token, "a trainer of another cohort": strangerTok} {
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, path}, {http.MethodPost, path + "/submit"},
			{http.MethodGet, "/api/v1/candidates/" + owner.candidateID() + "/progress"},
		} {
			if res := env.Do(t, req.method, req.path, tok, nil); res.Status != http.StatusNotFound {
				t.Errorf("%s: %s %s → %d, want 404", name, req.method, req.path, res.Status)
			}
		}
		if res := env.Do(t, http.MethodPut, path+"/answers", tok, map[string]any{"answers": map[string]any{}}); res.Status != http.StatusNotFound {
			t.Errorf("%s: PUT answers → %d, want 404", name, res.Status)
		}
	}
	if res := env.Do(t, http.MethodGet, path, juryTok, nil); res.Status != http.StatusForbidden {
		t.Errorf("a jury account: %d, want 403", res.Status)
	}
	for name, tok := range map[string]string{"owner": owner.token, "their trainer": followerTok, "an administrator": adminTok} {
		got, res := getAttempt(t, env, tok, v.ID)
		if res.Status != http.StatusOK || got.ID != v.ID {
			t.Errorf("%s: %d, want 200", name, res.Status)
		}
		if (got.Seed != nil) == (name == "owner") {
			t.Errorf("%s: the seed is for staff only (seed=%v)", name, got.Seed)
		}
	}
	// Staff read; only the trainee answers.
	if res := env.Do(t, http.MethodPost, path+"/submit", followerTok, nil); res.Status != http.StatusForbidden {
		t.Errorf("a trainer submitting: %d, want 403", res.Status)
	}
	// Lists follow the same rule.
	var page struct{ Items []training.AttemptSummary }
	env.Do(t, http.MethodGet, "/api/v1/attempts", other.token, nil).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("another trainee lists %d attempts", len(page.Items))
	}
	env.Do(t, http.MethodGet, "/api/v1/attempts", strangerTok, nil).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("a trainer of another cohort lists %d attempts", len(page.Items))
	}
	env.Do(t, http.MethodGet, "/api/v1/attempts", followerTok, nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != v.ID {
		t.Errorf("their trainer lists %+v", page.Items)
	}
}

// Before submission no answer key reaches the trainee: not in the attempt,
// not in the catalogue, not after an autosave.
func TestAttempt_AnswerKeyNeverSentBeforeSubmission(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	leaks := []string{`"key"`, `"correct"`, `"explain"`, `"flags"`, `"requires"`, `"technique"`, `"speaks_of_debt"`, `"feedback"`, `"answer"`, `"value"`}
	check := func(what string, body []byte) {
		t.Helper()
		for _, l := range leaks {
			if strings.Contains(string(body), l) {
				t.Errorf("%s carries %s: %.300s", what, l, body)
			}
		}
	}
	for _, sc := range catalogue(env).Scenarios {
		res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+sc.ID+"/attempts", tr.token, nil)
		check(sc.ID+" start", res.Body)
		var v training.AttemptView
		res.JSON(t, &v)
		if v.Result != nil || len(v.Tasks) != len(sc.Tasks) || len(v.Case) == 0 {
			t.Errorf("%s: the attempt shows %d tasks, case %v, result %v", sc.ID, len(v.Tasks), len(v.Case) > 0, v.Result)
		}
		save(t, env, tr.token, v.ID, perfectSheet(t, env, sc, v.ID))
		got := env.Do(t, http.MethodGet, "/api/v1/attempts/"+v.ID, tr.token, nil)
		// The trainee's own answers are echoed; nothing else may be.
		var raw map[string]json.RawMessage
		got.JSON(t, &raw)
		delete(raw, "answers")
		b, _ := json.Marshal(raw)
		check(sc.ID+" get", b)
		check(sc.ID+" scenario", env.Do(t, http.MethodGet, "/api/v1/scenarios/"+sc.ID, tr.token, nil).Body)
	}
	check("catalogue", env.Do(t, http.MethodGet, "/api/v1/scenarios", tr.token, nil).Body)
}

func TestAttempt_BadRequestsAreNamed(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	v := start(t, env, tr.token, "clerc1-recevabilite-facture-artisan", map[string]any{"mode": "practice"})
	res := save(t, env, tr.token, v.ID, map[string]json.RawMessage{"inexistante": json.RawMessage(`1`)})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("answers.inexistante") {
		t.Fatalf("unknown task: %d %s", res.Status, res.Body)
	}
	long := json.RawMessage(`"` + strings.Repeat("a", training.MaxAnswerBytes) + `"`)
	res = save(t, env, tr.token, v.ID, map[string]json.RawMessage{v.Tasks[0].ID: long})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("answers."+v.Tasks[0].ID) {
		t.Fatalf("oversized answer: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodPut, "/api/v1/attempts/"+v.ID+"/answers", tr.token, `{"answers":`); res.Status != http.StatusBadRequest {
		t.Fatalf("malformed JSON: %d", res.Status)
	}
	if res := env.Do(t, http.MethodPut, "/api/v1/attempts/"+v.ID+"/answers", tr.token, `{}`); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no answers: %d", res.Status)
	}
	if res := env.Do(t, http.MethodPost, "/api/v1/scenarios/inconnu/attempts", tr.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("unknown scenario: %d", res.Status)
	}
	if res := env.Do(t, http.MethodPost, "/api/v1/scenarios/"+v.Scenario+"/attempts", tr.token, `{"mode":"rapide"}`); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown mode: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodGet, "/api/v1/attempts?status=fini", tr.token, nil); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown status filter: %d", res.Status)
	}
}

// Autosaves racing on one attempt keep every answer, and each is journaled.
func TestAttempt_ConcurrentAutosavesKeepEveryAnswer(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	sc := mustScenario(t, env, "clerc1-recevabilite-facture-artisan")
	v := start(t, env, tr.token, sc.ID, nil)
	sheet := perfectSheet(t, env, sc, v.ID)
	var wg sync.WaitGroup
	codes := make(chan int, len(sheet))
	for id, ans := range sheet {
		wg.Go(func() { codes <- save(t, env, tr.token, v.ID, map[string]json.RawMessage{id: ans}).Status })
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Fatalf("a concurrent save answered %d", c)
		}
	}
	got, _ := getAttempt(t, env, tr.token, v.ID)
	if len(got.Answers) != len(sheet) {
		t.Fatalf("%d answers kept, want %d", len(got.Answers), len(sheet))
	}
	entries, err := audit.List(t.Context(), env.App.DB, audit.Query{Entity: "training_attempt", EntityID: v.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	if actions["training.attempt.start"] != 1 || actions["training.attempt.save"] != len(sheet) {
		t.Fatalf("journal: %v", actions)
	}
}
