package secrets

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func TestBox_OpensOnlyWithTheSameKeyAndLabel(t *testing.T) {
	k1, _ := ParseKey(NewKey())
	k2, _ := ParseKey(NewKey())
	b1, err := New(k1)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := New(k2)
	sealed := b1.Seal([]byte("clé privée"), "signing-key:abc")
	if bytes.Contains(sealed, []byte("clé")) {
		t.Fatal("the sealed value shows its content")
	}
	if again := b1.Seal([]byte("clé privée"), "signing-key:abc"); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	plain, err := b1.Open(sealed, "signing-key:abc")
	if err != nil || string(plain) != "clé privée" {
		t.Fatalf("open = %q, %v", plain, err)
	}
	if _, err := b2.Open(sealed, "signing-key:abc"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another master key opened it: %v", err)
	}
	if _, err := b1.Open(sealed, "signing-key:abd"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("another label opened it: %v", err)
	}
	altered := bytes.Clone(sealed)
	altered[len(altered)-1] ^= 1
	if _, err := b1.Open(altered, "signing-key:abc"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("an altered value opened: %v", err)
	}
	if _, err := b1.Open(nil, "x"); !errors.Is(err, ErrWrongKey) {
		t.Fatal("an empty value opened")
	}
}

func TestParseKey_HexAndBase64Of32BytesOnly(t *testing.T) {
	for _, ok := range []string{
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
	} {
		k, err := ParseKey(ok)
		if err != nil || len(k) != 32 || k[31] != 0x1f {
			t.Errorf("ParseKey(%q) = %x, %v", ok, k, err)
		}
	}
	for _, bad := range []string{"", "secret", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==" /* 31 bytes */} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}

func TestLoadOrCreateFile_CreatesOnceThenKeeps(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(KeyFile(dir))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, st.Mode())
	}
	k2, err := LoadOrCreateFile(dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second start got another key: %v", err)
	}
	os.WriteFile(KeyFile(dir), []byte("abîmé\n"), 0o600)
	if _, err := LoadOrCreateFile(dir); err == nil {
		t.Fatal("a damaged key file was accepted")
	}
}
