package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
)

func TestCandidatesImportCommand_ShowsProgressAndIsAllOrNothing(t *testing.T) {
	url, _ := apptest.DatabaseURL(t)
	dir := t.TempDir()
	env := func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return url, true
		case "CQP_DATA_DIR":
			return dir, true
		case "CQP_MASTER_KEY":
			return apptest.MasterKey, true
		case "CQP_DEMO":
			return "false", true
		}
		return "", false
	}
	var csv strings.Builder
	csv.WriteString("first_name;last_name;birth_date;email\n")
	for i := range 2500 {
		fmt.Fprintf(&csv, "Éloïse;Lefèvre-%d;1990-01-%02d;eloise%d@example.fr\n", i, 1+i%28, i)
	}
	good := filepath.Join(dir, "candidats.csv")
	if err := os.WriteFile(good, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "mauvais.csv")
	if err := os.WriteFile(bad, []byte("first_name;last_name;birth_date\nA;B;1990-01-01\nC;D;1990-13-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	err := app.Main(context.Background(), []string{"candidates", "import", bad}, env, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "lines[3].birth_date") || !strings.Contains(err.Error(), "aucun candidat") {
		t.Fatalf("bad file: %v", err)
	}
	out.Reset()
	errb.Reset()
	if err := app.Main(context.Background(), []string{"candidates", "import", good}, env, &out, &errb); err != nil {
		t.Fatalf("good file: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "2500 candidats importés") {
		t.Errorf("stdout %q", out.String())
	}
	bar := errb.String()
	if !strings.Contains(bar, "\rvérification") || !strings.Contains(bar, "\rimport") || !strings.Contains(bar, "100 %") {
		t.Errorf("progress bar %q", bar)
	}

	a, err := app.New(context.Background(), testConfig(t, url, false), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var n int64
	a.DB.Table("candidates").Count(&n)
	if n != 2500 {
		t.Errorf("%d candidates, want 2500 (the bad file must import nothing)", n)
	}
	if err := app.Main(context.Background(), []string{"candidates", "import"}, env, &out, &errb); err == nil {
		t.Error("missing file name accepted")
	}
}
