package scenario

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A dialogue answer is the list of the trainee's replies from the start to an
// end node, by their public ids ("r1", "r2"… in the order the file declares
// them), so the ids an author chose (which may say "threat") never reach the
// trainee.

type replyRef struct {
	node  int // index in Nodes
	reply int // index in Replies
}

type graph struct {
	d       *Dialogue
	nodeIdx map[string]int
	public  map[string]replyRef // public reply id → reply
	pubOf   map[replyRef]string
}

func newGraph(d *Dialogue) *graph {
	g := &graph{d: d, nodeIdx: map[string]int{}, public: map[string]replyRef{}, pubOf: map[replyRef]string{}}
	k := 0
	for i, n := range d.Nodes {
		if _, dup := g.nodeIdx[n.ID]; !dup {
			g.nodeIdx[n.ID] = i
		}
		for j := range n.Replies {
			k++
			id := publicReplyID(k)
			g.public[id] = replyRef{i, j}
			g.pubOf[replyRef{i, j}] = id
		}
	}
	return g
}

func publicNodeID(i int) string { return "n" + strconv.Itoa(i+1) }

// replyValue is what a reply earns in this case: nothing when its engine
// condition does not hold (e.g. accepting an instalment the debtor cannot bear).
func (g *grader) replyValue(r Reply) (float64, bool, string, error) {
	if r.Requires == "" {
		return r.Points, true, "", nil
	}
	ev, err := evalExpr(g.out, r.Requires)
	if err != nil {
		return 0, false, "", err
	}
	b, ok := ev.val.(bool)
	if !ok {
		return 0, false, "", fmt.Errorf("requires %q is not yes/no", r.Requires)
	}
	rule := ""
	if len(ev.rules) > 0 {
		rule = ev.rules[len(ev.rules)-1]
	}
	if b {
		return r.Points, true, rule, nil
	}
	return 0, false, rule, nil
}

// flagsOf are the ethics violations of a reply, given whether the identity of
// the person on the line was checked before it.
func flagsOf(r Reply, identityChecked bool) []string {
	flags := slices.Clone(r.Flags)
	if r.SpeaksOfDebt && !identityChecked && !slices.Contains(r.Technique, "identity_check") && !slices.Contains(flags, "disclosure") {
		flags = append(flags, "disclosure")
	}
	return flags
}

// bestPath is the clean path (no ethics flag) that earns the most points.
// Check guarantees the graph has no cycle, so the search ends.
func (g *grader) bestPath(gr *graph) (float64, []string, error) {
	start, ok := gr.nodeIdx[gr.d.Start]
	if !ok {
		return 0, nil, fmt.Errorf("start node %q is unknown", gr.d.Start)
	}
	return g.bestPathFrom(gr, start, false)
}

// bestPathFrom is the best clean path from node i, the identity of the
// person on the line checked already or not.
func (g *grader) bestPathFrom(gr *graph, from int, identityChecked bool) (float64, []string, error) {
	type state struct {
		node    int
		checked bool
	}
	type best struct {
		pts  float64
		path []string
		ok   bool
	}
	memo := map[state]best{}
	var visit func(st state, depth int) (best, error)
	visit = func(st state, depth int) (best, error) {
		if depth > len(gr.d.Nodes)+1 {
			return best{}, fmt.Errorf("the dialogue loops")
		}
		if b, ok := memo[st]; ok {
			return b, nil
		}
		n := gr.d.Nodes[st.node]
		if n.End {
			return best{ok: true}, nil
		}
		var out best
		for j, r := range n.Replies {
			if len(flagsOf(r, st.checked)) > 0 {
				continue
			}
			next, ok := gr.nodeIdx[r.Next]
			if !ok {
				return best{}, fmt.Errorf("reply %s goes to unknown node %q", r.ID, r.Next)
			}
			pts, _, _, err := g.replyValue(r)
			if err != nil {
				return best{}, err
			}
			sub, err := visit(state{next, st.checked || slices.Contains(r.Technique, "identity_check")}, depth+1)
			if err != nil {
				return best{}, err
			}
			if !sub.ok {
				continue
			}
			if total := pts + sub.pts; !out.ok || total > out.pts {
				out = best{pts: total, path: append([]string{gr.pubOf[replyRef{st.node, j}]}, sub.path...), ok: true}
			}
		}
		memo[st] = out
		return out, nil
	}
	b, err := visit(state{from, identityChecked}, 0)
	if err != nil {
		return 0, nil, err
	}
	if !b.ok {
		return 0, nil, fmt.Errorf("no clean path reaches an end")
	}
	return b.pts, b.path, nil
}

