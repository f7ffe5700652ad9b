package training

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/scenario"
	"gorm.io/gorm"
)

// MaxAnswerBytes bounds one saved answer: the longest is a free-text reply.
const MaxAnswerBytes = 20_000

// saveRetries is how often an autosave re-reads the attempt when another
// save of the same attempt won the race.
const saveRetries = 8

func attemptNotFound() error {
	return httpx.NotFound("Tentative introuvable.", "Attempt not found.")
}

func scenarioNotFound() error {
	return httpx.NotFound("Mise en situation introuvable.", "Scenario not found.")
}

func alreadySubmitted() error {
	return httpx.Conflict("already_submitted", "Cette tentative a déjà été remise : elle ne peut plus être modifiée.",
		"This attempt has already been submitted: it can no longer be changed.")
}

func alreadyAbandoned() error {
	return httpx.Conflict("abandoned", "Cette tentative a été abandonnée : elle ne peut plus être modifiée.",
		"This attempt was abandoned: it can no longer be changed.")
}

// closed is the refusal to change an attempt no longer in progress.
func closed(a *Attempt) error {
	if a.Status == Abandoned {
		return alreadyAbandoned()
	}
	return alreadySubmitted()
}

// StartRequest opens an attempt. A trainee opens a practice attempt for
// themselves; an administrator opens an exam attempt for a candidate, at
// the moment they sit it (the clock starts then).
type StartRequest struct {
	Mode        string `json:"mode" validate:"omitempty,oneof=practice exam"`
	CandidateID string `json:"candidate_id" validate:"omitempty,max=36"`
}

// AnswersRequest is an autosave (PUT /attempts/{id}/answers), or the last
// answers sent with a submission.
type AnswersRequest struct {
	Answers map[string]json.RawMessage `json:"answers"`
}

// SaveResult acknowledges an autosave.
type SaveResult struct {
	Attempt  string                     `json:"attempt"`
	Version  int                        `json:"version"`
	SavedAt  time.Time                  `json:"saved_at"`
	Deadline time.Time                  `json:"deadline"`
	Answers  map[string]json.RawMessage `json:"answers"`
}

// Start opens an attempt on scenario id and draws its case.
func (s *Service) Start(ctx context.Context, actor auth.User, id string, in StartRequest) (AttemptView, error) {
	sc, ok := s.scenario(id)
	if !ok {
		return AttemptView{}, scenarioNotFound()
	}
	mode := in.Mode
	if mode == "" {
		mode = Practice
	}
	var candidateID string
	switch {
	case actor.Role == auth.RoleCandidate:
		if mode == Exam {
			return AttemptView{}, httpx.Forbidden("Une épreuve en conditions d'examen est ouverte par un administrateur.",
				"An exam attempt is opened by an administrator.")
		}
		if actor.CandidateID == nil || (in.CandidateID != "" && in.CandidateID != *actor.CandidateID) {
			return AttemptView{}, httpx.Forbidden("Votre compte n'est lié à aucun dossier de candidat.",
				"Your account is not linked to this candidate record.")
		}
		candidateID = *actor.CandidateID
	case actor.Role == auth.RoleAdmin && mode == Exam:
		if in.CandidateID == "" {
			return AttemptView{}, httpx.Invalid(httpx.Field("candidate_id", "Le candidat est obligatoire pour une épreuve.", "candidate_id is required for an exam"))
		}
		found, err := candidates.Exists(s.db.WithContext(ctx), in.CandidateID)
		if err != nil {
			return AttemptView{}, fmt.Errorf("start attempt: candidate %s: %w", in.CandidateID, err)
		}
		if !found {
			return AttemptView{}, httpx.Unprocessable("validation", "Candidat inconnu.", "Unknown candidate.",
				httpx.Field("candidate_id", "Candidat inconnu.", "unknown candidate"))
		}
		candidateID = in.CandidateID
	default:
		return AttemptView{}, httpx.Forbidden("Seul un stagiaire s'entraîne ; un administrateur ouvre les épreuves d'examen.",
			"Only a trainee practises; an administrator opens exam attempts.")
	}
	now := s.now().UTC()
	a := Attempt{ID: database.NewID(), CandidateID: candidateID, OpenedBy: actor.ID, ScenarioID: sc.ID,
		ScenarioTitle: sc.Title, Component: sc.Component(), Mode: mode, Status: InProgress,
		Seed:      rand.Int64N(1 << 53), // stays exact in a JSON number
		StartedAt: now, Deadline: now.Add(time.Duration(sc.DurationMinutes) * time.Minute), Answers: "{}",
		Version: 1, CreatedAt: now, UpdatedAt: now}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			if database.IsDuplicate(err) {
				return httpx.Conflict("exam_already_taken", "Ce candidat a déjà passé cette mise en situation en conditions d'examen.",
					"This candidate has already taken this scenario as an exam.")
			}
			return fmt.Errorf("start attempt: %w", err)
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "training.attempt.start", Entity: "training_attempt",
			EntityID: a.ID, After: auditView(&a)})
	})
	if err != nil {
		return AttemptView{}, err
	}
	return s.view(ctx, actor, &a)
}

