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

// replyClear tells, for every button of the call (its replies and the
// restart), whether it is on the screen and is what a tap at its middle
// would hit (not the sticky bar, whose "Rendre la copie" a tap used to
// reach), or why not.
const replyClear = `(() => {
  const bad = [];
  const bar = document.querySelector(".sticky-bottom");
  document.querySelectorAll("#call-call button").forEach(btn => {
    const r = btn.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) { bad.push(btn.value + " off screen " + r.top + "–" + r.bottom); return; }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !btn.contains(hit)) { bad.push(btn.value + " covered by " + (hit ? hit.outerHTML.slice(0, 80) : "nothing")); return; }
    if (bar) {
      const b = bar.getBoundingClientRect();
      if (r.bottom > b.top && r.top < b.bottom) bad.push(btn.value + " under the sticky bar");
    }
  });
  return bad.join("; ");
})()`

// The call played to its end on a 1280 × 800 screen by tapping replies: each
// reply swaps the call in place (no page load), the new line is read out by
// the live region, the replies stay on screen and clear of the sticky bar,
// and the copy is never handed in by a tap.
func TestBrowser_TraineePlaysTheCallByTappingRepliesOnAShortScreen(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.do(chromedp.EmulateViewport(1280, 800))
	b.login("candidat@demo.cqp.fr", "Candidat-2026")
	b.submit("#s-agent4-appel-contestation button[type=submit]", "#call-call")
	id := strings.TrimPrefix(b.path(), "/training/attempts/")
	b.axe("player")
	// The page is not reloaded during the call: this mark would be lost.
	b.eval(`window.__cqpCall = "1"; "1"`)
	// The author's best path (r1, r3, r5, r8), tapped wherever the
	// attempt's order puts each reply, under the attempt's names.
	for i, reply := range named(t, env, id, "r1", "r3", "r5", "r8") {
		reply = "call:" + reply
		if bad := b.eval(replyClear); bad != "" {
			t.Fatalf("before reply %d: %s", i+1, bad)
		}
		b.tapReply(reply)
		if b.eval(`window.__cqpCall || ""`) != "1" {
			t.Fatalf("reply %d reloaded the page (now at %s)", i+1, b.path())
		}
		newest := b.eval(`document.querySelector("#call-call .chat > li:last-child").innerText`)
		live := b.eval(`document.querySelector("#call-live-call").innerText`)
		if last := strings.TrimPrefix(strings.TrimSpace(newest), "Débiteur"); live == "" || !strings.Contains(plainSpaces(live), plainSpaces(strings.TrimSpace(last))) {
			t.Errorf("reply %d: the live region says %q, the newest line is %q", i+1, live, newest)
		}
		// The newest line is on screen, above the bar.
		if off := b.eval(`(() => { const r = document.querySelector("#now-call").getBoundingClientRect();
			const bar = document.querySelector(".sticky-bottom").getBoundingClientRect();
			return r.top >= 0 && r.bottom <= bar.top ? "" : r.top + "–" + r.bottom + " bar at " + bar.top; })()`); off != "" {
			t.Errorf("reply %d: the newest line is out of view: %s", i+1, off)
		}
		var status string
		if err := env.App.DB.Table("training_attempts").Select("status").Where("id = ?", id).Scan(&status).Error; err != nil {
			t.Fatal(err)
		}
		if status != "in_progress" {
			t.Fatalf("reply %d: the attempt is %s", i+1, status)
		}
	}
	b.contains("Fin de l'appel.")
	if n := b.eval(`String(document.querySelectorAll("#call-call .reply-btn").length)`); n != "0" {
		t.Errorf("%s replies after the end of the call", n)
	}
	if p := b.path(); p != "/training/attempts/"+id {
		t.Errorf("the call ended at %s", p)
	}
	b.shot("trainee-call-short-screen")
	b.axe("player after the call")

	// The copy, handed in, gives full marks for the call.
	b.submit("#submit-attempt", "#confirm-submit")
	b.submit("#confirm-submit-btn", ".score-ring")
	if txt := b.text("#it-call"); !strings.Contains(txt, "Juste") {
		t.Errorf("the best path is graded %q", txt)
	}
}

