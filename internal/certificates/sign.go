package certificates

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Verification failures, told apart for the command line's message.
var (
	ErrUnknownKey = errors.New("signed by a key that is not in the key set")
	ErrBadSig     = errors.New("signature does not match the document: it was altered or not issued by us")
)

// sign fills d.KID and d.Signature and returns the signed document's JSON.
// The signature covers the canonical JSON (RFC 8785) of the document
// without its "signature" member.
func sign(d *Document, kid string, key ed25519.PrivateKey) ([]byte, error) {
	d.KID, d.Signature = kid, ""
	// The document is decoded once; the signed body is the same value with
	// the signature member added, as Verify will see it.
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", d.Number, err)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", d.Number, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("sign %s: not a JSON object", d.Number)
	}
	delete(m, "signature") // omitted when empty, or empty: not signed either way
	payload, err := canonicalValue(m, len(raw))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", d.Number, err)
	}
	d.Signature = base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, payload))
	m["signature"] = d.Signature
	body, err := canonicalValue(m, len(raw)+100)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", d.Number, err)
	}
	return body, nil
}

// Verify checks a signed document against a set of public keys by kid. It
// works on the JSON as received, not on our struct, so that a field added,
// removed or changed anywhere (even one this version does not know) fails.
func Verify(raw []byte, keys map[string]ed25519.PublicKey) (Document, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return Document{}, fmt.Errorf("verify: not a JSON document: %w", err)
	}
	sigText, _ := m["signature"].(string)
	kid, _ := m["kid"].(string)
	if sigText == "" || kid == "" {
		return Document{}, errors.New("verify: the document carries no signature")
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigText)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Document{}, ErrBadSig
	}
	pub, ok := keys[kid]
	if !ok {
		return Document{}, fmt.Errorf("verify: key %s: %w", kid, ErrUnknownKey)
	}
	delete(m, "signature")
	payload, err := CanonicalOf(m)
	if err != nil {
		return Document{}, fmt.Errorf("verify: %w", err)
	}
	if !ed25519.Verify(pub, payload, sig) {
		return Document{}, ErrBadSig
	}
	var d Document
	if err := json.Unmarshal(raw, &d); err != nil {
		return Document{}, fmt.Errorf("verify: %w", err)
	}
	return d, nil
}
