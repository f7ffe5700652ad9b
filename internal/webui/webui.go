// Package webui serves the browser interface: server-rendered French-first
// pages for trainees, jury members and administrators, over the same services
// (and so the same role and ownership rules) as the API, with cookie
// sessions, CSRF protection and htmx as a progressive enhancement.
package webui

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/accrochage"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/jobs"
	outbox "github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/internal/reporting"
	"github.com/ancr/cqp/internal/training"
	"github.com/ancr/cqp/internal/vae"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Deps are the services the pages sit on, all required. DB is given to the
// platform's audit journal (its page) and to Jobs to enqueue an import;
// everything else the pages read or write goes through the services.
type Deps struct {
	Cfg          config.Config
	Log          *slog.Logger
	DB           *gorm.DB
	Now          func() time.Time
	Auth         *auth.Service
	Referential  *referential.Service
	Candidates   *candidates.Service
	Training     *training.Service
	Jury         *jury.Service
	Certificates *certificates.Service
	VAE          *vae.Service
	// Outbox is the messages written for people.
	Outbox *outbox.Outbox
	// Jobs runs the CSV imports (import_job.go).
	Jobs *jobs.Queue
	// Reporting reads the dashboard's and the statistics' figures.
	Reporting *reporting.Service
	// Accrochage declares the holders to the SI CPF.
	Accrochage *accrochage.Service
}

// UI is the web interface.
type UI struct {
	Deps
	views    *views
	xorg     *http.CrossOriginProtection
	validate *httpx.Validator
}

// New parses the templates once; an error here is a broken template.
func New(d Deps) (*UI, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.DB == nil || d.Auth == nil || d.Referential == nil || d.Candidates == nil || d.Training == nil || d.Jury == nil ||
		d.Certificates == nil || d.VAE == nil || d.Outbox == nil || d.Jobs == nil || d.Reporting == nil || d.Accrochage == nil {
		return nil, errors.New("webui: every service of Deps is required")
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	xorg := http.NewCrossOriginProtection()
	// A refused cross-origin form gets the same French page as a bad token.
	xorg.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ui := &UI{Deps: d, views: v, xorg: xorg, validate: httpx.NewValidator()}
	// Three attempts: an import is all or nothing, so a retry after a
	// crash or a database error is safe; a refused file is not retried.
	// The lease outlasts the import's own time limit: the lease cannot
	// be renewed from inside its write transaction on SQLite, and a
	// second worker must never start the same file while the first
	// still writes it.
	d.Jobs.Handle(ImportKind, ui.runImport, jobs.HandlerOptions{Lease: importTimeout + time.Minute, MaxAttempts: 3})
	return ui, nil
}

// Routes registers the pages, the static assets and the HTML error pages on e.
func (ui *UI) Routes(e *echo.Echo) {
	ui.staticRoutes(e)
	ui.installErrorHandler(e)

	g := e.Group("", ui.session, ui.uploadLimit, ui.csrf)
	g.GET("/", ui.home)
	g.GET("/login", ui.loginForm)
	g.POST("/login", ui.login)
	g.POST("/logout", ui.logout)
	g.GET("/lang/:lang", ui.switchLang)
	ui.accountRoutes(g)

	admin := g.Group("/admin", ui.require(auth.RoleAdmin))
	admin.GET("", ui.dashboard)
	admin.GET("/audit", ui.auditLog)
	ui.parameterRoutes(admin)
	ui.juryAdminRoutes(admin)
	ui.vaeAdminRoutes(admin)
	ui.importRoutes(admin)
	ui.messageRoutes(admin)
	ui.userRoutes(admin)
	admin.GET("/certificates", ui.registerList)
	admin.GET("/statistics", ui.statistics)
	admin.GET("/statistics.csv", ui.statisticsCSV)
	ui.accrochageRoutes(admin)

	trainee := g.Group("/training", ui.require(auth.RoleCandidate))
	trainee.GET("", ui.catalogue)
	trainee.POST("/scenarios/:id/start", ui.startAttempt)
	trainee.GET("/attempts/:id", ui.attemptPage)
	trainee.POST("/attempts/:id/save", ui.saveAttempt)
	trainee.POST("/attempts/:id/submit", ui.submitAttempt)
	trainee.POST("/attempts/:id/abandon", ui.abandonAttempt)
	trainee.GET("/progress", ui.progressPage)
	trainee.GET("/modules/:id", ui.modulePage)
	ui.traineeVAERoutes(trainee)
	ui.supportRoutes(g, trainee, admin)

	// Administrators reach the jury pages too: they read every jury and
	// may conduct a deliberation (the service decides who may do what).
	jy := g.Group("/jury", ui.require(auth.RoleJury, auth.RoleAdmin))
	jy.GET("", ui.juryHome)
	jy.GET("/:id", ui.juryPage)
	jy.GET("/:id/minutes.pdf", ui.minutesPDF)
	jy.POST("/:id/sign", ui.signMinutes)
	jy.GET("/:id/candidates/:cid/components/:comp", ui.scorePage)
	jy.POST("/:id/candidates/:cid/components/:comp", ui.scoreSave)
	jy.GET("/:id/candidates/:cid/deliberation", ui.deliberationPage)
	jy.POST("/:id/candidates/:cid/deliberation", ui.deliberate)
	jy.POST("/:id/candidates/:cid/open", ui.openDeliberation)

	staff := g.Group("/admin", ui.require(auth.RoleAdmin, auth.RoleTrainer))
	staff.GET("/candidates", ui.candidateList)
	staff.GET("/candidates/new", ui.candidateNew)
	staff.POST("/candidates", ui.candidateCreate)
	staff.GET("/candidates/:id", ui.candidateShow)
	staff.POST("/candidates/:id/enrollments", ui.candidateEnroll)
	staff.POST("/candidates/:id/identity", ui.candidateIdentity)

	ui.certificateRoutes(g)
}

// home sends each role to its starting page.
func (ui *UI) home(c echo.Context) error {
	u, ok := auth.UserFrom(c)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return c.Redirect(http.StatusSeeOther, homeOf(u))
}

func homeOf(u auth.User) string {
	switch u.Role {
	case auth.RoleAdmin:
		return "/admin"
	case auth.RoleTrainer:
		return "/admin/candidates"
	case auth.RoleJury:
		return "/jury"
	case auth.RoleSupport:
		return "/support"
	default:
		return "/training"
	}
}

// isWebPath tells the error handler which requests get HTML pages: anything
// outside the API and the probes.
func isWebPath(p string) bool {
	for _, prefix := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return true
}
