package httpx

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/labstack/echo/v4"
)

func echoWith(trusted ...string) *echo.Echo {
	var ps []netip.Prefix
	for _, t := range trusted {
		ps = append(ps, netip.MustParsePrefix(t))
	}
	e := NewEcho(ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustedProxies: ps, HSTS: true})
	e.GET("/who", func(c echo.Context) error {
		return c.String(http.StatusOK, c.RealIP()+" "+c.Scheme())
	})
	return e
}

func who(e *echo.Echo, remote string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/who", nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestClientIP_BelievesOnlyTrustedProxies(t *testing.T) {
	none := echoWith()
	proxied := echoWith("10.0.0.0/8", "172.18.0.2/32")
	for _, tt := range []struct {
		name    string
		e       *echo.Echo
		remote  string
		headers []string
		want    string
	}{
		{"no proxy configured: a forged header is ignored", none, "203.0.113.9:5000",
			[]string{"X-Forwarded-For", "1.2.3.4", "X-Forwarded-Proto", "https"}, "203.0.113.9 http"},
		{"untrusted socket: ignored", proxied, "203.0.113.9:5000",
			[]string{"X-Forwarded-For", "1.2.3.4", "X-Forwarded-Proto", "https"}, "203.0.113.9 http"},
		{"trusted proxy: its client", proxied, "172.18.0.2:4000",
			[]string{"X-Forwarded-For", "198.51.100.7", "X-Forwarded-Proto", "https"}, "198.51.100.7 https"},
		{"a client's forged entry on the left is not reached", proxied, "172.18.0.2:4000",
			[]string{"X-Forwarded-For", "1.2.3.4, 198.51.100.7"}, "198.51.100.7 http"},
		{"two trusted hops", proxied, "10.1.1.1:4000",
			[]string{"X-Forwarded-For", "198.51.100.7, 172.18.0.2"}, "198.51.100.7 http"},
		{"several header lines", proxied, "10.1.1.1:4000",
			[]string{"X-Forwarded-For", "198.51.100.7", "X-Forwarded-For", "10.2.2.2"}, "198.51.100.7 http"},
		{"trusted proxy without header: itself", proxied, "10.1.1.1:4000", nil, "10.1.1.1 http"},
		{"garbage after a good hop stops there", proxied, "10.1.1.1:4000",
			[]string{"X-Forwarded-For", "198.51.100.7, not-an-ip"}, "10.1.1.1 http"},
		{"IPv6 client", proxied, "172.18.0.2:4000", []string{"X-Forwarded-For", "2001:db8::1"}, "2001:db8::1 http"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := who(tt.e, tt.remote, tt.headers...)
			if got := rec.Body.String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHSTS_SentWhenThePublicURLIsHTTPS(t *testing.T) {
	rec := who(echoWith(), "203.0.113.9:5000")
	if h := rec.Header().Get("Strict-Transport-Security"); h != "max-age=31536000; includeSubDomains" {
		t.Fatalf("HSTS %q", h)
	}
	e := NewEcho(ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.GET("/x", func(c echo.Context) error { return c.NoContent(204) })
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if h := rec.Header().Get("Strict-Transport-Security"); h != "" {
		t.Fatalf("HSTS on a plain-HTTP deployment: %q", h)
	}
}
