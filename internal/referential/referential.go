// Package referential holds what the platform is about and what changes only
// with the rules: the two certifications (components, pathways, jury rule,
// validity, registry entries) and the dated parameter tables of the law. It
// loads them from seed/ at start, idempotently, and serves them from memory,
// a copy that each request first checks against the database's version
// counter (Sync), so that a change made through one replica holds on the
// next request to any other.
package referential

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Certification is one CQP.
type Certification struct {
	Code           string         `gorm:"primaryKey;size:60" json:"code"`
	Title          string         `gorm:"size:200;not null" json:"title"`
	Short          string         `gorm:"size:20;not null" json:"short"`
	NSF            string         `gorm:"column:nsf;size:20" json:"nsf"`
	ROME           string         `gorm:"column:rome;size:20" json:"rome"`
	Formacode      string         `gorm:"size:20" json:"formacode"`
	Branch         string         `gorm:"size:200" json:"branch"`
	Certifier      string         `gorm:"size:300" json:"certifier"`
	Pathways       StringList     `gorm:"type:text" json:"pathways"`
	ClosedPathways StringList     `gorm:"type:text" json:"closed_pathways"`
	VAEAssessment  StringList     `gorm:"column:vae_assessment;type:text" json:"vae_assessment"`
	JuryRule       JuryRule       `gorm:"embedded" json:"jury_rule"`
	ValidityYears  int            `gorm:"column:component_validity_years;not null" json:"component_validity_years"`
	Components     []Component    `gorm:"foreignKey:CertificationCode;references:Code" json:"components"`
	Registrations  []Registration `gorm:"foreignKey:CertificationCode;references:Code" json:"registrations"`
	UpdatedAt      time.Time      `json:"-"`
}

// JuryRule is docs/domain.md §2's composition rule.
type JuryRule struct {
	MinMembers                     int    `gorm:"column:jury_min_members" json:"min_members"`
	MinProfessionalRatio           string `gorm:"column:jury_min_professional_ratio;size:10" json:"min_professional_ratio"`
	MinOrganisationRepresentatives int    `gorm:"column:jury_min_organisation_representatives" json:"min_organisation_representatives"`
}

// Component is a block of competences of a certification.
type Component struct {
	Code              string `gorm:"primaryKey;size:20" json:"code"`
	CertificationCode string `gorm:"size:60;not null;index" json:"-"`
	Title             string `gorm:"size:300;not null" json:"title"`
	Position          int    `gorm:"not null" json:"-"`
}

// Registration is an entry of the certification in a registry (RNCP…).
type Registration struct {
	ID                int64      `gorm:"primaryKey" json:"-"`
	CertificationCode string     `gorm:"size:60;not null;uniqueIndex:idx_registration" json:"-"`
	Registry          string     `gorm:"size:40;not null;uniqueIndex:idx_registration" json:"registry"`
	Number            string     `gorm:"size:40;not null;uniqueIndex:idx_registration" json:"number"`
	From              civil.Date `gorm:"column:valid_from" json:"from"`
	To                civil.Date `gorm:"column:valid_to" json:"to"`
	Act               string     `gorm:"size:300" json:"act,omitempty"`
}

// Covers tells whether d lies inside the registration period [From, To].
func (r Registration) Covers(d civil.Date) bool {
	if r.From.IsZero() {
		return false
	}
	return !d.Before(r.From) && (r.To.IsZero() || !d.After(r.To))
}

// ParameterSet is a dated parameter table document as loaded from seed/.
type ParameterSet struct {
	Name     string    `gorm:"primaryKey;size:60"`
	Body     string    `gorm:"type:text;not null"`
	SHA256   string    `gorm:"column:sha256;size:64;not null"`
	LoadedAt time.Time `gorm:"not null"`
}

// StringList is a list stored as JSON text (the same on both databases).
type StringList []string

func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		l = StringList{}
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

