package app_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
)

// At start-up a scenario that fails its check is logged with the reason and
// not served; the others are.
func TestStartup_BrokenScenarioIsLoggedAndNotServed(t *testing.T) {
	content := fstest.MapFS{}
	err := fs.WalkDir(assessments.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(assessments.FS, p)
		if p == "scenarios/clerc3-sources-licites.yaml" {
			raw = []byte(strings.Replace(string(raw), "duration_minutes:", "duration_minutes: -5\nx_duree:", 1))
		}
		content[p] = &fstest.MapFile{Data: raw}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := apptest.DatabaseURL(t)
	cfg, err := config.Load(func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return url, true
		case "CQP_DATA_DIR":
			return t.TempDir(), true
		case "CQP_MASTER_KEY":
			return apptest.MasterKey, true
		case "CQP_DEMO":
			return "false", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}, AssessmentsFS: content})
	if err != nil {
		t.Fatalf("a broken scenario must not stop the server: %v", err)
	}
	defer a.Close()
	if !strings.Contains(logs.String(), "clerc3-sources-licites") || !strings.Contains(logs.String(), "assessments check") {
		t.Errorf("the log does not report the broken scenario:\n%s", logs.String())
	}
	cat := a.Training.Catalogue()
	if _, ok := cat.Scenario("clerc3-sources-licites"); ok {
		t.Error("the broken scenario is served")
	}
	if len(cat.Scenarios) != len(assessmentsCount(t))-1 {
		t.Errorf("%d scenarios served, want every other one", len(cat.Scenarios))
	}
	// The module that lists it is withheld too, rather than served incomplete.
	if _, ok := cat.Module("clerc-3"); ok {
		t.Error("a module naming a broken scenario is served")
	}
}

func assessmentsCount(t *testing.T) []string {
	files, err := fs.Glob(assessments.FS, "scenarios/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return files
}
