package webui_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// postHX sends a form as htmx does: the CSRF token in the form, the
// HX-Request header set, so that the handler answers with a fragment.
func (v *visitor) postHX(path string, form url.Values) page {
	v.t.Helper()
	form.Set("_csrf", v.csrf)
	return v.do("POST", path, form, "HX-Request", "true")
}

func countRows(t *testing.T, env *apptest.Env, table string) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAdminJuries_ComposeLiveRefuseInFrenchAndAssign(t *testing.T) {
	env := apptest.New(t)
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	a, _ := env.User(t, auth.RoleJury, apptest.Named("Agathe Pro"), apptest.Organisation("Étude Agathe"))
	b, _ := env.User(t, auth.RoleJury, apptest.Named("Bastien Pro"), apptest.Organisation("Cabinet Bastien"))
	c, _ := env.User(t, auth.RoleJury, apptest.Named("Céline Pro"), apptest.Organisation("Recouvrement Céline"))
	r, _ := env.User(t, auth.RoleJury, apptest.Named("René Représentant"), apptest.Organisation("ANCR"))

	list := admin.get("/admin/juries")
	list.status(t, http.StatusOK)
	list.has(t, "Nouveau jury", "Aucun jury pour l'instant.", `href="/admin/juries"`, "Recevabilité VAE", "Agathe Pro — Étude Agathe")

	draft := url.Values{"certification": {clerc}, "session_date": {"2026-12-10"}, "president": {"0"},
		"m0_user": {a.ID}, "m0_category": {jury.Professional}, "m1_user": {r.ID}, "m1_category": {jury.OrganisationRepresentative}}
	frag := admin.postHX("/admin/juries/draft", cloneForm(draft))
	frag.status(t, http.StatusOK)
	frag.has(t, `id="draft-comp"`, "il faut au moins 3 membres (2)", "il manque un professionnel", "Au moins 2/3 de professionnels : 1 sur 2")
	if strings.Contains(frag.Body, "<html") {
		t.Error("the htmx answer is a whole page")
	}

	res := admin.post("/admin/juries", cloneForm(draft))
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "La composition du jury ne respecte pas la règle", `id="e-members"`, `value="2026-12-10"`)
	bad := cloneForm(draft)
	bad.Set("session_date", "31/02/2026")
	bad.Set("m2_user", b.ID)
	bad.Set("m2_category", "")
	res = admin.post("/admin/juries", bad)
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-session_date"`, "Date invalide", `id="e-m2_category"`)
	late := cloneForm(draft)
	late.Set("m2_user", b.ID)
	late.Set("m2_category", jury.Professional)
	late.Set("start_time", "18:00")
	late.Set("end_time", "17:00")
	res = admin.post("/admin/juries", late)
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-end_time"`, "heure de fin doit suivre")
	if n := countRows(t, env, "juries"); n != 0 {
		t.Fatalf("refused forms created %d juries", n)
	}

	ok := cloneForm(draft)
	ok.Set("m2_user", b.ID)
	ok.Set("m2_category", jury.Professional)
	ok.Set("location", "Lyon — salle Rameau")
	ok.Set("start_time", "13:30")
	res = admin.post("/admin/juries", ok)
	res.status(t, http.StatusSeeOther)
	jpath := res.Header.Get("Location")
	if !strings.HasPrefix(jpath, "/admin/juries/") {
		t.Fatalf("created jury at %q", jpath)
	}
	id := strings.TrimPrefix(jpath, "/admin/juries/")
	pg := admin.get(jpath)
	pg.status(t, http.StatusOK)
	pg.has(t, "Jury créé.", "Lyon — salle Rameau", "de 13:30 à 17:00", "Agathe Pro", "René Représentant", "Composition valide",
		`href="/jury/`+id+`"`, "Retrait impossible", "Céline Pro — Recouvrement Céline")

	// A second representative would leave the professionals short of two
	// thirds: refused, said next to the college, nothing written.
	res = admin.postHX(jpath+"/members", url.Values{"user_id": {c.ID}, "category": {jury.OrganisationRepresentative}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="composition"`, `id="e-category"`, "il manque 2 professionnels")
	if n := countRows(t, env, "jury_members"); n != 3 {
		t.Fatalf("%d members after a refusal", n)
	}
	// Without JavaScript: a plain POST and a redirect; Céline presides.
	res = admin.post(jpath+"/members", url.Values{"user_id": {c.ID}, "category": {jury.Professional}, "president": {"1"}})
	res.status(t, http.StatusSeeOther)
	v, err := env.App.Jury.Get(context.Background(), auth.User{ID: "t", Role: auth.RoleAdmin}, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.PresidentID != c.ID || len(v.Members) != 4 || !v.Composition.Holds || v.Composition.SpareProfessionals != 1 {
		t.Fatalf("after adding Céline: president %s, %d members, %+v", v.PresidentID, len(v.Members), v.Composition)
	}
	// With htmx, the panel comes back with the change.
	res = admin.postHX(jpath+"/members/"+b.ID+"/remove", url.Values{})
	res.status(t, http.StatusOK)
	res.has(t, "Membre retiré du jury.", "Composition valide")
	if strings.Contains(res.Body, "Bastien Pro</td>") || strings.Contains(res.Body, "<html") {
		t.Errorf("the panel after the removal:\n%s", res.Body)
	}
	res = admin.post(jpath+"/members/"+r.ID+"/remove", url.Values{})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "il manque un représentant")

	// A candidate employed by Agathe's firm: without her the jury breaks.
	tied := env.Candidate(t, apptest.Names("Théo", "Lié"), apptest.Employer("ETUDE AGATHE"))
	free := env.Candidate(t, apptest.Names("Zoé", "Libre"), apptest.Employer("Ailleurs SA"))
	other := env.Candidate(t, apptest.Names("Ugo", "Ailleurs"), apptest.Employer("Ailleurs SA"))
	env.Enroll(t, tied.ID, clerc)
	env.Enroll(t, free.ID, clerc)
	env.Enroll(t, other.ID, "agent-recouvrement")
	// The assignment screen offers only the candidates enrolled in the
	// jury's certification.
	pg = admin.get(jpath)
	pg.has(t, "Libre Zoé — Ailleurs SA", "Lié Théo")
	if strings.Contains(pg.Body, other.ID) {
		t.Error("a candidate enrolled in another certification is offered")
	}
	// One enrolled elsewhere only is refused all the same.
	res = admin.post(jpath+"/candidates", url.Values{"candidate_id": {other.ID}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-candidate_id"`, "n'est pas inscrit à la certification de ce jury")
	res = admin.post(jpath+"/candidates", url.Values{"candidate_id": {tied.ID}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-candidate_id"`, "Conflit d'intérêts : sans Agathe Pro")
	res = admin.postHX(jpath+"/candidates", url.Values{"candidate_id": {free.ID}})
	res.status(t, http.StatusOK)
	res.has(t, `id="candidates"`, "Candidat affecté au jury.", "Zoé Libre")

	admin.get("/admin/juries").has(t, "Lyon — salle Rameau", "En préparation")
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func TestAdminPages_RefuseJuryMembersAndTrainees(t *testing.T) {
	env := apptest.New(t)
	cand := env.Candidate(t)
	member, _ := signedIn(t, env, auth.RoleJury)
	trainee, _ := signedIn(t, env, auth.RoleCandidate, apptest.ForCandidate(cand.ID))
	for name, v := range map[string]*visitor{"jury member": member, "trainee": trainee} {
		for _, path := range []string{"/admin/juries", "/admin/juries/x", "/admin/vae", "/admin/vae/x"} {
			if res := v.get(path); res.Status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", name, path, res.Status)
			} else {
				res.has(t, "Votre rôle ne permet pas d'ouvrir cette page.")
			}
		}
		res := v.post("/admin/juries", url.Values{"certification": {clerc}})
		res.status(t, http.StatusForbidden)
	}
	if n := countRows(t, env, "juries"); n != 0 {
		t.Errorf("%d juries created by refused users", n)
	}
}

func TestAdminVAE_DecideLockHandToJuryRefusalsWriteNothing(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	admin, adminUser := signedIn(t, env, auth.RoleAdmin)
	cand := env.Candidate(t, apptest.Names("Noémie", "Vaé"), apptest.Employer("Recouvrement Sud"))
	d, err := env.App.VAE.Open(ctx, adminUser, vae.NewRequest{CandidateID: cand.ID, Certification: clerc,
		Motivation: "Trois ans de recouvrement amiable.", ActivityMonths: 36})
	if err != nil {
		t.Fatal(err)
	}
	dpath := "/admin/vae/" + d.ID

	admin.get("/admin/vae").has(t, "Noémie Vaé", "En attente de décision", "3 ans")
	admin.get("/admin/vae?status=with_jury").has(t, "Aucun dossier avec ce statut.")
	pg := admin.get(dpath)
	pg.status(t, http.StatusOK)
	pg.has(t, "Dossier VAE de Noémie Vaé", "Trois ans de recouvrement amiable.", "Activité déclarée dans la demande : 3 ans", "Enregistrer la décision", "reçue le 22/11/2026, enregistrée par l'administration",
		"Décision due le", "22 janvier 2027", "jours restants", "à titre indicatif")
	pg.lacks(t, "Au moins un an d'activité", "durée insuffisante")

	events := countRows(t, env, "vae_events")
	res := admin.post(dpath+"/admissibility", url.Values{"decision": {"inadmissible"}, "reason": {"  "}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-reason"`, "Le motif du refus est obligatoire.", `value="inadmissible" checked`)
	res = admin.post(dpath+"/admissibility", url.Values{"decision": {"admissible"}, "crit_related": {"1"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-criteria"`, "que si les deux critères sont remplis", `name="crit_related" value="1" checked`)
	res = admin.post(dpath+"/admissibility", url.Values{})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-decision"`)
	if got, _ := env.App.VAE.Get(ctx, adminUser, d.ID); got.Status != vae.StatusRequested || countRows(t, env, "vae_events") != events {
		t.Fatalf("refused decisions wrote: status %s", got.Status)
	}

	res = admin.post(dpath+"/admissibility", url.Values{"decision": {"admissible"},
		"crit_related": {"1"}, "crit_documented": {"1"}, "reason": {"Activité justifiée."}, "recommendations": {"Module sur les procédures collectives."}})
	res.status(t, http.StatusSeeOther)
	admin.get(dpath).has(t, "Demande déclarée recevable, jusqu'au 22/11/2029.", "Recevable", "Activité justifiée.",
		`id="recommendations"`, "Module sur les procédures collectives.", "Recevabilité valable jusqu'au <strong>22 novembre 2029</strong>")

	// The candidate builds and submits the dossier (through the service).
	for _, e := range []vae.ExperienceInput{
		{Employer: "Recouvrement Sud", Role: "Gestionnaire", StartsOn: civil.MustParse("2025-01-01"), Activities: "Relances.", Components: []string{"CLERC-1"}},
		{Employer: "Cabinet Nord", Role: "Assistante", StartsOn: civil.MustParse("2024-09-01"), EndsOn: civil.MustParse("2025-02-28"), Activities: "Courriers.", Components: []string{"CLERC-2"}},
	} {
		if _, err := env.App.VAE.AddExperience(ctx, adminUser, d.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
	doc, err := env.App.VAE.AddDocument(ctx, adminUser, d.ID, vae.Upload{Title: "Attestation d'emploi", FileName: "attestation.pdf", Body: bytes.NewReader(pdf)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.VAE.Submit(ctx, adminUser, d.ID); err != nil {
		t.Fatal(err)
	}
	pg = admin.get(dpath)
	// 2024-09-01 to today (2026-11-22), overlaps counted once: 26 months.
	pg.has(t, "Dossier déposé", "Gestionnaire", "1 an et 10 mois", "Activité couverte : 2 ans et 2 mois", "à titre indicatif",
		"Attestation d'emploi", "/admin/vae/"+d.ID+"/documents/"+doc.ID, "Verrouiller le dossier")
	dl := admin.get("/admin/vae/" + d.ID + "/documents/" + doc.ID)
	dl.status(t, http.StatusOK)
	if ct := dl.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") || dl.Body != string(pdf) {
		t.Errorf("download: %s %s %q", ct, dl.Header.Get("Content-Disposition"), dl.Body)
	}

	res = admin.post(dpath+"/lock", url.Values{})
	res.status(t, http.StatusSeeOther)
	pg = admin.get(dpath)
	pg.has(t, "Dossier verrouillé", "Aucun jury ouvert pour cette certification.")

	pro1, _ := env.User(t, auth.RoleJury, apptest.Organisation("Étude Une"))
	pro2, _ := env.User(t, auth.RoleJury, apptest.Organisation("Étude Deux"))
	rep, _ := env.User(t, auth.RoleJury, apptest.Organisation("ANCR"))
	j, err := env.App.Jury.Create(ctx, adminUser, jury.NewJury{Certification: clerc, SessionDate: civil.MustParse("2027-01-15"),
		Location: "Marseille", Members: []jury.NewMember{{UserID: pro1.ID, Category: jury.Professional},
			{UserID: pro2.ID, Category: jury.Professional}, {UserID: rep.ID, Category: jury.OrganisationRepresentative}}})
	if err != nil {
		t.Fatal(err)
	}
	admin.get(dpath).has(t, "Transmettre au jury", "15 janvier 2027 — Marseille")
	res = admin.post(dpath+"/jury", url.Values{"jury_id": {""}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-jury_id"`, "Choisissez le jury.")
	res = admin.post(dpath+"/jury", url.Values{"jury_id": {j.ID}})
	res.status(t, http.StatusSeeOther)
	admin.get(dpath).has(t, "Transmis au jury", "Jury du 15 janvier 2027 — Marseille", "Dossier transmis au jury.")
	v, err := env.App.Jury.Get(ctx, adminUser, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Candidates) != 1 || v.Candidates[0].CandidateID != cand.ID || v.Candidates[0].DossierSubmittedOn == nil {
		t.Errorf("the candidate is not assigned with the dossier's date: %+v", v.Candidates)
	}
	// A jury assesses only candidates enrolled in its certification
	// (not_enrolled): handing the dossier over enrolled the candidate by VAE.
	es, err := env.App.Candidates.Enrollments(ctx, adminUser, cand.ID)
	if err != nil || len(es) != 1 || es[0].Certification != clerc || es[0].Pathway != "vae" {
		t.Errorf("enrollments after the hand-over: %+v %v", es, err)
	}
}

func TestAdminPages_DemoDataShowsAJuryAndDossiers(t *testing.T) {
	env := apptest.New(t, apptest.WithDemo())
	u, err := findUser(env, "admin@demo.cqp.fr")
	if err != nil {
		t.Fatal(err)
	}
	admin := signedAs(t, env, u)
	admin.get("/admin/juries").has(t, "Paris — ANCR, salle Colbert", "CQP Clerc")
	admin.get("/admin/vae").has(t, "Ánh", "En attente de décision")
	admin.get("/admin/vae?status=submitted").has(t, "Wiśniewski", "Dossier déposé")
}

// The journal reads as sentences: who did what to whom, the codes kept
// small beside them.
func TestAuditPage_SaysWhoDidWhatToWhom(t *testing.T) {
	env := apptest.New(t)
	c := env.Candidate(t, apptest.Names("Zofia", "Kowalska"))
	env.Enroll(t, c.ID, clerc, "vae")
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	page := admin.get("/admin/audit")
	page.status(t, http.StatusOK)
	page.has(t, "a enregistré le candidat", "a inscrit le candidat", "Zofia Kowalska", "candidate.create")
	admin.get("/lang/en")
	admin.get("/admin/audit").has(t, "recorded the candidate", "Zofia Kowalska")
}
