package jury

import (
	"context"
	"fmt"
	"github.com/ancr/cqp/internal/training"
	"strings"

	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// NewEvaluation is the body of POST /juries/{id}/evaluations. Version is
// the version read before changing an evaluation already given; it is
// left out the first time.
type NewEvaluation struct {
	CandidateID string       `json:"candidate_id" validate:"required,max=36"`
	Component   string       `json:"component" validate:"required,max=20"`
	Scores      []LevelScore `json:"scores" validate:"required,min=1,max=100,dive"`
	Comment     string       `json:"comment" validate:"max=5000"`
	Version     *int         `json:"version" validate:"omitempty,min=1"`
}

// Grid returns the criteria members score for one component of the
// jury's certification.
func (s *Service) Grid(ctx context.Context, actor auth.User, juryID, component string) ([]Criterion, error) {
	j, _, err := s.readAccess(ctx, actor, juryID)
	if err != nil {
		return nil, err
	}
	if err := s.checkComponent(j, component, "component"); err != nil {
		return nil, err
	}
	g, ok := s.grids[component]
	if !ok {
		return nil, errNoGrid()
	}
	return g.Criteria(""), nil
}

// checkComponent refuses a component outside the jury's certification.
func (s *Service) checkComponent(j Jury, component, field string) error {
	c, err := s.certification(j.Certification)
	if err != nil {
		return err
	}
	for _, comp := range c.Components {
		if comp.Code == component {
			return nil
		}
	}
	return httpx.Invalid(httpx.Field(field, "Ce bloc n'appartient pas à la certification du jury.",
		"This component does not belong to the jury's certification."))
}

// Gate answers 403 to a user outside the jury, or in conflict with the
// candidate when one is given: handlers call it before reading the body.
func (s *Service) Gate(ctx context.Context, actor auth.User, juryID, candidateID string) error {
	return s.memberGate(ctx, actor, juryID, candidateID)
}

// Evaluate records or changes the caller's scores for one candidate on one
// component. Scores freeze when the deliberation on the candidate opens.
// created tells whether the evaluation is new.
func (s *Service) Evaluate(ctx context.Context, actor auth.User, juryID string, in NewEvaluation) (ev Evaluation, created bool, err error) {
	_, ev, created, err = s.SaveScores(ctx, actor, juryID, in)
	return ev, created, err
}

// SaveScores is Evaluate that also returns the sheet the write read (its
// Evaluation the one saved), so that the scoring page answers without
// reading it again.
func (s *Service) SaveScores(ctx context.Context, actor auth.User, juryID string, in NewEvaluation) (sh ScoreSheet, ev Evaluation, created bool, err error) {
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, juryID, byMember)
		if err != nil {
			return err
		}
		if sh, err = s.readSheet(tx, actor, j, ms, in.CandidateID, in.Component); err != nil {
			return err
		}
		// A tie may have appeared since the assignment (a VAE support
		// person named later): checked afresh, without rewriting the
		// exclusions (the deliberation does that).
		cs, err := s.conflictsFor(tx, j, ms, sh.candidate)
		if err != nil {
			return err
		}
		if Excluded(cs)[actor.ID] {
			return errInConflict()
		}
		if sh.Assignment.OpenedAt != nil {
			return httpx.Conflict("scores_frozen", "La délibération sur ce candidat est ouverte : les notes ne peuvent plus changer.",
				"The deliberation on this candidate is open: scores can no longer change.")
		}
		if err := s.checkComponent(j, in.Component, "component"); err != nil {
			return err
		}
		if err := s.checkScores(in.Component, in.Scores); err != nil {
			return err
		}
		now := s.now().UTC()
		old := sh.Evaluation
		if old == nil {
			if in.Version != nil {
				return errStale()
			}
			ev = Evaluation{ID: database.NewID(), JuryID: juryID, CandidateID: in.CandidateID, Component: in.Component,
				MemberID: actor.ID, Scores: in.Scores, Comment: strings.TrimSpace(in.Comment), Version: 1,
				CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&ev).Error; err != nil {
				if database.IsDuplicate(err) {
					return errStale()
				}
				return fmt.Errorf("create evaluation: %w", err)
			}
			created = true
		} else {
			if in.Version == nil || *in.Version != old.Version {
				return errStale()
			}
			ev = *old
			ev.Scores, ev.Comment, ev.Version, ev.UpdatedAt = in.Scores, strings.TrimSpace(in.Comment), old.Version+1, now
			// The version in the WHERE clause is what makes a lost update
			// impossible even without the jury's lock.
			res := tx.Model(&Evaluation{}).Where("id = ? AND version = ?", old.ID, old.Version).
				Updates(map[string]any{"scores": ev.Scores, "comment": ev.Comment, "version": ev.Version, "updated_at": now})
			if res.Error != nil {
				return fmt.Errorf("update evaluation: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return errStale()
			}
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		sh.Jury = j
		e := audit.Event{ActorID: actor.ID, Action: "jury.evaluate", Entity: "jury_evaluation", EntityID: ev.ID, After: ev}
		if !created {
			e.Before = *old
		}
		return audit.Record(tx, now, e)
	})
	if err != nil {
		return ScoreSheet{}, Evaluation{}, false, err
	}
	sh.Evaluation = &ev
	return sh, ev, created, nil
}

