package webui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/internal/vae"
	"github.com/labstack/echo/v4"
)

// The trainee's VAE pages sit on vae.Service, which applies the ownership
// rule (another candidate's dossier or document answers 404), the status
// rules (nothing changes once submitted) and checks uploads by content and
// size. The pages translate between form fields and the service.

// vaeUploadRoute receives documents; the server's body limit leaves it to
// uploadLimit (see OwnsBodyLimit), which allows the document limit plus the
// form around it.
const vaeUploadRoute = "/training/vae/:id/documents"

func (ui *UI) traineeVAERoutes(trainee *echo.Group) {
	trainee.GET("/vae", ui.vaeHome)
	trainee.POST("/vae", ui.vaeOpen)
	trainee.GET("/vae/:id", ui.vaeDossier)
	trainee.POST("/vae/:id/experiences", ui.vaeAddExperience)
	trainee.GET("/vae/:id/experiences/:eid", ui.vaeEditExperience)
	trainee.POST("/vae/:id/experiences/:eid", ui.vaeUpdateExperience)
	trainee.POST("/vae/:id/experiences/:eid/delete", ui.vaeDeleteExperience)
	trainee.POST("/vae/:id/documents", ui.vaeUpload)
	trainee.GET("/vae/:id/documents/:doc", ui.vaeDocument)
	trainee.POST("/vae/:id/documents/:doc/delete", ui.vaeDeleteDocument)
	trainee.POST("/vae/:id/submit", ui.vaeSubmit)
	trainee.POST("/vae/:id/complete", ui.vaeComplete)
}

// vaeSummary is a dossier on the trainee's list.
type vaeSummary struct {
	vae.Dossier
	CertTitle string
}

type vaeHomeData struct {
	Dossiers []vaeSummary
	CertOpts []option
}

// vaeHome shows the trainee's dossiers and the form to open one; a trainee
// with a single running dossier goes straight to it.
func (ui *UI) vaeHome(c echo.Context) error {
	return ui.showVAEHome(c, nil, http.StatusOK, c.QueryParam("new") == "")
}

// showVAEHome renders the list; p, when given, carries the request form
// re-shown with its errors.
func (ui *UI) showVAEHome(c echo.Context, p *page, status int, mayRedirect bool) error {
	actor, _ := auth.UserFrom(c)
	ds, _, err := ui.VAE.List(c.Request().Context(), actor, vae.ListQuery{Limit: 50})
	if err != nil {
		return err
	}
	running := map[string]bool{}
	d := vaeHomeData{}
	for _, x := range ds {
		d.Dossiers = append(d.Dossiers, vaeSummary{Dossier: x, CertTitle: ui.certTitle(x.Certification)})
		if x.Status != vae.StatusInadmissible {
			running[x.Certification] = true
		}
	}
	if mayRedirect && len(ds) == 1 && ds[0].Status != vae.StatusInadmissible {
		return c.Redirect(http.StatusSeeOther, "/training/vae/"+url.PathEscape(ds[0].ID))
	}
	if p == nil { // after the redirect: the flash is for the page shown
		p = ui.newPage(c, "Mon dossier VAE", "My VAE dossier")
	}
	// Newest first: the one being built is the one looked for.
	sort.SliceStable(d.Dossiers, func(i, j int) bool { return d.Dossiers[i].RequestedAt.After(d.Dossiers[j].RequestedAt) })
	for _, cert := range ui.Referential.Certifications() {
		if cert.Pathways.Has("vae") && !running[cert.Code] {
			d.CertOpts = append(d.CertOpts, option{cert.Code, cert.Title})
		}
	}
	p.Data = d
	return ui.render(c, status, "trainee/vae_home", p)
}

