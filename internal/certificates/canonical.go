package certificates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical rewrites a JSON document in the JSON Canonicalization Scheme
// (RFC 8785): members sorted by their UTF-16 code units, no insignificant
// whitespace, strings escaped only where JSON requires it. Signatures are
// computed over these bytes, so that any verifier who canonicalises the same
// document gets the same bytes whatever the producer's formatting.
//
// Numbers are limited to integers of at most 2^53 in magnitude: our
// documents carry none other, and RFC 8785's float formatting is not needed.
func Canonical(doc []byte) ([]byte, error) {
	v, err := decodeJSON(doc)
	if err != nil {
		return nil, err
	}
	return canonicalValue(v, len(doc))
}

// decodeJSON reads one JSON value, numbers kept as written.
func decodeJSON(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("canonical json: trailing data")
	}
	return v, nil
}

// canonicalValue writes a decoded value canonically; size is a hint.
func canonicalValue(v any, size int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(size)
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CanonicalOf marshals v and canonicalises the result. A value made only of
// maps, slices, strings, booleans and nil (the Open Badges credentials we
// build) is written directly; the JSON round trip would give the same bytes,
// at several times the cost, five times for every document issued.
func CanonicalOf(v any) ([]byte, error) {
	if plain(v) {
		var buf bytes.Buffer
		if err := writeCanonical(&buf, v); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return Canonical(raw)
}

// plain tells whether writeCanonical takes v as it is: what a JSON decoder
// produces, without numbers (which json.Marshal would format).
func plain(v any) bool {
	switch x := v.(type) {
	case nil, bool, string:
		return true
	case []any:
		for _, e := range x {
			if !plain(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !plain(e) {
				return false
			}
		}
		return true
	}
	return false
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil || n > 1<<53 || n < -(1<<53) {
			return fmt.Errorf("canonical json: number %s is not a safe integer", x)
		}
		buf.WriteString(strconv.FormatInt(n, 10))
	case string:
		writeString(buf, x)
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("canonical json: unexpected %T", v)
	}
	return nil
}

// compareUTF16 orders keys as RFC 8785 §3.2.3 says: by UTF-16 code units,
// which differs from byte order only beyond the Basic Multilingual Plane.
func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

const hexDigits = "0123456789abcdef"

// writeString escapes as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2.2):
// the two-character escapes, \u00xx for other control characters, and every
// other character as itself in UTF-8 (no \u escaping of <, >, & or U+2028).
func writeString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			buf.WriteRune(r) // invalid UTF-8 becomes U+FFFD, as in any JSON decoder
			i += size
			continue
		}
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if c < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xf])
			} else {
				buf.WriteByte(c)
			}
		}
		i++
	}
	buf.WriteByte('"')
}
