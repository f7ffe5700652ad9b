package certificates

import "testing"

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
