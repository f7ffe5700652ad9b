package webui

import (
	"io"
	"net/http"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/labstack/echo/v4"
)

// The pages that take a file apply their own size limit instead of the
// server's: a file too large is then refused on the form, next to its input
// and in the reader's language, rather than by a bare error page.

// uploadSlack is room for the form around the file (token, title, part
// headers): the file's own limit is checked by whoever reads it.
const uploadSlack = 256 << 10

// drainLimit is how much of a refused body is read and thrown away so that
// the browser, still sending, gets to show the answer; beyond it the
// connection is closed.
const drainLimit = 64 << 20

// OwnsBodyLimit tells the server's body limit (httpx.ServerOptions.Skipper)
// which requests these pages limit themselves (uploadLimit).
func OwnsBodyLimit(c echo.Context) bool {
	if c.Request().Method != http.MethodPost {
		return false
	}
	switch c.Path() {
	case vaeUploadRoute, importRoute:
		return true
	}
	return false
}

// uploadRule is the limit of an upload route, who may post to it, and the
// page that says the file is too large.
type uploadRule struct {
	limit    int64
	roles    []string
	tooLarge echo.HandlerFunc
}

func (ui *UI) uploadRuleOf(path string) (uploadRule, bool) {
	switch {
	case path == vaeUploadRoute:
		return uploadRule{ui.VAE.UploadLimit() + uploadSlack, []string{auth.RoleCandidate}, ui.vaeUploadTooLarge}, true
	case path == importRoute:
		return uploadRule{ui.importLimit() + uploadSlack, []string{auth.RoleAdmin}, ui.importTooLarge}, true
	}
	return uploadRule{}, false
}

// uploadLimit bounds the body of the upload routes. When Content-Length
// already says it is too large, the form is shown again with the refusal at
// once, before the CSRF check reads the body: that answer changes nothing.
func (ui *UI) uploadLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !OwnsBodyLimit(c) {
			return next(c)
		}
		rule, ok := ui.uploadRuleOf(c.Path())
		if !ok {
			return next(c)
		}
		r := c.Request()
		if r.ContentLength > rule.limit {
			// Only someone who may post here gets the body read away, so
			// that their browser shows the answer; others are cut short.
			if u, ok := auth.UserFrom(c); !ok || !u.Is(rule.roles...) {
				c.Response().Header().Set("Connection", "close")
				return ui.require(rule.roles...)(rule.tooLarge)(c)
			}
			if n, _ := io.CopyN(io.Discard, r.Body, drainLimit); n == drainLimit {
				c.Response().Header().Set("Connection", "close")
			}
			return rule.tooLarge(c)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, rule.limit)
		return next(c)
	}
}
