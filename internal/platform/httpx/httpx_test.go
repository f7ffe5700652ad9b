package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/civil"
	"github.com/labstack/echo/v4"
)

type address struct {
	City string `json:"city" validate:"required"`
}

type createThing struct {
	Name    string      `json:"name" validate:"required,min=2"`
	Email   string      `json:"email" validate:"omitempty,email"`
	Count   int         `json:"count" validate:"gte=0,lte=10"`
	Address address     `json:"address"`
	Born    *civil.Date `json:"born"`
}

// server is the real Echo set-up (NewEcho, its error handler and body limit)
// with a few routes that exercise the helpers.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	e := NewEcho(ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: 100})
	e.POST("/things", func(c echo.Context) error {
		var req createThing
		if err := Bind(c, &req); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, req)
	})
	e.GET("/problem", func(c echo.Context) error {
		return Invalid(Field("name", "Nom manquant.", "Name missing."), Field("count", "Trop grand.", "Too big."))
	})
	e.GET("/conflict", func(c echo.Context) error {
		return fmt.Errorf("wrapped: %w", Conflict("already_signed", "Déjà signé.", "Already signed."))
	})
	e.GET("/boom", func(c echo.Context) error { return errors.New("secret database detail") })
	e.GET("/letters", func(c echo.Context) error {
		all := []string{"a", "b", "c", "d", "e"}
		return List(c, func(after string, limit int) ([]string, string, error) {
			i := 0
			for i < len(all) && after != "" && all[i] <= after {
				i++
			}
			page := all[i:min(i+limit, len(all))]
			next := ""
			if i+limit < len(all) {
				next = page[len(page)-1]
			}
			return page, next, nil
		})
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	status int
	ctype  string
	body   map[string]any
	raw    string
}

func call(t *testing.T, srv *httptest.Server, method, path string, header map[string]string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func fieldMessages(r reply) map[string]string {
	out := map[string]string{}
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["message"].(string)
	}
	return out
}

func TestProblem_RenderedInTheCallersLanguage(t *testing.T) {
	srv := server(t)
	tests := []struct {
		name, path string
		header     map[string]string
		title      string
		detail     string
		nameMsg    string
	}{
		{"French by default", "/problem", nil, "Règle non respectée", "La requête contient des champs invalides.", "Nom manquant."},
		{"?lang=en", "/problem?lang=en", nil, "Unprocessable Entity", "The request has invalid fields.", "Name missing."},
		{"?lang beats the cookie", "/problem?lang=fr", map[string]string{"Cookie": "lang=en"}, "Règle non respectée", "La requête contient des champs invalides.", "Nom manquant."},
		{"cookie", "/problem", map[string]string{"Cookie": "lang=en", "Accept-Language": "fr"}, "Unprocessable Entity", "The request has invalid fields.", "Name missing."},
		{"unknown ?lang falls through to the header", "/problem?lang=de", map[string]string{"Accept-Language": "en-GB,en;q=0.8"}, "Unprocessable Entity", "The request has invalid fields.", "Name missing."},
		{"Accept-Language, first known tag wins", "/problem", map[string]string{"Accept-Language": "de-DE, fr-CA;q=0.9, en;q=0.8"}, "Règle non respectée", "La requête contient des champs invalides.", "Nom manquant."},
		{"unknown language means French", "/problem", map[string]string{"Accept-Language": "es"}, "Règle non respectée", "La requête contient des champs invalides.", "Nom manquant."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, "GET", tt.path, tt.header, nil)
			if r.status != 422 || r.ctype != "application/problem+json" {
				t.Fatalf("got %d %q", r.status, r.ctype)
			}
			b := r.body
			if b["code"] != "validation" || b["type"] != "urn:cqp:problem:validation" || b["status"] != float64(422) ||
				b["title"] != tt.title || b["detail"] != tt.detail || b["instance"] != "/problem" {
				t.Fatalf("body %v", b)
			}
			if f := fieldMessages(r); len(f) != 2 || f["name"] != tt.nameMsg {
				t.Fatalf("field errors %v", f)
			}
		})
	}
}

