package jury

import (
	"context"
	"fmt"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// NewAssignment is the body of POST /juries/{id}/candidates.
type NewAssignment struct {
	CandidateID string `json:"candidate_id" validate:"required,max=36"`
	// ExamAttemptID is the candidate's attempt at a scenario in exam mode,
	// shown beside the scores of the professional situation.
	ExamAttemptID *string `json:"exam_attempt_id" validate:"omitempty,max=36"`
	// DossierSubmittedOn starts the VAE clock (jury within 3 months).
	DossierSubmittedOn *civil.Date `json:"dossier_submitted_on"`
}

// NewConflict is the body of POST /juries/{id}/conflicts: a tie between a
// member and a candidate, declared by the member or recorded by an
// administrator.
type NewConflict struct {
	CandidateID string `json:"candidate_id" validate:"required,max=36"`
	UserID      string `json:"user_id" validate:"max=36"`
	Kind        string `json:"kind" validate:"required,oneof=trained accompanied declared"`
	Note        string `json:"note" validate:"max=2000"`
}

// ConflictResult answers a declaration: the exclusions now in force for
// the candidate and whether the jury can still deliberate on them.
type ConflictResult struct {
	Link             LinkRecord  `json:"link"`
	Exclusions       []Exclusion `json:"exclusions"`
	CompositionHolds bool        `json:"composition_holds"`
	Findings         []Finding   `json:"findings"`
}

func linksOf(tx *gorm.DB, candidateIDs []string) ([]Link, error) {
	var rows []LinkRecord
	if err := tx.Where("candidate_id IN ?", candidateIDs).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("conflict links: %w", err)
	}
	out := make([]Link, len(rows))
	for i, r := range rows {
		out[i] = Link{UserID: r.UserID, CandidateID: r.CandidateID, Kind: r.Kind, Note: r.Note}
	}
	return out, nil
}

// conflictsFor computes who is in conflict with a candidate in a jury:
// the candidate's employer, the ties of their VAE requests (read through
// the VAE feature) and the recorded links, as of the session date.
func (s *Service) conflictsFor(tx *gorm.DB, j Jury, ms []Member, c candidates.Candidate) ([]Conflict, error) {
	links, err := linksOf(tx, []string{c.ID})
	if err != nil {
		return nil, err
	}
	in := ConflictInput{CandidateID: c.ID, Employer: c.Employer, Session: j.SessionDate, Links: links}
	if s.ties != nil {
		if in.Ties, err = s.ties.Ties(tx, c.ID); err != nil {
			return nil, fmt.Errorf("vae ties of %s: %w", c.ID, err)
		}
	}
	return Conflicts(personsOf(ms), in), nil
}

// errNotEnrolled refuses a candidate with no enrollment in the jury's
// certification (API contract: 422 not_enrolled).
func errNotEnrolled(title string) error {
	return httpx.Unprocessable("not_enrolled",
		"Ce candidat n'est pas inscrit à la certification de ce jury ("+title+") : inscrivez-le d'abord.",
		"This candidate is not enrolled in this jury's certification ("+title+"): enroll them first.",
		httpx.Field("candidate_id", "Candidat non inscrit à la certification du jury.",
			"Candidate not enrolled in the jury's certification."))
}

func eligibleSeats(ms []Member, excluded map[string]bool) []Seat {
	var out []Seat
	for _, m := range ms {
		if !excluded[m.UserID] {
			out = append(out, Seat{UserID: m.UserID, Category: m.Category})
		}
	}
	return out
}

func conflictProblem(ms []Member, cs []Conflict, fs []Finding) error {
	names := map[string]string{}
	for _, m := range ms {
		names[m.UserID] = m.Name
	}
	var who []string
	seen := map[string]bool{}
	for _, c := range cs {
		if !seen[c.UserID] {
			seen[c.UserID] = true
			who = append(who, names[c.UserID])
		}
	}
	return compositionProblem("conflict_of_interest",
		"Conflit d'intérêts : sans "+strings.Join(who, ", ")+", le jury ne respecte plus la règle de composition pour ce candidat",
		"Conflict of interest: without "+strings.Join(who, ", ")+", the jury no longer meets the composition rule for this candidate", fs)
}

