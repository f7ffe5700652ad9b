package webui

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ancr/cqp/internal/accrochage"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// accrochageRow is a certificate on the SI CPF page.
type accrochageRow struct {
	accrochage.Entry
	Title   string
	Missing string // the fields to complete, in words
	Late    bool   // past the three months
	Soon    bool   // the reminder's day has come
}

type accrochageData struct {
	Settings    accrochage.Settings
	ToSend      []accrochageRow
	Ready       int
	Sent        []accrochageRow
	Flows       []accrochage.SentFlow
	From, To    string
	HasSettings bool
}

func (ui *UI) accrochageRoutes(admin *echo.Group) {
	admin.GET("/accrochage", ui.accrochagePage)
	admin.POST("/accrochage/settings", ui.accrochageSettings)
	admin.POST("/accrochage/flow", ui.accrochageFlow)
	admin.GET("/accrochage/schema.xsd", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/xml; charset=utf-8", accrochage.XSD)
	})
}

// accrochagePage is the SI CPF page: the certifier's identifiers, the
// certificates to declare (those « à compléter » say what they lack), the
// form that writes a flow, and what was sent.
func (ui *UI) accrochagePage(c echo.Context) error {
	return ui.showAccrochage(c, ui.newPage(c, "SI CPF : déclaration des titulaires", "SI CPF: holders' declaration"), http.StatusOK)
}

func (ui *UI) showAccrochage(c echo.Context, p *page, status int) error {
	o, err := ui.Accrochage.Overview(c.Request().Context())
	if err != nil {
		return err
	}
	d := accrochageData{Settings: o.Settings, Flows: o.Flows, HasSettings: o.Settings.IDClient != ""}
	row := func(e accrochage.Entry) accrochageRow {
		r := accrochageRow{Entry: e, Title: e.Certification}
		if cert, ok := ui.Referential.Certification(e.Certification); ok {
			r.Title = cert.Title
		}
		var names []string
		for _, f := range e.Missing {
			names = append(names, p.T("identity."+f))
		}
		r.Missing = strings.Join(names, ", ")
		r.Late = e.SentAt == nil && p.Today.After(e.DueOn)
		r.Soon = e.SentAt == nil && !p.Today.Before(accrochage.RemindOn(e.IssuedOn))
		return r
	}
	for _, e := range o.ToSend {
		r := row(e)
		if r.Missing == "" {
			d.Ready++
		}
		d.ToSend = append(d.ToSend, r)
	}
	for _, e := range o.Sent {
		d.Sent = append(d.Sent, row(e))
	}
	p.Data = d
	return ui.render(c, status, "admin/accrochage", p)
}

func (ui *UI) accrochageSettings(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "SI CPF : déclaration des titulaires", "SI CPF: holders' declaration")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	_, err = ui.Accrochage.SaveSettings(c.Request().Context(), actor,
		accrochage.SettingsInput{IDClient: form.Get("id_client"), IDContrat: form.Get("id_contrat")})
	if err == nil {
		return ui.redirect(c, "/admin/accrochage", p.L("Identifiants enregistrés.", "Identifiers saved."))
	}
	if !p.formProblem(err, nil) {
		return err
	}
	return ui.showAccrochage(c, p, formStatus(err))
}

// accrochageFlow writes a flow for the period and sends it as a file to
// deposit on the Caisse des Dépôts' portal. A POST: each flow is recorded
// as sent.
func (ui *UI) accrochageFlow(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "SI CPF : déclaration des titulaires", "SI CPF: holders' declaration")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	var bad []httpx.FieldError
	date := func(name string) civil.Date { // empty: that end of the period stays open
		v := strings.TrimSpace(form.Get(name))
		if v == "" {
			return civil.Date{}
		}
		d, err := parseFormDate(v)
		if err != nil {
			bad = append(bad, httpx.Field(name, "Date invalide : JJ/MM/AAAA ou AAAA-MM-JJ.", "Invalid date: DD/MM/YYYY or YYYY-MM-DD."))
		}
		return d
	}
	from, to := date("from"), date("to")
	if len(bad) == 0 {
		f, _, err := ui.Accrochage.Export(c.Request().Context(), actor, from, to)
		if err == nil {
			h := c.Response().Header()
			h.Set(echo.HeaderContentType, "application/xml; charset=utf-8")
			h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="cdc-accrochage-%s.xml"`, f.ID))
			h.Set("Cache-Control", "no-store")
			c.Response().WriteHeader(http.StatusOK)
			if err := accrochage.Write(c.Response(), f); err != nil {
				c.Logger().Error(err)
			}
			return nil
		}
		if !p.formProblem(err, nil) {
			return err
		}
		return ui.showAccrochage(c, p, formStatus(err))
	}
	p.formProblem(httpx.Invalid(bad...), nil)
	return ui.showAccrochage(c, p, http.StatusUnprocessableEntity)
}
