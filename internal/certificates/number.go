package certificates

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
)

// A document number reads CQP-CLERC-2026-000123-K:
//
//	kind prefix (CQP for a certificate, ATT for a partial attestation),
//	the certification's short code, the year of issue, a six-digit sequence
//	(more digits past 999 999) allocated without gaps per prefix and year,
//	and a check character.
//
// The check character is keyed: the first five bits of
// HMAC-SHA256(numbering secret, "CQP-CLERC-2026-000123") in Crockford's
// base-32 alphabet (no I, L, O, U, so that it cannot be misread). Without the
// secret, a made-up or mistyped number is right one time in 32, so numbers
// cannot be enumerated cheaply through the public (rate-limited) check, and a
// single mistyped character is caught 31 times in 32. It is not what makes a
// document genuine: the Ed25519 signature and the registry lookup are.
const checkAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Kind prefixes of numbers.
const (
	prefixCertificate = "CQP"
	prefixAttestation = "ATT"
)

var numberPattern = regexp.MustCompile(`^(CQP|ATT)-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6,12}-[` + checkAlphabet + `]$`)

// WellFormed tells whether s has the shape of a document number; lookups of
// anything else answer "unknown" without touching the database.
func WellFormed(s string) bool { return numberPattern.MatchString(s) }

// numberPrefix is the counter key of a document: "CQP-CLERC".
func numberPrefix(kind, short string) string {
	p := prefixAttestation
	if kind == KindCertificate {
		p = prefixCertificate
	}
	return p + "-" + strings.ToUpper(short)
}

// formatNumber builds the full number from its parts and the secret.
func formatNumber(secret []byte, prefix string, year int, seq int64) string {
	body := fmt.Sprintf("%s-%04d-%06d", prefix, year, seq)
	return body + "-" + string(checkChar(secret, body))
}

func checkChar(secret []byte, body string) byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	sum := m.Sum(nil)
	return checkAlphabet[sum[0]>>3]
}

// CheckNumber tells whether number's check character is right for secret.
func CheckNumber(secret []byte, number string) bool {
	if !WellFormed(number) {
		return false
	}
	i := strings.LastIndexByte(number, '-')
	return hmac.Equal([]byte{checkChar(secret, number[:i])}, []byte{number[i+1]})
}
