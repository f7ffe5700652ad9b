package jury

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/civil"
)

// Stages of pending jury work.
const (
	PendingScores    = "scores"    // the session has passed; the member has not scored a candidate
	PendingSignature = "signature" // the minutes are signed by the president, not yet by the member
)

// Pending is a member's jury work still due.
type Pending struct {
	JuryID        string
	Certification string
	SessionDate   civil.Date
	UserID        string
	Stage         string
	// Candidates are the names of the candidates still to score.
	Candidates []string
}

// PendingWork lists, on today, the members with scores still due (a session
// past, a candidate assigned, not deliberated, the member not excluded, and
// no evaluation of theirs) and the members whose signature of signed minutes
// is still due.
func (s *Service) PendingWork(ctx context.Context, today civil.Date) ([]Pending, error) {
	db := s.db.WithContext(ctx)
	var rows []struct {
		JuryID, Certification, UserID, CandidateID string
		SessionDate                                civil.Date
	}
	err := db.Table("juries j").
		Select("j.id AS jury_id, j.certification, j.session_date, m.user_id, a.candidate_id").
		Joins("JOIN jury_members m ON m.jury_id = j.id").
		Joins("JOIN jury_candidates a ON a.jury_id = j.id").
		Where("j.finalised_at IS NULL AND j.session_date < ?", today).
		Where("a.deliberation_id IS NULL").
		Where("NOT EXISTS (SELECT 1 FROM jury_exclusions e WHERE e.jury_id = j.id AND e.candidate_id = a.candidate_id AND e.user_id = m.user_id)").
		Where("NOT EXISTS (SELECT 1 FROM jury_evaluations v WHERE v.jury_id = j.id AND v.candidate_id = a.candidate_id AND v.member_id = m.user_id)").
		Order("j.session_date, j.id, m.user_id, a.candidate_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("pending scores: %w", err)
	}
	var out []Pending
	idx := map[string]int{}
	for _, r := range rows {
		k := r.JuryID + "/" + r.UserID
		i, ok := idx[k]
		if !ok {
			out = append(out, Pending{JuryID: r.JuryID, Certification: r.Certification, SessionDate: r.SessionDate,
				UserID: r.UserID, Stage: PendingScores})
			i = len(out) - 1
			idx[k] = i
		}
		c, err := loadCandidate(db, r.CandidateID)
		if err != nil {
			return nil, err
		}
		out[i].Candidates = append(out[i].Candidates, c.FullName())
	}
	var unsigned []struct {
		JuryID, Certification, UserID string
		SessionDate                   civil.Date
	}
	err = db.Table("juries j").
		Select("j.id AS jury_id, j.certification, j.session_date, m.user_id").
		Joins("JOIN jury_members m ON m.jury_id = j.id").
		Where("j.finalised_at IS NOT NULL").
		Where("NOT EXISTS (SELECT 1 FROM jury_signatures g WHERE g.jury_id = j.id AND g.user_id = m.user_id)").
		Order("j.session_date, j.id, m.user_id").Scan(&unsigned).Error
	if err != nil {
		return nil, fmt.Errorf("pending signatures: %w", err)
	}
	for _, u := range unsigned {
		out = append(out, Pending{JuryID: u.JuryID, Certification: u.Certification, SessionDate: u.SessionDate,
			UserID: u.UserID, Stage: PendingSignature})
	}
	return out, nil
}
