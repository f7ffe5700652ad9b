package scenario

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/ancr/cqp/internal/law"
)

// View is what a trainee may see before submitting: the case file, the
// documents and the tasks, never a key, an option's value, or a dialogue's
// points, flags and feedback.
type View struct {
	Scenario        string         `json:"scenario"`
	Title           string         `json:"title"`
	Components      []string       `json:"components"`
	Kind            string         `json:"kind"`
	DurationMinutes int            `json:"duration_minutes"`
	PassMark        int            `json:"pass_mark"`
	Summary         string         `json:"summary,omitempty"`
	Case            map[string]any `json:"case"`
	Documents       []Document     `json:"documents"`
	Tasks           []PublicTask   `json:"tasks"`
}

// PublicTask is a task as the trainee sees it.
type PublicTask struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Prompt   string          `json:"prompt"`
	Options  []PublicOption  `json:"options"`
	Unit     string          `json:"unit,omitempty"` // number: "EUR" (answer in euros) or ""; date: "date"
	Fields   []PublicField   `json:"fields,omitempty"`
	Dialogue *PublicDialogue `json:"dialogue,omitempty"`
	// A free-text task says before submission how many points a trainer
	// marks it on, not on what: its criteria would give the answer away.
	// Rubric comes with the result (RevealRubrics).
	MaxPoints float64           `json:"max_points,omitempty"`
	Rubric    []PublicCriterion `json:"rubric,omitempty"`
}

type PublicOption struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

type PublicField struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Unit  string `json:"unit,omitempty"` // "EUR", "bool", ""
}

type PublicCriterion struct {
	Label  string  `json:"label"`
	Points float64 `json:"points"`
}

// PublicDialogue is the call as a graph of public ids: the trainee walks it
// and submits the list of reply ids chosen.
type PublicDialogue struct {
	Start string       `json:"start"`
	Nodes []PublicNode `json:"nodes"`
}

type PublicNode struct {
	ID      string        `json:"id"`
	Speaker string        `json:"speaker"`
	Line    string        `json:"line"`
	End     bool          `json:"end,omitempty"`
	Replies []PublicReply `json:"replies,omitempty"`
}

type PublicReply struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Next string `json:"next"`
}

var outputType = reflect.TypeFor[law.Output]()

// Public is the trainee's view of case c of scenario s.
func Public(s Scenario, c Case) View {
	r := renderer{s: s, in: &c.Input}
	v := View{
		Scenario: s.ID, Title: s.Title, Components: s.Components, Kind: s.Kind,
		DurationMinutes: s.DurationMinutes, PassMark: s.Mark(), Summary: r.render(s.Summary),
		Case: publicCase(c.Input, s.Hide), Documents: c.Documents, Tasks: make([]PublicTask, 0, len(s.Tasks)),
	}
	if v.Documents == nil {
		v.Documents = []Document{}
	}
	for _, t := range s.Tasks {
		pt := PublicTask{ID: t.ID, Type: t.Type, Prompt: r.render(t.Prompt), Options: []PublicOption{}}
		opts := t.Options
		if t.Type == LetterMentions && len(opts) == 0 {
			opts = DefaultLetterOptions()
		}
		for _, o := range opts {
			pt.Options = append(pt.Options, PublicOption{ID: o.ID, Label: r.render(o.Label)})
		}
		switch t.Type {
		case Number:
			if t.Key != "" {
				if k, _ := staticKind(outputType, t.Key); k == kindMoney {
					pt.Unit = "EUR"
				}
			}
		case DateTask:
			pt.Unit = "date"
		case PlanTask:
			for _, f := range t.Fields {
				pf := PublicField{ID: f.ID, Label: r.render(f.Label)}
				switch k, _ := staticKind(outputType, f.Key); k {
				case kindMoney:
					pf.Unit = "EUR"
				case kindBool:
					pf.Unit = "bool"
				}
				pt.Fields = append(pt.Fields, pf)
			}
		case DialogueTask:
			if t.Dialogue != nil {
				pt.Dialogue = publicDialogue(t.Dialogue, &r)
			}
		case FreeText:
			pt.MaxPoints = t.points()
		}
		v.Tasks = append(v.Tasks, pt)
	}
	return v
}

