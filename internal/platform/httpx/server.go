package httpx

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// ServerOptions configures the Echo instance.
type ServerOptions struct {
	Logger    *slog.Logger
	BodyLimit int64                   // bytes
	Registry  *prometheus.Registry    // metrics; nil disables /metrics
	Skipper   func(echo.Context) bool // routes with their own body limit (uploads)
	// TrustedProxies are the reverse proxies whose forwarding headers are
	// believed (CQP_TRUSTED_PROXIES); none: the socket address is the client.
	TrustedProxies []netip.Prefix
	// HSTS sends Strict-Transport-Security (the public URL is https://).
	HSTS bool
	// MetricsToken, when set, is the bearer token /metrics requires; when
	// empty /metrics answers loopback clients only (CQP_METRICS_TOKEN).
	MetricsToken string
}

// knownMethod keeps the method label to a closed list.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// metricsGuard lets /metrics answer the holder of the token, or, without a
// token, the local machine only (c.RealIP: the client behind a trusted
// proxy, so that a proxy on the same host does not open it to the world).
func metricsGuard(token string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if token != "" {
				got, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
				if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
					return Unauthorized("Jeton de métriques absent ou invalide.", "Missing or invalid metrics token.")
				}
				return next(c)
			}
			if a, err := netip.ParseAddr(c.RealIP()); err != nil || !a.IsLoopback() {
				return NotFound("Cette adresse n'existe pas.", "No such resource.")
			}
			return next(c)
		}
	}
}

// NewEcho builds the Echo instance every feature registers on: request IDs,
// panic recovery, security headers, a body limit, structured request logs,
// metrics, and the one error handler.
func NewEcho(o ServerOptions) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Validator = NewValidator()
	// c.RealIP() is the client: the socket address, or what a trusted proxy
	// says (Echo's default would believe X-Forwarded-For from anyone).
	trusted := proxies(o.TrustedProxies)
	e.IPExtractor = trusted.clientIP
	e.HTTPErrorHandler = ErrorHandler(o.Logger)
	e.Pre(trusted.stripUntrustedForwarding)
	e.Use(cleanURL)
	if o.HSTS {
		e.Use(hsts)
	}

	e.Use(middleware.RequestID())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			o.Logger.Error("panic", "err", err, "request_id", requestID(c), "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
	}))
	limit := o.BodyLimit
	if limit <= 0 {
		limit = 10 << 20
	}
	e.Use(bodyLimit(limit, o.Skipper))
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			o.Logger.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("uri", redactURI(c.Request().URL)), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	}))
	if o.Registry != nil {
		e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
			Registerer:                o.Registry,
			DoNotUseRequestPathFor404: true,
			Skipper:                   func(c echo.Context) bool { return c.Path() == "/metrics" },
			// Labels come from the route template and a closed list of
			// methods only: a label from a request header (Host) or a raw
			// path lets anyone grow the registry without bound.
			LabelFuncs: map[string]echoprometheus.LabelValueFunc{
				"host":   func(echo.Context, error) string { return "" },
				"method": func(c echo.Context, _ error) string { return knownMethod(c.Request().Method) },
			},
		}))
		e.GET("/metrics", echoprometheus.NewHandlerWithConfig(echoprometheus.HandlerConfig{Gatherer: o.Registry}),
			metricsGuard(o.MetricsToken))
	}
	// Pages, JSON, CSS and scripts go compressed to clients that accept it
	// (a page is 5 to 10 times smaller); files that are compressed already
	// (PDF, XLSX, images, uploaded documents) and short answers go as they are.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024, Skipper: uncompressible}))
	return e
}

// uncompressible tells the responses gzip would only slow down.
func uncompressible(c echo.Context) bool {
	p := c.Request().URL.Path
	for _, suffix := range []string{".pdf", "/pdf", ".xlsx", ".png", ".jpg", ".jpeg", ".zip"} {
		if strings.HasSuffix(p, suffix) {
			return true
		}
	}
	return p == "/metrics" || strings.Contains(p, "/documents/")
}

// bodyLimit refuses bodies over n bytes: at once from Content-Length, and
// while reading otherwise (http.MaxBytesReader), both as 413 problems.
func bodyLimit(n int64, skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip != nil && skip(c) {
				return next(c)
			}
			r := c.Request()
			if r.ContentLength > n {
				return New(http.StatusRequestEntityTooLarge, "too_large",
					"Le contenu dépasse la taille autorisée ("+strconv.FormatInt(n, 10)+" octets).",
					"The body exceeds the size limit ("+strconv.FormatInt(n, 10)+" bytes).")
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}

// redactURI is the request's path and query for the log, without what must
// not sit in logs: single-use tokens (activation and reset links) and
// anything that looks like an email address (searches by person).
func redactURI(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return u.Path + "?[unparsable]"
	}
	for k, vs := range q {
		for i, v := range vs {
			if strings.Contains(v, "@") || strings.EqualFold(k, "token") || strings.EqualFold(k, "email") {
				vs[i] = "[redacted]"
			}
		}
	}
	return u.Path + "?" + q.Encode()
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// ErrorHandler renders every error as application/problem+json: our Problems
// as they are, Echo's own errors (unknown route, method, body limit) by their
// status, and anything else as a logged 500 that reveals nothing.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, ok := AsProblem(err)
		if !ok {
			var he *echo.HTTPError
			switch {
			case errors.As(err, &he):
				p = fromEchoError(he)
			case database.IsUnavailable(err):
				p = Unavailable(err)
			default:
				p = New(http.StatusInternalServerError, "internal",
					"Une erreur interne est survenue ; elle a été consignée.",
					"An internal error occurred; it has been logged.").Wrap(err)
			}
		}
		if p.Status >= 500 {
			log.Error("request failed", "err", err, "request_id", requestID(c), "path", c.Path())
		}
		WriteProblem(c, p)
	}
}

// WriteProblem writes p in the caller's language.
func WriteProblem(c echo.Context, p *Problem) {
	body := p.body(Lang(c), c.Request().URL.Path)
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="cqp"`)
	}
	if p.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = c.Echo().JSONSerializer.Serialize(c, body, "")
}

func fromEchoError(he *echo.HTTPError) *Problem {
	switch he.Code {
	case http.StatusNotFound:
		return NotFound("Cette adresse n'existe pas.", "No such resource.")
	case http.StatusMethodNotAllowed:
		return New(he.Code, "method_not_allowed", "Méthode non autorisée sur cette adresse.", "Method not allowed here.")
	case http.StatusRequestEntityTooLarge:
		return New(he.Code, "too_large", "Le contenu dépasse la taille autorisée.", "The body exceeds the size limit.")
	case http.StatusUnauthorized:
		return Unauthorized("Authentification requise.", "Authentication required.")
	case http.StatusForbidden:
		return Forbidden("Accès refusé.", "Forbidden.")
	case http.StatusTooManyRequests:
		return New(he.Code, "rate_limited", "Trop de requêtes : réessayez dans un instant.", "Too many requests: try again shortly.")
	case http.StatusBadRequest:
		return BadRequest("Requête invalide.", "Bad request.").Wrap(he)
	}
	if he.Code >= 400 && he.Code < 500 {
		return New(he.Code, "http_"+strconv.Itoa(he.Code), http.StatusText(he.Code), http.StatusText(he.Code))
	}
	return New(http.StatusInternalServerError, "internal",
		"Une erreur interne est survenue ; elle a été consignée.", "An internal error occurred; it has been logged.").Wrap(he)
}

// Timeouts are the server's; a slow client cannot hold a connection forever.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
}