// replaceExclusions writes the exclusions of one candidate.
func (s *Service) replaceExclusions(tx *gorm.DB, juryID, candidateID string, cs []Conflict) ([]Exclusion, error) {
	if err := tx.Where("jury_id = ? AND candidate_id = ?", juryID, candidateID).Delete(&Exclusion{}).Error; err != nil {
		return nil, fmt.Errorf("clear exclusions: %w", err)
	}
	out := []Exclusion{}
	seen := map[string]bool{}
	for _, c := range cs {
		k := c.UserID + "/" + c.Reason
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Exclusion{JuryID: juryID, CandidateID: candidateID, UserID: c.UserID, Reason: c.Reason,
			Detail: c.Detail, EndedOn: c.EndedOn, CreatedAt: s.now().UTC()})
	}
	if len(out) > 0 {
		if err := tx.Create(&out).Error; err != nil {
			return nil, fmt.Errorf("write exclusions: %w", err)
		}
	}
	return explained(out), nil
}

// refreshExclusions recomputes the exclusions of the candidates not yet
// deliberated after the members changed from prev to ms (only is one
// candidate, or all). A change that breaks the rule for a candidate for
// whom it held is refused; one that merely leaves a broken case broken is
// not, so that the administrator can mend a jury one member at a time.
func (s *Service) refreshExclusions(tx *gorm.DB, j Jury, prev, ms []Member, only string) error {
	var as []Assignment
	q := tx.Where("jury_id = ? AND deliberation_id IS NULL", j.ID)
	if only != "" {
		q = q.Where("candidate_id = ?", only)
	}
	if err := q.Find(&as).Error; err != nil {
		return fmt.Errorf("jury candidates: %w", err)
	}
	c, err := s.certification(j.Certification)
	if err != nil {
		return err
	}
	for _, a := range as {
		cand, err := loadCandidate(tx, a.CandidateID)
		if err != nil {
			return err
		}
		cs, err := s.conflictsFor(tx, j, ms, cand)
		if err != nil {
			return err
		}
		if fs := CheckComposition(s.rule(c), eligibleSeats(ms, Excluded(cs))); len(fs) > 0 {
			before, err := s.conflictsFor(tx, j, prev, cand)
			if err != nil {
				return err
			}
			if len(CheckComposition(s.rule(c), eligibleSeats(prev, Excluded(before)))) == 0 {
				return conflictProblem(ms, cs, fs)
			}
		}
		if _, err := s.replaceExclusions(tx, j.ID, a.CandidateID, cs); err != nil {
			return err
		}
	}
	return nil
}

// Assign puts a candidate before the jury. Members in conflict are
// excluded for that candidate; when the others no longer meet the rule the
// assignment is refused (422 conflict_of_interest).
func (s *Service) Assign(ctx context.Context, actor auth.User, juryID string, in NewAssignment) (AssignmentView, error) {
	var out AssignmentView
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, juryID, byAdmin)
		if err != nil {
			return err
		}
		cand, err := loadCandidate(tx, in.CandidateID)
		if err != nil {
			return httpx.Invalid(httpx.Field("candidate_id", "Candidat introuvable.", "Candidate not found.")).Wrap(err)
		}
		var n int64
		if err := tx.Model(&Assignment{}).Where("jury_id = ? AND candidate_id = ?", juryID, cand.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("assignment exists: %w", err)
		}
		if n > 0 {
			return httpx.Conflict("already_assigned", "Ce candidat est déjà affecté à ce jury.", "This candidate is already assigned to this jury.")
		}
		c, err := s.certification(j.Certification)
		if err != nil {
			return err
		}
		if ok, err := candidates.Enrolled(tx, cand.ID, j.Certification); err != nil {
			return err
		} else if !ok {
			return errNotEnrolled(c.Title)
		}
		cs, err := s.conflictsFor(tx, j, ms, cand)
		if err != nil {
			return err
		}
		if fs := CheckComposition(s.rule(c), eligibleSeats(ms, Excluded(cs))); len(fs) > 0 {
			return conflictProblem(ms, cs, fs)
		}
		now := s.now().UTC()
		a := Assignment{ID: database.NewID(), JuryID: juryID, CandidateID: cand.ID, ExamAttemptID: in.ExamAttemptID,
			DossierSubmittedOn: in.DossierSubmittedOn, AssignedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
		if a.DossierSubmittedOn != nil && a.DossierSubmittedOn.IsZero() {
			a.DossierSubmittedOn = nil
		}
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("assign candidate: %w", err)
		}
		exs, err := s.replaceExclusions(tx, juryID, cand.ID, cs)
		if err != nil {
			return err
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		if err := s.conveneCandidates(tx, j, cand.ID); err != nil {
			return err
		}
		out = AssignmentView{Assignment: a, CandidateName: cand.FullName(), Exclusions: exs}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.candidate.assign", Entity: "jury",
			EntityID: juryID, After: out})
	})
	return out, err
}

