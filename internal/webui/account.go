package webui

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// accountRoutes are the pages of a person's own account: the links of the
// invitation and reset messages (open to anyone holding the link), "Mot de
// passe oublié", and "Mon compte" (password change, sign out everywhere).
func (ui *UI) accountRoutes(g *echo.Group) {
	g.GET("/account/forgot", ui.forgotForm)
	g.POST("/account/forgot", ui.forgot)
	g.GET("/account/activate", ui.tokenForm(auth.PurposeInvitation))
	g.POST("/account/activate", ui.tokenSubmit(auth.PurposeInvitation))
	g.GET("/account/reset", ui.tokenForm(auth.PurposeReset))
	g.POST("/account/reset", ui.tokenSubmit(auth.PurposeReset))
	me := g.Group("/account", ui.require())
	me.GET("", ui.accountPage)
	me.POST("/password", ui.changePassword)
	me.POST("/logout-all", ui.logoutAll)
	me.POST("/totp", ui.totpEnrol, ui.require(auth.TOTPRoles()...))
	me.POST("/totp/confirm", ui.totpConfirm, ui.require(auth.TOTPRoles()...))
	me.POST("/totp/disable", ui.totpDisable, ui.require(auth.TOTPRoles()...))
}

type forgotData struct{ Sent bool }

func (ui *UI) forgotForm(c echo.Context) error {
	p := ui.newPage(c, "Mot de passe oublié", "Forgotten password")
	p.Data = forgotData{}
	return ui.render(c, http.StatusOK, "account/forgot", p)
}

// forgot answers the same page whatever the address: it never tells whether
// an account exists.
func (ui *UI) forgot(c echo.Context) error {
	p := ui.newPage(c, "Mot de passe oublié", "Forgotten password")
	email := strings.TrimSpace(c.FormValue("email"))
	p.Form = url.Values{"email": {email}}
	if email == "" || !strings.Contains(email, "@") {
		p.Errors = map[string]string{"email": p.L("Indiquez l'adresse électronique de votre compte.", "Enter your account's email address.")}
		p.FormError = p.T("form.invalid")
		p.Data = forgotData{}
		return ui.render(c, http.StatusUnprocessableEntity, "account/forgot", p)
	}
	if err := ui.Auth.RequestReset(c.Request().Context(), email, c.RealIP()); err != nil {
		return err
	}
	p.Data = forgotData{Sent: true}
	return ui.render(c, http.StatusOK, "account/forgot", p)
}

type tokenData struct {
	Purpose string // invitation or reset
	Token   string
	Invalid bool // the link was used, expired or made up
}

func (d tokenData) Action() string {
	if d.Purpose == auth.PurposeInvitation {
		return "/account/activate"
	}
	return "/account/reset"
}

func tokenTitle(purpose string) (string, string) {
	if purpose == auth.PurposeInvitation {
		return "Activer mon compte", "Activate my account"
	}
	return "Choisir un nouveau mot de passe", "Choose a new password"
}

func (ui *UI) tokenForm(purpose string) echo.HandlerFunc {
	return func(c echo.Context) error {
		fr, en := tokenTitle(purpose)
		p := ui.newPage(c, fr, en)
		p.Data = tokenData{Purpose: purpose, Token: c.QueryParam("token")}
		return ui.render(c, http.StatusOK, "account/password", p)
	}
}

func (ui *UI) tokenSubmit(purpose string) echo.HandlerFunc {
	return func(c echo.Context) error {
		fr, en := tokenTitle(purpose)
		p := ui.newPage(c, fr, en)
		d := tokenData{Purpose: purpose, Token: c.FormValue("token")}
		pw, again := c.FormValue("password"), c.FormValue("password_again")
		if pw != again {
			p.Errors = map[string]string{"password_again": p.L("Les deux saisies diffèrent.", "The two entries differ.")}
			p.FormError, p.Data = p.T("form.invalid"), d
			return ui.render(c, http.StatusUnprocessableEntity, "account/password", p)
		}
		var err error
		if purpose == auth.PurposeInvitation {
			err = ui.Auth.Activate(c.Request().Context(), d.Token, pw)
		} else {
			err = ui.Auth.ConfirmReset(c.Request().Context(), d.Token, pw)
		}
		if pr, ok := httpx.AsProblem(err); ok && pr.Code == "invalid_token" {
			d.Invalid = true
			p.Data = d
			return ui.render(c, http.StatusBadRequest, "account/password", p)
		}
		if err != nil {
			if !p.formProblem(err, map[string]field{"password": {name: "password"}}) {
				return err
			}
			p.Data = d
			return ui.render(c, http.StatusUnprocessableEntity, "account/password", p)
		}
		msg := p.L("Votre compte est activé : connectez-vous avec votre nouveau mot de passe.",
			"Your account is active: sign in with your new password.")
		if purpose == auth.PurposeReset {
			msg = p.L("Votre mot de passe est changé et vos sessions sont fermées : connectez-vous.",
				"Your password is changed and your sessions are closed: sign in.")
		}
		c.SetCookie(ui.cookie(sessionCookie, "", -1))
		return ui.redirect(c, "/login", msg)
	}
}

