package certificates

import (
	"fmt"

	"github.com/ancr/cqp/internal/civil"
	"gorm.io/gorm"
)

// Registered is a certificate (the whole CQP) in force whose signed
// document mentions a registration in a registry: what the SI CPF flow
// declares (internal/accrochage).
type Registered struct {
	ID, Number, CandidateID, Certification string
	IssuedOn                               civil.Date
	// AwardedOn is the day the jury awarded the certification (the issue
	// date for a document that does not say).
	AwardedOn      civil.Date
	RegistryNumber string
}

// RegisteredIn lists, oldest first, the certificates in force (neither
// revoked nor replaced) issued from `from` to `to` inclusive (a zero date
// leaves that end open) whose document mentions the registry: a
// certificate issued while the registration had lapsed mentions none and is
// left out, as it was awarded outside the registration.
func RegisteredIn(tx *gorm.DB, registry string, from, to civil.Date) ([]Registered, error) {
	q := tx.Model(&Record{}).Select("id, number, candidate_id, certification, issued_on, body").
		Where("kind = ? AND revoked_at IS NULL AND superseded_by IS NULL", KindCertificate)
	if !from.IsZero() {
		q = q.Where("issued_on >= ?", from)
	}
	if !to.IsZero() {
		q = q.Where("issued_on <= ?", to)
	}
	rows, err := q.Order("issued_on, number").Rows()
	if err != nil {
		return nil, fmt.Errorf("registered certificates: %w", err)
	}
	defer rows.Close()
	out := []Registered{}
	for rows.Next() { // one row at a time: the bodies are not all held at once
		var r Record
		if err := tx.ScanRows(rows, &r); err != nil {
			return nil, fmt.Errorf("registered certificates: %w", err)
		}
		d, err := r.Document()
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", r.Number, err)
		}
		if d.Registration == nil || d.Registration.Registry != registry {
			continue
		}
		awarded := r.IssuedOn
		if d.AwardedOn != nil {
			awarded = *d.AwardedOn
		}
		out = append(out, Registered{ID: r.ID, Number: r.Number, CandidateID: r.CandidateID,
			Certification: r.Certification, IssuedOn: r.IssuedOn, AwardedOn: awarded, RegistryNumber: d.Registration.Number})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registered certificates: %w", err)
	}
	return out, nil
}
