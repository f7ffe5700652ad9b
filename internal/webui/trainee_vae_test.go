package webui_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/vae"
)

// postFile sends a multipart form (fields, then the file) with the CSRF
// token of the last page read, as a browser does.
func (v *visitor) postFile(path string, fields url.Values, name string, content []byte) page {
	v.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("_csrf", v.csrf); err != nil {
		v.t.Fatal(err)
	}
	for k, vals := range fields {
		for _, val := range vals {
			if err := mw.WriteField(k, val); err != nil {
				v.t.Fatal(err)
			}
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			v.t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			v.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		v.t.Fatal(err)
	}
	return v.doBody("POST", path, &buf, "Content-Type", mw.FormDataContentType())
}

func (p page) lacks(t *testing.T, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(p.Body, w) || strings.Contains(plainSpaces(html.UnescapeString(p.Body)), plainSpaces(w)) {
			t.Errorf("page (status %d) has %q", p.Status, w)
		}
	}
}

func (p page) location(t *testing.T) string {
	t.Helper()
	if p.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", p.Status, p.Body)
	}
	return p.Header.Get("Location")
}

var (
	pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	pdfFile = []byte("%PDF-1.4\n% bulletin de salaire\n%%EOF\n")
)

type vaeFixture struct {
	env     *apptest.Env
	owner   *visitor
	user    auth.User
	dossier vae.Dossier
}

// admissibleVAE is a trainee signed in with a VAE dossier declared
// admissible, ready to be built.
func admissibleVAE(t *testing.T, opts ...apptest.Option) vaeFixture {
	t.Helper()
	env := apptest.New(t, opts...)
	admin, _ := env.User(t, auth.RoleAdmin)
	v, u := signedIn(t, env, auth.RoleCandidate)
	d := openAdmissible(t, env, admin, u, 30)
	return vaeFixture{env: env, owner: v, user: u, dossier: d}
}

