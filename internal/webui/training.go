package webui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/internal/training"
	"github.com/labstack/echo/v4"
)

// The trainee's pages sit on training.Service: it draws the case, keeps the
// answers (autosave), grades once and applies the ownership rule. The pages
// only translate between form fields and the service's JSON answers.

type catalogueData struct {
	Candidate candidates.Candidate
	Groups    []exerciseGroup
	Open      []training.AttemptSummary // in progress, to resume
	Recent    []training.AttemptSummary // submitted, newest first
	Ledger    []componentRow
}

func ownCandidate(actor auth.User) (string, error) {
	if actor.CandidateID == nil {
		return "", httpx.NotFound("Aucun dossier candidat n'est lié à ce compte.", "No candidate record is linked to this account.")
	}
	return *actor.CandidateID, nil
}

// catalogue lists the scenarios by component with the trainee's progress on
// each, the attempts to resume and the last results.
func (ui *UI) catalogue(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	id, err := ownCandidate(actor)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := ui.newPage(c, "Exercices", "Exercises")
	d := catalogueData{}
	if d.Candidate, err = ui.Candidates.Get(ctx, actor, id); err != nil {
		return err
	}
	attempts, _, err := ui.Training.List(ctx, actor, training.ListQuery{CandidateID: id, Limit: 200})
	if err != nil {
		return err
	}
	open := map[string]string{}
	for i := len(attempts) - 1; i >= 0; i-- {
		a := attempts[i]
		if a.Status == training.InProgress && !a.Expired {
			d.Open = append(d.Open, a)
			if _, ok := open[a.Scenario]; !ok && a.Mode == training.Practice {
				open[a.Scenario] = a.ID
			}
		} else if a.Status != training.InProgress && a.Status != training.Abandoned && len(d.Recent) < 8 {
			d.Recent = append(d.Recent, a)
		}
	}
	// A block's counter counts the exercises shown under it.
	if d.Groups, err = ui.exerciseGroups(ctx, actor, id, open); err != nil {
		return err
	}
	if d.Ledger, err = ui.componentRows(ctx, id, p.Today); err != nil {
		return err
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "trainee/catalogue", p)
}

// startAttempt opens a practice attempt and goes to the player.
func (ui *UI) startAttempt(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	// A second start of the same exercise resumes the one still open.
	if id, ok, err := ui.Training.OpenAttempt(c.Request().Context(), actor, c.Param("id")); err != nil {
		return err
	} else if ok {
		return ui.redirect(c, "/training/attempts/"+url.PathEscape(id), "")
	}
	v, err := ui.Training.Start(c.Request().Context(), actor, c.Param("id"), training.StartRequest{Mode: training.Practice})
	if err != nil {
		return err
	}
	return ui.redirect(c, "/training/attempts/"+url.PathEscape(v.ID), "")
}

// taskView is a task with the trainee's answer laid out for the form.
type taskView struct {
	scenario.PublicTask
	N        int
	Value    string            // single choice, number, date, free text
	Checked  map[string]bool   // multiple choice
	Fields   map[string]string // plan
	Chat     []bubble          // dialogue so far
	Replies  []scenario.PublicReply
	Ended    bool
	Path     string // dialogue reply ids, comma-separated
	Item     *scenario.Item
	Feedback []string
	Ethics   []ethicsFlag // the call's violations, named
}

// ethicsFlag is a violation of the code of conduct as the result names it
// (the grader's code, e.g. "disclosure", is never shown).
type ethicsFlag struct{ FR, EN, Rule string }

var ethicsEN = map[string]string{
	"threat":        "threat",
	"pressure":      "pressure or harassment",
	"disclosure":    "disclosure of the debt to a third party",
	"impersonation": "posing as a commissaire de justice",
}

func ethicsFlags(codes []string) []ethicsFlag {
	var out []ethicsFlag
	for _, c := range codes {
		f, ok := scenario.EthicsFlags[c]
		if !ok {
			f.FR = c
		}
		en := ethicsEN[c]
		if en == "" {
			en = f.FR
		}
		out = append(out, ethicsFlag{FR: f.FR, EN: en, Rule: f.Rule})
	}
	return out
}

