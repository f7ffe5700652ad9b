package webui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/labstack/echo/v4"
)

// The administrator composes juries here: jury.Service checks the
// composition rule on every change and says what is missing (View's
// Composition); these pages translate forms to its requests and show its
// answers live with htmx, or after a plain POST and redirect without it.

// juryAdminRoutes registers the administrator's jury pages.
func (ui *UI) juryAdminRoutes(admin *echo.Group) {
	admin.GET("/juries", ui.juryList)
	admin.POST("/juries", ui.juryCreate)
	admin.POST("/juries/draft", ui.juryDraft)
	admin.GET("/juries/:id", ui.juryAdmin)
	admin.POST("/juries/:id/members", ui.juryAddMember)
	admin.POST("/juries/:id/members/:uid/remove", ui.juryRemoveMember)
	admin.POST("/juries/:id/president", ui.juryPresident)
	admin.POST("/juries/:id/candidates", ui.juryAssign)
}

// juryRow is a jury in the administrator's list.
type juryRow struct {
	V     jury.View
	Title string
}

// draftRow is one member line of the new-jury form.
type draftRow struct {
	Index int
	User, Category, Org,
	UserField, CategoryField, OrgField string
}

type juryListData struct {
	Rows     []juryRow
	Next     string
	CertOpts []option
	UserOpts []option
	CatOpts  []option
	Draft    []draftRow
	Comp     jury.Composition
}

// newJuryRows is how many member lines the new-jury form offers: enough
// for every jury user, within reason; more members join from the jury's
// page afterwards.
func newJuryRows(users int) int { return min(max(users, 4), 8) }

func (ui *UI) juryList(c echo.Context) error {
	p := ui.newPage(c, "Jurys", "Juries")
	return ui.showJuryList(c, p, http.StatusOK)
}

// showJuryList renders the list and the new-jury form (as typed in p.Form).
func (ui *UI) showJuryList(c echo.Context, p *page, status int) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	after := c.QueryParam("after")
	if len(after) > 36 {
		after = ""
	}
	js, next, err := ui.Jury.List(ctx, actor, after, 50)
	if err != nil {
		return err
	}
	d := juryListData{Next: next, CatOpts: categoryOptions(p)}
	for _, j := range js {
		v, err := ui.Jury.Get(ctx, actor, j.ID)
		if err != nil {
			return err
		}
		d.Rows = append(d.Rows, juryRow{V: v, Title: ui.certTitle(j.Certification)})
	}
	for _, cert := range ui.Referential.Certifications() {
		d.CertOpts = append(d.CertOpts, option{cert.Code, cert.Title})
	}
	if d.UserOpts, err = ui.juryUserOptions(ctx, nil); err != nil {
		return err
	}
	d.Draft = draftRows(p.Form, newJuryRows(len(d.UserOpts)))
	if d.Comp, err = ui.draftComposition(ctx, p.Form, d.Draft); err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, status, "admin/juries", p)
}

func categoryOptions(p *page) []option {
	return []option{
		{jury.Professional, p.L("Professionnel du recouvrement", "Collection professional")},
		{jury.OrganisationRepresentative, p.L("Représentant de l'organisme certificateur ou de formation", "Certifier or training body representative")},
	}
}

// juryUserOptions lists the active jury accounts, but those in skip.
func (ui *UI) juryUserOptions(ctx context.Context, skip map[string]bool) ([]option, error) {
	us, err := ui.Auth.List(ctx, auth.RoleJury)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, u := range us {
		if u.DisabledAt != nil || skip[u.ID] {
			continue
		}
		label := u.Name
		if u.Organisation != "" {
			label += " — " + u.Organisation
		}
		out = append(out, option{u.ID, label})
	}
	return out, nil
}

