// Package apptest starts the whole product for a test: a fresh database
// (a SQLite file, or a PostgreSQL schema of its own when
// CQP_TEST_DATABASE_URL names one), a fixed clock, real HTTP through
// httptest, and small builders for users and candidates.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/secrets"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Start is the fixed "now" of every test unless moved: 2026-11-22 10:00 UTC.
var Start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *Clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *Clock) Today() civil.Date       { return civil.Of(c.Now()) }

// Env is a running product for one test.
type Env struct {
	App    *app.App
	Server *httptest.Server
	Clock  *Clock
	Cfg    config.Config
	// Backend is "sqlite" or "postgres".
	Backend string
	n       int
	mu      sync.Mutex
	opts    app.Options // to start again (Restart)
}

// Option changes the configuration, or the start options, before start.
type Option func(*setup)

type setup struct {
	cfg  *config.Config
	opts *app.Options
}

// WithDemo loads the small demo dataset (seed/demo.json alone);
// WithDemoYear adds the generated year.
// CQP_TEST_DEMO_YEAR=1 turns WithDemo into WithDemoYear for a run (the
// browser tests' screenshots on the demo year).
func WithDemo() Option {
	return func(s *setup) { s.cfg.Demo, s.cfg.DemoYear = true, os.Getenv("CQP_TEST_DEMO_YEAR") != "" }
}

// ReplicaOf makes the new environment a second replica of a: the same
// database and master key (its own data folder and document store).
func ReplicaOf(a *Env) Option {
	return func(s *setup) {
		s.cfg.DatabaseURL = a.Cfg.DatabaseURL
		s.cfg.MasterKey = a.MasterKey()
	}
}

// MasterKey is the environment's master key: from its settings, or the one
// the embedded default made in its data folder.
func (e *Env) MasterKey() []byte {
	if e.Cfg.MasterKey != nil {
		return e.Cfg.MasterKey
	}
	k, err := secrets.LoadOrCreateFile(e.Cfg.DataDir)
	if err != nil {
		panic(err) // the environment started with it
	}
	return k
}

// WithConfig lets a test change any setting.
func WithConfig(f func(*config.Config)) Option { return func(s *setup) { f(s.cfg) } }

// WithSMTP delivers the messages to a real SMTP server (mailtest).
func WithSMTP(srv interface{ URL() string }) Option {
	return func(s *setup) { s.cfg.SMTPURL = srv.URL(); s.cfg.MailFrom = "CQP Recouvrement <no-reply@cqp.test>" }
}

// WithAssessments serves these scenarios and modules instead of the embedded ones.
func WithAssessments(fsys fs.FS) Option { return func(s *setup) { s.opts.AssessmentsFS = fsys } }

// DatabaseURL returns a fresh, empty database for t: a SQLite file in t's
// temporary folder, or a new PostgreSQL schema (dropped at the end) when
// CQP_TEST_DATABASE_URL is set.
func DatabaseURL(t testing.TB) (url, backend string) {
	t.Helper()
	base := os.Getenv("CQP_TEST_DATABASE_URL")
	if base == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db"), "sqlite"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("apptest: open %s: %v", base, err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("apptest: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, "postgres"
}

// MasterKey is the tests' CQP_MASTER_KEY on PostgreSQL.
const MasterKey = "dGVzdHMtb25seS1tYXN0ZXIta2V5LTMyLWJ5dGVzISE="

// New starts the product on a fresh database.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	url, backend := DatabaseURL(t)
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return url, true
		case "CQP_DATA_DIR":
			return dir, true
		case "CQP_DEMO":
			return "false", true
		case "CQP_BASE_URL":
			return "https://cqp.example.test", true
		case "CQP_MASTER_KEY":
			// PostgreSQL requires one; the embedded database keeps its own
			// under the data folder, which the SQLite runs exercise.
			return MasterKey, backend == "postgres"
		}
		return "", false
	})
	if err != nil {
		t.Fatalf("apptest: config: %v", err)
	}
	clock := &Clock{t: Start}
	ao := app.Options{
		Logger: slog.New(slog.DiscardHandler),
		Now:    clock.Now,
		Hash:   auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}, // cheap: tests create many users
	}
	for _, o := range opts {
		o(&setup{cfg: &cfg, opts: &ao})
	}
	if cfg.DemoYear && backend == "sqlite" {
		if err := copyDemoYear(cfg); err != nil {
			t.Fatalf("apptest: demo year: %v", err)
		}
	}
	a, err := app.New(context.Background(), cfg, ao)
	if err != nil {
		t.Fatalf("apptest: start: %v", err)
	}
	srv := httptest.NewServer(a.Echo)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, Server: srv, Clock: clock, Cfg: cfg, Backend: backend, opts: ao}
}

func (e *Env) seq() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	return e.n
}

// UserOpt shapes a user built by Env.User.
type UserOpt func(*auth.NewUser)

// Organisation sets the user's organisation.
func Organisation(o string) UserOpt { return func(u *auth.NewUser) { u.Organisation = o } }

// ForCandidate links a candidate account to a record.
func ForCandidate(id string) UserOpt { return func(u *auth.NewUser) { u.CandidateID = &id } }

