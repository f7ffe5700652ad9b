package webui

import (
	"net/http"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

type traineeHomeData struct {
	Candidate   candidates.Candidate
	Enrollments []candidates.Enrollment
	Components  []componentRow
}

// traineeHome is a candidate's starting page: their enrollments and where
// each component stands. The candidates service applies the ownership rule
// (a candidate sees only the record their account is linked to).
func (ui *UI) traineeHome(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	if actor.CandidateID == nil {
		return httpx.NotFound("Aucun dossier candidat n'est lié à ce compte.", "No candidate record is linked to this account.")
	}
	ctx := c.Request().Context()
	id := *actor.CandidateID
	cand, err := ui.Candidates.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	p := ui.newPage(c, "Mon espace", "My space")
	d := traineeHomeData{Candidate: cand}
	if d.Enrollments, err = ui.Candidates.Enrollments(ctx, actor, id); err != nil {
		return err
	}
	if d.Components, err = ui.componentRows(ctx, id, p.Today); err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "trainee/home", p)
}
