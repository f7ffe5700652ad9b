// Package candidates holds the people who train for and sit the CQPs: their
// records, enrollments by pathway, cohorts, and the component ledger written
// by jury decisions (what each candidate has acquired, and until when).
package candidates

import (
	"strings"
	"time"
	"unicode"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Candidate is a person in training or in VAE.
type Candidate struct {
	ID                   string     `gorm:"primaryKey;size:36" json:"id"`
	FirstName            string     `gorm:"size:100;not null" json:"first_name"`
	LastName             string     `gorm:"size:100;not null" json:"last_name"`
	BirthDate            civil.Date `json:"birth_date"`
	Email                string     `gorm:"size:254" json:"email"`
	Employer             string     `gorm:"size:200" json:"employer"`
	TrainingOrganisation string     `gorm:"size:200" json:"training_organisation"`
	// Search is the lower-case, accent-free text searched by ?q= (the same
	// on SQLite and PostgreSQL, where LIKE differs in case handling).
	Search          string     `gorm:"size:800;not null;index" json:"-"`
	PseudonymisedAt *time.Time `json:"pseudonymised_at,omitempty"`
	// CreatedBy lets a trainer keep seeing a trainee they recorded before
	// the trainee joins one of their cohorts.
	CreatedBy string    `gorm:"size:36;not null;default:''" json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// journalView is what the audit journal keeps of a candidate: the record's
// id and what is not personal, and which personal fields changed, never
// their values. The journal cannot be edited (it is a hash chain), so
// nothing in it could be erased when a candidate asks to be forgotten: the
// record itself holds the values, and pseudonymisation erases them there.
type journalView struct {
	ID                   string   `json:"id"`
	TrainingOrganisation string   `json:"training_organisation,omitempty"`
	Changed              []string `json:"changed,omitempty"`
}

func (c Candidate) journal() journalView {
	return journalView{ID: c.ID, TrainingOrganisation: c.TrainingOrganisation}
}

// journalChange is the journal's before and after of an update: the
// personal fields that changed are named on the after side.
func journalChange(before, after Candidate) (journalView, journalView) {
	a := after.journal()
	a.Changed = audit.Changed(audit.Field{Name: "first_name", Old: before.FirstName, New: after.FirstName},
		audit.Field{Name: "last_name", Old: before.LastName, New: after.LastName},
		audit.Field{Name: "birth_date", Old: before.BirthDate.String(), New: after.BirthDate.String()},
		audit.Field{Name: "email", Old: before.Email, New: after.Email},
		audit.Field{Name: "employer", Old: before.Employer, New: after.Employer})
	return before.journal(), a
}

// FullName is "Prénom Nom".
func (c Candidate) FullName() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// Fold lower-cases s and strips its accents: "Éloïse" → "eloise".
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss", "ł", "l", "Ł", "l").Replace(out)
	return strings.ToLower(strings.Join(strings.Fields(out), " "))
}

// searchText is what ?q= matches: names, email and employer.
func (c Candidate) searchText() string {
	return Fold(strings.Join([]string{c.FirstName, c.LastName, c.Email, c.Employer}, " "))
}
