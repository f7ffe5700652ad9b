package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/labstack/echo/v4"
)

func testConfig(t *testing.T, url string, demo bool) config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Load(func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return url, true
		case "CQP_DATA_DIR":
			return dir, true
		case "CQP_MASTER_KEY":
			return apptest.MasterKey, true
		case "CQP_DEMO":
			if demo {
				return "true", true
			}
			return "false", true
		case "CQP_ADDR":
			return "127.0.0.1:0", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	// The small demo: tests that want the year say so (it takes seconds).
	cfg.DemoYear = false
	return cfg
}

func quiet() app.Options {
	return app.Options{Logger: slog.New(slog.DiscardHandler), Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}}
}

func TestStart_TwiceOnTheSameDatabaseIsANoOp(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	cfg := testConfig(t, url, true)
	cfg.DemoYear = true // the year too must not be loaded twice
	counts := func(a *app.App) map[string]int64 {
		out := map[string]int64{}
		for _, table := range []string{"schema_migrations", "certifications", "components", "registrations", "users", "candidates", "audit_entries"} {
			var n int64
			if err := a.DB.Table(table).Count(&n).Error; err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			out[table] = n
		}
		return out
	}
	a1, err := app.New(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	first := counts(a1)
	a1.Close()
	a2, err := app.New(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer a2.Close()
	second := counts(a2)
	for k, v := range first {
		if second[k] != v {
			t.Errorf("%s: %d rows after first start, %d after second", k, v, second[k])
		}
	}
	if first["certifications"] != 2 || first["components"] != 8 || first["users"] < 4 || first["candidates"] < 3 {
		t.Fatalf("referential or demo missing: %v", first)
	}
	if first["schema_migrations"] != int64(len(app.Migrations())) {
		t.Fatalf("%d migrations recorded, %d known", first["schema_migrations"], len(app.Migrations()))
	}
	if rep, err := audit.Verify(context.Background(), a2.DB); err != nil || !rep.OK() || rep.Checked == 0 {
		t.Fatalf("audit after demo: %+v %v", rep, err)
	}
}

func TestAudit_ChainDetectsARowEditedOrRemovedBehindItsBack(t *testing.T) {
	for _, tamper := range []struct {
		name, sql string
	}{
		{"edited", "UPDATE audit_entries SET after = '{\"name\":\"Mallory\"}' WHERE seq = 2"},
		{"actor changed", "UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 2"},
		{"removed", "DELETE FROM audit_entries WHERE seq = 2"},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			env := apptest.New(t)
			for i := 0; i < 3; i++ {
				env.Candidate(t)
			}
			rep, err := audit.Verify(context.Background(), env.App.DB)
			if err != nil || !rep.OK() || rep.Checked != 3 {
				t.Fatalf("before tampering: %+v %v", rep, err)
			}
			if err := env.App.DB.Exec(tamper.sql).Error; err != nil {
				t.Fatal(err)
			}
			rep, err = audit.Verify(context.Background(), env.App.DB)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.BrokenAt != 2 && !(tamper.name == "removed" && rep.BrokenAt == 3) {
				t.Fatalf("tampering not detected where it happened: %+v", rep)
			}
		})
	}
}

func TestAudit_CommandReportsABrokenChain(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	cfg := testConfig(t, url, true)
	a, err := app.New(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	env := func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return url, true
		case "CQP_DATA_DIR":
			return t.TempDir(), true
		case "CQP_MASTER_KEY":
			return apptest.MasterKey, true
		}
		return "", false
	}
	if err := app.Main(context.Background(), []string{"audit", "verify"}, env, io.Discard, io.Discard); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	a.DB.Exec("UPDATE audit_entries SET action = 'nothing.happened' WHERE seq = 1")
	if err := app.Main(context.Background(), []string{"audit", "verify"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("a broken chain passed verification")
	}
}

