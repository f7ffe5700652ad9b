// Package app is the composition root: configuration → database →
// services → HTTP server, and the command-line subcommands. Nothing imports
// it but cmd/cqp and tests.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/internal/accrochage"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/secrets"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/internal/reporting"
	"github.com/ancr/cqp/internal/rules"
	"github.com/ancr/cqp/internal/training"
	"github.com/ancr/cqp/internal/vae"
	"github.com/ancr/cqp/internal/webui"
	"github.com/ancr/cqp/seed"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"
)

// Options are what tests (and benchmarks) may change beyond the configuration.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // the clock; time.Now in production
	Hash   auth.HashParams  // password hashing cost; the default in production
	SeedFS fs.FS            // seed/ files; the embedded ones in production
	// AssessmentsFS holds scenarios/ and modules/; the embedded ones in production.
	AssessmentsFS fs.FS
}

// App is the running product.
type App struct {
	Cfg  config.Config
	Log  *slog.Logger
	DB   *gorm.DB
	Echo *echo.Echo
	Now  func() time.Time

	seedFS fs.FS
	// clock is the services' clock, moved only while the demo year loads.
	clock *demoClock

	// Jobs is the durable background work (message delivery, reminders,
	// imports, batch issuance); Outbox the messages to people.
	Jobs   *jobs.Queue
	Outbox *messages.Outbox
	// Secrets seals what the database keeps but must not show (signing
	// keys, second-factor secrets) with the master key.
	Secrets *secrets.Box
	// Blobs holds uploaded documents (a folder or S3), counted per row.
	Blobs *blobs.Refs

	Auth        *auth.Service
	Referential *referential.Service
	Candidates  *candidates.Service
	Training    *training.Service
	VAE         *vae.Service
	Web         *webui.UI
	Jury        *jury.Service
	// Certificates signs with the keys kept in the database.
	Certificates *certificates.Service
	// Reporting reads across features: the dashboard, statistics and exports.
	Reporting *reporting.Service
	// Accrochage declares the holders to the Caisse des Dépôts (SI CPF).
	Accrochage *accrochage.Service
}

// OpenSecrets makes the box of the master key: CQP_MASTER_KEY, the file
// CQP_MASTER_KEY_FILE names, or the key kept under CQP_DATA_DIR (made on
// first start; config.Load has already refused PostgreSQL without a key).
func OpenSecrets(cfg config.Config) (*secrets.Box, error) {
	key := cfg.MasterKey
	var err error
	switch {
	case key != nil:
	case cfg.MasterKeyFile != "":
		key, err = secrets.ReadKeyFile(cfg.MasterKeyFile)
	default:
		key, err = secrets.LoadOrCreateFile(cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	return secrets.New(key)
}

// cleanSpool removes the files under dir older than grace.
func cleanSpool(dir string, grace time.Duration) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || e.IsDir() || time.Since(info.ModTime()) < grace {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("spool: %w", err)
		}
	}
	return nil
}

// Migrations is the one ordered list of schema steps, foundation first.
// Append only; never reorder or edit a released step.
func Migrations() []*database.Migration {
	var ms []*database.Migration
	for _, part := range [][]*database.Migration{
		audit.Migrations(),
		auth.Migrations(),
		referential.Migrations(),
		candidates.Migrations(),
		blobs.Migrations(), // before the features whose rows it counts
		vae.Migrations(),
		jury.Migrations(),
		training.Migrations(),
		certificates.Migrations(),
		accrochage.Migrations(),
		jobs.Migrations(),
		messages.Migrations(),
	} {
		ms = append(ms, part...)
	}
	return ms
}

