package webui_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// The jury pages say, member by member, why someone is set aside for a
// candidate (which employer and until when, or the VAE support), flag a
// jury unbalanced between women and men, and offer no deliberation before
// the session date.
func TestJuryPages_ExplainConflictsFlagGenderAndWaitForTheSession(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	admin, adminUser := signedIn(t, env, auth.RoleAdmin)
	var members []*visitor
	var users []auth.User
	for _, m := range []struct{ name, org, gender string }{
		{"Hélène Présidente", "Étude Dupré", "female"}, {"Inès Gestionnaire", "Cabinet Ancien", "female"},
		{"Gaëlle Accompagnatrice", "Conseil VAE Sud", "female"}, {"Zoé Praticienne", "Recouvrement Ouest", "female"},
		{"Rose Représentante", "ANCR", "female"},
	} {
		v, u := signedIn(t, env, auth.RoleJury, apptest.Named(m.name), apptest.Organisation(m.org), apptest.Gender(m.gender))
		members, users = append(members, v), append(users, u)
	}
	seats := []jury.NewMember{{UserID: users[0].ID, Category: jury.Professional}, {UserID: users[1].ID, Category: jury.Professional},
		{UserID: users[2].ID, Category: jury.Professional}, {UserID: users[3].ID, Category: jury.Professional},
		{UserID: users[4].ID, Category: jury.OrganisationRepresentative}}
	held, err := env.App.Jury.Create(ctx, adminUser, jury.NewJury{Certification: clerc, SessionDate: civil.MustParse("2026-11-20"),
		Location: "Nantes", Members: seats})
	if err != nil {
		t.Fatal(err)
	}
	coming, err := env.App.Jury.Create(ctx, adminUser, jury.NewJury{Certification: clerc, SessionDate: civil.MustParse("2026-12-10"),
		Location: "Rennes", Members: seats})
	if err != nil {
		t.Fatal(err)
	}

	// A VAE candidate who worked for Inès's firm until mid-2024 and whom
	// Gaëlle supports.
	cand := env.Candidate(t, apptest.Names("Anaïs", "Leclerc"), apptest.Employer("Recouvrements du Rhône"))
	env.Enroll(t, cand.ID, clerc, "vae")
	system := auth.User{ID: "test", Role: auth.RoleAdmin}
	d, err := env.App.VAE.Open(ctx, system, vae.NewRequest{CandidateID: cand.ID, Certification: clerc, Motivation: "Clerc depuis 2020."})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	var dec vae.AdmissibilityDecision
	dec.Decision = vae.StatusAdmissible
	dec.Criteria.RelatedToCertification, dec.Criteria.DocumentedByTheCandidate = &yes, &yes
	if _, err := env.App.VAE.DecideAdmissibility(ctx, system, d.ID, dec); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.VAE.AddExperience(ctx, system, d.ID, vae.ExperienceInput{Employer: "Cabinet Ancien", Role: "Clerc",
		StartsOn: civil.MustParse("2020-01-01"), EndsOn: civil.MustParse("2024-06-30"), Activities: "Dossiers.", Components: []string{"CLERC-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Table("vae_dossiers").Where("id = ?", d.ID).Update("support_user_id", users[2].ID).Error; err != nil {
		t.Fatal(err)
	}
	for _, j := range []string{held.ID, coming.ID} {
		admin.get("/admin/juries/"+j).has(t, "Leclerc Anaïs — Recouvrements du Rhône")
		res := admin.post("/admin/juries/"+j+"/candidates", assignForm(cand.ID))
		res.status(t, http.StatusSeeOther)
	}

	former := "<b>Inès Gestionnaire</b> — ancien employeur du candidat (Cabinet Ancien, jusqu'au 30/06/2024), dans les 3 ans précédant la session"
	support := "<b>Gaëlle Accompagnatrice</b> — accompagnateur VAE du candidat"
	pg := admin.get("/admin/juries/" + held.ID)
	pg.status(t, http.StatusOK)
	pg.has(t, "Écartés pour conflit d'intérêts", former, support, `class="alert alert-warn gender-flag"`,
		"Jury déséquilibré entre femmes et hommes : 5 femmes et 0 homme", "la composition reste valide", "Composition valide")
	pg.has(t, "<th scope=\"col\">Genre</th>", `<td class="member-gender">Femme</td>`)
	admin.get("/admin/juries").has(t, "⚠ Déséquilibre femmes-hommes")
	// Already assigned: no longer offered.
	pg.lacks(t, `<option value="`+cand.ID+`"`)

	// The president's page says the same, and offers the deliberation
	// once the session has come only.
	pres := members[0]
	pg = pres.get("/jury/" + held.ID)
	pg.status(t, http.StatusOK)
	pg.has(t, former, support, "/jury/"+held.ID+"/candidates/"+cand.ID+"/deliberation")
	pg = pres.get("/jury/" + coming.ID)
	pg.status(t, http.StatusOK)
	pg.has(t, "Délibération possible à partir du 10 décembre 2026")
	pg.lacks(t, "/jury/"+coming.ID+"/candidates/"+cand.ID+"/deliberation")
	pg = pres.get("/jury/" + coming.ID + "/candidates/" + cand.ID + "/deliberation")
	pg.status(t, http.StatusOK)
	pg.has(t, `id="before-session"`, "ne peut être ni ouverte ni enregistrée avant cette date")
	pg.lacks(t, `id="open-deliberation"`, `id="deliberation-form"`)
	// The administrator is not offered the form either, and a forced post
	// is refused in French.
	admin.get("/jury/"+coming.ID+"/candidates/"+cand.ID+"/deliberation").lacks(t, `id="deliberation-form"`)
	res := pres.post("/jury/"+coming.ID+"/candidates/"+cand.ID+"/open", nil)
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "aucune délibération ne peut être ouverte ni enregistrée avant cette date")

	// Four men join: 5 women and 4 men differ by one, balanced.
	for _, name := range []string{"Marc Praticien", "Paul Praticien", "Luc Praticien", "Jean Praticien"} {
		u, _ := env.User(t, auth.RoleJury, apptest.Named(name), apptest.Organisation(name+" SA"), apptest.Gender("male"))
		if _, err := env.App.Jury.PutMember(ctx, adminUser, held.ID, jury.NewMember{UserID: u.ID, Category: jury.Professional}); err != nil {
			t.Fatal(err)
		}
	}
	pg = admin.get("/admin/juries/" + held.ID)
	pg.has(t, "Jury équilibré entre femmes et hommes : 5 femmes et 4 hommes")
	pg.lacks(t, "gender-flag")
}

func assignForm(candidateID string) map[string][]string {
	return map[string][]string{"candidate_id": {candidateID}}
}

// The demo jury: two women and two men, and a candidate whose employer is
// a member's firm.
func TestJuryPages_DemoJuryIsBalancedAndExplainsItsConflict(t *testing.T) {
	env := apptest.New(t, apptest.WithDemo())
	u, err := findUser(env, "admin@demo.cqp.fr")
	if err != nil {
		t.Fatal(err)
	}
	admin := signedAs(t, env, u)
	var id string
	if err := env.App.DB.Table("juries").Select("id").Limit(1).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	pg := admin.get("/admin/juries/" + id)
	pg.status(t, http.StatusOK)
	pg.has(t, "Jury équilibré entre femmes et hommes : 2 femmes et 2 hommes", "Garnier",
		"<b>Hélène Professionnelle</b> — employeur actuel du candidat : Cabinet Dupré Recouvrement")
}
