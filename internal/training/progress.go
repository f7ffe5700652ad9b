package training

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/scenario"
	"gorm.io/gorm"
)

// ListQuery selects a page of attempts.
type ListQuery struct {
	CandidateID string
	Scenario    string
	Status      string
	After       string // the last id of the previous page
	Limit       int
}

// List returns the attempts the actor may see, newest last (id order), and
// the cursor of the next page. A trainee sees their own; a trainer, those
// of the trainees they follow; an administrator, all.
func (s *Service) List(ctx context.Context, actor auth.User, q ListQuery) ([]AttemptSummary, string, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	tx := s.db.WithContext(ctx).Order("id").Limit(q.Limit + 1)
	if actor.Role == auth.RoleCandidate {
		if actor.CandidateID == nil {
			return []AttemptSummary{}, "", nil
		}
		if q.CandidateID != "" && q.CandidateID != *actor.CandidateID {
			return nil, "", candidateNotFound()
		}
		q.CandidateID = *actor.CandidateID
	}
	if q.CandidateID != "" {
		ok, err := s.vis.CanSee(ctx, actor, q.CandidateID)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return nil, "", candidateNotFound()
		}
		tx = tx.Where("candidate_id = ?", q.CandidateID)
	} else if sub := candidates.VisibleIDs(s.db, actor); sub != nil {
		tx = tx.Where("candidate_id IN (?)", sub)
	}
	if q.Scenario != "" {
		tx = tx.Where("scenario_id = ?", q.Scenario)
	}
	if q.Status != "" {
		tx = tx.Where("status = ?", q.Status)
	}
	if q.After != "" {
		tx = tx.Where("id > ?", q.After)
	}
	var rows []Attempt
	if err := tx.Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list attempts: %w", err)
	}
	next := ""
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		next = rows[len(rows)-1].ID
	}
	out := make([]AttemptSummary, 0, len(rows))
	now := s.now()
	for i := range rows {
		hidden, released, err := s.hidden(ctx, actor, &rows[i])
		if err != nil {
			return nil, "", err
		}
		out = append(out, rows[i].summary(now, released, hidden))
	}
	return out, next, nil
}

func candidateNotFound() error {
	return httpx.NotFound("Candidat introuvable.", "Candidate not found.")
}

// ReviewEntry is one attempt in the trainers' queue, with the free-text
// answers waiting and the rubric to mark them on.
type ReviewEntry struct {
	AttemptSummary
	Items []PendingItem `json:"items"`
}

// PendingItem is one free-text answer to mark.
type PendingItem struct {
	Task   string               `json:"task"`
	Prompt string               `json:"prompt"`
	Answer string               `json:"answer"`
	Rubric []scenario.Criterion `json:"rubric"`
}

// ReviewQueue lists the submitted attempts whose free-text items wait for a
// trainer, oldest first, among the trainees the actor follows.
func (s *Service) ReviewQueue(ctx context.Context, actor auth.User, after string, limit int) ([]ReviewEntry, string, error) {
	if !actor.Is(auth.RoleAdmin, auth.RoleTrainer) {
		return nil, "", httpx.Forbidden("Seul un formateur corrige.", "Only a trainer reviews.")
	}
	rows, next, err := s.List(ctx, actor, ListQuery{Status: PendingReview, After: after, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var full []Attempt
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&full).Error; err != nil {
			return nil, "", fmt.Errorf("review queue: %w", err)
		}
	}
	byID := map[string]*Attempt{}
	for i := range full {
		byID[full[i].ID] = &full[i]
	}
	out := make([]ReviewEntry, 0, len(rows))
	for _, r := range rows {
		e := ReviewEntry{AttemptSummary: r, Items: []PendingItem{}}
		a, sc, ok := byID[r.ID], scenario.Scenario{}, false
		if a != nil {
			sc, ok = s.scenario(a.ScenarioID)
		}
		if ok {
			res, answers := a.result(), a.answers()
			view := s.index().base[sc.ID]
			for _, it := range resultItems(res) {
				if !it.Pending {
					continue
				}
				t, _ := sc.Task(it.Task)
				pi := PendingItem{Task: t.ID, Prompt: promptOf(view, t), Rubric: t.Rubric}
				if raw, ok := answers[t.ID]; ok {
					pi.Answer = textOf(raw)
				}
				e.Items = append(e.Items, pi)
			}
		}
		out = append(out, e)
	}
	return out, next, nil
}