// vaeOpen records the trainee's request for a certification.
func (ui *UI) vaeOpen(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Mon dossier VAE", "My VAE dossier")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	in := vae.NewRequest{Certification: form.Get("certification"), Motivation: form.Get("motivation")}
	var fields []httpx.FieldError
	if in.Certification == "" {
		fields = append(fields, httpx.Field("certification", "Choisissez la certification.", "Choose the certification."))
	}
	if raw := strings.TrimSpace(form.Get("activity_months")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 600 {
			fields = append(fields, httpx.Field("activity_months", "Indiquez un nombre de mois entre 0 et 600.", "Enter a number of months between 0 and 600."))
		}
		in.ActivityMonths = n
	}
	if len(fields) == 0 {
		err = ui.validate.Validate(in)
	} else {
		err = httpx.Invalid(fields...)
	}
	if err == nil {
		var d vae.Dossier
		if d, err = ui.VAE.Open(c.Request().Context(), actor, in); err == nil {
			return ui.redirect(c, "/training/vae/"+url.PathEscape(d.ID),
				p.L("Demande de VAE déposée : l'administration va étudier sa recevabilité.", "VAE request filed: the administration will decide on its admissibility."))
		}
	}
	if !p.formProblem(err, map[string]field{
		"certification":   {"certification", ""},
		"motivation":      {"motivation", p.L("Motivation", "Motivation")},
		"activity_months": {"activity_months", p.L("Mois d'activité", "Months of activity")},
	}) {
		return err
	}
	return ui.showVAEHome(c, p, formStatus(err), false)
}

// vaeExperienceRow is an experience with its duration and the titles of
// its components.
type vaeExperienceRow struct {
	vae.Experience
	Months     int
	Components []referential.Component
}

type vaeDossierData struct {
	Dossier     vae.Dossier
	Support     *supportPanel
	CertTitle   string
	Components  []referential.Component
	Timeline    []vae.Event
	Experiences []vaeExperienceRow
	TotalMonths int
	// Complete is what Submit asks: an experience and a document.
	Complete  bool
	UploadMiB int64
	Accept    string
	Edit      *vae.Experience // the experience of the edit page
}

// Step tells where the dossier stands on the path, for the stepper.
func (d vaeDossierData) Step() int {
	switch d.Dossier.Status {
	case vae.StatusRequested:
		return 1
	case vae.StatusAdmissible, vae.StatusInadmissible:
		return 2
	case vae.StatusSubmitted, vae.StatusLocked:
		return 3
	}
	return 4
}

func (ui *UI) vaeDossier(c echo.Context) error {
	return ui.showVAEDossier(c, nil, http.StatusOK, "trainee/vae")
}

// showVAEDossier renders a dossier (or the edit page of one of its
// experiences); p, when given, carries a form re-shown with its errors.
func (ui *UI) showVAEDossier(c echo.Context, p *page, status int, view string) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	dos, err := ui.VAE.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if p == nil {
		p = ui.newPage(c, "", "")
	}
	d := vaeDossierData{Dossier: dos, CertTitle: ui.certTitle(dos.Certification), Complete: len(dos.Experiences) > 0 && len(dos.Documents) > 0, UploadMiB: ui.VAE.UploadLimit() >> 20,
		Accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
	p.Title = p.L("Dossier VAE — ", "VAE dossier — ") + d.CertTitle
	comps := map[string]referential.Component{}
	if cert, ok := ui.Referential.Certification(dos.Certification); ok {
		d.Components = cert.Components
		for _, cp := range cert.Components {
			comps[cp.Code] = cp
		}
	}
	if d.Timeline, err = ui.VAE.Timeline(ctx, actor, id); err != nil {
		return err
	}
	today := p.Today
	for _, e := range dos.Experiences {
		row := vaeExperienceRow{Experience: e, Months: e.Months(today)}
		for _, code := range e.Components {
			cp, ok := comps[code]
			if !ok {
				cp = referential.Component{Code: code, Title: code}
			}
			row.Components = append(row.Components, cp)
		}
		d.Experiences = append(d.Experiences, row)
		if e.ID == c.Param("eid") {
			e := e
			d.Edit = &e
		}
	}
	d.TotalMonths = vae.ActivityMonths(dos.Experiences, today)
	if view == "trainee/vae_experience" {
		if d.Edit == nil {
			return httpx.NotFound("Expérience introuvable.", "Experience not found.")
		}
		if p.Form == nil {
			e := d.Edit
			p.Form = url.Values{"employer": {e.Employer}, "role": {e.Role}, "starts_on": {e.StartsOn.String()},
				"activities": {e.Activities}, "components": e.Components}
			if !e.EndsOn.IsZero() {
				p.Form.Set("ends_on", e.EndsOn.String())
			}
		}
	}
	if d.Support, err = ui.supportPanelOf(ctx, p, actor, dos, "/training/vae/"+dos.ID); err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, status, view, p)
}

