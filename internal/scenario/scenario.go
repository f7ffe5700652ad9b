// Package scenario holds the simulated collection files trainees work on: the
// authoring format, variants drawn from a seed, and grading against answer keys
// computed by the rules engine (internal/law), so a scenario cannot contradict
// the law. Pure: no database, no HTTP, no clock.
package scenario

import (
	"encoding/json"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
)

// DefaultPassMark is the pass mark, in percent, of a scenario that declares none.
const DefaultPassMark = 70

// Component codes of both certifications (docs/domain.md §1).
var Components = []string{
	"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4",
	"AGENT-1", "AGENT-2", "AGENT-3", "AGENT-4",
}

// Kinds of scenario, for the catalogue.
var Kinds = []string{
	"case_analysis", "letter_review", "plan_review", "procedure",
	"investigation", "debtor_situation", "phone_call",
}

// Task types.
const (
	SingleChoice   = "single_choice"
	MultipleChoice = "multiple_choice"
	Number         = "number"
	DateTask       = "date"
	LetterMentions = "letter_mentions"
	PlanTask       = "plan"
	DialogueTask   = "dialogue"
	FreeText       = "free_text"
)

var taskTypes = []string{SingleChoice, MultipleChoice, Number, DateTask, LetterMentions, PlanTask, DialogueTask, FreeText}

// Scenario is one file under assessments/scenarios.
type Scenario struct {
	ID              string   `json:"id"`
	Title           string   `json:"title"`
	Components      []string `json:"components"`
	Kind            string   `json:"kind"`
	DurationMinutes int      `json:"duration_minutes"`
	PassMark        int      `json:"pass_mark,omitempty"` // percent; 0 means DefaultPassMark
	Summary         string   `json:"summary,omitempty"`   // the situation in two lines, shown in the catalogue

	// Case is the file as the rules engine reads it. The trainee sees it less
	// the letter (its mentions are what a letter task asks for) and less Hide.
	Case law.Input `json:"case"`
	// Hide lists case paths (e.g. "claim.kind") the trainee must find in the documents.
	Hide      []string   `json:"hide,omitempty"`
	Documents []Document `json:"documents"`
	Variants  []Variant  `json:"variants,omitempty"`
	Tasks     []Task     `json:"tasks"`

	File string `json:"-"` // where it was loaded from, for error messages
}

// Component is the main component, the one the catalogue lists.
func (s Scenario) Component() string {
	if len(s.Components) == 0 {
		return ""
	}
	return s.Components[0]
}

// Mark is the pass mark in percent.
func (s Scenario) Mark() int {
	if s.PassMark == 0 {
		return DefaultPassMark
	}
	return s.PassMark
}

// Task returns the task with that id.
func (s Scenario) Task(id string) (Task, bool) {
	for _, t := range s.Tasks {
		if t.ID == id {
			return t, true
		}
	}
	return Task{}, false
}

// Document is a titled French text of the case file (invoice, mandate, draft
// letter, email). Text may hold placeholders filled from the drawn case.
type Document struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Task is one graded question. Its answer key is Key, an expression over the
// engine output (see README), or, for a question the engine does not compute,
// options marked Correct or a fixed Answer, with a Rule and an Explain.
type Task struct {
	ID     string  `json:"id"`
	Type   string  `json:"type"`
	Prompt string  `json:"prompt"`
	Points float64 `json:"points,omitempty"` // default 1; plan: sum of fields; free_text: sum of rubric; dialogue: best path

	Key     string          `json:"key,omitempty"`
	Answer  json.RawMessage `json:"answer,omitempty"` // fixed key of a number or date task the engine does not compute
	Rule    string          `json:"rule,omitempty"`   // cited when the engine output carries none
	Explain string          `json:"explain,omitempty"`

	Options   []Option `json:"options,omitempty"`
	Scoring   string   `json:"scoring,omitempty"`   // sets: "partial" (default) or "exact"
	Tolerance int64    `json:"tolerance,omitempty"` // number/date: in cents for amounts, days for dates, units otherwise

	Fields   []PlanField `json:"fields,omitempty"`
	Dialogue *Dialogue   `json:"dialogue,omitempty"`
	Rubric   []Criterion `json:"rubric,omitempty"`
}

