package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

func TestSupportPages_CandidateNamesTheSupportPersonWhoGivesAnOpinionAndComments(t *testing.T) {
	env := apptest.New(t)
	trainee, tu := signedIn(t, env, auth.RoleCandidate)
	sup, su := signedIn(t, env, auth.RoleSupport, apptest.Named("Maëlle Accompagnatrice"), apptest.Organisation("Réseau VAE Grand Est"))
	otherSup, _ := signedIn(t, env, auth.RoleSupport)
	d, err := env.App.VAE.Open(context.Background(), tu, vae.NewRequest{Certification: "agent-recouvrement", Motivation: "Six ans de relances."})
	if err != nil {
		t.Fatal(err)
	}
	dossier := "/training/vae/" + d.ID

	// The candidate's page offers the active support persons.
	trainee.get(dossier).has(t, "Accompagnement VAE", "Aucun accompagnateur n'est désigné.", "Maëlle Accompagnatrice — Réseau VAE Grand Est")
	res := trainee.post(dossier+"/support", url.Values{"support_user_id": {"inconnu"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "Aucun accompagnateur VAE actif ne porte cet identifiant.")
	if loc := trainee.post(dossier+"/support", url.Values{"support_user_id": {su.ID}}).location(t); loc != dossier+"#support" {
		t.Errorf("after naming: %s", loc)
	}

	// The support person's home lists the candidate; another support person sees nothing.
	if loc := sup.get("/").location(t); loc != "/support" {
		t.Errorf("support person's home: %s", loc)
	}
	sup.get("/support").has(t, "Candidats accompagnés", "/support/dossiers/"+d.ID)
	otherSup.get("/support").has(t, "Aucun candidat ne vous a encore désigné")
	otherSup.get("/support/dossiers/"+d.ID).status(t, http.StatusNotFound)
	trainee.get("/support").status(t, http.StatusForbidden)

	page := "/support/dossiers/" + d.ID
	sup.get(page).has(t, "Six ans de relances", "Votre avis sur la demande")
	res = sup.post(page+"/opinion", url.Values{"opinion": {"  "}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "Avis")
	sup.post(page+"/opinion", url.Values{"opinion": {"Avis favorable : activité directement liée au CQP."}}).location(t)
	sup.get(page)
	sup.post(page+"/comments", url.Values{"comment": {"Ajoutez vos plans d'apurement."}}).location(t)

	// The candidate reads both, answers, and cannot give the opinion.
	trainee.get(dossier).has(t, "Avis favorable : activité directement liée au CQP.", "Ajoutez vos plans d'apurement.",
		"Maëlle Accompagnatrice (Accompagnateur VAE)")
	trainee.post(dossier+"/comments", url.Values{"comment": {"C'est fait."}}).location(t)
	trainee.post(page+"/opinion", url.Values{"opinion": {"Mon avis"}}).status(t, http.StatusForbidden)
	sup.get(page).has(t, "C'est fait.")
}

func TestSupportPages_AdministratorMayNameAJuryMemberWhoThenReadsTheDossier(t *testing.T) {
	env := apptest.New(t)
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	juror, ju := signedIn(t, env, auth.RoleJury, apptest.Named("Paul Juré"))
	tu, _ := env.User(t, auth.RoleCandidate)
	d, err := env.App.VAE.Open(context.Background(), tu, vae.NewRequest{Certification: "agent-recouvrement"})
	if err != nil {
		t.Fatal(err)
	}
	page := "/admin/vae/" + d.ID
	admin.get(page).has(t, "Paul Juré — Organisation de test (membre de jury)")
	admin.post(page+"/support", url.Values{"support_user_id": {ju.ID}}).location(t)
	admin.get(page).has(t, "Accompagnateur VAE désigné : Paul Juré.")
	juror.get("/support").has(t, "/support/dossiers/"+d.ID)
	juror.get("/support/dossiers/"+d.ID).status(t, http.StatusOK)
	admin.post(page+"/support", url.Values{"support_user_id": {""}}).location(t)
	juror.get("/support/dossiers/"+d.ID).status(t, http.StatusNotFound)
}