type bubble struct {
	Who, Text string
	Mine      bool
}

type attemptData struct {
	A        training.AttemptView
	Tasks    []taskView
	Deadline string // RFC 3339
	// Remaining is the time left in seconds by the server's clock; the
	// countdown runs from it. RemainingText is its m:ss for a page without
	// script.
	Remaining     int
	RemainingText string
	Result        *scenario.Result
	Case          []caseLine
	// Confirm shows the last question before the copy is handed in, with
	// the tasks still without an answer.
	Confirm    bool
	Unanswered []taskView
	// ConfirmAbandon asks once more before an open exercise is abandoned.
	ConfirmAbandon bool
}

type caseLine struct{ Key, Value string }

// attemptPage is the player while the attempt is open, the result after.
func (ui *UI) attemptPage(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	a, err := ui.Training.Get(c.Request().Context(), actor, c.Param("id"))
	if err != nil {
		return err
	}
	p := ui.newPage(c, a.Title, a.Title)
	d := buildAttempt(a)
	if left := int(a.Deadline.Sub(ui.Now()) / time.Second); left > 0 {
		d.Remaining = left
		d.RemainingText = fmt.Sprintf("%d:%02d", left/60, left%60)
	} else {
		d.RemainingText = p.L("Temps écoulé", "Time is up")
	}
	if c.QueryParam("confirm") == "1" {
		d.Confirm = true
		for _, t := range d.Tasks {
			if !t.answered(a.Answers[t.ID]) {
				d.Unanswered = append(d.Unanswered, t)
			}
		}
	}
	d.ConfirmAbandon = c.QueryParam("abandon") == "1" && a.Mode == training.Practice
	p.Data = d
	if a.Status == training.InProgress && !a.Expired {
		return ui.render(c, http.StatusOK, "trainee/player", p)
	}
	return ui.render(c, http.StatusOK, "trainee/result", p)
}

func buildAttempt(a training.AttemptView) attemptData {
	d := attemptData{A: a, Deadline: a.Deadline.UTC().Format(time.RFC3339), Result: a.Result}
	items := map[string]*scenario.Item{}
	if a.Result != nil {
		for i := range a.Result.Items {
			items[a.Result.Items[i].Task] = &a.Result.Items[i]
		}
	}
	for i, t := range a.Tasks {
		tv := taskView{PublicTask: t, N: i + 1, Checked: map[string]bool{}, Fields: map[string]string{}, Item: items[t.ID]}
		raw := a.Answers[t.ID]
		switch t.Type {
		case scenario.MultipleChoice, scenario.LetterMentions:
			var ids []string
			_ = json.Unmarshal(raw, &ids) // an unreadable saved answer shows as unanswered
			for _, id := range ids {
				tv.Checked[id] = true
			}
		case scenario.PlanTask:
			var m map[string]json.RawMessage
			_ = json.Unmarshal(raw, &m)
			for k, v := range m {
				tv.Fields[k] = scalarText(v)
			}
		case scenario.DialogueTask:
			var path []string
			_ = json.Unmarshal(raw, &path)
			tv.Path = strings.Join(path, ",")
			walkDialogue(&tv, path)
		default:
			tv.Value = scalarText(raw)
		}
		if tv.Item != nil {
			fb := tv.Item.Feedback
			if len(tv.Item.Steps) > 0 && tv.Item.Summary != "" {
				fb = tv.Item.Summary // the replies' notes are in the steps
			}
			tv.Feedback = paragraphs(fb)
			tv.Ethics = ethicsFlags(tv.Item.Flags)
		}
		d.Tasks = append(d.Tasks, tv)
	}
	return d
}

// answered tells whether a task has an answer worth the name: a call held
// to its end, a choice made, a field filled.
func (t taskView) answered(raw json.RawMessage) bool {
	if t.Type == scenario.DialogueTask {
		return t.Ended
	}
	switch strings.TrimSpace(string(raw)) {
	case "", "null", `""`, "[]", "{}":
		return false
	}
	if t.Type == scenario.PlanTask {
		for _, v := range t.Fields {
			if strings.TrimSpace(v) != "" {
				return true
			}
		}
		return false
	}
	return true
}

