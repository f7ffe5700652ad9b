package reporting

import (
	"net/http"
	"strconv"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the administrators' reports on g; admin is the role check.
func (s *Service) Routes(g *echo.Group, admin echo.MiddlewareFunc) {
	g.GET("/statistics", s.handleStatistics, admin)
}

func (s *Service) handleStatistics(c echo.Context) error {
	year := s.now().Year()
	if v := c.QueryParam("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < civil.MinYear || y > civil.MaxYear {
			return httpx.Invalid(httpx.Field("year", "year doit être une année, par exemple 2026.", "year must be a year, such as 2026."))
		}
		year = y
	}
	certs := s.ref.Certifications()
	code := c.QueryParam("certification")
	if code == "" && len(certs) > 0 {
		code = certs[0].Code // the first of the referential (CQP Clerc) when none is named
	}
	cert, ok := s.ref.Certification(code)
	if !ok {
		return httpx.Invalid(httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
	}
	st, err := s.Statistics(c.Request().Context(), year, cert)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
