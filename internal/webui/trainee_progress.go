package webui

import (
	"context"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/training"
	"github.com/labstack/echo/v4"
)

// The trainee's progress: the exercises grouped as the catalogue shows them
// (by main component), so that a block's counters count the exercises shown
// under it, on the catalogue and on « Mes progrès » alike.

// Statuses of an exercise on its tile and in the progress table.
const (
	exNew     = "new"     // never handed in
	exOpen    = "open"    // an attempt is in progress
	exPending = "pending" // handed in, waiting for a trainer
	exRetry   = "retry"   // handed in, not passed yet
	exPassed  = "passed"
)

// exerciseRow is one exercise with the trainee's record on it.
type exerciseRow struct {
	training.ScenarioEntry
	P      training.ScenarioProgress
	Status string
	Open   string // the attempt in progress, to resume
}

// exerciseGroup is one block: its exercises and what they add up to.
type exerciseGroup struct {
	Component string
	Title     string
	Rows      []exerciseRow
	Passed    int
	Attempts  int
	Best      *float64
	Last      *float64
	Missed    []missedRule
	Modules   []training.ModuleView
	Ledger    string // the block's status in the ledger ("" when not assessed)
}

type missedRule struct {
	training.MissedRule
	ModuleTitle string
}

// Total is the number of exercises shown in the block.
func (g exerciseGroup) Total() int { return len(g.Rows) }

// exerciseGroups builds the blocks of the catalogue and of the progress page
// from the catalogue, the trainee's progress and their open attempts.
func (ui *UI) exerciseGroups(ctx context.Context, actor auth.User, candidateID string, open map[string]string) ([]exerciseGroup, error) {
	prog, err := ui.Training.Progress(ctx, actor, candidateID)
	if err != nil {
		return nil, err
	}
	byScenario := map[string]training.ScenarioProgress{}
	for _, c := range prog.Components {
		for _, s := range c.Scenarios {
			byScenario[s.Scenario] = s
		}
	}
	var groups []exerciseGroup
	idx := map[string]int{}
	for _, e := range ui.Training.Scenarios() {
		i, ok := idx[e.Component]
		if !ok {
			g := exerciseGroup{Component: e.Component, Title: e.Component}
			if comp, ok := ui.Referential.Component(e.Component); ok {
				g.Title = comp.Title
			}
			groups = append(groups, g)
			i = len(groups) - 1
			idx[e.Component] = i
		}
		g := &groups[i]
		r := exerciseRow{ScenarioEntry: e, P: byScenario[e.ID], Open: open[e.ID]}
		switch {
		case r.P.Passed:
			r.Status = exPassed
		case r.Open != "":
			r.Status = exOpen
		case r.P.PendingReview > 0 && r.P.Last == nil:
			r.Status = exPending
		case r.P.Attempts > 0:
			r.Status = exRetry
		default:
			r.Status = exNew
		}
		if r.P.Passed {
			g.Passed++
		}
		g.Attempts += r.P.Attempts
		if b := r.P.Best; b != nil && (g.Best == nil || *b > *g.Best) {
			g.Best = b
		}
		if l := r.P.Last; l != nil && r.P.LastAt != nil {
			if g.Last == nil || latest(g.Rows, r) {
				g.Last = l
			}
		}
		g.Rows = append(g.Rows, r)
	}
	return groups, nil
}

// latest tells whether r's last result is newer than every row's before it.
func latest(rows []exerciseRow, r exerciseRow) bool {
	for _, o := range rows {
		if o.P.LastAt != nil && o.P.LastAt.After(*r.P.LastAt) {
			return false
		}
	}
	return true
}

type progressData struct {
	Groups []exerciseGroup
}

