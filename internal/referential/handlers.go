package referential

import (
	"net/http"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the public referential and its administration.
func (s *Service) Routes(g *echo.Group) {
	admin := auth.Require(auth.RoleAdmin)
	g.GET("/certifications", s.handleList)
	g.GET("/certifications/:code", s.handleGet)
	g.POST("/certifications/:code/registrations", s.handleAddRegistration, admin)
	g.GET("/parameters", s.handleParameters, admin)
	g.POST("/parameters/:table", s.handleAddParameter, admin)
}

func (s *Service) handleList(c echo.Context) error {
	return c.JSON(http.StatusOK, s.Certifications())
}

func (s *Service) handleGet(c echo.Context) error {
	cert, ok := s.Certification(c.Param("code"))
	if !ok {
		return httpx.NotFound("Certification inconnue.", "Unknown certification.")
	}
	return c.JSON(http.StatusOK, cert)
}

func (s *Service) handleAddRegistration(c echo.Context) error {
	if _, ok := s.Certification(c.Param("code")); !ok {
		return httpx.NotFound("Certification inconnue.", "Unknown certification.")
	}
	var in RegistrationInput
	if err := httpx.Decode(c, &in); err != nil {
		return err
	}
	reg, err := s.AddRegistration(c.Request().Context(), auth.Caller(c), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, reg)
}

func (s *Service) handleParameters(c echo.Context) error {
	ts, err := s.ParameterTables(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ts)
}

func (s *Service) handleAddParameter(c echo.Context) error {
	if _, ok := law.ParamTableNamed(c.Param("table")); !ok {
		return errUnknownTable()
	}
	var in law.ParamInput
	if err := httpx.Decode(c, &in); err != nil {
		return err
	}
	v, err := s.AddParameter(c.Request().Context(), auth.Caller(c), c.Param("table"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}
