package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/secrets"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	svc *auth.Service
	db  *gorm.DB
	clk *clock
	srv *httptest.Server
}

// newFixture serves the auth routes on a fresh database (SQLite, or
// PostgreSQL with CQP_TEST_DATABASE_URL), with cheap hashes and a fixed clock.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(context.Background(), db, append(audit.Migrations(), auth.Migrations()...)); err != nil {
		t.Fatal(err)
	}
	key, _ := secrets.ParseKey(apptest.MasterKey)
	box, _ := secrets.New(key)
	svc, err := auth.NewService(db, auth.Options{TokenTTL: time.Hour, Now: clk.now,
		Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}, Secrets: box})
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.NewEcho(httpx.ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	g := e.Group("/api/v1", svc.Middleware())
	svc.Routes(g)
	g.GET("/trainers-only", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) },
		auth.Require(auth.RoleTrainer, auth.RoleAdmin))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	f := &fixture{svc: svc, db: db, clk: clk, srv: srv}
	for _, u := range []auth.NewUser{
		{Email: "admin@cqp.fr", Name: "Admin", Role: auth.RoleAdmin, Password: "admin-password"},
		{Email: "Jury@CQP.fr", Name: "Juré", Role: auth.RoleJury, Password: "jury-password"},
	} {
		if _, err := svc.CreateUser(context.Background(), "system", u); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func (f *fixture) login(t *testing.T, email, pw string) string {
	t.Helper()
	s, err := f.svc.Login(context.Background(), email, pw, "", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return s.Token
}

func TestLogin_RefusesAlikeWhetherOrNotTheAccountExists(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, email, pw string
		status          int
	}{
		{"right credentials", "admin@cqp.fr", "admin-password", 200},
		{"email in another case and with spaces", "  JURY@cqp.FR ", "jury-password", 200},
		{"wrong password", "admin@cqp.fr", "admin-passwore", 401},
		{"unknown account", "nobody@cqp.fr", "admin-password", 401},
		{"unknown account, the dummy hash's own password", "nobody@cqp.fr", "not a real password", 401},
	}
	var refusals []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"email": tt.email, "password": tt.pw})
			status, m := f.do(t, "POST", "/api/v1/auth/login", "", string(body))
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, m)
			}
			if status == 200 {
				if tok, _ := m["token"].(string); len(tok) < 40 {
					t.Fatalf("token %q too short", tok)
				}
				return
			}
			if m["code"] != "unauthorized" {
				t.Fatalf("code %v", m["code"])
			}
			refusals = append(refusals, m["detail"].(string))
		})
	}
	for _, r := range refusals {
		if r != refusals[0] {
			t.Fatalf("refusals differ, which tells accounts apart: %q vs %q", r, refusals[0])
		}
	}
}

func TestLogin_DisabledAccountIsRefused(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "jury@cqp.fr", "jury-password")
	if err := f.db.Exec("UPDATE users SET disabled_at = ? WHERE email = ?", f.clk.now(), "jury@cqp.fr").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(context.Background(), "jury@cqp.fr", "jury-password", "", "10.0.0.1"); err == nil {
		t.Fatal("a disabled account logged in")
	}
	f.clk.advance(11 * time.Second) // past the token cache's lifetime
	if _, err := f.svc.Authenticate(context.Background(), tok); err == nil {
		t.Fatal("a disabled account's token still works after the cache's lifetime")
	}
}

