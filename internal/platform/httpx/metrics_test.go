package httpx

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

func metricsEcho(token string) *echo.Echo {
	e := NewEcho(ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(), MetricsToken: token})
	e.GET("/things/:id", func(c echo.Context) error { return c.NoContent(204) })
	return e
}

func serve(e *echo.Echo, method, target, remote string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// 171 807 anonymous requests with distinct Host headers took a process to
// 1.16 GB: now the series are bounded by routes × methods × statuses.
func TestMetrics_LabelsNeverComeFromTheRequest(t *testing.T) {
	e := metricsEcho("")
	for i := range 300 {
		serve(e, "GET", fmt.Sprintf("/things/%d", i), "203.0.113.9:1", "Host", fmt.Sprintf("h%d.example", i))
		serve(e, fmt.Sprintf("M%d", i), "/things/1", "203.0.113.9:1")
		serve(e, "GET", fmt.Sprintf("/nowhere/%d", i), "203.0.113.9:1")
	}
	body := serve(e, "GET", "/metrics", "127.0.0.1:9").Body.String()
	series := 0
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "echo_requests_total{") {
			series++
			if strings.Contains(l, "h1.example") || strings.Contains(l, "/nowhere/1") || strings.Contains(l, "M1") {
				t.Fatalf("a label from the request: %s", l)
			}
		}
	}
	if series == 0 || series > 4 {
		t.Fatalf("%d request-count series after 900 varied requests, want a handful:\n%s", series, body)
	}
}

func TestMetrics_LoopbackOnlyWithoutATokenAndTheTokenWithOne(t *testing.T) {
	open := metricsEcho("")
	if rec := serve(open, "GET", "/metrics", "127.0.0.1:9"); rec.Code != http.StatusOK {
		t.Fatalf("loopback: %d", rec.Code)
	}
	if rec := serve(open, "GET", "/metrics", "[::1]:9"); rec.Code != http.StatusOK {
		t.Fatalf("loopback v6: %d", rec.Code)
	}
	if rec := serve(open, "GET", "/metrics", "203.0.113.9:1"); rec.Code != http.StatusNotFound {
		t.Fatalf("a remote client read /metrics: %d", rec.Code)
	}
	guarded := metricsEcho("s3cret-metrics")
	for _, tt := range []struct {
		remote, auth string
		want         int
	}{
		{"127.0.0.1:9", "", http.StatusUnauthorized},
		{"203.0.113.9:1", "Bearer wrong", http.StatusUnauthorized},
		{"203.0.113.9:1", "Bearer s3cret-metrics", http.StatusOK},
	} {
		if rec := serve(guarded, "GET", "/metrics", tt.remote, "Authorization", tt.auth); rec.Code != tt.want {
			t.Errorf("%s with %q: %d, want %d", tt.remote, tt.auth, rec.Code, tt.want)
		}
	}
}
