package candidates

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
)

// Ledger computes the status on asOf of every component of a certification
// for a candidate, from the decisions in force (superseded rows left out;
// with finalOnly, only decisions whose minutes are signed). With an empty
// certification it covers every certification the candidate is enrolled in
// or has decisions for, in the referential's order. It does not check who
// asks: callers do (CanSee).
func (s *Service) Ledger(ctx context.Context, candidateID, certification string, asOf civil.Date, finalOnly bool) ([]ComponentStatus, error) {
	if s.ref == nil {
		return nil, fmt.Errorf("ledger: no referential")
	}
	db := s.db.WithContext(ctx)
	var certs []referential.Certification
	if certification != "" {
		c, ok := s.ref.Certification(certification)
		if !ok {
			return nil, httpx.Invalid(httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
		}
		certs = []referential.Certification{c}
	} else {
		var codes []string
		err := db.Raw(`SELECT certification FROM enrollments WHERE candidate_id = ?
			UNION SELECT certification FROM component_decisions WHERE candidate_id = ?`, candidateID, candidateID).
			Scan(&codes).Error
		if err != nil {
			return nil, fmt.Errorf("ledger of %s: %w", candidateID, err)
		}
		has := map[string]bool{}
		for _, c := range codes {
			has[c] = true
		}
		for _, c := range s.ref.Certifications() {
			if has[c.Code] {
				certs = append(certs, c)
			}
		}
	}
	out := []ComponentStatus{}
	for _, cert := range certs {
		q := db.Where("candidate_id = ? AND certification = ? AND superseded_by IS NULL", candidateID, cert.Code)
		if finalOnly {
			q = q.Where("final = ?", true)
		}
		var ds []Decision
		if err := q.Order("decided_on, created_at").Find(&ds).Error; err != nil {
			return nil, fmt.Errorf("ledger of %s: %w", candidateID, err)
		}
		codes := make([]string, len(cert.Components))
		for i, c := range cert.Components {
			codes[i] = c.Code
		}
		for _, st := range Statuses(codes, ds, cert.ValidityYears, asOf) {
			st.Certification = cert.Code
			out = append(out, st)
		}
	}
	return out, nil
}
