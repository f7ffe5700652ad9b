package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/pdftext"
)

const clerc = "clerc-recouvrement-amiable"

// certifiedCandidate is a candidate enrolled in the CLERC certification
// with a final validated decision for each of its four components, as the
// jury's deliberation leaves them in the ledger.
func certifiedCandidate(t testing.TB, env *apptest.Env, first, last string) candidates.Candidate {
	t.Helper()
	c := env.Candidate(t, apptest.Names(first, last))
	admin, _ := env.User(t, auth.RoleAdmin)
	if _, err := env.App.Candidates.Enroll(context.Background(), admin, c.ID,
		candidates.NewEnrollment{Certification: clerc, Pathway: "formation_continue"}); err != nil {
		t.Fatalf("enroll: %v", err)
	}
	for _, s := range []string{"CLERC-1@2026-03-31", "CLERC-2@2026-06-30", "CLERC-3@2026-09-30", "CLERC-4@2026-10-15"} {
		code, on, _ := strings.Cut(s, "@")
		d := candidates.Decision{ID: database.NewID(), CandidateID: c.ID, Certification: clerc, Component: code,
			Outcome: candidates.Validated, DecidedOn: civil.MustParse(on), Final: true, CreatedBy: "jury-test"}
		if err := env.App.DB.Create(&d).Error; err != nil {
			t.Fatalf("decision %s: %v", s, err)
		}
	}
	return c
}

var numberRe = regexp.MustCompile(`CQP-[A-Z]+-\d{4}-\d{6}-[A-Z0-9]+`)

func TestCertificates_AdminIssuesRevokesWithReasonAndThePublicPageFollows(t *testing.T) {
	env := apptest.New(t)
	c := certifiedCandidate(t, env, "Anaïs", "Érard")
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	cpath := "/admin/candidates/" + c.ID

	admin.get(cpath).has(t, "Certificats et attestations", "Aucun document délivré.", "Délivrer")
	res := admin.post(cpath+"/certificates", url.Values{"issue_certification": {""}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "Choisissez la certification.")

	res = admin.post(cpath+"/certificates", url.Values{"issue_certification": {clerc}})
	res.status(t, http.StatusSeeOther)
	page := admin.get(cpath)
	number := numberRe.FindString(page.Body)
	if number == "" {
		t.Fatalf("no document number on the candidate page:\n%s", page.Body)
	}
	page.has(t, "Document délivré : n° "+number, "Valide", "Télécharger le PDF", "Révoquer")

	pdf := admin.get("/documents/" + number + "/pdf")
	pdf.status(t, http.StatusOK)
	if text, err := pdftext.Extract([]byte(pdf.Body)); err != nil || !strings.Contains(text, number) {
		t.Errorf("PDF text (%v): %q", err, text)
	}

	// Anyone, signed out, checks it: first name and initial only.
	anon := newVisitor(t, env)
	pub := anon.get("/verify/" + number)
	pub.status(t, http.StatusOK)
	pub.has(t, "Document authentique et valide", "Anaïs É.", "Certificat de qualification professionnelle", "CLERC-4", "15 octobre 2026")
	if strings.Contains(pub.Body, "Érard") {
		t.Error("the public page shows the last name")
	}
	anon.get("/verify/CQP-CLERC-2026-999999-A").status(t, http.StatusNotFound)

	// Typed from the paper: a field to type it in, any case, dashes or not.
	form := anon.get("/verify")
	form.status(t, http.StatusOK)
	form.has(t, "Saisissez le numéro imprimé", `name="number"`, "Vérifier")
	typed := strings.ToLower(strings.ReplaceAll(number, "-", ""))
	redirect := anon.get("/verify?number=" + url.QueryEscape(" "+typed+" "))
	if redirect.Status != http.StatusSeeOther || redirect.Header.Get("Location") != "/verify/"+typed {
		t.Fatalf("form: %d → %q", redirect.Status, redirect.Header.Get("Location"))
	}
	found := anon.get("/verify/" + typed)
	found.status(t, http.StatusOK)
	found.has(t, "Document authentique et valide", number, "Vérifier un autre numéro")
	env.Do(t, "GET", "/api/v1/verify/"+strings.ToLower(number), "", nil).Expect(t, http.StatusOK)

	// Revocation needs a reason, shown next to that document's field.
	res = admin.post(cpath+"/certificates/"+number+"/revoke", url.Values{"reason": {"  "}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, "Indiquez le motif de la révocation.", `id="e-reason-`+number+`"`)
	// A revocation is final: the page asks once more before writing it.
	res = admin.post(cpath+"/certificates/"+number+"/revoke", url.Values{"reason": {"Décision annulée par le tribunal."}})
	res.status(t, http.StatusOK)
	res.has(t, "Révoquer le document n° "+number+" ?", "La révocation est définitive", "Motif : Décision annulée par le tribunal.",
		"Confirmer la révocation", `id="confirm-revoke-`+number+`"`)
	if rec, _ := env.App.Certificates.Get(context.Background(), auth.User{ID: "x", Role: auth.RoleAdmin}, number); rec.RevokedAt != nil {
		t.Fatal("revoked before the confirmation")
	}
	res = admin.post(cpath+"/certificates/"+number+"/revoke", url.Values{"reason": {"Décision annulée par le tribunal."}, "confirm": {"yes"}})
	res.status(t, http.StatusSeeOther)
	admin.get(cpath).has(t, "Révoqué", "Décision annulée par le tribunal.")
	anon.get("/verify/"+number).has(t, "RÉVOQUÉ", "révoqué le 22 novembre 2026")

	// Through another candidate's page: not found.
	other := env.Candidate(t)
	admin.get(cpath)
	admin.post("/admin/candidates/"+other.ID+"/certificates/"+number+"/revoke", url.Values{"reason": {"x"}}).status(t, http.StatusNotFound)
}

func TestCertificates_HolderListsAndDownloadsOnlyTheirOwn(t *testing.T) {
	env := apptest.New(t)
	c := certifiedCandidate(t, env, "Loïc", "Dupré")
	adminUser, _ := env.User(t, auth.RoleAdmin)
	issued, err := env.App.Certificates.Issue(context.Background(), adminUser.ID, c.ID, clerc)
	if err != nil {
		t.Fatal(err)
	}
	number := issued.Record.Number

	holder, _ := signedIn(t, env, auth.RoleCandidate, apptest.ForCandidate(c.ID))
	holder.get("/training/documents").has(t, "Mes certificats", number, "Télécharger le PDF")
	holder.get("/documents/"+number+"/pdf").status(t, http.StatusOK)

	someone := env.Candidate(t)
	stranger, _ := signedIn(t, env, auth.RoleCandidate, apptest.ForCandidate(someone.ID))
	stranger.get("/training/documents").has(t, "Aucun document ne vous a encore été délivré.")
	stranger.get("/documents/"+number+"/pdf").status(t, http.StatusNotFound)
	trainer, _ := signedIn(t, env, auth.RoleTrainer)
	trainer.get("/documents/"+number+"/pdf").status(t, http.StatusForbidden)
	if p := trainer.get("/admin/candidates/" + c.ID); strings.Contains(p.Body, number) {
		t.Error("a trainer sees the documents")
	}
	trainer.get("/training/documents").status(t, http.StatusForbidden)
}
