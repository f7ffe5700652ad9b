package app_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
)

// An employer handed a certificate's JSON file checks it offline, with the
// keys the platform publishes; a single changed character makes it fail.
// Issuance by batch from the command line resumes without duplicates.
func TestCertificatesCommand_VerifyOfflineAndIssueByBatch(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	var ids []string
	for range 3 {
		c := env.Candidate(t, apptest.Names("Benoît", "Lefèvre"))
		ids = append(ids, c.ID)
		for _, code := range []string{"CLERC-1", "CLERC-2"} {
			d := candidates.Decision{ID: database.NewID(), CandidateID: c.ID, Certification: "clerc-recouvrement-amiable",
				Component: code, Outcome: candidates.Validated, DecidedOn: civil.MustParse("2026-10-01"), Final: true, CreatedBy: "jury"}
			if err := env.App.DB.Create(&d).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	lookup := func(k string) (string, bool) {
		switch k {
		case "CQP_DATABASE_URL":
			return env.Cfg.DatabaseURL, true
		case "CQP_DATA_DIR":
			return env.Cfg.DataDir, true
		case "CQP_MASTER_KEY": // the embedded database's is in its data folder
			return apptest.MasterKey, env.Backend == "postgres"
		case "CQP_DEMO":
			return "false", true
		case "CQP_BASE_URL":
			return env.Cfg.BaseURL, true
		}
		return "", false
	}
	var out, errOut bytes.Buffer
	err := app.Main(context.Background(), []string{"certificates", "issue", "--certification", "clerc-recouvrement-amiable",
		"--candidates", strings.Join(ids[:2], ",")}, lookup, &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "2 documents délivrés") || !strings.Contains(errOut.String(), "100 %         2 candidats") {
		t.Fatalf("issue: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	out.Reset()
	err = app.Main(context.Background(), []string{"certificates", "issue", "--certification", "clerc-recouvrement-amiable",
		"--candidates", strings.Join(ids, ",")}, lookup, &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "1 documents délivrés, 2 déjà à jour") {
		t.Fatalf("resume: %v\n%s", err, out.String())
	}

	res := env.Do(t, "POST", "/api/v1/candidates/"+ids[0]+"/certificates", admin, map[string]string{"certification": "clerc-recouvrement-amiable"})
	if res.Status != http.StatusOK {
		t.Fatalf("the batch's document is not the one issued again: %d %s", res.Status, res.Body)
	}
	dir := t.TempDir()
	doc := filepath.Join(dir, "attestation.json")
	keys := filepath.Join(dir, "keys.json")
	tampered := filepath.Join(dir, "falsifiee.json")
	_ = os.WriteFile(doc, res.Body, 0o600)
	_ = os.WriteFile(keys, env.Do(t, "GET", "/api/v1/keys", "", nil).Body, 0o600)
	_ = os.WriteFile(tampered, bytes.Replace(res.Body, []byte("2031-10-01"), []byte("2036-10-01"), 1), 0o600)

	for _, args := range [][]string{{"certificates", "verify", doc}, {"certificates", "verify", doc, "--keys", keys}} {
		out.Reset()
		// No database needed: a lookup without CQP_DATABASE_URL would do; the data dir gives the keys.
		if err := app.Main(context.Background(), args, lookup, &out, &errOut); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		for _, want := range []string{"VALIDE", "Attestation de validation partielle", "Benoît Lefèvre", "CLERC-2", "valable jusqu'au 2031-09-30 inclus"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: %q missing from\n%s", args, want, out.String())
			}
		}
	}
	out.Reset()
	if err := app.Main(context.Background(), []string{"certificates", "verify", tampered, "--keys", keys}, lookup, &out, &errOut); err == nil ||
		!strings.Contains(out.String(), "INVALIDE") {
		t.Errorf("tampered file: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := app.Main(context.Background(), []string{"certificates", "rotate-key"}, lookup, &out, &errOut); err != nil || !strings.Contains(out.String(), "nouvelle clé") {
		t.Errorf("rotate-key: %v %s", err, out.String())
	}
	// After rotation the old document still verifies with the published set.
	out.Reset()
	if err := app.Main(context.Background(), []string{"certificates", "verify", doc}, lookup, &out, &errOut); err != nil {
		t.Errorf("old document after rotation: %v\n%s", err, out.String())
	}
}
