package candidates

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the candidates API: records, enrollments, the component
// ledger, CSV import, personal data, and cohorts.
func (s *Service) Routes(g *echo.Group) {
	staff := auth.Require(auth.RoleAdmin, auth.RoleTrainer)
	admin := auth.Require(auth.RoleAdmin)
	g.POST("/candidates", s.handleCreate, staff)
	g.GET("/candidates", s.handleList, staff)
	g.POST("/candidates/import", s.handleImport, admin)
	g.GET("/candidates/:id", s.handleGet, auth.Require())
	g.PATCH("/candidates/:id", s.handlePatch, staff)
	g.PUT("/candidates/:id", s.handlePut, staff)
	g.POST("/candidates/:id/enrollments", s.handleEnroll, staff)
	g.GET("/candidates/:id/enrollments", s.handleEnrollments, auth.Require())
	g.PATCH("/candidates/:id/enrollments/:enrollment_id", s.handleEndEnrollment, staff)
	g.GET("/candidates/:id/components", s.handleComponents, auth.Require())
	g.GET("/candidates/:id/export", s.handleExport, auth.Require(auth.RoleAdmin, auth.RoleCandidate))
	g.POST("/candidates/:id/pseudonymise", s.handlePseudonymise, admin)

	g.POST("/cohorts", s.handleCreateCohort, admin)
	g.GET("/cohorts", s.handleListCohorts, staff)
	g.GET("/cohorts/:id", s.handleGetCohort, staff)
	g.PATCH("/cohorts/:id", s.handlePatchCohort, admin)
	g.PUT("/cohorts/:id/trainers/:user_id", s.handleAddTrainer, admin)
	g.DELETE("/cohorts/:id/trainers/:user_id", s.handleRemoveTrainer, admin)
	g.PUT("/cohorts/:id/members/:candidate_id", s.handleAddMember, admin)
	g.DELETE("/cohorts/:id/members/:candidate_id", s.handleRemoveMember, admin)
}

func (s *Service) handleCreate(c echo.Context) error {
	var req NewCandidate
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cand, err := s.Create(c.Request().Context(), auth.Caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cand)
}

func (s *Service) handleGet(c echo.Context) error {
	cand, err := s.Get(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cand)
}

func (s *Service) handleList(c echo.Context) error {
	return httpx.List(c, func(after string, limit int) ([]Candidate, string, error) {
		return s.List(c.Request().Context(), auth.Caller(c), ListQuery{Q: c.QueryParam("q"), CohortID: c.QueryParam("cohort"), After: after, Limit: limit})
	})
}

func (s *Service) handlePatch(c echo.Context) error {
	var req CandidatePatch
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cand, err := s.Update(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cand)
}

func (s *Service) handlePut(c echo.Context) error {
	var req NewCandidate
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	cand, err := s.Update(c.Request().Context(), auth.Caller(c), c.Param("id"), req.Full())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cand)
}

// handleImport takes the CSV file as the body (text/csv) or as the "file"
// part of a multipart form, and streams it to the service.
func (s *Service) handleImport(c echo.Context) error {
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var body io.Reader
	switch mt {
	case "text/csv", "application/csv", "text/plain":
		body = r.Body
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return httpx.BadRequest("Formulaire multipart illisible.", "Unreadable multipart form.").Wrap(err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return httpx.Invalid(httpx.Field("file", "Le fichier CSV est absent (champ « file »).", "The CSV file is missing (field \"file\")."))
			}
			if err != nil {
				return readProblem(err)
			}
			if part.FormName() == "file" {
				body = part
				break
			}
		}
	default:
		return httpx.New(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Le fichier doit être envoyé en text/csv ou en multipart/form-data (champ « file »).",
			"Send the file as text/csv or multipart/form-data (field \"file\").")
	}
	res, err := s.Import(r.Context(), auth.Caller(c), body, ImportOptions{})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

func (s *Service) handleEnroll(c echo.Context) error {
	var req NewEnrollment
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	e, err := s.Enroll(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, e)
}

func (s *Service) handleEnrollments(c echo.Context) error {
	es, err := s.Enrollments(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, es)
}

func (s *Service) handleEndEnrollment(c echo.Context) error {
	var req EnrollmentPatch
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	e, err := s.EndEnrollment(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("enrollment_id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// handleComponents is the component ledger. A candidate sees only decisions
// whose minutes are signed (the jury's result is announced then); staff may
// ask for the same with ?final=true.
func (s *Service) handleComponents(c echo.Context) error {
	ctx, actor, id := c.Request().Context(), auth.Caller(c), c.Param("id")
	asOf := civil.Of(s.now().UTC())
	if v := c.QueryParam("as_of"); v != "" {
		d, err := civil.Parse(v)
		if err != nil {
			return httpx.Invalid(httpx.Field("as_of", "Date invalide : AAAA-MM-JJ attendu.", "Invalid date: YYYY-MM-DD expected."))
		}
		asOf = d
	}
	final := actor.Role == auth.RoleCandidate || c.QueryParam("final") == "true"
	if err := s.visible(ctx, actor, id); err != nil {
		return err
	}
	st, err := s.Ledger(ctx, id, c.QueryParam("certification"), asOf, final)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Service) handleExport(c echo.Context) error {
	ex, err := s.Export(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="donnees-personnelles-%s.json"`, strings.ReplaceAll(ex.Candidate.ID, `"`, "")))
	return c.JSON(http.StatusOK, ex)
}

func (s *Service) handlePseudonymise(c echo.Context) error {
	cand, err := s.Pseudonymise(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cand)
}

func (s *Service) handleCreateCohort(c echo.Context) error {
	var req NewCohort
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	co, err := s.CreateCohort(c.Request().Context(), auth.Caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, co)
}

func (s *Service) handleListCohorts(c echo.Context) error {
	return httpx.List(c, func(after string, limit int) ([]Cohort, string, error) {
		return s.ListCohorts(c.Request().Context(), auth.Caller(c), after, limit)
	})
}

func (s *Service) handleGetCohort(c echo.Context) error {
	co, err := s.GetCohort(c.Request().Context(), auth.Caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, co)
}

func (s *Service) handlePatchCohort(c echo.Context) error {
	var req CohortPatch
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	co, err := s.UpdateCohort(c.Request().Context(), auth.Caller(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, co)
}

func (s *Service) handleAddTrainer(c echo.Context) error {
	if err := s.AddTrainer(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("user_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleRemoveTrainer(c echo.Context) error {
	if err := s.RemoveTrainer(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("user_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleAddMember(c echo.Context) error {
	if err := s.AddMember(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("candidate_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Service) handleRemoveMember(c echo.Context) error {
	if err := s.RemoveMember(c.Request().Context(), auth.Caller(c), c.Param("id"), c.Param("candidate_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
