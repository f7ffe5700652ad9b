package webui

import (
	"io/fs"
	"net/http"

	"github.com/ancr/cqp/web"
	"github.com/labstack/echo/v4"
)

// staticRoutes serves web/static under /static/. Pages link assets with
// ?v=<content hash>, so they may be cached for a year.
func (ui *UI) staticRoutes(e *echo.Echo) {
	sub, err := fs.Sub(web.FS, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	files := http.FileServerFS(sub)
	e.GET("/static/*", func(c echo.Context) error {
		name := c.Param("*")
		if f, err := fs.Stat(sub, name); err != nil || f.IsDir() {
			return echo.ErrNotFound
		}
		h := c.Response().Header()
		if c.QueryParam("v") != "" {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=300")
		}
		r := c.Request().Clone(c.Request().Context())
		r.URL.Path = "/" + name
		files.ServeHTTP(c.Response(), r)
		return nil
	})
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg")
	})
}