func errStale() error {
	return httpx.Conflict("version_conflict",
		"Ces notes ont changé depuis votre lecture : relisez-les (version actuelle) avant de les modifier.",
		"These scores changed since you read them: read them again (current version) before changing them.")
}

// checkScores accepts levels on the component's grid criteria, each once.
func (s *Service) checkScores(component string, scores []LevelScore) error {
	known := map[string]bool{}
	for _, c := range s.grids[component].Criteria("") {
		known[c.Code] = true
	}
	seen := map[string]bool{}
	var fields []httpx.FieldError
	for i, sc := range scores {
		path := fmt.Sprintf("scores[%d].criterion", i)
		switch {
		case !known[sc.Criterion]:
			fields = append(fields, httpx.Field(path, "Critère absent de la grille de ce bloc.", "Criterion not on this component's grid."))
		case seen[sc.Criterion]:
			fields = append(fields, httpx.Field(path, "Critère noté deux fois.", "Criterion scored twice."))
		}
		seen[sc.Criterion] = true
	}
	if len(fields) > 0 {
		return httpx.Invalid(fields...)
	}
	return nil
}

func loadAssignment(tx *gorm.DB, juryID, candidateID string) (Assignment, error) {
	var a Assignment
	err := tx.Where("jury_id = ? AND candidate_id = ?", juryID, candidateID).Take(&a).Error
	if database.IsNotFound(err) {
		return a, errCandidateNotAssigned()
	}
	if err != nil {
		return a, fmt.Errorf("assignment: %w", err)
	}
	return a, nil
}

// Evaluations lists the scores of one candidate the caller may see: a
// member sees only their own until the deliberation opens, an
// administrator sees all.
func (s *Service) Evaluations(ctx context.Context, actor auth.User, juryID, candidateID string) ([]Evaluation, error) {
	if actor.Role != auth.RoleAdmin {
		if err := s.memberGate(ctx, actor, juryID, candidateID); err != nil {
			return nil, err
		}
	} else if _, _, err := s.readAccess(ctx, actor, juryID); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	a, err := loadAssignment(db, juryID, candidateID)
	if err != nil {
		return nil, err
	}
	q := db.Where("jury_id = ? AND candidate_id = ?", juryID, candidateID)
	if actor.Role != auth.RoleAdmin && a.OpenedAt == nil {
		q = q.Where("member_id = ?", actor.ID)
	}
	out := []Evaluation{}
	if err := q.Order("component, member_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("evaluations: %w", err)
	}
	return out, nil
}

// OpenDeliberation opens the deliberation on a candidate: scores freeze
// and members see each other's. The president or an administrator opens it.
func (s *Service) OpenDeliberation(ctx context.Context, actor auth.User, juryID, candidateID string) (Assignment, error) {
	var a Assignment
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, _, err := loadForWrite(tx, actor, juryID, byPresident)
		if err != nil {
			return err
		}
		if s.today().Before(j.SessionDate) {
			return errBeforeSession(j.SessionDate)
		}
		if a, err = loadAssignment(tx, juryID, candidateID); err != nil {
			return err
		}
		if a.OpenedAt != nil {
			return nil
		}
		now := s.now().UTC()
		a.OpenedAt, a.UpdatedAt = &now, now
		if err := tx.Model(&Assignment{}).Where("id = ?", a.ID).
			Updates(map[string]any{"opened_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("open deliberation: %w", err)
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.deliberation.open", Entity: "jury",
			EntityID: juryID, After: a})
	})
	return a, err
}

// MemberScores is one member's scores on a component, in the side-by-side view.
type MemberScores struct {
	UserID  string       `json:"user_id"`
	Name    string       `json:"name"`
	Scores  []LevelScore `json:"scores"`
	Comment string       `json:"comment"`
}

// ComponentScores is one component of the side-by-side view.
type ComponentScores struct {
	Component string         `json:"component"`
	Members   []MemberScores `json:"members"`
	Spreads   []Spread       `json:"spreads"`
	Flagged   []string       `json:"flagged_criteria"`
	// Suggested is the outcome the scores suggest (Suggest): validated,
	// not_validated, discuss, or empty before any score.
	Suggested string          `json:"suggested_outcome"`
	Pairs     []PairAgreement `json:"agreement_pairs"`
	Kappa     *float64        `json:"kappa_mean"`
}

