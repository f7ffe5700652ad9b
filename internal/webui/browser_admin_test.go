//go:build browser

package webui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// choose picks, in a select, the option whose label contains label, and
// fires the change event a person's choice fires (htmx listens to it).
func (b *tab) choose(sel, label string) {
	b.t.Helper()
	got := b.eval(fmt.Sprintf(`(function () {
		var s = document.querySelector(%q);
		var o = [...s.options].find(function (o) { return o.text.includes(%q) || o.value === %q; });
		if (!o) return "no option";
		s.value = o.value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return "ok";
	})()`, sel, label, label))
	if got != "ok" {
		b.t.Fatalf("choose %q in %s: %s", label, sel, got)
	}
}

// settled waits until htmx has swapped, settled and wired up the new
// content: a click before that would submit the form without htmx.
func (b *tab) settled() {
	b.t.Helper()
	b.waitJS(`!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")`)
}

// The administrator composes a jury and watches the composition rule
// answer at each choice, mends it on the jury's page without a reload,
// then decides a VAE request admissible.
func TestBrowser_AdministratorComposesAJuryLiveAndDecidesAVAERequest(t *testing.T) {
	env := demoEnv(t)
	b := newTab(t, env)
	b.login("admin@demo.cqp.fr", "Admin-CQP-2026")

	b.open("/admin/juries")
	b.contains("Paris — ANCR, salle Colbert", "Nouveau jury")
	b.choose("#f-certification", "agent-recouvrement")
	b.do(chromedp.SetValue(chromedp.CSS("#f-session_date"), "2027-02-04"),
		chromedp.SendKeys(chromedp.CSS("#f-location"), "Lyon — salle Rameau"))

	// Each choice posts the draft; the panel says what is still missing.
	b.choose("#f-m0_user", "Hélène")
	b.waitJS(`document.querySelector("#draft-comp").innerText.includes("il faut au moins 3 membres (1)")`)
	b.contains("il manque un représentant de l'organisme certificateur ou de formation")
	b.choose("#f-m1_user", "Benoît")
	b.choose("#f-m1_category", "organisation_representative")
	b.waitJS(`document.querySelector("#draft-comp").innerText.includes("il manque un professionnel")`)
	b.shot("admin-juries")
	b.choose("#f-m2_user", "Jérôme")
	b.waitJS(`!!document.querySelector("#draft-comp .comp-holds")`)
	b.submit("#create-jury", ".flash")
	b.contains("Jury créé.", "Lyon — salle Rameau", "Hélène Professionnelle", "Composition valide")
	if href := b.eval(`document.querySelector("#session-link").getAttribute("href")`); !strings.HasPrefix(href, "/jury/") {
		t.Errorf("the session link goes to %q", href)
	}

	// On the jury's page, changes swap the panel in place: the window
	// keeps its mark, so the page never reloaded.
	b.eval(`window.__cqpSame = "1"; "1"`)
	b.choose("#f-user_id", "Inès")
	b.choose("#f-category", "organisation_representative")
	b.click("#add-member-btn")
	b.waitJS(`!!document.querySelector("#e-category")`)
	b.settled()
	b.contains("il manque 2 professionnels")
	b.choose("#f-user_id", "Inès")
	b.choose("#f-category", "professional")
	b.click("#add-member-btn")
	b.waitJS(`document.querySelector("#composition").innerText.includes("Membre ajouté au jury.")`)
	b.settled()
	b.contains("Inès Gestionnaire", "Composition valide")
	b.eval(`[...document.querySelectorAll("#composition tr")].find(function (r) { return r.innerText.includes("Jérôme"); }).querySelector(".remove-member").click(); "1"`)
	b.waitJS(`document.querySelector("#composition").innerText.includes("Membre retiré du jury.")`)
	b.settled()
	if strings.Contains(b.text("#composition table"), "Jérôme") {
		t.Error("Jérôme still sits after his removal")
	}
	if b.eval(`window.__cqpSame || ""`) != "1" {
		t.Error("the page reloaded during the htmx changes")
	}
	b.shot("admin-jury")

	// VAE: the request awaiting its decision.
	b.open("/admin/vae")
	b.contains("Nguyễn Thị Ánh", "En attente de décision")
	b.shot("admin-vae")
	b.follow("#dossiers", "Nguyễn Thị Ánh", "#decide")
	b.contains("Activité déclarée dans la demande : 2 ans et 6 mois", "à titre indicatif", "Décision due le", "Demande de VAE")
	b.click("#f-decision")
	b.submit("#decide-btn", "#e-criteria")
	b.contains("que si les deux critères sont remplis")
	b.shot("admin-vae-dossier")
	b.do(chromedp.Click(chromedp.CSS("input[name=crit_related]")),
		chromedp.Click(chromedp.CSS("input[name=crit_documented]")),
		chromedp.SendKeys(chromedp.CSS("#f-recommendations"), "Suivre le module sur les procédures collectives."))
	b.submit("#decide-btn", ".flash")
	b.contains("Demande déclarée recevable, jusqu'au", "Recevable", "Suivre le module sur les procédures collectives.")
	if got := b.text("#dossier-status"); got != "Recevable" {
		t.Errorf("status after the decision: %q", got)
	}

	// The submitted dossier: experiences with their durations, documents.
	b.open("/admin/vae?status=submitted")
	b.follow("#dossiers", "Łukasz Wiśniewski", "#experiences")
	b.contains("Agent de recouvrement", "Attestation d'emploi", "à titre indicatif", "Verrouiller le dossier")
	b.shot("admin-vae-dossier-submitted")
}