// draftRows reads the member lines of the new-jury form; a fresh form has
// n empty professional lines.
func draftRows(form url.Values, n int) []draftRow {
	rows := make([]draftRow, n)
	for i := range rows {
		r := draftRow{Index: i, UserField: fmt.Sprintf("m%d_user", i), CategoryField: fmt.Sprintf("m%d_category", i),
			OrgField: fmt.Sprintf("m%d_org", i), Category: jury.Professional}
		if form != nil {
			r.User = strings.TrimSpace(form.Get(r.UserField))
			r.Org = strings.TrimSpace(form.Get(r.OrgField))
			if _, ok := form[r.CategoryField]; ok {
				r.Category = form.Get(r.CategoryField)
			}
		}
		rows[i] = r
	}
	return rows
}

// draftJury turns the form into the service's request; rowOf maps each
// member asked for back to its line, for the errors.
func draftJury(form url.Values, rows []draftRow) (in jury.NewJury, rowOf []int) {
	in.Certification = strings.TrimSpace(form.Get("certification"))
	in.Location = strings.TrimSpace(form.Get("location"))
	// Empty hours take the service's defaults (09:00–17:00).
	in.StartTime = strings.TrimSpace(form.Get("start_time"))
	in.EndTime = strings.TrimSpace(form.Get("end_time"))
	in.Members = []jury.NewMember{}
	president := form.Get("president")
	for _, r := range rows {
		if r.User == "" {
			continue
		}
		in.Members = append(in.Members, jury.NewMember{UserID: r.User, Category: r.Category, Organisation: r.Org})
		rowOf = append(rowOf, r.Index)
		if strconv.Itoa(r.Index) == president {
			in.PresidentID = r.User
		}
	}
	return in, rowOf
}

// draftComposition measures the members typed so far against the rule of
// the chosen certification, with their accounts' genders for the balance.
func (ui *UI) draftComposition(ctx context.Context, form url.Values, rows []draftRow) (jury.Composition, error) {
	if form == nil {
		form = url.Values{"president": {"0"}}
	}
	in, _ := draftJury(form, rows)
	us, err := ui.Auth.List(ctx, auth.RoleJury)
	if err != nil {
		return jury.Composition{}, err
	}
	gender := make(map[string]string, len(us))
	for _, u := range us {
		gender[u.ID] = u.Gender
	}
	ms := make([]jury.Member, 0, len(in.Members))
	for _, m := range in.Members {
		ms = append(ms, jury.Member{UserID: m.UserID, Category: m.Category, Gender: gender[m.UserID]})
	}
	return ui.Jury.Assess(in.Certification, ms, in.PresidentID), nil
}

// juryDraft answers the new-jury form as it changes: htmx swaps in the
// composition panel; without JavaScript the whole form comes back.
func (ui *UI) juryDraft(c echo.Context) error {
	p := ui.newPage(c, "Jurys", "Juries")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	if !p.HX {
		return ui.showJuryList(c, p, http.StatusOK)
	}
	us, err := ui.juryUserOptions(c.Request().Context(), nil)
	if err != nil {
		return err
	}
	rows := draftRows(form, newJuryRows(len(us)))
	comp, err := ui.draftComposition(c.Request().Context(), form, rows)
	if err != nil {
		return err
	}
	p.Data = juryListData{Draft: rows, Comp: comp}
	return ui.renderBlock(c, http.StatusOK, "admin/juries", "draftcomp", p)
}

