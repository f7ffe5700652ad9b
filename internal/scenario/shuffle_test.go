package scenario_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/ancr/cqp/internal/scenario"
)

// firstReplies plays the call of task id by always taking the first reply
// shown, as a trainee tapping without reading would.
func firstReplies(t *testing.T, tasks []scenario.PublicTask, id string) []string {
	t.Helper()
	var d *scenario.PublicDialogue
	for _, pt := range tasks {
		if pt.ID == id {
			d = pt.Dialogue
		}
	}
	if d == nil {
		t.Fatalf("no call %s", id)
	}
	nodes := map[string]scenario.PublicNode{}
	for _, n := range d.Nodes {
		nodes[n.ID] = n
	}
	var path []string
	for n := nodes[d.Start]; len(n.Replies) > 0 && len(path) < 20; n = nodes[n.Replies[0].Next] {
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

func TestShuffleReplies_OrderFollowsTheAttemptAndTheFirstReplyNoLongerWins(t *testing.T) {
	cat := shipped(t)
	sc, ok := cat.Scenario("agent4-appel-contestation")
	if !ok {
		t.Fatal("the demo call is not served")
	}
	c := scenario.Draw(sc, 17)
	grade := func(path []string) scenario.Item {
		raw, _ := json.Marshal(path)
		res := scenario.Grade(sc, c, parameters(t), map[string]json.RawMessage{"call": raw})
		for _, it := range res.Items {
			if it.Task == "call" {
				return it
			}
		}
		t.Fatal("no item for the call")
		return scenario.Item{}
	}
	authored := scenario.Public(sc, c).Tasks
	if it := grade(firstReplies(t, authored, "call")); !it.Correct {
		t.Fatalf("in the author's order the first replies make a perfect call no longer (%v / %v): the test proves nothing",
			it.Points, it.MaxPoints)
	}

	orders := map[string]bool{}
	perfect := 0
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
		// The same replies, wherever shown, are graded the same: the ids carry the choice.
		path := firstReplies(t, tasks, "call")
		if a, b := grade(path), grade(slices.Clone(path)); a.Points != b.Points {
			t.Fatalf("grading changed with the order: %v / %v", a.Points, b.Points)
		}
		if grade(path).Correct {
			perfect++
		}
	}
	if len(orders) < 10 {
		t.Errorf("%d attempts show only %d orders of the replies", attempts, len(orders))
	}
	if orders[replyOrder(authored)] && len(orders) == 1 {
		t.Error("every attempt shows the author's order")
	}
	// By chance alone 1 call in 36 is perfect (2 × 2 × 3 × 3 orders).
	if perfect > attempts/6 {
		t.Errorf("always tapping the first reply makes %d perfect calls out of %d", perfect, attempts)
	}
	// The authored view of the catalogue is left as it was.
	if replyOrder(scenario.Public(sc, c).Tasks) != replyOrder(authored) {
		t.Error("shuffling changed the scenario's own view")
	}
}
