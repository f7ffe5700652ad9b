package app_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/vae"
)

// TestBackup_RestoreDrill backs up a running service, then starts a new one
// on the copy alone (a data folder: database, documents, master key) and
// checks what a certifier would need after losing the machine: accounts
// log in, documents download, certificates verify with their keys.
func TestBackup_RestoreDrill(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	adminUser, admin := env.User(t, auth.RoleAdmin)
	candUser, cand := env.User(t, auth.RoleCandidate)
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement",
		"motivation": "Huit ans de recouvrement amiable.", "activity_months": 96})
	res.Expect(t, http.StatusCreated)
	var dossier vae.Dossier
	res.JSON(t, &dossier)
	env.Do(t, "POST", "/api/v1/vae/dossiers/"+dossier.ID+"/admissibility", admin, map[string]any{"decision": "admissible",
		"criteria": map[string]bool{"related_to_certification": true, "documented": true}}).Expect(t, http.StatusOK)
	var docs []vae.Document
	for i := range 3 {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", fmt.Sprintf("piece-%d.pdf", i))
		fmt.Fprintf(fw, "%%PDF-1.7 pièce %d", i)
		mw.Close()
		res := env.Do(t, "POST", "/api/v1/vae/dossiers/"+dossier.ID+"/documents", cand, buf.Bytes(), "Content-Type", mw.FormDataContentType())
		res.Expect(t, http.StatusCreated)
		var d vae.Document
		res.JSON(t, &d)
		docs = append(docs, d)
	}
	// One removed before the backup: the copy does not carry it.
	env.Do(t, "DELETE", "/api/v1/vae/dossiers/"+dossier.ID+"/documents/"+docs[2].ID, cand, nil).Expect(t, http.StatusNoContent)
	laureate := env.Candidate(t)
	for j, on := range []string{"2024-02-29", "2025-06-30", "2026-03-31", "2026-10-15"} {
		d := candidates.Decision{ID: database.NewID(), CandidateID: laureate.ID, Certification: clerc, Component: fmt.Sprintf("CLERC-%d", j+1),
			Outcome: candidates.Validated, DecidedOn: civil.MustParse(on), Final: true, CreatedBy: "jury-test"}
		if err := env.App.DB.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
	}
	res = env.Do(t, "POST", "/api/v1/candidates/"+laureate.ID+"/certificates", admin, map[string]string{"certification": clerc})
	res.Expect(t, http.StatusCreated)
	var cert certificates.Document
	res.JSON(t, &cert)

	dir := filepath.Join(t.TempDir(), "sauvegarde")
	rep, err := app.Backup(ctx, env.Cfg, env.App.DB, env.App.Blobs.Store(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Documents != 2 || len(rep.Missing) != 0 {
		t.Fatalf("backup: %+v", rep)
	}
	if _, err := app.Backup(ctx, env.Cfg, env.App.DB, env.App.Blobs.Store(), dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second backup into the same folder: %v", err)
	}
	if env.Backend == "postgres" {
		// The database is pg_dump's (docs/operations.md); the documents
		// are copied all the same, as a folder a restored service reads.
		if rep.Database != "" {
			t.Fatalf("a database copy on PostgreSQL: %s", rep.Database)
		}
		for _, d := range docs[:2] {
			if _, err := os.Stat(filepath.Join(blobs.DefaultDir(dir), d.SHA256[:2], d.SHA256)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if !rep.MasterKey || rep.Database == "" {
		t.Fatalf("backup of the embedded database: %+v", rep)
	}

	// The machine is lost: a new service on the copy alone.
	cfg, err := config.Load(func(k string) (string, bool) {
		switch k {
		case "CQP_DATA_DIR":
			return dir, true
		case "CQP_DEMO":
			return "false", true
		case "CQP_BASE_URL":
			return env.Cfg.BaseURL, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	restored, err := app.New(ctx, cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	srv := httptest.NewServer(restored.Echo)
	defer srv.Close()
	call := func(method, path, token string, body any) *apptest.Response {
		return apptest.Call(t, srv.Client(), srv.URL, method, path, token, body)
	}
	login := func(email string) string {
		res := call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "motdepasse-de-test"})
		res.Expect(t, http.StatusOK)
		var s auth.Session
		res.JSON(t, &s)
		return s.Token
	}
	candTok := login(candUser.Email)
	for i, d := range docs[:2] {
		res := call("GET", "/api/v1/vae/dossiers/"+dossier.ID+"/documents/"+d.ID, candTok, nil)
		res.Expect(t, http.StatusOK)
		if want := fmt.Sprintf("%%PDF-1.7 pièce %d", i); string(res.Body) != want {
			t.Fatalf("restored document %d: %q", i, res.Body)
		}
	}
	res = call("GET", "/api/v1/verify/"+cert.Number, "", nil)
	res.Expect(t, http.StatusOK)
	if !strings.Contains(string(res.Body), `"valid"`) {
		t.Fatalf("restored certificate: %s", res.Body)
	}
	// The restored service still signs with the same key.
	adminTok := login(adminUser.Email)
	other := env.Candidate(t) // in the old database only: unknown here
	call("POST", "/api/v1/candidates/"+other.ID+"/certificates", adminTok, map[string]string{"certification": clerc}).Expect(t, http.StatusNotFound)
	if kid := restored.Certificates.Keys().CurrentKID(); kid != cert.KID {
		t.Fatalf("the restored service signs with %s, the backed-up one with %s", kid, cert.KID)
	}
	if rep, err := restored.Blobs.Check(ctx); err != nil || !rep.OK() || rep.Objects != 2 {
		t.Fatalf("restored store: %+v %v", rep, err)
	}
}
