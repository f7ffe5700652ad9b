package reporting

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Routes registers the administrators' reports on g; admin is the role check.
func (s *Service) Routes(g *echo.Group, admin echo.MiddlewareFunc) {
	g.GET("/statistics", s.handleStatistics, admin)
	g.GET("/exports/:file", s.handleExport, admin)
}

// handleExport streams GET /exports/{dataset}.{csv|xlsx}. Who exported
// which personal data is audited before the first byte leaves (GDPR).
func (s *Service) handleExport(c echo.Context) error {
	name, format, _ := strings.Cut(c.Param("file"), ".")
	if !slices.Contains(Datasets, name) || (format != "csv" && format != "xlsx") {
		return httpx.NotFound("Export inconnu : candidates, enrollments, results ou certificates, en .csv ou .xlsx.",
			"Unknown export: candidates, enrollments, results or certificates, as .csv or .xlsx.")
	}
	var f ExportFilter
	bad := httpx.QueryDates(c, map[string]*civil.Date{"from": &f.From, "to": &f.To})
	if f.Certification = c.QueryParam("certification"); f.Certification != "" {
		if _, ok := s.ref.Certification(f.Certification); !ok {
			bad = append(bad, httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	ctx := c.Request().Context()
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		return audit.Record(tx, s.now(), audit.Event{ActorID: auth.Caller(c).ID, Action: "export." + name, Entity: "export",
			EntityID: name + "." + format, After: map[string]string{"format": format, "certification": f.Certification,
				"from": c.QueryParam("from"), "to": c.QueryParam("to")}})
	})
	if err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ct)
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="cqp-%s-%s.%s"`, name, civil.Of(s.now()), format))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	if _, err := s.Export(ctx, c.Response(), name, format, f); err != nil {
		// The answer has begun: the client sees a cut file; the log says why.
		c.Logger().Error(err)
	}
	return nil
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
