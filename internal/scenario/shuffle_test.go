package scenario_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/scenario"
)

// call is the call of task id as shown: its first line and its lines by id.
func call(t *testing.T, tasks []scenario.PublicTask, id string) (scenario.PublicNode, map[string]scenario.PublicNode) {
	t.Helper()
	for _, pt := range tasks {
		if pt.ID == id && pt.Dialogue != nil {
			nodes := map[string]scenario.PublicNode{}
			for _, n := range pt.Dialogue.Nodes {
				nodes[n.ID] = n
			}
			return nodes[pt.Dialogue.Start], nodes
		}
	}
	t.Fatalf("no call %s", id)
	return scenario.PublicNode{}, nil
}

// firstReplies plays the call of task id by always taking the first reply
// shown, as a trainee tapping without reading would.
func firstReplies(t *testing.T, tasks []scenario.PublicTask, id string) []string {
	t.Helper()
	var path []string
	for n, nodes := call(t, tasks, id); len(n.Replies) > 0 && len(path) < 20; n = nodes[n.Replies[0].Next] {
		path = append(path, n.Replies[0].ID)
	}
	return path
}

func replyOrder(tasks []scenario.PublicTask) string {
	var s string
	for _, pt := range tasks {
		if pt.Dialogue == nil {
			continue
		}
		for _, n := range pt.Dialogue.Nodes {
			for _, r := range n.Replies {
				s += r.ID + " "
			}
		}
	}
	return s
}

// lowestReplies plays the call of task id by always taking the reply with
// the smallest number, as someone reading the page's source for "r1" would.
func lowestReplies(t *testing.T, tasks []scenario.PublicTask, id string) []string {
	t.Helper()
	num := func(r scenario.PublicReply) int { n, _ := strconv.Atoi(strings.TrimPrefix(r.ID, "r")); return n }
	var path []string
	for n, nodes := call(t, tasks, id); len(n.Replies) > 0 && len(path) < 20; {
		low := slices.MinFunc(n.Replies, func(a, b scenario.PublicReply) int { return num(a) - num(b) })
		path = append(path, low.ID)
		n = nodes[low.Next]
	}
	return path
}

func TestShuffleReplies_OrderAndNamesFollowTheAttemptAndNeitherGivesTheBestCall(t *testing.T) {
	cat := shipped(t)
	sc, ok := cat.Scenario("agent4-appel-contestation")
	if !ok {
		t.Fatal("the demo call is not served")
	}
	c := scenario.Draw(sc, 17)
	// grade reads a path shown to the attempt key, as the service does:
	// back to the authoring ids first ("": the authoring view itself).
	grade := func(key string, path []string) scenario.Item {
		answers := map[string]json.RawMessage{"call": mustJSON(path)}
		if key != "" {
			answers = scenario.UnaliasAnswers(sc, key, answers)
		}
		res := scenario.Grade(sc, c, parameters(t), answers)
		for _, it := range res.Items {
			if it.Task == "call" {
				return it
			}
		}
		t.Fatal("no item for the call")
		return scenario.Item{}
	}
	authored := scenario.Public(sc, c).Tasks
	if it := grade("", firstReplies(t, authored, "call")); !it.Correct {
		t.Fatalf("in the author's order the first replies make a perfect call no longer (%v / %v): the test proves nothing",
			it.Points, it.MaxPoints)
	}
	if !callCorrect(scenario.Grade(sc, c, parameters(t), map[string]json.RawMessage{"call": mustJSON(lowestReplies(t, authored, "call"))})) {
		t.Fatal("under the authoring names the lowest numbers make a perfect call no longer: the test proves nothing")
	}

	orders := map[string]bool{}
	perfect, lowest := 0, 0
	const attempts = 60
	for i := range attempts {
		key := fmt.Sprintf("attempt-%02d", i)
		tasks := scenario.Public(sc, c).Tasks
		scenario.ShuffleReplies(tasks, key)
		again := scenario.Public(sc, c).Tasks
		scenario.ShuffleReplies(again, key)
		if replyOrder(tasks) != replyOrder(again) {
			t.Fatalf("attempt %s shows two orders", key)
		}
		orders[replyOrder(tasks)] = true
		// The author's best path, named for this attempt, is still perfect:
		// names change, choices do not.
		best := scenario.AnswerSheet(sc, c, parameters(t))
		if it := grade(key, decodePath(t, scenario.AliasAnswers(sc, key, best)["call"])); !it.Correct {
			t.Fatalf("attempt %s: the best path under its names scores %v / %v", key, it.Points, it.MaxPoints)
		}
		if grade(key, firstReplies(t, tasks, "call")).Correct {
			perfect++
		}
		if grade(key, lowestReplies(t, tasks, "call")).Correct {
			lowest++
		}
	}
	t.Logf("%d attempts: %d orders; perfect calls by the first reply %d, by the smallest number %d", attempts, len(orders), perfect, lowest)
	if len(orders) < 10 {
		t.Errorf("%d attempts show only %d orders of the replies", attempts, len(orders))
	}
	// By chance alone 1 call in 36 is perfect (2 × 2 × 3 × 3 choices).
	if perfect > attempts/6 {
		t.Errorf("always tapping the first reply makes %d perfect calls out of %d", perfect, attempts)
	}
	if lowest > attempts/6 {
		t.Errorf("always taking the smallest reply number makes %d perfect calls out of %d", lowest, attempts)
	}
	// The authored view of the catalogue is left as it was.
	if replyOrder(scenario.Public(sc, c).Tasks) != replyOrder(authored) {
		t.Error("shuffling changed the scenario's own view")
	}
}

