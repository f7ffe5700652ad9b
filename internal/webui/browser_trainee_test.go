//go:build browser

package webui_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/vae"
	"github.com/chromedp/chromedp"
)

// The trainee's VAE journey: the request from the empty page, then (once
// declared admissible) an experience, a supporting document, and the
// refusals of a wrong file, shown next to the file input.
func TestBrowser_TraineeBuildsTheVAEDossierAndSeesUploadRefusals(t *testing.T) {
	env := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.SecureCookie = false
		c.BaseURL = "http://127.0.0.1"
		c.UploadLimit = 1 << 20
	}))
	dir := t.TempDir()
	file := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := newTab(t, env)
	b.login("candidat@demo.cqp.fr", "Candidat-2026")
	b.do(chromedp.Click(chromedp.CSS(`nav a[href="/training/vae"]`)), chromedp.WaitVisible(chromedp.CSS("#f-certification")))
	b.contains("Demander une VAE", "Vous n'avez pas encore de dossier VAE.")
	b.do(
		chromedp.SetValue(chromedp.CSS("#f-certification"), "agent-recouvrement"),
		chromedp.SendKeys(chromedp.CSS("#f-activity_months"), "40"),
		chromedp.SendKeys(chromedp.CSS("#f-motivation"), "Trois ans de relances amiables en cabinet."),
	)
	b.submit("main form button[type=submit]", "#timeline")
	b.contains("Demande de VAE déposée", "Demande déposée : recevabilité à l'étude", "Sa décision est due au plus tard le")

	// The administration declares the request admissible.
	admin, err := findUser(env, "admin@demo.cqp.fr")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(b.path(), "/training/vae/")
	yes := true
	var dec vae.AdmissibilityDecision
	dec.Decision = vae.StatusAdmissible
	dec.Criteria.RelatedToCertification, dec.Criteria.DocumentedByTheCandidate = &yes, &yes
	if _, err := env.App.VAE.DecideAdmissibility(context.Background(), admin, id, dec); err != nil {
		t.Fatalf("admissibility of %s: %v", id, err)
	}
	b.open("/training/vae")
	b.contains("Recevable : dossier à constituer", "Demande déclarée recevable, jusqu'au", "Durée totale d'activité : 0 mois")

	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-employer"), "Cabinet Bérard & Associés"),
		chromedp.SendKeys(chromedp.CSS("#f-role"), "Chargée de recouvrement amiable"),
		chromedp.SetValue(chromedp.CSS("#f-starts_on"), "2023-03-01"),
		chromedp.SetValue(chromedp.CSS("#f-ends_on"), "2026-06-30"),
		chromedp.SendKeys(chromedp.CSS("#f-activities"), "Relances téléphoniques et écrites, plans d'apurement, suivi des promesses de paiement."),
		chromedp.Click(chromedp.CSS(`input[name=components][value="AGENT-1"]`)),
		chromedp.Click(chromedp.CSS(`input[name=components][value="AGENT-3"]`)),
	)
	b.submit("form[action$='/experiences'] button[type=submit]", ".flash")
	b.contains("Expérience ajoutée : Chargée de recouvrement amiable chez Cabinet Bérard & Associés.", "3 ans et 4 mois")

	pdf := append([]byte("%PDF-1.4\n% attestation\n"), bytes.Repeat([]byte("0"), 2048)...)
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Attestation d'employeur"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file("attestation-employeur.pdf", pdf)}),
	)
	b.submit("#upload-form button[type=submit]", ".flash")
	b.contains("Justificatif ajouté : Attestation d'employeur.", "attestation-employeur.pdf")
	if n := b.eval(`String(document.querySelectorAll("#documents a.doc-link").length)`); n != "1" {
		t.Errorf("%s documents listed", n)
	}
	b.shot("trainee-vae")

	// A text file named .pdf, then a file over the limit: refused next to the input.
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file("bulletin.pdf", []byte("Ceci n'est pas un PDF."))}))
	b.submit("#upload-form button[type=submit]", "#e-file")
	if msg := b.text("#e-file"); !strings.Contains(msg, "Seuls les documents PDF, JPEG et PNG sont acceptés") {
		t.Errorf("wrong type: %q", msg)
	}
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 1<<20+4096)...)
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file("scan-complet.pdf", big)}))
	b.submit("#upload-form button[type=submit]", "#e-file")
	if msg := b.text("#e-file"); !strings.Contains(msg, "Le document dépasse la taille autorisée (1 Mio).") {
		t.Errorf("too large: %q", msg)
	}
	if got := b.eval(`document.querySelector("#f-file").getAttribute("aria-describedby")`); !strings.Contains(got, "e-file") {
		t.Errorf("the file input is not described by its error: %q", got)
	}
	b.shot("trainee-vae-upload-error")
	if n := b.eval(`String(document.querySelectorAll("#documents a.doc-link").length)`); n != "1" {
		t.Errorf("%s documents listed after the refusals", n)
	}
}

// The administrator's CSV import: the form with its columns, the progress
// page refreshed by htmx, then the count.
func TestBrowser_AdministratorImportsCandidatesFromACSVFile(t *testing.T) {
	env := demoEnv(t)
	// The import is a durable job: a worker takes it, as in the server.
	ctx, stop := context.WithCancel(context.Background())
	worked := make(chan struct{})
	go func() { defer close(worked); env.App.Jobs.Work(ctx, 1, 50*time.Millisecond) }()
	t.Cleanup(func() { stop(); <-worked })
	var csv bytes.Buffer
	csv.WriteString("first_name;last_name;birth_date;email;employer;training_organisation\n")
	const rows = 3000
	for i := range rows {
		fmt.Fprintf(&csv, "Léa%d;Importée%d;1988-02-%02d;lea%d@example.fr;Cabinet %d;Institut ANCR\n", i, i, i%28+1, i, i%9)
	}
	path := filepath.Join(t.TempDir(), "promotion-2027.csv")
	if err := os.WriteFile(path, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b := newTab(t, env)
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")
	b.open("/admin/candidates")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/admin/candidates/import"]`)), chromedp.WaitVisible(chromedp.CSS("#f-file")))
	b.contains("Importer des candidats", "Colonnes attendues", "training_organisation", "Télécharger un exemple (CSV)")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{path}))
	b.submit("#import-form button[type=submit]", "#job")
	// The page polls: catch it with some rows done, if the import is slow
	// enough to be seen at all.
	state := ""
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		state = b.eval(`document.querySelector("#import-result") ? "done" :
			(document.querySelector("#import-progress") && document.querySelector("#import-progress").value > 0 ? "running" : "")`)
		if state != "" {
			break
		}
	}
	if state == "running" {
		b.contains("Import en cours", "lignes traitées")
		b.shot("admin-import-progress")
	} else {
		t.Log("the import ended before its progress could be shown: no progress screenshot")
	}
	b.waitJS(`!!document.querySelector("#import-result")`)
	b.contains(fmt.Sprintf("%d candidats importés.", rows))
	b.shot("admin-import-result")
	var n int64
	if err := env.App.DB.Table("candidates").Where("last_name LIKE ?", "Importée%").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Errorf("%d candidates imported, want %d", n, rows)
	}
}
