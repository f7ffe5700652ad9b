package webui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
	"github.com/labstack/echo/v4"
)

// The jury's pages sit on jury.Service: it holds the composition, conflict,
// scoring, quorum and signing rules, and the same access checks as the API.
// The pages only translate between form fields and its requests.

type juryCard struct {
	V     jury.View
	Title string
}

// juryHome lists the juries the member sits on (an administrator: every
// jury), each with its candidates.
func (ui *UI) juryHome(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	p := ui.newPage(c, "Mes sessions", "My sessions")
	js, _, err := ui.Jury.List(ctx, actor, "", 100)
	if err != nil {
		return err
	}
	cards := make([]juryCard, 0, len(js))
	for _, j := range js {
		v, err := ui.Jury.Get(ctx, actor, j.ID)
		if err != nil {
			return err
		}
		cards = append(cards, juryCard{V: v, Title: ui.certTitle(j.Certification)})
	}
	p.Data = cards
	return ui.render(c, http.StatusOK, "jury/home", p)
}

func (ui *UI) certTitle(code string) string {
	if c, ok := ui.Referential.Certification(code); ok {
		return c.Title
	}
	return code
}

func (ui *UI) components(code string) []referential.Component {
	if c, ok := ui.Referential.Certification(code); ok {
		return c.Components
	}
	return nil
}

// candidateRow is a candidate on the jury page, as the caller sees them.
type candidateRow struct {
	jury.AssignmentView
	InConflict bool
	// Scored holds the components the caller has scored on every
	// criterion; Progress says "n / m" for each one begun.
	Scored   map[string]bool
	Progress map[string]string
	Decided  bool
}

type juryData struct {
	V          jury.View
	Title      string
	Components []referential.Component
	Candidates []candidateRow
	President  bool // the caller presides, or administers
	Member     bool
	Names      map[string]string
	Minutes    jury.Minutes
	Signed     map[string]bool
	// CanSign: the caller sits on the jury, has not signed, and signing is
	// possible now (the president once a deliberation is recorded; the
	// others once the president has signed).
	CanSign bool
	// Due names the members whose signature is still awaited, once the
	// minutes have something to sign.
	Due []string
	// Decided counts the candidates deliberated upon.
	Decided int
	// PresidentGender agrees « le président » / « la présidente ».
	PresidentGender string
}

// juryPage shows a jury's composition, its candidates with what the caller
// has scored, and the minutes.
func (ui *UI) juryPage(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	v, err := ui.Jury.Get(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	m, err := ui.Jury.Minutes(ctx, actor, v.ID)
	if err != nil {
		return err
	}
	p := ui.newPage(c, "Jury", "Jury")
	d := juryData{V: v, Title: ui.certTitle(v.Certification), Components: ui.components(v.Certification),
		President: actor.Role == auth.RoleAdmin || actor.ID == v.PresidentID, Names: map[string]string{},
		Minutes: m, Signed: map[string]bool{}}
	for _, mb := range v.Members {
		d.Names[mb.UserID] = mb.Name
		d.Member = d.Member || mb.UserID == actor.ID
	}
	for _, s := range m.Signatures {
		d.Signed[s.UserID] = true
	}
	for _, a := range v.Candidates {
		if a.DeliberationID != nil {
			d.Decided++
		}
	}
	for _, mb := range v.Members {
		if mb.UserID == v.PresidentID {
			d.PresidentGender = mb.Gender
		}
		if (v.Final() || d.Decided > 0) && !d.Signed[mb.UserID] {
			d.Due = append(d.Due, mb.Name)
		}
	}
	d.CanSign = d.Member && !d.Signed[actor.ID] && (v.Final() || (actor.ID == v.PresidentID && d.Decided > 0))
	for _, a := range v.Candidates {
		row := candidateRow{AssignmentView: a, Scored: map[string]bool{}, Progress: map[string]string{}, Decided: a.DeliberationID != nil}
		for _, e := range a.Exclusions {
			row.InConflict = row.InConflict || e.UserID == actor.ID
		}
		if d.Member && !row.InConflict && actor.Role == auth.RoleJury {
			evs, err := ui.Jury.Evaluations(ctx, actor, v.ID, a.CandidateID)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.MemberID == actor.ID {
					n, m := len(e.Scores), len(ui.Jury.Grids()[e.Component].Criteria(""))
					row.Scored[e.Component] = n >= m
					row.Progress[e.Component] = fmt.Sprintf("%d / %d", n, m)
				}
			}
		}
		d.Candidates = append(d.Candidates, row)
	}
	p.Title = p.L("Jury du ", "Jury of ") + p.Date(v.SessionDate)
	p.Data = d
	return ui.render(c, http.StatusOK, "jury/jury", p)
}

