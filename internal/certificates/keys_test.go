package certificates

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/secrets"
	"gorm.io/gorm"
)

// keyDB is a migrated SQLite database for the keyring alone; the keyring on
// PostgreSQL and across processes is tested in internal/app (replicas).
func keyDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := database.Open(database.Options{URL: "sqlite:" + filepath.Join(t.TempDir(), "k.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(context.Background(), db, Migrations()); err != nil {
		t.Fatal(err)
	}
	return db
}

func box(t *testing.T) *secrets.Box {
	k, _ := secrets.ParseKey(secrets.NewKey())
	b, err := secrets.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKeyring_SharedThroughTheDatabaseAndRotatedForEveryone(t *testing.T) {
	ctx := context.Background()
	db, b, dir := keyDB(t), box(t), t.TempDir()
	k, err := OpenKeyring(ctx, db, b, dir, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	first := k.CurrentKID()
	if _, err := os.Stat(filepath.Join(dir, "keys")); !os.IsNotExist(err) {
		t.Errorf("keys written to disk: %v", err)
	}
	// A second process on the same database finds the same key and secret.
	k2, err := OpenKeyring(ctx, db, b, t.TempDir(), time.Now)
	if err != nil || k2.CurrentKID() != first || string(k2.NumberingSecret()) != string(k.NumberingSecret()) {
		t.Fatalf("second process: %v %s", err, k2.CurrentKID())
	}
	// The database holds the private half sealed, never in clear.
	var row signingKey
	db.Take(&row, "kid = ?", first)
	_, priv, _ := k.Signer()
	if len(row.PrivateSealed) == 0 || strings.Contains(string(row.PrivateSealed), string(priv.Seed())) {
		t.Fatal("the private key is not sealed in the database")
	}

	d := sampleDocument(KindCertificate)
	kid, key, _ := k.Signer()
	old, err := sign(&d, kid, key)
	if err != nil {
		t.Fatal(err)
	}
	oldKID, newKID, err := k.Rotate(ctx)
	if err != nil || oldKID != first || newKID == first {
		t.Fatalf("rotate: %v %s %s", err, oldKID, newKID)
	}
	db.Take(&row, "kid = ?", first)
	if row.PrivateSealed != nil || row.RetiredAt == nil {
		t.Errorf("the retired private key is still kept: %+v", row)
	}
	// The other process signs with the new key at its next signature.
	if kid, _, _ := k2.Signer(); kid != newKID {
		t.Errorf("k2 signs with %s after rotation to %s", kid, newKID)
	}
	set := SetOf(k2.Public())
	if len(set.Keys) != 2 {
		t.Fatalf("JWK set after rotation: %+v", set)
	}
	pub, err := ParseJWKSet(mustJSON(t, set))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(old, pub); err != nil {
		t.Errorf("a document signed before rotation: %v", err)
	}
	if offline, err := PublicKeys(ctx, db); err != nil || len(offline) != 2 {
		t.Errorf("public keys without the master key: %v %d", err, len(offline))
	}
	d2 := sampleDocument(KindCertificate)
	kid, key, _ = k.Signer()
	fresh, _ := sign(&d2, kid, key)
	if _, err := Verify(fresh, pub); err != nil || d2.KID != newKID {
		t.Errorf("a document signed after rotation: %v (kid %s)", err, d2.KID)
	}
	delete(pub, newKID)
	if _, err := Verify(fresh, pub); err == nil {
		t.Error("verified without its key")
	}

	// Another master key opens nothing: a clear start-up error.
	if _, err := OpenKeyring(ctx, db, box(t), dir, time.Now); err == nil || !errors.Is(err, secrets.ErrWrongKey) ||
		!strings.Contains(err.Error(), "CQP_MASTER_KEY") {
		t.Errorf("wrong master key: %v", err)
	}
}

func TestKeyring_ReplicasStartingTogetherAgreeOnOneKey(t *testing.T) {
	db, b := keyDB(t), box(t)
	kids := make([]string, 6)
	var wg sync.WaitGroup
	for i := range kids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := OpenKeyring(context.Background(), db, b, t.TempDir(), time.Now)
			if err != nil {
				t.Error(err)
				return
			}
			kids[i] = k.CurrentKID()
		}()
	}
	wg.Wait()
	var n int64
	db.Model(&signingKey{}).Count(&n)
	for _, kid := range kids {
		if kid != kids[0] {
			t.Fatalf("replicas disagree: %v", kids)
		}
	}
	if n != 1 {
		t.Fatalf("%d keys made for one keyring", n)
	}
}

// writeOldKeys lays out dataDir/keys as the first version did.
func writeOldKeys(t *testing.T, dataDir string, current bool) (kid string, secret []byte) {
	t.Helper()
	dir := filepath.Join(dataDir, "keys")
	os.MkdirAll(dir, 0o700)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	kid = KeyID(pub)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	os.WriteFile(filepath.Join(dir, kid+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, kid+".pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644)
	if current {
		os.WriteFile(filepath.Join(dir, "current"), []byte(kid+"\n"), 0o600)
	}
	secret = make([]byte, 32)
	rand.Read(secret)
	os.WriteFile(filepath.Join(dir, "numbering.secret"), []byte(hex.EncodeToString(secret)+"\n"), 0o600)
	return kid, secret
}

func TestKeyring_ImportsTheFormerKeyFilesOnce(t *testing.T) {
	ctx := context.Background()
	db, b, dir := keyDB(t), box(t), t.TempDir()
	retired, _ := writeOldKeys(t, dir, false)
	os.Remove(filepath.Join(dir, "keys", retired+".key")) // retired: only its public half was kept
	kid, secret := writeOldKeys(t, dir, true)

	k, err := OpenKeyring(ctx, db, b, dir, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if k.CurrentKID() != kid || hex.EncodeToString(k.NumberingSecret()) != hex.EncodeToString(secret) {
		t.Fatalf("imported %s (secret kept: %v), want %s", k.CurrentKID(), string(k.NumberingSecret()) == string(secret), kid)
	}
	if pub := k.Public(); len(pub) != 2 || pub[retired] == nil {
		t.Fatalf("public keys after import: %d", len(pub))
	}
	for _, f := range []string{kid + ".key", "numbering.secret"} {
		if _, err := os.Stat(filepath.Join(dir, "keys", f)); !os.IsNotExist(err) {
			t.Errorf("%s still in clear on disk after import: %v", f, err)
		}
	}
	// The next start imports nothing more and keeps the same key.
	k2, err := OpenKeyring(ctx, db, b, dir, time.Now)
	if err != nil || k2.CurrentKID() != kid {
		t.Fatalf("restart after import: %v %s", err, k2.CurrentKID())
	}
	// A replica that ran with its own folder: its public half is kept (what
	// it signed still verifies), its key signs no more.
	other := t.TempDir()
	stray, _ := writeOldKeys(t, other, true)
	k3, err := OpenKeyring(ctx, db, b, other, time.Now)
	if err != nil || k3.CurrentKID() != kid || k3.Public()[stray] == nil {
		t.Fatalf("second folder: %v current %s, stray known %v", err, k3.CurrentKID(), k3.Public()[stray] != nil)
	}
}
