package scenario

import (
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
)

// ShuffleReplies gives every call of tasks the presentation of one attempt,
// drawn from key (the attempt's id): the replies in an order of its own and
// under names of its own. The same attempt always looks the same, so a
// reviewer sees what the trainee saw; two attempts most often differ, so that
// neither the author's order (often the best reply first) nor the authoring
// numbering ("r1" for the first reply written) tells which reply is best,
// whether one taps the first button or reads the page's source. The names
// keep the form "r<n>": a permutation of the call's own numbers. Answers go
// out through AliasAnswers and come back through UnaliasAnswers, so grading
// and storage only ever see the authoring ids, and the order changes no
// score. The tasks are changed in place; each call gets its own copies.
func ShuffleReplies(tasks []PublicTask, key string) {
	for i := range tasks {
		d := tasks[i].Dialogue
		if d == nil {
			continue
		}
		alias := replyAliases(tasks[i].ID, publicReplyCount(d), key)
		nd := &PublicDialogue{Start: d.Start, Nodes: slices.Clone(d.Nodes)}
		for j := range nd.Nodes {
			n := &nd.Nodes[j]
			n.Replies = slices.Clone(n.Replies)
			for k := range n.Replies {
				n.Replies[k].ID = alias[n.Replies[k].ID]
			}
			if len(n.Replies) < 2 {
				continue
			}
			r := rand.New(rand.NewPCG(hash64(key), hash64(tasks[i].ID+"/"+n.ID)))
			r.Shuffle(len(n.Replies), func(a, b int) { n.Replies[a], n.Replies[b] = n.Replies[b], n.Replies[a] })
		}
		tasks[i].Dialogue = nd
	}
}

// AliasAnswers returns answers with the reply ids of every call put under
// the attempt's names (key: the attempt's id), as ShuffleReplies shows them.
// Other answers, and an answer that is not a list of ids, pass unchanged.
func AliasAnswers(sc Scenario, key string, answers map[string]json.RawMessage) map[string]json.RawMessage {
	return renameReplies(sc, key, answers, false)
}

// UnaliasAnswers is AliasAnswers undone: the attempt's names back to the
// authoring ids. A name the call does not have is kept as sent, so that the
// grader names it as a reply not possible.
func UnaliasAnswers(sc Scenario, key string, answers map[string]json.RawMessage) map[string]json.RawMessage {
	return renameReplies(sc, key, answers, true)
}

func renameReplies(sc Scenario, key string, answers map[string]json.RawMessage, back bool) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(answers))
	for k, v := range answers {
		out[k] = v
	}
	for _, t := range sc.Tasks {
		raw, ok := answers[t.ID]
		if t.Type != DialogueTask || t.Dialogue == nil || !ok {
			continue
		}
		var path []string
		if json.Unmarshal(raw, &path) != nil {
			continue
		}
		names := replyAliases(t.ID, replyCount(t.Dialogue), key)
		if back {
			inverse := make(map[string]string, len(names))
			for id, alias := range names {
				inverse[alias] = id
			}
			names = inverse
		}
		for i, id := range path {
			if n, ok := names[id]; ok {
				path[i] = n
			}
		}
		if b, err := json.Marshal(path); err == nil {
			out[t.ID] = b
		}
	}
	return out
}

// replyAliases maps the public ids r1…rn of one call to the attempt's names:
// the same numbers, permuted by a draw seeded with the attempt and the task.
func replyAliases(task string, n int, key string) map[string]string {
	perm := rand.New(rand.NewPCG(hash64(key), hash64("names/"+task))).Perm(n)
	out := make(map[string]string, n)
	for i, p := range perm {
		out[publicReplyID(i+1)] = publicReplyID(p + 1)
	}
	return out
}

func publicReplyID(k int) string { return "r" + strconv.Itoa(k) }

func replyCount(d *Dialogue) int {
	n := 0
	for _, node := range d.Nodes {
		n += len(node.Replies)
	}
	return n
}

func publicReplyCount(d *PublicDialogue) int {
	n := 0
	for _, node := range d.Nodes {
		n += len(node.Replies)
	}
	return n
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