// OpenAttempt is the trainee's practice attempt on a scenario still open
// (in progress and within its time), if any: the web page resumes it rather
// than start a second timed one. The API's start always opens a new one,
// as the contract says.
func (s *Service) OpenAttempt(ctx context.Context, actor auth.User, scenarioID string) (string, bool, error) {
	if actor.Role != auth.RoleCandidate || actor.CandidateID == nil {
		return "", false, nil
	}
	var open []Attempt
	err := s.db.WithContext(ctx).Select("id, status, deadline").
		Where("candidate_id = ? AND scenario_id = ? AND mode = ? AND status = ?", *actor.CandidateID, scenarioID, Practice, InProgress).
		Order("started_at DESC").Limit(1).Find(&open).Error
	if err != nil {
		return "", false, fmt.Errorf("open attempt: %w", err)
	}
	if len(open) == 0 || open[0].expired(s.now()) {
		return "", false, nil
	}
	return open[0].ID, true, nil
}

// auditView is what the journal keeps of an attempt: its state, not the case.
func auditView(a *Attempt) map[string]any {
	return map[string]any{"candidate_id": a.CandidateID, "scenario": a.ScenarioID, "mode": a.Mode, "status": a.Status,
		"seed": a.Seed, "deadline": a.Deadline, "version": a.Version, "late": a.Late, "score": a.Score,
		"max_score": a.MaxScore, "passed": a.Passed}
}

// load returns the attempt if actor may see it; anything else is 404.
func (s *Service) load(ctx context.Context, db *gorm.DB, actor auth.User, id string) (*Attempt, error) {
	var a Attempt
	err := db.WithContext(ctx).Where("id = ?", id).Take(&a).Error
	if database.IsNotFound(err) {
		return nil, attemptNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load attempt %s: %w", id, err)
	}
	ok, err := s.vis.CanSee(ctx, actor, a.CandidateID)
	if err != nil {
		return nil, err
	}
	if !ok || !actor.Is(auth.RoleAdmin, auth.RoleTrainer, auth.RoleCandidate) {
		return nil, attemptNotFound()
	}
	return &a, nil
}

