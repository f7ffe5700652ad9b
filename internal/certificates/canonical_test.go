package certificates

import (
	"encoding/json"
	"testing"
)

func TestCanonical_RFC8785(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"b":1, "a":[true,null,"x"]}`, `{"a":[true,null,"x"],"b":1}`},
		{"{\n \"é\": \"Éloïse <&> \u2028\", \"e\": \"tab\\tquote\\\"\"\n}", "{\"e\":\"tab\\tquote\\\"\",\"é\":\"Éloïse <&> \u2028\"}"},
		{`{"\u0001":"\u001f"}`, `{"\u0001":"\u001f"}`},
		// U+FB33 sorts after U+1F600 in UTF-16 (surrogates D83D) but before in code points.
		{`{"דּ":2,"😀":1}`, `{"😀":1,"דּ":2}`},
		{`{"n":-9007199254740992}`, `{"n":-9007199254740992}`},
	} {
		got, err := Canonical([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("Canonical(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`{"a":1.5}`, `{"a":1e3}`, `{"a":9007199254740993}`, `{"a":1} {}`, `{`} {
		if _, err := Canonical([]byte(bad)); err == nil {
			t.Errorf("Canonical(%s) accepted", bad)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := CanonicalOf(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The direct path for plain values gives the bytes of the JSON round trip,
// on the credentials we sign and on strings JSON escapes or replaces.
func TestCanonicalOf_PlainValuesAsTheRoundTrip(t *testing.T) {
	vals := []any{
		map[string]any{"z": []any{"<&>", "\u2028", "a\tb\"c\\", "\x01", "bad \xff utf-8", nil, true}, "😀": map[string]any{}, "דּ": []any{}},
	}
	for _, c := range credentials(sampleDocument(KindAttestation)) {
		vals = append(vals, c)
	}
	for _, v := range vals {
		if !plain(v) {
			t.Fatalf("%v not taken as plain", v)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Canonical(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustJSON(t, v); string(got) != string(want) {
			t.Errorf("direct %s\nround trip %s", got, want)
		}
	}
	if plain(map[string]any{"n": 1}) {
		t.Error("a number must take the round trip")
	}
}
