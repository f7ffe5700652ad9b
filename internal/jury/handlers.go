package jury

import (
	"fmt"
	"net/http"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the jury API.
func (s *Service) Routes(g *echo.Group) {
	admin := auth.Require(auth.RoleAdmin)
	panel := auth.Require(auth.RoleAdmin, auth.RoleJury)
	g.POST("/juries", s.handleCreate, admin)
	g.GET("/juries", s.handleList, panel)
	g.GET("/juries/deadlines", s.handleDeadlines, admin)
	g.GET("/juries/:id", s.handleGet, panel)
	g.PATCH("/juries/:id", s.handlePatch, admin)
	g.PUT("/juries/:id/members/:user_id", s.handlePutMember, admin)
	g.DELETE("/juries/:id/members/:user_id", s.handleRemoveMember, admin)
	g.POST("/juries/:id/candidates", s.handleAssign, admin)
	g.POST("/juries/:id/conflicts", s.handleConflict, panel)
	g.GET("/juries/:id/grid", s.handleGrid, panel)
	g.POST("/juries/:id/evaluations", s.handleEvaluate, panel)
	g.GET("/juries/:id/candidates/:candidate_id/evaluations", s.handleEvaluations, panel)
	g.POST("/juries/:id/candidates/:candidate_id/open", s.handleOpen, panel)
	g.GET("/juries/:id/candidates/:candidate_id/scores", s.handleScores, panel)
	g.PUT("/juries/:id/candidates/:candidate_id/notification", s.handleNotify, admin)
	g.GET("/juries/:id/agreement", s.handleAgreement, admin)
	g.POST("/juries/:id/deliberations", s.handleDeliberate, panel)
	g.POST("/juries/:id/minutes/sign", s.handleSign, panel)
	g.GET("/juries/:id/minutes", s.handleMinutes, panel)
	g.GET("/juries/:id/minutes.pdf", s.handleMinutesPDF, panel)
	g.POST("/juries/:id/corrections", s.handleCorrect, admin)
	g.GET("/jury-members/:user_id", s.handleHistory, panel)
	g.PUT("/jury-members/:user_id/certifications/:code", s.handleQualify, admin)
}

func (s *Service) handleCreate(c echo.Context) error {
	var req NewJury
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	v, err := s.Create(c.Request().Context(), auth.Caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Service) handleList(c echo.Context) error {
	return httpx.List(c, func(after string, limit int) ([]Jury, string, error) {
		return s.List(c.Request().Context(), auth.Caller(c), after, limit)
	})
}

func (s *Service) handleGet(c echo.Context) error {
	v, err := s.Get(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handlePatch(c echo.Context) error {
	var req JuryPatch
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	v, err := s.Update(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// memberRequest is the body of PUT /juries/{id}/members/{user_id}.
type memberRequest struct {
	Category     string `json:"category" validate:"required,oneof=professional organisation_representative"`
	Organisation string `json:"organisation" validate:"max=200"`
}

func (s *Service) handlePutMember(c echo.Context) error {
	var req memberRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	v, err := s.PutMember(c.Request().Context(), auth.Caller(c), c.Param("id"),
		NewMember{UserID: c.Param("user_id"), Category: req.Category, Organisation: req.Organisation})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleRemoveMember(c echo.Context) error {
	v, err := s.RemoveMember(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("user_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleAssign(c echo.Context) error {
	var req NewAssignment
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := s.Assign(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func (s *Service) handleConflict(c echo.Context) error {
	u := auth.Caller(c)
	if u.Role != auth.RoleAdmin {
		if err := s.Gate(c.Request().Context(), u, c.Param("id"), ""); err != nil {
			return err
		}
	}
	var req NewConflict
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	r, err := s.DeclareConflict(c.Request().Context(), u, c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Service) handleGrid(c echo.Context) error {
	comp := c.QueryParam("component")
	if comp == "" {
		return httpx.Invalid(httpx.Field("component", "Le bloc (component) est requis.", "The component is required."))
	}
	g, err := s.Grid(c.Request().Context(), auth.Caller(c), c.Param("id"), comp)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}

// handleEvaluate checks membership, then conflict, before validating the
// body (API contract: 403 comes before any complaint about the body).
func (s *Service) handleEvaluate(c echo.Context) error {
	ctx, u := c.Request().Context(), auth.Caller(c)
	if err := s.Gate(ctx, u, c.Param("id"), ""); err != nil {
		return err
	}
	var req NewEvaluation
	if err := httpx.DecodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	if req.CandidateID != "" {
		if err := s.Gate(ctx, u, c.Param("id"), req.CandidateID); err != nil {
			return err
		}
	}
	if err := c.Validate(&req); err != nil {
		return err
	}
	ev, created, err := s.Evaluate(ctx, u, c.Param("id"), req)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, ev)
	}
	return c.JSON(http.StatusOK, ev)
}

func (s *Service) handleEvaluations(c echo.Context) error {
	evs, err := s.Evaluations(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("candidate_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, evs)
}

func (s *Service) handleOpen(c echo.Context) error {
	a, err := s.OpenDeliberation(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("candidate_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Service) handleScores(c echo.Context) error {
	v, err := s.Scores(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("candidate_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Service) handleNotify(c echo.Context) error {
	var req NotificationRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := s.RecordNotification(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("candidate_id"), req.NotifiedOn)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Service) handleAgreement(c echo.Context) error {
	a, err := s.Agreement(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Service) handleDeliberate(c echo.Context) error {
	ctx, u := c.Request().Context(), auth.Caller(c)
	if u.Role != auth.RoleAdmin {
		if err := s.Gate(ctx, u, c.Param("id"), ""); err != nil {
			return err
		}
	}
	var req NewDeliberation
	if err := httpx.DecodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	if u.Role != auth.RoleAdmin && req.CandidateID != "" {
		if err := s.Gate(ctx, u, c.Param("id"), req.CandidateID); err != nil {
			return err
		}
	}
	if err := c.Validate(&req); err != nil {
		return err
	}
	d, err := s.Deliberate(ctx, u, c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Service) handleSign(c echo.Context) error {
	var req SignRequest
	// The body is optional: a member signs for themselves.
	if r := c.Request(); r.ContentLength != 0 && r.Body != http.NoBody {
		if err := httpx.Bind(c, &req); err != nil {
			return err
		}
	}
	m, err := s.Sign(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Service) handleMinutes(c echo.Context) error {
	m, err := s.Minutes(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Service) handleMinutesPDF(c echo.Context) error {
	b, m, err := s.MinutesPDF(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="proces-verbal-%s.pdf"`, m.Jury.ID))
	return c.Blob(http.StatusOK, "application/pdf", b)
}

func (s *Service) handleCorrect(c echo.Context) error {
	var req NewCorrection
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	d, err := s.Correct(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Service) handleDeadlines(c echo.Context) error {
	ds, err := s.Deadlines(c.Request().Context(), c.QueryParam("all") == "true")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}

func (s *Service) handleHistory(c echo.Context) error {
	h, err := s.History(c.Request().Context(), auth.Caller(c), c.Param("user_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Service) handleQualify(c echo.Context) error {
	q, err := s.Qualify(c.Request().Context(), auth.Caller(c), c.Param("user_id"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}