// The server is stopped the way main stops it: SIGTERM cancels the context.
// A request already in flight must still get its answer.
func TestShutdown_SIGTERMLetsARequestInFlightFinish(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	cfg := testConfig(t, url, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	ln.Close()
	a, err := app.New(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	started := make(chan struct{})
	a.Echo.GET("/slow", func(c echo.Context) error {
		close(started)
		time.Sleep(700 * time.Millisecond)
		return c.String(http.StatusOK, "fini")
	})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, 10*time.Second) }()

	var res *http.Response
	got := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < 50; i++ { // the listener may not be up yet
			res, err = http.Get("http://" + cfg.Addr + "/slow")
			if err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		got <- err
	}()
	<-started
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("request in flight failed: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "fini" {
		t.Fatalf("in-flight request: %d %q", res.StatusCode, body)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := http.Get("http://" + cfg.Addr + "/healthz"); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

func TestStart_CreatesTheBootstrapAdministratorOnce(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	cfg := testConfig(t, url, false)
	cfg.BootstrapAdminEmail, cfg.BootstrapAdminPassword = "Chef@ANCR.fr", "un-secret-solide"
	for i := 0; i < 2; i++ {
		a, err := app.New(context.Background(), cfg, quiet())
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		var n int64
		a.DB.Model(&auth.User{}).Where("email = ? AND role = ?", "chef@ancr.fr", "admin").Count(&n)
		a.Close()
		if n != 1 {
			t.Fatalf("start %d: %d bootstrap admins", i, n)
		}
	}
}

func TestPanic_IsRecoveredAsAProblemThatRevealsNothing(t *testing.T) {
	env := apptest.New(t)
	env.App.Echo.GET("/boom", func(c echo.Context) error { panic("secret internal detail") })
	res := env.Do(t, "GET", "/boom", "", nil)
	if res.Status != 500 {
		t.Fatalf("status %d", res.Status)
	}
	p := res.Problem(t)
	if p.Code != "internal" || strings.Contains(string(res.Body), "secret") {
		t.Fatalf("problem %s", res.Body)
	}
	if r := env.Do(t, "GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatal("server died after a panic")
	}
}

// A database made by an older release (fewer migrations) is brought up to
// date at start, keeping its rows.
func TestStart_UpgradesAnOlderSchemaKeepingItsData(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	var old []*database.Migration // the first release's journal and accounts only
	for _, m := range app.Migrations() {
		if m.ID == "2026112301_audit_entries" || m.ID == "2026112302_auth_users_tokens" {
			old = append(old, m)
		}
	}
	if err := database.Migrate(context.Background(), db, old); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO users (id, email, name, role, password_hash, organisation, created_at, updated_at) VALUES ('u-old', 'ancien@ancr.fr', 'Ancien', 'admin', 'x', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").Error; err != nil {
		t.Fatal(err)
	}
	database.Close(db)

	a, err := app.New(context.Background(), testConfig(t, url, false), quiet())
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer a.Close()
	var n int64
	a.DB.Table("users").Where("id = 'u-old'").Count(&n)
	if n != 1 {
		t.Fatal("the old row is gone")
	}
	a.DB.Table("schema_migrations").Count(&n)
	if n != int64(len(app.Migrations())) {
		t.Fatalf("%d migrations recorded, %d known", n, len(app.Migrations()))
	}
}

// An import spools the rows it checked in the data folder (personal data,
// not the system's /tmp), and what a killed process left there is removed
// at the next start.
func TestSpool_InTheDataFolderAndCleanedAtStart(t *testing.T) {
	env := apptest.New(t)
	spool := filepath.Join(env.Cfg.DataDir, "tmp")
	var seen []string
	admin, _ := env.User(t, auth.RoleAdmin)
	_, err := env.App.Candidates.Import(context.Background(), admin, strings.NewReader("first_name;last_name;birth_date\nÉloïse;Lefèvre;1990-01-02\n"),
		candidates.ImportOptions{Progress: func(string, int) {
			m, _ := filepath.Glob(filepath.Join(spool, "cqp-import-*.jsonl"))
			seen = append(seen, m...)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("the import spooled nowhere in the data folder")
	}
	if left, _ := filepath.Glob(filepath.Join(spool, "cqp-import-*.jsonl")); len(left) != 0 {
		t.Fatalf("the import left %v", left)
	}
	old := filepath.Join(spool, "cqp-import-killed.jsonl")
	fresh := filepath.Join(spool, "upload-in-flight")
	for _, f := range []string{old, fresh} {
		if err := os.WriteFile(f, []byte(`{"first_name":"Éloïse"}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	two := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, two, two)
	env.Restart(t)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a killed import's spool survived the restart: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a file another process may be writing was removed: %v", err)
	}
}
