package candidates

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/civil"
)

// Expiring is an acquired component whose five-year validity ends soon.
type Expiring struct {
	DecisionID    string     // the validation that started the period
	CandidateID   string     //
	Certification string     //
	Component     string     //
	AcquiredOn    civil.Date //
	ExpiresOn     civil.Date //
}

// ExpiringBy lists the components in force on today whose validity ends on
// or before by (today < expires_on <= by): the latest final validation of
// each component counts, a component acquired again starts a new period
// and is not reminded for the old one.
func (s *Service) ExpiringBy(ctx context.Context, today, by civil.Date) ([]Expiring, error) {
	if s.ref == nil {
		return nil, fmt.Errorf("expiring components: no referential")
	}
	var out []Expiring
	for _, cert := range s.ref.Certifications() {
		years := cert.ValidityYears
		// A superset of the decisions whose period may end in (today, by];
		// the exact boundaries are held below with ExpiresOn.
		from, to := today.AddYears(-years).AddDays(-3), by.AddYears(-years).AddDays(3)
		var ds []Decision
		err := s.db.WithContext(ctx).Where("certification = ? AND decision = ? AND final = ? AND superseded_by IS NULL AND decided_on >= ? AND decided_on <= ?",
			cert.Code, Validated, true, from, to).
			Where(`NOT EXISTS (SELECT 1 FROM component_decisions l WHERE l.candidate_id = component_decisions.candidate_id
				AND l.certification = component_decisions.certification AND l.component = component_decisions.component
				AND l.decision = ? AND l.final = ? AND l.superseded_by IS NULL AND l.decided_on > component_decisions.decided_on)`, Validated, true).
			Order("decided_on, id").Find(&ds).Error
		if err != nil {
			return nil, fmt.Errorf("expiring components: %w", err)
		}
		for _, d := range ds {
			exp := ExpiresOn(d.DecidedOn, years)
			if exp.After(today) && !exp.After(by) {
				out = append(out, Expiring{DecisionID: d.ID, CandidateID: d.CandidateID, Certification: d.Certification,
					Component: d.Component, AcquiredOn: d.DecidedOn, ExpiresOn: exp})
			}
		}
	}
	return out, nil
}
