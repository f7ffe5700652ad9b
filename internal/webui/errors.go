package webui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// installErrorHandler puts the HTML error pages in front of the API's
// problem+json handler: a browser asking for a page (Accept: text/html, an
// htmx request, or a form) gets a French page; everything else, and
// anything under /api/, keeps problem+json.
func (ui *UI) installErrorHandler(e *echo.Echo) {
	api := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		if !isWebPath(c.Request().URL.Path) || !wantsHTML(c.Request()) {
			api(err, c)
			return
		}
		ui.errorPage(err, c)
	}
}

func wantsHTML(r *http.Request) bool {
	if r.Header.Get("HX-Request") == "true" || strings.Contains(r.Header.Get("Accept"), "text/html") {
		return true
	}
	ct := r.Header.Get(echo.HeaderContentType)
	return r.Method == http.MethodPost &&
		(strings.HasPrefix(ct, echo.MIMEApplicationForm) || strings.HasPrefix(ct, echo.MIMEMultipartForm))
}

type errorData struct {
	Status  int
	Code    string
	Message string
}

func (ui *UI) errorPage(err error, c echo.Context) {
	p := problemOf(err)
	if p.Status >= 500 {
		ui.Log.Error("page failed", "err", err, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	r := c.Request()
	if p.Status == http.StatusUnauthorized {
		next := ""
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		msg := translate(httpx.Lang(c), "auth.required")
		if _, err := c.Cookie(sessionCookie); err == nil {
			msg = translate(httpx.Lang(c), "auth.session_over")
		}
		target := "/login"
		if next != "" && next != "/" {
			target += "?next=" + url.QueryEscape(next)
		}
		_ = ui.redirect(c, target, msg)
		return
	}
	pg := ui.newPage(c, "Erreur", "Error")
	pg.Title = translate(pg.Lang, "err.title."+strconv.Itoa(p.Status))
	if strings.HasPrefix(pg.Title, "err.") {
		pg.Title = pg.L("Erreur", "Error")
	}
	msg := pg.L(p.FR, p.EN)
	switch {
	case p.Status == http.StatusNotFound && p.Code == "not_found" && r.Method == http.MethodGet:
		msg = pg.T("err.404")
	case p.Status == http.StatusServiceUnavailable:
		c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	case p.Status >= 500:
		msg = pg.T("err.500")
	}
	pg.Data = errorData{Status: p.Status, Code: p.Code, Message: msg}
	block := "layout"
	if pg.HX {
		block = "fragment"
	}
	if err := ui.renderBlock(c, p.Status, "error", block, pg); err != nil {
		ui.Log.Error("render error page", "err", err)
		c.Response().WriteHeader(p.Status)
	}
}

// problemOf maps any error to a Problem as the API's handler does.
func problemOf(err error) *httpx.Problem {
	if p, ok := httpx.AsProblem(err); ok {
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return httpx.NotFound("Cette page n'existe pas.", "No such page.")
		case http.StatusMethodNotAllowed:
			return httpx.New(he.Code, "method_not_allowed", "Méthode non autorisée sur cette adresse.", "Method not allowed here.")
		case http.StatusRequestEntityTooLarge:
			return httpx.New(he.Code, "too_large", "Le contenu dépasse la taille autorisée.", "The body exceeds the size limit.")
		}
		if he.Code >= 400 && he.Code < 500 {
			return httpx.New(he.Code, "http_"+strconv.Itoa(he.Code), http.StatusText(he.Code), http.StatusText(he.Code))
		}
	}
	if database.IsUnavailable(err) {
		return httpx.Unavailable(err)
	}
	return httpx.New(http.StatusInternalServerError, "internal", messages["err.500"][0], messages["err.500"][1]).Wrap(err)
}

// field names a form field for formProblem: its name in the form and its
// label, which replaces the JSON path in the service's message.
type field struct{ name, label string }

// formProblem turns a service's 4xx Problem into messages next to the form's
// fields: fields maps the Problem's JSON paths to the form's fields (a path
// absent from it keeps its own name). It returns false for other errors,
// which the handler returns as they are.
func (p *page) formProblem(err error, fields map[string]field) bool {
	pr, ok := httpx.AsProblem(err)
	if !ok || pr.Status >= 500 || pr.Status == http.StatusUnauthorized {
		return false
	}
	if pr.Status == http.StatusNotFound && len(pr.Fields) == 0 {
		return false
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	for _, f := range pr.Fields {
		name, msg := f.Field, p.L(f.FR, f.EN)
		if ff, ok := fields[f.Field]; ok {
			name = ff.name
			if ff.label != "" {
				msg = strings.Replace(msg, f.Field, p.L("« "+ff.label+" »", "“"+ff.label+"”"), 1)
			}
		}
		if prev := p.Errors[name]; prev != "" {
			msg = prev + " " + msg
		}
		p.Errors[name] = msg
	}
	p.FormError = p.L(pr.FR, pr.EN)
	if pr.Code == "validation" {
		p.FormError = p.T("form.invalid")
	}
	return true
}

// formStatus is the status of a page re-shown with a service's refusal.
func formStatus(err error) int {
	if pr, ok := httpx.AsProblem(err); ok {
		return pr.Status
	}
	return http.StatusUnprocessableEntity
}

// formInto reads the posted form into the page too, so that a refusal shows
// the form again as it was typed.
func formInto(c echo.Context, p *page) (url.Values, error) {
	form, err := formOf(c)
	if err != nil {
		return nil, err
	}
	p.Form = form
	return form, nil
}

// formOf reads a posted form; a body that cannot be parsed is a 400 page.
func formOf(c echo.Context) (url.Values, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, httpx.BadRequest("Formulaire illisible.", "Unreadable form.").Wrap(err)
	}
	return form, nil
}
