package candidates

import (
	"time"

	"github.com/ancr/cqp/internal/civil"
)

// Decision is one jury decision on one component for one candidate: the
// ledger the component statuses, certificates and attestations are read from.
// Rows are never updated in substance: a correction is a new row that
// supersedes the old one (SupersedesID), with its reason.
type Decision struct {
	ID             string     `gorm:"primaryKey;size:36" json:"id"`
	CandidateID    string     `gorm:"size:36;not null;index:idx_decisions_candidate" json:"candidate_id"`
	Certification  string     `gorm:"size:60;not null" json:"certification"`
	Component      string     `gorm:"size:20;not null;index:idx_decisions_candidate" json:"component"`
	Outcome        string     `gorm:"column:decision;size:20;not null" json:"decision"` // validated | not_validated
	DecidedOn      civil.Date `gorm:"not null" json:"decided_on"`
	Reason         string     `gorm:"type:text" json:"reason,omitempty"`
	JuryID         *string    `gorm:"size:36;index" json:"jury_id,omitempty"`
	DeliberationID *string    `gorm:"size:36;index" json:"deliberation_id,omitempty"`
	SupersedesID   *string    `gorm:"size:36;index" json:"supersedes_id,omitempty"`
	SupersededBy   *string    `gorm:"size:36" json:"superseded_by,omitempty"`
	// Final is set when the jury's minutes are signed; certificates are
	// issued from final decisions only.
	Final     bool      `gorm:"not null;default:false" json:"final"`
	CreatedBy string    `gorm:"size:36;not null" json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName keeps the ledger's name stable.
func (Decision) TableName() string { return "component_decisions" }

// Outcomes.
const (
	Validated    = "validated"
	NotValidated = "not_validated"
)

// Component statuses of the API contract.
const (
	StatusAcquired    = "acquired"
	StatusExpired     = "expired"
	StatusNotAcquired = "not_acquired"
)

// ValidityYears is how long an acquired component stays valid (docs/domain.md §3).
// The referential carries it per certification; this is the rule's shape.
//
// ExpiresOn is the day a component acquired on `acquired` stops being valid:
// the same day number `years` later, or that month's last day when it has no
// such day (2024-02-29 + 5 years → 2029-02-28, CPC art. 641 al. 2).
func ExpiresOn(acquired civil.Date, years int) civil.Date { return acquired.AddYears(years) }

// ValidOn tells whether a component acquired on `acquired` is valid on d:
// acquired <= d < expires (a half-open period).
func ValidOn(acquired civil.Date, years int, d civil.Date) bool {
	return !d.Before(acquired) && d.Before(ExpiresOn(acquired, years))
}

// ComponentStatus is one line of GET /candidates/{id}/components.
type ComponentStatus struct {
	// Certification is set by Service.Ledger (Statuses leaves it empty).
	Certification string     `json:"certification,omitempty"`
	Component     string     `json:"component"`
	Status        string     `json:"status"`
	AcquiredOn    civil.Date `json:"acquired_on"`
	ExpiresOn     civil.Date `json:"expires_on"`
}

// Statuses computes, purely, each component's status on asOf from the
// decisions in force (superseded rows removed by the caller): the latest
// validation on or before asOf starts the period that counts ("a component
// acquired again starts a new period").
func Statuses(components []string, decisions []Decision, years int, asOf civil.Date) []ComponentStatus {
	out := make([]ComponentStatus, 0, len(components))
	for _, code := range components {
		st := ComponentStatus{Component: code, Status: StatusNotAcquired}
		var latest civil.Date
		for _, d := range decisions {
			if d.Component != code || d.Outcome != Validated || d.SupersededBy != nil || d.DecidedOn.After(asOf) {
				continue
			}
			if latest.IsZero() || d.DecidedOn.After(latest) {
				latest = d.DecidedOn
			}
		}
		if !latest.IsZero() {
			st.AcquiredOn, st.ExpiresOn = latest, ExpiresOn(latest, years)
			st.Status = StatusExpired
			if ValidOn(latest, years, asOf) {
				st.Status = StatusAcquired
			}
		}
		out = append(out, st)
	}
	return out
}
