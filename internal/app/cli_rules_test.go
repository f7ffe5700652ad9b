package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app"
)

func noEnv(string) (string, bool) { return "", false }

// A trainer preparing a case runs the analysis from a file, in French or as
// JSON, and gets the field named when the file is wrong.
func TestRulesCommand_PrintsTheAnalysisOrNamesTheBadField(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "dossier.json")
	raw, err := os.ReadFile("../../.ci/bench-evaluate.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := app.Main(context.Background(), []string{"rules", "evaluate", good}, noEnv, &out, &out); err != nil {
		t.Fatalf("evaluate: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"Prescription", "€"} {
		if !strings.Contains(text, want) {
			t.Errorf("the French analysis lacks %q:\n%s", want, text)
		}
	}

	out.Reset()
	if err := app.Main(context.Background(), []string{"rules", "evaluate", good, "--json"}, noEnv, &out, &out); err != nil {
		t.Fatal(err)
	}
	var parsed map[string]any
	if err := json.Unmarshal(out.Bytes(), &parsed); err != nil {
		t.Fatalf("--json is not JSON: %v\n%s", err, out.String())
	}
	for _, k := range []string{"limitation", "claimable", "situation", "findings"} {
		if _, ok := parsed[k]; !ok {
			t.Errorf("--json lacks %q", k)
		}
	}

	bad := filepath.Join(dir, "faux.json")
	if err := os.WriteFile(bad, []byte(`{"as_of":"2026-03-02","claim":{"kind":"consumer","principal":10,"starts_on":"2025-02-30"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = app.Main(context.Background(), []string{"rules", "evaluate", bad}, noEnv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "claim.starts_on") {
		t.Fatalf("an impossible date must be refused with its field named, got %v", err)
	}
}
