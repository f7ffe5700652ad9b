package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/civil"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Version is set at build time with -ldflags "-X github.com/ancr/cqp/internal/app.Version=…".
var Version = "dev"

// command is one subcommand.
type command struct {
	name, usage string
	run         func(ctx context.Context, env *cliEnv, args []string) error
}

type cliEnv struct {
	cfg    config.Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "serve the web UI and the API (default)", runServe},
		{"migrate", "apply the database migrations and exit", runMigrate},
		{"seed", "load the referential (and the demo data when CQP_DEMO is on) and exit; seed --demo-year loads the demo year", runSeed},
		{"rules", "rules evaluate FILE.json [--json]: what the law says about a debt file", runRules},
		{"candidates", "candidates import FILE.csv: import candidates (all or nothing), with a progress bar", runCandidates},
		{"bench", "bench seed N | bench candidates [ROUNDS] | bench backoffice [ROUNDS]: synthetic data and timings", runBench},
		{"assessments", "assessments check [DIR]: validate every scenario, module and jury grid", runAssessments},
		{"certificates", "certificates verify FILE.json | issue --jury ID | rotate-key: signed documents", runCertificates},
		{"audit", "audit verify | checkpoint: check the journal's chain, seals and signed checkpoints | sign its head now", runAudit},
		{"blobs", "blobs check: list documents whose bytes are missing from the store, and stored objects nothing points at", runBlobs},
		{"backup", "backup DIR: a consistent copy of the embedded database and the documents (PostgreSQL: see docs/operations.md)", runBackup},
		{"secrets", "secrets new-master-key: print a fresh CQP_MASTER_KEY", runSecrets},
		{"reminders", "reminders send: the dated reminders now (expiring components, jury work due, VAE deadlines), once each", runReminders},
		{"mail", "mail test ADDRESS: send a test message now through CQP_SMTP_URL and say how it went", runMail},
		{"healthcheck", "exit 0 when the local server answers /readyz (for container health checks)", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

// Main parses the subcommand and runs it.
func Main(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return nil
	}
	cfg, err := config.Load(lookup)
	if err != nil {
		return err
	}
	level := cfg.SlogLevel()
	env := &cliEnv{cfg: cfg, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: cqp [command] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nConfiguration comes from the environment:")
	for _, v := range config.Variables {
		def := v.Default
		if def == "" {
			def = "unset"
		}
		fmt.Fprintf(w, "  %-29s %s (default: %s)\n", v.Name, v.Meaning, def)
	}
}

func runServe(ctx context.Context, env *cliEnv, _ []string) error {
	start := time.Now()
	a, err := New(ctx, env.cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	env.log.Info("ready", "startup", time.Since(start).String(), "version", Version)
	return a.Serve(ctx, 30*time.Second)
}

// openMigrated opens the database and brings its schema up to date, for
// the commands that need the data but not the whole application.
func openMigrated(ctx context.Context, env *cliEnv) (*gorm.DB, error) {
	db, err := database.Open(database.Options{URL: env.cfg.DatabaseURL, Logger: env.log})
	if err != nil {
		return nil, err
	}
	if err := database.Migrate(ctx, db, Migrations()); err != nil {
		database.Close(db)
		return nil, err
	}
	return db, nil
}

// openWithBlobs is openMigrated with the document store, for the commands
// that read both (backup, blobs check); close releases the database.
func openWithBlobs(ctx context.Context, env *cliEnv) (db *gorm.DB, store blobs.Store, close func(), err error) {
	if db, err = openMigrated(ctx, env); err != nil {
		return nil, nil, nil, err
	}
	if store, err = blobs.Open(ctx, env.cfg.Blobs()); err != nil {
		database.Close(db)
		return nil, nil, nil, err
	}
	return db, store, func() { database.Close(db) }, nil
}

func runMigrate(ctx context.Context, env *cliEnv, _ []string) error {
	db, err := openMigrated(ctx, env)
	if err != nil {
		return err
	}
	defer database.Close(db)
	fmt.Fprintf(env.stdout, "migrations applied (%d known)\n", len(Migrations()))
	return nil
}

func runSeed(ctx context.Context, env *cliEnv, args []string) error {
	cfg := env.cfg
	year := false
	for _, arg := range args {
		if arg != "--demo-year" {
			return errors.New("usage: cqp seed [--demo-year]")
		}
		year = true
	}
	if year {
		// The demo year goes only into a database with nothing in it yet
		// (the bootstrap administrator aside): mixed with real data it
		// would put invented people on real juries.
		check := cfg
		check.Demo, check.DemoYear = false, false
		a, err := New(ctx, check, Options{Logger: env.log})
		if err != nil {
			return err
		}
		used, err := a.hasData(ctx)
		a.Close()
		if err != nil {
			return err
		}
		if used {
			return errors.New("seed --demo-year: the database already holds accounts or candidates; the demo year loads only into an empty database")
		}
		cfg.Demo, cfg.DemoYear = true, true
	}
	start := time.Now()
	a, err := New(ctx, cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(env.stdout, "referential loaded")
	if year {
		fmt.Fprintf(env.stdout, "demo year loaded in %s\n", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func runAudit(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) != 1 || (args[0] != "verify" && args[0] != "checkpoint") {
		return errors.New("usage: cqp audit verify | cqp audit checkpoint")
	}
	a, err := New(ctx, env.cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.SealAudit(ctx); err != nil {
		return err
	}
	if args[0] == "checkpoint" {
		c, err := a.CheckpointAudit(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "point de contrôle : ligne %d, empreinte %s, signé par la clé %s\n%s\n", c.Seq, c.Hash, c.KID, c.Signature)
		return nil
	}
	rep, err := a.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !rep.OK() {
		fmt.Fprintf(env.stdout, "audit chain BROKEN at row %d: %s (%d rows checked before it)\n", rep.BrokenAt, rep.Reason, rep.Checked)
		return fmt.Errorf("audit chain broken at row %d", rep.BrokenAt)
	}
	fmt.Fprintf(env.stdout, "audit chain intact: %s, sealed, %s verified\n", civil.Count("en", int(rep.Checked), "row", "rows"),
		civil.Count("en", int(rep.Checkpoints), "signed checkpoint", "signed checkpoints"))
	return nil
}

func runHealthcheck(ctx context.Context, env *cliEnv, _ []string) error {
	addr := env.cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %d", res.StatusCode)
	}
	fmt.Fprintln(env.stdout, "ready")
	return nil
}

func runVersion(_ context.Context, env *cliEnv, _ []string) error {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v += "+" + s.Value[:min(12, len(s.Value))]
			}
		}
	}
	fmt.Fprintln(env.stdout, "cqp", strings.TrimSpace(v))
	return nil
}
