package certificates

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// importFiles takes the keys the first version kept under dataDir/keys
// (current, <kid>.key, <kid>.pub, numbering.secret) into the database, so
// that an upgrade loses nothing: documents already signed still verify and
// their numbers keep their check character. Once the database holds them,
// the private files (the signing key and the numbering secret) are removed:
// sealed in the database, they no longer need to lie in clear on a disk.
// Public halves stay, harmless. A folder left by a replica that ran with
// its own key (the reason for this change) gives its public half too.
func (k *Keyring) importFiles(ctx context.Context, dataDir string) error {
	dir := filepath.Join(dataDir, "keys")
	pubs, err := filepath.Glob(filepath.Join(dir, "*.pub"))
	if err != nil || len(pubs) == 0 {
		return nil // nothing from a former version
	}
	var public []ed25519.PublicKey
	for _, f := range pubs {
		pk, err := readPEMPublic(f)
		if err != nil {
			return fmt.Errorf("keyring: import %s: %w", f, err)
		}
		public = append(public, pk)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "current"))
	if errors.Is(err, fs.ErrNotExist) {
		return k.keepPublicOnly(ctx, public)
	}
	if err != nil {
		return fmt.Errorf("keyring: import: %w", err)
	}
	kid := strings.TrimSpace(string(raw))
	keyFile := filepath.Join(dir, kid+".key")
	priv, err := readPEMPrivate(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return k.keepPublicOnly(ctx, public) // imported already
	}
	if err != nil {
		return fmt.Errorf("keyring: import: %w", err)
	}
	secretFile := filepath.Join(dir, "numbering.secret")
	rawSecret, err := os.ReadFile(secretFile)
	if err != nil {
		return fmt.Errorf("keyring: import: %w", err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(rawSecret)))
	if err != nil || len(secret) < 16 {
		return fmt.Errorf("keyring: import: %s is damaged", secretFile)
	}
	var n int64
	if err := k.db.WithContext(ctx).Model(&keyringRow{}).Where("id = 1").Count(&n).Error; err != nil {
		return fmt.Errorf("keyring: import: %w", err)
	}
	if n > 0 {
		// The database has its keyring (another replica imported its own
		// folder first): this folder's public halves are kept, so that
		// what it signed still verifies; its private key signs no more.
		if err := k.keepPublicOnly(ctx, public); err != nil {
			return err
		}
	} else if err := k.install(ctx, priv, secret, public); err != nil {
		return err
	}
	for _, f := range []string{keyFile, secretFile} {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("keyring: import: the key is in the database, but %w", err)
		}
	}
	return nil
}

func (k *Keyring) keepPublicOnly(ctx context.Context, public []ed25519.PublicKey) error {
	err := database.Tx(ctx, k.db, func(tx *gorm.DB) error { return keepPublic(tx, public, k.now().UTC()) })
	if err != nil {
		return fmt.Errorf("keyring: import: %w", err)
	}
	return nil
}

func readPEMPublic(path string) (ed25519.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, errors.New("not PEM")
	}
	pk, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	ep, ok := pk.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("not an Ed25519 key")
	}
	return ep, nil
}

func readPEMPrivate(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, fmt.Errorf("%s is not PEM", path)
	}
	pk, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ep, ok := pk.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s is not an Ed25519 key", path)
	}
	return ep, nil
}