// better orders results for the module rule: a pass beats a fail (an ethics
// failure may score high), then the higher percent.
func better(x, y scenario.Best) bool {
	if x.Passed != y.Passed {
		return x.Passed
	}
	return x.Percent > y.Percent
}

// textOf is a free-text answer as text (it is saved as a JSON string).
func textOf(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

func resultItems(r *scenario.Result) []scenario.Item {
	if r == nil {
		return nil
	}
	return r.Items
}

func promptOf(v scenario.View, t scenario.Task) string {
	for _, pt := range v.Tasks {
		if pt.ID == t.ID {
			return pt.Prompt
		}
	}
	return t.Prompt
}

// ScenarioProgress is a trainee's record on one scenario.
type ScenarioProgress struct {
	Scenario      string     `json:"scenario"`
	Title         string     `json:"title"`
	PassMark      int        `json:"pass_mark"`
	Attempts      int        `json:"attempts"`       // submitted, results visible to the caller or not
	PendingReview int        `json:"pending_review"` // waiting for a trainer
	Best          *float64   `json:"best_percent"`
	Last          *float64   `json:"last_percent"`
	LastAt        *time.Time `json:"last_at"`
	Passed        bool       `json:"passed"` // at least one final result passed
	// Missed are the rules of the answers marked wrong on this scenario,
	// with the module that teaches them.
	Missed []MissedRule `json:"missed,omitempty"`
}

// ComponentProgress is a trainee's record on one component.
type ComponentProgress struct {
	Component string             `json:"component"`
	Passed    int                `json:"passed"` // scenarios passed
	Total     int                `json:"total"`
	Scenarios []ScenarioProgress `json:"scenarios"`
	// Missed are the rules the trainee's marked answers on the component's
	// scenarios got wrong, most often first (at most MaxMissed).
	Missed []MissedRule `json:"missed"`
}

// MaxMissed is how many missed rules a component lists.
const MaxMissed = 5

// MissedRule is a rule cited by marked answers found wrong, with how often,
// and the module that teaches it (the module of the scenario last missed on).
type MissedRule struct {
	Rule   string `json:"rule"`
	Count  int    `json:"count"`
	Module string `json:"module,omitempty"`
}

// ModuleProgress is a module with the trainee's completion.
type ModuleProgress struct {
	Module    string   `json:"module"`
	Title     string   `json:"title"`
	Component string   `json:"component"`
	Completed bool     `json:"completed"`
	Passed    int      `json:"passed"`
	Total     int      `json:"total"`
	Remaining []string `json:"remaining"`
}

// Progress is GET /candidates/{id}/progress.
type Progress struct {
	CandidateID string              `json:"candidate_id"`
	Components  []ComponentProgress `json:"components"`
	Modules     []ModuleProgress    `json:"modules"`
}

// record is what progress reads of a trainee's attempts, by scenario.
type record struct {
	best     map[string]scenario.Best
	progress map[string]*ScenarioProgress
	missed   map[string]map[string]*MissedRule // scenario id → rule → count
}

func (s *Service) record(ctx context.Context, actor auth.User, candidateID string, withMissed bool) (record, error) {
	var rows []Attempt
	cols := []string{"id", "candidate_id", "scenario_id", "component", "mode", "status", "submitted_at", "percent", "passed"}
	if withMissed {
		cols = append(cols, "result")
	}
	err := s.db.WithContext(ctx).Select(cols).Where("candidate_id = ? AND status NOT IN ?", candidateID, []string{InProgress, Abandoned}).
		Order("submitted_at, id").Find(&rows).Error
	if err != nil {
		return record{}, fmt.Errorf("progress %s: %w", candidateID, err)
	}
	r := record{best: map[string]scenario.Best{}, progress: map[string]*ScenarioProgress{}, missed: map[string]map[string]*MissedRule{}}
	for i := range rows {
		a := &rows[i]
		p := r.progress[a.ScenarioID]
		if p == nil {
			p = &ScenarioProgress{Scenario: a.ScenarioID}
			r.progress[a.ScenarioID] = p
		}
		p.Attempts++
		hidden, _, err := s.hidden(ctx, actor, a)
		if err != nil {
			return record{}, err
		}
		switch {
		case hidden:
		case a.Status == PendingReview:
			p.PendingReview++
		default:
			pct := a.Percent
			p.Last, p.LastAt = &pct, a.SubmittedAt
			if p.Best == nil || pct > *p.Best {
				b := pct
				p.Best = &b
			}
			p.Passed = p.Passed || a.Passed
			// The module rule reads the best passing result when there is one.
			if b, ok := r.best[a.ScenarioID]; !ok || better(scenario.Best{Percent: pct, Passed: a.Passed}, b) {
				r.best[a.ScenarioID] = scenario.Best{Percent: pct, Passed: a.Passed}
			}
			if withMissed {
				r.countMissed(a)
			}
		}
	}
	return r, nil
}

// countMissed counts the rules of the items a marked attempt got wrong.
func (r *record) countMissed(a *Attempt) {
	res := a.result()
	if res == nil {
		return
	}
	m := r.missed[a.ScenarioID]
	if m == nil {
		m = map[string]*MissedRule{}
		r.missed[a.ScenarioID] = m
	}
	for _, it := range res.Items {
		if it.Correct || it.Pending {
			continue
		}
		for _, rule := range strings.Split(it.Rule, " ; ") {
			if rule = strings.TrimSpace(rule); rule == "" {
				continue
			}
			if m[rule] == nil {
				m[rule] = &MissedRule{Rule: rule}
			}
			m[rule].Count++
		}
	}
}

// TopMissed adds up the rules missed on the scenarios, most often first (at
// most MaxMissed), each with the module of a scenario it was missed on.
func TopMissed(scenarios []ScenarioProgress) []MissedRule {
	sum := map[string]*MissedRule{}
	for _, sp := range scenarios {
		for _, m := range sp.Missed {
			if sum[m.Rule] == nil {
				sum[m.Rule] = &MissedRule{Rule: m.Rule}
			}
			sum[m.Rule].Count += m.Count
			if m.Module != "" {
				sum[m.Rule].Module = m.Module
			}
		}
	}
	out := make([]MissedRule, 0, len(sum))
	for _, m := range sum {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Rule < out[j].Rule
	})
	if len(out) > MaxMissed {
		out = out[:MaxMissed]
	}
	return out
}

