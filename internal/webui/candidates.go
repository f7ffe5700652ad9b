package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ancr/cqp/internal/accrochage"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
	"github.com/labstack/echo/v4"
)

// option is one <option> of a select.
type option struct{ Value, Label string }

type candidateListData struct {
	Q     string
	Items []candidates.Candidate
	Next  string
}

func (ui *UI) candidateList(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Candidats", "Candidates")
	q := strings.TrimSpace(c.QueryParam("q"))
	after := c.QueryParam("after")
	if len(after) > 36 {
		after = ""
	}
	items, next, err := ui.Candidates.List(c.Request().Context(), actor, candidates.ListQuery{Q: q, After: after, Limit: 50})
	if err != nil {
		return err
	}
	p.Data = candidateListData{Q: q, Items: items, Next: next}
	if p.HX && c.Request().Header.Get("HX-Target") == "results" {
		return ui.renderBlock(c, http.StatusOK, "admin/candidates", "results", p)
	}
	return ui.render(c, http.StatusOK, "admin/candidates", p)
}

func (ui *UI) candidateFieldMap(p *page) map[string]field {
	return map[string]field{
		"first_name":            {"first_name", p.T("cand.first_name")},
		"last_name":             {"last_name", p.T("cand.last_name")},
		"birth_date":            {"birth_date", p.T("cand.birth_date")},
		"email":                 {"email", p.T("cand.email")},
		"employer":              {"employer", p.T("cand.employer")},
		"training_organisation": {"training_organisation", p.T("cand.training_org")},
	}
}

func (ui *UI) candidateNew(c echo.Context) error {
	p := ui.newPage(c, "Nouveau candidat", "New candidate")
	return ui.render(c, http.StatusOK, "admin/candidate_new", p)
}

// candidateCreate records a candidate from the form; refusals are shown next
// to their fields and the form keeps what was typed.
func (ui *UI) candidateCreate(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Nouveau candidat", "New candidate")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	in := candidates.NewCandidate{
		FirstName: form.Get("first_name"), LastName: form.Get("last_name"), Email: strings.TrimSpace(form.Get("email")),
		Employer: form.Get("employer"), TrainingOrganisation: form.Get("training_organisation"),
	}
	var fields []httpx.FieldError
	if raw := strings.TrimSpace(form.Get("birth_date")); raw != "" {
		d, err := parseFormDate(raw)
		if err != nil {
			fields = append(fields, httpx.Field("birth_date", "Date invalide : utilisez le format JJ/MM/AAAA.", "Invalid date: use the format YYYY-MM-DD."))
		}
		in.BirthDate = d
	}
	err = ui.validate.Validate(in)
	if pr, ok := httpx.AsProblem(err); ok {
		for _, f := range pr.Fields {
			if f.Field == "birth_date" && len(fields) > 0 {
				continue
			}
			fields = append(fields, f)
		}
	} else if err != nil {
		return err
	}
	if len(fields) > 0 {
		err = httpx.Invalid(fields...)
	} else {
		var cand candidates.Candidate
		cand, err = ui.Candidates.Create(c.Request().Context(), actor, in)
		if err == nil {
			return ui.redirect(c, "/admin/candidates/"+cand.ID, p.T("cand.created"))
		}
	}
	if !p.formProblem(err, ui.candidateFieldMap(p)) {
		return err
	}
	return ui.render(c, formStatus(err), "admin/candidate_new", p)
}

// parseFormDate reads a date input: YYYY-MM-DD (what <input type=date>
// sends) or DD/MM/YYYY (what people type where the browser has no picker).
func parseFormDate(s string) (civil.Date, error) {
	s = strings.TrimSpace(s)
	if len(s) == 10 && s[2] == '/' && s[5] == '/' {
		s = s[6:] + "-" + s[3:5] + "-" + s[:2]
	}
	return civil.Parse(s)
}

type candidateShowData struct {
	Candidate   candidates.Candidate
	Enrollments []candidates.Enrollment
	Components  []componentRow
	Certs       []referential.Certification
	PathwayOpts []option
	CertOpts    []option
	// Documents and IssueOpts (the certifications the candidate is
	// enrolled in) are for administrators only, who issue and revoke.
	Documents []docRow
	IssueOpts []option
	SexOpts   []option
	// CertTitle names each certification by its title, not its code.
	CertTitle map[string]string
	// IdentityMissing names, for a holder of a document, the civil status
	// fields the SI CPF declaration still lacks.
	IdentityMissing string
}

// componentRow is a ledger line with its title.
type componentRow struct {
	candidates.ComponentStatus
	Title string
}

func (ui *UI) candidateShow(c echo.Context) error {
	return ui.showCandidate(c, nil, http.StatusOK)
}

