package vae_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// supportFixture is a request filed by a candidate, awaiting its decision,
// with a support person who is not yet named on it.
type supportFixture struct {
	env                      *apptest.Env
	admin, owner, other      string
	supporter, supporterTok  string
	otherSupport, juryMember string
	juryUser                 auth.User
	dossier                  vae.Dossier
}

func newSupportFixture(t *testing.T) supportFixture {
	t.Helper()
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, owner := env.User(t, auth.RoleCandidate)
	_, other := env.User(t, auth.RoleCandidate)
	sup, supTok := env.User(t, auth.RoleSupport, apptest.Named("Maëlle Accompagnatrice"))
	_, otherSup := env.User(t, auth.RoleSupport)
	juryUser, juryTok := env.User(t, auth.RoleJury)
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", owner, map[string]any{"certification": "agent-recouvrement",
		"motivation": "Six ans de relances amiables en cabinet."})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	return supportFixture{env: env, admin: admin, owner: owner, other: other, supporter: sup.ID, supporterTok: supTok,
		otherSupport: otherSup, juryMember: juryTok, juryUser: juryUser, dossier: d}
}

func TestSupport_NamedByTheCandidateReadsAndCommentsButChangesNothing(t *testing.T) {
	f := newSupportFixture(t)
	env, path := f.env, "/api/v1/vae/dossiers/"+f.dossier.ID

	// Before being named, the support person sees nothing.
	cand := "/api/v1/candidates/" + f.dossier.CandidateID
	wantStatus(t, env.Do(t, "GET", path, f.supporterTok, nil), http.StatusNotFound)
	wantStatus(t, env.Do(t, "GET", cand, f.supporterTok, nil), http.StatusNotFound)

	res := env.Do(t, "PUT", path+"/support", f.owner, map[string]any{"user_id": f.supporter})
	wantStatus(t, res, http.StatusOK)
	var d vae.Dossier
	res.JSON(t, &d)
	if d.SupportUserID == nil || *d.SupportUserID != f.supporter {
		t.Fatalf("support not recorded: %+v", d.SupportUserID)
	}

	wantStatus(t, env.Do(t, "GET", path, f.supporterTok, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", path+"/timeline", f.supporterTok, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", cand, f.supporterTok, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", cand, f.otherSupport, nil), http.StatusNotFound)
	var list struct{ Items []vae.Dossier }
	res = env.Do(t, "GET", "/api/v1/vae/dossiers", f.supporterTok, nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != f.dossier.ID {
		t.Errorf("support person's list: %+v", list.Items)
	}
	// Another support person, another candidate, an unrelated jury member: nothing.
	for name, tok := range map[string]string{"other support": f.otherSupport, "other candidate": f.other, "jury": f.juryMember} {
		if res := env.Do(t, "GET", path, tok, nil); res.Status != http.StatusNotFound {
			t.Errorf("%s reads the dossier: %d", name, res.Status)
		}
		if res := env.Do(t, "POST", path+"/comments", tok, map[string]any{"text": "Intrus"}); res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
			t.Errorf("%s comments the dossier: %d", name, res.Status)
		}
	}
	res = env.Do(t, "GET", "/api/v1/vae/dossiers", f.otherSupport, nil)
	res.JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another support person lists %d dossiers", len(list.Items))
	}

	// The support person reads, but neither edits nor names anyone.
	wantStatus(t, env.Do(t, "POST", path+"/experiences", f.supporterTok, experience), http.StatusForbidden)
	wantStatus(t, env.Do(t, "PUT", path+"/support", f.supporterTok, map[string]any{"user_id": ""}), http.StatusForbidden)

	// Comments from the support person and the candidate, in order, with names.
	wantStatus(t, env.Do(t, "POST", path+"/comments", f.supporterTok, map[string]any{"text": "Détaillez vos plans d'apurement."}), http.StatusCreated)
	wantStatus(t, env.Do(t, "POST", path+"/comments", f.owner, map[string]any{"text": "C'est ajouté."}), http.StatusCreated)
	res = env.Do(t, "POST", path+"/comments", f.supporterTok, map[string]any{"text": "   "})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("text") {
		t.Errorf("empty comment: %d %s", res.Status, res.Body)
	}
	var v vae.SupportView
	res = env.Do(t, "GET", path+"/support", f.owner, nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &v)
	if v.Support == nil || v.Support.Name != "Maëlle Accompagnatrice" {
		t.Errorf("support person shown: %+v", v.Support)
	}
	if len(v.Comments) != 2 || v.Comments[0].AuthorName != "Maëlle Accompagnatrice" || v.Comments[1].Text != "C'est ajouté." {
		t.Errorf("comments: %+v", v.Comments)
	}
}

func TestSupport_OpinionGivenOnlyByTheSupportPersonUntilSubmission(t *testing.T) {
	f := newSupportFixture(t)
	env, path := f.env, "/api/v1/vae/dossiers/"+f.dossier.ID
	wantStatus(t, env.Do(t, "PUT", path+"/support", f.admin, map[string]any{"user_id": f.supporter}), http.StatusOK)

	wantStatus(t, env.Do(t, "PUT", path+"/support/opinion", f.otherSupport, map[string]any{"text": "Avis d'un tiers"}), http.StatusNotFound)
	wantStatus(t, env.Do(t, "PUT", path+"/support/opinion", f.owner, map[string]any{"text": "Mon propre avis"}), http.StatusForbidden)
	wantStatus(t, env.Do(t, "PUT", path+"/support/opinion", f.supporterTok, map[string]any{"text": "Favorable."}), http.StatusOK)
	wantStatus(t, env.Do(t, "PUT", path+"/support/opinion", f.supporterTok,
		map[string]any{"text": "Favorable : six ans d'activité directement liés au CQP."}), http.StatusOK)

	var v vae.SupportView
	env.Do(t, "GET", path+"/support", f.admin, nil).JSON(t, &v)
	if v.Opinion == nil || v.Opinion.Text != "Favorable : six ans d'activité directement liés au CQP." || v.Opinion.UserID != f.supporter {
		t.Fatalf("opinion: %+v", v.Opinion)
	}
	var evs []vae.Event
	env.Do(t, "GET", path+"/timeline", f.owner, nil).JSON(t, &evs)
	var given, updated bool
	for _, e := range evs {
		given = given || e.Label == "Avis de l'accompagnateur VAE donné."
		updated = updated || e.Label == "Avis de l'accompagnateur VAE mis à jour."
	}
	if !given || !updated {
		t.Errorf("timeline lacks the opinion steps: %+v", evs)
	}
}

func TestSupport_OnlyAnActiveSupportPersonOrJuryMemberMayBeNamed(t *testing.T) {
	f := newSupportFixture(t)
	env, path := f.env, "/api/v1/vae/dossiers/"+f.dossier.ID
	trainer, _ := env.User(t, auth.RoleTrainer)
	for name, id := range map[string]string{"trainer": trainer.ID, "unknown": "00000000-0000-0000-0000-000000000000"} {
		res := env.Do(t, "PUT", path+"/support", f.owner, map[string]any{"user_id": id})
		if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("user_id") {
			t.Errorf("%s named as support: %d %s", name, res.Status, res.Body)
		}
	}
	wantStatus(t, env.Do(t, "PUT", path+"/support", f.other, map[string]any{"user_id": f.supporter}), http.StatusNotFound)

	// A jury member who accompanies the candidate reads the dossier as
	// support, and the jury feature learns of the tie.
	wantStatus(t, env.Do(t, "PUT", path+"/support", f.owner, map[string]any{"user_id": f.juryUser.ID}), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", path, f.juryMember, nil), http.StatusOK)
	ties, err := env.App.VAE.Ties(nil, f.dossier.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ties) != 1 || ties[0].Kind != vae.TieSupport || ties[0].UserID != f.juryUser.ID {
		t.Errorf("ties: %+v", ties)
	}

	// Removed, they lose access at once.
	wantStatus(t, env.Do(t, "PUT", path+"/support", f.owner, map[string]any{"user_id": ""}), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", path, f.juryMember, nil), http.StatusNotFound)
	if ties, _ := env.App.VAE.Ties(nil, f.dossier.CandidateID); len(ties) != 0 {
		t.Errorf("ties after removal: %+v", ties)
	}
}

func TestSupport_CommentsAndOpinionInTheExportGoneWithPseudonymisation(t *testing.T) {
	f := newSupportFixture(t)
	env, path := f.env, "/api/v1/vae/dossiers/"+f.dossier.ID
	wantStatus(t, env.Do(t, "PUT", path+"/support", f.owner, map[string]any{"user_id": f.supporter}), http.StatusOK)
	wantStatus(t, env.Do(t, "POST", path+"/comments", f.supporterTok, map[string]any{"text": "Votre poste chez Recouvre-Est compte."}), http.StatusCreated)
	wantStatus(t, env.Do(t, "PUT", path+"/support/opinion", f.supporterTok, map[string]any{"text": "Avis favorable pour Recouvre-Est."}), http.StatusOK)

	res := env.Do(t, "GET", "/api/v1/candidates/"+f.dossier.CandidateID+"/export", f.owner, nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), "Votre poste chez Recouvre-Est compte.") || !strings.Contains(string(res.Body), "Avis favorable pour Recouvre-Est.") {
		t.Errorf("export lacks the comments and the opinion: %s", res.Body)
	}
	wantStatus(t, env.Do(t, "POST", "/api/v1/candidates/"+f.dossier.CandidateID+"/pseudonymise", f.admin, nil), http.StatusOK)
	var v vae.SupportView
	env.Do(t, "GET", path+"/support", f.admin, nil).JSON(t, &v)
	if len(v.Comments) != 0 || v.Opinion != nil {
		t.Errorf("after pseudonymisation: %+v", v)
	}
}
