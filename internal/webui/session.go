package webui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// Cookies. The session cookie holds an auth token, the same kind the API
// takes as a bearer token, so a session is revoked like a token.
const (
	sessionCookie = "cqp_session"
	anonCookie    = "cqp_csrf" // the CSRF secret of a visitor not yet signed in
	flashCookie   = "cqp_flash"
	langCookie    = "lang"

	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"

	tokenKey = "webui.token"
	csrfKey  = "webui.csrf"
)

func (ui *UI) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: ui.Cfg.SecureCookie, SameSite: http.SameSiteLaxMode,
	}
}

// session reads the session cookie and, when its token is valid, puts the
// user in the context exactly as the API's bearer middleware does, so that
// the services apply the same role and ownership rules. An expired or
// revoked cookie is cleared.
func (ui *UI) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, err := ui.Auth.Authenticate(c.Request().Context(), ck.Value)
			switch {
			case err == nil:
				auth.SetUser(c, u)
				c.Set(tokenKey, ck.Value)
			case isStatus(err, http.StatusUnauthorized):
				c.SetCookie(ui.cookie(sessionCookie, "", -1))
			default:
				return err
			}
		}
		ensureCSRF(c, ui)
		return next(c)
	}
}

// ensureCSRF computes the request's CSRF token. Signed in, it is an HMAC of
// the session token: stable for the session, worthless without the cookie,
// and nothing to store. Signed out (the login form), it is a random secret
// in its own cookie, echoed by the form (double submit).
func ensureCSRF(c echo.Context, ui *UI) {
	if tok, ok := c.Get(tokenKey).(string); ok {
		c.Set(csrfKey, sessionCSRF(tok))
		return
	}
	if ck, err := c.Cookie(anonCookie); err == nil && len(ck.Value) == 43 {
		c.Set(csrfKey, ck.Value)
		return
	}
	v := randomToken()
	c.SetCookie(ui.cookie(anonCookie, v, 0))
	c.Set(csrfKey, v)
}

func sessionCSRF(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("cqp web form token v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func csrfToken(c echo.Context) string {
	s, _ := c.Get(csrfKey).(string)
	return s
}

// csrf refuses every state-changing request that is cross-origin (by
// Sec-Fetch-Site or Origin, Go's CrossOriginProtection) or that does not
// carry the form token in the _csrf field or the X-CSRF-Token header (htmx).
func (ui *UI) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := ui.xorg.Check(r); err != nil {
			return csrfProblem().Wrap(err)
		}
		got := r.Header.Get(csrfHeader)
		if got == "" {
			if err := multipartTooLarge(r); err != nil {
				return err
			}
			got = r.FormValue(csrfField)
		}
		want := csrfToken(c)
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return csrfProblem()
		}
		if err := cleanForm(r); err != nil {
			return err
		}
		return next(c)
	}
}

// cleanForm holds every posted form field to the text rule the JSON API
// follows (httpx.CleanText): NUL and control characters refused (a NUL
// reached PostgreSQL as a 500), text normalised to NFC, in place, before
// any handler reads the form.
func cleanForm(r *http.Request) error {
	ct := r.Header.Get(echo.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, echo.MIMEMultipartForm):
		if err := multipartTooLarge(r); err != nil {
			return err
		}
	case strings.HasPrefix(ct, echo.MIMEApplicationForm):
		if err := r.ParseForm(); err != nil {
			return httpx.BadRequest("Formulaire illisible.", "Unreadable form.").Wrap(err)
		}
	default:
		return nil
	}
	sets := []url.Values{r.Form, r.PostForm}
	if r.MultipartForm != nil {
		sets = append(sets, r.MultipartForm.Value)
	}
	for _, set := range sets {
		for k, vs := range set {
			if _, err := httpx.CleanText(k); err != nil {
				return formTextProblem(err)
			}
			for i, v := range vs {
				clean, err := httpx.CleanText(v)
				if err != nil {
					return formTextProblem(err)
				}
				vs[i] = clean
			}
		}
	}
	return nil
}

func formTextProblem(err error) *httpx.Problem {
	return httpx.BadRequest("Le formulaire contient un caractère interdit (caractère nul ou de contrôle) : retirez-le puis envoyez à nouveau.",
		"The form holds a forbidden character (NUL or control character): remove it and send again.").Wrap(err)
}

// multipartTooLarge reads a multipart form (FormValue would hide why it
// failed) and reports a body cut by the size limit as such, not as a
// missing token.
func multipartTooLarge(r *http.Request) error {
	if !strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		return nil
	}
	var tooBig *http.MaxBytesError
	if err := r.ParseMultipartForm(32 << 20); errors.As(err, &tooBig) {
		return httpx.New(http.StatusRequestEntityTooLarge, "too_large",
			"Le fichier dépasse la taille autorisée.", "The file exceeds the size limit.")
	}
	return nil
}