func (ui *UI) accountPage(c echo.Context) error {
	p := ui.newPage(c, "Mon compte", "My account")
	sec, err := ui.security(c, p)
	if err != nil {
		return err
	}
	p.Data = accountData{Security: sec}
	return ui.render(c, http.StatusOK, "account/account", p)
}

func (ui *UI) changePassword(c echo.Context) error {
	p := ui.newPage(c, "Mon compte", "My account")
	cur, next, again := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("new_password_again")
	if next != again {
		p.Errors = map[string]string{"new_password_again": p.L("Les deux saisies diffèrent.", "The two entries differ.")}
		p.FormError = p.T("form.invalid")
		sec, err := ui.security(c, p)
		if err != nil {
			return err
		}
		p.Data = accountData{Security: sec}
		return ui.render(c, http.StatusUnprocessableEntity, "account/account", p)
	}
	tok, _ := c.Get(tokenKey).(string)
	err := ui.Auth.ChangePassword(c.Request().Context(), auth.Caller(c), cur, next, tok)
	if err != nil {
		if !p.formProblem(err, nil) {
			return err
		}
		sec, serr := ui.security(c, p)
		if serr != nil {
			return serr
		}
		p.Data = accountData{Security: sec}
		return ui.render(c, http.StatusUnprocessableEntity, "account/account", p)
	}
	return ui.redirect(c, "/account", p.L("Mot de passe changé. Vos autres sessions sont fermées.", "Password changed. Your other sessions are closed."))
}

func (ui *UI) logoutAll(c echo.Context) error {
	if err := ui.Auth.LogoutAll(c.Request().Context(), auth.Caller(c)); err != nil {
		return err
	}
	c.SetCookie(ui.cookie(sessionCookie, "", -1))
	p := ui.newPage(c, "", "")
	return ui.redirect(c, "/login", p.L("Toutes vos sessions sont fermées, sur tous vos appareils.", "All your sessions are closed, on every device."))
}

type securityData struct {
	Enabled       bool
	Enrolment     *auth.Enrolment
	QR            template.URL // data: URI of the enrolment's QR code
	RecoveryCodes []string
}

// security is the second factor's part of « Mon compte », for the roles
// that have one.
func (ui *UI) security(c echo.Context, p *page) (*securityData, error) {
	u := auth.Caller(c)
	if !u.Is(auth.TOTPRoles()...) {
		return nil, nil
	}
	on, err := ui.Auth.TOTPEnabled(c.Request().Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return &securityData{Enabled: on}, nil
}

func (ui *UI) totpEnrol(c echo.Context) error {
	p := ui.newPage(c, "Mon compte", "My account")
	e, err := ui.Auth.EnrolTOTP(c.Request().Context(), auth.Caller(c))
	if err != nil {
		return err
	}
	png, err := certificates.QRPNG(e.URL)
	if err != nil {
		return err
	}
	p.Data = accountData{Security: &securityData{Enrolment: &e,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}}
	return ui.render(c, http.StatusOK, "account/account", p)
}

func (ui *UI) totpConfirm(c echo.Context) error {
	p := ui.newPage(c, "Mon compte", "My account")
	codes, err := ui.Auth.ConfirmTOTP(c.Request().Context(), auth.Caller(c), c.FormValue("code"))
	if err != nil {
		if !p.formProblem(err, nil) {
			return err
		}
		p.Data = accountData{Security: &securityData{}}
		return ui.render(c, http.StatusUnprocessableEntity, "account/account", p)
	}
	p.Data = accountData{Security: &securityData{Enabled: true, RecoveryCodes: codes}}
	return ui.render(c, http.StatusOK, "account/account", p)
}

func (ui *UI) totpDisable(c echo.Context) error {
	p := ui.newPage(c, "Mon compte", "My account")
	if err := ui.Auth.DisableTOTP(c.Request().Context(), auth.Caller(c), c.FormValue("password")); err != nil {
		if !p.formProblem(err, nil) {
			return err
		}
		p.Data = accountData{Security: &securityData{Enabled: true}}
		return ui.render(c, http.StatusUnprocessableEntity, "account/account", p)
	}
	return ui.redirect(c, "/account", p.L("Double authentification désactivée.", "Two-factor authentication turned off."))
}

type accountData struct {
	Security *securityData
}
