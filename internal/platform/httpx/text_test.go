package httpx

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestCleanText_RefusesNULAndControlsKeepsLinesAndNormalisesNFC(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"Éloïse", "Éloïse", true},
		{"E\u0301loi\u0308se", "Éloïse", true}, // decomposed accents become one character each
		{"ligne 1\nligne 2\tfin\r\n", "ligne 1\nligne 2\tfin\r\n", true},
		{"a\x00b", "", false},
		{"a\x07b", "", false},
		{"a\u0085b", "", false}, // C1 control
		{"😀 emoji", "😀 emoji", true},
	} {
		got, err := CleanText(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCleanURL_NULInAPathOrQueryIs400NotA500(t *testing.T) {
	e := echoWith()
	for _, target := range []string{"/who?q=a%00b", "/who?x%07=1", "/who%00"} {
		if rec := who2(e, target); rec != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", target, rec)
		}
	}
	if rec := who2(e, "/who?q=%C3%A9l%C3%A8ve"); rec != http.StatusOK {
		t.Errorf("an accented query: %d", rec)
	}
}

func who2(e http.Handler, target string) int {
	req := httptest.NewRequest("GET", target, nil)
	req.RemoteAddr = "203.0.113.9:1"
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code
}

func TestRedactURI_KeepsEmailsAndTokensOutOfTheLog(t *testing.T) {
	for in, want := range map[string]string{
		"/admin/messages?to=lea%40example.fr&kind=invitation": "/admin/messages?kind=invitation&to=%5Bredacted%5D",
		"/account/activate?token=abc123":                      "/account/activate?token=%5Bredacted%5D",
		"/api/v1/candidates?q=Martin":                         "/api/v1/candidates?q=Martin",
		"/healthz":                                            "/healthz",
	} {
		u, _ := url.Parse(in)
		if got := redactURI(u); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}