// owned loads an attempt the caller works on: the trainee's own. Staff who
// may see it get 403 (they read, they do not answer); others 404.
func (s *Service) owned(ctx context.Context, actor auth.User, id string) (*Attempt, error) {
	a, err := s.load(ctx, s.db, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.Role != auth.RoleCandidate {
		return nil, httpx.Forbidden("Seul le stagiaire répond à sa tentative.", "Only the trainee answers their attempt.")
	}
	return a, nil
}

// Get returns an attempt with its answers and, when the caller may see it,
// its result.
func (s *Service) Get(ctx context.Context, actor auth.User, id string) (AttemptView, error) {
	a, err := s.load(ctx, s.db, actor, id)
	if err != nil {
		return AttemptView{}, err
	}
	return s.view(ctx, actor, a)
}

// released tells whether a jury has deliberated on the attempt's component
// for its candidate since the exam was submitted: until then an exam result
// stays with the administrators.
func (s *Service) released(ctx context.Context, a *Attempt) (bool, error) {
	if a.Mode != Exam {
		return true, nil
	}
	if a.SubmittedAt == nil {
		return false, nil
	}
	ok, err := candidates.DecidedSince(s.db.WithContext(ctx), a.CandidateID, a.Component, *a.SubmittedAt)
	if err != nil {
		return false, fmt.Errorf("exam %s: deliberation: %w", a.ID, err)
	}
	return ok, nil
}

// hidden tells whether the result is withheld from actor, and whether the
// exam is released.
func (s *Service) hidden(ctx context.Context, actor auth.User, a *Attempt) (hidden, released bool, err error) {
	if a.Mode != Exam {
		return false, true, nil
	}
	released, err = s.released(ctx, a)
	if err != nil {
		return false, false, err
	}
	return !released && actor.Role != auth.RoleAdmin, released, nil
}

func (s *Service) view(ctx context.Context, actor auth.User, a *Attempt) (AttemptView, error) {
	hidden, released, err := s.hidden(ctx, actor, a)
	if err != nil {
		return AttemptView{}, err
	}
	v := AttemptView{ID: a.ID, Scenario: a.ScenarioID, Title: a.ScenarioTitle, Component: a.Component,
		CandidateID: a.CandidateID, Mode: a.Mode, Status: a.Status, StartedAt: a.StartedAt, Deadline: a.Deadline,
		GraceSeconds: int(Grace / time.Second), Expired: a.expired(s.now()), SubmittedAt: a.SubmittedAt, Late: a.Late,
		Case: map[string]any{}, Documents: []scenario.Document{}, Tasks: []scenario.PublicTask{}, Answers: a.answers()}
	if a.Mode == Exam {
		v.Released = &released
	}
	if a.Status == Abandoned {
		at := a.UpdatedAt
		v.AbandonedAt = &at
	}
	if actor.Is(auth.RoleAdmin, auth.RoleTrainer) {
		seed := a.Seed
		v.Seed = &seed
	}
	// A scenario withdrawn since (broken at start-up) leaves the attempt
	// readable, without its case.
	if sc, ok := s.scenario(a.ScenarioID); ok {
		pv := scenario.Public(sc, scenario.Draw(sc, a.Seed))
		v.DurationMinutes, v.Summary, v.Case, v.Documents, v.Tasks = sc.DurationMinutes, pv.Summary, pv.Case, pv.Documents, pv.Tasks
		// The replies of a call come in an order and under names of the
		// attempt's own: the same for its trainee and its reviewer, others
		// for the next attempt. Answers are stored under the authoring ids.
		scenario.ShuffleReplies(v.Tasks, a.ID)
		v.Answers = scenario.AliasAnswers(sc, a.ID, v.Answers)
	}
	if a.Status != InProgress && a.Status != Abandoned {
		if hidden {
			v.ResultHidden = true
		} else {
			v.Result = a.result()
			// Handed in, a free-text answer may be read against its criteria.
			if sc, ok := s.scenario(a.ScenarioID); ok {
				scenario.RevealRubrics(sc, scenario.Draw(sc, a.Seed), v.Tasks)
			}
		}
	}
	return v, nil
}

// checkAnswers refuses answers to tasks the scenario does not have, and
// oversized ones, naming each.
func checkAnswers(sc scenario.Scenario, answers map[string]json.RawMessage) error {
	var fields []httpx.FieldError
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := sc.Task(id); !ok {
			fields = append(fields, httpx.Field("answers."+id, "Cette question n'existe pas dans la mise en situation.", "no such task in this scenario"))
		} else if len(answers[id]) > MaxAnswerBytes {
			fields = append(fields, httpx.Field("answers."+id, fmt.Sprintf("Réponse trop longue (%d octets au plus).", MaxAnswerBytes),
				fmt.Sprintf("answer too long (at most %d bytes)", MaxAnswerBytes)))
		}
	}
	if len(fields) > 0 {
		return httpx.Invalid(fields...)
	}
	return nil
}

