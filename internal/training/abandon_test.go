package training_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/training"
)

func abandon(t *testing.T, env *apptest.Env, token, attemptID string) *apptest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/v1/attempts/"+attemptID+"/abandon", token, nil)
}

// A trainee abandons a practice attempt in progress: it is kept, journaled,
// closed to answers, and counts in no progress or best score. Only its
// trainee may; a copy handed in, an attempt already abandoned and an exam
// are conflicts, each with its code.
func TestAttempt_AbandonClosesAnOpenPracticeAttemptOnly(t *testing.T) {
	env := apptest.New(t)
	tr := newTrainee(t, env)
	_, trainerTok := cohortTrainer(t, env, tr)
	other := newTrainee(t, env)
	_, adminTok := env.User(t, auth.RoleAdmin)
	const id = "clerc1-recevabilite-facture-artisan"
	sc := mustScenario(t, env, id)

	// A graded attempt first, then one abandoned with nothing answered.
	graded := start(t, env, tr.token, id, nil)
	save(t, env, tr.token, graded.ID, withText(sc, perfectSheet(t, env, sc, graded.ID))).Expect(t, http.StatusOK)
	if _, res := submit(t, env, tr.token, graded.ID); res.Status != http.StatusOK {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	v := start(t, env, tr.token, id, nil)

	if res := abandon(t, env, other.token, v.ID); res.Status != http.StatusNotFound {
		t.Errorf("another trainee abandons: %d, want 404", res.Status)
	}
	if res := abandon(t, env, trainerTok, v.ID); res.Status != http.StatusForbidden {
		t.Errorf("their trainer abandons: %d, want 403", res.Status)
	}
	if res := abandon(t, env, "", v.ID); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", res.Status)
	}
	var got training.AttemptView
	abandon(t, env, tr.token, v.ID).Expect(t, http.StatusOK).JSON(t, &got)
	if got.Status != training.Abandoned || got.AbandonedAt == nil || got.Result != nil {
		t.Fatalf("abandoned attempt: %+v", got)
	}
	for name, res := range map[string]*apptest.Response{
		"abandon again": abandon(t, env, tr.token, v.ID),
		"save":          save(t, env, tr.token, v.ID, map[string]json.RawMessage{}),
	} {
		if res.Status != http.StatusConflict || res.Problem(t).Code != "abandoned" {
			t.Errorf("%s: want 409 abandoned, got %d %s", name, res.Status, res.Body)
		}
	}
	if _, res := submit(t, env, tr.token, v.ID); res.Status != http.StatusConflict || res.Problem(t).Code != "abandoned" {
		t.Errorf("submit: want 409 abandoned, got %d %s", res.Status, res.Body)
	}
	if res := abandon(t, env, tr.token, graded.ID); res.Status != http.StatusConflict || res.Problem(t).Code != "already_submitted" {
		t.Errorf("abandon a graded copy: want 409 already_submitted, got %d %s", res.Status, res.Body)
	}
	if ct := abandon(t, env, tr.token, graded.ID).Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("refusal served as %q", ct)
	}

	// The list shows it, without a score; the filter finds it.
	var page struct {
		Items []training.AttemptSummary `json:"items"`
	}
	env.Do(t, http.MethodGet, "/api/v1/attempts?status=abandoned", tr.token, nil).Expect(t, http.StatusOK).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != v.ID || page.Items[0].Score != nil {
		t.Errorf("abandoned attempts listed: %+v", page.Items)
	}
	// Progress counts the graded attempt alone: best and last are its.
	var p training.Progress
	env.Do(t, http.MethodGet, "/api/v1/candidates/"+tr.candidateID()+"/progress", tr.token, nil).Expect(t, http.StatusOK).JSON(t, &p)
	found := false
	for _, c := range p.Components {
		for _, s := range c.Scenarios {
			if s.Scenario == id {
				found = true
				if s.Attempts != 1 || s.Best == nil || *s.Best != 100 || s.Last == nil || *s.Last != 100 {
					t.Errorf("progress counts the abandoned attempt: %+v", s)
				}
			}
		}
	}
	if !found {
		t.Fatal("the scenario is not in the progress")
	}

	// Journaled like every write, by its trainee.
	entries, err := audit.List(t.Context(), env.App.DB, audit.Query{Entity: "training_attempt", EntityID: v.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == "training.attempt.abandon" {
			n++
			if e.ActorID != tr.user.ID {
				t.Errorf("abandon journaled for %s", e.ActorID)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d abandon entries in the journal", n)
	}

	// An exam is handed in, never abandoned.
	exam := start(t, env, adminTok, "agent2-appel-premier-contact", map[string]any{"mode": "exam", "candidate_id": tr.candidateID()})
	if res := abandon(t, env, tr.token, exam.ID); res.Status != http.StatusConflict || res.Problem(t).Code != "exam_attempt" {
		t.Errorf("abandon an exam: want 409 exam_attempt, got %d %s", res.Status, res.Body)
	}
}
