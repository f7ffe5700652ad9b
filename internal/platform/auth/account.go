package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/messages"
	"gorm.io/gorm"
)

// Purposes of a single-use account token, and how long each lives.
const (
	PurposeInvitation = "invitation"
	PurposeReset      = "reset"

	InvitationTTL = 72 * time.Hour
	ResetTTL      = time.Hour
)

// AccountToken is a single-use link sent by message (invitation, password
// reset), stored as the SHA-256 of its secret like session tokens.
type AccountToken struct {
	Hash      string     `gorm:"primaryKey;size:64"`
	UserID    string     `gorm:"size:36;not null;index"`
	Purpose   string     `gorm:"size:20;not null"`
	ExpiresAt time.Time  `gorm:"not null"`
	UsedAt    *time.Time `gorm:""`
	CreatedAt time.Time
}

// TableName fixes the table's name.
func (AccountToken) TableName() string { return "account_tokens" }

func errInvalidToken() error {
	return httpx.New(400, "invalid_token", "Ce lien n'est plus valable : il a déjà servi, a expiré ou est incomplet. Demandez-en un nouveau.",
		"This link is no longer valid: it was used already, has expired or is incomplete. Ask for a new one.")
}

// issueToken replaces u's unused tokens of that purpose by a new one and
// returns its secret (only the hash is kept).
func (s *Service) issueToken(tx *gorm.DB, u User, purpose string, ttl time.Duration) (string, time.Time, error) {
	if err := tx.Where("user_id = ? AND purpose = ? AND used_at IS NULL", u.ID, purpose).Delete(&AccountToken{}).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("account token: %w", err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", time.Time{}, fmt.Errorf("account token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(secret)
	now := s.now().UTC()
	t := AccountToken{Hash: hashToken(tok), UserID: u.ID, Purpose: purpose, ExpiresAt: now.Add(ttl).Truncate(time.Second), CreatedAt: now}
	if err := tx.Create(&t).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("account token: %w", err)
	}
	return tok, t.ExpiresAt, nil
}

// useToken consumes a valid token of that purpose in tx and returns its
// account; anything else is 400 invalid_token. The conditional update makes
// two simultaneous uses of one link succeed once.
func (s *Service) useToken(tx *gorm.DB, tok, purpose string) (User, error) {
	if tok == "" || len(tok) > 200 {
		return User{}, errInvalidToken()
	}
	now := s.now().UTC()
	res := tx.Model(&AccountToken{}).Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashToken(tok), purpose, now).
		Update("used_at", now)
	if res.Error != nil {
		return User{}, fmt.Errorf("use token: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return User{}, errInvalidToken()
	}
	var t AccountToken
	if err := tx.Where("hash = ?", hashToken(tok)).Take(&t).Error; err != nil {
		return User{}, fmt.Errorf("use token: %w", err)
	}
	var u User
	if err := tx.Where("id = ?", t.UserID).Take(&u).Error; err != nil {
		if database.IsNotFound(err) {
			return User{}, errInvalidToken()
		}
		return User{}, fmt.Errorf("use token: %w", err)
	}
	if u.DisabledAt != nil {
		return User{}, errInvalidToken()
	}
	return u, nil
}

func (s *Service) send(tx *gorm.DB, u User, kind string, data map[string]any) error {
	if s.outbox == nil {
		return fmt.Errorf("auth: no outbox to send %s", kind)
	}
	_, _, err := s.outbox.Enqueue(tx, messages.Draft{Kind: kind, Data: data,
		To: messages.Recipient{UserID: u.ID, Email: u.Email, Name: u.Name, Lang: u.Locale}})
	return err
}

// invite writes the invitation of an inactive account and its message.
func (s *Service) invite(tx *gorm.DB, u User) error {
	tok, expires, err := s.issueToken(tx, u, PurposeInvitation, InvitationTTL)
	if err != nil {
		return err
	}
	return s.send(tx, u, messages.KindInvitation, map[string]any{
		"Link": s.baseURL + "/account/activate?token=" + tok, "ExpiresAt": expires, "Role": u.Role, "Email": u.Email})
}

// Unlock lifts the login delays of an account, on every replica: someone
// tried many passwords against it, and its owner must sign in now.
func (s *Service) Unlock(ctx context.Context, actorID, userID string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now().UTC()
		res := tx.Model(&User{}).Where("id = ?", userID).Update("unlocked_at", now)
		if res.Error != nil {
			return fmt.Errorf("unlock: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return httpx.NotFound("Utilisateur introuvable.", "User not found.")
		}
		return audit.Record(tx, now, audit.Event{ActorID: actorID, Action: "user.unlock", Entity: "user", EntityID: userID})
	})
}

// ResendInvitation sends a new invitation link (the previous one stops
// working). An active account gets 409.
func (s *Service) ResendInvitation(ctx context.Context, actorID, userID string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var u User
		if err := tx.Where("id = ?", userID).Take(&u).Error; err != nil {
			if database.IsNotFound(err) {
				return httpx.NotFound("Utilisateur introuvable.", "User not found.")
			}
			return fmt.Errorf("resend invitation: %w", err)
		}
		if u.ActivatedAt != nil {
			return httpx.Conflict("conflict", "Ce compte est déjà activé.", "This account is active already.")
		}
		if u.DisabledAt != nil {
			return httpx.Conflict("conflict", "Ce compte est désactivé.", "This account is disabled.")
		}
		if err := s.invite(tx, u); err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actorID, Action: "user.invite", Entity: "user", EntityID: u.ID})
	})
}