func timeUp(a *Attempt) error {
	return httpx.Conflict("time_up", fmt.Sprintf("Le temps est écoulé depuis le %s UTC : les réponses ne sont plus enregistrées ; remettez la tentative.",
		a.Deadline.Format("02/01/2006 à 15:04")),
		"Time is up: answers are no longer saved; submit the attempt.")
}

// Save merges answers into the attempt (autosave). Saves racing on the same
// attempt are applied one after the other, never losing one: each writes
// only if the version it read is still the current one, else re-reads.
func (s *Service) Save(ctx context.Context, actor auth.User, id string, answers map[string]json.RawMessage) (SaveResult, error) {
	a, err := s.owned(ctx, actor, id)
	if err != nil {
		return SaveResult{}, err
	}
	sc, ok := s.scenario(a.ScenarioID)
	if !ok {
		return SaveResult{}, scenarioNotFound()
	}
	if err := checkAnswers(sc, answers); err != nil {
		return SaveResult{}, err
	}
	// A call's replies arrive under the names the attempt shows (see view).
	answers = scenario.UnaliasAnswers(sc, a.ID, answers)
	for range saveRetries {
		if a.Status != InProgress {
			return SaveResult{}, closed(a)
		}
		now := s.now().UTC()
		if now.After(a.Deadline.Add(Grace)) {
			return SaveResult{}, timeUp(a)
		}
		merged := a.answers()
		for k, v := range answers {
			merged[k] = v
		}
		raw, err := marshalJSON(merged)
		if err != nil {
			return SaveResult{}, fmt.Errorf("save answers: %w", err)
		}
		won := false
		err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
			res := tx.Model(&Attempt{}).Where("id = ? AND version = ? AND status = ?", a.ID, a.Version, InProgress).
				Updates(map[string]any{"answers": string(raw), "answers_at": now, "version": a.Version + 1, "updated_at": now})
			if res.Error != nil {
				return fmt.Errorf("save answers: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return nil
			}
			won = true
			tasks := make([]string, 0, len(answers))
			for k := range answers {
				tasks = append(tasks, k)
			}
			sort.Strings(tasks)
			return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "training.attempt.save", Entity: "training_attempt",
				EntityID: a.ID, Before: map[string]any{"version": a.Version}, After: map[string]any{"version": a.Version + 1, "tasks": tasks}})
		})
		if err != nil {
			return SaveResult{}, err
		}
		if won {
			return SaveResult{Attempt: a.ID, Version: a.Version + 1, SavedAt: now, Deadline: a.Deadline,
				Answers: scenario.AliasAnswers(sc, a.ID, merged)}, nil
		}
		if a, err = s.load(ctx, s.db, actor, id); err != nil {
			return SaveResult{}, err
		}
	}
	return SaveResult{}, httpx.Conflict("conflict", "Trop d'enregistrements simultanés : réessayez.", "Too many concurrent saves: retry.")
}