// Months writes a duration: "1 an et 2 mois", "8 mois".
func (p *page) Months(n int) string {
	y, m := n/12, n%12
	var parts []string
	if y > 0 {
		parts = append(parts, p.plural(y, "an", "ans", "year", "years"))
	}
	if m > 0 || y == 0 {
		parts = append(parts, p.plural(m, "mois", "mois", "month", "months"))
	}
	return strings.Join(parts, p.L(" et ", " "))
}

// Plural writes a count with its noun agreed: "1 jour", "0 jour", "3 jours".
func (p *page) Plural(n int, fr1, frN, en1, enN string) string {
	return p.plural(n, fr1, frN, en1, enN)
}

func (p *page) plural(n int, fr1, frN, en1, enN string) string {
	return civil.Count(p.Lang, n, p.L(fr1, en1), p.L(frN, enN))
}

// President is the jury president's title agreed with their gender
// (« présidente », « président »).
func (p *page) President(gender string) string {
	if gender == auth.GenderFemale {
		return p.L("présidente", "president")
	}
	return p.L("président", "president")
}

// FileSize writes a file size in kio/Mio.
func (p *page) FileSize(n int64) string {
	if n < 1<<20 {
		return formatNumber(p.Lang, math.Ceil(float64(n)/1024)) + p.L(" kio", " KiB")
	}
	return formatNumber(p.Lang, math.Round(float64(n)/(1<<20)*10)/10) + p.L(" Mio", " MiB")
}

// TimelineLabel is a timeline step in the page's language: the service writes
// it in French.
func (p *page) TimelineLabel(ev vae.Event) string {
	if p.Lang != "en" {
		return ev.Label
	}
	if l, ok := supportStepsEN[ev.Action]; ok {
		return l
	}
	switch ev.Action {
	case "vae.request":
		return "VAE request filed."
	case "vae.admissibility.admissible":
		return "Request declared admissible."
	case "vae.admissibility.inadmissible":
		return "Request declared inadmissible."
	case "vae.admissibility.implicit":
		return "Request admissible: no decision within two months, silence is an acceptance."
	case "vae.missing_pieces":
		return "Missing pieces asked for: the two-month deadline is suspended."
	case "vae.complete":
		return "Request completed: the two months of the decision start again."
	case "vae.experience.add":
		return "Experience added."
	case "vae.experience.update":
		return "Experience changed."
	case "vae.experience.delete":
		return "Experience removed."
	case "vae.document.add":
		return "Supporting document added."
	case "vae.document.delete":
		return "Supporting document removed."
	case "vae.submit":
		return "Dossier submitted: it can no longer be changed."
	case "vae.lock":
		return "Dossier locked by the administration."
	case "vae.jury":
		return "Dossier handed to the jury."
	}
	return ev.Label
}

// TimelineMilestone tells the steps of the procedure from the edits in between.
func (p *page) TimelineMilestone(ev vae.Event) bool {
	return !strings.HasPrefix(ev.Action, "vae.experience.") && !strings.HasPrefix(ev.Action, "vae.document.") &&
		ev.Action != "vae.comment"
}

func experienceFields(p *page) map[string]field {
	return map[string]field{
		"employer":   {"employer", p.L("Employeur", "Employer")},
		"role":       {"role", p.L("Emploi occupé", "Role")},
		"starts_on":  {"starts_on", p.L("Début", "Start")},
		"ends_on":    {"ends_on", p.L("Fin", "End")},
		"activities": {"activities", p.L("Activités exercées", "Activities")},
		"components": {"components", p.L("Blocs de compétences", "Components")},
	}
}