// Progress is a trainee's record per component, and their modules'
// completion, as the trainee and their trainers see it.
func (s *Service) Progress(ctx context.Context, actor auth.User, candidateID string) (Progress, error) {
	if err := s.visibleCandidate(ctx, s.db, actor, candidateID); err != nil {
		return Progress{}, err
	}
	rec, err := s.record(ctx, actor, candidateID, true)
	if err != nil {
		return Progress{}, err
	}
	out := Progress{CandidateID: candidateID, Components: []ComponentProgress{}, Modules: []ModuleProgress{}}
	ix := s.index()
	for _, comp := range scenario.Components {
		cp := ComponentProgress{Component: comp, Scenarios: []ScenarioProgress{}}
		for _, id := range ix.comps[comp] {
			sc, _ := s.scenario(id)
			sp := ScenarioProgress{Scenario: id}
			if p := rec.progress[id]; p != nil {
				sp = *p
			}
			sp.Title, sp.PassMark, sp.Missed = sc.Title, sc.Mark(), nil
			for _, m := range rec.missed[id] {
				m.Module = ix.moduleOf[id]
				sp.Missed = append(sp.Missed, *m)
			}
			sort.Slice(sp.Missed, func(i, j int) bool { return sp.Missed[i].Rule < sp.Missed[j].Rule })
			cp.Scenarios = append(cp.Scenarios, sp)
			cp.Total++
			if sp.Passed {
				cp.Passed++
			}
		}
		cp.Missed = TopMissed(cp.Scenarios)
		out.Components = append(out.Components, cp)
	}
	for _, m := range ix.cat.Modules {
		out.Modules = append(out.Modules, moduleProgress(m, rec.best))
	}
	return out, nil
}

