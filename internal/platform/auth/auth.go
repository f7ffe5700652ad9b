// Package auth holds accounts, roles and bearer tokens: password hashing
// (argon2id), login slowed down after failures, opaque expiring tokens stored
// hashed, and the middleware that tells every handler who is asking.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/secrets"
	"gorm.io/gorm"
)

// Roles.
const (
	RoleAdmin     = "admin"
	RoleTrainer   = "trainer"
	RoleJury      = "jury"
	RoleCandidate = "candidate"
	// RoleSupport is the VAE support person (accompagnateur): sees and
	// comments the dossiers of the candidates they support (docs/domain.md §4).
	RoleSupport = "support"
)

// Roles lists every role, in the order the pages offer them.
var Roles = []string{RoleAdmin, RoleTrainer, RoleJury, RoleSupport, RoleCandidate}

// Genders a user may state; the jury's gender balance reads them (docs/domain.md §2).
const (
	GenderFemale      = "female"
	GenderMale        = "male"
	GenderUnspecified = "unspecified"
)

// User is an account.
type User struct {
	ID           string  `gorm:"primaryKey;size:36" json:"id"`
	Email        string  `gorm:"size:254;not null;uniqueIndex" json:"email"`
	Name         string  `gorm:"size:200;not null" json:"name"`
	Role         string  `gorm:"size:20;not null;index" json:"role"`
	Organisation string  `gorm:"size:200" json:"organisation"`
	Gender       string  `gorm:"size:20;not null;default:unspecified" json:"gender"`
	CandidateID  *string `gorm:"size:36;index" json:"candidate_id"`
	PasswordHash string  `gorm:"size:200;not null" json:"-"`
	// Locale is the language messages are written in: "fr" or "en".
	Locale string `gorm:"size:2;not null;default:fr" json:"locale"`
	// ActivatedAt is nil for an invited account that has not chosen its
	// password yet: it cannot sign in.
	ActivatedAt *time.Time `json:"-"`
	DisabledAt  *time.Time `json:"-"`
	// UnlockedAt is when an administrator last lifted the login delays of
	// the account (Unlock): failures before it no longer count.
	UnlockedAt *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"-"`
}

// userJournal is what the audit journal keeps of an account: no email and
// no name (personal data the journal could never erase), the rest, and
// which personal fields changed.
type userJournal struct {
	ID           string   `json:"id"`
	Role         string   `json:"role"`
	Organisation string   `json:"organisation,omitempty"`
	CandidateID  *string  `json:"candidate_id,omitempty"`
	Disabled     bool     `json:"disabled"`
	Changed      []string `json:"changed,omitempty"`
}

func (u User) journal() userJournal {
	return userJournal{ID: u.ID, Role: u.Role, Organisation: u.Organisation, CandidateID: u.CandidateID, Disabled: u.DisabledAt != nil}
}

// Is tells whether the user has one of the roles.
func (u User) Is(roles ...string) bool {
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// Token is a bearer token, stored as the SHA-256 of its secret.
type Token struct {
	Hash      string    `gorm:"primaryKey;size:64"`
	UserID    string    `gorm:"size:36;not null;index"`
	ExpiresAt time.Time `gorm:"not null;index"`
	CreatedAt time.Time
}

// CandidateLinker checks that a candidate record exists before an account is
// linked to it; the candidates feature provides it.
type CandidateLinker func(tx *gorm.DB, candidateID string) (bool, error)

// Service is accounts and sessions.
type Service struct {
	outbox   *messages.Outbox
	baseURL  string
	resets   *throttle
	db       *gorm.DB
	now      func() time.Time
	ttl      time.Duration
	params   HashParams
	throttle *throttle
	dummy    string
	linker   CandidateLinker
	cache    *tokenCache
	secrets  *secrets.Box
}

// Options configure a Service.
type Options struct {
	TokenTTL time.Duration
	Hash     HashParams
	Now      func() time.Time
	// CandidateLinker checks candidate_id on account creation (the
	// candidates feature's Exists); without it no candidate account is made.
	CandidateLinker CandidateLinker
	// Outbox sends invitations and password messages; BaseURL is the
	// public address their links start with.
	Outbox  *messages.Outbox
	BaseURL string
	// Secrets seals the second-factor secrets (the master key's box).
	Secrets *secrets.Box
}

// NewService builds the service; it hashes a dummy password once so that a
// login for an unknown account costs as much as one for a real account.
func NewService(db *gorm.DB, o Options) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Hash.MemoryKiB == 0 {
		o.Hash = DefaultHashParams
	}
	if o.Secrets == nil {
		return nil, errors.New("auth: no master key box to seal second-factor secrets")
	}
	dummy, err := HashPassword("not a real password", o.Hash)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, now: o.Now, ttl: o.TokenTTL, params: o.Hash, throttle: newThrottle(o.Now), dummy: dummy,
		cache: newTokenCache(o.Now, 10*time.Second, 10_000), linker: o.CandidateLinker,
		outbox: o.Outbox, baseURL: strings.TrimRight(o.BaseURL, "/"), resets: newThrottle(o.Now), secrets: o.Secrets}, nil
}

// Session is what a successful login returns.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// NormaliseEmail is the one form an email is stored and looked up in.
func NormaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// Login checks the credentials and opens a session. An account with a
// second factor also needs otp (a code of its application, or one of its
// recovery codes): without it the answer is 401 otp_required.
func (s *Service) Login(ctx context.Context, email, password, otp, ip string) (Session, error) {
	email = NormaliseEmail(email)
	d := s.throttle.wait(email, ip)
	if d > 0 {
		// Delays are kept by each process; a lift is in the database, so
		// that every replica honours it at the account's next attempt.
		var lifted []time.Time
		if err := s.db.WithContext(ctx).Model(&User{}).Where("email = ? AND unlocked_at IS NOT NULL", email).
			Pluck("unlocked_at", &lifted).Error; err != nil {
			return Session{}, fmt.Errorf("login: %w", err)
		}
		if len(lifted) == 1 {
			s.throttle.forgetAccount(email, lifted[0])
			d = s.throttle.wait(email, ip)
		}
	}
	if d > 0 {
		p := httpx.New(429, "rate_limited",
			fmt.Sprintf("Trop de tentatives : réessayez dans %d s.", int(d.Seconds()+0.999)),
			fmt.Sprintf("Too many attempts: try again in %d s.", int(d.Seconds()+0.999)))
		return Session{}, p
	}
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	if err != nil && !database.IsNotFound(err) {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	hash := s.dummy
	if err == nil {
		hash = u.PasswordHash
	}
	ok := CheckPassword(password, hash) && err == nil && u.DisabledAt == nil && u.ActivatedAt != nil
	if !ok {
		s.throttle.fail(email, ip)
		return Session{}, httpx.Unauthorized("Adresse électronique ou mot de passe incorrect.", "Wrong email or password.")
	}
	if err := database.Tx(ctx, s.db, func(tx *gorm.DB) error { return s.secondFactor(tx, u, otp) }); err != nil {
		if p, ok := httpx.AsProblem(err); ok && p.Code == "otp_invalid" {
			s.throttle.fail(email, ip)
		}
		return Session{}, err
	}
	s.throttle.succeed(email, ip)
	return s.Open(ctx, u)
}

// Open issues a new token for u (used by Login and by the web sign-in).
func (s *Service) Open(ctx context.Context, u User) (Session, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return Session{}, fmt.Errorf("new token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(secret)
	t := Token{Hash: hashToken(tok), UserID: u.ID, ExpiresAt: s.now().UTC().Add(s.ttl).Truncate(time.Second)}
	if err := s.db.WithContext(ctx).Create(&t).Error; err != nil {
		return Session{}, fmt.Errorf("store token: %w", err)
	}
	return Session{Token: tok, ExpiresAt: t.ExpiresAt, User: u}, nil
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the user a token belongs to, if it is valid now.
func (s *Service) Authenticate(ctx context.Context, tok string) (User, error) {
	unauth := httpx.Unauthorized("Jeton absent, invalide ou expiré.", "Missing, invalid or expired token.")
	if tok == "" || len(tok) > 200 {
		return User{}, unauth
	}
	h := hashToken(tok)
	if u, ok := s.cache.get(h); ok {
		return u, nil
	}
	var t Token
	err := s.db.WithContext(ctx).Where("hash = ?", h).Take(&t).Error
	if database.IsNotFound(err) {
		return User{}, unauth
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if !t.ExpiresAt.After(s.now()) {
		return User{}, unauth
	}
	var u User
	if err := s.db.WithContext(ctx).Where("id = ?", t.UserID).Take(&u).Error; err != nil {
		if database.IsNotFound(err) {
			return User{}, unauth
		}
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.DisabledAt != nil {
		return User{}, unauth
	}
	s.cache.put(h, u, t.ExpiresAt)
	return u, nil
}

// Logout revokes a token.
func (s *Service) Logout(ctx context.Context, tok string) error {
	s.cache.drop(hashToken(tok))
	if err := s.db.WithContext(ctx).Where("hash = ?", hashToken(tok)).Delete(&Token{}).Error; err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// NewUser is what an administrator gives to create an account.
type NewUser struct {
	Email string `json:"email" validate:"required,email,max=254"`
	Name  string `json:"name" validate:"required,min=2,max=200,personname"`
	Role  string `json:"role" validate:"required,oneof=admin trainer jury support candidate"`
	// Password, when empty, invites: the account is created inactive and
	// the person chooses their password from the invitation's link.
	Password     string  `json:"password" validate:"max=256"`
	Locale       string  `json:"locale" validate:"omitempty,oneof=fr en"`
	Organisation string  `json:"organisation" validate:"max=200"`
	Gender       string  `json:"gender" validate:"omitempty,oneof=female male unspecified"`
	CandidateID  *string `json:"candidate_id" validate:"omitempty,max=36"`
}

// CreateUser creates an account, audited as done by actor.
func (s *Service) CreateUser(ctx context.Context, actor string, in NewUser) (User, error) {
	in.Email = NormaliseEmail(in.Email)
	if in.CandidateID != nil && *in.CandidateID == "" {
		in.CandidateID = nil
	}
	var hash string
	var activated *time.Time
	if in.Password != "" {
		var err error
		if hash, err = s.newPasswordHash("password", in.Password); err != nil {
			return User{}, err
		}
		now := s.now().UTC()
		activated = &now
	}
	if in.Gender == "" {
		in.Gender = GenderUnspecified
	}
	if in.Locale == "" {
		in.Locale = "fr"
	}
	u := User{ID: database.NewID(), Email: in.Email, Name: strings.TrimSpace(in.Name), Role: in.Role,
		Organisation: strings.TrimSpace(in.Organisation), Gender: in.Gender, CandidateID: in.CandidateID, PasswordHash: hash,
		Locale: in.Locale, ActivatedAt: activated}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.checkCandidateLink(tx, u); err != nil {
			return err
		}
		if err := tx.Create(&u).Error; err != nil {
			if database.IsDuplicate(err) {
				return httpx.Conflict("conflict", "Un compte existe déjà avec cette adresse.", "An account already uses this email.")
			}
			return fmt.Errorf("create user: %w", err)
		}
		if u.ActivatedAt == nil {
			if err := s.invite(tx, u); err != nil {
				return err
			}
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor, Action: "user.create", Entity: "user", EntityID: u.ID, After: u.journal()})
	})
	return u, err
}

// EnsureAdmin creates the bootstrap administrator when no account has that email.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("email = ?", NormaliseEmail(email)).Count(&n).Error; err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if n > 0 {
		return nil
	}
	_, err := s.CreateUser(ctx, "system", NewUser{Email: email, Name: "Administrateur", Role: RoleAdmin, Password: password})
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	return nil
}

// Get returns a user by id.
func (s *Service) Get(ctx context.Context, id string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&u).Error
	if database.IsNotFound(err) {
		return u, httpx.NotFound("Utilisateur introuvable.", "User not found.")
	}
	if err != nil {
		return u, fmt.Errorf("get user %s: %w", id, err)
	}
	return u, nil
}

// List returns accounts, optionally of one role, ordered by name.
func (s *Service) List(ctx context.Context, role string) ([]User, error) {
	tx := s.db.WithContext(ctx).Order("name, id")
	if role != "" {
		tx = tx.Where("role = ?", role)
	}
	var us []User
	if err := tx.Limit(1000).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// PurgeExpired removes session tokens past their expiry (the daily
// maintenance job); it returns how many.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", s.now().UTC()).Delete(&Token{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Migrations create the accounts and tokens tables.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112302_auth_users_tokens",
		Migrate: func(tx *gorm.DB) error {
			type user struct {
				ID           string  `gorm:"primaryKey;size:36"`
				Email        string  `gorm:"size:254;not null;uniqueIndex:idx_users_email"`
				Name         string  `gorm:"size:200;not null"`
				Role         string  `gorm:"size:20;not null;index:idx_users_role"`
				Organisation string  `gorm:"size:200"`
				CandidateID  *string `gorm:"size:36;index:idx_users_candidate"`
				PasswordHash string  `gorm:"size:200;not null"`
				DisabledAt   *time.Time
				CreatedAt    time.Time
				UpdatedAt    time.Time
			}
			type token struct {
				Hash      string    `gorm:"primaryKey;size:64"`
				UserID    string    `gorm:"size:36;not null;index:idx_tokens_user"`
				ExpiresAt time.Time `gorm:"not null;index:idx_tokens_expires"`
				CreatedAt time.Time
			}
			if err := tx.Table("users").AutoMigrate(&user{}); err != nil {
				return err
			}
			return tx.Table("tokens").AutoMigrate(&token{})
		},
	}, {
		// Gender is optional: the jury's balance is flagged, never enforced.
		ID: "2026120401_auth_users_gender",
		Migrate: func(tx *gorm.DB) error {
			return tx.Exec("ALTER TABLE users ADD COLUMN gender VARCHAR(20) NOT NULL DEFAULT 'unspecified'").Error
		},
	}, {
		// Invitations: an account without a password is inactive until its
		// person chooses one (activated_at); every existing account was
		// created with a password, so it is active from its creation.
		// locale: the language of the messages the account receives.
		ID: "2026120510_auth_accounts_invitations",
		Migrate: func(tx *gorm.DB) error {
			for _, q := range []string{
				"ALTER TABLE users ADD COLUMN locale VARCHAR(2) NOT NULL DEFAULT 'fr'",
				"ALTER TABLE users ADD COLUMN activated_at TIMESTAMP",
				"UPDATE users SET activated_at = created_at",
			} {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			type accountToken struct {
				Hash      string    `gorm:"primaryKey;size:64"`
				UserID    string    `gorm:"size:36;not null;index:idx_account_tokens_user"`
				Purpose   string    `gorm:"size:20;not null"`
				ExpiresAt time.Time `gorm:"not null"`
				UsedAt    *time.Time
				CreatedAt time.Time
			}
			return tx.Table("account_tokens").AutoMigrate(&accountToken{})
		},
	}, {
		ID: "2026120520_auth_totp",
		Migrate: func(tx *gorm.DB) error {
			type userTOTP struct {
				UserID    string `gorm:"primaryKey;size:36"`
				Secret    string `gorm:"size:64;not null"`
				EnabledAt *time.Time
				LastStep  int64  `gorm:"not null;default:0"`
				Recovery  string `gorm:"type:text;not null;default:'[]'"`
				CreatedAt time.Time
			}
			return tx.Table("user_totp").AutoMigrate(&userTOTP{})
		},
	}, {
		// Sealed secrets are longer than 64 characters (SQLite does not
		// enforce sizes).
		ID: "2026120530_auth_totp_sealed",
		Migrate: func(tx *gorm.DB) error {
			if database.IsSQLite(tx) {
				return nil
			}
			return tx.Exec(`ALTER TABLE user_totp ALTER COLUMN secret TYPE text`).Error
		},
	}, {
		ID: "2026120550_auth_unlocked_at",
		Migrate: func(tx *gorm.DB) error {
			typ := "TIMESTAMPTZ"
			if database.IsSQLite(tx) {
				typ = "DATETIME"
			}
			return tx.Exec(`ALTER TABLE users ADD COLUMN unlocked_at ` + typ).Error
		},
	}}
}