func TestLogin_ThrottledAfterRepeatedFailuresEvenWithTheRightPassword(t *testing.T) {
	f := newFixture(t)
	for range 6 {
		if _, err := f.svc.Login(context.Background(), "admin@cqp.fr", "wrong", "", "10.0.0.9"); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	_, err := f.svc.Login(context.Background(), "admin@cqp.fr", "admin-password", "", "10.0.0.9")
	if p, ok := httpx.AsProblem(err); !ok || p.Status != 429 || p.Code != "rate_limited" {
		t.Fatalf("want 429 rate_limited, got %v", err)
	}
	f.clk.advance(time.Second)
	if _, err := f.svc.Login(context.Background(), "admin@cqp.fr", "admin-password", "", "10.0.0.9"); err != nil {
		t.Fatalf("still refused after the window: %v", err)
	}
}

func TestToken_StoredHashedAndExpiresAtItsTTL(t *testing.T) {
	f := newFixture(t)
	s, err := f.svc.Login(context.Background(), "admin@cqp.fr", "admin-password", "", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clk.now().Add(time.Hour); !s.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want %v", s.ExpiresAt, want)
	}
	var stored []auth.Token
	f.db.Find(&stored)
	if len(stored) != 1 || stored[0].Hash == s.Token || len(stored[0].Hash) != 64 || strings.Contains(stored[0].Hash, s.Token) {
		t.Fatalf("token not stored as its SHA-256: %+v", stored)
	}
	tests := []struct {
		after time.Duration
		ok    bool
	}{{0, true}, {59 * time.Minute, true}, {time.Hour, false}}
	for _, tt := range tests {
		f.clk.t = s.ExpiresAt.Add(-time.Hour + tt.after)
		_, err := f.svc.Authenticate(context.Background(), s.Token)
		if (err == nil) != tt.ok {
			t.Fatalf("at +%v: err %v, want ok=%v", tt.after, err, tt.ok)
		}
	}
	if purged, err := f.svc.PurgeExpired(context.Background()); err != nil || purged != 1 {
		t.Fatalf("purged %d, err %v; want 1", purged, err)
	}
	var n int64
	f.db.Model(&auth.Token{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d expired tokens left after purge", n)
	}
}

func TestAuthenticate_CacheServesRepeatsButLogoutDropsAtOnce(t *testing.T) {
	f := newFixture(t)
	tok := f.login(t, "admin@cqp.fr", "admin-password")
	if _, err := f.svc.Authenticate(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	// Deleting the row behind the service's back: the cache still answers
	// within its lifetime, which shows the second call did not read the table.
	if err := f.db.Exec("DELETE FROM tokens").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(context.Background(), tok); err != nil {
		t.Fatalf("cache miss within its lifetime: %v", err)
	}
	f.clk.advance(10 * time.Second)
	if _, err := f.svc.Authenticate(context.Background(), tok); err == nil {
		t.Fatal("cache outlived its lifetime")
	}

	tok = f.login(t, "admin@cqp.fr", "admin-password")
	if _, err := f.svc.Authenticate(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if status, _ := f.do(t, "POST", "/api/v1/auth/logout", tok, ""); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	if status, m := f.do(t, "GET", "/api/v1/auth/me", tok, ""); status != 401 {
		t.Fatalf("token works after logout: %d %v", status, m)
	}
}

func TestRequire_RefusesAnonymousAndOtherRoles(t *testing.T) {
	f := newFixture(t)
	admin := f.login(t, "admin@cqp.fr", "admin-password")
	jury := f.login(t, "jury@cqp.fr", "jury-password")
	tests := []struct {
		name, path, token string
		header            string
		status            int
		code              string
	}{
		{"anonymous", "/api/v1/auth/me", "", "", 401, "unauthorized"},
		{"unknown token", "/api/v1/auth/me", "nope", "", 401, "unauthorized"},
		{"overlong token", "/api/v1/auth/me", strings.Repeat("x", 201), "", 401, "unauthorized"},
		{"not a bearer header", "/api/v1/auth/me", "", "Basic YTpi", 401, "unauthorized"},
		{"signed in", "/api/v1/auth/me", jury, "", 200, ""},
		{"wrong role", "/api/v1/users", jury, "", 403, "forbidden"},
		{"wrong role among several", "/api/v1/trainers-only", jury, "", 403, "forbidden"},
		{"one of several roles", "/api/v1/trainers-only", admin, "", 204, ""},
		{"right role", "/api/v1/users", admin, "", 200, ""},
		{"anonymous on a role route", "/api/v1/users", "", "", 401, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.srv.URL+tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(res.Body).Decode(&m)
			if res.StatusCode != tt.status || (tt.code != "" && m["code"] != tt.code) {
				t.Fatalf("got %d %v, want %d %s", res.StatusCode, m["code"], tt.status, tt.code)
			}
			if tt.code != "" && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("content type %q", res.Header.Get("Content-Type"))
			}
		})
	}
}

// Someone guessing a user's password slows that user down, for a short time
// only, and an administrator can lift it on every replica at once; the
// guesser's own address stays slowed.
func TestLogin_AdministratorLiftsTheDelayOnEveryReplica(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	key, _ := secrets.ParseKey(apptest.MasterKey)
	box, _ := secrets.New(key)
	other, err := auth.NewService(f.db, auth.Options{TokenTTL: time.Hour, Now: f.clk.now,
		Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}, Secrets: box}) // a second replica
	if err != nil {
		t.Fatal(err)
	}
	// Guesses from many addresses slow the account itself, for 30 s at most.
	for i := range 30 {
		f.svc.Login(ctx, "jury@cqp.fr", "wrong", "", fmt.Sprintf("198.51.100.%d", i))
	}
	_, err = f.svc.Login(ctx, "jury@cqp.fr", "jury-password", "", "192.0.2.4")
	if p, _ := httpx.AsProblem(err); p == nil || p.Status != 429 {
		t.Fatalf("account delay from another address: %v", err)
	}
	f.clk.advance(30 * time.Second)
	if _, err := f.svc.Login(ctx, "jury@cqp.fr", "jury-password", "", "192.0.2.4"); err != nil {
		t.Fatalf("the account itself is slowed more than 30 s: %v", err)
	}
	// From one address, patiently: each failure waits out the delay, which
	// doubles; on both replicas the owner at that address is now slowed
	// for minutes.
	for _, svc := range []*auth.Service{f.svc, other} {
		for range 12 {
			for {
				_, err := svc.Login(ctx, "jury@cqp.fr", "wrong", "", "10.0.0.9")
				if p, _ := httpx.AsProblem(err); p == nil || p.Status != 429 {
					break
				}
				f.clk.advance(time.Second)
			}
		}
		_, err := svc.Login(ctx, "jury@cqp.fr", "jury-password", "", "10.0.0.9")
		if p, _ := httpx.AsProblem(err); p == nil || p.Status != 429 || !strings.Contains(p.FR, "réessayez dans") {
			t.Fatalf("not slowed after 12 failures: %v", err)
		}
	}
	var admin auth.User
	f.db.Take(&admin, "email = ?", "admin@cqp.fr")
	var jury auth.User
	f.db.Take(&jury, "email = ?", "jury@cqp.fr")
	if err := f.svc.Unlock(ctx, admin.ID, jury.ID); err != nil {
		t.Fatal(err)
	}
	for i, svc := range []*auth.Service{f.svc, other} {
		if _, err := svc.Login(ctx, "jury@cqp.fr", "jury-password", "", "10.0.0.9"); err != nil {
			t.Fatalf("replica %d after the lift: %v", i, err)
		}
	}
	// Failures after the lift count again.
	f.clk.advance(time.Second)
	for range 7 {
		f.svc.Login(ctx, "jury@cqp.fr", "wrong", "", "10.0.0.9")
	}
	if _, err := f.svc.Login(ctx, "jury@cqp.fr", "jury-password", "", "10.0.0.9"); err == nil {
		t.Fatal("failures after the lift were forgotten")
	}
	if err := f.svc.Unlock(ctx, admin.ID, "inconnu"); err == nil {
		t.Fatal("unlocked an unknown account")
	}
	entries, _ := audit.List(ctx, f.db, audit.Query{Action: "user.unlock"})
	if len(entries) != 1 || entries[0].ActorID != admin.ID || entries[0].EntityID != jury.ID {
		t.Fatalf("audit %+v", entries)
	}
}
