package scenario_test

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/internal/scenario"
)

// FuzzLoad gives the scenario loader and its checks any file: a scenario
// that does not parse or does not hold together is reported, never a
// panic (the checks evaluate the scenario's cases with the rules engine).
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"scenarios/agent1-loyer-impaye.yaml", "scenarios/agent2-appel-premier-contact.yaml"} {
		b, err := fs.ReadFile(assessments.FS, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("id: x\ntitle: [\ncases: {a: *b}\n"))
	p := parameters(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"scenarios/fuzz.yaml": {Data: data}}
		scenario.LoadChecked(fsys, p)
	})
}
