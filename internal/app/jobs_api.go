package app

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// jobView is a background job as the API shows it to whoever started it:
// where it is, how far, and its result once there is one.
type jobView struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Status    string          `json:"status"`
	Done      int             `json:"done"`
	Total     int             `json:"total"`
	Result    json.RawMessage `json:"result"`
	LastError string          `json:"last_error"`
}

// handleJob answers GET /api/v1/jobs/{id} (administrators). Only the
// account that started the job sees it, as on the web import's page:
// another administrator, like an unknown id, gets a 404 — a job's result
// may hold what its file contained, and following one's own work is the
// need. Jobs nobody started (deliveries, reminders) are seen by no one here.
func (a *App) handleJob(c echo.Context) error {
	notFound := httpx.NotFound("Ce traitement n'existe pas ou n'est plus conservé.", "This job does not exist or is no longer kept.")
	j, err := a.Jobs.Get(c.Request().Context(), c.Param("id"))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if j.CreatedBy == "" || j.CreatedBy != auth.Caller(c).ID {
		return notFound
	}
	v := jobView{ID: j.ID, Kind: j.Kind, Status: j.Status, Done: j.Done, Total: j.Total, LastError: j.LastError,
		Result: json.RawMessage("null")}
	if j.Result != "" {
		v.Result = json.RawMessage(j.Result)
	}
	if !j.Finished() {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	}
	return c.JSON(http.StatusOK, v)
}
