package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// After pseudonymisation the audit journal holds none of the candidate's
// personal data: it names records and the fields that changed, never the
// values (the finding: the name, birth date, email and employer stayed in
// the journal's rows, which cannot be edited).
func TestPseudonymise_LeavesNoPersonalDataInTheJournal(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	secret := []string{"Zéphyrine", "Quenouillère", "1987-06-05", "zephyrine.q@exemple.fr", "Cabinet Verdurin",
		"Étude Cottard", "Vingt ans de relances", "bulletin-verdurin.pdf", "Relevé Verdurin"}
	var c struct{ ID string }
	env.Do(t, "POST", "/api/v1/candidates", admin, map[string]any{"first_name": secret[0], "last_name": secret[1],
		"birth_date": secret[2], "email": secret[3], "employer": secret[4]}).Expect(t, http.StatusCreated).JSON(t, &c)
	env.Do(t, "PATCH", "/api/v1/candidates/"+c.ID, admin, map[string]any{"employer": secret[5]}).Expect(t, http.StatusOK)
	_, cand := env.User(t, auth.RoleCandidate, apptest.ForCandidate(c.ID), apptest.Named(secret[0]+" "+secret[1]))
	var d vae.Dossier
	env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement",
		"motivation": secret[6], "activity_months": 96}).Expect(t, http.StatusCreated).JSON(t, &d)
	env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/admissibility", admin, map[string]any{"decision": "admissible",
		"criteria": map[string]bool{"related_to_certification": true, "documented": true}}).Expect(t, http.StatusOK)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", secret[8])
	fw, _ := mw.CreateFormFile("file", secret[7])
	fw.Write([]byte("%PDF-1.7 bulletin"))
	mw.Close()
	env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/documents", cand, buf.Bytes(), "Content-Type", mw.FormDataContentType()).Expect(t, http.StatusCreated)

	env.Do(t, "POST", "/api/v1/candidates/"+c.ID+"/pseudonymise", admin, nil).Expect(t, http.StatusOK)

	var rows []audit.Entry
	if err := env.App.DB.Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, s := range secret {
			if strings.Contains(r.Before, s) || strings.Contains(r.After, s) {
				t.Errorf("row %d (%s) still holds %q: %s %s", r.Seq, r.Action, s, r.Before, r.After)
			}
		}
	}
	// What changed is still told, without the values.
	var update audit.Entry
	env.App.DB.Where("action = ?", "candidate.update").Take(&update)
	if !strings.Contains(update.After, `"changed":["employer"]`) {
		t.Errorf("the update's journal row: %s", update.After)
	}
	if rep, err := env.App.VerifyAudit(t.Context()); err != nil || !rep.OK() {
		t.Fatalf("journal: %+v %v", rep, err)
	}
}