// assignment finds a candidate in the jury's view, or answers 404.
func assignment(v jury.View, candidateID string) (jury.AssignmentView, error) {
	for _, a := range v.Candidates {
		if a.CandidateID == candidateID {
			return a, nil
		}
	}
	return jury.AssignmentView{}, httpx.NotFound("Ce candidat n'est pas affecté à ce jury.", "This candidate is not assigned to this jury.")
}

type scoreData struct {
	V         jury.Jury
	A         jury.AssignmentView
	Component referential.Component
	Criteria  []jury.Criterion
	Levels    map[string]int // criterion → level, saved or typed
	Comment   string
	Version   int // 0: not scored yet
	Frozen    bool
}

// Scored counts the criteria with a level, saved or typed.
func (d scoreData) Scored() int {
	n := 0
	for _, c := range d.Criteria {
		if d.Levels[c.Code] > 0 {
			n++
		}
	}
	return n
}

// loadScore reads the caller's score sheet (the grid and their saved
// evaluation): one access check, one read. A member in conflict gets the
// French refusal.
func (ui *UI) loadScore(c echo.Context, p *page) (scoreData, error) {
	actor, _ := auth.UserFrom(c)
	sh, err := ui.Jury.ScoreSheet(c.Request().Context(), actor, c.Param("id"), c.Param("cid"), c.Param("comp"))
	if err != nil {
		return scoreData{}, err
	}
	d := ui.scoreData(sh)
	p.Title = d.Component.Code + " — " + d.A.CandidateName
	return d, nil
}

// scoreData is what the scoring page shows of a sheet.
func (ui *UI) scoreData(sh jury.ScoreSheet) scoreData {
	d := scoreData{V: sh.Jury, A: jury.AssignmentView{Assignment: sh.Assignment, CandidateName: sh.CandidateName},
		Criteria: sh.Criteria, Levels: map[string]int{}, Frozen: sh.Frozen(),
		Component: referential.Component{Code: sh.Component, Title: sh.Component}}
	if rc, ok := ui.Referential.Component(sh.Component); ok {
		d.Component = rc
	}
	if e := sh.Evaluation; e != nil {
		d.Version, d.Comment = e.Version, e.Comment
		for _, s := range e.Scores {
			d.Levels[s.Criterion] = s.Level
		}
	}
	return d
}

// scorePage is the grid of one component for one candidate.
func (ui *UI) scorePage(c echo.Context) error {
	p := ui.newPage(c, "Notation", "Scoring")
	d, err := ui.loadScore(c, p)
	if err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "jury/score", p)
}

