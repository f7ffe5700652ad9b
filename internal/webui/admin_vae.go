package webui

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/vae"
	"github.com/labstack/echo/v4"
)

// The administrator's side of VAE: the requests awaiting an admissibility
// decision, each dossier with its experiences, documents and timeline, and
// the steps vae.Service owns (decision, lock, hand-over to a jury).

// vaeAdminRoutes registers the administrator's VAE pages.
func (ui *UI) vaeAdminRoutes(admin *echo.Group) {
	admin.GET("/vae", ui.vaeList)
	admin.POST("/vae", ui.vaeRecordPaper)
	admin.POST("/vae/:id/missing-pieces", ui.vaeMissingPieces)
	admin.GET("/vae/:id", ui.vaeAdminDossier)
	admin.POST("/vae/:id/admissibility", ui.vaeDecide)
	admin.POST("/vae/:id/lock", ui.vaeLock)
	admin.POST("/vae/:id/jury", ui.vaeHandToJury)
	admin.GET("/vae/:id/documents/:doc", ui.vaeDocument)
}

// vaeStatusOrder are the filters of the list, in the order a dossier goes.
var vaeStatusOrder = []string{vae.StatusRequested, vae.StatusAdmissible, vae.StatusInadmissible,
	vae.StatusSubmitted, vae.StatusLocked, vae.StatusWithJury}

// vaeStatusName is how the pages name a dossier's status: short for the
// administrator's lists, long (what happens next) for the candidate.
type vaeStatusName struct{ fr, en, longFR, longEN, badge string }

var vaeStatusNames = map[string]vaeStatusName{
	vae.StatusRequested: {"En attente de décision", "Awaiting decision",
		"Demande déposée : recevabilité à l'étude", "Request filed: admissibility under review", "badge-warn"},
	vae.StatusAdmissible: {"Recevable", "Admissible",
		"Recevable : dossier à constituer", "Admissible: dossier to build", "badge-info"},
	vae.StatusInadmissible: {"Non recevable", "Not admissible", "Non recevable", "Not admissible", "badge-err"},
	vae.StatusSubmitted:    {"Dossier déposé", "Dossier submitted", "Dossier déposé", "Dossier submitted", "badge-ok"},
	vae.StatusLocked: {"Dossier verrouillé", "Dossier locked",
		"Dossier vérifié et verrouillé", "Dossier checked and locked", "badge-ok"},
	vae.StatusWithJury: {"Transmis au jury", "Handed to the jury", "Transmis au jury", "Handed to the jury", "badge-ok"},
}

// VAEStatus, VAEStatusLabel and VAEStatusBadge show a dossier's status.
func (p *page) VAEStatus(s string) string {
	if n, ok := vaeStatusNames[s]; ok {
		return p.L(n.fr, n.en)
	}
	return s
}
func (p *page) VAEStatusLabel(s string) string {
	if n, ok := vaeStatusNames[s]; ok {
		return p.L(n.longFR, n.longEN)
	}
	return s
}
func (p *page) VAEStatusBadge(s string) string { return vaeStatusNames[s].badge }

type vaeRow struct {
	vae.Dossier
	CandidateName, CertTitle string
	DaysLeft                 int // to the admissibility deadline; negative once passed
}

type vaeListData struct {
	Status     string // "" for every status
	StatusOpts []option
	Rows       []vaeRow
	Next       string
	// The form that records a request received on paper.
	CandidateOpts, CertOpts []option
}

func (ui *UI) vaeList(c echo.Context) error {
	return ui.showVAEList(c, ui.newPage(c, "Recevabilité VAE", "VAE admissibility"), http.StatusOK)
}

