package training

import (
	"bytes"
	"io"
	"net/http"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the training API: the catalogue, modules, attempts, the
// trainers' review queue and progress.
func (s *Service) Routes(g *echo.Group) {
	authed := auth.Require()
	learners := auth.Require(auth.RoleAdmin, auth.RoleTrainer, auth.RoleCandidate)
	staff := auth.Require(auth.RoleAdmin, auth.RoleTrainer)
	g.GET("/scenarios", s.handleScenarios, authed)
	g.GET("/scenarios/:id", s.handleScenario, learners)
	g.POST("/scenarios/:id/attempts", s.handleStart, auth.Require(auth.RoleCandidate, auth.RoleAdmin))
	g.GET("/modules", s.handleModules, learners)
	g.GET("/modules/:id", s.handleModule, learners)
	g.GET("/attempts", s.handleList, learners)
	g.GET("/attempts/:id", s.handleGet, learners)
	g.PUT("/attempts/:id/answers", s.handleSave, learners)
	g.POST("/attempts/:id/submit", s.handleSubmit, learners)
	g.POST("/attempts/:id/abandon", s.handleAbandon, learners)
	g.POST("/attempts/:id/review", s.handleReview, staff)
	g.GET("/reviews", s.handleQueue, staff)
	g.GET("/candidates/:id/progress", s.handleProgress, learners)
}

func (s *Service) handleScenarios(c echo.Context) error {
	return c.JSON(http.StatusOK, s.Scenarios())
}

func (s *Service) handleScenario(c echo.Context) error {
	v, err := s.ScenarioView(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleStart(c echo.Context) error {
	var req StartRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	v, err := s.Start(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// bindOptional binds a body that may be absent or empty: the start and
// submit requests need none.
func bindOptional(c echo.Context, req any) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return httpx.DecodeJSON(failing{err}, req) // maps the body limit to 413
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(raw))
	c.Request().ContentLength = int64(len(raw))
	return httpx.Bind(c, req)
}

func (s *Service) handleModules(c echo.Context) error {
	ms, err := s.Modules(c.Request().Context(), auth.Caller(c), c.QueryParam("candidate_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ms)
}

func (s *Service) handleModule(c echo.Context) error {
	m, err := s.Module(c.Request().Context(), auth.Caller(c), c.Param("id"), c.QueryParam("candidate_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Service) handleList(c echo.Context) error {
	status := c.QueryParam("status")
	switch status {
	case "", InProgress, PendingReview, Graded, Abandoned:
	default:
		return httpx.Invalid(httpx.Field("status", "Statut inconnu : in_progress, pending_review, graded ou abandoned.",
			"unknown status: in_progress, pending_review, graded or abandoned"))
	}
	return httpx.List(c, func(after string, limit int) ([]AttemptSummary, string, error) {
		return s.List(c.Request().Context(), auth.Caller(c), ListQuery{CandidateID: c.QueryParam("candidate_id"),
			Scenario: c.QueryParam("scenario"), Status: status, After: after, Limit: limit})
	})
}

func (s *Service) handleGet(c echo.Context) error {
	v, err := s.Get(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleSave(c echo.Context) error {
	var req AnswersRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if req.Answers == nil {
		return httpx.Invalid(httpx.Field("answers", "Les réponses sont obligatoires.", "answers is required"))
	}
	res, err := s.Save(c.Request().Context(), auth.Caller(c), c.Param("id"), req.Answers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Service) handleSubmit(c echo.Context) error {
	var req AnswersRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	out, err := s.Submit(c.Request().Context(), auth.Caller(c), c.Param("id"), req.Answers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Service) handleAbandon(c echo.Context) error {
	v, err := s.Abandon(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleReview(c echo.Context) error {
	var req ReviewRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	v, err := s.Review(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleQueue(c echo.Context) error {
	return httpx.List(c, func(after string, limit int) ([]ReviewEntry, string, error) {
		return s.ReviewQueue(c.Request().Context(), auth.Caller(c), after, limit)
	})
}

func (s *Service) handleProgress(c echo.Context) error {
	p, err := s.Progress(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// failing is a reader that fails with err, to reuse DecodeJSON's mapping.
type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
