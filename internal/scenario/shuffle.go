package scenario

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// ShuffleReplies puts the replies of every call of tasks in an order drawn
// from key (the attempt's id): the same attempt always shows the same order,
// so a reviewer sees what the trainee saw, and two attempts most often differ,
// so that the author's order (often the best reply first) teaches nothing.
// Grading reads the reply ids chosen, never their place: the order changes no
// score. The tasks are changed in place; each call gets its own copies.
func ShuffleReplies(tasks []PublicTask, key string) {
	for i := range tasks {
		d := tasks[i].Dialogue
		if d == nil {
			continue
		}
		nd := &PublicDialogue{Start: d.Start, Nodes: slices.Clone(d.Nodes)}
		for j := range nd.Nodes {
			n := &nd.Nodes[j]
			if len(n.Replies) < 2 {
				continue
			}
			n.Replies = slices.Clone(n.Replies)
			r := rand.New(rand.NewPCG(hash64(key), hash64(tasks[i].ID+"/"+n.ID)))
			r.Shuffle(len(n.Replies), func(a, b int) { n.Replies[a], n.Replies[b] = n.Replies[b], n.Replies[a] })
		}
		tasks[i].Dialogue = nd
	}
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
