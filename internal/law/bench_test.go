package law

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkEvaluateFullFile evaluates a file with every part (goal ≤ 20 µs/op).
func BenchmarkEvaluateFullFile(b *testing.B) {
	p := params(b)
	data, err := os.ReadFile("testdata/full.json")
	if err != nil {
		b.Fatal(err)
	}
	var in Input
	if err := json.Unmarshal(data, &in); err != nil {
		b.Fatal(err)
	}
	if probs := Check(in); len(probs) > 0 {
		b.Fatalf("fixture has problems: %v", probs)
	}
	b.ReportAllocs()
	for b.Loop() {
		out := Evaluate(in, p)
		if out.Situation == nil {
			b.Fatal("no situation")
		}
	}
}