// Option is a choice. Value is the engine value it stands for (compared with
// the task's Key); Key is a yes/no expression that makes it correct; Correct
// marks it right for a question the engine does not compute.
type Option struct {
	ID      string          `json:"id"`
	Label   string          `json:"label"`
	Value   json.RawMessage `json:"value,omitempty"`
	Key     string          `json:"key,omitempty"`
	Correct *bool           `json:"correct,omitempty"`
	Rule    string          `json:"rule,omitempty"`
	Explain string          `json:"explain,omitempty"` // why this option is right or wrong
}

// PlanField is one figure of a payment-plan task.
type PlanField struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	Key       string  `json:"key"`
	Compare   string  `json:"compare,omitempty"` // "equal" (default) or "at_most" (a positive figure not above the key)
	Tolerance int64   `json:"tolerance,omitempty"`
	Points    float64 `json:"points,omitempty"` // default 1
}

// Criterion is one line of a free-text rubric.
type Criterion struct {
	ID     string  `json:"id"`
	Label  string  `json:"label"`
	Points float64 `json:"points"`
}

// Dialogue is a branching phone call: the trainee picks a reply at each node
// until an end node.
type Dialogue struct {
	Start string `json:"start"`
	Nodes []Node `json:"nodes"`
}

// Node is what the person on the line says, and the trainee's possible replies.
type Node struct {
	ID      string  `json:"id"`
	Speaker string  `json:"speaker,omitempty"` // default "Débiteur"
	Line    string  `json:"line"`
	End     bool    `json:"end,omitempty"`
	Replies []Reply `json:"replies,omitempty"`
}

// Reply is one thing the trainee may say.
type Reply struct {
	ID           string   `json:"id"`
	Text         string   `json:"text"`
	Next         string   `json:"next"`
	Points       float64  `json:"points,omitempty"`
	Technique    []string `json:"technique,omitempty"`      // identity_check, listening, reformulation, dated_commitment
	Flags        []string `json:"flags,omitempty"`          // threat, pressure, disclosure, impersonation: fail the call
	SpeaksOfDebt bool     `json:"speaks_of_debt,omitempty"` // before an identity check, a disclosure
	Requires     string   `json:"requires,omitempty"`       // engine expression that must hold for the points
	Feedback     string   `json:"feedback,omitempty"`
}

// Techniques and ethics flags of a dialogue, with their French names.
var (
	Techniques = map[string]string{
		"identity_check":   "vérification de l'identité de l'interlocuteur avant de parler de la dette",
		"listening":        "écoute active",
		"reformulation":    "reformulation",
		"dated_commitment": "engagement daté",
	}
	EthicsFlags = map[string]struct{ FR, Rule string }{
		"threat":        {"menace", "C. conso. L121-6"},
		"pressure":      {"pression ou harcèlement", "C. conso. L121-7"},
		"disclosure":    {"divulgation de la dette à un tiers", "C. civ. 9 ; RGPD art. 5"},
		"impersonation": {"usurpation de la qualité de commissaire de justice", "C. pén. 433-13"},
	}
)

// Variant is a range applied to the case at draw time. Exactly one of Amount,
// Days, Int, Bool, Choice is set. Days shifts every listed date by the same
// offset, so their order holds; the others set every listed path to the value.
type Variant struct {
	Name   string            `json:"name,omitempty"` // placeholder alias of the first path
	Paths  []string          `json:"paths"`
	Amount *AmountRange      `json:"amount,omitempty"`
	Days   *IntRange         `json:"days,omitempty"`
	Int    *IntRange         `json:"int,omitempty"`
	Bool   bool              `json:"bool,omitempty"`
	Choice []json.RawMessage `json:"choice,omitempty"`
}

// AmountRange is in euros in the file (JSON numbers), cents in memory.
type AmountRange struct {
	Min  money.Cents `json:"min"`
	Max  money.Cents `json:"max"`
	Step money.Cents `json:"step,omitempty"` // default 1 €
}

type IntRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}
