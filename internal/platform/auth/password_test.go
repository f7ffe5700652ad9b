package auth

import (
	"fmt"
	"strings"
	"testing"
)

var cheap = HashParams{MemoryKiB: 64, Time: 1, Threads: 1}

func TestHashPassword_IsArgon2idPHCWithItsParameters(t *testing.T) {
	tests := []struct {
		p    HashParams
		want string
	}{
		{cheap, "$argon2id$v=19$m=64,t=1,p=1$"},
		{HashParams{MemoryKiB: 128, Time: 3, Threads: 2}, "$argon2id$v=19$m=128,t=3,p=2$"},
	}
	for _, tt := range tests {
		h, err := HashPassword("correct horse", tt.p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, tt.want) || len(strings.Split(h, "$")) != 6 {
			t.Fatalf("got %q, want prefix %q", h, tt.want)
		}
	}
	if DefaultHashParams.MemoryKiB < 19*1024 || DefaultHashParams.Time < 2 || DefaultHashParams.Threads < 1 {
		t.Fatalf("default parameters below OWASP's minimum: %+v", DefaultHashParams)
	}
}

func TestHashPassword_SaltsEachHash(t *testing.T) {
	a, _ := HashPassword("same", cheap)
	b, _ := HashPassword("same", cheap)
	if a == b {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestCheckPassword(t *testing.T) {
	good, err := HashPassword("Motdepasse-1", cheap)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	// The same password under other stored parameters must still verify:
	// CheckPassword reads them from the hash.
	other, _ := HashPassword("Motdepasse-1", HashParams{MemoryKiB: 256, Time: 2, Threads: 2})
	tests := []struct {
		name, pw, hash string
		want           bool
	}{
		{"right password", "Motdepasse-1", good, true},
		{"right password, other parameters", "Motdepasse-1", other, true},
		{"wrong password", "Motdepasse-2", good, false},
		{"case matters", "motdepasse-1", good, false},
		{"empty password", "", good, false},
		{"empty hash", "Motdepasse-1", "", false},
		{"bcrypt hash refused", "Motdepasse-1", "$2a$10$abcdefghijklmnopqrstuu", false},
		{"argon2i refused", "Motdepasse-1", strings.Replace(good, "argon2id", "argon2i", 1), false},
		{"changed parameters", "Motdepasse-1", strings.Replace(good, "t=1", "t=2", 1), false},
		{"garbled parameters", "Motdepasse-1", strings.Replace(good, "m=64", "m=x", 1), false},
		{"bad salt encoding", "Motdepasse-1", fmt.Sprintf("$%s$%s$%s$!!!$%s", parts[1], parts[2], parts[3], parts[5]), false},
		{"empty key", "Motdepasse-1", fmt.Sprintf("$%s$%s$%s$%s$", parts[1], parts[2], parts[3], parts[4]), false},
		{"truncated key", "Motdepasse-1", good[:len(good)-4], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.pw, tt.hash); got != tt.want {
				t.Fatalf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}
