package candidates

import (
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// What other features read and write of the candidates' tables goes
// through the functions of this file, never through the table names: the
// training, VAE, jury and certificates features call them inside their own
// transactions (tx), so that a check and the write it guards stay atomic.
// Access rules stay with the caller: these functions do not ask who is
// asking.

// Load reads one candidate record; a missing one is a 404 problem.
func Load(tx *gorm.DB, id string) (Candidate, error) {
	var c Candidate
	err := tx.Where("id = ?", id).Take(&c).Error
	if database.IsNotFound(err) {
		return c, notFound()
	}
	if err != nil {
		return c, fmt.Errorf("candidate %s: %w", id, err)
	}
	return c, nil
}

// Lock takes the candidate's row lock until tx ends, so that two
// transactions judging the same candidate's requests run one after the
// other. SQLite's single writer already serialises them.
func Lock(tx *gorm.DB, id string) error {
	if database.IsSQLite(tx) {
		return nil
	}
	if err := tx.Exec("SELECT id FROM candidates WHERE id = ? FOR UPDATE", id).Error; err != nil {
		return fmt.Errorf("lock candidate %s: %w", id, err)
	}
	return nil
}

// Names maps candidate ids to their full names ("Prénom Nom").
func Names(tx *gorm.DB, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct{ ID, FirstName, LastName string }
	if err := tx.Model(&Candidate{}).Select("id, first_name, last_name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("candidate names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = strings.TrimSpace(r.FirstName + " " + r.LastName)
	}
	return out, nil
}

// Enrolled tells whether a candidate has an enrollment in a certification
// that was not withdrawn: an active one, or a completed one (training
// finished, the jury still to come). A withdrawn candidate has left.
func Enrolled(tx *gorm.DB, candidateID, certification string) (bool, error) {
	var n int64
	err := tx.Model(&Enrollment{}).
		Where("candidate_id = ? AND certification = ? AND status <> ?", candidateID, certification, EnrollmentWithdrawn).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("enrollment of %s: %w", candidateID, err)
	}
	return n > 0, nil
}