// New opens the database, applies the migrations, loads the referential,
// creates the bootstrap administrator and, on an empty database with demo
// on, the demo dataset; then builds the HTTP routes.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// Every service reads the one clock; the demo year moves it through its
	// past while it loads (demoClock), and nothing else does.
	clock := newDemoClock(o.Now)
	o.Now = clock.Now
	if o.SeedFS == nil {
		o.SeedFS = seed.FS
	}
	db, err := database.Open(database.Options{URL: cfg.DatabaseURL, Logger: o.Logger, Now: o.Now})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: o.Logger, DB: db, Now: o.Now, seedFS: o.SeedFS, clock: clock}
	fail := func(err error) (*App, error) {
		_ = database.Close(db)
		return nil, err
	}
	if err := database.Migrate(ctx, db, Migrations()); err != nil {
		return fail(err)
	}
	if a.Secrets, err = OpenSecrets(cfg); err != nil {
		return fail(err)
	}
	a.Jobs = jobs.New(db, o.Now, o.Logger)
	if a.Outbox, err = messages.New(messages.Options{DB: db, Now: o.Now, Jobs: a.Jobs, Log: o.Logger,
		BaseURL: cfg.BaseURL, SMTPURL: cfg.SMTPURL, From: cfg.MailFrom}); err != nil {
		return fail(err)
	}
	if a.Auth, err = auth.NewService(db, auth.Options{TokenTTL: cfg.TokenTTL, Hash: o.Hash, Now: o.Now,
		CandidateLinker: candidates.Exists, Outbox: a.Outbox, BaseURL: cfg.BaseURL, Secrets: a.Secrets}); err != nil {
		return fail(err)
	}
	if _, err := a.Auth.SealTOTPSecrets(ctx); err != nil {
		return fail(err)
	}
	a.Referential = referential.NewService(referential.Options{DB: db, Now: o.Now})
	if err := a.Referential.Load(ctx, o.SeedFS); err != nil {
		return fail(err)
	}
	// What a killed process left in the spool folder (uploads, imports:
	// personal data) goes at start; an hour's grace spares the files of
	// another process sharing the folder.
	if err := cleanSpool(blobs.Temp(cfg.DataDir), time.Hour); err != nil {
		return fail(err)
	}
	if o.AssessmentsFS == nil {
		o.AssessmentsFS = assessments.FS
	}
	store, err := blobs.Open(ctx, cfg.Blobs())
	if err != nil {
		return fail(err)
	}
	a.Blobs = blobs.NewRefs(db, store, blobs.Temp(cfg.DataDir), o.Now)
	// Built from the foundation up, each with what it needs; the features
	// read one another through small interfaces their consumer defines.
	// VAE asks the jury's panels who examines a dossier; the jury reads VAE
	// dossiers and exam attempts; the candidates feature gathers the
	// personal data VAE and the jury hold; training checks who sees whom
	// through the candidates feature.
	a.VAE = vae.NewService(vae.Options{DB: db, Now: o.Now, Referential: a.Referential, Blobs: a.Blobs, UploadLimit: cfg.UploadLimit,
		MaxDocuments: cfg.DossierDocuments, MaxBytes: cfg.DossierBytes, Outbox: a.Outbox, Examiners: jury.NewPanels(db)})
	if a.Jury, err = jury.NewService(jury.Options{DB: db, Now: o.Now, Referential: a.Referential,
		AttemptSummary: training.ExamSummaries(db, o.Now), SubmittedOn: a.VAE.SubmittedOn, Ties: vaeTies{a.VAE},
		Outbox: a.Outbox}); err != nil {
		return fail(err)
	}
	a.Candidates = candidates.NewService(candidates.Options{DB: db, Now: o.Now, Referential: a.Referential,
		TempDir: blobs.Temp(cfg.DataDir), Holders: []candidates.DataHolder{a.VAE, a.Jury},
		Supporters: []candidates.Supporter{a.VAE}})
	// A scenario or module that fails its check is logged and not served.
	a.Training = training.NewService(training.Options{DB: db, Now: o.Now, Parameters: a.Referential,
		Visibility: a.Candidates, Assessments: o.AssessmentsFS, Log: o.Logger})
	keys, err := certificates.OpenKeyring(ctx, db, a.Secrets, cfg.DataDir, o.Now)
	if err != nil {
		return fail(err)
	}
	a.Certificates = certificates.NewService(certificates.Options{DB: db, Now: o.Now, Referential: a.Referential, Keys: keys,
		BaseURL: cfg.BaseURL, Roster: a.Jury.Roster, Outbox: a.Outbox, VerifyRate: cfg.VerifyRate, Jobs: a.Jobs})

	a.Accrochage = accrochage.NewService(accrochage.Options{DB: db, Now: o.Now, Referential: a.Referential})
	a.Reporting = reporting.NewService(reporting.Options{DB: db, Referential: a.Referential, Now: o.Now})

	if cfg.BootstrapAdminEmail != "" {
		if err := a.Auth.EnsureAdmin(ctx, cfg.BootstrapAdminEmail, cfg.BootstrapAdminPassword); err != nil {
			return fail(err)
		}
	}
	if cfg.Demo {
		if err := a.loadDemo(ctx); err != nil {
			return fail(err)
		}
	}
	if a.Web, err = webui.New(webui.Deps{Cfg: cfg, Log: o.Logger, DB: db, Now: o.Now, Auth: a.Auth,
		Referential: a.Referential, Candidates: a.Candidates, Training: a.Training, Jury: a.Jury,
		Certificates: a.Certificates, VAE: a.VAE, Outbox: a.Outbox, Jobs: a.Jobs, Reporting: a.Reporting, Accrochage: a.Accrochage}); err != nil {
		return fail(err)
	}
	a.registerDailyJobs()
	a.registerReminders()
	a.routes()
	return a, nil
}

