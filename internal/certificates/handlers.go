package certificates

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the API: issuance, documents, revocation, batches, the
// public keys and the public check.
func (s *Service) Routes(g *echo.Group) {
	admin := auth.Require(auth.RoleAdmin)
	g.POST("/candidates/:id/certificates", s.handleIssue, admin)
	g.GET("/candidates/:id/certificates", s.handleList, auth.Require())
	g.POST("/certificates/batch", s.handleBatch, admin)
	g.GET("/certificates", s.handleRegister, admin)
	g.GET("/certificates/:number", s.handleGet, auth.Require())
	g.GET("/certificates/:number/pdf", s.handlePDF, auth.Require())
	g.GET("/certificates/:number/credentials", s.handleCredentials, auth.Require())
	g.POST("/certificates/:number/revoke", s.handleRevoke, admin)
	g.GET("/keys", s.handleKeys)
	g.GET("/verify/:number", s.handleVerify, s.limiter.middleware)
}

// VerifyLimit is the rate limit of the public check, for the web page
// of /verify/{number} (the address printed in QR codes), which the web
// interface draws in its own layout.
func (s *Service) VerifyLimit() echo.MiddlewareFunc { return s.limiter.middleware }

type issueRequest struct {
	Certification string `json:"certification" validate:"required,max=60"`
}

// signedJSON writes a document's body exactly as signed: re-encoding it
// could reorder or re-escape what the signature covers.
func signedJSON(c echo.Context, status int, body string) error {
	return c.Blob(status, echo.MIMEApplicationJSON, []byte(body))
}

func (s *Service) handleIssue(c echo.Context) error {
	var req issueRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	res, err := s.Issue(c.Request().Context(), auth.Caller(c).ID, c.Param("id"), req.Certification)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/certificates/"+res.Record.Number)
	return signedJSON(c, status, res.Record.Body)
}

// Summary is one line of a candidate's list of documents.
type Summary struct {
	Number           string     `json:"number"`
	Kind             string     `json:"kind"`
	Certification    string     `json:"certification"`
	IssuedOn         string     `json:"issued_on"`
	Status           string     `json:"status"`
	Superseded       bool       `json:"superseded"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
	RevocationReason string     `json:"revocation_reason,omitempty"`
}

func summary(r Record) Summary {
	s := Summary{Number: r.Number, Kind: r.Kind, Certification: r.Certification, IssuedOn: r.IssuedOn.String(),
		Status: StatusValid, Superseded: r.SupersededBy != nil, RevokedAt: r.RevokedAt, RevocationReason: r.RevocationReason}
	if r.RevokedAt != nil {
		s.Status = StatusRevoked
	}
	return s
}

func (s *Service) handleList(c echo.Context) error {
	rs, err := s.List(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]Summary, len(rs))
	for i, r := range rs {
		out[i] = summary(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (s *Service) handleGet(c echo.Context) error {
	r, err := s.Get(c.Request().Context(), auth.Caller(c), c.Param("number"))
	if err != nil {
		return err
	}
	return signedJSON(c, http.StatusOK, r.Body)
}

func (s *Service) handlePDF(c echo.Context) error {
	pdf, err := s.PDF(c.Request().Context(), auth.Caller(c), c.Param("number"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="`+c.Param("number")+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

func (s *Service) handleCredentials(c echo.Context) error {
	raw, err := s.Credentials(c.Request().Context(), auth.Caller(c), c.Param("number"))
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, raw)
}

type revokeRequest struct {
	Reason string `json:"reason" validate:"required,max=1000"`
}

func (s *Service) handleRevoke(c echo.Context) error {
	var req revokeRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	r, err := s.Revoke(c.Request().Context(), auth.Caller(c).ID, c.Param("number"), req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, summary(r))
}

type batchRequest struct {
	JuryID        string   `json:"jury_id" validate:"omitempty,max=36"`
	Certification string   `json:"certification" validate:"omitempty,max=60"`
	Candidates    []string `json:"candidates" validate:"omitempty,max=10000,dive,required,max=36"`
}

func (s *Service) handleBatch(c echo.Context) error {
	var req batchRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cert, ids := req.Certification, req.Candidates
	switch {
	case req.JuryID != "" && (len(ids) > 0 || cert != ""):
		return httpx.Invalid(httpx.Field("jury_id", "Donnez soit un jury, soit une certification et ses candidats.",
			"Give either a jury, or a certification and its candidates."))
	case req.JuryID != "":
		var err error
		if cert, ids, err = s.JuryCandidates(ctx, req.JuryID); err != nil {
			return err
		}
	case cert == "" || len(ids) == 0:
		return httpx.Invalid(httpx.Field("candidates", "Donnez un jury, ou une certification et la liste de ses candidats.",
			"Give a jury, or a certification and the list of its candidates."))
	}
	// ?async=true runs the batch as a durable job (batch_job.go) and
	// answers 202; without it, the batch runs in the request (200).
	if v := c.QueryParam("async"); v != "" {
		async, err := strconv.ParseBool(v)
		if err != nil {
			return httpx.Invalid(httpx.Field("async", "Valeur attendue : true ou false.", "Expected value: true or false."))
		}
		if async {
			return s.startBatchJob(c, auth.Caller(c).ID, cert, ids)
		}
	}
	rep, err := s.Batch(ctx, auth.Caller(c).ID, cert, ids, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Service) handleKeys(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return c.JSON(http.StatusOK, SetOf(s.keys.Public()))
}

func (s *Service) handleVerify(c echo.Context) error {
	v, err := s.Public(c.Request().Context(), c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// limiter is a token bucket per client address for the public check: a
// few requests a second after a burst, enough for people and their phones,
// too few to enumerate numbers. It runs on the service clock.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	rate    float64 // tokens a second
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// newLimiter allows perMinute checks a minute per client, in bursts of up
// to half a minute's worth; perMinute 0 allows everything.
func newLimiter(now func() time.Time, perMinute int) *limiter {
	if perMinute <= 0 {
		return &limiter{now: now}
	}
	return &limiter{now: now, rate: float64(perMinute) / 60, burst: math.Max(1, float64(perMinute)/2), buckets: map[string]*bucket{}}
}

// take spends a token for key, or says how long to wait for one.
func (l *limiter) take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.buckets) > 50_000 { // forget full buckets rather than grow for ever
		for k, b := range l.buckets {
			if now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

func (l *limiter) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	if l.rate == 0 {
		return next // CQP_VERIFY_RATE=0: unlimited
	}
	return func(c echo.Context) error {
		ok, wait := l.take(c.RealIP())
		if !ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return httpx.New(http.StatusTooManyRequests, "rate_limited",
				"Trop de vérifications depuis votre adresse : réessayez dans un instant.",
				"Too many checks from your address: try again in a moment.")
		}
		return next(c)
	}
}