// showVAEList renders the requests; p may carry the paper-request form
// re-shown with its errors. The requests awaiting a decision come in the
// order of their deadlines: the first one is the next one due.
func (ui *UI) showVAEList(c echo.Context, p *page, code int) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	status := c.QueryParam("status")
	switch {
	case status == "":
		status = vae.StatusRequested // what waits for the administrator
	case status == "all":
		status = ""
	}
	d := vaeListData{Status: status}
	known := status == ""
	for _, s := range vaeStatusOrder {
		d.StatusOpts = append(d.StatusOpts, option{s, p.VAEStatus(s)})
		known = known || s == status
	}
	if !known {
		return httpx.Invalid(httpx.Field("status", "Statut inconnu.", "Unknown status."))
	}
	after := c.QueryParam("after")
	if len(after) > 36 {
		after = ""
	}
	ds, next, err := ui.VAE.List(ctx, actor, vae.ListQuery{Status: status, After: after, Limit: 50})
	if err != nil {
		return err
	}
	d.Next = next
	names := map[string]string{}
	for _, dos := range ds {
		if _, ok := names[dos.CandidateID]; !ok {
			cand, err := ui.Candidates.Get(ctx, actor, dos.CandidateID)
			if err != nil {
				return err
			}
			names[dos.CandidateID] = cand.FullName()
		}
		row := vaeRow{Dossier: dos, CandidateName: names[dos.CandidateID], CertTitle: ui.certTitle(dos.Certification)}
		if dos.AdmissibilityDeadline != nil {
			row.DaysLeft = p.Today.DaysUntil(*dos.AdmissibilityDeadline)
		}
		d.Rows = append(d.Rows, row)
	}
	if status == vae.StatusRequested {
		sort.SliceStable(d.Rows, func(i, j int) bool {
			a, b := d.Rows[i].AdmissibilityDeadline, d.Rows[j].AdmissibilityDeadline
			switch {
			case a == nil || b == nil: // incomplete requests (clock stopped) last
				return a != nil && b == nil
			default:
				return a.Before(*b)
			}
		})
	}
	cands, _, err := ui.Candidates.List(ctx, actor, candidates.ListQuery{Limit: 500})
	if err != nil {
		return err
	}
	for _, cand := range cands {
		d.CandidateOpts = append(d.CandidateOpts, option{cand.ID, cand.FullName() + labelSuffix(cand.Employer)})
	}
	for _, cert := range ui.Referential.Certifications() {
		if cert.Pathways.Has("vae") {
			d.CertOpts = append(d.CertOpts, option{cert.Code, cert.Title})
		}
	}
	p.Data = d
	return ui.render(c, code, "admin/vae", p)
}

// vaeRecordPaper records a request received on paper, with the day it
// arrived: the two months of the decision run from that day.
func (ui *UI) vaeRecordPaper(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Recevabilité VAE", "VAE admissibility")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	in := vae.NewRequest{CandidateID: strings.TrimSpace(form.Get("candidate_id")), Certification: form.Get("certification"),
		Motivation: form.Get("motivation")}
	var fields []httpx.FieldError
	if raw := strings.TrimSpace(form.Get("received_on")); raw != "" {
		if in.ReceivedOn, err = civil.Parse(raw); err != nil {
			fields = append(fields, httpx.Field("received_on", "Date invalide (AAAA-MM-JJ).", "Invalid date (YYYY-MM-DD)."))
		}
	}
	if in.Certification == "" {
		fields = append(fields, httpx.Field("certification", "Choisissez la certification.", "Choose the certification."))
	}
	if len(fields) > 0 {
		err = httpx.Invalid(fields...)
	} else if err = ui.validate.Validate(in); err == nil {
		var d vae.Dossier
		if d, err = ui.VAE.Open(c.Request().Context(), actor, in); err == nil {
			return ui.redirect(c, "/admin/vae/"+url.PathEscape(d.ID),
				p.L("Demande enregistrée : décision due au plus tard le ", "Request recorded: decision due by ")+p.DatePtr(d.AdmissibilityDeadline)+".")
		}
	}
	if !p.formProblem(err, map[string]field{
		"candidate_id":  {"candidate_id", p.L("Candidat", "Candidate")},
		"certification": {"certification", p.L("Certification", "Certification")},
		"received_on":   {"received_on", p.L("Reçue le", "Received on")},
		"motivation":    {"motivation", p.L("Objet de la demande", "Request")},
	}) {
		return err
	}
	return ui.showVAEList(c, p, formStatus(err))
}