// openAdmissible files the trainee's request for the agent CQP and has the
// administrator declare it admissible.
func openAdmissible(tb testing.TB, env *apptest.Env, admin, trainee auth.User, months int) vae.Dossier {
	tb.Helper()
	ctx := context.Background()
	d, err := env.App.VAE.Open(ctx, trainee, vae.NewRequest{Certification: "agent-recouvrement", ActivityMonths: months})
	if err != nil {
		tb.Fatal(err)
	}
	yes := true
	var dec vae.AdmissibilityDecision
	dec.Decision = vae.StatusAdmissible
	dec.Criteria.RelatedToCertification, dec.Criteria.DocumentedByTheCandidate = &yes, &yes
	if d, err = env.App.VAE.DecideAdmissibility(ctx, admin, d.ID, dec); err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestVAEPage_TraineeWithoutDossierOpensARequest(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	home := v.get("/training/vae")
	home.status(t, http.StatusOK)
	home.has(t, "Demander une VAE", `href="/training/vae" aria-current="page"`, "Mon dossier VAE", `name="certification"`, `value="agent-recouvrement"`)

	res := v.post("/training/vae", url.Values{"activity_months": {"beaucoup"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-certification"`, "Choisissez la certification.", `id="e-activity_months"`, `value="beaucoup"`)

	loc := v.post("/training/vae", url.Values{"certification": {"agent-recouvrement"}, "activity_months": {"30"},
		"motivation": {"Cinq ans de relances amiables."}}).location(t)
	if !strings.HasPrefix(loc, "/training/vae/") {
		t.Fatalf("after the request: %s", loc)
	}
	// With one running dossier, the menu entry leads straight to it.
	if got := v.get("/training/vae").location(t); got != loc {
		t.Errorf("/training/vae goes to %s, want %s", got, loc)
	}
	pg := v.get(loc)
	pg.status(t, http.StatusOK)
	pg.has(t, "Demande de VAE déposée : l'administration va étudier sa recevabilité.", "Demande déposée : recevabilité à l'étude",
		`<ol class="timeline"`, "Demande de VAE déposée pour le")
	// Awaiting the decision: its date is given; experiences may be described,
	// documents wait for the admissibility.
	pg.has(t, "Sa décision est due au plus tard le", "22 janvier 2027", "Ajouter une expérience")
	pg.lacks(t, `id="upload-form"`, "minimum demandé")
	// The same request twice is refused in French, on the form.
	v.get("/training/vae?new=1").lacks(t, `value="agent-recouvrement"`)
	res = v.post("/training/vae", url.Values{"certification": {"agent-recouvrement"}})
	res.status(t, http.StatusConflict)
	res.has(t, "Une demande de VAE est déjà en cours pour cette certification.")
}

func TestVAEPage_ExperiencesWithTheirDurationEditAndDelete(t *testing.T) {
	f := admissibleVAE(t)
	v, base := f.owner, "/training/vae/"+f.dossier.ID
	pg := v.get(base)
	pg.status(t, http.StatusOK)
	pg.has(t, "Recevable : dossier à constituer", "Demande déclarée recevable, jusqu'au 22/11/2029.", "Durée totale d'activité : 0 mois",
		"aucune durée minimale n'est exigée",
		"Ajouter une expérience", `id="upload-form"`, `enctype="multipart/form-data"`)

	// Refused: errors next to the fields, in French, what was typed kept.
	res := v.post(base+"/experiences", url.Values{"employer": {"Cabinet Bérard"}, "starts_on": {"31/02/2020"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-role"`, `id="e-starts_on"`, "Date invalide", `id="e-activities"`, `id="e-components"`,
		"Cochez au moins un bloc de compétences.", `value="Cabinet Bérard"`)

	add := url.Values{"employer": {"Cabinet Bérard"}, "role": {"Chargée de recouvrement amiable"}, "starts_on": {"01/09/2024"},
		"ends_on": {"2025-08-31"}, "activities": {"Relances téléphoniques, plans d'apurement."}, "components": {"AGENT-1", "AGENT-3"}}
	res = v.post(base+"/experiences", add)
	if loc := res.location(t); loc != base+"#experiences" {
		t.Fatalf("after adding: %s", loc)
	}
	pg = v.get(base)
	pg.has(t, "Expérience ajoutée : Chargée de recouvrement amiable chez Cabinet Bérard.", "Chargée de recouvrement amiable",
		"1er septembre 2024", "31 août 2025", "Durée totale d'activité : 1 an",
		"AGENT-3", "Expérience ajoutée : Chargée")
	// A second period overlapping the first counts once; one still held counts to today.
	add2 := url.Values{"employer": {"Huissiers Associés"}, "role": {"Assistante"}, "starts_on": {"2025-06-01"},
		"activities": {"Accueil des débiteurs."}, "components": {"AGENT-2"}}
	v.post(base+"/experiences", add2).location(t)
	pg = v.get(base)
	pg.has(t, "en cours", "Durée totale d'activité : 2 ans et 2 mois") // 1 Sept 2024 → 22 Nov 2026: 26 whole months

	var exps []vae.Experience
	if err := f.env.App.DB.Where("dossier_id = ?", f.dossier.ID).Order("starts_on").Find(&exps).Error; err != nil || len(exps) != 2 {
		t.Fatalf("experiences: %v %d", err, len(exps))
	}
	edit := v.get(base + "/experiences/" + exps[0].ID)
	edit.status(t, http.StatusOK)
	edit.has(t, "Modifier une expérience", `value="Cabinet Bérard"`, `value="2024-09-01"`, `value="AGENT-3" checked`)
	add.Set("role", "Gestionnaire de recouvrement")
	add.Set("ends_on", "2024-01-01")
	res = v.post(base+"/experiences/"+exps[0].ID, add)
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "Modifier une expérience", `id="e-ends_on"`, "La fin de la période précède son début.", `value="Gestionnaire de recouvrement"`)
	add.Set("ends_on", "2025-08-31")
	v.post(base+"/experiences/"+exps[0].ID, add).location(t)
	v.get(base).has(t, "Expérience modifiée : Gestionnaire de recouvrement chez Cabinet Bérard.")

	// In English, the service's French timeline reads in English too.
	v.cookies["lang"] = "en"
	en := v.get(base)
	en.has(t, `<html lang="en">`, "VAE dossier", "Admissible: dossier to build", "Request declared admissible.", "Experience added.",
		"Total length of activity: 2 years 2 months", "ongoing")
	en.lacks(t, "Demande déclarée recevable.")
	delete(v.cookies, "lang")

	v.post(base+"/experiences/"+exps[1].ID+"/delete", nil).location(t)
	pg = v.get(base)
	pg.has(t, "Expérience retirée.", "Durée totale d'activité : 1 an")
	pg.lacks(t, "Huissiers Associés</span>")
	v.get(base+"/experiences/"+exps[1].ID).status(t, http.StatusNotFound)
}

func TestVAEPage_UploadsAreCheckedAndRefusalsShownNextToTheInput(t *testing.T) {
	f := admissibleVAE(t, apptest.WithConfig(func(c *config.Config) { c.UploadLimit = 1 << 20 }))
	v, base := f.owner, "/training/vae/"+f.dossier.ID
	v.get(base)

	for _, tc := range []struct {
		name, file string
		content    []byte
		status     int
		want       string
		read       bool // the body was read: the title typed is kept
	}{
		{"no file", "", nil, http.StatusUnprocessableEntity, "Choisissez le fichier à joindre.", true},
		{"text named .pdf", "attestation.pdf", []byte("Bonjour, ceci n'est pas un PDF."), http.StatusUnprocessableEntity,
			"Seuls les documents PDF, JPEG et PNG sont acceptés", true},
		{"executable", "releve.png", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 64)...), http.StatusUnprocessableEntity,
			"Seuls les documents PDF, JPEG et PNG sont acceptés", true},
		// Just over the limit: read, then refused by the service.
		{"a little too large", "gros.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), 1<<20)...), http.StatusRequestEntityTooLarge,
			"Le document dépasse la taille autorisée (1 Mio).", true},
		// Far over: refused from its length, before it is read.
		{"far too large", "enorme.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), 3<<20)...), http.StatusRequestEntityTooLarge,
			"Le document dépasse la taille autorisée (1 Mio).", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := v.postFile(base+"/documents", url.Values{"title": {"Attestation employeur"}}, tc.file, tc.content)
			res.status(t, tc.status)
			res.has(t, `<p class="field-error" id="e-file" role="alert">`+tc.want, `aria-invalid="true" aria-describedby="e-file h-file"`,
				"Mes justificatifs")
			if tc.read {
				res.has(t, `value="Attestation employeur"`)
			}
		})
	}
	var n int64
	f.env.App.DB.Model(&vae.Document{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d documents stored from refused uploads", n)
	}

	loc := v.postFile(base+"/documents", url.Values{"title": {"Bulletin de salaire"}}, "bulletin-2024.pdf", pdfFile).location(t)
	if loc != base+"#documents" {
		t.Errorf("after upload: %s", loc)
	}
	v.postFile(base+"/documents", nil, "photo.png", pngFile).location(t)
	pg := v.get(base)
	pg.has(t, "Justificatif ajouté : photo.png.", "Bulletin de salaire", "bulletin-2024.pdf", "PDF", "PNG", "Justificatif ajouté : Bulletin de salaire.")
	var docs []vae.Document
	f.env.App.DB.Where("dossier_id = ?", f.dossier.ID).Order("title").Find(&docs)
	if len(docs) != 2 {
		t.Fatalf("%d documents", len(docs))
	}
	dl := v.get(base + "/documents/" + docs[0].ID)
	dl.status(t, http.StatusOK)
	if dl.Body != string(pdfFile) || dl.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(dl.Header.Get("Content-Disposition"), `filename="bulletin-2024.pdf"`) {
		t.Errorf("download: %q %v", dl.Body, dl.Header)
	}
	v.post(base+"/documents/"+docs[1].ID+"/delete", nil).location(t)
	pg = v.get(base)
	pg.has(t, "Justificatif retiré.")
	pg.lacks(t, `/documents/`+docs[1].ID+`"`)
}

func TestVAEPage_SubmittedWithConfirmationThenReadOnly(t *testing.T) {
	f := admissibleVAE(t)
	v, base := f.owner, "/training/vae/"+f.dossier.ID
	v.get(base).has(t, "Complétez le dossier (une expérience et un justificatif au moins) pour pouvoir le déposer.")
	v.post(base+"/experiences", url.Values{"employer": {"Cabinet Bérard"}, "role": {"Chargée de recouvrement"}, "starts_on": {"2023-01-01"},
		"ends_on": {"2025-12-31"}, "activities": {"Relances."}, "components": {"AGENT-1"}}).location(t)
	v.get(base)
	v.postFile(base+"/documents", nil, "bulletin.pdf", pdfFile).location(t)
	pg := v.get(base)
	pg.has(t, `id="submit-dossier"`, "Je confirme que mon dossier est complet et exact.")

	res := v.post(base+"/submit", nil)
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-confirm"`, "Cochez la case pour confirmer l'envoi")
	v.post(base+"/submit", url.Values{"confirm": {"yes"}}).location(t)
	pg = v.get(base)
	pg.has(t, "Dossier déposé : il est transmis à l'administration et n'est plus modifiable.", `id="readonly"`,
		"Dossier déposé : il n'est plus modifiable.", "1 expérience, 1 justificatif", "Télécharger")
	pg.lacks(t, `id="upload-form"`, "Ajouter une expérience", `/delete"`, `id="submit-dossier"`, "Modifier</a>")

	// Posting anyway is refused in French, nothing changes.
	res = v.post(base+"/experiences", url.Values{"employer": {"X"}, "role": {"Y"}, "starts_on": {"2020-01-01"}, "activities": {"Z"}, "components": {"AGENT-1"}})
	res.status(t, http.StatusConflict)
	res.has(t, "Le dossier n'est plus modifiable (statut « déposé »).")
	res = v.postFile(base+"/documents", nil, "autre.pdf", pdfFile)
	res.status(t, http.StatusConflict)
	res.has(t, "Le dossier n'est plus modifiable")
}

func TestVAEPage_AnotherTraineeNeverReachesTheDossier(t *testing.T) {
	f := admissibleVAE(t)
	base := "/training/vae/" + f.dossier.ID
	f.owner.get(base)
	f.owner.postFile(base+"/documents", nil, "bulletin.pdf", pdfFile).location(t)
	f.owner.post(base+"/experiences", url.Values{"employer": {"Cabinet Bérard"}, "role": {"Chargée"}, "starts_on": {"2023-01-01"},
		"activities": {"Relances."}, "components": {"AGENT-1"}}).location(t)
	var doc vae.Document
	var exp vae.Experience
	f.env.App.DB.Where("dossier_id = ?", f.dossier.ID).Take(&doc)
	f.env.App.DB.Where("dossier_id = ?", f.dossier.ID).Take(&exp)

	other, _ := signedIn(t, f.env, auth.RoleCandidate)
	home := other.get("/training/vae")
	home.status(t, http.StatusOK)
	home.lacks(t, f.dossier.ID)
	for _, path := range []string{base, base + "/documents/" + doc.ID, base + "/experiences/" + exp.ID} {
		res := other.get(path)
		if res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
			t.Errorf("GET %s by another trainee: %d", path, res.Status)
		}
		res.lacks(t, "Cabinet Bérard", "%PDF")
	}
	for _, res := range []page{
		other.post(base+"/experiences", url.Values{"employer": {"Intrus"}, "role": {"Y"}, "starts_on": {"2020-01-01"}, "activities": {"Z"}, "components": {"AGENT-1"}}),
		other.post(base+"/experiences/"+exp.ID+"/delete", nil),
		other.post(base+"/documents/"+doc.ID+"/delete", nil),
		other.post(base+"/submit", url.Values{"confirm": {"yes"}}),
		other.postFile(base+"/documents", nil, "intrus.pdf", pdfFile),
		other.postFile(base+"/documents", nil, "enorme.pdf", bytes.Repeat([]byte("%"), 11<<20)),
	} {
		if res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
			t.Errorf("a write by another trainee: %d\n%s", res.Status, res.Body)
		}
		res.lacks(t, "Cabinet Bérard")
	}
	// Their own dossier id does not open someone else's document either.
	mine, err := f.env.App.VAE.Open(context.Background(), mustUser(t, f.env, other), vae.NewRequest{Certification: "agent-recouvrement"})
	if err != nil {
		t.Fatal(err)
	}
	other.get("/training/vae/"+mine.ID+"/documents/"+doc.ID).status(t, http.StatusNotFound)

	var n int64
	f.env.App.DB.Model(&vae.Document{}).Where("dossier_id = ?", f.dossier.ID).Count(&n)
	if n != 1 {
		t.Errorf("the owner's dossier now has %d documents", n)
	}
	f.env.App.DB.Model(&vae.Experience{}).Where("dossier_id = ?", f.dossier.ID).Count(&n)
	if n != 1 {
		t.Errorf("the owner's dossier now has %d experiences", n)
	}
	// The pages are the candidates': staff get 403.
	admin, _ := signedIn(t, f.env, auth.RoleAdmin)
	admin.get(base).status(t, http.StatusForbidden)
	admin.get("/training/vae").status(t, http.StatusForbidden)
}

// mustUser is the user behind a visitor's session.
func mustUser(t *testing.T, env *apptest.Env, v *visitor) auth.User {
	t.Helper()
	u, err := env.App.Auth.Authenticate(context.Background(), v.cookies["cqp_session"])
	if err != nil {
		t.Fatal(err)
	}
	return u
}
