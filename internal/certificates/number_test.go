package certificates

import (
	"strings"
	"testing"
)

func TestNumber_FormatAndCheckCharacter(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	n := formatNumber(secret, numberPrefix(KindCertificate, "clerc"), 2026, 123)
	if !strings.HasPrefix(n, "CQP-CLERC-2026-000123-") || len(n) != len("CQP-CLERC-2026-000123-K") {
		t.Fatalf("number %q", n)
	}
	if !WellFormed(n) || !CheckNumber(secret, n) {
		t.Fatalf("%s does not check", n)
	}
	if a := formatNumber(secret, numberPrefix(KindAttestation, "AGENT"), 2026, 1_234_567); !strings.HasPrefix(a, "ATT-AGENT-2026-1234567-") || !CheckNumber(secret, a) {
		t.Fatalf("attestation number %q", a)
	}
	// Every other check character is refused, and so is any single-digit typo
	// but about one in 32 (the keyed check is not a Luhn code).
	wrong := 0
	for _, c := range checkAlphabet {
		m := n[:len(n)-1] + string(c)
		if m != n && CheckNumber(secret, m) {
			t.Errorf("%s accepted", m)
		}
	}
	for seq := int64(1); seq <= 320; seq++ {
		body := formatNumber(secret, "CQP-CLERC", 2026, seq)
		if CheckNumber(secret, body[:len(body)-1]+string(n[len(n)-1])) && body[len(body)-1] != n[len(n)-1] {
			wrong++
		}
	}
	if wrong > 40 { // expected ~10 (1/32 of 320); a broken check would accept far more
		t.Errorf("%d of 320 foreign check characters accepted", wrong)
	}
	// Another installation's secret gives other check characters.
	if other := []byte("ffffffffffffffffffffffffffffffff"); formatNumber(other, "CQP-CLERC", 2026, 123) == n &&
		formatNumber(other, "CQP-CLERC", 2026, 124) == formatNumber(secret, "CQP-CLERC", 2026, 124) &&
		formatNumber(other, "CQP-CLERC", 2026, 125) == formatNumber(secret, "CQP-CLERC", 2026, 125) {
		t.Error("the check character does not depend on the secret")
	}
	for _, bad := range []string{"", "CQP-CLERC-2026-000123", "cqp-clerc-2026-000123-K", "CQP-CLERC-2026-123-K", "CQP-CLERC-2026-000123-I", "X-CLERC-2026-000123-K", "CQP-CLERC-2026-000123-K/../x"} {
		if WellFormed(bad) {
			t.Errorf("%q is well formed", bad)
		}
	}
}
