// Package httpx is the HTTP foundation shared by every feature: the Echo
// server and its middleware, RFC 9457 problem+json errors with French and
// English messages, request binding and validation, pagination cursors.
// It knows no domain word.
package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Problem is an error that the error handler renders as application/problem+json.
// Domain code returns these (through the constructors below) and never writes
// status codes itself.
type Problem struct {
	Status int
	Code   string // stable machine word: validation, not_found, conflict, …
	FR, EN string // the detail, in both languages
	Fields []FieldError
	Err    error // the cause, logged, never shown
	// RetryAfter, in seconds, is sent as Retry-After (503, 429).
	RetryAfter int
}

// FieldError is one field's problem, in both languages; the response carries
// the caller's language.
type FieldError struct {
	Field  string
	FR, EN string
}

func (p *Problem) Error() string {
	s := fmt.Sprintf("%d %s: %s", p.Status, p.Code, p.EN)
	if p.Err != nil {
		s += ": " + p.Err.Error()
	}
	return s
}

func (p *Problem) Unwrap() error { return p.Err }

// Wrap attaches the cause (for the log) and returns p.
func (p *Problem) Wrap(err error) *Problem { p.Err = err; return p }

// New builds a Problem.
func New(status int, code, fr, en string, fields ...FieldError) *Problem {
	return &Problem{Status: status, Code: code, FR: fr, EN: en, Fields: fields}
}

// Unavailable is the 503 of a database that does not answer: the client
// may retry shortly (CONTRACT: 503 unavailable with Retry-After, never 500).
func Unavailable(cause error) *Problem {
	p := New(http.StatusServiceUnavailable, "unavailable",
		"Le service est momentanément indisponible : réessayez dans quelques secondes.",
		"The service is briefly unavailable: try again in a few seconds.").Wrap(cause)
	p.RetryAfter = 5
	return p
}

// Field is a FieldError.
func Field(field, fr, en string) FieldError { return FieldError{Field: field, FR: fr, EN: en} }

func BadRequest(fr, en string) *Problem { return New(http.StatusBadRequest, "bad_request", fr, en) }
func Unauthorized(fr, en string) *Problem {
	return New(http.StatusUnauthorized, "unauthorized", fr, en)
}
func Forbidden(fr, en string) *Problem { return New(http.StatusForbidden, "forbidden", fr, en) }
func NotFound(fr, en string) *Problem  { return New(http.StatusNotFound, "not_found", fr, en) }
func Conflict(code, fr, en string) *Problem {
	return New(http.StatusConflict, code, fr, en)
}

// Unprocessable is a valid request that breaks a rule (422).
func Unprocessable(code, fr, en string, fields ...FieldError) *Problem {
	return New(http.StatusUnprocessableEntity, code, fr, en, fields...)
}

// Invalid is a 422 "validation" problem listing field errors.
func Invalid(fields ...FieldError) *Problem {
	return Unprocessable("validation", "La requête contient des champs invalides.",
		"The request has invalid fields.", fields...)
}

// AsProblem finds a Problem in err's chain.
func AsProblem(err error) (*Problem, bool) {
	var p *Problem
	ok := errors.As(err, &p)
	return p, ok
}

// problemBody is the wire form of the API contract ("Errors", see the OpenAPI document).
type problemBody struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail"`
	Code     string         `json:"code"`
	Errors   []fieldMessage `json:"errors"`
	Instance string         `json:"instance,omitempty"`
}

type fieldMessage struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

var frenchTitles = map[int]string{
	400: "Requête invalide", 401: "Authentification requise", 403: "Accès refusé",
	404: "Ressource introuvable", 405: "Méthode non autorisée", 409: "Conflit",
	413: "Contenu trop volumineux", 415: "Type de contenu non pris en charge",
	422: "Règle non respectée", 429: "Trop de requêtes", 500: "Erreur interne",
	503: "Service indisponible",
}

func (p *Problem) body(lang, instance string) problemBody {
	title := http.StatusText(p.Status)
	detail := p.EN
	if lang == "fr" {
		if t, ok := frenchTitles[p.Status]; ok {
			title = t
		}
		detail = p.FR
	}
	b := problemBody{
		Type:   "urn:cqp:problem:" + p.Code,
		Title:  title,
		Status: p.Status,
		Detail: detail,
		Code:   p.Code,
		Errors: make([]fieldMessage, 0, len(p.Fields)),
	}
	b.Instance = instance
	for _, f := range p.Fields {
		m := f.EN
		if lang == "fr" {
			m = f.FR
		}
		b.Errors = append(b.Errors, fieldMessage{Field: f.Field, Message: m})
	}
	return b
}

// Lang is the caller's language: "fr" (the default) or "en", from the
// ?lang= parameter, the lang cookie, then Accept-Language.
func Lang(c echo.Context) string {
	if l := c.QueryParam("lang"); l == "en" || l == "fr" {
		return l
	}
	if ck, err := c.Cookie("lang"); err == nil && (ck.Value == "en" || ck.Value == "fr") {
		return ck.Value
	}
	return LangFromHeader(c.Request().Header.Get("Accept-Language"))
}

// LangFromHeader picks fr or en from an Accept-Language header, honouring the
// order given (q-values are in practice sorted by browsers).
func LangFromHeader(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "fr"):
			return "fr"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "fr"
}
