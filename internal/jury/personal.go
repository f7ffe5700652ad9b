package jury

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"gorm.io/gorm"
)

// CandidateRecords is what the jury feature holds about one candidate, for
// the candidate's export (RGPD art. 15).
type CandidateRecords struct {
	Assignments   []Assignment   `json:"assignments"`
	Exclusions    []Exclusion    `json:"exclusions"`
	Evaluations   []Evaluation   `json:"evaluations"`
	Deliberations []Deliberation `json:"deliberations"`
}

// ExportCandidate implements candidates.DataHolder.
func (s *Service) ExportCandidate(ctx context.Context, candidateID string) (candidates.PersonalData, error) {
	db := s.db.WithContext(ctx)
	r := CandidateRecords{}
	for _, q := range []struct {
		dst  any
		name string
	}{{&r.Assignments, "assignments"}, {&r.Exclusions, "exclusions"}, {&r.Evaluations, "evaluations"}, {&r.Deliberations, "deliberations"}} {
		if err := db.Where("candidate_id = ?", candidateID).Find(q.dst).Error; err != nil {
			return candidates.PersonalData{}, fmt.Errorf("export jury %s: %w", q.name, err)
		}
	}
	ids := make([]string, 0, len(r.Evaluations))
	for _, e := range r.Evaluations {
		ids = append(ids, e.ID)
	}
	return candidates.PersonalData{Section: "jury", Data: r,
		Records: []candidates.AuditRef{{Entity: "jury_evaluation", IDs: ids}}}, nil
}

// PseudonymiseCandidate erases the free text members wrote about the
// candidate (evaluation comments, notes on conflicts, the employer named
// in exclusions); levels, decisions and reasons stay, as the
// certification record requires.
func (s *Service) PseudonymiseCandidate(_ context.Context, tx *gorm.DB, _ auth.User, candidateID string) (func(), error) {
	if err := tx.Model(&Evaluation{}).Where("candidate_id = ?", candidateID).Update("comment", "").Error; err != nil {
		return nil, fmt.Errorf("pseudonymise jury evaluations: %w", err)
	}
	if err := tx.Model(&LinkRecord{}).Where("candidate_id = ?", candidateID).Update("note", "").Error; err != nil {
		return nil, fmt.Errorf("pseudonymise conflict notes: %w", err)
	}
	if err := tx.Model(&Exclusion{}).Where("candidate_id = ?", candidateID).Update("detail", "").Error; err != nil {
		return nil, fmt.Errorf("pseudonymise exclusions: %w", err)
	}
	return nil, nil
}