// experienceInput reads the experience form; the dates are checked here,
// the rest by the validator and the service.
func (ui *UI) experienceInput(form url.Values) (vae.ExperienceInput, error) {
	in := vae.ExperienceInput{Employer: form.Get("employer"), Role: form.Get("role"),
		Activities: form.Get("activities"), Components: form["components"]}
	var fields []httpx.FieldError
	for _, f := range []struct {
		name string
		to   *civil.Date
	}{{"starts_on", &in.StartsOn}, {"ends_on", &in.EndsOn}} {
		raw := strings.TrimSpace(form.Get(f.name))
		if raw == "" {
			continue
		}
		d, err := parseFormDate(raw)
		if err != nil {
			fields = append(fields, httpx.Field(f.name, "Date invalide : utilisez le format JJ/MM/AAAA.", "Invalid date: use the format YYYY-MM-DD."))
		}
		*f.to = d
	}
	err := ui.validate.Validate(in)
	if pr, ok := httpx.AsProblem(err); ok {
		for _, f := range pr.Fields {
			if strings.HasPrefix(f.Field, "components") {
				f = httpx.Field("components", "Cochez au moins un bloc de compétences.", "Tick at least one component.")
			}
			if (f.Field == "starts_on" || f.Field == "ends_on") && len(fields) > 0 {
				continue // already said: the date could not be read
			}
			fields = append(fields, f)
		}
	} else if err != nil {
		return in, err
	}
	if len(fields) > 0 {
		return in, httpx.Invalid(fields...)
	}
	return in, nil
}

// vaeFormError re-shows the dossier (or the edit page) with a refusal next
// to its fields; errors that are not refusals (another's dossier, a fault)
// go to the error page.
func (ui *UI) vaeFormError(c echo.Context, p *page, err error, fields map[string]field, view string) error {
	if pr, ok := httpx.AsProblem(err); ok {
		// components[2] is one of the ticked boxes: the message goes to the group.
		for i := range pr.Fields {
			if strings.HasPrefix(pr.Fields[i].Field, "components[") {
				pr.Fields[i].Field = "components"
			}
		}
		// A refused file says so next to its input, whatever the status.
		if pr.Code == "too_large" && len(pr.Fields) == 0 {
			pr.Fields = []httpx.FieldError{{Field: "file", FR: pr.FR, EN: pr.EN}}
		}
	}
	if !p.formProblem(err, fields) {
		return err
	}
	if pr, ok := httpx.AsProblem(err); ok && pr.Code == "unsupported_type" {
		p.Errors["file"] = p.L(pr.FR, pr.EN)
	}
	if p.Errors["file"] != "" {
		p.FormError = p.L("Le justificatif n'a pas été ajouté.", "The document was not added.")
	}
	return ui.showVAEDossier(c, p, formStatus(err), view)
}

func (ui *UI) vaeAddExperience(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "", "")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	id := c.Param("id")
	in, err := ui.experienceInput(form)
	if err == nil {
		var e vae.Experience
		if e, err = ui.VAE.AddExperience(c.Request().Context(), actor, id, in); err == nil {
			return ui.redirect(c, "/training/vae/"+url.PathEscape(id)+"#experiences",
				p.L("Expérience ajoutée : ", "Experience added: ")+e.Role+p.L(" chez ", " at ")+e.Employer+".")
		}
	}
	return ui.vaeFormError(c, p, err, experienceFields(p), "trainee/vae")
}

func (ui *UI) vaeEditExperience(c echo.Context) error {
	p := ui.newPage(c, "", "")
	// Filled in from the experience by the template when p.Form is nil.
	return ui.showVAEDossier(c, p, http.StatusOK, "trainee/vae_experience")
}

func (ui *UI) vaeUpdateExperience(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "", "")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	id, eid := c.Param("id"), c.Param("eid")
	in, err := ui.experienceInput(form)
	if err == nil {
		var e vae.Experience
		if e, err = ui.VAE.UpdateExperience(c.Request().Context(), actor, id, eid, in); err == nil {
			return ui.redirect(c, "/training/vae/"+url.PathEscape(id)+"#experiences",
				p.L("Expérience modifiée : ", "Experience changed: ")+e.Role+p.L(" chez ", " at ")+e.Employer+".")
		}
	}
	return ui.vaeFormError(c, p, err, experienceFields(p), "trainee/vae_experience")
}

func (ui *UI) vaeDeleteExperience(c echo.Context) error {
	return ui.vaeRemove(c, "#experiences", "Expérience retirée.", "Experience removed.", ui.VAE.DeleteExperience)
}

func (ui *UI) vaeDeleteDocument(c echo.Context) error {
	return ui.vaeRemove(c, "#documents", "Justificatif retiré.", "Document removed.", ui.VAE.DeleteDocument)
}