func TestErrorHandler_MapsEveryKindOfError(t *testing.T) {
	srv := server(t)
	tests := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"wrapped problem keeps its code", "GET", "/conflict", 409, "already_signed"},
		{"unknown route", "GET", "/nowhere", 404, "not_found"},
		{"wrong method", "DELETE", "/problem", 405, "method_not_allowed"},
		{"plain error hides its cause", "GET", "/boom", 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, tt.method, tt.path, map[string]string{"Accept-Language": "en"}, nil)
			if r.status != tt.status || r.body["code"] != tt.code || r.ctype != "application/problem+json" {
				t.Fatalf("got %d %v %q", r.status, r.body, r.ctype)
			}
			if errs, ok := r.body["errors"].([]any); !ok || len(errs) != 0 {
				t.Fatalf("errors must be an empty list, got %v", r.body["errors"])
			}
			if strings.Contains(r.raw, "secret") {
				t.Fatalf("cause leaked: %s", r.raw)
			}
		})
	}
}

func TestBind_RefusesBadBodiesWithTheRightProblem(t *testing.T) {
	srv := server(t)
	jsonCT := map[string]string{"Content-Type": "application/json", "Accept-Language": "en"}
	tests := []struct {
		name   string
		header map[string]string
		body   io.Reader
		status int
		code   string
		detail string
		fields map[string]string
	}{
		{"valid", jsonCT, strings.NewReader(`{"name":"Ab","address":{"city":"Lyon"}}`), 201, "", "", nil},
		{"charset parameter accepted", map[string]string{"Content-Type": "application/json; charset=utf-8"},
			strings.NewReader(`{"name":"Ab","address":{"city":"Lyon"}}`), 201, "", "", nil},
		{"empty body", jsonCT, nil, 400, "bad_request", "The request body is empty", nil},
		{"wrong content type", map[string]string{"Content-Type": "text/plain"}, strings.NewReader(`{"name":"Ab"}`), 415, "unsupported_media_type", "", nil},
		{"form content type", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, strings.NewReader(`name=Ab`), 415, "unsupported_media_type", "", nil},
		{"malformed JSON", jsonCT, strings.NewReader(`{"name":`), 400, "bad_request", "Malformed JSON", nil},
		{"not JSON at all", jsonCT, strings.NewReader(`name=Ab`), 400, "bad_request", "Malformed JSON", nil},
		{"two documents", jsonCT, strings.NewReader(`{"name":"Ab","address":{"city":"L"}} {}`), 400, "bad_request", "more than one JSON document", nil},
		{"too large by Content-Length", jsonCT, strings.NewReader(`{"name":"` + strings.Repeat("x", 100) + `"}`), 413, "too_large", "", nil},
		{"too large while reading (chunked)", jsonCT, io.MultiReader(strings.NewReader(`{"name":"` + strings.Repeat("x", 100) + `"}`)), 413, "too_large", "", nil},
		{"wrong type names the field, with the other problems", jsonCT, strings.NewReader(`{"name":"Ab","count":"three"}`), 422, "validation", "",
			map[string]string{"count": "count: invalid value (int expected, got string).", "address.city": "address.city is a required field"}},
		// CONTRACT "Errors (precision)": one answer, all the problems,
		// including a value that cannot be parsed.
		{"every field at once, an impossible date among them", jsonCT,
			strings.NewReader(`{"name":"A","count":"x","born":"1990-13-01","address":{"city":7}}`), 422, "validation", "",
			map[string]string{
				"name":         "name must be at least 2 characters in length",
				"count":        "count: invalid value (int expected, got string).",
				"born":         `born: invalid value (date "1990-13-01" (YYYY-MM-DD)).`,
				"address.city": "address.city: invalid value (string expected, got number).",
			}},
		{"NUL and control characters refused", jsonCT, strings.NewReader(`{"name":"Ab\u0000c","address":{"city":"Ly\u0007on"}}`), 422, "validation", "",
			map[string]string{
				"name":         "name: character not allowed (NUL character).",
				"address.city": "address.city: character not allowed (control character U+0007).",
			}},
		{"validator failures, nested path", jsonCT, strings.NewReader(`{"name":"A","email":"x","count":11}`), 422, "validation", "",
			map[string]string{
				"name":         "name must be at least 2 characters in length",
				"email":        "email must be a valid email address",
				"count":        "count must be 10 or less",
				"address.city": "address.city is a required field",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, "POST", "/things", tt.header, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.code == "" {
				return
			}
			if r.body["code"] != tt.code || !strings.Contains(fmt.Sprint(r.body["detail"]), tt.detail) {
				t.Fatalf("got code %v detail %q, want %s %q", r.body["code"], r.body["detail"], tt.code, tt.detail)
			}
			if tt.fields != nil {
				got := fieldMessages(r)
				if len(got) != len(tt.fields) {
					t.Fatalf("fields %v, want %v", got, tt.fields)
				}
				for f, m := range tt.fields {
					if got[f] != m {
						t.Errorf("field %s: %q, want %q", f, got[f], m)
					}
				}
			}
		})
	}
}