func paragraphs(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// scalarText shows a saved JSON scalar in an input: strings as they are,
// numbers with a decimal comma as French readers type them.
func scalarText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return strings.Replace(string(raw), ".", ",", 1)
}

// walkDialogue replays the call: the other party's lines, the trainee's
// replies, and the replies offered now.
func walkDialogue(tv *taskView, path []string) {
	d := tv.Dialogue
	if d == nil {
		return
	}
	nodes := map[string]scenario.PublicNode{}
	for _, n := range d.Nodes {
		nodes[n.ID] = n
	}
	cur, ok := nodes[d.Start]
	for step := 0; ok; step++ {
		tv.Chat = append(tv.Chat, bubble{Who: cur.Speaker, Text: cur.Line})
		if cur.End || len(cur.Replies) == 0 {
			tv.Ended = true
			return
		}
		if step >= len(path) {
			tv.Replies = cur.Replies
			return
		}
		var next string
		found := false
		for _, r := range cur.Replies {
			if r.ID == path[step] {
				tv.Chat = append(tv.Chat, bubble{Text: r.Text, Mine: true})
				next, found = r.Next, true
			}
		}
		if !found {
			tv.Replies = cur.Replies
			return
		}
		cur, ok = nodes[next]
	}
}

// answersFromForm turns the player's fields into the service's answers:
// only the tasks the form carries, so that an autosave never blanks a task
// that is not on the page.
func answersFromForm(a training.AttemptView, form url.Values) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	put := func(id string, v any) {
		if b, err := json.Marshal(v); err == nil {
			out[id] = b
		}
	}
	for _, t := range a.Tasks {
		key := "t." + t.ID
		switch t.Type {
		case scenario.MultipleChoice, scenario.LetterMentions:
			if _, ok := form[key+".present"]; ok {
				put(t.ID, append([]string{}, form[key]...))
			}
		case scenario.PlanTask:
			m := map[string]any{}
			for _, f := range t.Fields {
				v := strings.TrimSpace(form.Get(key + "." + f.ID))
				if v == "" {
					continue
				}
				m[f.ID] = formScalar(v, f.Unit)
			}
			if len(m) > 0 {
				put(t.ID, m)
			}
		case scenario.DialogueTask:
			path := splitPath(form.Get(key))
			if r := form.Get("_reply"); strings.HasPrefix(r, t.ID+":") {
				path = append(path, strings.TrimPrefix(r, t.ID+":"))
			}
			if form.Get("_restart") == t.ID {
				path = []string{}
			}
			if path != nil {
				put(t.ID, path)
			}
		case scenario.Number:
			if v := strings.TrimSpace(form.Get(key)); v != "" {
				put(t.ID, formScalar(v, "number"))
			}
		default:
			if v, ok := form[key]; ok && strings.TrimSpace(v[0]) != "" {
				put(t.ID, strings.TrimSpace(v[0]))
			}
		}
	}
	return out
}