func moduleProgress(m scenario.Module, best map[string]scenario.Best) ModuleProgress {
	st := m.Status(best)
	return ModuleProgress{Module: m.ID, Title: m.Title, Component: m.Component, Completed: st.Completed,
		Passed: st.Passed, Total: st.Total, Remaining: st.Remaining}
}

// visibleCandidate is nil when the candidate exists and actor may see them.
func (s *Service) visibleCandidate(ctx context.Context, db *gorm.DB, actor auth.User, candidateID string) error {
	ok, err := s.vis.CanSee(ctx, actor, candidateID)
	if err != nil {
		return err
	}
	if ok {
		if ok, err = candidates.Exists(db.WithContext(ctx), candidateID); err != nil {
			return fmt.Errorf("candidate %s: %w", candidateID, err)
		}
	}
	if !ok {
		return candidateNotFound()
	}
	return nil
}

// ModuleView is a module as listed: its course, its scenarios in order, its
// completion rule and, for a trainee (or a trainee a trainer names), the
// trainee's completion.
type ModuleView struct {
	ID            string              `json:"id"`
	Certification string              `json:"certification"`
	Component     string              `json:"component"`
	Title         string              `json:"title"`
	Order         int                 `json:"order"`
	Course        string              `json:"course"` // Markdown
	Scenarios     []ScenarioEntry     `json:"scenarios"`
	Completion    scenario.Completion `json:"completion"`
	Progress      *ModuleProgress     `json:"progress,omitempty"`
}

// Modules lists the training modules; with a candidate (the caller when a
// trainee, or candidateID for staff), each carries the trainee's completion.
func (s *Service) Modules(ctx context.Context, actor auth.User, candidateID string) ([]ModuleView, error) {
	if actor.Role == auth.RoleCandidate && actor.CandidateID != nil && candidateID == "" {
		candidateID = *actor.CandidateID
	}
	var rec *record
	if candidateID != "" {
		if err := s.visibleCandidate(ctx, s.db, actor, candidateID); err != nil {
			return nil, err
		}
		r, err := s.record(ctx, actor, candidateID, false)
		if err != nil {
			return nil, err
		}
		rec = &r
	}
	ix := s.index()
	out := make([]ModuleView, 0, len(ix.cat.Modules))
	for _, m := range ix.cat.Modules {
		mv := ModuleView{ID: m.ID, Certification: m.Certification, Component: m.Component, Title: m.Title, Order: m.Order,
			Course: m.Course, Scenarios: []ScenarioEntry{}, Completion: m.Completion}
		if mv.Completion.Rule == "" {
			mv.Completion.Rule = "all_passed"
		}
		if mv.Completion.MinPercent == 0 {
			mv.Completion.MinPercent = scenario.DefaultPassMark
		}
		for _, id := range m.Scenarios {
			if i, ok := ix.byID[id]; ok {
				mv.Scenarios = append(mv.Scenarios, ix.entries[i])
			}
		}
		if rec != nil {
			p := moduleProgress(m, rec.best)
			mv.Progress = &p
		}
		out = append(out, mv)
	}
	return out, nil
}

// Module returns one module (404 when unknown).
func (s *Service) Module(ctx context.Context, actor auth.User, id, candidateID string) (ModuleView, error) {
	ms, err := s.Modules(ctx, actor, candidateID)
	if err != nil {
		return ModuleView{}, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return ModuleView{}, httpx.NotFound("Module introuvable.", "Module not found.")
}

// Scenarios is the catalogue.
func (s *Service) Scenarios() []ScenarioEntry { return s.index().entries }

// ScenarioView is one scenario as a trainee would see it on its base case:
// never a key.
func (s *Service) ScenarioView(id string) (scenario.View, error) {
	v, ok := s.index().base[id]
	if !ok {
		return scenario.View{}, scenarioNotFound()
	}
	return v, nil
}
