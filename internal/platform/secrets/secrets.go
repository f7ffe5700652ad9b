// Package secrets seals the few values the database must keep but must not
// show: the certificates' private signing keys, the numbering secret, the
// second-factor secrets. They are encrypted with one master key
// (CQP_MASTER_KEY), which lives outside the database: a copy of the
// database alone, or a look over an administrator's shoulder at a table,
// gives nothing that can sign a certificate or pass a second factor.
package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the master key's length: AES-256.
const KeySize = 32

// version prefixes every sealed value, so that a later scheme can be told
// from this one.
const version = 1

// Box seals and opens values with the master key (AES-256-GCM, a random
// nonce per value), and derives keys for other purposes from it.
type Box struct {
	aead cipher.AEAD
	key  []byte
}

// New makes a box from a 32-byte master key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: the master key has %d bytes, expected %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Box{aead: aead, key: bytes.Clone(key)}, nil
}

// Derive returns a 32-byte key for one purpose (HMAC-SHA256 of the master
// key over purpose): the master key itself serves one purpose only.
func (b *Box) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal encrypts plain. label binds the value to its place (for example
// "signing-key:<kid>"): a sealed value copied into another row does not
// open there.
func (b *Box) Seal(plain []byte, label string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on a supported system
	}
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plain, []byte(label))
}

// ErrWrongKey is the answer to a value sealed with another master key, for
// another label, or altered.
var ErrWrongKey = errors.New("secrets: the value does not open with this master key (another key, or altered)")

// Open decrypts a value Seal made with the same label.
func (b *Box) Open(sealed []byte, label string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrWrongKey
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(label))
	if err != nil {
		return nil, ErrWrongKey
	}
	return plain, nil
}

// ParseKey reads a master key written as 64 hexadecimal digits or as
// base64 (standard or URL alphabet, padded or not) of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("expected 32 bytes as 64 hexadecimal digits or base64 (generate one with `cqp secrets new-master-key`)")
}

// NewKey returns a fresh master key, written as base64.
func NewKey() string {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// ReadKeyFile reads a master key from a file (CQP_MASTER_KEY_FILE).
func ReadKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CQP_MASTER_KEY_FILE: %w", err)
	}
	k, err := ParseKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("CQP_MASTER_KEY_FILE %s: %w", path, err)
	}
	return k, nil
}

// KeyFile is where the embedded default keeps its master key.
func KeyFile(dataDir string) string { return filepath.Join(dataDir, "master.key") }

// LoadOrCreateFile reads the master key kept in dataDir, creating it (0600)
// on first start. Only the embedded default does this: its database sits in
// the same folder, so the key adds protection only against a copy of the
// database file alone. A shared database (PostgreSQL) requires the key from
// the environment, the same on every replica.
func LoadOrCreateFile(dataDir string) ([]byte, error) {
	path := KeyFile(dataDir)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if cerr == nil {
			_, werr := f.WriteString(NewKey() + "\n")
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				return nil, fmt.Errorf("master key: %w", werr)
			}
		} else if !errors.Is(cerr, fs.ErrExist) { // another process may have won the race
			return nil, fmt.Errorf("master key: %w", cerr)
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	k, err := ParseKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("master key %s: %w", path, err)
	}
	return k, nil
}
