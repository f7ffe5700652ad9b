package referential

import (
	"net/http"

	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the public referential.
func (s *Service) Routes(g *echo.Group) {
	g.GET("/certifications", s.handleList)
	g.GET("/certifications/:code", s.handleGet)
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
