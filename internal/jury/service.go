package jury

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/training"
	"net/http"
	"strings"
	"time"

	"github.com/ancr/cqp/assessments/grids"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Certifications is what the jury needs from the referential.
type Certifications interface {
	Certification(code string) (referential.Certification, bool)
}

// AttemptSummaryFunc returns what the scores view shows of a trainee's
// attempt taken in exam mode (the training feature provides it). An
// httpx 404 problem means the attempt does not exist.
type AttemptSummaryFunc func(ctx context.Context, attemptID string) (training.AttemptSummary, error)

// SubmittedOnFunc tells when a candidate's VAE dossier for a certification
// was submitted (the VAE feature provides it); ok is false when there is
// no submitted dossier.
type SubmittedOnFunc func(ctx context.Context, candidateID, certification string) (civil.Date, bool, error)

// CandidateTies is what the conflict rule needs from the VAE feature: the
// support persons and the employers of a candidate's VAE requests. The
// composition root adapts the VAE service to it, so that this package
// never imports the VAE feature.
type CandidateTies interface {
	// Ties reads through tx, the jury's own transaction.
	Ties(tx *gorm.DB, candidateID string) ([]Tie, error)
}

// Options are the service's dependencies. Referential is required; the
// others may be nil (no exam attempts shown, no VAE deadlines, no VAE
// ties: conflicts then come from the candidate's record and the recorded
// links only).
type Options struct {
	DB             *gorm.DB
	Now            func() time.Time
	Referential    Certifications
	Grids          Grids // nil: the embedded assessments/grids
	AttemptSummary AttemptSummaryFunc
	SubmittedOn    SubmittedOnFunc
	Ties           CandidateTies
	// Outbox receives the convocations and results, written in the
	// transaction of the change that causes them; nil sends nothing.
	Outbox *messages.Outbox
}

// Service is the jury feature: rules and transactions over the store.
type Service struct {
	db             *gorm.DB
	now            func() time.Time
	ref            Certifications
	grids          Grids
	attemptSummary AttemptSummaryFunc
	submittedOn    SubmittedOnFunc
	ties           CandidateTies
	outbox         *messages.Outbox
}