// juryCreate records the jury; refusals come back next to their lines.
func (ui *UI) juryCreate(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Jurys", "Juries")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	us, err := ui.juryUserOptions(c.Request().Context(), nil)
	if err != nil {
		return err
	}
	rows := draftRows(form, newJuryRows(len(us)))
	in, rowOf := draftJury(form, rows)
	var fields []httpx.FieldError
	if raw := strings.TrimSpace(form.Get("session_date")); raw != "" {
		if in.SessionDate, err = parseFormDate(raw); err != nil {
			fields = append(fields, httpx.Field("session_date", "Date invalide : utilisez le format JJ/MM/AAAA.", "Invalid date: use the format YYYY-MM-DD."))
		}
	}
	if len(in.Members) > 0 && in.PresidentID == "" {
		fields = append(fields, httpx.Field("president", "Choisissez le président parmi les membres saisis.", "Choose the president among the members entered."))
	}
	if pr, ok := httpx.AsProblem(ui.validate.Validate(in)); ok {
		for _, f := range pr.Fields {
			if f.Field != "session_date" || len(fields) == 0 {
				fields = append(fields, f)
			}
		}
	}
	if len(fields) > 0 {
		err = httpx.Invalid(fields...)
	} else {
		var v jury.View
		if v, err = ui.Jury.Create(c.Request().Context(), actor, in); err == nil {
			return ui.redirect(c, "/admin/juries/"+v.ID, p.L("Jury créé.", "Jury created."))
		}
	}
	fm := map[string]field{
		"certification":     {"certification", p.L("Certification", "Certification")},
		"session_date":      {"session_date", p.L("Date de session", "Session date")},
		"location":          {"location", p.L("Lieu", "Place")},
		"start_time":        {"start_time", p.L("Heure de début", "Start time")},
		"end_time":          {"end_time", p.L("Heure de fin", "End time")},
		"members":           {"members", p.L("Membres", "Members")},
		"president_user_id": {"president", p.L("Président", "President")},
	}
	for i, row := range rowOf {
		fm[fmt.Sprintf("members[%d].user_id", i)] = field{rows[row].UserField, p.L("Membre", "Member")}
		fm[fmt.Sprintf("members[%d].category", i)] = field{rows[row].CategoryField, p.L("Collège", "College")}
		fm[fmt.Sprintf("members[%d].organisation", i)] = field{rows[row].OrgField, p.L("Organisation", "Organisation")}
	}
	if !p.formProblem(err, fm) {
		return err
	}
	return ui.showJuryList(c, p, formStatus(err))
}

type juryAdminData struct {
	V        jury.View
	Title    string
	Editable bool // neither signed nor being signed
	UserOpts []option
	CatOpts  []option
	CandOpts []option
	// Why a member may not leave, by user id ("" when they may).
	Stuck  map[string]string
	Names  map[string]string
	Notice string // what the last htmx change did, read out by screen readers
	ErrIn  string // the panel the form error belongs to
}

// juryAdmin is the jury's page for its administrator.
func (ui *UI) juryAdmin(c echo.Context) error {
	return ui.showJuryAdmin(c, ui.newPage(c, "Jury", "Jury"), http.StatusOK, "")
}

// showJuryAdmin renders the jury page, or for htmx the one panel (block)
// the change was made in.
func (ui *UI) showJuryAdmin(c echo.Context, p *page, status int, block string) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	v, err := ui.Jury.Get(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	d, _ := p.Data.(juryAdminData)
	d.V, d.Title, d.CatOpts = v, ui.certTitle(v.Certification), categoryOptions(p)
	d.Editable = !v.Final() && v.SigningStartedAt == nil
	d.Stuck, d.Names = map[string]string{}, map[string]string{}
	seated := map[string]bool{}
	for _, m := range v.Members {
		seated[m.UserID] = true
		d.Names[m.UserID] = m.Name
		switch {
		case m.UserID == v.PresidentID:
			d.Stuck[m.UserID] = p.L("Le président ne peut pas quitter le jury : désignez d'abord un autre président.",
				"The president cannot leave the jury: appoint another president first.")
		case m.Category == jury.Professional && v.Composition.SpareProfessionals == 0:
			d.Stuck[m.UserID] = p.L("Sans ce membre, le jury n'aurait plus assez de professionnels.",
				"Without this member, the jury would lack professionals.")
		case m.Category == jury.OrganisationRepresentative && v.Composition.SpareRepresentatives == 0:
			d.Stuck[m.UserID] = p.L("Sans ce membre, le jury n'aurait plus de représentant de l'organisme certificateur ou de formation.",
				"Without this member, the jury would have no organisation representative.")
		}
	}
	if d.UserOpts, err = ui.juryUserOptions(ctx, seated); err != nil {
		return err
	}
	// Only candidates enrolled in the jury's certification and not yet
	// assigned: the service would refuse the others (not_enrolled).
	cands, err := ui.Jury.EligibleCandidates(ctx, actor, v.ID, 200)
	if err != nil {
		return err
	}
	for _, cand := range cands {
		d.CandOpts = append(d.CandOpts, option{cand.ID, cand.LastName + " " + cand.FirstName + labelSuffix(cand.Employer)})
	}
	p.Title = p.L("Jury du ", "Jury of ") + p.Date(v.SessionDate)
	p.Data = d
	if p.HX && block != "" {
		return ui.renderBlock(c, status, "admin/jury", block, p)
	}
	return ui.render(c, status, "admin/jury", p)
}