func (l *StringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("StringList: cannot scan %T", src)
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// Has tells whether s is in the list.
func (l StringList) Has(s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Service serves the referential from memory after Load.
type Service struct {
	db  *gorm.DB
	now func() time.Time

	mu     sync.RWMutex
	certs  []Certification
	byCode map[string]*Certification
	comps  map[string]Component // by component code
	params law.Parameters

	refreshMu sync.Mutex   // one reload at a time
	version   atomic.Int64 // the referential_versions counter the memory copy reflects
}

// Options is what the service is built with.
type Options struct {
	DB  *gorm.DB
	Now func() time.Time
}

// NewService builds an empty service; call Load before serving.
func NewService(o Options) *Service {
	return &Service{db: o.DB, now: o.Now}
}

type seedFile struct {
	Certifications []struct {
		Certification
		Registrations []struct {
			Registry string `json:"registry"`
			Number   string `json:"number"`
			From     string `json:"from"`
			To       string `json:"to"`
			Act      string `json:"act"`
		} `json:"registrations"`
	} `json:"certifications"`
}

// Load writes the referential of fsys (seed/) into the database, replacing
// what differs and keeping the rest, in one transaction, then reads it back
// into memory. Running it again changes nothing.
func (s *Service) Load(ctx context.Context, fsys fs.FS) error {
	raw, err := fs.ReadFile(fsys, "referential.json")
	if err != nil {
		return fmt.Errorf("load referential: %w", err)
	}
	var sf seedFile
	if err := json.Unmarshal(raw, &sf); err != nil {
		return fmt.Errorf("load referential: referential.json: %w", err)
	}
	paramsRaw, err := fs.ReadFile(fsys, "parameters.json")
	if err != nil {
		return fmt.Errorf("load referential: %w", err)
	}
	if _, err := law.ParseParameters(paramsRaw); err != nil {
		return fmt.Errorf("load referential: parameters.json: %w", err)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		for _, c := range sf.Certifications {
			cert := c.Certification
			cert.Components, cert.Registrations = nil, nil
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Omit(clause.Associations).Create(&cert).Error; err != nil {
				return fmt.Errorf("certification %s: %w", cert.Code, err)
			}
			for i, comp := range c.Components {
				comp.CertificationCode, comp.Position = cert.Code, i+1
				if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&comp).Error; err != nil {
					return fmt.Errorf("component %s: %w", comp.Code, err)
				}
			}
			for _, r := range c.Registrations {
				reg := Registration{CertificationCode: cert.Code, Registry: r.Registry, Number: r.Number, Act: r.Act}
				if r.From != "" {
					if reg.From, err = civil.Parse(r.From); err != nil {
						return fmt.Errorf("registration %s: %w", r.Number, err)
					}
				}
				if r.To != "" {
					if reg.To, err = civil.Parse(r.To); err != nil {
						return fmt.Errorf("registration %s: %w", r.Number, err)
					}
				}
				if err := tx.Clauses(clause.OnConflict{
					Columns:   []clause.Column{{Name: "certification_code"}, {Name: "registry"}, {Name: "number"}},
					DoUpdates: clause.AssignmentColumns([]string{"valid_from", "valid_to", "act"}),
				}).Create(&reg).Error; err != nil {
					return fmt.Errorf("registration %s: %w", r.Number, err)
				}
			}
		}
		// The file as last loaded stays on record; the values engine reads
		// are the rows of parameter_values.
		sum := sha256.Sum256(paramsRaw)
		ps := ParameterSet{Name: "law", Body: string(paramsRaw), SHA256: hex.EncodeToString(sum[:]), LoadedAt: s.now().UTC()}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "name"}},
			DoUpdates: clause.AssignmentColumns([]string{"body", "sha256", "loaded_at"}),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "parameter_sets.sha256 <> excluded.sha256"}}},
		}).Create(&ps).Error; err != nil {
			return err
		}
		if _, err := s.seedParameters(tx, paramsRaw); err != nil {
			return fmt.Errorf("parameters.json: %w", err)
		}
		// Another replica may hold an older copy of the certifications.
		return bumpVersion(tx, s.now())
	})
	if err != nil {
		return fmt.Errorf("load referential: %w", err)
	}
	return s.Refresh(ctx)
}

