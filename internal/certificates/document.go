package certificates

import (
	"encoding/json"
	"time"

	"github.com/ancr/cqp/internal/civil"
)

// Document is an issued certificate or attestation exactly as it was signed:
// the body of POST /candidates/{id}/certificates, the file `cqp certificates
// verify` checks, and the only source of its PDF. Every field is covered by
// the signature (the canonical JSON of the document without "signature"),
// so it holds nothing that may change later: status lives in Record.
type Document struct {
	Number             string           `json:"number"`
	Kind               string           `json:"kind"`
	Certification      string           `json:"certification"`
	CertificationTitle string           `json:"certification_title"`
	Codes              Codes            `json:"codes"`
	Registration       *RegistryMention `json:"registration,omitempty"`
	Certifier          string           `json:"certifier"`
	Holder             Holder           `json:"holder"`
	IssuedOn           civil.Date       `json:"issued_on"`
	AwardedOn          *civil.Date      `json:"awarded_on,omitempty"`
	Components         []ComponentLine  `json:"components"`
	VerificationURL    string           `json:"verification_url"`
	Supersedes         string           `json:"supersedes,omitempty"`
	Issuer             string           `json:"issuer"`
	KID                string           `json:"kid"`
	Signature          string           `json:"signature,omitempty"`
}

// Codes are the certification's classification codes printed on the PDF.
type Codes struct {
	NSF       string `json:"nsf,omitempty"`
	ROME      string `json:"rome,omitempty"`
	Formacode string `json:"formacode,omitempty"`
}

// RegistryMention is the registry entry a certificate may claim.
type RegistryMention struct {
	Registry string `json:"registry"`
	Number   string `json:"number"`
}

// Holder is the person the document was issued to, as named on that day.
type Holder struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// ComponentLine is one acquired component on a document.
type ComponentLine struct {
	Code       string     `json:"code"`
	Title      string     `json:"title"`
	AcquiredOn civil.Date `json:"acquired_on"`
	ExpiresOn  civil.Date `json:"expires_on"`
}

// Record is a document's row: the signed body as issued, plus what may
// happen to it afterwards (superseded by a newer document, revoked). Rows
// are never deleted.
type Record struct {
	ID            string     `gorm:"primaryKey;size:36"`
	Number        string     `gorm:"size:40;not null;uniqueIndex"`
	Kind          string     `gorm:"size:30;not null"`
	CandidateID   string     `gorm:"size:36;not null;index:idx_certificates_candidate"`
	Certification string     `gorm:"size:60;not null;index:idx_certificates_candidate"`
	IssuedOn      civil.Date `gorm:"not null"`
	// StateHash identifies the ledger state the document was issued from
	// (kind, award date, components and their dates, holder's names):
	// issuing again from the same state returns this document.
	StateHash string `gorm:"size:64;not null"`
	// Body is the signed Document (canonical JSON with its signature);
	// Credentials the signed Open Badges credentials issued with it.
	Body             string     `gorm:"type:text;not null"`
	Credentials      string     `gorm:"type:text;not null"`
	KID              string     `gorm:"column:kid;size:40;not null"`
	SupersedesID     *string    `gorm:"size:36;uniqueIndex:idx_certificates_supersedes"`
	SupersededBy     *string    `gorm:"size:36"`
	RevokedAt        *time.Time `gorm:""`
	RevokedBy        *string    `gorm:"size:36"`
	RevocationReason string     `gorm:"type:text"`
	CreatedBy        string     `gorm:"size:36;not null"`
	CreatedAt        time.Time
}

// TableName keeps the table's name stable.
func (Record) TableName() string { return "certificates" }

// Document decodes the signed body.
func (r Record) Document() (Document, error) {
	var d Document
	err := json.Unmarshal([]byte(r.Body), &d)
	return d, err
}

// Counter is the last sequence number given for a number prefix and year
// ("CQP-CLERC", 2026). It is incremented in the issuing transaction, so a
// rolled-back issuance gives its number back: no gaps, no duplicates.
type Counter struct {
	Prefix string `gorm:"primaryKey;size:30"`
	Year   int    `gorm:"primaryKey;autoIncrement:false"`
	Last   int64  `gorm:"not null"`
}

// TableName keeps the table's name stable.
func (Counter) TableName() string { return "certificate_counters" }