func labelSuffix(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return " — " + s
	}
	return ""
}

// juryChanged answers a successful change: htmx gets the panel again with
// a notice, a plain form a redirect to the page with the notice as flash.
func (ui *UI) juryChanged(c echo.Context, p *page, block, notice string) error {
	if !p.HX {
		return ui.redirect(c, "/admin/juries/"+url.PathEscape(c.Param("id"))+"#"+block, notice)
	}
	p.Form, p.Data = nil, juryAdminData{Notice: notice}
	return ui.showJuryAdmin(c, p, http.StatusOK, block)
}

// juryRefused shows a service's refusal next to the fields of the panel.
func (ui *UI) juryRefused(c echo.Context, p *page, err error, block string, fm map[string]field) error {
	if !p.formProblem(err, fm) {
		return err
	}
	p.Data = juryAdminData{ErrIn: block}
	return ui.showJuryAdmin(c, p, formStatus(err), block)
}

func (ui *UI) juryAddMember(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	p := ui.newPage(c, "Jury", "Jury")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	id := c.Param("id")
	in := jury.NewMember{UserID: strings.TrimSpace(form.Get("user_id")), Category: form.Get("category"),
		Organisation: strings.TrimSpace(form.Get("organisation"))}
	fm := map[string]field{
		"user_id":      {"user_id", p.L("Membre", "Member")},
		"category":     {"category", p.L("Collège", "College")},
		"organisation": {"organisation", p.L("Organisation", "Organisation")},
		// A composition refused after the addition is the college's doing.
		"members": {"category", ""},
	}
	if err = ui.validate.Validate(in); err == nil {
		_, err = ui.Jury.PutMember(ctx, actor, id, in)
	}
	if err == nil && form.Get("president") != "" {
		_, err = ui.Jury.Update(ctx, actor, id, jury.JuryPatch{PresidentID: &in.UserID})
	}
	if err != nil {
		return ui.juryRefused(c, p, err, "composition", fm)
	}
	return ui.juryChanged(c, p, "composition", p.L("Membre ajouté au jury.", "Member added to the jury."))
}

func (ui *UI) juryRemoveMember(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Jury", "Jury")
	if _, err := ui.Jury.RemoveMember(c.Request().Context(), actor, c.Param("id"), c.Param("uid")); err != nil {
		return ui.juryRefused(c, p, err, "composition", nil)
	}
	return ui.juryChanged(c, p, "composition", p.L("Membre retiré du jury.", "Member removed from the jury."))
}

func (ui *UI) juryPresident(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Jury", "Jury")
	form, err := formOf(c)
	if err != nil {
		return err
	}
	uid := form.Get("user_id")
	if _, err := ui.Jury.Update(c.Request().Context(), actor, c.Param("id"), jury.JuryPatch{PresidentID: &uid}); err != nil {
		return ui.juryRefused(c, p, err, "composition", nil)
	}
	return ui.juryChanged(c, p, "composition", p.L("Président désigné.", "President appointed."))
}