func csrfProblem() *httpx.Problem {
	return httpx.New(http.StatusForbidden, "csrf", messages["err.csrf"][0], messages["err.csrf"][1])
}

// require lets through signed-in users of one of the roles (any role when
// none is given). Others: to the login page when signed out, a 403 page
// when the role does not fit.
func (ui *UI) require(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := auth.UserFrom(c)
			if !ok {
				return httpx.Unauthorized("Connectez-vous pour continuer.", "Sign in to continue.")
			}
			if len(roles) > 0 && !u.Is(roles...) {
				return httpx.Forbidden(messages["err.403"][0], messages["err.403"][1])
			}
			return next(c)
		}
	}
}

// setFlash leaves a one-line message for the next page (post/redirect/get).
func setFlash(c echo.Context, secure bool, msg string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads the message and clears it.
func takeFlash(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: ck.Secure, SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(ck.Value)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

// safeNext keeps a post-login target on this site: a local path, never
// "//host" or "/\host", which browsers read as another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

// loginForm shows the sign-in page (or goes home when already signed in).
func (ui *UI) loginForm(c echo.Context) error {
	if u, ok := auth.UserFrom(c); ok {
		return c.Redirect(http.StatusSeeOther, homeOf(u))
	}
	p := ui.newPage(c, "Connexion", "Sign in")
	p.Form = url.Values{"next": {safeNext(c.QueryParam("next"))}}
	return ui.render(c, http.StatusOK, "login", p)
}

type loginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	OTP      string `form:"otp"`
	Next     string `form:"next"`
}

// login checks the credentials through auth.Service.Login (throttled, timing
// safe), revokes the session it replaces and sets a new cookie: the token
// changes at every sign-in, so a planted cookie is worth nothing.
func (ui *UI) login(c echo.Context) error {
	var f loginForm
	if err := c.Bind(&f); err != nil {
		return httpx.BadRequest("Formulaire illisible.", "Unreadable form.")
	}
	p := ui.newPage(c, "Connexion", "Sign in")
	p.Form = url.Values{"email": {f.Email}, "next": {safeNext(f.Next)}}
	errs := map[string]string{}
	if strings.TrimSpace(f.Email) == "" {
		errs["email"] = p.L("Indiquez votre adresse électronique.", "Enter your email address.")
	}
	if f.Password == "" {
		errs["password"] = p.L("Indiquez votre mot de passe.", "Enter your password.")
	}
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, p.T("form.invalid")
		return ui.render(c, http.StatusUnprocessableEntity, "login", p)
	}
	sess, err := ui.Auth.Login(c.Request().Context(), f.Email, f.Password, f.OTP, c.RealIP())
	if err != nil {
		pr, ok := httpx.AsProblem(err)
		if !ok || pr.Status >= 500 {
			return err
		}
		p.FormError = p.L(pr.FR, pr.EN)
		if pr.Code == "otp_required" || pr.Code == "otp_invalid" {
			// The second step: the same form, with the code's field. The
			// password is typed again (it is never written into a page).
			p.Form.Set("otp_step", "1")
		}
		return ui.render(c, pr.Status, "login", p)
	}
	if old, ok := c.Get(tokenKey).(string); ok {
		if err := ui.Auth.Logout(c.Request().Context(), old); err != nil {
			return err
		}
	}
	maxAge := int(sess.ExpiresAt.Sub(ui.Now()) / time.Second)
	c.SetCookie(ui.cookie(sessionCookie, sess.Token, maxAge))
	c.SetCookie(ui.cookie(anonCookie, "", -1))
	target := safeNext(f.Next)
	if target == "" {
		target = homeOf(sess.User)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// logout revokes the token and clears the cookie.
func (ui *UI) logout(c echo.Context) error {
	if tok, ok := c.Get(tokenKey).(string); ok {
		if err := ui.Auth.Logout(c.Request().Context(), tok); err != nil {
			return err
		}
	}
	c.SetCookie(ui.cookie(sessionCookie, "", -1))
	setFlash(c, ui.Cfg.SecureCookie, translate(httpx.Lang(c), "auth.signedout"))
	return c.Redirect(http.StatusSeeOther, "/login")
}

// switchLang stores the language choice for a year and returns to the page.
func (ui *UI) switchLang(c echo.Context) error {
	lang := c.Param("lang")
	if lang != "fr" && lang != "en" {
		return httpx.NotFound("Langue inconnue.", "Unknown language.")
	}
	ck := ui.cookie(langCookie, lang, 365*24*3600)
	ck.HttpOnly = false
	c.SetCookie(ck)
	if u, ok := auth.UserFrom(c); ok {
		// The person's messages follow the language they read the pages in.
		if err := ui.Auth.SetLocale(c.Request().Context(), u.ID, lang); err != nil {
			return err
		}
	}
	next := safeNext(c.QueryParam("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func isStatus(err error, status int) bool {
	p, ok := httpx.AsProblem(err)
	return ok && p.Status == status
}