// vaeMissingPieces asks the candidate for the pieces the request lacks, one
// per line of the form: the two-month clock stops until they are in.
func (ui *UI) vaeMissingPieces(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Dossier VAE", "VAE dossier")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	in := vae.MissingPieces{}
	for _, line := range strings.Split(form.Get("pieces"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Pieces = append(in.Pieces, line)
		}
	}
	if len(in.Pieces) == 0 {
		err = httpx.Invalid(httpx.Field("pieces", "Indiquez au moins une pièce, une par ligne.", "Name at least one piece, one per line."))
	} else if err = ui.validate.Validate(in); err == nil {
		var d vae.Dossier
		if d, err = ui.VAE.AskMissingPieces(c.Request().Context(), actor, c.Param("id"), in); err == nil {
			return ui.redirect(c, "/admin/vae/"+url.PathEscape(d.ID), p.L("Pièces manquantes demandées : le délai de décision est suspendu.",
				"Missing pieces asked for: the decision deadline is suspended."))
		}
	}
	if !p.formProblem(err, map[string]field{"pieces": {"pieces", p.L("Pièces manquantes", "Missing pieces")}}) {
		return err
	}
	return ui.showAdminVAEDossier(c, p, formStatus(err))
}

type vaeExperience struct {
	vae.Experience
	Months int
}

type vaeDoc struct {
	vae.Document
	KB int64
}

type vaeEvent struct {
	vae.Event
	Actor string
}

type vaeAdminData struct {
	D         vae.Dossier
	Candidate string
	CertTitle string
	Employer  string
	Exps      []vaeExperience
	Docs      []vaeDoc
	// Total is the activity covered, for information only (the law sets no
	// minimum); Declared: no experience is described yet, so Total is the
	// activity the request declares.
	Total     int
	Declared  bool
	DaysLeft  int // to the admissibility deadline; negative once passed
	Timeline  []vaeEvent
	DecidedBy string
	JuryOpts  []option
	JuryTitle string // the jury the dossier was handed to
	Support   *supportPanel
}

func (ui *UI) vaeAdminDossier(c echo.Context) error {
	return ui.showAdminVAEDossier(c, ui.newPage(c, "Dossier VAE", "VAE dossier"), http.StatusOK)
}

// showAdminVAEDossier renders a dossier; p may carry a form re-shown with errors.
func (ui *UI) showAdminVAEDossier(c echo.Context, p *page, status int) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	dos, cand, evs, err := ui.dossierOf(c, actor)
	if err != nil {
		return err
	}
	d := vaeAdminData{D: dos, Candidate: cand.FullName(), Employer: cand.Employer, CertTitle: ui.certTitle(dos.Certification),
		Total: vae.ActivityMonths(dos.Experiences, p.Today)}
	if len(dos.Experiences) == 0 {
		d.Total, d.Declared = dos.ActivityMonths, true
	}
	if dos.AdmissibilityDeadline != nil {
		d.DaysLeft = p.Today.DaysUntil(*dos.AdmissibilityDeadline)
	}
	for _, e := range dos.Experiences {
		d.Exps = append(d.Exps, vaeExperience{Experience: e, Months: e.Months(p.Today)})
	}
	for _, doc := range dos.Documents {
		d.Docs = append(d.Docs, vaeDoc{Document: doc, KB: (doc.Size + 1023) / 1024})
	}
	names := map[string]string{}
	nameOf := func(id, role string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := p.T("role." + role)
		if u, err := ui.Auth.Get(ctx, id); err == nil {
			n = u.Name
		}
		names[id] = n
		return n
	}
	for _, e := range evs {
		d.Timeline = append(d.Timeline, vaeEvent{Event: e, Actor: nameOf(e.ActorID, e.ActorRole)})
	}
	if dos.DecidedBy != "" {
		d.DecidedBy = nameOf(dos.DecidedBy, auth.RoleAdmin)
	}
	switch {
	case dos.Status == vae.StatusLocked:
		js, _, err := ui.Jury.List(ctx, actor, "", 100)
		if err != nil {
			return err
		}
		for _, j := range js {
			if j.Certification == dos.Certification && !j.Final() && j.SigningStartedAt == nil {
				d.JuryOpts = append(d.JuryOpts, option{j.ID, p.Date(j.SessionDate) + labelSuffix(j.Location)})
			}
		}
	case dos.JuryID != nil:
		if v, err := ui.Jury.Get(ctx, actor, *dos.JuryID); err == nil {
			d.JuryTitle = p.L("Jury du ", "Jury of ") + p.Date(v.SessionDate) + labelSuffix(v.Location)
		}
	}
	if d.Support, err = ui.supportPanelOf(ctx, p, actor, dos, "/admin/vae/"+dos.ID); err != nil {
		return err
	}
	p.Title = p.L("Dossier VAE de ", "VAE dossier of ") + d.Candidate
	p.Data = d
	return ui.render(c, status, "admin/vae_dossier", p)
}