// Refresh reads the referential from the database into memory.
func (s *Service) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	// The counter is read first: a change committed while the rest is read
	// leaves it behind, and the next Sync reads again.
	version, err := readVersion(ctx, s.db)
	if err != nil {
		return err
	}
	var certs []Certification
	err = s.db.WithContext(ctx).
		Preload("Components", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Preload("Registrations", func(tx *gorm.DB) *gorm.DB { return tx.Order("id") }).
		Order("code").Find(&certs).Error
	if err != nil {
		return fmt.Errorf("read referential: %w", err)
	}
	var rows []ParameterValue
	if err := s.db.WithContext(ctx).Order("param_table, valid_from").Find(&rows).Error; err != nil {
		return fmt.Errorf("read parameters: %w", err)
	}
	vals := make([]law.ParamValue, len(rows))
	for i, r := range rows {
		vals[i] = r.law()
	}
	params, err := law.AssembleParameters(vals)
	if err != nil {
		return fmt.Errorf("read parameters: %w", err)
	}
	// Clerc first, as in the official order of the branch.
	sort.SliceStable(certs, func(i, j int) bool { return certs[i].Short > certs[j].Short })
	byCode := map[string]*Certification{}
	comps := map[string]Component{}
	for i := range certs {
		byCode[certs[i].Code] = &certs[i]
		for _, c := range certs[i].Components {
			comps[c.Code] = c
		}
	}
	s.mu.Lock()
	s.certs, s.byCode, s.comps, s.params = certs, byCode, comps, params
	s.mu.Unlock()
	s.version.Store(version)
	return nil
}

// Certifications lists both CQPs.
func (s *Service) Certifications() []Certification {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.certs
}

// Certification returns one CQP by code.
func (s *Service) Certification(code string) (Certification, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.byCode[code]
	if !ok {
		return Certification{}, false
	}
	return *c, true
}

// Component returns a component by code, with its certification's code.
func (s *Service) Component(code string) (Component, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.comps[code]
	return c, ok
}

// LawParameters are the dated tables the rules engine reads.
func (s *Service) LawParameters() law.Parameters {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.params
}

// Migrations create the referential tables.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112303_referential",
		Migrate: func(tx *gorm.DB) error {
			type certification struct {
				Code                               string `gorm:"primaryKey;size:60"`
				Title                              string `gorm:"size:200;not null"`
				Short                              string `gorm:"size:20;not null"`
				NSF                                string `gorm:"column:nsf;size:20"`
				ROME                               string `gorm:"column:rome;size:20"`
				Formacode                          string `gorm:"size:20"`
				Branch                             string `gorm:"size:200"`
				Certifier                          string `gorm:"size:300"`
				Pathways                           string `gorm:"type:text"`
				ClosedPathways                     string `gorm:"type:text"`
				VAEAssessment                      string `gorm:"column:vae_assessment;type:text"`
				JuryMinMembers                     int
				JuryMinProfessionalRatio           string `gorm:"size:10"`
				JuryMinOrganisationRepresentatives int
				ComponentValidityYears             int `gorm:"not null"`
				UpdatedAt                          time.Time
			}
			type component struct {
				Code              string `gorm:"primaryKey;size:20"`
				CertificationCode string `gorm:"size:60;not null;index:idx_components_cert"`
				Title             string `gorm:"size:300;not null"`
				Position          int    `gorm:"not null"`
			}
			type registration struct {
				ID                int64   `gorm:"primaryKey"`
				CertificationCode string  `gorm:"size:60;not null;uniqueIndex:idx_registration"`
				Registry          string  `gorm:"size:40;not null;uniqueIndex:idx_registration"`
				Number            string  `gorm:"size:40;not null;uniqueIndex:idx_registration"`
				ValidFrom         *string `gorm:"type:date"`
				ValidTo           *string `gorm:"type:date"`
				Act               string  `gorm:"size:300"`
			}
			type parameterSet struct {
				Name     string    `gorm:"primaryKey;size:60"`
				Body     string    `gorm:"type:text;not null"`
				SHA256   string    `gorm:"column:sha256;size:64;not null"`
				LoadedAt time.Time `gorm:"not null"`
			}
			for name, m := range map[string]any{"certifications": &certification{}, "components": &component{},
				"registrations": &registration{}, "parameter_sets": &parameterSet{}} {
				if err := tx.Table(name).AutoMigrate(m); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			return nil
		},
	}, parametersMigration()}
}
