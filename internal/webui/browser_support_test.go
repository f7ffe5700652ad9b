//go:build browser

package webui_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The demo's support person signs in, finds the candidate she supports,
// reads the request with her opinion, and leaves a comment the
// administrator then reads on the dossier.
func TestBrowser_SupportPersonReadsTheRequestAndComments(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.login("accompagnatrice@demo.cqp.fr", "Accompagnement-2026")
	if p := b.path(); p != "/support" {
		t.Fatalf("the support person lands on %s", p)
	}
	b.contains("Candidats accompagnés", "Nguyễn Thị Ánh", "CQP Clerc en recouvrement amiable")
	b.shot("support-home")
	b.follow("#supported", "Nguyễn Thị Ánh", "#support")
	b.contains("Gestionnaire de recouvrement amiable depuis 2023", "Avis favorable", "Votre avis sur la demande")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-comment"), "Pensez à joindre l'attestation de Recouvrement Méditerranée."))
	b.submit("#comment-btn", ".flash")
	b.contains("Commentaire ajouté.", "Pensez à joindre l'attestation de Recouvrement Méditerranée.")
	b.shot("support-dossier")

	admin := newTab(t, env)
	admin.login("admin@demo.cqp.fr", "Admin-CQP-2026")
	admin.open("/admin/vae")
	admin.follow("#dossiers", "Nguyễn Thị Ánh", "#support")
	admin.contains("Sophie Accompagnatrice", "Pensez à joindre l'attestation de Recouvrement Méditerranée.")
}