func (ui *UI) juryAssign(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Jury", "Jury")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	in := jury.NewAssignment{CandidateID: strings.TrimSpace(form.Get("candidate_id"))}
	if err = ui.validate.Validate(in); err == nil {
		_, err = ui.Jury.Assign(c.Request().Context(), actor, c.Param("id"), in)
	}
	if err != nil {
		return ui.juryRefused(c, p, err, "candidates", map[string]field{
			"candidate_id": {"candidate_id", p.L("Candidat", "Candidate")},
			// Too few members free of conflict: said next to the choice.
			"members": {"candidate_id", ""},
		})
	}
	return ui.juryChanged(c, p, "candidates", p.L("Candidat affecté au jury.", "Candidate assigned to the jury."))
}

// compRule is one requirement of the composition rule, met or not.
type compRule struct {
	OK   bool
	Text string
}

// CompRules lays the rule out as a checklist against the composition.
func (p *page) CompRules(c jury.Composition) []compRule {
	missing := map[string]bool{}
	for _, f := range c.Missing {
		missing[f.Code] = true
	}
	return []compRule{
		{!missing[jury.FindingTooFew], p.L(fmt.Sprintf("Au moins %d membres : %d", c.MinMembers, c.Members),
			fmt.Sprintf("At least %d members: %d", c.MinMembers, c.Members))},
		{!missing[jury.FindingProfessional], p.L(fmt.Sprintf("Au moins %s de professionnels : %d sur %d", c.ProfessionalRatio, c.Professionals, c.Members),
			fmt.Sprintf("At least %s professionals: %d of %d", c.ProfessionalRatio, c.Professionals, c.Members))},
		{!missing[jury.FindingRepresentative], p.L(fmt.Sprintf("Au moins %d représentant de l'organisme certificateur ou de formation : %d", c.MinRepresentatives, c.Representatives),
			fmt.Sprintf("At least %d certifier or training body representative: %d", c.MinRepresentatives, c.Representatives))},
		{!missing[jury.FindingPresident], p.L("Un président choisi parmi les membres", "A president chosen among the members")},
	}
}

// genderNote is what the pages say of a jury's balance between women and
// men (jury.GenderBalanced): a warning when unbalanced or unknown, never a
// refusal.
type genderNote struct {
	Flag bool // show as a warning
	Text string
	// Unstated says how many members were left out for want of a stated gender.
	Unstated string
}

// GenderNote words the balance of a composition.
func (p *page) GenderNote(c jury.Composition) genderNote {
	var n genderNote
	counts := p.plural(c.Women, "femme", "femmes", "woman", "women") + p.L(" et ", " and ") + p.plural(c.Men, "homme", "hommes", "man", "men")
	switch {
	case c.GenderBalanced:
		n.Text = p.L("Jury équilibré entre femmes et hommes : ", "Jury balanced between women and men: ") + counts + "."
	case c.Women+c.Men == 0:
		n.Flag = true
		n.Text = p.L("Genre des membres non renseigné : l'équilibre entre femmes et hommes ne peut pas être vérifié.",
			"The members' genders are not stated: the balance between women and men cannot be checked.")
	default:
		n.Flag = true
		n.Text = p.L("Jury déséquilibré entre femmes et hommes : ", "Jury unbalanced between women and men: ") + counts +
			p.L(". Rééquilibrez-le si possible ; la composition reste valide.", ". Rebalance it where possible; the composition stays valid.")
	}
	if c.GenderUnstated > 0 && c.Women+c.Men > 0 {
		n.Unstated = p.plural(c.GenderUnstated, "membre sans genre renseigné, non compté.", "membres sans genre renseigné, non comptés.",
			"member with no stated gender, not counted.", "members with no stated gender, not counted.")
	}
	return n
}