func TestValidator_MessagesInFrench(t *testing.T) {
	srv := server(t)
	r := call(t, srv, "POST", "/things?lang=fr", map[string]string{"Content-Type": "application/json"},
		strings.NewReader(`{"name":"A","address":{}}`))
	f := fieldMessages(r)
	if r.status != 422 || len(f) != 2 {
		t.Fatalf("got %d %v", r.status, f)
	}
	for field, m := range f {
		if !strings.HasPrefix(m, field+" ") || !(strings.Contains(m, "doit") || strings.Contains(m, "obligatoire")) {
			t.Errorf("%s: %q is not a French message naming the field", field, m)
		}
	}
}

func TestList_PagesWithAnOpaqueCursor(t *testing.T) {
	srv := server(t)
	r := call(t, srv, "GET", "/letters?limit=2", nil, nil)
	var pages [][]any
	for range 4 {
		if r.status != 200 {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
		pages = append(pages, r.body["items"].([]any))
		next, _ := r.body["next_cursor"].(string)
		if next == "" {
			if _, ok := r.body["next_cursor"]; !ok {
				t.Fatal("next_cursor must be present (null) on the last page")
			}
			break
		}
		if strings.Contains(next, "b") && strings.Contains(next, `"`) {
			t.Fatalf("cursor is not opaque: %q", next)
		}
		r = call(t, srv, "GET", "/letters?limit=2&cursor="+next, nil, nil)
	}
	if got := fmt.Sprint(pages); got != "[[a b] [c d] [e]]" {
		t.Fatalf("pages %s", got)
	}
	if r := call(t, srv, "GET", "/letters", nil, nil); len(r.body["items"].([]any)) != 5 || r.body["next_cursor"] != nil {
		t.Fatalf("default limit: %v", r.body)
	}
}

func TestList_RefusesBadLimitAndCursor(t *testing.T) {
	srv := server(t)
	tests := []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=201", "limit"}, {"limit=ten", "limit"}, {"limit=-1", "limit"},
		{"cursor=%25%25", "cursor"}, {"cursor=bm90IGpzb24", "cursor"}, {"cursor=" + *EncodeCursor(42), "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := call(t, srv, "GET", "/letters?"+tt.query, nil, nil)
			if f := fieldMessages(r); r.status != 422 || r.body["code"] != "validation" || f[tt.field] == "" {
				t.Fatalf("got %d %v", r.status, r.body)
			}
		})
	}
	if r := call(t, srv, "GET", "/letters?limit=200", nil, nil); r.status != 200 {
		t.Fatalf("limit=200 refused: %d", r.status)
	}
}

func TestCursor_RoundTrips(t *testing.T) {
	type key struct {
		Name string `json:"n"`
		ID   int    `json:"i"`
	}
	e := echo.New()
	c := e.NewContext(httptest.NewRequest("GET", "/?cursor="+*EncodeCursor(key{"É l'été", 7}), nil), httptest.NewRecorder())
	var k key
	ok, err := DecodeCursor(c, &k)
	if err != nil || !ok || k != (key{"É l'été", 7}) {
		t.Fatalf("got %+v %v %v", k, ok, err)
	}
	c = e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	if ok, err := DecodeCursor(c, &k); ok || err != nil {
		t.Fatalf("absent cursor: %v %v", ok, err)
	}
}

func TestWriteProblem_UnauthorizedAsksForABearerToken(t *testing.T) {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest("GET", "/x", nil), rec)
	WriteProblem(c, Unauthorized("Non.", "No."))
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Bearer realm="cqp"` {
		t.Fatalf("got %d %v", rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	c = e.NewContext(httptest.NewRequest("HEAD", "/x", nil), rec)
	WriteProblem(c, NotFound("Non.", "No."))
	if rec.Code != 404 || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: %d with %d bytes", rec.Code, rec.Body.Len())
	}
}