// Submit grades the attempt once. Answers sent with the submission are saved
// first when time allows. After the deadline and its grace the submission is
// still taken, once, and graded on the answers saved in time: the attempt is
// flagged late. A second submission is a conflict.
func (s *Service) Submit(ctx context.Context, actor auth.User, id string, last map[string]json.RawMessage) (Outcome, error) {
	a, err := s.owned(ctx, actor, id)
	if err != nil {
		return Outcome{}, err
	}
	if a.Status != InProgress {
		return Outcome{}, closed(a)
	}
	sc, ok := s.scenario(a.ScenarioID)
	if !ok {
		return Outcome{}, scenarioNotFound()
	}
	if len(last) > 0 {
		if err := checkAnswers(sc, last); err != nil {
			return Outcome{}, err
		}
		if !s.now().After(a.Deadline.Add(Grace)) {
			if _, err := s.Save(ctx, actor, id, last); err != nil {
				return Outcome{}, err
			}
			if a, err = s.load(ctx, s.db, actor, id); err != nil {
				return Outcome{}, err
			}
		}
	}
	now := s.now().UTC()
	res := scenario.Grade(sc, scenario.Draw(sc, a.Seed), s.Parameters(), a.answers())
	raw, err := marshalJSON(res)
	if err != nil {
		return Outcome{}, fmt.Errorf("submit: %w", err)
	}
	before := auditView(a)
	a.Status = Graded
	if res.PendingReview {
		a.Status = PendingReview
	} else {
		a.GradedAt = &now
	}
	a.SubmittedAt, a.SubmittedBy, a.Late = &now, actor.ID, now.After(a.Deadline.Add(Grace))
	a.Result, a.Score, a.MaxScore, a.Percent, a.Passed = string(raw), res.Score, res.MaxScore, res.Percent, res.Passed
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		upd := tx.Model(&Attempt{}).Where("id = ? AND status = ?", a.ID, InProgress).Updates(map[string]any{
			"status": a.Status, "submitted_at": now, "submitted_by": actor.ID, "late": a.Late, "graded_at": a.GradedAt,
			"result": a.Result, "score": a.Score, "max_score": a.MaxScore, "percent": a.Percent, "passed": a.Passed,
			"version": a.Version + 1, "updated_at": now})
		if upd.Error != nil {
			return fmt.Errorf("submit: %w", upd.Error)
		}
		if upd.RowsAffected == 0 {
			return alreadySubmitted() // another submission won the race
		}
		a.Version++
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "training.attempt.submit", Entity: "training_attempt",
			EntityID: a.ID, Before: before, After: auditView(a)})
	})
	if err != nil {
		return Outcome{}, err
	}
	hidden, _, err := s.hidden(ctx, actor, a)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Attempt: a.ID, Status: a.Status, Mode: a.Mode, Late: a.Late, ResultHidden: hidden}
	if !hidden {
		out.Result = &res
	}
	return out, nil
}

// Abandon closes a practice attempt in progress without a result, at its
// trainee's request: it is kept (and journaled) but counts in no progress and
// no best score. A copy handed in, or an attempt already abandoned, is a
// conflict; an exam is handed in, never abandoned.
func (s *Service) Abandon(ctx context.Context, actor auth.User, id string) (AttemptView, error) {
	a, err := s.owned(ctx, actor, id)
	if err != nil {
		return AttemptView{}, err
	}
	if a.Status != InProgress {
		return AttemptView{}, closed(a)
	}
	if a.Mode == Exam {
		return AttemptView{}, httpx.Conflict("exam_attempt", "Une épreuve d'examen ne s'abandonne pas : rendez la copie.",
			"An exam attempt cannot be abandoned: submit it.")
	}
	now := s.now().UTC()
	before := auditView(a)
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		upd := tx.Model(&Attempt{}).Where("id = ? AND status = ?", a.ID, InProgress).
			Updates(map[string]any{"status": Abandoned, "version": a.Version + 1, "updated_at": now})
		if upd.Error != nil {
			return fmt.Errorf("abandon attempt %s: %w", a.ID, upd.Error)
		}
		if upd.RowsAffected == 0 {
			return alreadySubmitted() // a submission won the race
		}
		a.Status, a.Version, a.UpdatedAt = Abandoned, a.Version+1, now
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "training.attempt.abandon", Entity: "training_attempt",
			EntityID: a.ID, Before: before, After: auditView(a)})
	})
	if err != nil {
		return AttemptView{}, err
	}
	return s.view(ctx, actor, a)
}

