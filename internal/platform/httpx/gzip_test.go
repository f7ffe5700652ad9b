package httpx

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// Text answers go compressed to a client that accepts gzip; short answers,
// PDFs and uploaded documents go as they are; a client that does not ask
// gets plain bytes.
func TestGzip_TextCompressedFilesAsTheyAre(t *testing.T) {
	e := NewEcho(ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	page := strings.Repeat("<p>Délibération du jury, bloc CLERC-1.</p>\n", 200)
	e.GET("/page", func(c echo.Context) error { return c.HTML(http.StatusOK, page) })
	e.GET("/short", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/documents/:n/pdf", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/pdf", []byte(page)) })
	e.GET("/api/v1/vae/dossiers/:d/documents/:id", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "image/png", []byte(page))
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	get := func(path string, gz bool) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if gz { // set by hand: Go's transport then leaves the body compressed
			req.Header.Set("Accept-Encoding", "gzip")
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, body := get("/page", true)
	if res.Header.Get("Content-Encoding") != "gzip" || len(body) >= len(page)/4 {
		t.Fatalf("page: encoding %q, %d bytes for %d", res.Header.Get("Content-Encoding"), len(body), len(page))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != page {
		t.Fatal("the page does not decompress to itself")
	}
	for _, path := range []string{"/short", "/documents/CQP-X/pdf", "/api/v1/vae/dossiers/d/documents/x"} {
		if res, _ := get(path, true); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s compressed", path)
		}
	}
	if res, body := get("/page", false); res.Header.Get("Content-Encoding") != "" || string(body) != page {
		t.Errorf("without Accept-Encoding: %q", res.Header.Get("Content-Encoding"))
	}
}