// RevealRubrics gives the free-text tasks of a submitted copy their marking
// criteria, as the trainee reads them with the result.
func RevealRubrics(s Scenario, c Case, tasks []PublicTask) {
	r := renderer{s: s, in: &c.Input}
	for i := range tasks {
		t, ok := s.Task(tasks[i].ID)
		if !ok || t.Type != FreeText {
			continue
		}
		tasks[i].Rubric = nil
		for _, cr := range t.Rubric {
			tasks[i].Rubric = append(tasks[i].Rubric, PublicCriterion{Label: r.render(cr.Label), Points: cr.Points})
		}
	}
}

func publicDialogue(d *Dialogue, r *renderer) *PublicDialogue {
	gr := newGraph(d)
	pd := &PublicDialogue{}
	if i, ok := gr.nodeIdx[d.Start]; ok {
		pd.Start = publicNodeID(i)
	}
	for i, n := range d.Nodes {
		speaker := n.Speaker
		if speaker == "" {
			speaker = "Débiteur"
		}
		pn := PublicNode{ID: publicNodeID(i), Speaker: speaker, Line: r.render(n.Line), End: n.End}
		for j, rep := range n.Replies {
			next := ""
			if k, ok := gr.nodeIdx[rep.Next]; ok {
				next = publicNodeID(k)
			}
			pn.Replies = append(pn.Replies, PublicReply{ID: gr.pubOf[replyRef{i, j}], Text: r.render(rep.Text), Next: next})
		}
		pd.Nodes = append(pd.Nodes, pn)
	}
	return pd
}

// publicCase is the engine input as JSON, less the letter (its mentions are
// what letter tasks ask for) and the hidden paths, without empty values.
func publicCase(in law.Input, hide []string) map[string]any {
	b, err := json.Marshal(in)
	if err != nil {
		return map[string]any{}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // amounts keep their two decimals
	if err := dec.Decode(&m); err != nil {
		return map[string]any{}
	}
	delete(m, "letter")
	for _, h := range hide {
		removePath(m, strings.Split(h, "."))
	}
	prune(m)
	return m
}

func removePath(m map[string]any, parts []string) {
	if len(parts) == 1 {
		delete(m, parts[0])
		return
	}
	if sub, ok := m[parts[0]].(map[string]any); ok {
		removePath(sub, parts[1:])
	}
}

func prune(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			prune(x)
		case []any:
			for _, el := range x {
				if em, ok := el.(map[string]any); ok {
					prune(em)
				}
			}
		}
	}
}

// AnswerSheet is the perfect answer sheet of case c, built from the computed
// keys: the trainer's corrigé, and what tests use. Free-text tasks are left out.
func AnswerSheet(s Scenario, c Case, p law.Parameters) map[string]json.RawMessage {
	out := law.Evaluate(c.Input, p)
	g := &grader{s: s, c: c, out: out}
	g.r = renderer{s: s, in: &g.c.Input, out: &g.out}
	sheet := map[string]json.RawMessage{}
	put := func(id string, v any) {
		if b, err := json.Marshal(v); err == nil {
			sheet[id] = b
		}
	}
	for _, t := range s.Tasks {
		switch t.Type {
		case SingleChoice, MultipleChoice, LetterMentions:
			opts, right, _, err := g.correctOptions(t)
			if err != nil {
				continue
			}
			ids := []string{}
			for i, o := range opts {
				if right[i] {
					ids = append(ids, o.ID)
				}
			}
			if t.Type == SingleChoice {
				if len(ids) > 0 {
					put(t.ID, ids[0])
				}
			} else {
				put(t.ID, ids)
			}
		case Number, DateTask:
			if k, _, err := g.scalarKey(t); err == nil {
				put(t.ID, k)
			}
		case PlanTask:
			obj := map[string]any{}
			for _, f := range t.Fields {
				if ev, err := evalExpr(g.out, f.Key); err == nil {
					obj[f.ID] = ev.val
				}
			}
			put(t.ID, obj)
		case DialogueTask:
			if t.Dialogue != nil {
				if _, path, err := g.bestPath(newGraph(t.Dialogue)); err == nil {
					put(t.ID, path)
				}
			}
		}
	}
	return sheet
}