// ReviewRequest is a trainer's marking of the free-text items of an attempt.
type ReviewRequest struct {
	Reviews map[string]scenario.Review `json:"reviews" validate:"required,min=1"`
}

// Review marks free-text items; once none is pending, the result is final.
func (s *Service) Review(ctx context.Context, actor auth.User, id string, in ReviewRequest) (AttemptView, error) {
	if !actor.Is(auth.RoleAdmin, auth.RoleTrainer) {
		return AttemptView{}, httpx.Forbidden("Seul un formateur corrige.", "Only a trainer reviews.")
	}
	a, err := s.load(ctx, s.db, actor, id)
	if err != nil {
		return AttemptView{}, err
	}
	if a.Status != PendingReview {
		return AttemptView{}, httpx.Conflict("not_pending_review", "Cette tentative n'attend pas de correction.",
			"This attempt is not waiting for review.")
	}
	sc, ok := s.scenario(a.ScenarioID)
	if !ok {
		return AttemptView{}, scenarioNotFound()
	}
	cur := a.result()
	if cur == nil {
		return AttemptView{}, fmt.Errorf("review %s: unreadable result", a.ID)
	}
	res, err := scenario.ApplyReview(sc, *cur, in.Reviews)
	var re *scenario.ReviewError
	if errors.As(err, &re) {
		return AttemptView{}, httpx.Invalid(httpx.Field(re.Field, re.FR, re.EN))
	}
	if err != nil {
		return AttemptView{}, err
	}
	raw, err := marshalJSON(res)
	if err != nil {
		return AttemptView{}, fmt.Errorf("review: %w", err)
	}
	now := s.now().UTC()
	before := auditView(a)
	if !res.PendingReview {
		a.Status, a.GradedAt = Graded, &now
	}
	a.ReviewedBy = actor.ID
	a.Result, a.Score, a.MaxScore, a.Percent, a.Passed = string(raw), res.Score, res.MaxScore, res.Percent, res.Passed
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		upd := tx.Model(&Attempt{}).Where("id = ? AND version = ? AND status = ?", a.ID, a.Version, PendingReview).Updates(map[string]any{
			"status": a.Status, "graded_at": a.GradedAt, "reviewed_by": actor.ID, "result": a.Result, "score": a.Score,
			"max_score": a.MaxScore, "percent": a.Percent, "passed": a.Passed, "version": a.Version + 1, "updated_at": now})
		if upd.Error != nil {
			return fmt.Errorf("review: %w", upd.Error)
		}
		if upd.RowsAffected == 0 {
			return httpx.Conflict("conflict", "Cette tentative vient d'être corrigée par ailleurs : rechargez-la.",
				"This attempt was just reviewed elsewhere: reload it.")
		}
		a.Version++
		after := auditView(a)
		after["reviewed_tasks"] = slices.Sorted(maps.Keys(in.Reviews))
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "training.attempt.review", Entity: "training_attempt",
			EntityID: a.ID, Before: before, After: after})
	})
	if err != nil {
		return AttemptView{}, err
	}
	return s.view(ctx, actor, a)
}

// ExamSummaries is what a jury sees of an attempt set as the professional
// situation: the scenario, when it was taken, and its graded result (the jury
// is who the result is hidden for no longer). A missing attempt is a 404
// problem, as the jury expects. It reads the attempts table alone, so that
// the jury feature can be built before this service (which needs the
// candidates feature, itself built with the jury's personal data).
func ExamSummaries(db *gorm.DB, now func() time.Time) func(ctx context.Context, attemptID string) (AttemptSummary, error) {
	return func(ctx context.Context, attemptID string) (AttemptSummary, error) {
		var a Attempt
		err := db.WithContext(ctx).Where("id = ?", attemptID).Take(&a).Error
		if database.IsNotFound(err) {
			return AttemptSummary{}, attemptNotFound()
		}
		if err != nil {
			return AttemptSummary{}, fmt.Errorf("exam summary %s: %w", attemptID, err)
		}
		return a.summary(now(), true, false), nil
	}
}