// DeclareConflict records a tie between a member and a candidate: a
// member declares their own, an administrator records anyone's. The tie
// stands in every jury; where the candidate is already assigned the member
// is excluded at once. The declaration is never refused for breaking the
// rule (a member cannot be made to assess someone they are tied to): the
// answer says whether the jury can still deliberate.
func (s *Service) DeclareConflict(ctx context.Context, actor auth.User, juryID string, in NewConflict) (ConflictResult, error) {
	if actor.Role != auth.RoleAdmin {
		if in.UserID != "" && in.UserID != actor.ID {
			return ConflictResult{}, httpx.Forbidden("Un membre ne déclare que ses propres conflits d'intérêts.",
				"A member declares only their own conflicts of interest.")
		}
		in.UserID = actor.ID
	}
	var out ConflictResult
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, juryID, byPanel)
		if err != nil {
			return err
		}
		if _, ok := memberOf(ms, in.UserID); !ok {
			return httpx.Invalid(httpx.Field("user_id", "Ce membre ne siège pas dans ce jury.", "This member does not sit on this jury."))
		}
		cand, err := loadCandidate(tx, in.CandidateID)
		if err != nil {
			return httpx.Invalid(httpx.Field("candidate_id", "Candidat introuvable.", "Candidate not found.")).Wrap(err)
		}
		now := s.now().UTC()
		jid := juryID
		out.Link = LinkRecord{ID: database.NewID(), UserID: in.UserID, CandidateID: cand.ID, Kind: in.Kind,
			Note: strings.TrimSpace(in.Note), JuryID: &jid, DeclaredBy: actor.ID, CreatedAt: now}
		if err := tx.Create(&out.Link).Error; err != nil {
			if database.IsDuplicate(err) {
				return httpx.Conflict("already_declared", "Ce lien est déjà enregistré.", "This tie is already recorded.")
			}
			return fmt.Errorf("record conflict: %w", err)
		}
		var a Assignment
		err = tx.Where("jury_id = ? AND candidate_id = ?", juryID, cand.ID).Take(&a).Error
		switch {
		case database.IsNotFound(err):
			out.Exclusions, out.CompositionHolds, out.Findings = []Exclusion{}, true, []Finding{}
		case err != nil:
			return fmt.Errorf("assignment: %w", err)
		default:
			if a.DeliberationID != nil {
				return httpx.Conflict("already_deliberated", "Le jury a déjà délibéré sur ce candidat.",
					"The jury has already deliberated on this candidate.")
			}
			cs, err := s.conflictsFor(tx, j, ms, cand)
			if err != nil {
				return err
			}
			if out.Exclusions, err = s.replaceExclusions(tx, juryID, cand.ID, cs); err != nil {
				return err
			}
			c, err := s.certification(j.Certification)
			if err != nil {
				return err
			}
			out.Findings = CheckComposition(s.rule(c), eligibleSeats(ms, Excluded(cs)))
			out.CompositionHolds = len(out.Findings) == 0
			if out.Findings == nil {
				out.Findings = []Finding{}
			}
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.conflict.declare", Entity: "jury",
			EntityID: juryID, After: out.Link})
	})
	return out, err
}

// Eligible is a candidate the jury may be given: enrolled in its
// certification (an enrollment not withdrawn) and not yet assigned to it.
type Eligible = candidates.Brief

// EligibleCandidates lists, by name, up to limit candidates Assign would
// accept as far as enrollment goes (conflicts are judged on assignment):
// the assignment screen offers only these.
func (s *Service) EligibleCandidates(ctx context.Context, actor auth.User, juryID string, limit int) ([]Eligible, error) {
	j, _, err := s.readAccess(ctx, actor, juryID)
	if err != nil {
		return nil, err
	}
	if actor.Role != auth.RoleAdmin {
		return nil, httpx.Forbidden("Seul un administrateur affecte les candidats.", "Only an administrator assigns candidates.")
	}
	db := s.db.WithContext(ctx)
	assigned := db.Model(&Assignment{}).Select("candidate_id").Where("jury_id = ?", j.ID)
	out, err := candidates.EnrolledIn(db, j.Certification, assigned, limit)
	if err != nil {
		return nil, fmt.Errorf("eligible candidates of jury %s: %w", juryID, err)
	}
	return out, nil
}
