// Package candidates holds the people who train for and sit the CQPs: their
// records, enrollments by pathway, cohorts, and the component ledger written
// by jury decisions (what each candidate has acquired, and until when).
package candidates

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/httpx"
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
	Identity
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

// Identity is what the Caisse des Dépôts needs to recognise a holder in
// the SI CPF flow (internal/accrochage). Every field is optional until an
// export needs it: a holder without them is listed as to be completed.
type Identity struct {
	Sex       string `gorm:"size:1;not null;default:''" json:"sex" validate:"omitempty,oneof=F M"`
	BirthName string `gorm:"size:100;not null;default:''" json:"birth_name" validate:"omitempty,max=100,personname"`
	UsageName string `gorm:"size:100;not null;default:''" json:"usage_name" validate:"omitempty,max=100,personname"`
	// BirthPlace is the commune (or town abroad) in words.
	BirthPlace string `gorm:"size:100;not null;default:''" json:"birth_place" validate:"max=100"`
	// BirthPlaceINSEE is the commune's INSEE code (2A/2B in Corsica) or,
	// for a birth abroad, 99 and the country's INSEE code;
	// BirthPostalCode stands in when the INSEE code is not known.
	BirthPlaceINSEE string `gorm:"column:birth_place_insee;size:5;not null;default:''" json:"birth_place_insee" validate:"omitempty,len=5"`
	BirthPostalCode string `gorm:"size:5;not null;default:''" json:"birth_postal_code" validate:"omitempty,numeric,len=5"`
	// BirthCountry is the ISO 3166 alpha-2 code ("FR").
	BirthCountry string `gorm:"size:2;not null;default:''" json:"birth_country" validate:"omitempty,iso3166_1_alpha2"`
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
		audit.Field{Name: "employer", Old: before.Employer, New: after.Employer},
		audit.Field{Name: "sex", Old: before.Sex, New: after.Sex},
		audit.Field{Name: "birth_name", Old: before.BirthName, New: after.BirthName},
		audit.Field{Name: "usage_name", Old: before.UsageName, New: after.UsageName},
		audit.Field{Name: "birth_place", Old: before.BirthPlace, New: after.BirthPlace},
		audit.Field{Name: "birth_place_insee", Old: before.BirthPlaceINSEE, New: after.BirthPlaceINSEE},
		audit.Field{Name: "birth_postal_code", Old: before.BirthPostalCode, New: after.BirthPostalCode},
		audit.Field{Name: "birth_country", Old: before.BirthCountry, New: after.BirthCountry})
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

// clean trims the identity and puts its codes in their canonical case.
func (id Identity) clean() Identity {
	id.Sex = strings.ToUpper(strings.TrimSpace(id.Sex))
	id.BirthName = strings.TrimSpace(id.BirthName)
	id.UsageName = strings.TrimSpace(id.UsageName)
	id.BirthPlace = strings.TrimSpace(id.BirthPlace)
	id.BirthPlaceINSEE = strings.ToUpper(strings.TrimSpace(id.BirthPlaceINSEE))
	id.BirthPostalCode = strings.TrimSpace(id.BirthPostalCode)
	id.BirthCountry = strings.ToUpper(strings.TrimSpace(id.BirthCountry))
	return id
}

// check applies what the tags cannot say: the INSEE code's form, and its
// agreement with the country of birth (a birth abroad is coded 99 and the
// country's code; in France, the commune's).
func (id Identity) check(prefix string) []httpx.FieldError {
	id = id.clean()
	var fs []httpx.FieldError
	if c := id.BirthPlaceINSEE; c != "" {
		abroad := strings.HasPrefix(c, "99")
		switch {
		case !ValidINSEE(c):
			fs = append(fs, httpx.Field(prefix+"birth_place_insee",
				"Le code INSEE du lieu de naissance a cinq caractères : celui de la commune (2A ou 2B en Corse), ou 99 suivi du code du pays pour une naissance à l'étranger.",
				"The INSEE code of the birth place has five characters: the commune's (2A or 2B in Corsica), or 99 and the country's code for a birth abroad."))
		case id.BirthCountry == "FR" && abroad:
			fs = append(fs, httpx.Field(prefix+"birth_place_insee",
				"Naissance en France : le code INSEE est celui de la commune, il ne commence pas par 99.",
				"Born in France: the INSEE code is the commune's and does not start with 99."))
		case id.BirthCountry != "" && id.BirthCountry != "FR" && !abroad:
			fs = append(fs, httpx.Field(prefix+"birth_place_insee",
				"Naissance à l'étranger : le code INSEE est 99 suivi du code du pays (99134 pour l'Espagne, par exemple).",
				"Born abroad: the INSEE code is 99 and the country's code (99134 for Spain, for instance)."))
		}
	}
	return fs
}

var inseeRE = regexp.MustCompile(`^([0-9]{5}|2[AB][0-9]{3})$`)

// ValidINSEE tells whether code is an INSEE place code: a commune (2A/2B in
// Corsica) or, for a birth abroad, 99 and the country's code.
func ValidINSEE(code string) bool { return inseeRE.MatchString(code) }
