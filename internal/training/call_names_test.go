package training_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/scenario"
)

// The API shows a call's replies under the attempt's own names and takes
// them back under those names; the attempt stores the authoring ids, so
// grading is unchanged; two attempts name the replies differently.
func TestAttempt_CallRepliesGoUnderTheAttemptsOwnNames(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	sc := mustScenario(t, env, "agent4-appel-contestation")
	callPath := func(answers map[string]json.RawMessage) []string {
		var p []string
		if err := json.Unmarshal(answers["call"], &p); err != nil {
			t.Fatalf("call answer %s: %v", answers["call"], err)
		}
		return p
	}
	named := map[string]bool{}
	for range 2 {
		v := start(t, env, tr.token, sc.ID, nil)
		authoring := scenario.AnswerSheet(sc, scenario.Draw(sc, seedOf(t, env, v.ID)), env.App.Training.Parameters())
		sheet := perfectSheet(t, env, sc, v.ID)
		shown := callPath(sheet)
		if slices.Equal(shown, callPath(authoring)) {
			t.Logf("attempt %s happens to name the best path as the author does", v.ID)
		}
		named[string(sheet["call"])] = true
		// Every name sent is a reply the view offers.
		offered := map[string]bool{}
		for _, pt := range v.Tasks {
			if pt.Dialogue != nil {
				for _, n := range pt.Dialogue.Nodes {
					for _, r := range n.Replies {
						offered[r.ID] = true
					}
				}
			}
		}
		for _, id := range shown {
			if !offered[id] {
				t.Fatalf("%s is not among the replies the attempt shows", id)
			}
		}
		res := save(t, env, tr.token, v.ID, withText(sc, sheet)).Expect(t, http.StatusOK)
		var saved struct {
			Answers map[string]json.RawMessage `json:"answers"`
		}
		res.JSON(t, &saved)
		if got := callPath(saved.Answers); !slices.Equal(got, shown) {
			t.Errorf("the save echoes %v, the trainee sent %v", got, shown)
		}
		again, _ := getAttempt(t, env, tr.token, v.ID)
		if got := callPath(again.Answers); !slices.Equal(got, shown) {
			t.Errorf("the attempt shows %v, the trainee sent %v", got, shown)
		}
		var stored string
		env.App.DB.Table("training_attempts").Select("answers").Where("id = ?", v.ID).Scan(&stored)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(stored), &raw); err != nil {
			t.Fatal(err)
		}
		if got := callPath(raw); !slices.Equal(got, callPath(authoring)) {
			t.Errorf("stored %v, want the authoring ids %v", got, callPath(authoring))
		}
		out, _ := submit(t, env, tr.token, v.ID)
		for _, it := range out.Result.Items {
			if it.Task == "call" && !it.Correct {
				t.Errorf("the best path, sent under the attempt's names, scores %v / %v: %s", it.Points, it.MaxPoints, it.Feedback)
			}
		}
	}
	if len(named) != 2 {
		t.Error("two attempts name the best path the same way")
	}
}