// scoreSave records the caller's levels. The gate comes first; the save
// itself reads the sheet once, in its transaction, and the page reads it
// again only to show the grid back. A refusal re-shows the grid as typed,
// with the messages next to the criteria; a version conflict says so in
// French and offers the current version to save over.
func (ui *UI) scoreSave(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	juryID, cid, comp := c.Param("id"), c.Param("cid"), c.Param("comp")
	p := ui.newPage(c, "Notation", "Scoring")
	if err := ui.Jury.Gate(ctx, actor, juryID, cid); err != nil {
		return err
	}
	form, err := formOf(c)
	if err != nil {
		return err
	}
	in := jury.NewEvaluation{CandidateID: cid, Component: comp, Comment: form.Get("comment"), Scores: []jury.LevelScore{}}
	if v, err := strconv.Atoi(form.Get("version")); err == nil && v > 0 {
		in.Version = &v
	}
	fields := map[string]field{"comment": {name: "comment", label: p.L("Commentaire", "Comment")}, "scores": {name: "scores"}}
	typed := map[string]int{}
	for _, cr := range ui.Jury.Grids()[comp].Criteria("") {
		raw := form.Get("level." + cr.Code)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			n = 0 // the service's validation names the field
		}
		typed[cr.Code] = n
		fields[fmt.Sprintf("scores[%d].criterion", len(in.Scores))] = field{name: "level." + cr.Code}
		fields[fmt.Sprintf("scores[%d].level", len(in.Scores))] = field{name: "level." + cr.Code, label: cr.Label}
		in.Scores = append(in.Scores, jury.LevelScore{Criterion: cr.Code, Level: n})
	}
	var sh jury.ScoreSheet
	if err = ui.validate.Validate(in); err == nil {
		sh, _, _, err = ui.Jury.SaveScores(ctx, actor, juryID, in)
	}
	if err == nil {
		target := "/jury/" + url.PathEscape(juryID) + "#c-" + url.PathEscape(cid)
		return ui.redirect(c, target, p.L("Notes enregistrées : ", "Scores saved: ")+ui.scoreData(sh).Component.Code+" — "+sh.CandidateName+".")
	}
	// Refused: the grid is shown again as the page shows it (what stops
	// the page stops here first: not assigned, component, grid).
	d, lerr := ui.loadScore(c, p)
	if lerr != nil {
		return lerr
	}
	if !p.formProblem(err, fields) {
		return err
	}
	if pr, ok := httpx.AsProblem(err); ok && pr.Code == "validation" && len(in.Scores) == 0 {
		// The validator's message names the JSON list; the sentence says it
		// in the page's words instead.
		p.FormError = p.L("Choisissez un niveau pour au moins un critère.", "Choose a level for at least one criterion.")
		delete(p.Errors, "scores")
	}
	d.Levels, d.Comment, p.Form = typed, form.Get("comment"), form
	p.Data = d
	return ui.render(c, formStatus(err), "jury/score", p)
}

type componentDecision struct {
	referential.Component
	Scores  *jury.ComponentScores
	Grid    []jury.Criterion
	Flagged map[string]bool
	// Levels is member → criterion → level, for the side-by-side table.
	Levels map[string]map[string]int
}

type deliberationData struct {
	V          jury.View
	A          jury.AssignmentView
	Open       bool
	Components []componentDecision
	Minutes    *jury.MinutesCandidate
	Names      map[string]string
}

func delibPath(juryID, candidateID string) string {
	return "/jury/" + url.PathEscape(juryID) + "/candidates/" + url.PathEscape(candidateID) + "/deliberation"
}

// loadDeliberation gathers the scores side by side (once the deliberation
// is open for a member; always for an administrator) and the decisions
// already taken.
func (ui *UI) loadDeliberation(c echo.Context, p *page) (deliberationData, error) {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	juryID, cid := c.Param("id"), c.Param("cid")
	var d deliberationData
	if actor.Role != auth.RoleAdmin {
		if err := ui.Jury.Gate(ctx, actor, juryID, cid); err != nil {
			return d, err
		}
	}
	v, err := ui.Jury.Get(ctx, actor, juryID)
	if err != nil {
		return d, err
	}
	if actor.Role != auth.RoleAdmin && actor.ID != v.PresidentID {
		return d, httpx.Forbidden("Seul le président du jury ou un administrateur conduit la délibération.",
			"Only the jury's president or an administrator conducts the deliberation.")
	}
	if d.A, err = assignment(v, cid); err != nil {
		return d, err
	}
	d.V, d.Names = v, map[string]string{}
	for _, m := range v.Members {
		d.Names[m.UserID] = m.Name
	}
	d.Open = d.A.OpenedAt != nil || actor.Role == auth.RoleAdmin
	p.Title = p.L("Délibération — ", "Deliberation — ") + d.A.CandidateName
	if !d.Open {
		return d, nil
	}
	sv, err := ui.Jury.Scores(ctx, actor, juryID, cid)
	if err != nil {
		return d, err
	}
	byComp := map[string]*jury.ComponentScores{}
	for i := range sv.Components {
		byComp[sv.Components[i].Component] = &sv.Components[i]
	}
	for _, comp := range ui.components(v.Certification) {
		cd := componentDecision{Component: comp, Scores: byComp[comp.Code], Flagged: map[string]bool{}, Levels: map[string]map[string]int{}}
		if grid, err := ui.Jury.Grid(ctx, actor, juryID, comp.Code); err == nil {
			cd.Grid = grid
		}
		if cd.Scores != nil {
			for _, f := range cd.Scores.Flagged {
				cd.Flagged[f] = true
			}
			for _, m := range cd.Scores.Members {
				cd.Levels[m.UserID] = map[string]int{}
				for _, s := range m.Scores {
					cd.Levels[m.UserID][s.Criterion] = s.Level
				}
			}
		}
		d.Components = append(d.Components, cd)
	}
	if d.A.DeliberationID != nil {
		m, err := ui.Jury.Minutes(ctx, actor, juryID)
		if err != nil {
			return d, err
		}
		for i := range m.Candidates {
			if m.Candidates[i].CandidateID == cid {
				d.Minutes = &m.Candidates[i]
			}
		}
	}
	return d, nil
}

