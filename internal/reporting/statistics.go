// Package reporting holds the certifier's read models across features: the
// statistics the RNCP asks a certifier to publish, and the exports for the
// branch and auditors. It only reads (the tables of candidates, the jury's
// decision ledger and certificates, by name); every feature keeps writing
// its own tables.
package reporting

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
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
	// Beyond the contract: the year's jury sessions, the training
	// organisations, and the figures the RNCP asks a certifier to publish.
	Sessions      []SessionResult      `json:"sessions"`
	Organisations []OrganisationResult `json:"organisations"`
	Published     Published            `json:"published"`
}

// SessionResult is one jury session's outcome: candidates presented, and
// their component decisions.
type SessionResult struct {
	JuryID      string      `json:"jury_id"`
	SessionDate *civil.Date `json:"session_date"`
	Location    string      `json:"location"`
	Candidates  int64       `json:"candidates"`
	Presented   int64       `json:"components_presented"`
	Validated   int64       `json:"components_validated"`
	Rate        *float64    `json:"rate"`
}

// OrganisationResult is one training organisation's candidates before the
// juries of the year ("" for candidates without one).
type OrganisationResult struct {
	Organisation string   `json:"organisation"`
	Candidates   int64    `json:"candidates"`
	Presented    int64    `json:"components_presented"`
	Validated    int64    `json:"components_validated"`
	Rate         *float64 `json:"rate"`
	Certified    int64    `json:"certified"`
}

// Published are the figures a certifier publishes with its RNCP record:
// how many were certified, out of how many presented, by pathway. The
// insertion rates the form also asks for come from surveys of the holders,
// which the platform does not run.
type Published struct {
	Presented   int64            `json:"presented"`
	Certified   int64            `json:"certified"`
	SuccessRate *float64         `json:"success_rate"`
	ByPathway   []PathwayOutcome `json:"by_pathway"`
}

// PathwayOutcome is Published for one pathway.
type PathwayOutcome struct {
	Pathway     string   `json:"pathway"`
	Presented   int64    `json:"presented"`
	Certified   int64    `json:"certified"`
	SuccessRate *float64 `json:"success_rate"`
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

	// The statistics of a year change only with an audited write (a
	// decision, a certificate, an enrollment, a candidate): computed once
	// per journal head, they are served from memory until it moves.
	mu    sync.Mutex
	head  int64
	stats map[statsKey]Statistics
}

type statsKey struct {
	year int
	cert string
}

// Options is what the service is built with.
type Options struct {
	DB          *gorm.DB
	Referential *referential.Service
	Now         func() time.Time
}

// NewService builds the service.
func NewService(o Options) *Service {
	return &Service{db: o.DB, ref: o.Referential, now: o.Now, stats: map[statsKey]Statistics{}}
}

// Statistics are Compute's figures, from memory while the audit journal has
// not moved since they were computed. The result is shared: read it only.
func (s *Service) Statistics(ctx context.Context, year int, cert referential.Certification) (Statistics, error) {
	head, err := audit.Head(ctx, s.db)
	if err != nil {
		return Statistics{}, err
	}
	key := statsKey{year, cert.Code}
	s.mu.Lock()
	if s.head != head {
		s.head, s.stats = head, map[statsKey]Statistics{}
	}
	st, ok := s.stats[key]
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	if st, err = s.Compute(ctx, year, cert); err != nil {
		return st, err
	}
	s.mu.Lock()
	if s.head == head {
		s.stats[key] = st
	}
	s.mu.Unlock()
	return st, nil
}

// Compute computes a certification's figures for a year. Only final
// decisions in force count (signed minutes, not superseded by a correction);
// a candidate is presented on a component when a decision on it was taken
// in the year.
func (s *Service) Compute(ctx context.Context, year int, cert referential.Certification) (Statistics, error) {
	from, to := civil.New(year, time.January, 1), civil.New(year, time.December, 31)
	st := Statistics{Year: year, Certification: cert.Code, Pathways: []PathwayCount{}, Components: []ComponentResult{}}
	db := s.db.WithContext(ctx)

	var comps []struct {
		Component            string
		Presented, Validated int64
	}
	// One row per candidate and component first (a hash aggregate), then
	// counted: COUNT(DISTINCT …) sorts, several times slower.
	perComponent := decidedIn(db, cert.Code, from, to).
		Select("d.candidate_id, d.component, MAX(CASE WHEN d.decision = 'validated' THEN 1 ELSE 0 END) AS v").
		Group("d.candidate_id, d.component")
	err := db.Table("(?) AS t", perComponent).Select("t.component, COUNT(*) AS presented, SUM(t.v) AS validated").
		Group("t.component").Scan(&comps).Error
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
	presentedIDs := decidedIn(db, cert.Code, from, to).Distinct("d.candidate_id")
	err = db.Table("(?) AS t", presentedIDs).
		Joins("JOIN enrollments AS e ON e.candidate_id = t.candidate_id AND e.certification = ?", cert.Code).
		Select("e.pathway, COUNT(DISTINCT t.candidate_id) AS candidates").
		Group("e.pathway").Scan(&paths).Error
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
	if st.Sessions, err = s.sessions(db, cert.Code, from, to); err != nil {
		return st, err
	}
	if st.Organisations, err = s.organisations(db, cert.Code, from, to); err != nil {
		return st, err
	}
	st.Published, err = s.published(db, cert.Code, from, to, st.Pathways)
	return st, err
}

