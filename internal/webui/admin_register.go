package webui

import (
	"net/http"
	"strings"

	"github.com/ancr/cqp/internal/certificates"
	"github.com/labstack/echo/v4"
)

var registerStatuses = map[string][2]string{
	certificates.StatusValid:      {"Valide", "Valid"},
	certificates.StatusRevoked:    {"Révoqué", "Revoked"},
	certificates.StatusSuperseded: {"Remplacé", "Superseded"},
}

var registerKinds = map[string][2]string{
	certificates.KindCertificate: {"Certificat (CQP)", "Certificate (CQP)"},
	certificates.KindAttestation: {"Attestation de validation partielle", "Partial validation attestation"},
}

type registerData struct {
	Page             certificates.RegisterPage
	Q, Status, Kind  string
	Statuses, Kinds  []option
	Next             string
	StatusOf, KindOf func(string) string
	TitleOf          func(string) string
}

// registerList is the certifier's register: every document issued, found
// by its number typed any way or by its holder, newest first.
func (ui *UI) registerList(c echo.Context) error {
	p := ui.newPage(c, "Registre des certificats", "Certificate register")
	d := registerData{Q: strings.TrimSpace(c.QueryParam("q")), Status: c.QueryParam("status"), Kind: c.QueryParam("kind"),
		StatusOf: labelOf(p, registerStatuses), KindOf: labelOf(p, registerKinds)}
	d.TitleOf = func(code string) string {
		if cert, ok := ui.Referential.Certification(code); ok {
			return cert.Title
		}
		return code
	}
	if _, ok := registerStatuses[d.Status]; !ok {
		d.Status = ""
	}
	if _, ok := registerKinds[d.Kind]; !ok {
		d.Kind = ""
	}
	for _, s := range []string{certificates.StatusValid, certificates.StatusRevoked, certificates.StatusSuperseded} {
		d.Statuses = append(d.Statuses, option{s, d.StatusOf(s)})
	}
	for _, k := range []string{certificates.KindCertificate, certificates.KindAttestation} {
		d.Kinds = append(d.Kinds, option{k, d.KindOf(k)})
	}
	page, err := ui.Certificates.Register(c.Request().Context(), certificates.RegisterQuery{Q: d.Q, Status: d.Status, Kind: d.Kind,
		After: c.QueryParam("after"), Limit: 50})
	if err != nil {
		return err
	}
	d.Page, d.Next = page, page.Next()
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/register", p)
}
