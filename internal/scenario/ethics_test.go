package scenario_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
	"github.com/ancr/cqp/internal/scenario"
)

// publicIDs numbers the replies as the trainee sees them: r1, r2… in the
// order the file declares them.
func publicIDs(d *scenario.Dialogue) map[[2]int]string {
	ids := map[[2]int]string{}
	k := 0
	for i, n := range d.Nodes {
		for j := range n.Replies {
			k++
			ids[[2]int{i, j}] = "r" + strconv.Itoa(k)
		}
	}
	return ids
}

// pathTo finds replies leading from node `from` to node `to` (any, by BFS),
// or to any end node when to < 0.
func pathTo(d *scenario.Dialogue, from, to int) ([]string, bool) {
	idx := map[string]int{}
	for i, n := range d.Nodes {
		idx[n.ID] = i
	}
	ids := publicIDs(d)
	type step struct {
		node int
		path []string
	}
	seen := map[int]bool{from: true}
	queue := []step{{from, nil}}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		if st.node == to || (to < 0 && d.Nodes[st.node].End) {
			return st.path, true
		}
		for j, r := range d.Nodes[st.node].Replies {
			if len(r.Flags) > 0 {
				continue // only the one violation under test
			}
			next := idx[r.Next]
			if !seen[next] {
				seen[next] = true
				queue = append(queue, step{next, append(slices.Clone(st.path), ids[[2]int{st.node, j}])})
			}
		}
	}
	return nil, false
}

// Every flagged reply of every shipped call fails the call and the
// scenario, with the violation named, even when every other task is perfect.
func TestDialogue_EthicsViolationFailsTheShippedCalls(t *testing.T) {
	p := parameters(t)
	checked := 0
	for _, s := range shipped(t).Scenarios {
		for _, tk := range s.Tasks {
			if tk.Type != scenario.DialogueTask {
				continue
			}
			d := tk.Dialogue
			ids := publicIDs(d)
			start := slices.IndexFunc(d.Nodes, func(n scenario.Node) bool { return n.ID == d.Start })
			for i, n := range d.Nodes {
				for j, r := range n.Replies {
					if len(r.Flags) == 0 {
						continue
					}
					before, ok := pathTo(d, start, i)
					if !ok {
						continue
					}
					next := slices.IndexFunc(d.Nodes, func(n scenario.Node) bool { return n.ID == r.Next })
					after, _ := pathTo(d, next, -1)
					path := append(append(before, ids[[2]int{i, j}]), after...)
					for _, c := range cases(s)[:3] {
						sheet := scenario.AnswerSheet(s, c, p)
						sheet[tk.ID], _ = json.Marshal(path)
						res := scenario.Grade(s, c, p, sheet)
						it := res.Items[slices.IndexFunc(res.Items, func(it scenario.Item) bool { return it.Task == tk.ID })]
						if res.Passed || !res.EthicsFailure || it.Points != 0 || len(it.Flags) == 0 {
							t.Errorf("%s reply %s (%v): passed=%v ethics=%v points=%v flags=%v", s.ID, r.ID, r.Flags, res.Passed, res.EthicsFailure, it.Points, it.Flags)
						}
						for _, f := range r.Flags {
							if !strings.Contains(it.Feedback, scenario.EthicsFlags[f].FR) || !strings.Contains(it.Rule, scenario.EthicsFlags[f].Rule) {
								t.Errorf("%s reply %s: feedback/rule do not name %s: %s / %s", s.ID, r.ID, f, it.Feedback, it.Rule)
							}
						}
					}
					checked++
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("only %d flagged replies exercised: the shipped calls should test every violation", checked)
	}
}

// A call whose violation earns points, in a scenario where the call weighs
// little, fails although the score is well above the pass mark.
func TestDialogue_EthicsViolationFailsWhateverThePoints(t *testing.T) {
	yes := true
	no := false
	s := scenario.Scenario{ID: "synthetique", Title: "Appel", Components: []string{"AGENT-4"}, Kind: "phone_call", DurationMinutes: 10,
		Case: law.Input{AsOf: civil.New(2026, 11, 22), Claim: &law.Claim{Kind: "consumer", Principal: money.Cents(48000), StartsOn: civil.New(2026, 1, 10)}},
		Tasks: []scenario.Task{
			{ID: "q", Type: scenario.SingleChoice, Prompt: "?", Points: 10, Rule: "C. conso. L218-2",
				Options: []scenario.Option{{ID: "a", Label: "A", Correct: &yes}, {ID: "b", Label: "B", Correct: &no}}},
			{ID: "appel", Type: scenario.DialogueTask, Prompt: "Appel", Dialogue: &scenario.Dialogue{Start: "d", Nodes: []scenario.Node{
				{ID: "d", Line: "Allô ?", Replies: []scenario.Reply{
					{ID: "menace", Text: "Payez ou l'huissier passe demain.", Next: "f", Points: 5, Technique: []string{"identity_check"}, Flags: []string{"threat"}},
					{ID: "ok", Text: "Bonjour, êtes-vous bien M. Durand ?", Next: "f", Points: 1, Technique: []string{"identity_check"}},
				}},
				{ID: "f", Line: "Au revoir.", End: true},
			}}},
		}}
	p := parameters(t)
	c := scenario.Base(s)
	res := scenario.Grade(s, c, p, map[string]json.RawMessage{"q": json.RawMessage(`"a"`), "appel": json.RawMessage(`["r1"]`)})
	if res.Percent < 70 || res.Passed || !res.EthicsFailure {
		t.Fatalf("want a high score that still fails: percent %v passed %v ethics %v", res.Percent, res.Passed, res.EthicsFailure)
	}
	clean := scenario.Grade(s, c, p, map[string]json.RawMessage{"q": json.RawMessage(`"a"`), "appel": json.RawMessage(`["r2"]`)})
	if !clean.Passed || clean.Score != clean.MaxScore {
		t.Fatalf("the clean call should pass with full marks: %+v", clean)
	}
}