// vaeRemove deletes an experience or a document (the route's last
// parameter) and comes back to its section of the dossier.
func (ui *UI) vaeRemove(c echo.Context, anchor, doneFR, doneEN string,
	remove func(ctx context.Context, actor auth.User, dossierID, id string) error) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "", "")
	id := c.Param("id")
	item := c.Param("eid")
	if item == "" {
		item = c.Param("doc")
	}
	if err := remove(c.Request().Context(), actor, id, item); err != nil {
		return ui.vaeFormError(c, p, err, nil, "trainee/vae")
	}
	return ui.redirect(c, "/training/vae/"+url.PathEscape(id)+anchor, p.L(doneFR, doneEN))
}

// vaeUpload hands the posted file to the service, which checks its type by
// content and its size; a refusal is shown next to the file input.
func (ui *UI) vaeUpload(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "", "")
	id := c.Param("id")
	title := c.FormValue("title")
	p.Form = url.Values{"title": {title}}
	fh, err := c.FormFile("file")
	if err != nil {
		if !errors.Is(err, http.ErrMissingFile) {
			return uploadReadError(err)
		}
		err = httpx.Invalid(httpx.Field("file", "Choisissez le fichier à joindre.", "Choose the file to attach."))
		return ui.vaeFormError(c, p, err, nil, "trainee/vae")
	}
	f, err := fh.Open()
	if err != nil {
		return uploadReadError(err)
	}
	defer f.Close()
	doc, err := ui.VAE.AddDocument(c.Request().Context(), actor, id, vae.Upload{Title: title, FileName: fh.Filename, Body: f})
	if err == nil {
		return ui.redirect(c, "/training/vae/"+url.PathEscape(id)+"#documents",
			p.L("Justificatif ajouté : ", "Document added: ")+doc.Title+".")
	}
	return ui.vaeFormError(c, p, err, map[string]field{"title": {"title", p.L("Titre", "Title")}}, "trainee/vae")
}

// vaeUploadTooLarge answers a body over the limit before it is read: the
// dossier with the refusal next to the file input. It changes nothing, so it
// needs no form token.
func (ui *UI) vaeUploadTooLarge(c echo.Context) error {
	p := ui.newPage(c, "", "")
	lim := ui.VAE.UploadLimit() >> 20
	err := httpx.New(http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("Le document dépasse la taille autorisée (%d Mio).", lim),
		fmt.Sprintf("The document exceeds the size limit (%d MiB).", lim))
	return ui.vaeFormError(c, p, err, nil, "trainee/vae")
}

func uploadReadError(err error) error {
	return httpx.BadRequest("Le fichier envoyé est illisible.", "The file sent could not be read.").Wrap(err)
}

// vaeSubmit sends the dossier once the trainee has ticked the confirmation
// (the page works without scripts, so no confirm() dialog).
func (ui *UI) vaeSubmit(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "", "")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if form.Get("confirm") != "yes" {
		err = httpx.Invalid(httpx.Field("confirm", "Cochez la case pour confirmer l'envoi : le dossier ne sera plus modifiable.",
			"Tick the box to confirm: the dossier will no longer be changeable."))
	} else if _, err = ui.VAE.Submit(c.Request().Context(), actor, id); err == nil {
		return ui.redirect(c, "/training/vae/"+url.PathEscape(id),
			p.L("Dossier déposé : il est transmis à l'administration et n'est plus modifiable.", "Dossier submitted: it goes to the administration and can no longer be changed."))
	}
	return ui.vaeFormError(c, p, err, nil, "trainee/vae")
}

// vaeComplete says the missing pieces are in: the request is complete today.
func (ui *UI) vaeComplete(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Mon dossier VAE", "My VAE dossier")
	if _, err := formInto(c, p); err != nil {
		return err
	}
	d, err := ui.VAE.Complete(c.Request().Context(), actor, c.Param("id"))
	if err == nil {
		return ui.redirect(c, "/training/vae/"+url.PathEscape(d.ID), p.L("Demande complète : la décision est due au plus tard le ",
			"Request complete: the decision is due by ")+p.DatePtr(d.AdmissibilityDeadline)+".")
	}
	if !p.formProblem(err, nil) {
		return err
	}
	return ui.showVAEDossier(c, p, formStatus(err), "trainee/vae")
}
