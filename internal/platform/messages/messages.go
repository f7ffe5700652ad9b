// Package messages is the transactional outbox: every message to a person
// (invitation, convocation, result, reminder…) is rendered and written in the
// same transaction as the event that causes it, then delivered over SMTP by a
// durable background job with retries. Without an SMTP server the messages
// are still written, as not_configured, so that nothing is lost and
// administrators see what would have been sent.
package messages

import (
	"encoding/json"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Kinds of message (the API's outbox, docs/architecture.md "Messages"). Every kind has a
// French and an English template under templates/.
const (
	KindInvitation           = "invitation"
	KindPasswordReset        = "password_reset"
	KindPasswordChanged      = "password_changed"
	KindJuryConvocation      = "jury_convocation"
	KindCandidateConvocation = "candidate_convocation"
	KindVAEAdmissibility     = "vae_admissibility"
	KindResults              = "results"
	KindCertificateIssued    = "certificate_issued"
	KindExpiryReminder       = "expiry_reminder"
	KindJuryPending          = "jury_pending"
	// KindVAEDeadline reminds administrators of a VAE request whose
	// two-month deadline nears (an extension of the contract's kinds).
	KindVAEDeadline = "vae_deadline"
	// KindAccrochageDue reminds administrators of certificates not yet
	// declared to the SI CPF two and a half months after issuance.
	KindAccrochageDue = "accrochage_due"
)

// Kinds lists every kind the contract names, for filters and checks.
var Kinds = []string{KindInvitation, KindPasswordReset, KindPasswordChanged, KindJuryConvocation,
	KindCandidateConvocation, KindVAEAdmissibility, KindResults, KindCertificateIssued, KindExpiryReminder,
	KindJuryPending, KindVAEDeadline, KindAccrochageDue}

// Statuses of a message.
const (
	StatusPending       = "pending"        // waiting for (another) delivery attempt
	StatusSent          = "sent"           // accepted by the SMTP server
	StatusFailed        = "failed"         // refused for good, or attempts exhausted
	StatusNotConfigured = "not_configured" // no SMTP server configured: kept, not sent
)

// Message is one row of the outbox: what was (or will be) sent, to whom,
// and how delivery went.
type Message struct {
	ID       string  `gorm:"primaryKey;size:36" json:"id"`
	To       string  `gorm:"column:to_email;size:254;not null;index" json:"to"`
	ToName   string  `gorm:"size:200" json:"to_name"`
	UserID   *string `gorm:"size:36;index" json:"user_id,omitempty"`
	Kind     string  `gorm:"size:40;not null;index" json:"kind"`
	Lang     string  `gorm:"size:2;not null" json:"lang"`
	Subject  string  `gorm:"size:300;not null" json:"subject"`
	TextBody string  `gorm:"type:text;not null" json:"-"`
	HTMLBody string  `gorm:"type:text;not null" json:"-"`
	// Calendar is the .ics attached (convocations), empty otherwise.
	Calendar string `gorm:"type:text" json:"-"`
	// DedupeKey makes a message once-only (a reminder per component and
	// threshold): a second message with the same key is not written.
	DedupeKey *string    `gorm:"size:200;uniqueIndex" json:"-"`
	Status    string     `gorm:"size:20;not null;index" json:"status"`
	Attempts  int        `gorm:"not null;default:0" json:"attempts"`
	LastError string     `gorm:"size:2000" json:"last_error"`
	CreatedAt time.Time  `gorm:"index" json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
	UpdatedAt time.Time  `json:"-"`
}

// TableName fixes the table's name.
func (Message) TableName() string { return "messages" }

// Detail is a message with its bodies, for the administrators' page.
type Detail struct{ Message }

// MarshalJSON keeps Detail's bodies next to the message's fields.
func (d Detail) MarshalJSON() ([]byte, error) {
	type plain Message
	return json.Marshal(struct {
		plain
		Text     string `json:"text"`
		HTML     string `json:"html"`
		Calendar string `json:"calendar,omitempty"`
	}{plain(d.Message), d.TextBody, d.HTMLBody, d.Message.Calendar})
}

// Migrations create the outbox.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026120502_messages_outbox",
		Migrate: func(tx *gorm.DB) error {
			type message struct {
				ID        string    `gorm:"primaryKey;size:36"`
				ToEmail   string    `gorm:"size:254;not null;index:idx_messages_to"`
				ToName    string    `gorm:"size:200"`
				UserID    *string   `gorm:"size:36;index:idx_messages_user"`
				Kind      string    `gorm:"size:40;not null;index:idx_messages_kind"`
				Lang      string    `gorm:"size:2;not null"`
				Subject   string    `gorm:"size:300;not null"`
				TextBody  string    `gorm:"type:text;not null"`
				HTMLBody  string    `gorm:"type:text;not null"`
				Calendar  string    `gorm:"type:text"`
				DedupeKey *string   `gorm:"size:200;uniqueIndex:idx_messages_dedupe"`
				Status    string    `gorm:"size:20;not null;index:idx_messages_status"`
				Attempts  int       `gorm:"not null;default:0"`
				LastError string    `gorm:"size:2000"`
				CreatedAt time.Time `gorm:"index:idx_messages_created"`
				SentAt    *time.Time
				UpdatedAt time.Time
			}
			return tx.Table("messages").AutoMigrate(&message{})
		},
	}}
}