// decidedIn is the year's final decisions in force on a certification.
func decidedIn(db *gorm.DB, cert string, from, to civil.Date) *gorm.DB {
	return db.Table("component_decisions AS d").
		Where("d.certification = ? AND d.decided_on >= ? AND d.decided_on <= ? AND d.final = ? AND d.superseded_by IS NULL",
			cert, from, to, true)
}

const tally = "COUNT(DISTINCT d.candidate_id) AS candidates, COUNT(*) AS presented, " +
	"SUM(CASE WHEN d.decision = 'validated' THEN 1 ELSE 0 END) AS validated"

func (s *Service) sessions(db *gorm.DB, cert string, from, to civil.Date) ([]SessionResult, error) {
	var rows []struct {
		JuryID                           string
		SessionDate                      *civil.Date
		Location                         string
		Candidates, Presented, Validated int64
	}
	err := decidedIn(db, cert, from, to).Joins("LEFT JOIN juries j ON j.id = d.jury_id").
		Select("d.jury_id, j.session_date, j.location, " + tally).Where("d.jury_id IS NOT NULL").
		Group("d.jury_id, j.session_date, j.location").Order("j.session_date, d.jury_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("statistics: sessions: %w", err)
	}
	out := make([]SessionResult, 0, len(rows))
	for _, r := range rows {
		out = append(out, SessionResult{JuryID: r.JuryID, SessionDate: r.SessionDate, Location: r.Location,
			Candidates: r.Candidates, Presented: r.Presented, Validated: r.Validated, Rate: Rate(r.Validated, r.Presented)})
	}
	return out, nil
}

func (s *Service) organisations(db *gorm.DB, cert string, from, to civil.Date) ([]OrganisationResult, error) {
	var rows []struct {
		Organisation                     string
		Candidates, Presented, Validated int64
	}
	perCandidate := decidedIn(db, cert, from, to).
		Select("d.candidate_id, COUNT(*) AS presented, SUM(CASE WHEN d.decision = 'validated' THEN 1 ELSE 0 END) AS validated").
		Group("d.candidate_id")
	err := db.Table("(?) AS t", perCandidate).Joins("JOIN candidates c ON c.id = t.candidate_id").
		Select("c.training_organisation AS organisation, COUNT(*) AS candidates, SUM(t.presented) AS presented, SUM(t.validated) AS validated").
		Group("c.training_organisation").Order("c.training_organisation").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("statistics: organisations: %w", err)
	}
	var certified []struct {
		Organisation string
		N            int64
	}
	err = inForce(db, cert, from, to).Joins("JOIN candidates c ON c.id = x.candidate_id").
		Select("c.training_organisation AS organisation, COUNT(DISTINCT x.candidate_id) AS n").
		Group("c.training_organisation").Scan(&certified).Error
	if err != nil {
		return nil, fmt.Errorf("statistics: organisations: %w", err)
	}
	byOrg := map[string]int64{}
	for _, c := range certified {
		byOrg[c.Organisation] = c.N
	}
	out := make([]OrganisationResult, 0, len(rows))
	for _, r := range rows {
		out = append(out, OrganisationResult{Organisation: r.Organisation, Candidates: r.Candidates, Presented: r.Presented,
			Validated: r.Validated, Rate: Rate(r.Validated, r.Presented), Certified: byOrg[r.Organisation]})
	}
	return out, nil
}

// inForce is the year's certificates (the whole CQP) in force.
func inForce(db *gorm.DB, cert string, from, to civil.Date) *gorm.DB {
	return db.Table("certificates AS x").
		Where("x.certification = ? AND x.kind = 'certificate' AND x.issued_on >= ? AND x.issued_on <= ? AND x.revoked_at IS NULL AND x.superseded_by IS NULL",
			cert, from, to)
}

// published: certified out of presented, overall and by pathway (the
// pathway of the candidate's enrollment in the certification).
func (s *Service) published(db *gorm.DB, cert string, from, to civil.Date, presented []PathwayCount) (Published, error) {
	var rows []struct {
		Pathway string
		N       int64
	}
	err := inForce(db, cert, from, to).
		Joins("JOIN enrollments AS e ON e.candidate_id = x.candidate_id AND e.certification = x.certification").
		Select("e.pathway, COUNT(DISTINCT x.candidate_id) AS n").Group("e.pathway").Scan(&rows).Error
	if err != nil {
		return Published{}, fmt.Errorf("statistics: certified by pathway: %w", err)
	}
	byPath := map[string]int64{}
	for _, r := range rows {
		byPath[r.Pathway] = r.N
	}
	var p Published
	if err := db.Table("(?) AS t", decidedIn(db, cert, from, to).Distinct("d.candidate_id")).Count(&p.Presented).Error; err != nil {
		return p, fmt.Errorf("statistics: presented: %w", err)
	}
	if err := inForce(db, cert, from, to).Select("COUNT(DISTINCT x.candidate_id)").Scan(&p.Certified).Error; err != nil {
		return p, fmt.Errorf("statistics: certified: %w", err)
	}
	p.SuccessRate = Rate(p.Certified, p.Presented)
	for _, pc := range presented {
		p.ByPathway = append(p.ByPathway, PathwayOutcome{Pathway: pc.Pathway, Presented: pc.Candidates, Certified: byPath[pc.Pathway],
			SuccessRate: Rate(byPath[pc.Pathway], pc.Candidates)})
	}
	return p, nil
}
