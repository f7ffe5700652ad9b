package vae

import (
	"fmt"

	"github.com/ancr/cqp/internal/civil"
	"gorm.io/gorm"
)

// Tie kinds: what links a person to a VAE candidate for the jury's
// conflict-of-interest rule (docs/domain.md §2).
const (
	TieSupport  = "support"  // UserID supports (accompagne) the candidate's VAE
	TieEmployer = "employer" // the candidate worked for Employer until EndsOn (zero: still there)
)

// Tie is one link the VAE request reveals between the candidate and a person
// or an organisation.
type Tie struct {
	Kind     string
	UserID   string     // TieSupport
	Employer string     // TieEmployer, as the candidate wrote it
	StartsOn civil.Date // TieEmployer
	EndsOn   civil.Date // TieEmployer; zero while the activity goes on
	Dossier  string     // the dossier it comes from
}

// Ties lists the support persons and the employers of the experiences of
// every VAE request of a candidate, refused ones included (a former employer
// stays a former employer). The jury feature turns them into conflicts. They
// are read through db: the caller's transaction, so that a jury write reads
// them on the connection it holds (on SQLite a second connection would wait
// for the write lock that transaction holds), or nil for the service's own.
func (s *Service) Ties(db *gorm.DB, candidateID string) ([]Tie, error) {
	if db == nil {
		db = s.db
	}
	var ds []Dossier
	if err := db.Where("candidate_id = ?", candidateID).Order("id").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("vae ties of %s: %w", candidateID, err)
	}
	if len(ds) == 0 {
		return nil, nil
	}
	var out []Tie
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
		if d.SupportUserID != nil && *d.SupportUserID != "" {
			out = append(out, Tie{Kind: TieSupport, UserID: *d.SupportUserID, Dossier: d.ID})
		}
	}
	var es []Experience
	if err := db.Where("dossier_id IN ?", ids).Order("starts_on, id").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("vae ties of %s: experiences: %w", candidateID, err)
	}
	for _, e := range es {
		out = append(out, Tie{Kind: TieEmployer, Employer: e.Employer, StartsOn: e.StartsOn, EndsOn: e.EndsOn, Dossier: e.DossierID})
	}
	return out, nil
}