// deliberationPage shows the scores side by side and the decision form.
func (ui *UI) deliberationPage(c echo.Context) error {
	p := ui.newPage(c, "Délibération", "Deliberation")
	d, err := ui.loadDeliberation(c, p)
	if err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "jury/deliberation", p)
}

// openDeliberation freezes the scores and shows them to the jury.
func (ui *UI) openDeliberation(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	if _, err := ui.Jury.OpenDeliberation(c.Request().Context(), actor, c.Param("id"), c.Param("cid")); err != nil {
		return err
	}
	p := ui.newPage(c, "", "")
	return ui.redirect(c, delibPath(c.Param("id"), c.Param("cid")),
		p.L("Délibération ouverte : les notes sont figées.", "Deliberation open: the scores are frozen."))
}

// deliberate records the members present and a decision per component.
func (ui *UI) deliberate(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Délibération", "Deliberation")
	d, err := ui.loadDeliberation(c, p)
	if err != nil {
		return err
	}
	form, err := formOf(c)
	if err != nil {
		return err
	}
	in := jury.NewDeliberation{CandidateID: d.A.CandidateID, PresentMemberIDs: form["present"]}
	fields := map[string]field{
		"present_member_ids": {name: "present"}, "decided_on": {name: "decided_on", label: p.L("Date", "Date")},
		"decisions": {name: "decisions"},
	}
	for i := range in.PresentMemberIDs {
		fields[fmt.Sprintf("present_member_ids[%d]", i)] = field{name: "present"}
	}
	on, derr := civil.Parse(strings.TrimSpace(form.Get("decided_on")))
	if derr == nil {
		in.DecidedOn = on
	}
	for _, comp := range d.Components {
		dec, reason := form.Get("decision."+comp.Code), strings.TrimSpace(form.Get("reason."+comp.Code))
		if dec == "" && reason == "" {
			continue
		}
		i := len(in.Decisions)
		fields[fmt.Sprintf("decisions[%d].decision", i)] = field{name: "decision." + comp.Code}
		fields[fmt.Sprintf("decisions[%d].reason", i)] = field{name: "reason." + comp.Code}
		fields[fmt.Sprintf("decisions[%d].component", i)] = field{name: "decision." + comp.Code}
		in.Decisions = append(in.Decisions, jury.DecisionInput{Component: comp.Code, Decision: dec, Reason: reason})
	}
	if derr != nil {
		err = httpx.Invalid(httpx.Field("decided_on", "Indiquez la date de la délibération (jj/mm/aaaa).",
			"Give the deliberation's date."))
	} else if err = ui.validate.Validate(in); err == nil {
		_, err = ui.Jury.Deliberate(c.Request().Context(), actor, d.V.ID, in)
	}
	if err == nil {
		return ui.redirect(c, "/jury/"+url.PathEscape(d.V.ID),
			p.L("Délibération enregistrée pour ", "Deliberation recorded for ")+d.A.CandidateName+".")
	}
	if !p.formProblem(err, fields) {
		return err
	}
	p.Form = form
	p.Data = d
	return ui.render(c, formStatus(err), "jury/deliberation", p)
}

// signMinutes signs the procès-verbal as the caller (the president first).
func (ui *UI) signMinutes(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	if _, err := ui.Jury.Sign(c.Request().Context(), actor, c.Param("id"), jury.SignRequest{}); err != nil {
		return err
	}
	p := ui.newPage(c, "", "")
	return ui.redirect(c, "/jury/"+url.PathEscape(c.Param("id")), p.L("Procès-verbal signé.", "Minutes signed."))
}

// minutesPDF downloads the procès-verbal.
func (ui *UI) minutesPDF(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	b, m, err := ui.Jury.MinutesPDF(c.Request().Context(), actor, c.Param("id"))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("proces-verbal-%s.pdf", m.Jury.SessionDate)
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", b)
}
