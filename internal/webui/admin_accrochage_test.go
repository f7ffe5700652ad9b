package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

// The SI CPF page as an administrator uses it: identifiers first, a holder
// « à compléter » completed from the candidate's page, then the flow
// downloaded and the certificate listed as declared.
func TestAccrochagePage_CompleteTheHolderThenDownloadTheFlow(t *testing.T) {
	env := apptest.New(t)
	_, token := env.User(t, auth.RoleAdmin)
	// The registration in force this year: the certificates mention it.
	env.Do(t, "POST", "/api/v1/certifications/"+clerc+"/registrations", token,
		map[string]string{"registry": "RNCP", "number": "40123", "from": "2026-01-01", "to": "2030-12-31"}).Expect(t, http.StatusCreated)
	c := certifiedCandidate(t, env, "Zofia", "Kowalska")
	res, err := env.App.Certificates.Issue(context.Background(), "admin", c.ID, clerc)
	if err != nil {
		t.Fatal(err)
	}
	n := res.Record.Number
	admin, _ := signedIn(t, env, auth.RoleAdmin)

	p := admin.get("/admin/accrochage")
	p.status(t, 200)
	p.has(t, "SI CPF : déclaration des titulaires", n, "Zofia Kowalska", "à compléter",
		"nom de naissance, sexe, code INSEE ou code postal du lieu de naissance", "Renseignez d'abord les identifiants")

	bad := admin.post("/admin/accrochage/settings", url.Values{"id_client": {"abc"}, "id_contrat": {""}})
	bad.status(t, http.StatusUnprocessableEntity)
	bad.has(t, "huit lettres ou chiffres", "de 1 à 20 lettres ou chiffres")
	admin.post("/admin/accrochage/settings", url.Values{"id_client": {"ANCR2026"}, "id_contrat": {"MCFCER000123"}}).status(t, http.StatusSeeOther)

	// The candidate's page says what is missing, and takes it.
	cp := admin.get("/admin/candidates/" + c.ID)
	cp.has(t, "État civil pour le SI CPF", "Manque pour la déclaration : nom de naissance, sexe")
	if !strings.Contains(cp.Body, "Manque pour la déclaration\u00a0:") {
		t.Error("the colon is not held by a non-breaking space")
	}
	wrong := admin.post("/admin/candidates/"+c.ID+"/identity", url.Values{"sex": {"F"}, "birth_name": {"Kowalska"},
		"birth_place": {"Kraków"}, "birth_place_insee": {"75112"}, "birth_country": {"PL"}})
	wrong.status(t, http.StatusUnprocessableEntity)
	wrong.has(t, "Naissance à l'étranger : le code INSEE est 99 suivi du code du pays")
	admin.post("/admin/candidates/"+c.ID+"/identity", url.Values{"sex": {"F"}, "birth_name": {"Kowalska"},
		"birth_place": {"Kraków"}, "birth_place_insee": {"99122"}, "birth_country": {"pl"}}).status(t, http.StatusSeeOther)
	admin.get("/admin/accrochage").has(t, "prêt", "Télécharger le flux XML (1)")

	flow := admin.post("/admin/accrochage/flow", url.Values{"from": {"01/01/2026"}, "to": {""}})
	flow.status(t, 200)
	if !strings.HasPrefix(flow.Header.Get("Content-Type"), "application/xml") ||
		!strings.Contains(flow.Header.Get("Content-Disposition"), "cdc-accrochage-") {
		t.Fatalf("flow headers %v", flow.Header)
	}
	for _, want := range []string{`xmlns:cpf="urn:cdc:cpf:pc5:schema:1.0.0"`, "<cpf:idTechnique>" + n + "</cpf:idTechnique>",
		"<cpf:nomNaissance>Kowalska</cpf:nomNaissance>", "<cpf:codeInsee>99122</cpf:codeInsee>", "<cpf:idContrat>MCFCER000123</cpf:idContrat>"} {
		if !strings.Contains(flow.Body, want) {
			t.Errorf("flow lacks %s:\n%s", want, flow.Body)
		}
	}
	after := admin.get("/admin/accrochage")
	after.has(t, "Aucun certificat en attente de déclaration.", "Derniers flux", "1 titulaire")
	admin.post("/admin/accrochage/flow", url.Values{"from": {"2026-13-01"}}).status(t, http.StatusUnprocessableEntity)

	trainer, _ := signedIn(t, env, auth.RoleTrainer)
	if s := trainer.get("/admin/accrochage").Status; s != 403 && s != 404 {
		t.Fatalf("a trainer opened the SI CPF page: %d", s)
	}
}
