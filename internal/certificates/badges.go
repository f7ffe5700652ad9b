package certificates

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
)

// Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0), one for the
// CQP and one per acquired component, for wallets and professional
// networks. Each is secured by a Data Integrity proof with the
// eddsa-jcs-2022 cryptosuite: the same Ed25519 key and the same JSON
// canonicalisation (RFC 8785) as our documents, so any conformant verifier
// can check them with the key published at /api/v1/keys.

var credentialContext = []any{
	"https://www.w3.org/ns/credentials/v2",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
}

// dateTime is midnight UTC of a civil date, the form VC dates take.
func dateTime(d civil.Date) string { return d.String() + "T00:00:00Z" }

// credentials builds the unsigned credentials of a document: the CQP's
// (no validUntil: a CQP does not expire) and one per component, each valid
// until the component's expires_on (the day it stops being valid).
func credentials(d Document) []map[string]any {
	issuer := map[string]any{"id": d.Issuer, "type": []any{"Profile"}, "name": d.Certifier}
	subject := func(achievement map[string]any) map[string]any {
		return map[string]any{
			"type": []any{"AchievementSubject"},
			"identifier": []any{map[string]any{
				"type": "IdentityObject", "identityType": "name", "hashed": false,
				"identityHash": d.Holder.FirstName + " " + d.Holder.LastName,
			}},
			"achievement": achievement,
		}
	}
	var out []map[string]any
	if d.Kind == KindCertificate && d.AwardedOn != nil {
		out = append(out, map[string]any{
			"@context":  credentialContext,
			"id":        d.VerificationURL + "#cqp",
			"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
			"name":      d.CertificationTitle,
			"issuer":    issuer,
			"validFrom": dateTime(*d.AwardedOn),
			"credentialSubject": subject(map[string]any{
				"id":              d.Issuer + "/achievements/" + d.Certification,
				"type":            []any{"Achievement"},
				"achievementType": "Certificate",
				"name":            d.CertificationTitle,
				"description":     "Certificat de qualification professionnelle délivré par " + d.Certifier + ".",
				"criteria":        map[string]any{"narrative": "Validation par le jury de chacun des blocs de compétences de la certification, tous valables à la date de la décision qui complète l'ensemble."},
			}),
		})
	}
	for _, c := range d.Components {
		out = append(out, map[string]any{
			"@context":   credentialContext,
			"id":         d.VerificationURL + "#" + c.Code,
			"type":       []any{"VerifiableCredential", "OpenBadgeCredential"},
			"name":       c.Code + " — " + c.Title,
			"issuer":     issuer,
			"validFrom":  dateTime(c.AcquiredOn),
			"validUntil": dateTime(c.ExpiresOn),
			"credentialSubject": subject(map[string]any{
				"id":              d.Issuer + "/achievements/" + c.Code,
				"type":            []any{"Achievement"},
				"achievementType": "Competency",
				"name":            c.Title,
				"description":     "Bloc de compétences " + c.Code + " du " + d.CertificationTitle + ", valable cinq ans à compter de sa validation par le jury.",
				"criteria":        map[string]any{"narrative": "Validation du bloc par le jury de certification."},
			}),
		})
	}
	return out
}

// proofConfig is the proof without its value, as eddsa-jcs-2022 signs it.
func proofConfig(created time.Time, method string) map[string]any {
	return map[string]any{
		"@context":           credentialContext,
		"type":               "DataIntegrityProof",
		"cryptosuite":        "eddsa-jcs-2022",
		"created":            created.UTC().Format(time.RFC3339),
		"verificationMethod": method,
		"proofPurpose":       "assertionMethod",
	}
}

// jcsHashData is SHA-256(JCS(proof config)) ‖ SHA-256(JCS(credential)),
// the bytes eddsa-jcs-2022 signs.
func jcsHashData(config, unsecured map[string]any) ([]byte, error) {
	c, err := CanonicalOf(config)
	if err != nil {
		return nil, err
	}
	u, err := CanonicalOf(unsecured)
	if err != nil {
		return nil, err
	}
	hc, hu := sha256.Sum256(c), sha256.Sum256(u)
	return append(hc[:], hu[:]...), nil
}

// signCredential adds a proof to a credential.
func signCredential(cred map[string]any, created time.Time, baseURL, kid string, key ed25519.PrivateKey) error {
	cfg := proofConfig(created, baseURL+"/api/v1/keys#"+kid)
	data, err := jcsHashData(cfg, cred)
	if err != nil {
		return fmt.Errorf("sign credential: %w", err)
	}
	proof := cfg
	delete(proof, "@context")
	proof["proofValue"] = "z" + base58(ed25519.Sign(key, data))
	cred["proof"] = proof
	return nil
}

// VerifyCredential checks a credential's eddsa-jcs-2022 proof with our keys
// (the kid is the fragment of its verificationMethod).
func VerifyCredential(raw []byte, keys map[string]ed25519.PublicKey) error {
	var cred map[string]any
	if err := json.Unmarshal(raw, &cred); err != nil {
		return fmt.Errorf("credential: %w", err)
	}
	proof, ok := cred["proof"].(map[string]any)
	if !ok {
		return errors.New("credential: no proof")
	}
	delete(cred, "proof")
	value, _ := proof["proofValue"].(string)
	method, _ := proof["verificationMethod"].(string)
	_, kid, _ := strings.Cut(method, "#")
	pub, ok := keys[kid]
	if !ok {
		return fmt.Errorf("credential: key %q: %w", kid, ErrUnknownKey)
	}
	sig, err := unbase58(strings.TrimPrefix(value, "z"))
	if err != nil || !strings.HasPrefix(value, "z") || len(sig) != ed25519.SignatureSize {
		return ErrBadSig
	}
	delete(proof, "proofValue")
	proof["@context"] = cred["@context"]
	data, err := jcsHashData(proof, cred)
	if err != nil {
		return fmt.Errorf("credential: %w", err)
	}
	if !ed25519.Verify(pub, data, sig) {
		return ErrBadSig
	}
	return nil
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58 is the Bitcoin alphabet (multibase "z"), which proofValue uses.
func base58(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, radix := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func unbase58(s string) ([]byte, error) {
	n, radix := new(big.Int), big.NewInt(58)
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	for _, r := range s {
		i := strings.IndexRune(base58Alphabet, r)
		if i < 0 {
			return nil, errors.New("base58: bad character")
		}
		n.Mul(n, radix).Add(n, big.NewInt(int64(i)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}
