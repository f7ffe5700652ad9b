package scenario

import (
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
)

// CheckSeeds is how many drawn variants Check grades beyond the base case and
// the corners of the variant ranges.
const CheckSeeds = 12

// maxCorners bounds the corner cases tried (every min/max combination).
const maxCorners = 64

var (
	idRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,79}$`)
	inputType = reflect.TypeFor[law.Input]()
)

// LoadChecked is Load then CheckAll: what the program serves.
func LoadChecked(fsys fs.FS, p law.Parameters) (Catalogue, []error) {
	cat, errs := Load(fsys)
	checked, cerrs := CheckAll(cat, p)
	return checked, append(errs, cerrs...)
}

// CheckAll checks every scenario and module and returns the catalogue less
// what is broken (a module that names a broken or missing scenario is left
// out too), with every problem found.
func CheckAll(cat Catalogue, p law.Parameters) (Catalogue, []error) {
	var out Catalogue
	var errs []error
	for _, s := range cat.Scenarios {
		if e := Check(s, p); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		out.Scenarios = append(out.Scenarios, s)
	}
	for _, m := range cat.Modules {
		if e := checkModule(m, out); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		out.Modules = append(out.Modules, m)
	}
	return out, errs
}

// Check validates one scenario: its schema, its dialogues, and every key
// against the engine for the base case, the corners of its variants and
// CheckSeeds drawn variants (each of which must pass law.Check).
func Check(s Scenario, p law.Parameters) []error {
	var errs []error
	bad := func(task, format string, args ...any) {
		errs = append(errs, &Error{File: s.File, Scenario: s.ID, Task: task, Msg: fmt.Sprintf(format, args...)})
	}
	checkSchema(s, bad)
	if len(errs) > 0 {
		return errs // engine checks on a malformed file only add noise
	}
	for _, c := range checkCases(s) {
		label := "base case"
		if c.picks != nil {
			label = "variant " + c.name
		}
		ca, aerrs := apply(s, c.picks)
		for _, e := range aerrs {
			bad("", "%s: %v", label, e)
		}
		for _, pb := range law.Check(ca.Input) {
			bad("", "%s: case.%s: %s", label, pb.Field, pb.EN)
		}
		if len(errs) > 0 {
			return errs
		}
		checkKeys(s, ca, p, label, bad)
		if len(errs) > 0 {
			return errs
		}
	}
	return errs
}

type checkCase struct {
	name  string
	picks []int
}

// checkCases are the base case, every min/max corner of the variants (or as
// many as maxCorners allows) and CheckSeeds drawn seeds.
func checkCases(s Scenario) []checkCase {
	cases := []checkCase{{name: "base"}}
	if len(s.Variants) == 0 {
		return cases
	}
	n := len(s.Variants)
	combos := 1
	for range n {
		if combos >= maxCorners {
			break
		}
		combos *= 2
	}
	for mask := range combos {
		picks := make([]int, n)
		for i, v := range s.Variants {
			if mask&(1<<i) != 0 {
				picks[i] = max(v.size()-1, 0)
			}
		}
		cases = append(cases, checkCase{name: fmt.Sprintf("corner %d", mask), picks: picks})
	}
	for seed := int64(1); seed <= CheckSeeds; seed++ {
		cases = append(cases, checkCase{name: fmt.Sprintf("seed %d", seed), picks: drawPicks(s, seed)})
	}
	return cases
}

func checkSchema(s Scenario, bad func(task, format string, args ...any)) {
	if !idRe.MatchString(s.ID) {
		bad("", "id %q: lower-case letters, digits and dashes", s.ID)
	}
	if strings.TrimSpace(s.Title) == "" {
		bad("", "title is required")
	}
	if len(s.Components) == 0 {
		bad("", "components: at least one component code")
	}
	for i, c := range s.Components {
		if !slices.Contains(Components, c) {
			bad("", "components: unknown code %q (known: %s)", c, strings.Join(Components, ", "))
		}
		if slices.Index(s.Components, c) != i {
			bad("", "components: %s twice", c)
		}
	}
	if !slices.Contains(Kinds, s.Kind) {
		bad("", "kind %q unknown (known: %s)", s.Kind, strings.Join(Kinds, ", "))
	}
	if s.DurationMinutes < 1 || s.DurationMinutes > 240 {
		bad("", "duration_minutes must be between 1 and 240")
	}
	if s.PassMark < 0 || s.PassMark > 100 {
		bad("", "pass_mark must be a percentage")
	}
	if s.Case.Claim == nil {
		bad("", "case.claim is required")
	}
	if len(s.Documents) == 0 {
		bad("", "documents: at least one document")
	}
	for i, d := range s.Documents {
		if strings.TrimSpace(d.Title) == "" || strings.TrimSpace(d.Text) == "" {
			bad("", "documents[%d]: title and text are required", i)
		}
	}
	for _, h := range s.Hide {
		if _, err := staticKind(inputType, h); err != nil {
			bad("", "hide: %v", err)
		}
	}
	names := map[string]bool{}
	for i, v := range s.Variants {
		checkVariant(i, v, bad)
		if v.Name != "" {
			if names[v.Name] {
				bad("", "variants[%d]: name %q twice", i, v.Name)
			}
			names[v.Name] = true
		}
	}
	if len(s.Tasks) == 0 {
		bad("", "tasks: at least one task")
	}
	ids := map[string]bool{}
	for i, t := range s.Tasks {
		if !validName(t.ID) {
			bad("", "tasks[%d]: id %q: lower-case letters, digits and underscores", i, t.ID)
		}
		if ids[t.ID] {
			bad(t.ID, "task id used twice")
		}
		ids[t.ID] = true
		checkTask(t, func(format string, args ...any) { bad(t.ID, format, args...) })
	}
}

func checkVariant(i int, v Variant, bad func(task, format string, args ...any)) {
	kinds := 0
	for _, set := range []bool{v.Amount != nil, v.Days != nil, v.Int != nil, v.Bool, len(v.Choice) > 0} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		bad("", "variants[%d]: give exactly one of amount, days, int, bool, choice", i)
		return
	}
	if len(v.Paths) == 0 {
		bad("", "variants[%d]: paths is required", i)
	}
	for _, p := range v.Paths {
		if _, err := staticKind(inputType, p); err != nil {
			bad("", "variants[%d]: %v", i, err)
		}
	}
	if v.Name != "" && !validName(v.Name) {
		bad("", "variants[%d]: name %q: lower-case letters, digits and underscores", i, v.Name)
	}
	switch {
	case v.Amount != nil && (v.Amount.Min <= 0 || v.Amount.Max < v.Amount.Min || v.Amount.Step < 0):
		bad("", "variants[%d]: amount needs 0 < min <= max and a positive step", i)
	case v.Days != nil && v.Days.Max < v.Days.Min, v.Int != nil && v.Int.Max < v.Int.Min:
		bad("", "variants[%d]: min must not exceed max", i)
	case v.size() < 2:
		bad("", "variants[%d]: a variant must allow at least two values", i)
	}
}

func checkTask(t Task, bad func(format string, args ...any)) {
	if !slices.Contains(taskTypes, t.Type) {
		bad("type %q unknown (known: %s)", t.Type, strings.Join(taskTypes, ", "))
		return
	}
	if strings.TrimSpace(t.Prompt) == "" {
		bad("prompt is required")
	}
	if t.Points < 0 {
		bad("points must not be negative")
	}
	if t.Scoring != "" && t.Scoring != "partial" && t.Scoring != "exact" {
		bad("scoring is partial or exact")
	}
	if t.Tolerance < 0 {
		bad("tolerance must not be negative")
	}
	checkOptionIDs := func() {
		seen := map[string]bool{}
		for i, o := range t.Options {
			if o.ID == "" || strings.TrimSpace(o.Label) == "" {
				bad("options[%d]: id and label are required", i)
			}
			if seen[o.ID] {
				bad("option %q twice", o.ID)
			}
			seen[o.ID] = true
		}
	}
	switch t.Type {
	case SingleChoice, MultipleChoice:
		if len(t.Options) < 2 {
			bad("at least two options")
		}
		checkOptionIDs()
		var withValue, withKey, withCorrect int
		for _, o := range t.Options {
			if len(o.Value) > 0 {
				withValue++
			}
			if o.Key != "" {
				withKey++
			}
			if o.Correct != nil {
				withCorrect++
			}
		}
		n := len(t.Options)
		switch {
		case t.Key != "" && withValue == n && withKey == 0 && withCorrect == 0:
			checkExpr(t.Key, bad)
		case t.Key == "" && withKey > 0 && withKey+withCorrect == n && withValue == 0:
			for _, o := range t.Options {
				if o.Key != "" {
					checkExpr(o.Key, bad)
				} else if *o.Correct {
					bad("option %s: beside options with a key, a fixed option may only be correct: false", o.ID)
				}
			}
		case t.Key == "" && withCorrect == n && withValue == 0 && withKey == 0:
			// A key the engine does not compute must say which rule and why.
			if strings.TrimSpace(t.Explain) == "" {
				bad("a fixed key (correct: …) needs an explain")
			}
			for _, o := range t.Options {
				if *o.Correct && o.Rule == "" && t.Rule == "" {
					bad("option %s: a fixed key needs a rule (on the option or the task)", o.ID)
				}
			}
			if t.Type == SingleChoice && slices.IndexFunc(t.Options, func(o Option) bool { return *o.Correct }) < 0 {
				bad("no option is correct")
			}
		default:
			bad("give either key + a value on every option, a key on options (others correct: false), or correct on every option")
		}
		if len(t.Answer) > 0 {
			bad("answer is for number and date tasks")
		}
	case LetterMentions:
		checkOptionIDs()
		if t.Key != "" {
			checkExpr(t.Key, bad)
		}
	case Number, DateTask:
		switch {
		case t.Key != "" && len(t.Answer) == 0:
			checkExpr(t.Key, bad)
		case t.Key == "" && len(t.Answer) > 0:
			if t.Rule == "" || strings.TrimSpace(t.Explain) == "" {
				bad("a fixed answer needs a rule and an explain")
			}
		default:
			bad("give a key or a fixed answer")
		}
	case PlanTask:
		if len(t.Fields) == 0 {
			bad("a plan task needs fields")
		}
		seen := map[string]bool{}
		for i, f := range t.Fields {
			if !validName(f.ID) || strings.TrimSpace(f.Label) == "" {
				bad("fields[%d]: id and label are required", i)
			}
			if seen[f.ID] {
				bad("field %q twice", f.ID)
			}
			seen[f.ID] = true
			checkExpr(f.Key, bad)
			if f.Compare != "" && f.Compare != "equal" && f.Compare != "at_most" {
				bad("fields[%d]: compare is equal or at_most", i)
			}
		}
	case DialogueTask:
		if t.Dialogue == nil {
			bad("a dialogue task needs a dialogue")
			return
		}
		checkDialogue(t.Dialogue, bad)
	case FreeText:
		if len(t.Rubric) == 0 {
			bad("a free_text task needs a rubric")
		}
		seen := map[string]bool{}
		for i, c := range t.Rubric {
			if !validName(c.ID) || strings.TrimSpace(c.Label) == "" || c.Points <= 0 {
				bad("rubric[%d]: id, label and positive points are required", i)
			}
			if seen[c.ID] {
				bad("criterion %q twice", c.ID)
			}
			seen[c.ID] = true
		}
		if t.Key != "" || len(t.Answer) > 0 {
			bad("a free_text task is graded on its rubric, not a key")
		}
	}
	if t.Type != DialogueTask && t.Dialogue != nil {
		bad("dialogue is for dialogue tasks")
	}
}

func checkExpr(src string, bad func(format string, args ...any)) {
	if _, err := staticKind(outputType, src); err != nil {
		bad("key: %v", err)
	}
}

// checkDialogue: known ids, every node reachable, no dead end, no cycle (so
// every path reaches an end node).
func checkDialogue(d *Dialogue, bad func(format string, args ...any)) {
	idx := map[string]int{}
	replyIDs := map[string]bool{}
	for i, n := range d.Nodes {
		if n.ID == "" {
			bad("dialogue.nodes[%d]: id is required", i)
		}
		if _, dup := idx[n.ID]; dup {
			bad("dialogue node %q twice", n.ID)
		}
		idx[n.ID] = i
		if strings.TrimSpace(n.Line) == "" {
			bad("dialogue node %q: line is required", n.ID)
		}
		if n.End && len(n.Replies) > 0 {
			bad("dialogue node %q: an end node has no replies", n.ID)
		}
		if !n.End && len(n.Replies) == 0 {
			bad("dialogue node %q: dead end (no reply and not an end)", n.ID)
		}
		for _, r := range n.Replies {
			if r.ID == "" || strings.TrimSpace(r.Text) == "" {
				bad("dialogue node %q: every reply needs an id and a text", n.ID)
			}
			if replyIDs[r.ID] {
				bad("dialogue reply %q twice", r.ID)
			}
			replyIDs[r.ID] = true
			if r.Points < 0 {
				bad("reply %s: points must not be negative", r.ID)
			}
			for _, tq := range r.Technique {
				if _, ok := Techniques[tq]; !ok {
					bad("reply %s: unknown technique %q", r.ID, tq)
				}
			}
			for _, f := range r.Flags {
				if _, ok := EthicsFlags[f]; !ok {
					bad("reply %s: unknown flag %q", r.ID, f)
				}
			}
			if r.Requires != "" {
				checkExpr(r.Requires, bad)
			}
		}
	}
	for _, n := range d.Nodes {
		for _, r := range n.Replies {
			if _, ok := idx[r.Next]; !ok {
				bad("reply %s goes to unknown node %q", r.ID, r.Next)
			}
		}
	}
	start, ok := idx[d.Start]
	if !ok {
		bad("dialogue start %q is not a node", d.Start)
		return
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(d.Nodes))
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		for _, r := range d.Nodes[i].Replies {
			j, ok := idx[r.Next]
			if !ok {
				continue
			}
			switch color[j] {
			case grey:
				bad("dialogue loops back to node %q (reply %s): every path must reach an end", r.Next, r.ID)
			case white:
				visit(j)
			}
		}
		color[i] = black
	}
	visit(start)
	for i, n := range d.Nodes {
		if color[i] == white {
			bad("dialogue node %q cannot be reached from the start", n.ID)
		}
	}
}

// checkKeys computes every key of s on case c and grades the perfect answer
// sheet, which must earn full marks on every computed item.
func checkKeys(s Scenario, c Case, p law.Parameters, label string, bad func(task, format string, args ...any)) {
	out := law.Evaluate(c.Input, p)
	for _, f := range out.Findings {
		if f.Code == law.CodeParameterMissing {
			bad("", "%s: as_of %s lies outside the parameter tables: %s", label, c.Input.AsOf, f.Message)
		}
	}
	g := &grader{s: s, c: c, out: out}
	g.r = renderer{s: s, in: &g.c.Input, out: &g.out}
	// What the trainee sees before submitting is rendered without the output.
	pub := &renderer{s: s, in: &g.c.Input}
	pub.render(s.Summary)
	for _, t := range s.Tasks {
		tb := func(format string, args ...any) { bad(t.ID, label+": "+format, args...) }
		pub.render(t.Prompt)
		g.r.render(t.Explain)
		for _, o := range t.Options {
			pub.render(o.Label)
			g.r.render(o.Explain)
		}
		switch t.Type {
		case SingleChoice, MultipleChoice, LetterMentions:
			_, right, _, err := g.correctOptions(t)
			if err != nil {
				tb("%v", err)
				continue
			}
			if n := countTrue(right); t.Type == SingleChoice && n != 1 {
				tb("%d options match the key %q: exactly one must", n, t.Key)
			}
		case Number, DateTask:
			if _, _, err := g.scalarKey(t); err != nil {
				tb("%v", err)
			}
		case PlanTask:
			for _, f := range t.Fields {
				pub.render(f.Label)
				ev, err := evalExpr(g.out, f.Key)
				if err != nil {
					tb("field %s: %v", f.ID, err)
					continue
				}
				switch ev.val.(type) {
				case money.Cents, int64, bool, civil.Date:
				default:
					tb("field %s: key %q is not a figure", f.ID, f.Key)
				}
				if _, ok := ev.val.(money.Cents); f.Compare == "at_most" && !ok {
					tb("field %s: at_most needs an amount", f.ID)
				}
			}
		case DialogueTask:
			if _, _, err := g.bestPath(newGraph(t.Dialogue)); err != nil {
				tb("%v", err)
			}
			for _, n := range t.Dialogue.Nodes {
				pub.render(n.Line)
				for _, r := range n.Replies {
					pub.render(r.Text)
					g.r.render(r.Feedback)
					if _, _, _, err := g.replyValue(r); err != nil {
						tb("reply %s: %v", r.ID, err)
					}
				}
			}
		case FreeText:
			for _, c := range t.Rubric {
				pub.render(c.Label)
			}
		}
	}
	for _, e := range append(pub.errs, g.r.errs...) {
		bad("", "%s: %v", label, e)
	}
	res := Grade(s, c, p, AnswerSheet(s, c, p))
	for _, it := range res.Items {
		if it.Type == FreeText {
			continue
		}
		if !it.Correct || it.Points != it.MaxPoints || it.Pending {
			bad(it.Task, "%s: the perfect answer sheet does not earn full marks: %s", label, it.Feedback)
		}
	}
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

func checkModule(m Module, valid Catalogue) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, &Error{File: m.File, Scenario: m.ID, Msg: fmt.Sprintf(format, args...)})
	}
	comps, ok := Certifications[m.Certification]
	if !ok {
		bad("certification %q unknown", m.Certification)
	} else if !slices.Contains(comps, m.Component) {
		bad("component %q is not a component of %s", m.Component, m.Certification)
	}
	if strings.TrimSpace(m.Title) == "" {
		bad("title is required")
	}
	if m.Course == "" {
		bad("the course is empty")
	}
	if len(m.Scenarios) == 0 {
		bad("scenarios: at least one")
	}
	for _, id := range m.Scenarios {
		s, ok := valid.Scenario(id)
		if !ok {
			bad("scenario %q does not exist or did not pass its check", id)
			continue
		}
		if !slices.Contains(s.Components, m.Component) {
			bad("scenario %q does not train component %s", id, m.Component)
		}
	}
	if m.Completion.Rule != "" && m.Completion.Rule != "all_passed" {
		bad("completion.rule: only all_passed is known")
	}
	if m.Completion.MinPercent < 0 || m.Completion.MinPercent > 100 {
		bad("completion.min_percent must be a percentage")
	}
	return errs
}
