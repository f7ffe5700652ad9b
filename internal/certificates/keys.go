package certificates

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/secrets"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Keyring is the signing keys, kept in the database so that every replica
// signs with the same key and verifies with the same set:
//
//	signing_keys  one row per key: its public half, kept for ever, and its
//	              private half sealed with the master key until it retires
//	keyring       one row: the kid that signs new documents, and the sealed
//	              key of the numbers' check character
//
// Rotation makes a new key current and erases the old private half: old
// documents stay verifiable through the public halves, and nothing can sign
// with a retired key any more. Every replica signs with the current key of
// the row (read at each signature) and rereads the public set at most once a
// second, at once when a document names a key it does not know.
type Keyring struct {
	db  *gorm.DB
	box *secrets.Box
	now func() time.Time

	mu      sync.RWMutex
	kid     string
	private ed25519.PrivateKey
	public  map[string]ed25519.PublicKey
	secret  []byte
	read    time.Time // when public was last read (monotonic clock)
}

type signingKey struct {
	KID           string `gorm:"column:kid;primaryKey"`
	PublicKey     []byte
	PrivateSealed []byte
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

func (signingKey) TableName() string { return "signing_keys" }

type keyringRow struct {
	ID              int    `gorm:"primaryKey;autoIncrement:false"`
	CurrentKID      string `gorm:"column:current_kid"`
	NumberingSealed []byte
	UpdatedAt       time.Time
}

func (keyringRow) TableName() string { return "keyring" }

func privateLabel(kid string) string { return "signing-key:" + kid }

const numberingLabel = "numbering-secret"

// OpenKeyring reads the keys from the database. On the first start of a
// database it takes the keys a former version kept under dataDir/keys
// (ImportKeyFiles), or creates a first key and numbering secret.
func OpenKeyring(ctx context.Context, db *gorm.DB, box *secrets.Box, dataDir string, now func() time.Time) (*Keyring, error) {
	k := &Keyring{db: db, box: box, now: now}
	if err := k.importFiles(ctx, dataDir); err != nil {
		return nil, err
	}
	var n int64
	if err := db.WithContext(ctx).Model(&keyringRow{}).Where("id = 1").Count(&n).Error; err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if n == 0 {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("keyring: generate: %w", err)
		}
		if err := k.install(ctx, priv, secret, []ed25519.PublicKey{pub}); err != nil {
			return nil, err
		}
	}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// errKeyringTaken rolls back an installation another process made first.
var errKeyringTaken = errors.New("keyring already installed")

// install writes a first keyring: current signs, secret numbers, others
// are public halves to keep. Two replicas starting together on an empty
// database both try; the keyring row decides, the loser's writes roll back.
func (k *Keyring) install(ctx context.Context, current ed25519.PrivateKey, secret []byte, others []ed25519.PublicKey) error {
	kid := KeyID(current.Public().(ed25519.PublicKey))
	now := k.now().UTC()
	err := database.Tx(ctx, k.db, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&keyringRow{ID: 1, CurrentKID: kid,
			NumberingSealed: k.box.Seal(secret, numberingLabel), UpdatedAt: now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errKeyringTaken
		}
		if err := keepPublic(tx, others, now); err != nil {
			return err
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kid"}},
			DoUpdates: clause.AssignmentColumns([]string{"private_sealed"})}).
			Create(&signingKey{KID: kid, PublicKey: current.Public().(ed25519.PublicKey),
				PrivateSealed: k.box.Seal(current.Seed(), privateLabel(kid)), CreatedAt: now}).Error
	})
	if errors.Is(err, errKeyringTaken) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("keyring: install: %w", err)
	}
	return nil
}

