package jury

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// writer says who may write on a jury through loadForWrite.
type writer int

const (
	// byAdmin: the route already admits administrators only.
	byAdmin writer = iota
	// byPanel: an administrator, or a member of the jury with the jury role.
	byPanel
	// byPresident: an administrator, or the jury's president.
	byPresident
	// byMember: a member of the jury with the jury role (scoring).
	byMember
)

// loadForWrite opens a write on a jury, inside its transaction: the jury
// row locked (every write on one jury is serialised behind it), its
// members, the caller's right to write, and the refusal of a jury whose
// minutes are signed or being signed.
func loadForWrite(tx *gorm.DB, actor auth.User, juryID string, who writer) (Jury, []Member, error) {
	j, ms, err := lockForWrite(tx, actor, juryID, who)
	if err != nil {
		return j, ms, err
	}
	return j, ms, writable(j)
}

// lockForWrite is loadForWrite for the one write that goes on once the
// minutes are final: countersigning them.
func lockForWrite(tx *gorm.DB, actor auth.User, juryID string, who writer) (Jury, []Member, error) {
	j, err := lockJury(tx, juryID)
	if err != nil {
		return j, nil, err
	}
	ms, err := loadMembers(tx, juryID)
	if err != nil {
		return j, nil, err
	}
	if who == byAdmin || (actor.Role == auth.RoleAdmin && who != byMember) {
		return j, ms, nil
	}
	if _, ok := memberOf(ms, actor.ID); !ok || actor.Role != auth.RoleJury {
		return j, ms, errNotMember()
	}
	if who == byPresident && actor.ID != j.PresidentID {
		return j, ms, httpx.Forbidden("Seul le président du jury peut faire cela.", "Only the jury's president may do this.")
	}
	return j, ms, nil
}

// ScoreSheet is what a member needs to score one candidate on one
// component, read once: the jury, its members, the candidate's assignment
// and exclusions, the grid, and the member's current evaluation.
type ScoreSheet struct {
	Jury          Jury
	Members       []Member
	Assignment    Assignment
	CandidateName string
	Exclusions    []Exclusion
	Component     string
	Criteria      []Criterion
	// Evaluation is the member's scores on the component; nil before the
	// first save.
	Evaluation *Evaluation
	candidate  candidates.Candidate
}

// Frozen tells whether the scores can no longer change: the deliberation
// on the candidate is open, or the minutes are signed or being signed.
func (sh ScoreSheet) Frozen() bool {
	return sh.Assignment.OpenedAt != nil || sh.Jury.Final() || sh.Jury.SigningStartedAt != nil
}

// ScoreSheet reads what the scoring page shows a member: 403 to a user
// outside the jury or in conflict with the candidate, 404 for a
// candidate not assigned, then the component's checks as Grid makes them.
func (s *Service) ScoreSheet(ctx context.Context, actor auth.User, juryID, candidateID, component string) (ScoreSheet, error) {
	db := s.db.WithContext(ctx)
	j, ms, err := loadJury(db, juryID)
	if err != nil {
		return ScoreSheet{}, err
	}
	if _, ok := memberOf(ms, actor.ID); !ok || actor.Role != auth.RoleJury {
		return ScoreSheet{}, errNotMember()
	}
	sh, err := s.readSheet(db, actor, j, ms, candidateID, component)
	if err != nil {
		return sh, err
	}
	if err := s.checkComponent(j, component, "component"); err != nil {
		return sh, err
	}
	if _, ok := s.grids[component]; !ok {
		return sh, errNoGrid()
	}
	return sh, nil
}

func errNoGrid() error {
	return httpx.NotFound("Aucune grille d'évaluation pour ce bloc.", "No evaluation grid for this component.")
}

// readSheet reads a member's sheet for a jury already loaded: the
// exclusions first (a member in conflict is refused before anything else
// is said about the candidate), then the assignment, the candidate and the
// member's evaluation.
func (s *Service) readSheet(db *gorm.DB, actor auth.User, j Jury, ms []Member, candidateID, component string) (ScoreSheet, error) {
	sh := ScoreSheet{Jury: j, Members: ms, Component: component}
	var excluded map[string]bool
	var err error
	if sh.Exclusions, excluded, err = exclusionsOf(db, j.ID, candidateID); err != nil {
		return ScoreSheet{}, err
	}
	if excluded[actor.ID] {
		return ScoreSheet{}, errInConflict()
	}
	if sh.Assignment, err = loadAssignment(db, j.ID, candidateID); err != nil {
		return ScoreSheet{}, err
	}
	if sh.candidate, err = loadCandidate(db, candidateID); err != nil {
		return ScoreSheet{}, err
	}
	sh.CandidateName = sh.candidate.FullName()
	if g, ok := s.grids[component]; ok {
		sh.Criteria = g.Criteria("")
	}
	var evs []Evaluation
	if err := db.Where("jury_id = ? AND candidate_id = ? AND component = ? AND member_id = ?",
		j.ID, candidateID, component, actor.ID).Limit(1).Find(&evs).Error; err != nil {
		return ScoreSheet{}, fmt.Errorf("read evaluation: %w", err)
	}
	if len(evs) > 0 {
		sh.Evaluation = &evs[0]
	}
	return sh, nil
}

// loadJury reads a jury and its members, without a lock.
func loadJury(db *gorm.DB, id string) (Jury, []Member, error) {
	var j Jury
	err := db.Where("id = ?", id).Take(&j).Error
	if database.IsNotFound(err) {
		return j, nil, errJuryNotFound()
	}
	if err != nil {
		return j, nil, fmt.Errorf("get jury %s: %w", id, err)
	}
	ms, err := loadMembers(db, id)
	if err != nil {
		return j, nil, err
	}
	return j, ms, nil
}
