package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
)

// Result is a graded attempt, the shape of the API's submit response (OpenAPI).
type Result struct {
	Score         float64 `json:"score"`
	MaxScore      float64 `json:"max_score"`
	Percent       float64 `json:"percent"`
	PassMark      int     `json:"pass_mark"`
	Passed        bool    `json:"passed"`
	PendingReview bool    `json:"pending_review"` // free-text items wait for a trainer; Passed is provisional (false)
	EthicsFailure bool    `json:"ethics_failure"` // a call broke the code of conduct: not passed, whatever the score
	Items         []Item  `json:"items"`
}

// Item is the grade of one task.
type Item struct {
	Task      string           `json:"task"`
	Type      string           `json:"type"`
	Correct   bool             `json:"correct"`
	Points    float64          `json:"points"`
	MaxPoints float64          `json:"max_points"`
	Feedback  string           `json:"feedback"`
	Rule      string           `json:"rule"`
	Pending   bool             `json:"pending,omitempty"`
	Flags     []string         `json:"flags,omitempty"`    // ethics violations of a dialogue
	Criteria  []CriterionScore `json:"criteria,omitempty"` // a reviewed free-text item
	Steps     []CallStep       `json:"steps,omitempty"`    // a call, exchange by exchange
	Summary   string           `json:"summary,omitempty"`  // a call: Feedback less the reply-by-reply notes, which Steps hold
}