// keepPublic records public halves not known yet, as retired keys.
func keepPublic(tx *gorm.DB, keys []ed25519.PublicKey, now time.Time) error {
	for _, pub := range keys {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&signingKey{KID: KeyID(pub), PublicKey: pub, CreatedAt: now, RetiredAt: &now}).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// load reads the current key, its private half and every public key.
func (k *Keyring) load(ctx context.Context) error {
	db := k.db.WithContext(ctx)
	var row keyringRow
	if err := db.Take(&row, "id = 1").Error; err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	secret, err := k.box.Open(row.NumberingSealed, numberingLabel)
	if err != nil {
		return fmt.Errorf("keyring: numbering secret: %w (is CQP_MASTER_KEY the one this database was started with?)", err)
	}
	var cur signingKey
	if err := db.Take(&cur, "kid = ?", row.CurrentKID).Error; err != nil {
		return fmt.Errorf("keyring: current key %s: %w", row.CurrentKID, err)
	}
	seed, err := k.box.Open(cur.PrivateSealed, privateLabel(cur.KID))
	if err != nil || len(seed) != ed25519.SeedSize {
		return fmt.Errorf("keyring: current key %s: %w (is CQP_MASTER_KEY the one this database was started with?)", cur.KID, secrets.ErrWrongKey)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	public, err := readPublic(db)
	if err != nil {
		return err
	}
	public[cur.KID] = priv.Public().(ed25519.PublicKey)
	k.mu.Lock()
	k.kid, k.private, k.public, k.secret, k.read = cur.KID, priv, public, secret, time.Now()
	k.mu.Unlock()
	return nil
}

func readPublic(db *gorm.DB) (map[string]ed25519.PublicKey, error) {
	var rows []signingKey
	if err := db.Select("kid", "public_key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	out := make(map[string]ed25519.PublicKey, len(rows))
	for _, r := range rows {
		if len(r.PublicKey) == ed25519.PublicKeySize {
			out[r.KID] = ed25519.PublicKey(r.PublicKey)
		}
	}
	return out, nil
}

// PublicKeys reads every public key from the database, without the master
// key: what an offline check of a signed file needs.
func PublicKeys(ctx context.Context, db *gorm.DB) (map[string]ed25519.PublicKey, error) {
	return readPublic(db.WithContext(ctx))
}

// Rotate makes a new key current and erases the old private half. Every
// replica signs with the new key from its next signature.
func (k *Keyring) Rotate(ctx context.Context) (oldKID, newKID string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("keyring: generate: %w", err)
	}
	newKID = KeyID(pub)
	now := k.now().UTC()
	err = database.Tx(ctx, k.db, func(tx *gorm.DB) error {
		// The update comes first: it locks the row, so that two rotations
		// at once run one after the other.
		if err := tx.Model(&keyringRow{}).Where("id = 1").Update("updated_at", now).Error; err != nil {
			return err
		}
		var row keyringRow
		if err := tx.Take(&row, "id = 1").Error; err != nil {
			return err
		}
		oldKID = row.CurrentKID
		if err := tx.Create(&signingKey{KID: newKID, PublicKey: pub,
			PrivateSealed: k.box.Seal(priv.Seed(), privateLabel(newKID)), CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&signingKey{}).Where("kid = ?", oldKID).
			Updates(map[string]any{"private_sealed": nil, "retired_at": now}).Error; err != nil {
			return err
		}
		return tx.Model(&keyringRow{}).Where("id = 1").Update("current_kid", newKID).Error
	})
	if err != nil {
		return "", "", fmt.Errorf("keyring: rotate: %w", err)
	}
	return oldKID, newKID, k.load(ctx)
}

// Signer returns the current key and its id, reading which key is current
// so that a rotation made on another replica is followed at once.
func (k *Keyring) Signer() (string, ed25519.PrivateKey, error) {
	var kid string
	if err := k.db.Model(&keyringRow{}).Where("id = 1").Pluck("current_kid", &kid).Error; err != nil {
		return "", nil, fmt.Errorf("keyring: %w", err)
	}
	k.mu.RLock()
	same := kid == k.kid
	k.mu.RUnlock()
	if !same {
		if err := k.load(context.Background()); err != nil {
			return "", nil, err
		}
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.kid, k.private, nil
}

// refreshEvery bounds how stale a replica's public set may be.
const refreshEvery = time.Second

// Public returns every public key by kid, reread from the database when
// the copy is older than a second.
func (k *Keyring) Public() map[string]ed25519.PublicKey {
	k.mu.RLock()
	stale := time.Since(k.read) > refreshEvery
	k.mu.RUnlock()
	if stale {
		_ = k.Refresh() // a failed read keeps the keys already known
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return maps.Clone(k.public)
}

// Refresh rereads the public keys now: a document signed on another
// replica by a key made there a moment ago names a kid not seen yet.
func (k *Keyring) Refresh() error {
	public, err := readPublic(k.db)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.private != nil {
		public[k.kid] = k.private.Public().(ed25519.PublicKey)
	}
	k.public, k.read = public, time.Now()
	return nil
}

// CurrentKID is the kid that signs new documents.
func (k *Keyring) CurrentKID() string {
	kid, _, err := k.Signer()
	if err != nil {
		k.mu.RLock()
		defer k.mu.RUnlock()
		return k.kid
	}
	return kid
}

// NumberingSecret keys the numbers' check character.
func (k *Keyring) NumberingSecret() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.secret
}

// KeyID is the first 16 characters of the key's RFC 7638 JWK thumbprint:
// stable, derived from the key alone, short enough to print.
func KeyID(pub ed25519.PublicKey) string {
	x := base64.RawURLEncoding.EncodeToString(pub)
	sum := sha256.Sum256([]byte(`{"crv":"Ed25519","kty":"OKP","x":"` + x + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:16]
}

// JWK is one public key in RFC 8037 form.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKSet is GET /api/v1/keys.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// NewJWK describes a public key.
func NewJWK(pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: KeyID(pub), Alg: "EdDSA", Use: "sig"}
}

// SetOf builds a JWK set, ordered by kid for stable output.
func SetOf(keys map[string]ed25519.PublicKey) JWKSet {
	set := JWKSet{Keys: make([]JWK, 0, len(keys))}
	for _, pk := range keys {
		set.Keys = append(set.Keys, NewJWK(pk))
	}
	slices.SortFunc(set.Keys, func(a, b JWK) int { return strings.Compare(a.Kid, b.Kid) })
	return set
}

// ParseJWKSet reads a JWK set, keeping its Ed25519 keys by kid.
func ParseJWKSet(raw []byte) (map[string]ed25519.PublicKey, error) {
	var set JWKSet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("jwk set: %w", err)
	}
	out := map[string]ed25519.PublicKey{}
	for _, j := range set.Keys {
		if j.Kty != "OKP" || j.Crv != "Ed25519" {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("jwk set: key %q: bad x", j.Kid)
		}
		kid := j.Kid
		if kid == "" {
			kid = KeyID(x)
		}
		out[kid] = ed25519.PublicKey(x)
	}
	return out, nil
}
