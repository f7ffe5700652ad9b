package app_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/assessments/grids"
	"github.com/ancr/cqp/internal/app"
)

// copyAssessments lays the shipped content out in a folder, as an author
// would have it, so that a test can break one file.
func copyAssessments(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	put := func(fsys fs.FS, under string) {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			raw, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, under, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, raw, 0o600)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(assessments.FS, "")
	put(grids.FS, "grids")
	return dir
}

func TestAssessmentsCheck_ShippedContentPasses(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := app.Main(context.Background(), []string{"assessments", "check"}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("the shipped assessments must pass: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"CLERC-1", "AGENT-4", "assessments check: OK"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	// The same content read from a folder passes too.
	out.Reset()
	if err := app.Main(context.Background(), []string{"assessments", "check", copyAssessments(t)}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("a copy of the shipped content must pass: %v\n%s", err, errOut.String())
	}
}

// A broken file makes the command fail and names the file and what is wrong.
func TestAssessmentsCheck_BrokenFilesFailWithTheirNameAndReason(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"dialogue reply to a missing node", "scenarios/agent2-appel-premier-contact.yaml",
			"start: decroche", "start: nulle-part", "agent2-appel-premier-contact"},
		{"unknown field", "scenarios/clerc1-frais-salle-de-sport.yaml",
			"title:", "titre: x\ntitle:", "clerc1-frais-salle-de-sport.yaml"},
		{"module names a missing scenario", "modules/clerc-1/module.yaml",
			"- clerc1-frais-salle-de-sport", "- scenario-inexistant", "scenario-inexistant"},
		{"grid of the wrong component", "grids/AGENT-1.yaml",
			"component: AGENT-1", "component: AGENT-9", "AGENT-1.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyAssessments(t)
			p := filepath.Join(dir, filepath.FromSlash(tc.file))
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(raw), tc.old) {
				t.Fatalf("%s no longer contains %q: update the test", tc.file, tc.old)
			}
			if err := os.WriteFile(p, []byte(strings.Replace(string(raw), tc.old, tc.new, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			err = app.Main(context.Background(), []string{"assessments", "check", dir}, noEnv, &out, &errOut)
			if err == nil {
				t.Fatalf("a broken %s must fail the check\n%s", tc.file, out.String())
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("the report should name %q:\n%s", tc.want, errOut.String())
			}
		})
	}
}

func TestAssessmentsCheck_UsageError(t *testing.T) {
	var out bytes.Buffer
	if err := app.Main(context.Background(), []string{"assessments"}, noEnv, &out, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("want a usage error, got %v", err)
	}
}