// After a call that broke the code of conduct, the result names the breach
// and goes through the call reply by reply; an open exercise is abandoned
// after one more question; « Mes progrès », a module's page and the
// catalogue tell where the trainee stands. Every page passes axe-core.
func TestBrowser_TraineeReadsTheCallStepByStepAbandonsAndFollowsProgress(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.do(chromedp.EmulateViewport(1280, 800))
	b.login("candidat@demo.cqp.fr", "Candidat-2026")
	b.axe("catalogue")
	b.submit("#s-agent4-appel-contestation button[type=submit]", "#call-call")
	// The case documents keep their lines.
	if n := b.eval(`String(document.querySelector(".casefile .doc p").innerText.split("\n").length)`); n == "1" {
		t.Error("the case document is shown as one run-on line")
	}
	for _, reply := range named(t, env, b.path(), "r1", "r3", "r6") {
		b.tapReply("call:" + reply)
	}
	b.submit("#submit-attempt", "#confirm-submit")
	b.axe("confirm submission")
	b.submit("#confirm-submit-btn", ".score-ring")
	b.contains("Manquement à la déontologie", "menace", "L'appel, réplique par réplique", "Réponse attendue", "Règle")
	if strings.Contains(b.text("main"), "threat") {
		t.Error("the result shows the grader's code")
	}
	b.shot("trainee-result-call-steps")
	b.axe("result")

	// Abandon an open exercise, after confirming.
	b.open("/training")
	b.submit("#s-clerc1-recevabilite-facture-artisan button[type=submit]", "#player")
	b.submit("#abandon-attempt", "#confirm-abandon")
	b.contains("Abandonner l'exercice ?", "ne comptera pas dans vos progrès")
	b.axe("confirm abandon")
	b.submit("#confirm-abandon-btn", ".flash")
	b.contains("Exercice abandonné : il ne compte pas dans vos progrès.")
	if p := b.path(); p != "/training" {
		t.Errorf("after abandoning at %s", p)
	}
	if got := b.eval(`document.querySelector("#s-agent4-appel-contestation .tile-status").textContent`); !strings.Contains(got, "à retravailler") || !strings.Contains(got, "meilleur score") {
		t.Errorf("the call's tile says %q", got)
	}
	b.axe("catalogue with results")

	b.submit(`a[href="/training/progress"]`, "#p-AGENT-4")
	b.contains("Mes progrès", "Règles les plus souvent manquées", "revoir le module", "Avant l'épreuve", "meilleur score", "dernier score")
	b.shot("trainee-progress")
	b.axe("progress")
	b.submit(`#p-AGENT-4 a[href="/training/modules/agent-4"]`, ".course")
	b.contains("Communiquer dans le respect de la déontologie", "Les exercices du module")
	b.axe("module")
}

// tapReply taps a reply of the call and waits for the call to move on: the
// new lines swapped in, then the script done bringing the call into view and
// moving the focus to the first reply, or to the end of the call (the tapped
// button is gone with the old block). The next tap must not land while the
// page still scrolls.
func (b *tab) tapReply(reply string) {
	b.t.Helper()
	lines := b.eval(`String(document.querySelectorAll("#call-call .chat > li").length)`)
	b.do(chromedp.Click(chromedp.CSS(`#call-call .reply-btn[value="` + reply + `"]`)))
	b.waitJS(`document.querySelectorAll("#call-call .chat > li").length > ` + lines)
	b.waitJS(`!!document.activeElement && !!document.activeElement.closest("#call-call") &&
		(document.activeElement.matches(".reply-btn") || document.activeElement.matches(".call-end"))`)
}
