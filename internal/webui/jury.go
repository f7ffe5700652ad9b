package webui

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// juryHome is a jury member's starting page: their sessions.
func (ui *UI) juryHome(c echo.Context) error {
	p := ui.newPage(c, "Mes sessions", "My sessions")
	return ui.render(c, http.StatusOK, "jury/home", p)
}
