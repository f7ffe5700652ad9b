package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
)

// TOTP is an account's second factor (RFC 6238, 30-second steps, 6 digits,
// what authenticator applications use). The secret is sealed with the
// master key (sealTOTP): a copy of the table passes no second factor.
type TOTP struct {
	UserID    string     `gorm:"primaryKey;size:36"`
	Secret    string     `gorm:"type:text;not null"`
	EnabledAt *time.Time // nil while enrolment awaits its first code
	// LastStep is the last 30-second step a code was accepted for: a code
	// seen once is refused afterwards (no replay within its window).
	LastStep int64 `gorm:"not null;default:0"`
	// Recovery holds the hashes of the unused recovery codes (JSON list).
	Recovery  string `gorm:"type:text;not null;default:'[]'"`
	CreatedAt time.Time
}

// TableName fixes the table's name.
func (TOTP) TableName() string { return "user_totp" }

// TOTPRoles may use a second factor (the accounts that decide).
func TOTPRoles() []string { return []string{RoleAdmin, RoleJury} }

// Enrolment is what an account needs to add the platform to its
// authenticator application.
type Enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// EnrolTOTP starts (or restarts) enrolment: a new secret, not enabled until
// ConfirmTOTP receives a code made from it.
func (s *Service) EnrolTOTP(ctx context.Context, u User) (Enrolment, error) {
	if !u.Is(TOTPRoles()...) {
		return Enrolment{}, httpx.Forbidden("La double authentification est proposée aux administrateurs et aux membres de jury.",
			"Two-factor authentication is offered to administrators and jury members.")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "CQP Recouvrement", AccountName: u.Email})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp: %w", err)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var cur TOTP
		err := tx.Where("user_id = ?", u.ID).Take(&cur).Error
		if err == nil && cur.EnabledAt != nil {
			return httpx.Conflict("conflict", "La double authentification est déjà active : désactivez-la d'abord.",
				"Two-factor authentication is already on: turn it off first.")
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&TOTP{}).Error; err != nil {
			return err
		}
		return tx.Create(&TOTP{UserID: u.ID, Secret: s.sealTOTP(u.ID, key.Secret()), Recovery: "[]", CreatedAt: s.now().UTC()}).Error
	})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP turns the second factor on with a first code, and returns ten
// single-use recovery codes, shown this once.
func (s *Service) ConfirmTOTP(ctx context.Context, u User, code string) ([]string, error) {
	var codes []string
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var t TOTP
		if err := tx.Where("user_id = ? AND enabled_at IS NULL", u.ID).Take(&t).Error; err != nil {
			if database.IsNotFound(err) {
				return httpx.Conflict("conflict", "Aucune inscription en cours.", "No enrolment in progress.")
			}
			return err
		}
		step, ok := s.checkCode(t, code)
		if !ok {
			return httpx.Invalid(httpx.Field("code", "Code incorrect : saisissez les 6 chiffres affichés par l'application.",
				"Wrong code: enter the 6 digits the application shows."))
		}
		hashes := make([]string, 10)
		codes = make([]string, 10)
		for i := range codes {
			b := make([]byte, 5)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			codes[i] = fmt.Sprintf("%x-%x", b[:2], b[2:])
			hashes[i] = hashToken(codes[i])
		}
		raw, _ := json.Marshal(hashes)
		now := s.now().UTC()
		if err := tx.Model(&TOTP{}).Where("user_id = ?", u.ID).Updates(map[string]any{"enabled_at": now, "last_step": step, "recovery": string(raw)}).Error; err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: u.ID, Action: "user.totp_on", Entity: "user", EntityID: u.ID})
	})
	return codes, err
}

// DisableTOTP turns the second factor off, given the account's password.
func (s *Service) DisableTOTP(ctx context.Context, u User, password string) error {
	var stored User
	if err := s.db.WithContext(ctx).Where("id = ?", u.ID).Take(&stored).Error; err != nil {
		return err
	}
	if !CheckPassword(password, stored.PasswordHash) {
		return httpx.Invalid(httpx.Field("password", "Mot de passe incorrect.", "Wrong password."))
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", u.ID).Delete(&TOTP{}).Error; err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: u.ID, Action: "user.totp_off", Entity: "user", EntityID: u.ID})
	})
}

