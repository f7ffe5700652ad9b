package training

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/ancr/cqp/internal/scenario"
)

// Modes of an attempt.
const (
	Practice = "practice"
	Exam     = "exam"
)

// Statuses of an attempt: in_progress → (submit) → pending_review when a
// free-text item waits for a trainer, else graded; pending_review → graded
// once every such item is reviewed. A practice attempt in progress may be
// abandoned instead: it keeps no result and counts in no progress.
const (
	InProgress    = "in_progress"
	PendingReview = "pending_review"
	Graded        = "graded"
	Abandoned     = "abandoned"
)

// Attempt is one trainee's work on one drawn case of a scenario. The case is
// not stored: the scenario and the seed give it back (scenario.Draw).
type Attempt struct {
	ID            string `gorm:"primaryKey;size:36"`
	CandidateID   string `gorm:"size:36;not null"`
	OpenedBy      string `gorm:"size:36;not null"` // the trainee, or the administrator who opened an exam
	ScenarioID    string `gorm:"size:80;not null"`
	ScenarioTitle string `gorm:"size:300;not null"` // kept so that lists survive a scenario withdrawn later
	Component     string `gorm:"size:20;not null"`
	Mode          string `gorm:"size:10;not null"`
	Status        string `gorm:"size:20;not null"`
	Seed          int64  `gorm:"not null"`
	StartedAt     time.Time
	Deadline      time.Time
	Answers       string `gorm:"type:text;not null"` // JSON object: task id → answer
	AnswersAt     *time.Time
	Version       int `gorm:"not null"` // bumped by every write: concurrent autosaves never lose each other's answers
	SubmittedAt   *time.Time
	SubmittedBy   string `gorm:"size:36"`
	Late          bool   `gorm:"not null"`
	GradedAt      *time.Time
	ReviewedBy    string  `gorm:"size:36"`
	Result        string  `gorm:"type:text"` // JSON scenario.Result once submitted
	Score         float64 `gorm:"not null"`
	MaxScore      float64 `gorm:"not null"`
	Percent       float64 `gorm:"not null"`
	Passed        bool    `gorm:"not null"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName fixes the table whatever GORM's naming.
func (Attempt) TableName() string { return "training_attempts" }

func (a *Attempt) answers() map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	if a.Answers != "" {
		_ = json.Unmarshal([]byte(a.Answers), &m)
	}
	return m
}

func (a *Attempt) result() *scenario.Result {
	if a.Result == "" {
		return nil
	}
	var r scenario.Result
	if err := json.Unmarshal([]byte(a.Result), &r); err != nil {
		return nil
	}
	return &r
}

// expired is an attempt never submitted whose time, grace included, is up.
func (a *Attempt) expired(now time.Time) bool {
	return a.Status == InProgress && now.After(a.Deadline.Add(Grace))
}

// ScenarioEntry is one line of the catalogue (GET /scenarios).
type ScenarioEntry struct {
	ID              string   `json:"id"`
	Title           string   `json:"title"`
	Component       string   `json:"component"`
	Components      []string `json:"components"`
	Kind            string   `json:"kind"`
	DurationMinutes int      `json:"duration_minutes"`
	PassMark        int      `json:"pass_mark"`
	Summary         string   `json:"summary,omitempty"`
	Module          string   `json:"module,omitempty"`
	Tasks           int      `json:"tasks"`
	TrainerReview   bool     `json:"trainer_review"` // a free-text item waits for a trainer after submission
}

// AttemptView is an attempt as the API shows it: the case and tasks as the
// trainee sees them (never a key), the answers, and the result when the
// caller may see it.
type AttemptView struct {
	ID              string                     `json:"id"`
	Scenario        string                     `json:"scenario"`
	Title           string                     `json:"title"`
	Component       string                     `json:"component"`
	CandidateID     string                     `json:"candidate_id"`
	Mode            string                     `json:"mode"`
	Status          string                     `json:"status"`
	StartedAt       time.Time                  `json:"started_at"`
	Deadline        time.Time                  `json:"deadline"`
	DurationMinutes int                        `json:"duration_minutes"`
	GraceSeconds    int                        `json:"grace_seconds"`
	Expired         bool                       `json:"expired"` // never submitted and the time is up: only a late submission remains
	SubmittedAt     *time.Time                 `json:"submitted_at"`
	Late            bool                       `json:"late"`
	AbandonedAt     *time.Time                 `json:"abandoned_at,omitempty"` // the last change of an abandoned attempt
	Released        *bool                      `json:"released,omitempty"`     // exam attempts only: a jury has deliberated since
	Seed            *int64                     `json:"seed,omitempty"`         // trainers and administrators only
	Summary         string                     `json:"summary,omitempty"`
	Case            map[string]any             `json:"case"`
	Documents       []scenario.Document        `json:"documents"`
	Tasks           []scenario.PublicTask      `json:"tasks"`
	Answers         map[string]json.RawMessage `json:"answers"`
	ResultHidden    bool                       `json:"result_hidden"` // an exam result not yet released
	Result          *scenario.Result           `json:"result"`
}

// Outcome is the answer to a submission (API contract: score, max_score,
// passed, items). For an exam not yet released the result is withheld: only
// the attempt, its status and result_hidden are sent.
type Outcome struct {
	Attempt      string `json:"attempt"`
	Status       string `json:"status"`
	Mode         string `json:"mode"`
	Late         bool   `json:"late"`
	ResultHidden bool   `json:"result_hidden"`
	*scenario.Result
}

// AttemptSummary is one line of GET /attempts.
type AttemptSummary struct {
	ID           string     `json:"id"`
	CandidateID  string     `json:"candidate_id"`
	Scenario     string     `json:"scenario"`
	Title        string     `json:"title"`
	Component    string     `json:"component"`
	Mode         string     `json:"mode"`
	Status       string     `json:"status"`
	StartedAt    time.Time  `json:"started_at"`
	Deadline     time.Time  `json:"deadline"`
	Expired      bool       `json:"expired"`
	SubmittedAt  *time.Time `json:"submitted_at"`
	Late         bool       `json:"late"`
	Released     *bool      `json:"released,omitempty"`
	ResultHidden bool       `json:"result_hidden"`
	Score        *float64   `json:"score"`
	MaxScore     *float64   `json:"max_score"`
	Percent      *float64   `json:"percent"`
	Passed       *bool      `json:"passed"`
}

// summary is the list line; released says whether a jury has deliberated on
// an exam attempt, hidden whether its result is withheld from the caller.
func (a *Attempt) summary(now time.Time, released, hidden bool) AttemptSummary {
	out := AttemptSummary{ID: a.ID, CandidateID: a.CandidateID, Scenario: a.ScenarioID, Title: a.ScenarioTitle,
		Component: a.Component, Mode: a.Mode, Status: a.Status, StartedAt: a.StartedAt, Deadline: a.Deadline,
		Expired: a.expired(now), SubmittedAt: a.SubmittedAt, Late: a.Late}
	if a.Mode == Exam {
		r := released
		out.Released = &r
	}
	switch {
	case a.Status == InProgress, a.Status == Abandoned:
	case hidden:
		out.ResultHidden = true
	default:
		score, maxScore, pct, passed := a.Score, a.MaxScore, a.Percent, a.Passed
		out.Score, out.MaxScore, out.Percent, out.Passed = &score, &maxScore, &pct, &passed
	}
	return out
}

func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
