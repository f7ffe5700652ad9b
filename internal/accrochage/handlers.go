package accrochage

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Routes registers the SI CPF routes on g; admin is the role check. The
// flow's route is more specific than the reporting exports' /exports/:file,
// so Echo gives it precedence.
func (s *Service) Routes(g *echo.Group, admin echo.MiddlewareFunc) {
	g.GET("/exports/cdc-accrochage.xml", s.handleExport, admin)
	g.GET("/exports/cdc-accrochage.xsd", s.handleXSD, admin)
	g.GET("/accrochage", s.handleOverview, admin)
	g.PUT("/accrochage/settings", s.handleSettings, admin)
}

// handleExport answers the flow of the certificates issued in the period
// (?from=&to=, both optional), recorded as sent. The certificates left out
// for want of identity fields are counted in X-CQP-Left-Out and listed on
// GET /accrochage.
func (s *Service) handleExport(c echo.Context) error {
	var from, to civil.Date
	if bad := httpx.QueryDates(c, map[string]*civil.Date{"from": &from, "to": &to}); len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	f, leftOut, err := s.Export(c.Request().Context(), auth.Caller(c), from, to)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/xml; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="cdc-accrochage-%s.xml"`, f.ID))
	h.Set("Cache-Control", "no-store")
	h.Set("X-CQP-Flow-Id", f.ID)
	h.Set("X-CQP-Left-Out", strconv.Itoa(len(leftOut)))
	c.Response().WriteHeader(http.StatusOK)
	if err := Write(c.Response(), f); err != nil {
		c.Logger().Error(err) // the answer has begun: the log says why it is cut
	}
	return nil
}

func (s *Service) handleXSD(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", XSD)
}

func (s *Service) handleOverview(c echo.Context) error {
	o, err := s.Overview(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

func (s *Service) handleSettings(c echo.Context) error {
	var in SettingsInput
	if err := httpx.Bind(c, &in); err != nil {
		return err
	}
	set, err := s.SaveSettings(c.Request().Context(), auth.Caller(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, set)
}