// ScoresView is what the jury looks at when it deliberates on a candidate.
type ScoresView struct {
	CandidateID string                   `json:"candidate_id"`
	OpenedAt    any                      `json:"deliberation_opened_at"`
	Exclusions  []Exclusion              `json:"exclusions"`
	Components  []ComponentScores        `json:"components"`
	AttemptID   *string                  `json:"exam_attempt_id"`
	Attempt     *training.AttemptSummary `json:"exam_attempt,omitempty"`
}

// Scores returns the members' scores side by side with their spread. A
// member sees them once the deliberation is open; an administrator always.
func (s *Service) Scores(ctx context.Context, actor auth.User, juryID, candidateID string) (ScoresView, error) {
	var v ScoresView
	j, ms, err := s.readAccess(ctx, actor, juryID)
	if err != nil {
		if actor.Role == auth.RoleJury {
			return v, errNotMember()
		}
		return v, err
	}
	db := s.db.WithContext(ctx)
	if actor.Role != auth.RoleAdmin {
		if err := s.memberGate(ctx, actor, juryID, candidateID); err != nil {
			return v, err
		}
	}
	a, err := loadAssignment(db, juryID, candidateID)
	if err != nil {
		return v, err
	}
	if actor.Role != auth.RoleAdmin && a.OpenedAt == nil {
		return v, httpx.Forbidden("Les notes des autres membres restent cachées jusqu'à l'ouverture de la délibération.",
			"The other members' scores stay hidden until the deliberation opens.")
	}
	exs, _, err := exclusionsOf(db, juryID, candidateID)
	if err != nil {
		return v, err
	}
	var evs []Evaluation
	if err := db.Where("jury_id = ? AND candidate_id = ?", juryID, candidateID).Order("component, member_id").Find(&evs).Error; err != nil {
		return v, fmt.Errorf("evaluations: %w", err)
	}
	v = ScoresView{CandidateID: candidateID, Exclusions: exs, Components: []ComponentScores{}, AttemptID: a.ExamAttemptID}
	if a.OpenedAt != nil {
		v.OpenedAt = a.OpenedAt
	}
	if a.ExamAttemptID != nil && s.attemptSummary != nil {
		if sum, err := s.attemptSummary(ctx, *a.ExamAttemptID); err == nil {
			v.Attempt = &sum
		}
	}
	c, err := s.certification(j.Certification)
	if err != nil {
		return v, err
	}
	names := map[string]string{}
	for _, m := range ms {
		names[m.UserID] = m.Name
	}
	for _, comp := range c.Components {
		cs := ComponentScores{Component: comp.Code, Members: []MemberScores{}, Flagged: []string{}}
		var all []Score
		levels := map[string]map[string]int{}
		for _, e := range evs {
			if e.Component != comp.Code {
				continue
			}
			cs.Members = append(cs.Members, MemberScores{UserID: e.MemberID, Name: names[e.MemberID], Scores: e.Scores, Comment: e.Comment})
			levels[e.MemberID] = map[string]int{}
			for _, sc := range e.Scores {
				all = append(all, Score{Member: e.MemberID, Criterion: sc.Criterion, Level: sc.Level})
				levels[e.MemberID][sc.Criterion] = sc.Level
			}
		}
		cs.Spreads = Spreads(all)
		cs.Suggested = Suggest(cs.Spreads)
		for _, sp := range cs.Spreads {
			if sp.Flagged {
				cs.Flagged = append(cs.Flagged, sp.Criterion)
			}
		}
		cs.Pairs, cs.Kappa = Agreement(levels)
		if cs.Pairs == nil {
			cs.Pairs = []PairAgreement{}
		}
		v.Components = append(v.Components, cs)
	}
	return v, nil
}

// JuryAgreement is the per-jury agreement figure: Cohen's κ between each
// pair of members over every criterion both scored, all candidates taken
// together, and the mean over the pairs.
type JuryAgreement struct {
	Pairs []PairAgreement `json:"pairs"`
	Mean  *float64        `json:"kappa_mean"`
}

// Agreement computes the jury's agreement figure (administrators).
func (s *Service) Agreement(ctx context.Context, actor auth.User, juryID string) (JuryAgreement, error) {
	if _, _, err := s.readAccess(ctx, actor, juryID); err != nil {
		return JuryAgreement{}, err
	}
	var evs []Evaluation
	if err := s.db.WithContext(ctx).Where("jury_id = ?", juryID).Find(&evs).Error; err != nil {
		return JuryAgreement{}, fmt.Errorf("evaluations: %w", err)
	}
	levels := map[string]map[string]int{}
	for _, e := range evs {
		if levels[e.MemberID] == nil {
			levels[e.MemberID] = map[string]int{}
		}
		for _, sc := range e.Scores {
			levels[e.MemberID][e.CandidateID+"/"+sc.Criterion] = sc.Level
		}
	}
	pairs, mean := Agreement(levels)
	if pairs == nil {
		pairs = []PairAgreement{}
	}
	return JuryAgreement{Pairs: pairs, Mean: mean}, nil
}