// NewService builds the service and loads the evaluation grids.
func NewService(o Options) (*Service, error) {
	if o.DB == nil || o.Referential == nil {
		return nil, errors.New("jury: DB and Referential are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Grids == nil {
		g, err := LoadGrids(grids.FS)
		if err != nil {
			return nil, err
		}
		o.Grids = g
	}
	return &Service{db: o.DB, now: o.Now, ref: o.Referential, grids: o.Grids,
		attemptSummary: o.AttemptSummary, submittedOn: o.SubmittedOn, ties: o.Ties, outbox: o.Outbox}, nil
}

// Grids returns the loaded evaluation grids.
func (s *Service) Grids() Grids { return s.grids }

func (s *Service) today() civil.Date { return civil.Of(s.now().UTC()) }

// Problems of this feature.
var (
	errJuryNotFound = func() error { return httpx.NotFound("Jury introuvable.", "Jury not found.") }
	errFinal        = func() error {
		return httpx.Conflict("already_final",
			"Le procès-verbal est signé : les décisions de ce jury sont définitives.",
			"The minutes are signed: this jury's decisions are final.")
	}
	errSigning = func() error {
		return httpx.Conflict("conflict",
			"La signature du procès-verbal a commencé : le jury ne peut plus être modifié (un administrateur peut annuler les signatures).",
			"Signing of the minutes has started: the jury can no longer change (an administrator may reset the signatures).")
	}
	errNotMember = func() error {
		return httpx.Forbidden("Vous n'êtes pas membre de ce jury.", "You are not a member of this jury.")
	}
	errInConflict = func() error {
		return httpx.Forbidden("Vous êtes en conflit d'intérêts avec ce candidat : vous ne pouvez ni l'évaluer ni délibérer.",
			"You have a conflict of interest with this candidate: you may neither score nor deliberate.")
	}
	// errBeforeSession refuses a deliberation before the session date
	// (API contract: a deliberation before the session date → 422).
	errBeforeSession = func(session civil.Date) error {
		return httpx.Unprocessable("session_not_held",
			fmt.Sprintf("La session de ce jury a lieu le %s : aucune délibération ne peut être ouverte ni enregistrée avant cette date.", frenchDate(session)),
			fmt.Sprintf("This jury sits on %s: no deliberation may be opened or recorded before that date.", session))
	}
	errCandidateNotAssigned = func() error {
		return httpx.NotFound("Ce candidat n'est pas affecté à ce jury.", "This candidate is not assigned to this jury.")
	}
)

// compositionProblem is the 422 jury_composition answer for findings.
func compositionProblem(code, leadFR, leadEN string, fs []Finding) error {
	fr, en := make([]string, 0, len(fs)), make([]string, 0, len(fs))
	fields := make([]httpx.FieldError, 0, len(fs))
	for _, f := range fs {
		fr, en = append(fr, f.FR), append(en, f.EN)
		fields = append(fields, httpx.Field("members", f.FR, f.EN))
	}
	return httpx.Unprocessable(code, leadFR+" : "+strings.Join(fr, " ; ")+".", leadEN+": "+strings.Join(en, "; ")+".", fields...)
}

// rule returns the composition rule of a certification.
func (s *Service) rule(cert referential.Certification) Rule {
	jr := cert.JuryRule
	r, err := ParseRule(jr.MinMembers, jr.MinProfessionalRatio, jr.MinOrganisationRepresentatives)
	if err != nil {
		return DefaultRule
	}
	return r
}

func seatsOf(ms []Member) []Seat {
	out := make([]Seat, len(ms))
	for i, m := range ms {
		out[i] = Seat{UserID: m.UserID, Category: m.Category, Gender: m.Gender}
	}
	return out
}

func personsOf(ms []Member) []Person {
	out := make([]Person, len(ms))
	for i, m := range ms {
		out[i] = Person{UserID: m.UserID, Organisation: m.Organisation}
	}
	return out
}

func memberOf(ms []Member, userID string) (Member, bool) {
	for _, m := range ms {
		if m.UserID == userID {
			return m, true
		}
	}
	return Member{}, false
}

// lockJury reads the jury row FOR UPDATE (PostgreSQL; SQLite's immediate
// transaction already holds the one write lock): every write on a jury
// goes through it, so writes on one jury are serialised and none is lost.
func lockJury(tx *gorm.DB, id string) (Jury, error) {
	var j Jury
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&j).Error
	if database.IsNotFound(err) {
		return j, errJuryNotFound()
	}
	if err != nil {
		return j, fmt.Errorf("lock jury %s: %w", id, err)
	}
	return j, nil
}

// touch counts one more write on the jury.
func (s *Service) touch(tx *gorm.DB, j *Jury) error {
	j.Version++
	j.UpdatedAt = s.now().UTC()
	return tx.Model(&Jury{}).Where("id = ?", j.ID).
		Updates(map[string]any{"version": j.Version, "updated_at": j.UpdatedAt}).Error
}

func loadMembers(tx *gorm.DB, juryID string) ([]Member, error) {
	var ms []Member
	if err := tx.Where("jury_id = ?", juryID).Order("position, user_id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("members of jury %s: %w", juryID, err)
	}
	return ms, nil
}

// withGenders fills the members' genders from their accounts: read live,
// not copied onto the seat, so that a corrected account corrects the
// balance shown.
func withGenders(db *gorm.DB, ms []Member) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	var rows []struct{ ID, Gender string }
	if err := db.Model(&auth.User{}).Select("id, gender").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return fmt.Errorf("member genders: %w", err)
	}
	by := make(map[string]string, len(rows))
	for _, r := range rows {
		by[r.ID] = r.Gender
	}
	for i := range ms {
		ms[i].Gender = by[ms[i].UserID]
	}
	return nil
}

// writable refuses writes on a jury whose minutes are signed or being signed.
func writable(j Jury) error {
	if j.Final() {
		return errFinal()
	}
	if j.SigningStartedAt != nil {
		return errSigning()
	}
	return nil
}

// readAccess loads a jury the caller may read: administrators read every
// jury, jury users their own; anything else is "not found".
func (s *Service) readAccess(ctx context.Context, actor auth.User, id string) (Jury, []Member, error) {
	j, ms, err := loadJury(s.db.WithContext(ctx), id)
	if err != nil {
		return j, nil, err
	}
	if actor.Role == auth.RoleAdmin {
		return j, ms, nil
	}
	if _, ok := memberOf(ms, actor.ID); ok && actor.Role == auth.RoleJury {
		return j, ms, nil
	}
	return Jury{}, nil, errJuryNotFound()
}

