// Package rules serves the case-analysis engine (internal/law) over HTTP and
// on the command line: it validates a debt file, takes the dated parameters
// from the referential, and returns what the law says about the file.
package rules

import (
	"net/http"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// ParameterSource gives the dated tables in force (the referential).
type ParameterSource interface {
	LawParameters() law.Parameters
}

// Service evaluates debt files.
type Service struct {
	params ParameterSource
}

// NewService builds the service.
func NewService(p ParameterSource) *Service { return &Service{params: p} }

// Evaluate validates in and analyses it: a file the engine cannot read
// meaningfully (a date after as_of, an absurd amount…) is a 422 naming the field.
func (s *Service) Evaluate(in law.Input) (law.Output, error) {
	if problems := law.Check(in); len(problems) > 0 {
		fields := make([]httpx.FieldError, 0, len(problems))
		for _, p := range problems {
			fields = append(fields, httpx.Field(p.Field, p.FR, p.EN))
		}
		return law.Output{}, httpx.Invalid(fields...)
	}
	return law.Evaluate(in, s.params.LawParameters()), nil
}

// Routes registers POST /rules/evaluate for any signed-in user.
func (s *Service) Routes(g *echo.Group) {
	g.POST("/rules/evaluate", s.handleEvaluate, auth.Require())
}

func (s *Service) handleEvaluate(c echo.Context) error {
	var in law.Input
	// law.Check, inside Evaluate, is this input's validator: the struct
	// carries no validate tags, so the field rules are written once.
	if err := httpx.Decode(c, &in); err != nil {
		return err
	}
	out, err := s.Evaluate(in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