// Activate sets the password of an invited account from its link.
func (s *Service) Activate(ctx context.Context, tok, password string) error {
	hash, err := s.newPasswordHash("password", password)
	if err != nil {
		return err
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := s.useToken(tx, tok, PurposeInvitation)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "activated_at": now, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("activate: %w", err)
		}
		return audit.Record(tx, now, audit.Event{ActorID: u.ID, Action: "user.activate", Entity: "user", EntityID: u.ID})
	})
}

// RequestReset sends a reset link to an active account with that email.
// The answer is the same whether or not the address has an account, and
// takes about as long (the caller answers 202 either way); asking too often
// from one address or for one account sends nothing more.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	email = NormaliseEmail(email)
	if s.resets.wait(email, ip) > 0 {
		return nil
	}
	// Counted as a "failure" so that the throttle limits requests, not only
	// bad passwords: a handful per account and address, then nothing.
	s.resets.fail(email, ip)
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var u User
		err := tx.Where("email = ?", email).Take(&u).Error
		if database.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("password reset: %w", err)
		}
		if u.DisabledAt != nil || u.ActivatedAt == nil {
			return nil // an invited account activates from its invitation
		}
		tok, expires, err := s.issueToken(tx, u, PurposeReset, ResetTTL)
		if err != nil {
			return err
		}
		if err := s.send(tx, u, messages.KindPasswordReset, map[string]any{
			"Link": s.baseURL + "/account/reset?token=" + tok, "ExpiresAt": expires, "IP": ip}); err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: u.ID, Action: "user.reset_request", Entity: "user", EntityID: u.ID})
	})
}

// ConfirmReset sets a new password from a reset link and revokes every
// session of the account.
func (s *Service) ConfirmReset(ctx context.Context, tok, password string) error {
	hash, err := s.newPasswordHash("password", password)
	if err != nil {
		return err
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := s.useToken(tx, tok, PurposeReset)
		if err != nil {
			return err
		}
		return s.setPassword(tx, u, hash, "", "user.reset")
	})
}

// newPasswordHash holds a new password to the rules (errors on field) and
// hashes it.
func (s *Service) newPasswordHash(field, pw string) (string, error) {
	if p := CheckPasswordPolicy(field, pw); p != nil {
		return "", p
	}
	return HashPassword(pw, s.params)
}

// ChangePassword replaces a signed-in user's password, given the current
// one; every other session of the account is revoked, keepToken's stays.
func (s *Service) ChangePassword(ctx context.Context, u User, current, next, keepToken string) error {
	var stored User
	if err := s.db.WithContext(ctx).Where("id = ?", u.ID).Take(&stored).Error; err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !CheckPassword(current, stored.PasswordHash) {
		return httpx.Invalid(httpx.Field("current_password", "Le mot de passe actuel est incorrect.", "The current password is wrong."))
	}
	if next == current {
		return httpx.Invalid(httpx.Field("new_password", "Le nouveau mot de passe doit différer de l'actuel.", "The new password must differ from the current one."))
	}
	hash, err := s.newPasswordHash("new_password", next)
	if err != nil {
		return err
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		return s.setPassword(tx, stored, hash, keepToken, "user.password")
	})
}

// setPassword stores hash, revokes the account's sessions but keepToken's,
// tells the person, and audits.
func (s *Service) setPassword(tx *gorm.DB, u User, hash, keepToken, action string) error {
	now := s.now().UTC()
	if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := s.revokeSessions(tx, u.ID, keepToken); err != nil {
		return err
	}
	if err := s.send(tx, u, messages.KindPasswordChanged, map[string]any{"At": now}); err != nil {
		return err
	}
	return audit.Record(tx, now, audit.Event{ActorID: u.ID, Action: action, Entity: "user", EntityID: u.ID})
}

// revokeSessions deletes the account's session tokens but keepToken's, and
// forgets them in this process's cache (other replicas' caches hold a token
// at most 10 seconds).
func (s *Service) revokeSessions(tx *gorm.DB, userID, keepToken string) error {
	q := tx.Where("user_id = ?", userID)
	if keepToken != "" {
		q = q.Where("hash <> ?", hashToken(keepToken))
	}
	if err := q.Delete(&Token{}).Error; err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	s.cache.dropUser(userID, hashToken(keepToken))
	return nil
}

// LogoutAll revokes every session of the account, this one included ("se
// déconnecter partout").
func (s *Service) LogoutAll(ctx context.Context, u User) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.revokeSessions(tx, u.ID, ""); err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: u.ID, Action: "user.logout_all", Entity: "user", EntityID: u.ID})
	})
}

// SetLocale records the language the person reads their messages in.
func (s *Service) SetLocale(ctx context.Context, userID, locale string) error {
	if locale != "fr" && locale != "en" {
		return httpx.Invalid(httpx.Field("locale", "Langue : fr ou en.", "Language: fr or en."))
	}
	err := s.db.WithContext(ctx).Model(&User{}).Where("id = ? AND locale <> ?", userID, locale).Update("locale", locale).Error
	if err != nil {
		return fmt.Errorf("set locale: %w", err)
	}
	return nil
}

// PurgeAccountTokens removes used or expired invitation and reset links
// (the daily maintenance).
func (s *Service) PurgeAccountTokens(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("used_at IS NOT NULL OR expires_at <= ?", s.now().UTC()).Delete(&AccountToken{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge account tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}
