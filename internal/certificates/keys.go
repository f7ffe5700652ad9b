package certificates

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Keyring is the signing keys kept under CQP_DATA_DIR/keys (folder 0700,
// private files 0600):
//
//	current          the kid of the key that signs new documents
//	<kid>.key        that key's private half (PKCS #8, PEM)
//	<kid>.pub        every key's public half (PKIX, PEM), kept for ever
//	numbering.secret the key of the numbers' check character
//
// Rotation makes a new key current and deletes the old private half: old
// documents stay verifiable through the public halves, and nothing can sign
// with a retired key any more. A server notices a rotation made by the
// command line (`cqp certificates rotate-key`) at its next signature.
type Keyring struct {
	dir string

	mu      sync.RWMutex
	stamp   string // modification time and size of `current` when read
	kid     string
	private ed25519.PrivateKey
	public  map[string]ed25519.PublicKey
	secret  []byte
}

// OpenKeyring reads the keys under dataDir/keys, creating the folder, a
// first key and the numbering secret when they do not exist yet.
func OpenKeyring(dataDir string) (*Keyring, error) {
	k := &Keyring{dir: filepath.Join(dataDir, "keys")}
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	// MkdirAll keeps an existing folder's mode; a key folder readable by
	// others is a mistake worth fixing at start.
	if err := os.Chmod(k.dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	secret, err := k.ensureSecret()
	if err != nil {
		return nil, err
	}
	k.secret = secret
	if _, err := os.Stat(filepath.Join(k.dir, "current")); errors.Is(err, fs.ErrNotExist) {
		if _, err := k.create(); err != nil {
			return nil, err
		}
	}
	if err := k.load(); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Keyring) ensureSecret() ([]byte, error) {
	path := filepath.Join(k.dir, "numbering.secret")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		if err := writeExclusive(path, []byte(hex.EncodeToString(b)+"\n"), 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("keyring: %w", err)
		}
		raw, err = os.ReadFile(path) // another process may have won the race
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("keyring: %s is damaged", path)
	}
	return secret, nil
}

// create generates a key, writes both halves and makes it current.
func (k *Keyring) create() (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("keyring: generate: %w", err)
	}
	kid := KeyID(pub)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	if err := writeExclusive(filepath.Join(k.dir, kid+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	if err := writeExclusive(filepath.Join(k.dir, kid+".pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	// Rename is atomic: a reader sees the old kid or the new one, never half.
	tmp := filepath.Join(k.dir, fmt.Sprintf(".current.%d", time.Now().UnixNano()))
	if err := os.WriteFile(tmp, []byte(kid+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(k.dir, "current")); err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	return kid, nil
}

func writeExclusive(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (k *Keyring) currentStamp() (string, error) {
	st, err := os.Stat(filepath.Join(k.dir, "current"))
	if err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	return fmt.Sprintf("%d/%d", st.ModTime().UnixNano(), st.Size()), nil
}

// load reads `current`, its private key and every public key.
func (k *Keyring) load() error {
	stamp, err := k.currentStamp()
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(k.dir, "current"))
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	kid := strings.TrimSpace(string(raw))
	privPEM, err := os.ReadFile(filepath.Join(k.dir, kid+".key"))
	if err != nil {
		return fmt.Errorf("keyring: current key %s: %w", kid, err)
	}
	block, _ := pem.Decode(privPEM)
	if block == nil {
		return fmt.Errorf("keyring: %s.key is not PEM", kid)
	}
	anyKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("keyring: %s.key: %w", kid, err)
	}
	priv, ok := anyKey.(ed25519.PrivateKey)
	if !ok {
		return fmt.Errorf("keyring: %s.key is not an Ed25519 key", kid)
	}
	public := map[string]ed25519.PublicKey{}
	files, err := filepath.Glob(filepath.Join(k.dir, "*.pub"))
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("keyring: %w", err)
		}
		b, _ := pem.Decode(raw)
		if b == nil {
			return fmt.Errorf("keyring: %s is not PEM", f)
		}
		pk, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return fmt.Errorf("keyring: %s: %w", f, err)
		}
		ep, ok := pk.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("keyring: %s is not an Ed25519 key", f)
		}
		public[KeyID(ep)] = ep
	}
	public[kid] = priv.Public().(ed25519.PublicKey)
	k.mu.Lock()
	k.stamp, k.kid, k.private, k.public = stamp, kid, priv, public
	k.mu.Unlock()
	return nil
}

// refresh reloads the keys when `current` changed on disk.
func (k *Keyring) refresh() error {
	stamp, err := k.currentStamp()
	if err != nil {
		return err
	}
	k.mu.RLock()
	same := stamp == k.stamp
	k.mu.RUnlock()
	if same {
		return nil
	}
	return k.load()
}

// Rotate makes a new key current and retires the old private half.
func (k *Keyring) Rotate() (oldKID, newKID string, err error) {
	if err := k.refresh(); err != nil {
		return "", "", err
	}
	k.mu.RLock()
	oldKID = k.kid
	k.mu.RUnlock()
	if newKID, err = k.create(); err != nil {
		return "", "", err
	}
	if err := os.Remove(filepath.Join(k.dir, oldKID+".key")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("keyring: retire %s: %w", oldKID, err)
	}
	return oldKID, newKID, k.load()
}

// Signer returns the current key and its id.
func (k *Keyring) Signer() (string, ed25519.PrivateKey, error) {
	if err := k.refresh(); err != nil {
		return "", nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.kid, k.private, nil
}

// Public returns every public key by kid.
func (k *Keyring) Public() map[string]ed25519.PublicKey {
	_ = k.refresh() // a failed reload keeps the keys already known
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make(map[string]ed25519.PublicKey, len(k.public))
	for kid, pk := range k.public {
		out[kid] = pk
	}
	return out
}

// CurrentKID is the kid that signs new documents.
func (k *Keyring) CurrentKID() string {
	_ = k.refresh()
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.kid
}

// NumberingSecret keys the numbers' check character.
func (k *Keyring) NumberingSecret() []byte { return k.secret }

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

// PublicKeysIn reads the public keys kept under dataDir/keys without
// creating anything: what an offline check needs on a copy of the folder.
func PublicKeysIn(dataDir string) (map[string]ed25519.PublicKey, error) {
	files, err := filepath.Glob(filepath.Join(dataDir, "keys", "*.pub"))
	if err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	out := map[string]ed25519.PublicKey{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("public keys: %w", err)
		}
		b, _ := pem.Decode(raw)
		if b == nil {
			return nil, fmt.Errorf("public keys: %s is not PEM", f)
		}
		pk, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public keys: %s: %w", f, err)
		}
		if ep, ok := pk.(ed25519.PublicKey); ok {
			out[KeyID(ep)] = ep
		}
	}
	return out, nil
}