// CriterionScore is a trainer's mark on one rubric criterion.
type CriterionScore struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"max_points"`
}

// Grade marks an answer sheet for case c. The keys are computed by the engine
// on c, so a drawn variant is graded against its own law. A missing or
// malformed answer is a wrong answer with feedback; Grade never panics.
func Grade(s Scenario, c Case, p law.Parameters, answers map[string]json.RawMessage) Result {
	out := law.Evaluate(c.Input, p)
	g := &grader{s: s, c: c, out: out}
	g.r = renderer{s: s, in: &g.c.Input, out: &g.out}
	res := Result{PassMark: s.Mark(), Items: make([]Item, 0, len(s.Tasks))}
	for _, t := range s.Tasks {
		it := g.gradeTask(t, answers[t.ID])
		if len(it.Flags) > 0 {
			res.EthicsFailure = true
		}
		res.Items = append(res.Items, it)
	}
	res.total()
	return res
}

func (res *Result) total() {
	res.Score, res.MaxScore, res.PendingReview = 0, 0, false
	for _, it := range res.Items {
		res.Score += it.Points
		res.MaxScore += it.MaxPoints
		if it.Pending {
			res.PendingReview = true
		}
		if len(it.Flags) > 0 {
			res.EthicsFailure = true
		}
	}
	res.Score, res.MaxScore = round2(res.Score), round2(res.MaxScore)
	if res.MaxScore > 0 {
		res.Percent = math.Round(res.Score/res.MaxScore*1000) / 10
	}
	res.Passed = !res.PendingReview && !res.EthicsFailure && res.MaxScore > 0 &&
		res.Score*100 >= float64(res.PassMark)*res.MaxScore-1e-9
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

type grader struct {
	s   Scenario
	c   Case
	out law.Output
	r   renderer
}

// gradeTask never lets a broken scenario or a strange answer escape as a panic.
func (g *grader) gradeTask(t Task, ans json.RawMessage) (it Item) {
	defer func() {
		if rec := recover(); rec != nil {
			it = g.unreadableKey(t, fmt.Errorf("%v", rec))
		}
	}()
	if len(ans) > 0 && string(ans) == "null" {
		ans = nil
	}
	switch t.Type {
	case SingleChoice, MultipleChoice, LetterMentions:
		return g.choice(t, ans)
	case Number, DateTask:
		return g.scalar(t, ans)
	case PlanTask:
		return g.plan(t, ans)
	case DialogueTask:
		return g.dialogue(t, ans)
	case FreeText:
		return g.freeText(t, ans)
	}
	return g.unreadableKey(t, fmt.Errorf("unknown task type %q", t.Type))
}

// unreadableKey marks an item whose key cannot be computed (a scenario that
// escaped Check): the trainee is not penalised, a trainer reviews it.
func (g *grader) unreadableKey(t Task, err error) Item {
	return Item{Task: t.ID, Type: t.Type, Pending: true, MaxPoints: taskPointsHint(t),
		Feedback: "Question à revoir par un formateur : la réponse attendue n'a pas pu être calculée (" + err.Error() + ").",
		Rule:     t.Rule}
}

func taskPointsHint(t Task) float64 {
	if t.Points > 0 {
		return t.Points
	}
	return 1
}

func (t Task) points() float64 {
	switch t.Type {
	case PlanTask:
		var sum float64
		for _, f := range t.Fields {
			sum += f.points()
		}
		return sum
	case FreeText:
		var sum float64
		for _, c := range t.Rubric {
			sum += c.Points
		}
		return sum
	}
	if t.Points > 0 {
		return t.Points
	}
	return 1
}

func (f PlanField) points() float64 {
	if f.Points > 0 {
		return f.Points
	}
	return 1
}

// rule cites the law for an item: the nearest rule the engine gave on the
// key's path, else the task's rule, else the rules of the section.
func (g *grader) rule(t Task, ev evaluation) string {
	if n := len(ev.rules); n > 0 {
		return strings.Join(ev.rules, " ; ")
	}
	if t.Rule != "" {
		return t.Rule
	}
	return g.sectionRule(t.Key)
}

func (g *grader) sectionRule(key string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(key, "not "), "!"), ".")
	var rules []string
	switch first {
	case "limitation":
		if g.out.Limitation != nil {
			rules = appendRules(rules, g.out.Limitation.Rule)
		}
	case "claimable":
		if g.out.Claimable != nil {
			for _, it := range g.out.Claimable.Refused {
				rules = appendRules(rules, it.Rule)
			}
			for _, it := range g.out.Claimable.Allowed {
				rules = appendRules(rules, it.Rule)
			}
		}
	case "letter":
		rules = append(rules, "CPCE R124-4")
	case "plan":
		if g.out.Plan != nil {
			rules = appendRules(rules, g.out.Plan.Rule)
		}
	case "situation":
		if g.out.Situation != nil {
			for _, d := range g.out.Situation.Deadlines {
				rules = appendRules(rules, d.Rule)
			}
		}
	}
	return strings.Join(rules, " ; ")
}

// explain is the task's explanation and the engine's own findings on the
// rule cited, so the feedback says why in the variant's terms.
func (g *grader) explain(t Task, rule string) string {
	var parts []string
	if t.Explain != "" {
		parts = append(parts, strings.TrimSpace(g.r.render(t.Explain)))
	}
	if rule != "" {
		n := 0
		for _, f := range g.out.Findings {
			if f.Message == "" || f.Rule == "" || !(strings.Contains(rule, f.Rule) || strings.HasPrefix(f.Rule, rule)) {
				continue
			}
			parts = append(parts, strings.TrimSpace(f.Message))
			if n++; n == 2 {
				break
			}
		}
	}
	return strings.Join(parts, " ")
}

func join(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, " ")
}

func verdict(correct bool) string {
	if correct {
		return "Exact."
	}
	return "Inexact."
}

// ---- choices and sets ----

// correctOptions says which options are right, and the rule behind them.
func (g *grader) correctOptions(t Task) ([]Option, []bool, string, error) {
	opts := t.Options
	if t.Type == LetterMentions && len(opts) == 0 {
		opts = DefaultLetterOptions()
	}
	right := make([]bool, len(opts))
	var rules []string
	staticKey := t.Key == "" && !slices.ContainsFunc(opts, func(o Option) bool { return o.Key != "" })
	switch {
	case staticKey:
		for i, o := range opts {
			right[i] = o.Correct != nil && *o.Correct
			if right[i] {
				rules = appendRules(rules, o.Rule)
			}
		}
		if t.Rule != "" {
			rules = appendRules([]string{t.Rule}, rules...)
		}
		return opts, right, strings.Join(rules, " ; "), nil
	case t.Key == "" && t.Type != LetterMentions:
		for i, o := range opts {
			if o.Key == "" {
				// An option that is never right whatever the case (a step
				// the law never allows) may say so with correct: false.
				if o.Correct == nil || *o.Correct {
					return nil, nil, "", fmt.Errorf("option %s has no key", o.ID)
				}
				continue
			}
			ev, err := evalExpr(g.out, o.Key)
			if err != nil {
				return nil, nil, "", err
			}
			b, ok := ev.val.(bool)
			if !ok {
				return nil, nil, "", fmt.Errorf("option %s: key %q is not yes/no", o.ID, o.Key)
			}
			right[i] = b
			if b {
				r := g.rule(Task{Rule: o.Rule, Key: o.Key}, ev)
				rules = appendRules(rules, strings.Split(r, " ; ")...)
			}
		}
		if len(rules) == 0 {
			rules = appendRules(rules, t.Rule)
		}
		return opts, right, strings.Join(rules, " ; "), nil
	}
	key := t.Key
	if key == "" {
		key = "letter.missing"
	}
	ev, err := evalExpr(g.out, key)
	if err != nil {
		return nil, nil, "", err
	}
	for i, o := range opts {
		if t.Type == LetterMentions {
			right[i] = listHas(ev.val, o.ID)
			continue
		}
		if len(o.Value) == 0 {
			return nil, nil, "", fmt.Errorf("option %s has no value", o.ID)
		}
		m, err := matches(ev.val, o.Value)
		if err != nil {
			return nil, nil, "", fmt.Errorf("option %s: %w", o.ID, err)
		}
		right[i] = m
	}
	if t.Type == LetterMentions {
		// A code the engine expects must be offered, or the task cannot be right.
		if l, ok := ev.val.([]any); ok {
			for _, x := range l {
				if !slices.ContainsFunc(opts, func(o Option) bool { return o.ID == text(x) }) {
					return nil, nil, "", fmt.Errorf("the engine expects %s, which no option offers", text(x))
				}
			}
		}
	}
	return opts, right, g.rule(Task{Key: key, Rule: t.Rule}, ev), nil
}

func listHas(v any, word string) bool {
	l, ok := v.([]any)
	return ok && slices.ContainsFunc(l, func(x any) bool { return text(x) == word })
}

// matches compares an engine value with an option's value from the file.
// A list key (multiple choice) matches the options it contains.
func matches(v any, raw json.RawMessage) (bool, error) {
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			if ok, err := matches(el, raw); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case bool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return false, fmt.Errorf("value %s is not yes/no", raw)
		}
		return b == x, nil
	case int64:
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return false, fmt.Errorf("value %s is not a whole number", raw)
		}
		return n == x, nil
	case money.Cents:
		var c money.Cents
		if err := json.Unmarshal(raw, &c); err != nil {
			return false, fmt.Errorf("value %s is not an amount", raw)
		}
		return c == x, nil
	case civil.Date:
		var d civil.Date
		if err := json.Unmarshal(raw, &d); err != nil {
			return false, fmt.Errorf("value %s is not a date", raw)
		}
		return d == x, nil
	case law.Rate:
		var r law.Rate
		if err := json.Unmarshal(raw, &r); err != nil {
			return false, fmt.Errorf("value %s is not a rate", raw)
		}
		return r == x, nil
	case string:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return false, fmt.Errorf("value %s is not a word", raw)
		}
		return s == x, nil
	}
	return false, fmt.Errorf("the key's value cannot be compared with %s", raw)
}

func (g *grader) choice(t Task, ans json.RawMessage) Item {
	it := Item{Task: t.ID, Type: t.Type, MaxPoints: t.points()}
	opts, right, rule, err := g.correctOptions(t)
	if err != nil {
		return g.unreadableKey(t, err)
	}
	it.Rule = rule
	label := func(o Option) string {
		if t.Type == LetterMentions {
			return o.ID + " (" + g.r.render(o.Label) + ")"
		}
		return "« " + g.r.render(o.Label) + " »"
	}
	var expected []string
	for i, o := range opts {
		if right[i] {
			expected = append(expected, label(o))
		}
	}
	exp := "aucune"
	if len(expected) > 0 {
		exp = strings.Join(expected, ", ")
	}
	explain := g.explain(t, rule)

	// Read the answer: one option id, or a list of them.
	var chosen []string
	var problem string
	switch {
	case ans == nil:
		problem = "Pas de réponse."
	case t.Type == SingleChoice:
		var id string
		if err := json.Unmarshal(ans, &id); err != nil {
			problem = "Réponse illisible : une seule option était attendue."
		} else {
			chosen = []string{id}
		}
	default:
		if err := json.Unmarshal(ans, &chosen); err != nil {
			problem = "Réponse illisible : une liste d'options était attendue."
		}
	}
	if problem == "" {
		for _, id := range chosen {
			if !slices.ContainsFunc(opts, func(o Option) bool { return o.ID == id }) {
				problem = fmt.Sprintf("Réponse illisible : l'option %q n'existe pas.", id)
				break
			}
		}
	}
	if problem != "" {
		it.Feedback = join(problem, "Réponse attendue : "+exp+".", explain)
		return it
	}

	var hits, wrong, want int
	var notes []string
	for i, o := range opts {
		picked := slices.Contains(chosen, o.ID)
		if right[i] {
			want++
		}
		switch {
		case picked && right[i]:
			hits++
		case picked && !right[i]:
			wrong++
			notes = append(notes, fmt.Sprintf("%s n'est pas une bonne réponse.", upperFirst(label(o))))
			if o.Explain != "" {
				notes = append(notes, g.r.render(o.Explain))
			}
		case !picked && right[i] && t.Type != SingleChoice:
			notes = append(notes, fmt.Sprintf("Il manquait %s.", label(o)))
			if o.Explain != "" {
				notes = append(notes, g.r.render(o.Explain))
			}
		case !picked && right[i] && o.Explain != "":
			notes = append(notes, g.r.render(o.Explain))
		}
	}
	it.Correct = hits == want && wrong == 0
	switch {
	case it.Correct:
		it.Points = it.MaxPoints
	case t.Type != SingleChoice && t.Scoring != "exact" && want > 0:
		it.Points = round2(it.MaxPoints * math.Max(0, float64(hits-wrong)) / float64(want))
	}
	if it.Correct {
		it.Feedback = join(verdict(true), explain)
	} else {
		it.Feedback = join(verdict(false), "Réponse attendue : "+exp+".", strings.Join(notes, " "), explain)
	}
	return it
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	if strings.HasPrefix(s, "« ") {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}

// ---- numbers and dates ----

// scalarKey is the expected value of a number or date task, computed or fixed.
func (g *grader) scalarKey(t Task) (any, string, error) {
	if t.Key == "" {
		if len(t.Answer) == 0 {
			return nil, "", errors.New("no key and no answer")
		}
		if t.Type == DateTask {
			var d civil.Date
			if err := json.Unmarshal(t.Answer, &d); err != nil || d.IsZero() {
				return nil, "", fmt.Errorf("answer %s is not a date", t.Answer)
			}
			return d, t.Rule, nil
		}
		var c money.Cents
		if err := json.Unmarshal(t.Answer, &c); err != nil {
			return nil, "", fmt.Errorf("answer %s is not a number", t.Answer)
		}
		if c%100 == 0 {
			return int64(c / 100), t.Rule, nil
		}
		return c, t.Rule, nil
	}
	ev, err := evalExpr(g.out, t.Key)
	if err != nil {
		return nil, "", err
	}
	switch ev.val.(type) {
	case money.Cents, int64:
		if t.Type != Number {
			return nil, "", fmt.Errorf("key %q is a number, the task a date", t.Key)
		}
	case civil.Date:
		if t.Type != DateTask {
			return nil, "", fmt.Errorf("key %q is a date, the task a number", t.Key)
		}
		if ev.val.(civil.Date).IsZero() {
			return nil, "", fmt.Errorf("key %q has no date", t.Key)
		}
	default:
		return nil, "", fmt.Errorf("key %q is not a number or a date", t.Key)
	}
	return ev.val, g.rule(t, ev), nil
}

// readScalar reads an answer of the key's kind; amounts in euros, as in the API.
func readScalar(kind any, ans json.RawMessage) (any, error) {
	switch kind.(type) {
	case money.Cents:
		var c money.Cents
		if err := json.Unmarshal(ans, &c); err != nil {
			return nil, errors.New("un montant en euros était attendu (par exemple 1234.56)")
		}
		return c, nil
	case int64:
		var c money.Cents // accepts 3, 3.0 and "3"
		if err := json.Unmarshal(ans, &c); err != nil || c%100 != 0 {
			return nil, errors.New("un nombre entier était attendu")
		}
		return int64(c / 100), nil
	case civil.Date:
		var d civil.Date
		if err := json.Unmarshal(ans, &d); err != nil || d.IsZero() {
			return nil, errors.New("une date AAAA-MM-JJ était attendue")
		}
		return d, nil
	case bool:
		var b bool
		if err := json.Unmarshal(ans, &b); err != nil {
			return nil, errors.New("oui (true) ou non (false) était attendu")
		}
		return b, nil
	}
	return nil, errors.New("réponse inattendue")
}

// distance is |a−b| in the key's unit (cents, days, units), or -1 when the
// kinds differ.
func distance(a, b any) int64 {
	switch x := a.(type) {
	case money.Cents:
		if y, ok := b.(money.Cents); ok {
			return abs(int64(x - y))
		}
	case int64:
		if y, ok := b.(int64); ok {
			return abs(x - y)
		}
	case civil.Date:
		if y, ok := b.(civil.Date); ok {
			return abs(int64(x.DaysUntil(y)))
		}
	case bool:
		if y, ok := b.(bool); ok {
			if x == y {
				return 0
			}
			return 1
		}
	}
	return -1
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (g *grader) scalar(t Task, ans json.RawMessage) Item {
	it := Item{Task: t.ID, Type: t.Type, MaxPoints: t.points()}
	key, rule, err := g.scalarKey(t)
	if err != nil {
		return g.unreadableKey(t, err)
	}
	it.Rule = rule
	explain := g.explain(t, rule)
	exp := "Réponse attendue : " + French(key) + "."
	if ans == nil {
		it.Feedback = join("Pas de réponse.", exp, explain)
		return it
	}
	got, err := readScalar(key, ans)
	if err != nil {
		it.Feedback = join("Réponse illisible : "+err.Error()+".", exp, explain)
		return it
	}
	d := distance(key, got)
	it.Correct = d >= 0 && d <= t.Tolerance
	if it.Correct {
		it.Points = it.MaxPoints
		it.Feedback = join(verdict(true), explain)
		return it
	}
	it.Feedback = join(verdict(false), "Vous avez répondu "+French(got)+".", exp, explain)
	return it
}

// ---- payment plan ----

func (g *grader) plan(t Task, ans json.RawMessage) Item {
	it := Item{Task: t.ID, Type: t.Type, MaxPoints: t.points()}
	var sheet map[string]json.RawMessage
	var problem string
	switch {
	case ans == nil:
		problem = "Pas de réponse."
	default:
		if err := json.Unmarshal(ans, &sheet); err != nil {
			problem = "Réponse illisible : un objet {champ: valeur} était attendu."
		}
	}
	var rules, notes []string
	it.Correct = problem == ""
	for _, f := range t.Fields {
		ev, err := evalExpr(g.out, f.Key)
		if err != nil {
			return g.unreadableKey(t, fmt.Errorf("field %s: %w", f.ID, err))
		}
		rules = appendRules(rules, strings.Split(g.rule(Task{Key: f.Key, Rule: t.Rule}, ev), " ; ")...)
		label := g.r.render(f.Label)
		expected := French(ev.val)
		if f.Compare == "at_most" {
			expected = "au plus " + expected
		}
		if problem != "" {
			notes = append(notes, fmt.Sprintf("%s : %s.", label, expected))
			continue
		}
		raw, ok := sheet[f.ID]
		if !ok || string(raw) == "null" {
			it.Correct = false
			notes = append(notes, fmt.Sprintf("%s : pas de réponse, attendu %s.", label, expected))
			continue
		}
		got, err := readScalar(ev.val, raw)
		if err != nil {
			it.Correct = false
			notes = append(notes, fmt.Sprintf("%s : réponse illisible (%s), attendu %s.", label, err.Error(), expected))
			continue
		}
		var good bool
		if f.Compare == "at_most" {
			gc, ok1 := got.(money.Cents)
			kc, ok2 := ev.val.(money.Cents)
			good = ok1 && ok2 && gc >= 0 && gc <= kc+money.Cents(f.Tolerance)
		} else {
			d := distance(ev.val, got)
			good = d >= 0 && d <= f.Tolerance
		}
		if good {
			it.Points += f.points()
			notes = append(notes, fmt.Sprintf("%s : exact.", label))
		} else {
			it.Correct = false
			notes = append(notes, fmt.Sprintf("%s : %s est inexact, attendu %s.", label, French(got), expected))
		}
	}
	it.Points = round2(it.Points)
	it.Rule = strings.Join(rules, " ; ")
	if len(rules) == 0 {
		it.Rule = t.Rule
	}
	head := verdict(it.Correct)
	if problem != "" {
		head = problem + " Réponses attendues :"
	}
	it.Feedback = join(head, strings.Join(notes, " "), g.explain(t, it.Rule))
	return it
}

// ---- free text ----

func (g *grader) freeText(t Task, ans json.RawMessage) Item {
	it := Item{Task: t.ID, Type: t.Type, MaxPoints: t.points(), Pending: true, Rule: t.Rule}
	var s string
	if ans != nil {
		if err := json.Unmarshal(ans, &s); err != nil {
			it.Pending = false
			it.Feedback = "Réponse illisible : un texte était attendu."
			return it
		}
	}
	if strings.TrimSpace(s) == "" {
		it.Pending = false
		it.Feedback = "Pas de réponse."
		return it
	}
	it.Feedback = "En attente de la correction d'un formateur."
	return it
}

// Review is a trainer's marking of one free-text item.
type Review struct {
	Scores  map[string]float64 `json:"scores"` // criterion id → points awarded
	Comment string             `json:"comment"`
}

// ReviewError is a review that cannot be applied; Field is the JSON path.
type ReviewError struct {
	Field string
	FR    string
	EN    string
}

func (e *ReviewError) Error() string { return e.Field + ": " + e.EN }

// ApplyReview marks the free-text items a trainer reviewed (by task id) and
// recomputes the result; the result is final once no item is pending.
func ApplyReview(s Scenario, r Result, reviews map[string]Review) (Result, error) {
	out := r
	out.Items = slices.Clone(r.Items)
	for taskID, rv := range reviews {
		field := "reviews." + taskID
		t, ok := s.Task(taskID)
		if !ok || t.Type != FreeText {
			return r, &ReviewError{field, "Cette question n'appelle pas de correction par un formateur.", "not a free-text task of this scenario"}
		}
		idx := slices.IndexFunc(out.Items, func(it Item) bool { return it.Task == taskID })
		if idx < 0 || !out.Items[idx].Pending {
			return r, &ReviewError{field, "Cette réponse a déjà été corrigée ou n'attend pas de correction.", "item is not waiting for review"}
		}
		for id := range rv.Scores {
			if !slices.ContainsFunc(t.Rubric, func(c Criterion) bool { return c.ID == id }) {
				return r, &ReviewError{field + ".scores." + id, "Critère inconnu.", "unknown criterion"}
			}
		}
		it := out.Items[idx]
		it.Points, it.Criteria = 0, nil
		var lines []string
		for _, c := range t.Rubric {
			v, ok := rv.Scores[c.ID]
			if !ok {
				return r, &ReviewError{field + ".scores." + c.ID, "Chaque critère doit être noté.", "every criterion must be scored"}
			}
			if v < 0 || v > c.Points || math.IsNaN(v) {
				return r, &ReviewError{field + ".scores." + c.ID,
					fmt.Sprintf("La note doit être comprise entre 0 et %s.", strconv.FormatFloat(c.Points, 'f', -1, 64)),
					fmt.Sprintf("score must be between 0 and %g", c.Points)}
			}
			it.Points += v
			it.Criteria = append(it.Criteria, CriterionScore{ID: c.ID, Label: c.Label, Points: v, MaxPoints: c.Points})
			lines = append(lines, fmt.Sprintf("%s : %s/%s.", c.Label, frNum(v), frNum(c.Points)))
		}
		it.Points = round2(it.Points)
		it.Pending = false
		it.Correct = it.Points >= it.MaxPoints-1e-9
		it.Feedback = join("Corrigé par un formateur.", strings.Join(lines, " "), strings.TrimSpace(rv.Comment))
		out.Items[idx] = it
	}
	out.total()
	return out, nil
}

func frNum(x float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(x, 'f', -1, 64), ".", ",")
}