func splitPath(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// formScalar reads a typed figure: "1 234,56" or "1234.56" as a number,
// "true"/"false" for yes/no; anything else stays text, which the grader
// marks as unreadable with its own feedback.
func formScalar(v, unit string) any {
	if unit == "bool" {
		return v == "true"
	}
	n := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "€", "", ",", ".").Replace(v)
	if f, err := strconv.ParseFloat(n, 64); err == nil {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return v
}

// saveAttempt autosaves (htmx/fetch: a one-line status), or for a reply in
// the call saves and answers the call again (htmx) or the page at the newest
// line (a plain form post), or for the "Save" button shows the player again.
func (ui *UI) saveAttempt(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	a, err := ui.Training.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	form, err := formOf(c)
	if err != nil {
		return err
	}
	p := ui.newPage(c, a.Title, a.Title)
	res, err := ui.Training.Save(ctx, actor, id, answersFromForm(a, form))
	call := form.Get("_restart")
	if r := form.Get("_reply"); r != "" {
		call, _, _ = strings.Cut(r, ":")
	}
	if p.HX && call == "" {
		msg := ""
		if err != nil {
			pr, ok := httpx.AsProblem(err)
			if !ok || pr.Status >= 500 {
				return err
			}
			msg = p.T("form.not_saved", p.L(pr.FR, pr.EN))
		} else {
			msg = p.T("form.saved_at", res.SavedAt.In(civil.Paris).Format("15:04:05"))
		}
		return c.String(http.StatusOK, msg)
	}
	target := "/training/attempts/" + url.PathEscape(id)
	if err != nil {
		if pr, ok := httpx.AsProblem(err); ok && p.HX && pr.Status < 500 {
			// A reply refused (time up, copy handed in elsewhere): the
			// whole page again, with the reason.
			return ui.redirect(c, target, p.L(pr.FR, pr.EN))
		}
		return err
	}
	if call != "" {
		a.Answers = res.Answers
		if p.HX {
			// htmx swaps the call alone: the page stays where it is.
			f, ok := callFragmentOf(a, call)
			if !ok {
				return ui.redirect(c, target, "")
			}
			p.Data = f
			return ui.renderBlock(c, http.StatusOK, "trainee/player", "call-fragment", p)
		}
		// Without script the page comes back at the newest line, with the
		// replies under it (a page scrolled to the task's title left them
		// under the sticky bar).
		target += "#now-" + url.PathEscape(call)
	}
	return ui.redirect(c, target, p.T("form.saved"))
}

// callFragment is one call as htmx swaps it after a reply, with the newest
// line of the other party for the live region.
type callFragment struct {
	taskView
	Attempt string
	Newest  *bubble
}

func callFragmentOf(a training.AttemptView, task string) (callFragment, bool) {
	for _, tv := range buildAttempt(a).Tasks {
		if tv.ID != task || tv.Type != scenario.DialogueTask {
			continue
		}
		f := callFragment{taskView: tv, Attempt: a.ID}
		if n := len(tv.Chat); n > 0 && !tv.Chat[n-1].Mine {
			f.Newest = &tv.Chat[n-1]
		}
		return f, true
	}
	return callFragment{}, false
}

// submitAttempt hands the copy in with the answers on the page, then shows
// the result.
func (ui *UI) submitAttempt(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	a, err := ui.Training.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	form, err := formOf(c)
	if err != nil {
		return err
	}
	answers := answersFromForm(a, form)
	if form.Get("confirm") != "yes" {
		// A copy handed in cannot be taken back: the answers on the page
		// are saved, and the page asks once more, naming the tasks left
		// without an answer.
		if _, err := ui.Training.Save(ctx, actor, id, answers); err != nil {
			return err
		}
		return ui.redirect(c, "/training/attempts/"+url.PathEscape(id)+"?confirm=1#confirm-submit", "")
	}
	if _, err := ui.Training.Submit(ctx, actor, id, answers); err != nil {
		return err
	}
	p := ui.newPage(c, "", "")
	return ui.redirect(c, "/training/attempts/"+url.PathEscape(id), p.L("Copie rendue.", "Submitted."))
}

// abandonAttempt abandons an open practice exercise, after one more
// question: it is then closed without a result and left out of the progress.
func (ui *UI) abandonAttempt(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	id := c.Param("id")
	form, err := formOf(c)
	if err != nil {
		return err
	}
	if form.Get("confirm") != "yes" {
		return ui.redirect(c, "/training/attempts/"+url.PathEscape(id)+"?abandon=1#confirm-abandon", "")
	}
	if _, err := ui.Training.Abandon(c.Request().Context(), actor, id); err != nil {
		return err
	}
	p := ui.newPage(c, "", "")
	return ui.redirect(c, "/training", p.L("Exercice abandonné : il ne compte pas dans vos progrès.",
		"Exercise abandoned: it does not count in your progress."))
}