// Gender sets the user's stated gender (female, male, unspecified).
func Gender(g string) UserOpt { return func(u *auth.NewUser) { u.Gender = g } }

// Named sets the user's display name.
func Named(n string) UserOpt { return func(u *auth.NewUser) { u.Name = n } }

// User creates an account of the given role and returns it with a valid
// bearer token. A candidate account gets a fresh candidate record unless
// ForCandidate says which.
func (e *Env) User(t testing.TB, role string, opts ...UserOpt) (auth.User, string) {
	t.Helper()
	n := e.seq()
	nu := auth.NewUser{Email: fmt.Sprintf("%s%d@test.cqp.fr", role, n), Name: fmt.Sprintf("%s %d", role, n),
		Role: role, Password: "motdepasse-de-test", Organisation: "Organisation de test"}
	for _, o := range opts {
		o(&nu)
	}
	if role == auth.RoleCandidate && nu.CandidateID == nil {
		c := e.Candidate(t)
		nu.CandidateID = &c.ID
	}
	u, err := e.App.Auth.CreateUser(context.Background(), "test", nu)
	if err != nil {
		t.Fatalf("apptest: create %s: %v", role, err)
	}
	s, err := e.App.Auth.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("apptest: open session: %v", err)
	}
	return u, s.Token
}

// CandidateOpt shapes a candidate built by Env.Candidate.
type CandidateOpt func(*candidates.NewCandidate)

// Employer sets the candidate's employer.
func Employer(e string) CandidateOpt { return func(c *candidates.NewCandidate) { c.Employer = e } }

// Names sets first and last name.
func Names(first, last string) CandidateOpt {
	return func(c *candidates.NewCandidate) { c.FirstName, c.LastName = first, last }
}

// Candidate creates a candidate record.
func (e *Env) Candidate(t testing.TB, opts ...CandidateOpt) candidates.Candidate {
	t.Helper()
	n := e.seq()
	nc := candidates.NewCandidate{FirstName: "Camille", LastName: fmt.Sprintf("Martin%d", n),
		BirthDate: civil.New(1990, 5, 17), Email: fmt.Sprintf("camille%d@example.fr", n),
		Employer: "Cabinet Exemple", TrainingOrganisation: "Organisme Exemple"}
	for _, o := range opts {
		o(&nc)
	}
	c, err := e.App.Candidates.Create(context.Background(), auth.User{ID: "test", Role: auth.RoleAdmin}, nc)
	if err != nil {
		t.Fatalf("apptest: create candidate: %v", err)
	}
	return c
}

// Enroll enrolls a candidate in a certification (formation continue, or
// the pathway given): a jury of that certification may then assess them.
func (e *Env) Enroll(t testing.TB, candidateID, certification string, pathway ...string) {
	t.Helper()
	in := candidates.NewEnrollment{Certification: certification, Pathway: "formation_continue"}
	if len(pathway) > 0 {
		in.Pathway = pathway[0]
	}
	if _, err := e.App.Candidates.Enroll(context.Background(), auth.User{ID: "test", Role: auth.RoleAdmin}, candidateID, in); err != nil {
		t.Fatalf("apptest: enroll %s in %s: %v", candidateID, certification, err)
	}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Expect fails the test unless the answer has that status.
func (r *Response) Expect(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("apptest: status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("apptest: decode %s: %v", r.Body, err)
	}
}

// Problem decodes a problem+json body, checking the content type.
func (r *Response) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("apptest: content type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	return p
}

// Problem is the wire form of an error.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// HasField tells whether the problem names field.
func (p Problem) HasField(field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Do sends a request: body is marshalled to JSON unless it is a string or
// []byte (sent as is); token, when not empty, goes in Authorization.
func (e *Env) Do(t testing.TB, method, path, token string, body any, headers ...string) *Response {
	t.Helper()
	return Call(t, e.Server.Client(), e.Server.URL, method, path, token, body, headers...)
}

// Call is Do against any server: another process, a proxy.
func Call(t testing.TB, client *http.Client, baseURL, method, path, token string, body any, headers ...string) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("apptest: marshal: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, baseURL+path, rd)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("apptest: %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("apptest: read body: %v", err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Deliver runs the background jobs due now (message delivery first of
// all) in the test's goroutine, and returns how many ran.
func (e *Env) Deliver(t testing.TB) int {
	t.Helper()
	n, err := e.App.Jobs.RunDue(context.Background())
	if err != nil {
		t.Fatalf("run due jobs: %v", err)
	}
	return n
}

// FuzzRoute fuzzes one route's body through the whole stack (decoding,
// text rule, validation, service, database): whatever the bytes, the
// answer is never a server error. The environment is made once per fuzzing
// process; token is the caller's; contentType is the body's.
func FuzzRoute(f *testing.F, env *Env, method, path, token, contentType string) {
	f.Fuzz(func(t *testing.T, body []byte) {
		res := env.Do(t, method, path, token, body, "Content-Type", contentType)
		if res.Status >= 500 {
			t.Fatalf("%s %s answered %d to %q: %s", method, path, res.Status, body, res.Body)
		}
	})
}