// progressPage is « Mes progrès »: per block, the attempts, best and last
// scores, each exercise's record, the rules missed most often with the
// module that teaches them, and what remains before the exam.
func (ui *UI) progressPage(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	id, err := ownCandidate(actor)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := ui.newPage(c, "Mes progrès", "My progress")
	open, err := ui.openAttempts(ctx, actor, id)
	if err != nil {
		return err
	}
	groups, err := ui.exerciseGroups(ctx, actor, id, open)
	if err != nil {
		return err
	}
	modules, err := ui.Training.Modules(ctx, actor, id)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, m := range modules {
		titles[m.ID] = m.Title
	}
	ledger, err := ui.componentRows(ctx, id, p.Today)
	if err != nil {
		return err
	}
	for i := range groups {
		g := &groups[i]
		var ps []training.ScenarioProgress
		for _, r := range g.Rows {
			ps = append(ps, r.P)
		}
		for _, m := range training.TopMissed(ps) {
			g.Missed = append(g.Missed, missedRule{MissedRule: m, ModuleTitle: titles[m.Module]})
		}
		for _, m := range modules {
			if m.Component == g.Component {
				g.Modules = append(g.Modules, m)
			}
		}
		for _, l := range ledger {
			if l.Component == g.Component {
				g.Ledger = l.Status
			}
		}
	}
	p.Data = progressData{Groups: groups}
	return ui.render(c, http.StatusOK, "trainee/progress", p)
}

// openAttempts maps each scenario to the trainee's practice attempt still
// open on it.
func (ui *UI) openAttempts(ctx context.Context, actor auth.User, candidateID string) (map[string]string, error) {
	attempts, _, err := ui.Training.List(ctx, actor, training.ListQuery{CandidateID: candidateID, Status: training.InProgress, Limit: 200})
	if err != nil {
		return nil, err
	}
	open := map[string]string{}
	for _, a := range attempts {
		if !a.Expired {
			open[a.Scenario] = a.ID
		}
	}
	return open, nil
}

type moduleData struct {
	M      training.ModuleView
	Course template.HTML
	Rows   []exerciseRow
}

// modulePage shows a module's course and its exercises with the trainee's record.
func (ui *UI) modulePage(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	id, err := ownCandidate(actor)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := ui.Training.Module(ctx, actor, c.Param("id"), id)
	if err != nil {
		return err
	}
	p := ui.newPage(c, m.Title, m.Title)
	open, err := ui.openAttempts(ctx, actor, id)
	if err != nil {
		return err
	}
	groups, err := ui.exerciseGroups(ctx, actor, id, open)
	if err != nil {
		return err
	}
	d := moduleData{M: m, Course: courseHTML(m.Course)}
	for _, s := range m.Scenarios {
		for _, g := range groups {
			for _, r := range g.Rows {
				if r.ID == s.ID {
					d.Rows = append(d.Rows, r)
				}
			}
		}
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "trainee/module", p)
}

var boldRe = regexp.MustCompile(`\*\*([^*]+)\*\*`)

// courseHTML renders the little Markdown the courses use — headings, lists,
// paragraphs, bold — escaping everything else. The first heading is the
// module's title, already the page's.
func courseHTML(md string) template.HTML {
	var b strings.Builder
	inline := func(s string) string {
		return boldRe.ReplaceAllString(template.HTMLEscapeString(s), "<strong>$1</strong>")
	}
	var para []string
	inList := false
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
	}
	first := true
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
			closeList()
		case strings.HasPrefix(t, "#"):
			flush()
			closeList()
			level := len(t) - len(strings.TrimLeft(t, "#"))
			text := strings.TrimSpace(t[level:])
			if first && level == 1 {
				first = false
				continue
			}
			first = false
			h := "h2"
			if level > 2 {
				h = "h3"
			}
			b.WriteString("<" + h + ">" + inline(text) + "</" + h + ">\n")
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* "):
			flush()
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			b.WriteString("<li>" + inline(strings.TrimSpace(t[2:])))
			b.WriteString("</li>\n")
		case inList && strings.HasPrefix(line, "  "):
			// A list item's continuation line: glue it to the item.
			s := b.String()
			s = strings.TrimSuffix(s, "</li>\n") + " " + inline(t) + "</li>\n"
			b.Reset()
			b.WriteString(s)
		default:
			closeList()
			para = append(para, t)
			first = false
		}
	}
	flush()
	closeList()
	return template.HTML(b.String()) //nolint:gosec // every piece of text is escaped above
}