func (g *grader) dialogue(t Task, ans json.RawMessage) Item {
	it := Item{Task: t.ID, Type: t.Type, Rule: t.Rule}
	if t.Dialogue == nil {
		return g.unreadableKey(t, fmt.Errorf("no dialogue"))
	}
	gr := newGraph(t.Dialogue)
	maxPts, _, err := g.bestPath(gr)
	if err != nil {
		return g.unreadableKey(t, err)
	}
	it.MaxPoints = round2(maxPts)

	var path []string
	if ans == nil {
		it.Feedback = "Pas de réponse : l'appel n'a pas été mené."
		return it
	}
	if err := json.Unmarshal(ans, &path); err != nil {
		it.Feedback = "Réponse illisible : la liste des répliques choisies était attendue."
		return it
	}
	node := gr.nodeIdx[t.Dialogue.Start]
	checked := false
	var pts float64
	var notes, flags, rules []string
	used := map[string]bool{}
	ended := t.Dialogue.Nodes[node].End
	for _, id := range path {
		ref, ok := gr.public[id]
		if !ok || ref.node != node || ended {
			notes = append(notes, fmt.Sprintf("La réplique %q n'est pas possible à ce stade de l'appel ; la suite n'est pas prise en compte.", id))
			break
		}
		r := t.Dialogue.Nodes[node].Replies[ref.reply]
		v, valid, rule, err := g.replyValue(r)
		if err != nil {
			return g.unreadableKey(t, err)
		}
		step, err := g.callStep(t, gr, node, ref.reply, checked, v, valid, rule)
		if err != nil {
			return g.unreadableKey(t, err)
		}
		it.Steps = append(it.Steps, step)
		pts += v
		if r.Feedback != "" {
			notes = append(notes, g.r.render(r.Feedback))
		}
		if !valid {
			notes = append(notes, "Cette proposition n'est pas conforme à la situation du débiteur : elle ne rapporte aucun point.")
			rules = appendRules(rules, rule)
		}
		for _, f := range flagsOf(r, checked) {
			if !slices.Contains(flags, f) {
				flags = append(flags, f)
			}
		}
		for _, tq := range r.Technique {
			used[tq] = true
		}
		checked = checked || slices.Contains(r.Technique, "identity_check")
		node = gr.nodeIdx[r.Next]
		ended = t.Dialogue.Nodes[node].End
	}
	if !ended {
		// Where the call stopped: the line left without an answer, and the
		// reply the best path takes there.
		step := CallStep{Speaker: speakerOf(t.Dialogue.Nodes[node]), Line: g.r.render(t.Dialogue.Nodes[node].Line)}
		if _, best, err := g.bestPathFrom(gr, node, checked); err == nil && len(best) > 0 {
			exp := gr.public[best[0]]
			step.Expected = g.r.render(t.Dialogue.Nodes[exp.node].Replies[exp.reply].Text)
			step.Why = g.r.render(t.Dialogue.Nodes[exp.node].Replies[exp.reply].Feedback)
		}
		step.Rule = t.Rule
		it.Steps = append(it.Steps, step)
	}
	var summary []string
	var done, missing []string
	for _, k := range []string{"identity_check", "listening", "reformulation", "dated_commitment"} {
		if used[k] {
			done = append(done, Techniques[k])
		} else {
			missing = append(missing, Techniques[k])
		}
	}
	if len(done) > 0 {
		summary = append(summary, "Techniques mises en œuvre : "+strings.Join(done, ", ")+".")
	}
	if len(missing) > 0 {
		summary = append(summary, "À travailler : "+strings.Join(missing, ", ")+".")
	}
	if !ended {
		summary = append([]string{"L'appel n'a pas été mené jusqu'à son terme."}, summary...)
	}
	if len(flags) > 0 {
		var names []string
		var frules []string
		for _, f := range flags {
			e := EthicsFlags[f]
			names = append(names, e.FR+" ("+e.Rule+")")
			frules = appendRules(frules, e.Rule)
		}
		it.Flags = flags
		it.Points = 0
		it.Rule = strings.Join(frules, " ; ")
		failed := "Appel échoué : manquement à la déontologie — " + strings.Join(names, ", ") + ". Un tel manquement fait échouer l'épreuve, quels que soient les points obtenus."
		it.Feedback = join(failed, strings.Join(notes, " "), strings.Join(summary, " "))
		it.Summary = join(failed, strings.Join(summary, " "))
		return it
	}
	it.Points = round2(pts)
	it.Correct = ended && it.Points >= it.MaxPoints-1e-9
	if len(rules) > 0 {
		it.Rule = strings.Join(appendRules(rules, strings.Split(t.Rule, " ; ")...), " ; ")
	}
	head := verdict(it.Correct)
	if !it.Correct && ended {
		head = fmt.Sprintf("Appel mené à son terme : %s point(s) sur %s.", frNum(it.Points), frNum(it.MaxPoints))
	}
	it.Feedback = join(head, strings.Join(notes, " "), strings.Join(summary, " "), g.r.render(t.Explain))
	it.Summary = join(head, strings.Join(summary, " "), g.r.render(t.Explain))
	return it
}

