package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// certificateRoutes registers the pages over the certificates service:
// issuance and revocation from the candidate's page, the holder's list,
// the PDF download and the public verification page of the QR codes.
func (ui *UI) certificateRoutes(g *echo.Group) {
	admin := g.Group("/admin", ui.require(auth.RoleAdmin))
	admin.POST("/candidates/:id/certificates", ui.certificateIssue)
	admin.POST("/candidates/:id/certificates/:number/revoke", ui.certificateRevoke)

	// The service answers 404 to anyone but an administrator or the holder.
	g.GET("/documents/:number/pdf", ui.certificatePDF, ui.require(auth.RoleAdmin, auth.RoleCandidate))
	g.GET("/training/documents", ui.myCertificates, ui.require(auth.RoleCandidate))

	// Same path and same rate limit as before the web interface had it: the
	// QR codes already printed point here.
	g.GET("/verify/:number", ui.verifyPage, ui.Certificates.VerifyLimit())
	g.GET("/verify", ui.verifyForm)
}

// verifyForm is where anyone types the number printed on a document; the
// check itself is the number's page.
func (ui *UI) verifyForm(c echo.Context) error {
	if n := strings.TrimSpace(c.QueryParam("number")); n != "" {
		return c.Redirect(http.StatusSeeOther, "/verify/"+url.PathEscape(n))
	}
	p := ui.newPage(c, "Vérification d'un document", "Document verification")
	p.Data = verifyData{Form: true}
	return ui.render(c, http.StatusOK, "verify", p)
}

// docRow is a document on a list, with its certification's title.
type docRow struct {
	Number, Kind, Certification, Title string
	IssuedOn                           civil.Date
	RevokedAt                          *time.Time
	Reason                             string
	Superseded                         bool
}

func (r docRow) Revoked() bool { return r.RevokedAt != nil }

func (ui *UI) docRows(ctx context.Context, actor auth.User, candidateID string) ([]docRow, error) {
	rs, err := ui.Certificates.List(ctx, actor, candidateID)
	if err != nil {
		return nil, err
	}
	rows := make([]docRow, 0, len(rs))
	for _, r := range rs {
		row := docRow{Number: r.Number, Kind: r.Kind, Certification: r.Certification, Title: r.Certification,
			IssuedOn: r.IssuedOn, RevokedAt: r.RevokedAt, Reason: r.RevocationReason, Superseded: r.SupersededBy != nil}
		if cert, ok := ui.Referential.Certification(r.Certification); ok {
			row.Title = cert.Title
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// certificateIssue makes the document the candidate is entitled to for one
// of their certifications: the rules (certificate or partial attestation,
// same document when nothing changed) are the service's.
func (ui *UI) certificateIssue(c echo.Context) error {
	actor, id, p, form, err := ui.candidateForm(c)
	if err != nil {
		return err
	}
	cert := form.Get("issue_certification")
	if cert == "" {
		err = httpx.Invalid(httpx.Field("issue_certification", "Choisissez la certification.", "Choose the certification."))
	} else if _, err = ui.Candidates.Get(c.Request().Context(), actor, id); err == nil {
		var res certificates.Issued
		if res, err = ui.Certificates.Issue(c.Request().Context(), actor.ID, id, cert); err == nil {
			msg := p.L("Document délivré : n° ", "Document issued: no. ") + res.Record.Number
			if !res.Created {
				msg = p.L("Rien n'a changé depuis le document n° ", "Nothing changed since document no. ") + res.Record.Number +
					p.L(" : il reste valable.", ": it stays valid.")
			}
			return ui.redirect(c, "/admin/candidates/"+url.PathEscape(id), msg)
		}
	}
	if !p.formProblem(err, map[string]field{"certification": {"issue_certification", ""}}) {
		return err
	}
	return ui.showCandidate(c, p, formStatus(err))
}

// certificateRevoke revokes one of the candidate's documents; the reason is
// required and its error is shown next to that document's field.
func (ui *UI) certificateRevoke(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	id, number := c.Param("id"), c.Param("number")
	p := ui.newPage(c, "", "")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	p.Form.Set("revoke_number", number)
	rec, err := ui.Certificates.Get(ctx, actor, number)
	if err != nil {
		return err
	}
	if rec.CandidateID != id { // another candidate's document, through this one's page
		return httpx.NotFound("Document introuvable.", "Document not found.")
	}
	if strings.TrimSpace(form.Get("reason")) == "" {
		err = httpx.Invalid(httpx.Field("reason", "Indiquez le motif de la révocation.", "Give the reason for revocation."))
	} else if form.Get("confirm") != "yes" {
		// A revocation cannot be undone: the page asks once more, with the
		// document and the reason in full, before anything is written.
		p.Form.Set("confirm_revoke", number)
		return ui.showCandidate(c, p, http.StatusOK)
	} else if _, err = ui.Certificates.Revoke(ctx, actor.ID, number, form.Get("reason")); err == nil {
		return ui.redirect(c, "/admin/candidates/"+url.PathEscape(id), p.L("Document n° ", "Document no. ")+number+p.L(" révoqué.", " revoked."))
	}
	if !p.formProblem(err, nil) {
		return err
	}
	return ui.showCandidate(c, p, formStatus(err))
}

// certificatePDF downloads a document's PDF, drawn from its signed snapshot.
func (ui *UI) certificatePDF(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	number := c.Param("number")
	pdf, err := ui.Certificates.PDF(c.Request().Context(), actor, number)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+number+`.pdf"`)
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// myCertificates is the holder's list of documents.
func (ui *UI) myCertificates(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Mes certificats", "My certificates")
	var rows []docRow
	if actor.CandidateID != nil {
		var err error
		if rows, err = ui.docRows(c.Request().Context(), actor, *actor.CandidateID); err != nil {
			return err
		}
	}
	p.Data = rows
	return ui.render(c, http.StatusOK, "trainee/documents", p)
}

type verifyData struct {
	Number string
	Found  bool
	View   certificates.PublicView
	Form   bool // the form alone: no number asked yet
}

// verifyPage is the public check of a document by its number, for anyone
// (signed in or not) holding the paper or scanning its QR code: status,
// certification, dates, components, and of the holder only the first name
// and the initial of the last name.
func (ui *UI) verifyPage(c echo.Context) error {
	number := c.Param("number")
	p := ui.newPage(c, "Vérification d'un document", "Document verification")
	v, err := ui.Certificates.Public(c.Request().Context(), number)
	status := http.StatusOK
	if err != nil {
		if pr, ok := httpx.AsProblem(err); !ok || pr.Status != http.StatusNotFound {
			return err
		}
		status = http.StatusNotFound
	}
	p.Data = verifyData{Number: number, Found: err == nil, View: v}
	return ui.render(c, status, "verify", p)
}