// dossierOf reads the dossier of the page, its candidate and its timeline,
// as actor may see them.
func (ui *UI) dossierOf(c echo.Context, actor auth.User) (vae.Dossier, candidates.Candidate, []vae.Event, error) {
	ctx := c.Request().Context()
	dos, err := ui.VAE.Get(ctx, actor, c.Param("id"))
	if err != nil {
		return dos, candidates.Candidate{}, nil, err
	}
	cand, err := ui.Candidates.Get(ctx, actor, dos.CandidateID)
	if err != nil {
		return dos, cand, nil, err
	}
	evs, err := ui.VAE.Timeline(ctx, actor, dos.ID)
	return dos, cand, evs, err
}

// vaeDecide records the admissibility decision from the form: the decision,
// the three criteria (a box left unticked is a criterion not met) and the
// reason, required for a refusal.
func (ui *UI) vaeDecide(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Dossier VAE", "VAE dossier")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	in := vae.AdmissibilityDecision{Decision: form.Get("decision"), Reason: form.Get("reason"), Recommendations: form.Get("recommendations")}
	ticked := func(name string) *bool { b := form.Get(name) != ""; return &b }
	in.Criteria.RelatedToCertification = ticked("crit_related")
	in.Criteria.DocumentedByTheCandidate = ticked("crit_documented")
	if raw := strings.TrimSpace(form.Get("valid_until")); raw != "" && in.Decision == vae.StatusAdmissible {
		if in.ValidUntil, err = civil.Parse(raw); err != nil {
			err = httpx.Invalid(httpx.Field("valid_until", "Date invalide (AAAA-MM-JJ).", "Invalid date (YYYY-MM-DD)."))
		}
	}
	if err == nil {
		err = ui.validate.Validate(in)
	}
	if err == nil {
		var d vae.Dossier
		if d, err = ui.VAE.DecideAdmissibility(c.Request().Context(), actor, c.Param("id"), in); err == nil {
			msg := p.L("Demande déclarée recevable.", "Request declared admissible.")
			if d.Status == vae.StatusInadmissible {
				msg = p.L("Demande déclarée non recevable.", "Request declared not admissible.")
			}
			return ui.redirect(c, "/admin/vae/"+url.PathEscape(d.ID), msg)
		}
	}
	if !p.formProblem(err, map[string]field{
		"decision":        {"decision", p.L("Décision", "Decision")},
		"reason":          {"reason", p.L("Motif", "Reason")},
		"recommendations": {"recommendations", p.L("Préconisations", "Recommendations")},
		"valid_until":     {"valid_until", p.L("Valable jusqu'au", "Valid until")},
		"criteria":        {"criteria", ""},
	}) {
		return err
	}
	return ui.showAdminVAEDossier(c, p, formStatus(err))
}

