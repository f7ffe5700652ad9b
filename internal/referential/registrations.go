package referential

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// RegistrationInput is a registration period as an administrator records
// it (POST /certifications/{code}/registrations). Dates are text so that an
// unreadable one is a field error among the others.
type RegistrationInput struct {
	Registry string `json:"registry"`
	Number   string `json:"number"`
	From     string `json:"from"`
	To       string `json:"to"`
	Act      string `json:"act"`
}

// registrationLockKey serialises additions on PostgreSQL (the overlap check
// reads before it writes).
const registrationLockKey = 7_426_331_021

// AddRegistration records a registration period of a certification: from
// on or before to, no overlap with another period of the same registry
// (409 registration_overlap), audited, and seen at once by the
// certificates, the VAE and the SI CPF flow on every replica.
func (s *Service) AddRegistration(ctx context.Context, actor auth.User, code string, in RegistrationInput) (Registration, error) {
	if _, ok := s.Certification(code); !ok {
		return Registration{}, httpx.NotFound("Certification inconnue.", "Unknown certification.")
	}
	reg, fields := checkRegistration(code, in)
	if len(fields) > 0 {
		return Registration{}, httpx.Invalid(fields...)
	}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := database.Lock(tx, registrationLockKey); err != nil {
			return err
		}
		var rows []Registration
		if err := tx.Where("certification_code = ? AND registry = ?", code, reg.Registry).Find(&rows).Error; err != nil {
			return fmt.Errorf("read registrations: %w", err)
		}
		for _, r := range rows {
			if r.Number == reg.Number {
				return httpx.Conflict("registration_overlap",
					"Cette certification a déjà un enregistrement "+r.Registry+" n° "+r.Number+".",
					"This certification already has "+r.Registry+" registration "+r.Number+".")
			}
			if r.overlaps(reg) {
				return httpx.Conflict("registration_overlap",
					"La période recoupe l'enregistrement "+r.Registry+" n° "+r.Number+" ("+periodFR(r)+").",
					"The period overlaps "+r.Registry+" registration "+r.Number+".")
			}
		}
		if err := tx.Create(&reg).Error; err != nil {
			return fmt.Errorf("add registration: %w", err)
		}
		if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "certification.registration.add",
			Entity: "certification", EntityID: code, After: reg}); err != nil {
			return err
		}
		return bumpVersion(tx, s.now())
	})
	if err != nil {
		return Registration{}, err
	}
	s.syncAfterWrite(ctx)
	return reg, nil
}

func checkRegistration(code string, in RegistrationInput) (Registration, []httpx.FieldError) {
	var fields []httpx.FieldError
	reg := Registration{CertificationCode: code, Registry: strings.TrimSpace(in.Registry),
		Number: strings.TrimSpace(in.Number), Act: strings.TrimSpace(in.Act)}
	text := func(field, v string, max int) {
		switch {
		case v == "":
			fields = append(fields, httpx.Field(field, "Ce champ est obligatoire.", field+" is required."))
		case utf8.RuneCountInString(v) > max:
			fields = append(fields, httpx.Field(field, fmt.Sprintf("Au plus %d caractères.", max), fmt.Sprintf("At most %d characters.", max)))
		}
	}
	text("registry", reg.Registry, 40)
	text("number", reg.Number, 40)
	if utf8.RuneCountInString(reg.Act) > 300 {
		fields = append(fields, httpx.Field("act", "Au plus 300 caractères.", "At most 300 characters."))
	}
	date := func(field, v string, required bool) (civil.Date, bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			if required {
				fields = append(fields, httpx.Field(field, "La date est obligatoire.", field+" is required."))
			}
			return civil.Date{}, !required
		}
		d, err := civil.Parse(v)
		if err != nil || d.Year < 1990 || d.Year > 2200 {
			fields = append(fields, httpx.Field(field, "Date invalide : attendu AAAA-MM-JJ.", "Invalid date: expected YYYY-MM-DD."))
			return civil.Date{}, false
		}
		return d, true
	}
	from, fromOK := date("from", in.From, true)
	to, toOK := date("to", in.To, false)
	if fromOK && toOK && !to.IsZero() && to.Before(from) {
		fields = append(fields, httpx.Field("to", "La fin de l'enregistrement précède son début.", "to is before from."))
	}
	reg.From, reg.To = from, to
	return reg, fields
}

// overlaps tells whether two periods share a day; a period without a first
// day (an archived entry) holds none, one without a last day runs on.
func (r Registration) overlaps(o Registration) bool {
	if r.From.IsZero() || o.From.IsZero() {
		return false
	}
	endsBefore := func(a, b Registration) bool { return !a.To.IsZero() && a.To.Before(b.From) }
	return !endsBefore(r, o) && !endsBefore(o, r)
}

func periodFR(r Registration) string {
	if r.To.IsZero() {
		return "depuis le " + r.From.String()
	}
	return "du " + r.From.String() + " au " + r.To.String()
}