// CallStep is one exchange of a graded call, for the step-by-step feedback:
// what the other party said, what the trainee answered and what it earned,
// and, where another reply was better, the reply the best path takes there,
// why, and the rule. The last step of a call left unfinished has no Said.
type CallStep struct {
	Speaker   string   `json:"speaker"`
	Line      string   `json:"line"`
	Said      string   `json:"said,omitempty"`
	Points    float64  `json:"points"`
	Good      bool     `json:"good"` // no better reply here: the best path's, or one worth as much
	Feedback  string   `json:"feedback,omitempty"`
	Expected  string   `json:"expected,omitempty"`  // the best reply, when Said is not as good
	Why       string   `json:"why,omitempty"`       // the author's word on the best reply
	Technique []string `json:"technique,omitempty"` // what the best reply puts to work (French names)
	Flags     []string `json:"flags,omitempty"`     // ethics violations of Said
	Rule      string   `json:"rule,omitempty"`
}

func speakerOf(n Node) string {
	if n.Speaker == "" {
		return "Débiteur"
	}
	return n.Speaker
}

// callStep grades one reply against the best clean continuation from its node.
func (g *grader) callStep(t Task, gr *graph, node, reply int, checked bool, v float64, valid bool, rule string) (CallStep, error) {
	n := t.Dialogue.Nodes[node]
	r := n.Replies[reply]
	st := CallStep{Speaker: speakerOf(n), Line: g.r.render(n.Line), Said: g.r.render(r.Text), Points: round2(v),
		Feedback: g.r.render(r.Feedback)}
	flags := flagsOf(r, checked)
	var rules []string
	for _, f := range flags {
		st.Flags = append(st.Flags, EthicsFlags[f].FR)
		rules = appendRules(rules, EthicsFlags[f].Rule)
	}
	if !valid {
		rules = appendRules(rules, rule)
	}
	bestPts, best, err := g.bestPathFrom(gr, node, checked)
	if err != nil {
		return CallStep{}, err
	}
	// The reply is as good as the best when, clean, it leads to as many points.
	if len(flags) == 0 && valid {
		now := checked || slices.Contains(r.Technique, "identity_check")
		if sub, _, err := g.bestPathFrom(gr, gr.nodeIdx[r.Next], now); err == nil && v+sub >= bestPts-1e-9 {
			st.Good = true
		}
	}
	if !st.Good && len(best) > 0 {
		exp := gr.public[best[0]]
		er := t.Dialogue.Nodes[exp.node].Replies[exp.reply]
		st.Expected, st.Why = g.r.render(er.Text), g.r.render(er.Feedback)
		for _, k := range er.Technique {
			if name, ok := Techniques[k]; ok {
				st.Technique = append(st.Technique, name)
			}
		}
		if len(rules) == 0 {
			rules = appendRules(rules, strings.Split(t.Rule, " ; ")...)
		}
	}
	st.Rule = strings.Join(rules, " ; ")
	return st, nil
}