func (ui *UI) vaeLock(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Dossier VAE", "VAE dossier")
	d, err := ui.VAE.Lock(c.Request().Context(), actor, c.Param("id"))
	if err == nil {
		return ui.redirect(c, "/admin/vae/"+url.PathEscape(d.ID), p.L("Dossier verrouillé : il peut être transmis au jury.", "Dossier locked: it may be handed to the jury."))
	}
	if !p.formProblem(err, nil) {
		return err
	}
	return ui.showAdminVAEDossier(c, p, formStatus(err))
}

// vaeHandToJury puts the candidate before the chosen jury (jury.Assign, with
// the dossier's submission day that starts the jury's three months) and
// hands the dossier over, so that its members may read it. The assignment
// comes first: a conflict of interest refuses the whole step.
func (ui *UI) vaeHandToJury(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	p := ui.newPage(c, "Dossier VAE", "VAE dossier")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	juryID := strings.TrimSpace(form.Get("jury_id"))
	dos, err := ui.VAE.Get(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	err = ui.assignForDossier(c, actor, dos, juryID)
	if err == nil {
		if _, err = ui.VAE.HandToJury(ctx, actor, dos.ID, juryID); err == nil {
			return ui.redirect(c, "/admin/vae/"+url.PathEscape(dos.ID), p.L("Dossier transmis au jury ; le candidat lui est affecté.", "Dossier handed to the jury; the candidate is assigned to it."))
		}
	}
	if !p.formProblem(err, map[string]field{"jury_id": {"jury_id", p.L("Jury", "Jury")}, "candidate_id": {"jury_id", ""}, "members": {"jury_id", ""}}) {
		return err
	}
	return ui.showAdminVAEDossier(c, p, formStatus(err))
}

func (ui *UI) assignForDossier(c echo.Context, actor auth.User, dos vae.Dossier, juryID string) error {
	if juryID == "" {
		return httpx.Invalid(httpx.Field("jury_id", "Choisissez le jury.", "Choose the jury."))
	}
	if dos.Status != vae.StatusLocked {
		return nil // HandToJury refuses it with the status's own message
	}
	j, err := ui.Jury.Get(c.Request().Context(), actor, juryID)
	if pr, ok := httpx.AsProblem(err); ok && pr.Status == http.StatusNotFound {
		return httpx.Invalid(httpx.Field("jury_id", "Jury introuvable.", "Jury not found."))
	}
	if err != nil {
		return err
	}
	if j.Certification != dos.Certification {
		return httpx.Invalid(httpx.Field("jury_id", "Ce jury n'examine pas cette certification.", "This jury does not examine this certification."))
	}
	in := jury.NewAssignment{CandidateID: dos.CandidateID}
	if dos.SubmittedAt != nil {
		on := civil.Of(*dos.SubmittedAt)
		in.DossierSubmittedOn = &on
	}
	if err := ui.enrollByVAE(c.Request().Context(), actor, dos); err != nil {
		return err
	}
	_, err = ui.Jury.Assign(c.Request().Context(), actor, juryID, in)
	if pr, ok := httpx.AsProblem(err); ok && pr.Code == "already_assigned" {
		return nil // assigned from the jury's page beforehand
	}
	return err
}

// enrollByVAE enrolls the candidate of a VAE dossier in its certification by
// the VAE pathway, unless an enrollment already holds: a jury assesses only
// enrolled candidates, and the dossier is what puts this one on that path.
func (ui *UI) enrollByVAE(ctx context.Context, actor auth.User, dos vae.Dossier) error {
	es, err := ui.Candidates.Enrollments(ctx, actor, dos.CandidateID)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Certification == dos.Certification && e.Status != candidates.EnrollmentWithdrawn {
			return nil
		}
	}
	_, err = ui.Candidates.Enroll(ctx, actor, dos.CandidateID, candidates.NewEnrollment{Certification: dos.Certification, Pathway: "vae"})
	return err
}

// vaeDocument serves a supporting document as a download, as the API does:
// never shown inline, so that a file cannot run in the site's origin.
func (ui *UI) vaeDocument(c echo.Context) error {
	return ui.VAE.Download(c, c.Param("id"), c.Param("doc"))
}