// TOTPEnabled tells whether the account has its second factor on.
func (s *Service) TOTPEnabled(ctx context.Context, userID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&TOTP{}).Where("user_id = ? AND enabled_at IS NOT NULL", userID).Count(&n).Error
	return n > 0, err
}

// checkCode finds the step a 6-digit code was made for, within one step
// either side of now (clocks drift), and later than the last one used.
func (s *Service) checkCode(t TOTP, code string) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	secret, err := s.openTOTP(t)
	if err != nil {
		return 0, false
	}
	now := s.now().UTC()
	for _, d := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		at := now.Add(d)
		want, err := totp.GenerateCode(secret, at)
		if err != nil {
			return 0, false
		}
		step := at.Unix() / 30
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > t.LastStep {
			return step, true
		}
	}
	return 0, false
}

// secondFactor checks the login's code (a TOTP code or a recovery code) in
// tx for an account with the factor on: nil when it holds.
func (s *Service) secondFactor(tx *gorm.DB, u User, code string) error {
	var t TOTP
	err := tx.Where("user_id = ? AND enabled_at IS NOT NULL", u.ID).Take(&t).Error
	if database.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("second factor: %w", err)
	}
	if strings.TrimSpace(code) == "" {
		return httpx.New(401, "otp_required", "Saisissez le code de votre application d'authentification.",
			"Enter the code from your authenticator application.")
	}
	if step, ok := s.checkCode(t, code); ok {
		res := tx.Model(&TOTP{}).Where("user_id = ? AND last_step < ?", u.ID, step).Update("last_step", step)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return nil
		}
	}
	var hashes []string
	_ = json.Unmarshal([]byte(t.Recovery), &hashes)
	h := hashToken(strings.ToLower(strings.TrimSpace(code)))
	for i, x := range hashes {
		if subtle.ConstantTimeCompare([]byte(x), []byte(h)) == 1 {
			rest := append(hashes[:i:i], hashes[i+1:]...)
			raw, _ := json.Marshal(rest)
			if err := tx.Model(&TOTP{}).Where("user_id = ?", u.ID).Update("recovery", string(raw)).Error; err != nil {
				return err
			}
			return audit.Record(tx, s.now(), audit.Event{ActorID: u.ID, Action: "user.recovery_code", Entity: "user", EntityID: u.ID,
				After: map[string]int{"left": len(rest)}})
		}
	}
	return httpx.New(401, "otp_invalid", "Code d'authentification incorrect ou déjà utilisé.", "Wrong or already used authentication code.")
}

// sealedPrefix marks a sealed secret; the first TOTP version kept secrets
// in clear, which SealTOTPSecrets seals at start.
const sealedPrefix = "sealed:"

func totpLabel(userID string) string { return "totp:" + userID }

func (s *Service) sealTOTP(userID, secret string) string {
	return sealedPrefix + base64.StdEncoding.EncodeToString(s.secrets.Seal([]byte(secret), totpLabel(userID)))
}

func (s *Service) openTOTP(t TOTP) (string, error) {
	raw, ok := strings.CutPrefix(t.Secret, sealedPrefix)
	if !ok {
		return t.Secret, nil // from before sealing, until SealTOTPSecrets runs
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", fmt.Errorf("totp %s: %w", t.UserID, err)
	}
	plain, err := s.secrets.Open(b, totpLabel(t.UserID))
	if err != nil {
		return "", fmt.Errorf("totp %s: %w", t.UserID, err)
	}
	return string(plain), nil
}

// SealTOTPSecrets seals the second-factor secrets stored in clear by the
// first version; run at start, it finds nothing the next time.
func (s *Service) SealTOTPSecrets(ctx context.Context) (int, error) {
	var clear []TOTP
	if err := s.db.WithContext(ctx).Where("secret NOT LIKE ?", sealedPrefix+"%").Find(&clear).Error; err != nil {
		return 0, fmt.Errorf("totp: %w", err)
	}
	for _, t := range clear {
		err := s.db.WithContext(ctx).Model(&TOTP{}).Where("user_id = ? AND secret = ?", t.UserID, t.Secret).
			Update("secret", s.sealTOTP(t.UserID, t.Secret)).Error
		if err != nil {
			return 0, fmt.Errorf("totp: %w", err)
		}
	}
	return len(clear), nil
}