func (a *App) routes() {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	e := httpx.NewEcho(httpx.ServerOptions{Logger: a.Log, BodyLimit: a.Cfg.BodyLimit, Registry: reg,
		TrustedProxies: a.Cfg.TrustedProxies, HSTS: a.Cfg.SecureCookie, MetricsToken: a.Cfg.MetricsToken,
		// Documents have their own limit (CQP_UPLOAD_LIMIT), applied by the handler.
		// The web pages that take a file do the same (webui.OwnsBodyLimit).
		Skipper: func(c echo.Context) bool {
			return (c.Path() == vae.UploadPath && c.Request().Method == http.MethodPost) || webui.OwnsBodyLimit(c)
		}})
	a.Echo = e
	// Each request first brings the referential (law parameters,
	// registration periods) up to date with changes made on other replicas.
	e.Use(a.Referential.Fresh(func(c echo.Context) bool {
		// Signed documents and keys read nothing of the referential: the
		// public check, the busiest anonymous route, saves a query.
		p := c.Request().URL.Path
		return strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/readyz" || p == "/metrics" ||
			strings.HasPrefix(p, "/api/v1/verify/") || p == "/api/v1/keys"
	}))

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := database.Ping(ctx, a.DB); err != nil {
			p := httpx.Unavailable(err)
			p.FR, p.EN = "La base de données ne répond pas.", "The database does not answer."
			return p
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})

	api := e.Group("/api/v1", a.Auth.Middleware())
	api.GET("/openapi.json", a.handleOpenAPI)
	a.Auth.Routes(api)
	a.Referential.Routes(api)
	a.Candidates.Routes(api)
	a.VAE.Routes(api)
	a.Jury.Routes(api)
	rules.NewService(a.Referential).Routes(api)
	a.Training.Routes(api)
	a.Certificates.Routes(api)
	api.GET("/audit", a.handleAudit, auth.Require(auth.RoleAdmin))
	api.GET("/audit/checkpoints", a.handleCheckpoints, auth.Require(auth.RoleAdmin))
	api.GET("/jobs/:id", a.handleJob, auth.Require(auth.RoleAdmin))
	a.Outbox.Routes(api, auth.Require(auth.RoleAdmin), func(c echo.Context) string { return auth.Caller(c).ID })
	a.Reporting.Routes(api, auth.Require(auth.RoleAdmin))
	a.Accrochage.Routes(api, auth.Require(auth.RoleAdmin))
	// Anything else under /api/v1 is a problem+json 404, like every unknown route.

	// The browser interface at the root: pages, static assets, HTML errors.
	a.Web.Routes(e)
}

// Close releases the database. Background work is durable jobs, whose
// workers Serve stops; a job in flight is taken again after a restart.
func (a *App) Close() error {
	return database.Close(a.DB)
}

// Serve runs the HTTP server until ctx is cancelled (SIGTERM/SIGINT in
// main), then stops accepting connections and lets requests in flight
// finish, up to grace.
func (a *App) Serve(ctx context.Context, grace time.Duration) error {
	srv := httpx.NewHTTPServer(a.Cfg.Addr, a.Echo)
	bg, stop := context.WithCancel(ctx) // background work ends with the server
	var workers sync.WaitGroup
	defer func() {
		stop()
		workers.Wait() // a job in flight is left to its lease, taken again after restart
	}()
	go a.runVAEDeadlines(bg, time.Hour)
	go a.runDailySchedule(bg, time.Hour)
	go a.runAuditSeal(bg, 5*time.Second)
	workers.Add(1)
	go func() {
		defer workers.Done()
		a.Jobs.Work(bg, 4, time.Second)
	}()
	errc := make(chan error, 1)
	go func() {
		a.Log.Info("serving", "addr", a.Cfg.Addr, "base_url", a.Cfg.BaseURL)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func (a *App) handleAudit(c echo.Context) error {
	limit, err := httpx.Limit(c, 100, 500)
	if err != nil {
		return err
	}
	var before int64
	if _, err := httpx.DecodeCursor(c, &before); err != nil {
		return err
	}
	rows, err := audit.List(c.Request().Context(), a.DB, audit.Query{
		Entity: c.QueryParam("entity"), EntityID: c.QueryParam("entity_id"), ActorID: c.QueryParam("actor_id"),
		Action: c.QueryParam("action"), BeforeSeq: before, Limit: limit,
	})
	if err != nil {
		return err
	}
	page := httpx.Page[audit.Entry]{Items: rows}
	if len(rows) == limit {
		page.NextCursor = httpx.EncodeCursor(rows[len(rows)-1].Seq)
	}
	return c.JSON(http.StatusOK, page)
}

// vaeTies gives the jury the ties of a candidate's VAE requests (support
// person, employers of the experiences) in the jury's own type, so that
// neither feature imports the other.
type vaeTies struct{ vae *vae.Service }

func (t vaeTies) Ties(tx *gorm.DB, candidateID string) ([]jury.Tie, error) {
	ts, err := t.vae.Ties(tx, candidateID)
	if err != nil {
		return nil, err
	}
	out := make([]jury.Tie, 0, len(ts))
	for _, x := range ts {
		switch x.Kind {
		case vae.TieSupport:
			out = append(out, jury.Tie{Kind: jury.TieSupport, UserID: x.UserID})
		case vae.TieEmployer:
			out = append(out, jury.Tie{Kind: jury.TieEmployer, Employer: x.Employer, StartsOn: x.StartsOn, EndsOn: x.EndsOn})
		}
	}
	return out, nil
}