// The names shown are the names AliasAnswers gives, and UnaliasAnswers
// undoes them; an unknown name is kept as sent, other answers pass as sent.
func TestAliasAnswers_MatchTheViewAndRoundTrip(t *testing.T) {
	cat := shipped(t)
	sc, _ := cat.Scenario("agent4-appel-contestation")
	c := scenario.Draw(sc, 3)
	authored := scenario.Public(sc, c).Tasks
	shown := scenario.Public(sc, c).Tasks
	scenario.ShuffleReplies(shown, "attempt-x")
	texts := func(tasks []scenario.PublicTask) map[string]string {
		out := map[string]string{}
		for _, pt := range tasks {
			if pt.Dialogue != nil {
				for _, n := range pt.Dialogue.Nodes {
					for _, r := range n.Replies {
						out[r.ID] = r.Text
					}
				}
			}
		}
		return out
	}
	byAuthor, byAttempt := texts(authored), texts(shown)
	ids := make([]string, 0, len(byAuthor))
	for id := range byAuthor {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	raw := mustJSON(ids)
	named := decodePath(t, scenario.AliasAnswers(sc, "attempt-x", map[string]json.RawMessage{"call": raw})["call"])
	moved := 0
	for i, id := range ids {
		if byAttempt[named[i]] != byAuthor[id] {
			t.Errorf("%s is shown as %s, but %s holds another reply", id, named[i], named[i])
		}
		if named[i] != id {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no reply was renamed")
	}
	in := map[string]json.RawMessage{"call": mustJSON(append(named, "r999")), "other": json.RawMessage(`"texte"`), "broken": json.RawMessage(`{`)}
	back := scenario.UnaliasAnswers(sc, "attempt-x", in)
	if got := decodePath(t, back["call"]); !slices.Equal(got, append(ids, "r999")) {
		t.Errorf("round trip: %v, want %v", got, append(ids, "r999"))
	}
	if string(back["other"]) != `"texte"` || string(back["broken"]) != `{` {
		t.Errorf("other answers changed: %s %s", back["other"], back["broken"])
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func decodePath(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var p []string
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("path %s: %v", raw, err)
	}
	return p
}

func callCorrect(r scenario.Result) bool {
	for _, it := range r.Items {
		if it.Task == "call" {
			return it.Correct
		}
	}
	return false
}
