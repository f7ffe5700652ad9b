package candidates

import (
	"fmt"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/messages"
	"gorm.io/gorm"
)

// Recipient is where a candidate's messages go, read in tx: their account's
// address and language when they have an active account, else the address
// of their record (in French). ok is false for a candidate with no address,
// or pseudonymised: nothing is sent to them.
func Recipient(tx *gorm.DB, candidateID string) (to messages.Recipient, ok bool, err error) {
	var acc auth.User
	err = tx.Where("candidate_id = ? AND disabled_at IS NULL", candidateID).Limit(1).Find(&acc).Error
	if err != nil {
		return to, false, fmt.Errorf("candidate %s recipient: %w", candidateID, err)
	}
	if acc.ID != "" && acc.Email != "" {
		return messages.Recipient{UserID: acc.ID, Email: acc.Email, Name: acc.Name, Lang: acc.Locale}, true, nil
	}
	var c Candidate
	if err := tx.Where("id = ?", candidateID).Take(&c).Error; err != nil {
		return to, false, fmt.Errorf("candidate %s recipient: %w", candidateID, err)
	}
	if c.Email == "" || c.PseudonymisedAt != nil {
		return to, false, nil
	}
	return messages.Recipient{Email: c.Email, Name: c.FullName(), Lang: "fr"}, true, nil
}
