package webui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/labstack/echo/v4"
)

// userRoutes are the administrators' pages for accounts: search, invite,
// resend an invitation, disable or enable, change the role, link a
// candidate record. Every change goes through auth.Service, audited.
func (ui *UI) userRoutes(admin *echo.Group) {
	admin.GET("/users", ui.userList)
	admin.POST("/users", ui.userInvite)
	admin.GET("/users/:id", ui.userShow)
	admin.POST("/users/:id", ui.userUpdate)
	admin.POST("/users/:id/invitation", ui.userResend)
	admin.POST("/users/:id/unlock", ui.userUnlock)
}

type usersData struct {
	Rows       []auth.User
	Q, Role    string
	Roles      []option
	Next, Page string
}

func (ui *UI) roleOptions(p *page) []option {
	var out []option
	for _, r := range auth.Roles {
		out = append(out, option{r, p.T("role." + r)})
	}
	return out
}

func (ui *UI) userList(c echo.Context) error {
	p := ui.newPage(c, "Comptes", "Accounts")
	d := usersData{Q: strings.TrimSpace(c.QueryParam("q")), Role: c.QueryParam("role"), Roles: ui.roleOptions(p)}
	valid := false
	for _, r := range auth.Roles {
		valid = valid || r == d.Role
	}
	if !valid {
		d.Role = ""
	}
	rows, next, err := ui.Auth.Search(c.Request().Context(), auth.UserQuery{Q: d.Q, Role: d.Role, After: c.QueryParam("after"), Limit: 50})
	if err != nil {
		return err
	}
	d.Rows, d.Next = rows, next
	if p.Form == nil {
		p.Form = url.Values{"role": {"jury"}}
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/users", p)
}

// userInvite creates an account without a password: the person receives
// the invitation and chooses it.
func (ui *UI) userInvite(c echo.Context) error {
	form, _ := c.FormParams()
	in := auth.NewUser{Email: form.Get("email"), Name: strings.TrimSpace(form.Get("name")), Role: form.Get("role"),
		Organisation: form.Get("organisation"), Gender: form.Get("gender")}
	if cid := strings.TrimSpace(form.Get("candidate_id")); cid != "" {
		in.CandidateID = &cid
	}
	p := ui.newPage(c, "Comptes", "Accounts")
	err := ui.validate.Validate(in)
	if err == nil {
		_, err = ui.Auth.CreateUser(c.Request().Context(), auth.Caller(c).ID, in)
	}
	if err != nil {
		if !p.formProblem(err, nil) {
			return err
		}
		p.Form = form
		rows, next, serr := ui.Auth.Search(c.Request().Context(), auth.UserQuery{Limit: 50})
		if serr != nil {
			return serr
		}
		p.Data = usersData{Rows: rows, Next: next, Roles: ui.roleOptions(p)}
		return ui.render(c, http.StatusUnprocessableEntity, "admin/users", p)
	}
	return ui.redirect(c, "/admin/users", p.L("Invitation envoyée à ", "Invitation sent to ")+auth.NormaliseEmail(in.Email)+".")
}

type userData struct {
	U     auth.User
	Roles []option
	Self  bool
}

func (ui *UI) userShow(c echo.Context) error {
	p := ui.newPage(c, "Compte", "Account")
	u, err := ui.Auth.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	p.Data = userData{U: u, Roles: ui.roleOptions(p), Self: u.ID == auth.Caller(c).ID}
	if p.Form == nil {
		cid := ""
		if u.CandidateID != nil {
			cid = *u.CandidateID
		}
		p.Form = url.Values{"name": {u.Name}, "role": {u.Role}, "organisation": {u.Organisation}, "candidate_id": {cid}}
	}
	return ui.render(c, http.StatusOK, "admin/user", p)
}

func (ui *UI) userUpdate(c echo.Context) error {
	form, _ := c.FormParams()
	id := c.Param("id")
	ch := auth.UserChange{}
	switch form.Get("action") {
	case "disable", "enable":
		v := form.Get("action") == "disable"
		ch.Disabled = &v
	default:
		name, role, org, cid := strings.TrimSpace(form.Get("name")), form.Get("role"), form.Get("organisation"), strings.TrimSpace(form.Get("candidate_id"))
		ch.Name, ch.Role, ch.Organisation, ch.CandidateID = &name, &role, &org, &cid
	}
	p := ui.newPage(c, "Compte", "Account")
	err := ui.validate.Validate(ch)
	if err == nil {
		_, err = ui.Auth.UpdateUser(c.Request().Context(), auth.Caller(c), id, ch)
	}
	if err != nil {
		if !p.formProblem(err, nil) {
			return err
		}
		u, gerr := ui.Auth.Get(c.Request().Context(), id)
		if gerr != nil {
			return gerr
		}
		p.Form = form
		p.Data = userData{U: u, Roles: ui.roleOptions(p), Self: u.ID == auth.Caller(c).ID}
		return ui.render(c, http.StatusUnprocessableEntity, "admin/user", p)
	}
	return ui.redirect(c, "/admin/users/"+id, p.L("Compte modifié.", "Account changed."))
}

// userUnlock lifts the login delays someone's guesses put on the account.
func (ui *UI) userUnlock(c echo.Context) error {
	p := ui.newPage(c, "", "")
	if err := ui.Auth.Unlock(c.Request().Context(), auth.Caller(c).ID, c.Param("id")); err != nil {
		return err
	}
	return ui.redirect(c, "/admin/users/"+c.Param("id"), p.L("Délais de connexion levés : la personne peut se connecter dès maintenant.",
		"Login delays lifted: the person can sign in now."))
}

func (ui *UI) userResend(c echo.Context) error {
	p := ui.newPage(c, "", "")
	if err := ui.Auth.ResendInvitation(c.Request().Context(), auth.Caller(c).ID, c.Param("id")); err != nil {
		return err
	}
	return ui.redirect(c, "/admin/users/"+c.Param("id"), p.L("Nouvelle invitation envoyée ; la précédente ne vaut plus.",
		"New invitation sent; the previous one no longer works."))
}