// showCandidate renders a candidate's page; p, when given, carries an
// enrollment form re-shown with its errors.
func (ui *UI) showCandidate(c echo.Context, p *page, status int) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	cand, err := ui.Candidates.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if p == nil {
		p = ui.newPage(c, "", "")
	}
	p.Title = cand.FullName()
	d := candidateShowData{Candidate: cand, Certs: ui.Referential.Certifications()}
	if d.Enrollments, err = ui.Candidates.Enrollments(ctx, actor, id); err != nil {
		return err
	}
	if d.Components, err = ui.componentRows(ctx, id, p.Today); err != nil {
		return err
	}
	d.CertTitle = map[string]string{}
	for _, cert := range d.Certs {
		d.CertOpts = append(d.CertOpts, option{cert.Code, cert.Title})
		d.CertTitle[cert.Code] = cert.Title
	}
	if actor.Is(auth.RoleAdmin) {
		if d.Documents, err = ui.docRows(ctx, actor, id); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, e := range d.Enrollments {
			if seen[e.Certification] {
				continue
			}
			seen[e.Certification] = true
			label := e.Certification
			if cert, ok := ui.Referential.Certification(e.Certification); ok {
				label = cert.Title
			}
			d.IssueOpts = append(d.IssueOpts, option{e.Certification, label})
		}
	}
	for _, pw := range []string{"formation_continue", "contrat_professionnalisation", "vae"} {
		d.PathwayOpts = append(d.PathwayOpts, option{pw, p.T("pathway." + pw)})
	}
	d.SexOpts = []option{{"F", p.L("Femme", "Female")}, {"M", p.L("Homme", "Male")}}
	if len(d.Documents) > 0 { // the declaration concerns holders only
		h := accrochage.Holder{BirthName: cand.BirthName, FirstName: cand.FirstName, BirthDate: cand.BirthDate, Sex: cand.Sex,
			INSEE: cand.BirthPlaceINSEE, PostalCode: cand.BirthPostalCode}
		var names []string
		for _, f := range h.Missing() {
			names = append(names, p.T("identity."+f))
		}
		d.IdentityMissing = strings.Join(names, ", ")
	}
	p.Data = d
	return ui.render(c, status, "admin/candidate", p)
}

func (ui *UI) componentRows(ctx context.Context, candidateID string, asOf civil.Date) ([]componentRow, error) {
	sts, err := ui.Candidates.Ledger(ctx, candidateID, "", asOf, true)
	if err != nil {
		return nil, err
	}
	rows := make([]componentRow, 0, len(sts))
	for _, st := range sts {
		r := componentRow{ComponentStatus: st}
		if comp, ok := ui.Referential.Component(st.Component); ok {
			r.Title = comp.Title
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// candidateForm opens a form posted to a candidate's page (/admin/candidates/:id/…):
// who posts, the candidate's id, the page to re-show, and the form.
func (ui *UI) candidateForm(c echo.Context) (auth.User, string, *page, url.Values, error) {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "", "")
	form, err := formInto(c, p)
	return actor, c.Param("id"), p, form, err
}

// candidateIdentity records the civil status the SI CPF declaration needs.
func (ui *UI) candidateIdentity(c echo.Context) error {
	actor, id, p, form, err := ui.candidateForm(c)
	if err != nil {
		return err
	}
	get := func(name string) *string { v := form.Get(name); return &v }
	_, err = ui.Candidates.Update(c.Request().Context(), actor, id, candidates.CandidatePatch{Sex: get("sex"),
		BirthName: get("birth_name"), UsageName: get("usage_name"), BirthPlace: get("birth_place"),
		BirthPlaceINSEE: get("birth_place_insee"), BirthPostalCode: get("birth_postal_code"), BirthCountry: get("birth_country")})
	if err == nil {
		return ui.redirect(c, "/admin/candidates/"+url.PathEscape(id)+"#identite", p.L("État civil enregistré.", "Civil status saved."))
	}
	if !p.formProblem(err, nil) {
		return err
	}
	return ui.showCandidate(c, p, formStatus(err))
}

// candidateEnroll registers the candidate for a certification by a pathway.
func (ui *UI) candidateEnroll(c echo.Context) error {
	actor, id, p, form, err := ui.candidateForm(c)
	if err != nil {
		return err
	}
	in := candidates.NewEnrollment{Certification: form.Get("certification"), Pathway: form.Get("pathway")}
	var fields []httpx.FieldError
	if in.Certification == "" {
		fields = append(fields, httpx.Field("certification", "Choisissez la certification.", "Choose the certification."))
	}
	if in.Pathway == "" {
		fields = append(fields, httpx.Field("pathway", "Choisissez la voie d'accès.", "Choose the pathway."))
	}
	if len(fields) > 0 {
		err = httpx.Invalid(fields...)
	} else if _, err = ui.Candidates.Enroll(c.Request().Context(), actor, id, in); err == nil {
		return ui.redirect(c, "/admin/candidates/"+url.PathEscape(id), p.L("Inscription enregistrée.", "Enrollment recorded."))
	}
	if !p.formProblem(err, nil) {
		return err
	}
	return ui.showCandidate(c, p, formStatus(err))
}
