// Package candidates holds the people who train for and sit the CQPs: their
// records, enrollments by pathway, cohorts, and the component ledger written
// by jury decisions (what each candidate has acquired, and until when).
package candidates

import (
	"strings"
	"time"
	"unicode"

	"github.com/ancr/cqp/internal/civil"
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
