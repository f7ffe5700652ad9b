package certificates

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKeyring_FirstStartRotationAndFileModes(t *testing.T) {
	dir := t.TempDir()
	k, err := OpenKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := k.CurrentKID()
	for name, mode := range map[string]os.FileMode{"keys": 0o700, "keys/" + first + ".key": 0o600, "keys/numbering.secret": 0o600, "keys/current": 0o600} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want %v", name, err, st.Mode().Perm(), mode)
		}
	}
	// A second start finds the same key and secret.
	k2, err := OpenKeyring(dir)
	if err != nil || k2.CurrentKID() != first || string(k2.NumberingSecret()) != string(k.NumberingSecret()) {
		t.Fatalf("restart: %v %s", err, k2.CurrentKID())
	}

	d := sampleDocument(KindCertificate)
	kid, key, _ := k.Signer()
	old, err := sign(&d, kid, key)
	if err != nil {
		t.Fatal(err)
	}
	oldKID, newKID, err := k.Rotate()
	if err != nil || oldKID != first || newKID == first {
		t.Fatalf("rotate: %v %s %s", err, oldKID, newKID)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys", first+".key")); !os.IsNotExist(err) {
		t.Errorf("the retired private key is still on disk: %v", err)
	}
	// The other process (k2) notices the rotation at its next signature.
	if kid, _, _ := k2.Signer(); kid != newKID {
		t.Errorf("k2 signs with %s after rotation to %s", kid, newKID)
	}
	set := SetOf(k.Public())
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
	if offline, err := PublicKeysIn(dir); err != nil || len(offline) != 2 {
		t.Errorf("public keys on disk: %v %d", err, len(offline))
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
}
