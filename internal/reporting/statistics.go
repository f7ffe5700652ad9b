// Package reporting holds the certifier's read models across features: the
// statistics the RNCP asks a certifier to publish, and the exports for the
// branch and auditors. It only reads (the tables of candidates, the jury's
// decision ledger and certificates, by name); every feature keeps writing
// its own tables.
package reporting

import (
	"context"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
)

// Statistics are one certification's figures for one calendar year
// (CONTRACT "Back office"): candidates presented by pathway, components
// presented and validated, documents awarded.
type Statistics struct {
	Year          int               `json:"year"`
	Certification string            `json:"certification"`
	Pathways      []PathwayCount    `json:"pathways"`
	Components    []ComponentResult `json:"components"`
	Awarded       Awarded           `json:"awarded"`
}

// PathwayCount is how many candidates of a pathway were presented to a jury.
type PathwayCount struct {
	Pathway    string `json:"pathway"`
	Candidates int64  `json:"candidates"`
}

// ComponentResult is one component's outcome. Rate is nil when nobody was
// presented: "no data" is not 0 %.
type ComponentResult struct {
	Code      string   `json:"code"`
	Presented int64    `json:"presented"`
	Validated int64    `json:"validated"`
	Rate      *float64 `json:"rate"`
}

// Awarded counts the documents issued in the year and in force (neither
// revoked nor replaced).
type Awarded struct {
	Certificates        int64 `json:"certificates"`
	PartialAttestations int64 `json:"partial_attestations"`
}

// Rate is validated / presented, rounded to 4 decimals, nil when nothing
// was presented.
func Rate(validated, presented int64) *float64 {
	if presented == 0 {
		return nil
	}
	r := float64(int64(float64(validated)/float64(presented)*10000+0.5)) / 10000
	return &r
}

// Service computes the read models.
type Service struct {
	db  *gorm.DB
	ref *referential.Service
	now func() time.Time
}

// Options is what the service is built with.
type Options struct {
	DB          *gorm.DB
	Referential *referential.Service
	Now         func() time.Time
}

// NewService builds the service.
func NewService(o Options) *Service {
	return &Service{db: o.DB, ref: o.Referential, now: o.Now}
}

// Statistics computes a certification's figures for a year. Only final
// decisions in force count (signed minutes, not superseded by a correction);
// a candidate is presented on a component when a decision on it was taken
// in the year.
func (s *Service) Statistics(ctx context.Context, year int, cert referential.Certification) (Statistics, error) {
	from, to := civil.New(year, time.January, 1), civil.New(year, time.December, 31)
	st := Statistics{Year: year, Certification: cert.Code, Pathways: []PathwayCount{}, Components: []ComponentResult{}}
	db := s.db.WithContext(ctx)
	decided := "d.certification = ? AND d.decided_on >= ? AND d.decided_on <= ? AND d.final = ? AND d.superseded_by IS NULL"

	var comps []struct {
		Component            string
		Presented, Validated int64
	}
	err := db.Table("component_decisions AS d").
		Select("d.component, COUNT(DISTINCT d.candidate_id) AS presented, "+
			"COUNT(DISTINCT CASE WHEN d.decision = 'validated' THEN d.candidate_id END) AS validated").
		Where(decided, cert.Code, from, to, true).Group("d.component").Scan(&comps).Error
	if err != nil {
		return st, fmt.Errorf("statistics: components: %w", err)
	}
	byCode := map[string]ComponentResult{}
	for _, c := range comps {
		byCode[c.Component] = ComponentResult{Code: c.Component, Presented: c.Presented, Validated: c.Validated}
	}
	for _, c := range cert.Components {
		r := byCode[c.Code]
		r.Code, r.Rate = c.Code, Rate(r.Validated, r.Presented)
		st.Components = append(st.Components, r)
	}

	var paths []struct {
		Pathway    string
		Candidates int64
	}
	err = db.Table("component_decisions AS d").
		Joins("JOIN enrollments AS e ON e.candidate_id = d.candidate_id AND e.certification = d.certification").
		Select("e.pathway, COUNT(DISTINCT d.candidate_id) AS candidates").
		Where(decided, cert.Code, from, to, true).Group("e.pathway").Scan(&paths).Error
	if err != nil {
		return st, fmt.Errorf("statistics: pathways: %w", err)
	}
	byPath := map[string]int64{}
	for _, p := range paths {
		byPath[p.Pathway] = p.Candidates
	}
	for _, p := range cert.Pathways {
		st.Pathways = append(st.Pathways, PathwayCount{Pathway: p, Candidates: byPath[p]})
		delete(byPath, p)
	}
	for p, n := range byPath { // a pathway since closed still counts
		st.Pathways = append(st.Pathways, PathwayCount{Pathway: p, Candidates: n})
	}

	var kinds []struct {
		Kind string
		N    int64
	}
	err = db.Table("certificates").Select("kind, COUNT(*) AS n").
		Where("certification = ? AND issued_on >= ? AND issued_on <= ? AND revoked_at IS NULL AND superseded_by IS NULL",
			cert.Code, from, to).Group("kind").Scan(&kinds).Error
	if err != nil {
		return st, fmt.Errorf("statistics: awarded: %w", err)
	}
	for _, k := range kinds {
		switch k.Kind {
		case "certificate":
			st.Awarded.Certificates = k.N
		case "partial_attestation":
			st.Awarded.PartialAttestations = k.N
		}
	}
	return st, nil
}