// Brief is what a list offering candidates shows of each.
type Brief struct {
	ID        string `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Employer  string `json:"employer"`
}

// EnrolledIn lists, by name, the candidates enrolled (not withdrawn) in a
// certification and not pseudonymised, leaving out the ids of the
// sub-query except (may be nil); at most limit.
func EnrolledIn(tx *gorm.DB, certification string, except *gorm.DB, limit int) ([]Brief, error) {
	enrolled := tx.Session(&gorm.Session{NewDB: true}).Model(&Enrollment{}).Select("candidate_id").
		Where("certification = ? AND status <> ?", certification, EnrollmentWithdrawn)
	q := tx.Model(&Candidate{}).Select("id, first_name, last_name, employer").
		Where("id IN (?) AND pseudonymised_at IS NULL", enrolled)
	if except != nil {
		q = q.Where("id NOT IN (?)", except)
	}
	out := []Brief{}
	if err := q.Order("last_name, first_name, id").Limit(limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("candidates enrolled in %s: %w", certification, err)
	}
	return out, nil
}

// DecidedSince tells whether a jury decided on a candidate's component at
// or after a moment (an exam's result is released by the deliberation that
// follows it).
func DecidedSince(tx *gorm.DB, candidateID, component string, since time.Time) (bool, error) {
	var n int64
	err := tx.Model(&Decision{}).
		Where("candidate_id = ? AND component = ? AND created_at >= ?", candidateID, component, since).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("decisions of %s on %s: %w", candidateID, component, err)
	}
	return n > 0, nil
}

// InForce is the decisions of a candidate for a certification that
// certificates may rest on: final and not superseded.
func InForce(tx *gorm.DB, candidateID, certification string) ([]Decision, error) {
	var ds []Decision
	if err := tx.Where("candidate_id = ? AND certification = ? AND final = ? AND superseded_by IS NULL",
		candidateID, certification, true).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("decisions of %s: %w", candidateID, err)
	}
	return ds, nil
}

// Record writes a jury's decisions (new rows: the ledger is append-only).
func Record(tx *gorm.DB, ds []Decision) error {
	if len(ds) == 0 {
		return nil
	}
	if err := tx.Create(&ds).Error; err != nil {
		return fmt.Errorf("write decisions: %w", err)
	}
	return nil
}

// OfJury lists a jury's decisions, oldest first; deliberated keeps those
// taken in a deliberation and not superseded (what the minutes announce).
func OfJury(tx *gorm.DB, juryID string, deliberated bool) ([]Decision, error) {
	q := tx.Where("jury_id = ?", juryID)
	order := "created_at, id"
	if deliberated {
		q, order = q.Where("deliberation_id IS NOT NULL AND superseded_by IS NULL"), "candidate_id, component"
	}
	var ds []Decision
	if err := q.Order(order).Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("decisions of jury %s: %w", juryID, err)
	}
	return ds, nil
}

// Finalise marks a jury's deliberated decisions final, once its minutes
// are signed: certificates may then be issued from them.
func Finalise(tx *gorm.DB, juryID string) error {
	if err := tx.Model(&Decision{}).Where("jury_id = ? AND deliberation_id IS NOT NULL", juryID).
		Update("final", true).Error; err != nil {
		return fmt.Errorf("finalise decisions of jury %s: %w", juryID, err)
	}
	return nil
}

// Correcting is a correction of a signed decision: the jury, the
// candidate's component, the new outcome and its reason, who and when.
type Correcting struct {
	JuryID, CandidateID, Component string
	Outcome, Reason, By            string
	On                             civil.Date
	At                             time.Time
}

// Correct replaces the decision a jury took on a candidate's component by a
// final one with its reason, and marks the old one superseded: the ledger
// keeps both. ok is false when the jury took no such decision; a decision
// corrected by someone else in the meantime is a 409 problem.
func Correct(tx *gorm.DB, c Correcting) (old, out Decision, ok bool, err error) {
	err = tx.Where("jury_id = ? AND candidate_id = ? AND component = ? AND superseded_by IS NULL",
		c.JuryID, c.CandidateID, c.Component).Order("created_at DESC, id DESC").Take(&old).Error
	if database.IsNotFound(err) {
		return old, out, false, nil
	}
	if err != nil {
		return old, out, false, fmt.Errorf("decision in force: %w", err)
	}
	oldID, jid := old.ID, c.JuryID
	out = Decision{ID: database.NewID(), CandidateID: old.CandidateID, Certification: old.Certification,
		Component: old.Component, Outcome: c.Outcome, DecidedOn: c.On, Reason: strings.TrimSpace(c.Reason),
		JuryID: &jid, DeliberationID: old.DeliberationID, SupersedesID: &oldID, Final: true, CreatedBy: c.By, CreatedAt: c.At}
	if err := tx.Create(&out).Error; err != nil {
		return old, out, false, fmt.Errorf("write correction: %w", err)
	}
	res := tx.Model(&Decision{}).Where("id = ? AND superseded_by IS NULL", old.ID).Update("superseded_by", out.ID)
	if res.Error != nil {
		return old, out, false, fmt.Errorf("supersede decision: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return old, out, false, httpx.Conflict("conflict", "Cette décision vient d'être corrigée.", "This decision has just been corrected.")
	}
	return old, out, true, nil
}

// LoadMany reads candidate records by id (those that exist).
func LoadMany(tx *gorm.DB, ids []string) (map[string]Candidate, error) {
	out := make(map[string]Candidate, len(ids))
	for start := 0; start < len(ids); start += 500 {
		var cs []Candidate
		if err := tx.Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&cs).Error; err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		for _, c := range cs {
			out[c.ID] = c
		}
	}
	return out, nil
}

// Pathways maps candidates to the pathway of their enrollment in a
// certification: the latest not withdrawn, else the latest.
func Pathways(tx *gorm.DB, ids []string, certification string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += 500 {
		var es []Enrollment
		if err := tx.Where("candidate_id IN ? AND certification = ?", ids[start:min(start+500, len(ids))], certification).
			Order("enrolled_on, id").Find(&es).Error; err != nil {
			return nil, fmt.Errorf("enrollments: %w", err)
		}
		withdrawn := map[string]bool{}
		for _, e := range es { // oldest first: the latest wins, a withdrawal only over another withdrawal
			if _, seen := out[e.CandidateID]; seen && e.Status == EnrollmentWithdrawn && !withdrawn[e.CandidateID] {
				continue
			}
			out[e.CandidateID], withdrawn[e.CandidateID] = e.Pathway, e.Status == EnrollmentWithdrawn
		}
	}
	return out, nil
}

// JoinHolder joins to tx, whose rows name a candidate in idColumn, that
// candidate's record under alias: alias.first_name and alias.last_name may
// then be selected, and MatchHolder filters on it.
func JoinHolder(tx *gorm.DB, alias, idColumn string) *gorm.DB {
	return tx.Joins(fmt.Sprintf("JOIN candidates %s ON %s.id = %s", alias, alias, idColumn))
}

// MatchHolder keeps the rows whose joined candidate (JoinHolder's alias)
// matches q as the candidates' search does.
func MatchHolder(tx *gorm.DB, alias, q string) *gorm.DB { return matchText(tx, alias+".search", q) }