// memberGate answers 403 to a user outside the jury, or in conflict with
// candidateID when given, before the request body is read (API contract):
// one statement, the jury, the caller's seat and their exclusions at once.
func (s *Service) memberGate(ctx context.Context, actor auth.User, juryID, candidateID string) error {
	var row struct {
		Jury     string
		Member   *string
		Excluded int64
	}
	err := s.db.WithContext(ctx).Table("juries").
		Select("juries.id AS jury, jury_members.user_id AS member, "+
			"(SELECT COUNT(*) FROM jury_exclusions e WHERE e.jury_id = juries.id AND e.candidate_id = ? AND e.user_id = ?) AS excluded",
			candidateID, actor.ID).
		Joins("LEFT JOIN jury_members ON jury_members.jury_id = juries.id AND jury_members.user_id = ?", actor.ID).
		Where("juries.id = ?", juryID).Limit(1).Scan(&row).Error
	if err != nil {
		return fmt.Errorf("jury gate: %w", err)
	}
	if row.Jury == "" {
		return errJuryNotFound()
	}
	if row.Member == nil || actor.Role != auth.RoleJury {
		return errNotMember()
	}
	if row.Excluded > 0 {
		return errInConflict()
	}
	return nil
}

// exclusionsOf returns the members excluded for a candidate in a jury.
func exclusionsOf(tx *gorm.DB, juryID, candidateID string) ([]Exclusion, map[string]bool, error) {
	var ex []Exclusion
	if err := tx.Where("jury_id = ? AND candidate_id = ?", juryID, candidateID).Order("user_id, reason").Find(&ex).Error; err != nil {
		return nil, nil, fmt.Errorf("exclusions: %w", err)
	}
	ex = explained(ex)
	set := map[string]bool{}
	for _, e := range ex {
		set[e.UserID] = true
	}
	return ex, set, nil
}

// certification returns the jury's certification or a 500: a jury is only
// created for a known certification.
func (s *Service) certification(code string) (referential.Certification, error) {
	c, ok := s.ref.Certification(code)
	if !ok {
		return c, httpx.New(http.StatusInternalServerError, "internal",
			"Certification inconnue du référentiel.", "Certification unknown to the referential.")
	}
	return c, nil
}

func loadCandidate(tx *gorm.DB, id string) (candidates.Candidate, error) {
	return candidates.Load(tx, id)
}

// Panels answers who examines a candidate from the jury tables alone. The
// VAE feature takes it at construction: the rest of the jury feature reads
// VAE dossiers (dates, ties), so it is built after.
type Panels struct{ db *gorm.DB }

// NewPanels reads the panels in db.
func NewPanels(db *gorm.DB) Panels { return Panels{db: db} }

// Examines says whether a user sits on a jury and may examine that
// candidate: a member excluded for a conflict of interest with the candidate
// may not read their VAE dossier, timeline or documents either. The VAE
// feature asks it before showing a dossier to a jury member.
func (p Panels) Examines(ctx context.Context, userID, juryID, candidateID string) (bool, error) {
	var n int64
	err := p.db.WithContext(ctx).Model(&Member{}).Where("jury_id = ? AND user_id = ?", juryID, userID).
		Where("NOT EXISTS (SELECT 1 FROM jury_exclusions e WHERE e.jury_id = ? AND e.candidate_id = ? AND e.user_id = ?)",
			juryID, candidateID, userID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("jury %s membership: %w", juryID, err)
	}
	return n > 0, nil
}

// Roster is a jury's certification and the candidates assigned to it, for
// the certificates feature's batch issuance.
func (s *Service) Roster(ctx context.Context, juryID string) (string, []string, error) {
	db := s.db.WithContext(ctx)
	var j Jury
	if err := db.Where("id = ?", juryID).Take(&j).Error; err != nil {
		if database.IsNotFound(err) {
			return "", nil, httpx.NotFound("Jury introuvable.", "Jury not found.")
		}
		return "", nil, fmt.Errorf("jury %s: %w", juryID, err)
	}
	var ids []string
	if err := db.Model(&Assignment{}).Where("jury_id = ?", juryID).Order("candidate_id").Pluck("candidate_id", &ids).Error; err != nil {
		return "", nil, fmt.Errorf("jury %s roster: %w", juryID, err)
	}
	return j.Certification, ids, nil
}
