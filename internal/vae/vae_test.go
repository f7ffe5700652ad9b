package vae_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/pdftext"
	"github.com/ancr/cqp/internal/vae"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
)

// These tests run on SQLite, and on PostgreSQL when CQP_TEST_DATABASE_URL is set.

// relogin opens a new session for u, after the clock moved past the old one.
func relogin(t *testing.T, env *apptest.Env, u auth.User) string {
	t.Helper()
	s, err := env.App.Auth.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return s.Token
}

func wantStatus(t *testing.T, res *apptest.Response, want int) {
	t.Helper()
	if res.Status != want {
		t.Fatalf("status %d, want %d; body %s", res.Status, want, res.Body)
	}
}

// payslip is a real PDF, as a candidate would attach.
func payslip(t *testing.T, line string) []byte {
	t.Helper()
	m := pdfdoc.New(orientation.Vertical)
	m.AddAutoRow(text.NewCol(12, line))
	doc, err := m.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return doc.GetBytes()
}

var (
	png  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{1}, 64)...)
	// An executable, renamed "attestation.pdf" (a Windows PE and a Linux ELF header).
	exe = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 64)...)
	elf = append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 64)...)
)

func upload(t *testing.T, env *apptest.Env, token, dossierID, name string, content []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("title", "Justificatif "+name); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return env.Do(t, "POST", "/api/v1/vae/dossiers/"+dossierID+"/documents", token, buf.Bytes(), "Content-Type", mw.FormDataContentType())
}

type fixture struct {
	env                  *apptest.Env
	admin, owner, other  string
	ownerID, otherCandID string
	dossier              vae.Dossier
}

// admissibleDossier opens a request as a candidate and has it declared admissible.
func admissibleDossier(t *testing.T, opts ...apptest.Option) fixture {
	t.Helper()
	env := apptest.New(t, opts...)
	_, admin := env.User(t, auth.RoleAdmin)
	ownerUser, owner := env.User(t, auth.RoleCandidate)
	otherUser, other := env.User(t, auth.RoleCandidate)
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", owner, map[string]any{"certification": "agent-recouvrement",
		"motivation": "Huit ans de recouvrement amiable en cabinet.", "activity_months": 96})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	res = env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/admissibility", admin, map[string]any{"decision": "admissible",
		"criteria": map[string]bool{"related_to_certification": true, "documented": true}})
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	return fixture{env: env, admin: admin, owner: owner, other: other, ownerID: *ownerUser.CandidateID, otherCandID: *otherUser.CandidateID, dossier: d}
}

var experience = map[string]any{"employer": "Cabinet Bérard", "role": "Chargée de recouvrement amiable",
	"starts_on": "2018-09-01", "ends_on": "2026-06-30",
	"activities": "Relances téléphoniques, plans d'apurement, lettres conformes à R124-4.",
	"components": []string{"AGENT-1", "AGENT-3"}}

func TestRequest_AdmissibilityNeedsBothCriteriaAndARefusalAReason(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	candUser, cand := env.User(t, auth.RoleCandidate)
	_, trainer := env.User(t, auth.RoleTrainer)

	wantStatus(t, env.Do(t, "POST", "/api/v1/vae/dossiers", trainer, map[string]any{"certification": "agent-recouvrement"}), http.StatusForbidden)
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "inconnue"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("certification") {
		t.Errorf("unknown certification: %d %s", res.Status, res.Body)
	}
	// Eight months of activity: the law sets no minimum any more.
	res = env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement", "activity_months": 8})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	if d.Status != "requested" || d.RequestedAt.IsZero() || d.RequestedBy == "" || d.ReceivedOn.String() != "2026-11-22" ||
		d.CompleteOn == nil || d.CompleteOn.String() != "2026-11-22" || d.AdmissibilityDeadline == nil ||
		d.AdmissibilityDeadline.String() != "2027-01-22" || d.AdmissibilityImplicit {
		t.Errorf("request %+v", d)
	}
	// One open request per certification.
	wantStatus(t, env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement"}), http.StatusConflict)
	// Experiences are part of the request; documents come once it is admissible.
	wantStatus(t, env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/experiences", cand, experience), http.StatusCreated)
	wantStatus(t, upload(t, env, cand, d.ID, "bulletin.pdf", payslip(t, "Bulletin")), http.StatusConflict)

	path := "/api/v1/vae/dossiers/" + d.ID + "/admissibility"
	unrelated := map[string]bool{"related_to_certification": false, "documented": true}
	wantStatus(t, env.Do(t, "POST", path, cand, map[string]any{"decision": "admissible", "criteria": unrelated}), http.StatusForbidden)
	res = env.Do(t, "POST", path, admin, map[string]any{"decision": "admissible", "criteria": unrelated})
	if res.Status != http.StatusUnprocessableEntity || res.Problem(t).Code != "criteria_not_met" {
		t.Errorf("admissible with a criterion unmet: %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible", "criteria": unrelated})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("reason") {
		t.Errorf("refusal without reason: %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible"})
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("criteria missing: %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible", "criteria": unrelated,
		"reason": "Activité de télévente sans lien direct avec le recouvrement de créances."})
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.Status != "inadmissible" || d.CritOneYear != nil || d.CritRelated == nil || *d.CritRelated || d.DecidedAt == nil ||
		d.AdmissibilityNote == "" || d.AdmissibleUntil != nil {
		t.Errorf("refused dossier %+v", d)
	}
	wantStatus(t, env.Do(t, "POST", path, admin, map[string]any{"decision": "inadmissible", "criteria": unrelated, "reason": "Encore"}), http.StatusConflict)

	// The candidate sees the refusal and its reason on the timeline.
	res = env.Do(t, "GET", "/api/v1/vae/dossiers/"+d.ID+"/timeline", cand, nil)
	wantStatus(t, res, http.StatusOK)
	var tl []vae.Event
	res.JSON(t, &tl)
	if len(tl) != 3 || tl[0].Action != "vae.request" || tl[2].Action != "vae.admissibility.inadmissible" || !strings.Contains(tl[2].Detail, "télévente") {
		t.Errorf("timeline %+v", tl)
	}
	// A refused request counts: the next one for this certification waits for next year.
	res = env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement"})
	if res.Status != http.StatusUnprocessableEntity || res.Problem(t).Code != "vae_yearly_limit" {
		t.Errorf("second request the same year: %d %s", res.Status, res.Body)
	}
	env.Clock.Set(time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC))
	wantStatus(t, env.Do(t, "POST", "/api/v1/vae/dossiers", relogin(t, env, candUser), map[string]any{"certification": "agent-recouvrement"}), http.StatusCreated)
}

func TestRequest_AdmissibleWithRecommendationsAndValidity_OldOneYearCriterionIgnored(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, cand := env.User(t, auth.RoleCandidate)
	var d vae.Dossier
	env.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement"}).JSON(t, &d)
	path := "/api/v1/vae/dossiers/" + d.ID + "/admissibility"
	// An old client still sends the one-year criterion, unmet: it is not read.
	crit := map[string]bool{"one_year_activity": false, "related_to_certification": true, "documented": true}
	res := env.Do(t, "POST", path, admin, map[string]any{"decision": "admissible", "criteria": crit, "valid_until": "2026-11-22"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("valid_until") {
		t.Errorf("validity ending today: %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", path, admin, map[string]any{"decision": "admissible", "criteria": crit,
		"recommendations": "Suivre le module de formation sur les procédures collectives avant l'entretien."})
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.Status != "admissible" || d.AdmissibilityImplicit || d.CritOneYear != nil || d.AdmissibleUntil == nil ||
		d.AdmissibleUntil.String() != "2029-11-22" || !strings.Contains(d.Recommendations, "procédures collectives") {
		t.Errorf("admissible dossier %+v", d)
	}
}

func TestDossier_BuiltSubmittedLockedHandedToJury(t *testing.T) {
	f := admissibleDossier(t)
	env, d := f.env, f.dossier
	base := "/api/v1/vae/dossiers/" + d.ID

	// Experiences: components must belong to the certification.
	bad := map[string]any{"employer": "Cabinet", "role": "Agent", "starts_on": "2027-01-01", "ends_on": "2020-01-01",
		"activities": "x", "components": []string{"CLERC-1"}}
	res := env.Do(t, "POST", base+"/experiences", f.owner, bad)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad experience: %d %s", res.Status, res.Body)
	}
	p := res.Problem(t)
	for _, field := range []string{"starts_on", "ends_on", "components[0]"} {
		if !p.HasField(field) {
			t.Errorf("bad experience: %s not named in %+v", field, p.Errors)
		}
	}
	bad["employer"] = "   "
	bad["components"] = []string{"AGENT-1"}
	if res := env.Do(t, "POST", base+"/experiences", f.owner, bad); res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("employer") {
		t.Errorf("blank employer: %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", base+"/experiences", f.owner, experience)
	wantStatus(t, res, http.StatusCreated)
	var exp vae.Experience
	res.JSON(t, &exp)
	second := map[string]any{"employer": "Créances Services Lyon", "role": "Agent de recouvrement", "starts_on": "2016-01-04",
		"ends_on": "2018-08-31", "activities": "Tournées de recouvrement.", "components": []string{"AGENT-2"}}
	res = env.Do(t, "POST", base+"/experiences", f.owner, second)
	wantStatus(t, res, http.StatusCreated)
	var exp2 vae.Experience
	res.JSON(t, &exp2)
	second["role"] = "Agent de recouvrement itinérant"
	wantStatus(t, env.Do(t, "PUT", base+"/experiences/"+exp2.ID, f.owner, second), http.StatusOK)

	// Submitting without a document is refused.
	res = env.Do(t, "POST", base+"/submit", f.owner, nil)
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("documents") {
		t.Errorf("submit without document: %d %s", res.Status, res.Body)
	}

	pdf := payslip(t, "Bulletin de salaire — Éloïse Lefèvre, chargée de recouvrement")
	res = upload(t, env, f.owner, d.ID, "bulletin-2025.pdf", pdf)
	wantStatus(t, res, http.StatusCreated)
	var doc vae.Document
	res.JSON(t, &doc)
	sum := sha256.Sum256(pdf)
	if doc.ContentType != "application/pdf" || doc.Size != int64(len(pdf)) || doc.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("document %+v", doc)
	}
	// Stored under the data folder by its hash, not by its name.
	if _, err := os.Stat(filepath.Join(blobs.DefaultDir(env.Cfg.DataDir), doc.SHA256[:2], doc.SHA256)); err != nil {
		t.Errorf("stored file: %v", err)
	}
	res = upload(t, env, f.owner, d.ID, "photo.png", png)
	wantStatus(t, res, http.StatusCreated)
	var photo vae.Document
	res.JSON(t, &photo)
	res = upload(t, env, f.owner, d.ID, "scan.jpg", jpeg)
	wantStatus(t, res, http.StatusCreated)
	// Before submission a document may be removed.
	wantStatus(t, env.Do(t, "DELETE", base+"/documents/"+photo.ID, f.owner, nil), http.StatusNoContent)
	wantStatus(t, env.Do(t, "GET", base+"/documents/"+photo.ID, f.owner, nil), http.StatusNotFound)
	wantStatus(t, env.Do(t, "DELETE", base+"/experiences/"+exp2.ID, f.owner, nil), http.StatusNoContent)

	// The owner downloads the very bytes, a real PDF whose text reads back.
	res = env.Do(t, "GET", base+"/documents/"+doc.ID, f.owner, nil)
	wantStatus(t, res, http.StatusOK)
	if !bytes.Equal(res.Body, pdf) || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d bytes, %q, %q", len(res.Body), res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if txt, err := pdftext.Extract(res.Body); err != nil || !strings.Contains(txt, "Éloïse Lefèvre") {
		t.Errorf("downloaded PDF text %q, %v", txt, err)
	}

	res = env.Do(t, "POST", base+"/submit", f.owner, nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.Status != "submitted" || d.SubmittedAt == nil {
		t.Fatalf("submitted %+v", d)
	}

	// A submitted dossier cannot be edited, by anyone.
	for _, tok := range []string{f.owner, f.admin} {
		for _, tc := range []*apptest.Response{
			env.Do(t, "POST", base+"/experiences", tok, experience),
			env.Do(t, "PUT", base+"/experiences/"+exp.ID, tok, experience),
			env.Do(t, "DELETE", base+"/experiences/"+exp.ID, tok, nil),
			upload(t, env, tok, d.ID, "autre.pdf", pdf),
			env.Do(t, "DELETE", base+"/documents/"+doc.ID, tok, nil),
			env.Do(t, "POST", base+"/submit", tok, nil),
		} {
			if tc.Status != http.StatusConflict || tc.Problem(t).Code != "dossier_locked" {
				t.Errorf("change after submission: %d %s", tc.Status, tc.Body)
			}
		}
	}
	res = env.Do(t, "GET", base, f.owner, nil)
	res.JSON(t, &d)
	if len(d.Experiences) != 1 || len(d.Documents) != 2 {
		t.Errorf("dossier changed after submission: %d experiences, %d documents", len(d.Experiences), len(d.Documents))
	}

	// Administrator: lock, then hand to a jury; steps out of order are refused.
	wantStatus(t, env.Do(t, "POST", base+"/jury", f.admin, map[string]string{"jury_id": "jury-1"}), http.StatusConflict)
	wantStatus(t, env.Do(t, "POST", base+"/lock", f.owner, nil), http.StatusForbidden)
	wantStatus(t, env.Do(t, "POST", base+"/lock", f.admin, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "POST", base+"/lock", f.admin, nil), http.StatusConflict)
	res = env.Do(t, "POST", base+"/jury", f.admin, map[string]string{"jury_id": "jury-1"})
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.Status != "with_jury" || d.JuryID == nil || *d.JuryID != "jury-1" || d.HandedAt == nil || d.LockedAt == nil {
		t.Errorf("handed %+v", d)
	}

	// The timeline: every step dated and attributed, in order.
	res = env.Do(t, "GET", base+"/timeline", f.owner, nil)
	var tl []vae.Event
	res.JSON(t, &tl)
	var actions []string
	for _, e := range tl {
		if e.At.IsZero() || e.ActorID == "" || e.Label == "" {
			t.Errorf("step not dated or attributed: %+v", e)
		}
		actions = append(actions, e.Action)
	}
	want := "vae.request vae.admissibility.admissible vae.experience.add vae.experience.add vae.experience.update " +
		"vae.document.add vae.document.add vae.document.add vae.document.delete vae.experience.delete vae.submit vae.lock vae.jury"
	if strings.Join(actions, " ") != want {
		t.Errorf("timeline\n%s\nwant\n%s", strings.Join(actions, " "), want)
	}
	// Each step is in the audit journal too.
	var audited int64
	env.App.DB.Table("audit_entries").Where("action LIKE ?", "vae.%").Count(&audited)
	if audited != int64(len(actions)) {
		t.Errorf("%d audit rows for %d steps", audited, len(actions))
	}
}

// examiners stands for the jury feature: jury-1 has the one member.
func TestDocuments_OnlyOwnerJuryAndAdminsReachThem(t *testing.T) {
	f := admissibleDossier(t)
	env, d := f.env, f.dossier
	base := "/api/v1/vae/dossiers/" + d.ID
	wantStatus(t, env.Do(t, "POST", base+"/experiences", f.owner, experience), http.StatusCreated)
	res := upload(t, env, f.owner, d.ID, "contrat.pdf", payslip(t, "Contrat de travail"))
	wantStatus(t, res, http.StatusCreated)
	var doc vae.Document
	res.JSON(t, &doc)

	member, memberTok := env.User(t, auth.RoleJury)
	_, outsiderTok := env.User(t, auth.RoleJury)
	_, trainer := env.User(t, auth.RoleTrainer)
	// The member sits on jury-1 (the jury feature's own table, which the
	// VAE feature reads through jury.Panels).
	if err := env.App.DB.Create(&jury.Member{JuryID: "jury-1", UserID: member.ID, Name: member.Name,
		Category: "employer", Organisation: "Cabinet", Position: 1}).Error; err != nil {
		t.Fatal(err)
	}

	// Another candidate, a trainer, and jury members before the hand-over: 404 everywhere.
	for _, tok := range []string{f.other, trainer, memberTok, outsiderTok} {
		for _, path := range []string{base, base + "/timeline", base + "/documents/" + doc.ID} {
			if res := env.Do(t, "GET", path, tok, nil); res.Status != http.StatusNotFound {
				t.Errorf("GET %s by an outsider: %d, want 404", path, res.Status)
			}
		}
	}
	for _, res := range []*apptest.Response{
		env.Do(t, "POST", base+"/experiences", f.other, experience),
		upload(t, env, f.other, d.ID, "intrus.pdf", payslip(t, "intrus")),
		env.Do(t, "DELETE", base+"/documents/"+doc.ID, f.other, nil),
		env.Do(t, "POST", base+"/submit", f.other, nil),
	} {
		if res.Status != http.StatusNotFound {
			t.Errorf("another candidate's change: %d, want 404", res.Status)
		}
	}
	// Another candidate's list is empty.
	res = env.Do(t, "GET", "/api/v1/vae/dossiers", f.other, nil)
	var pg struct{ Items []vae.Dossier }
	res.JSON(t, &pg)
	if len(pg.Items) != 0 {
		t.Errorf("another candidate lists %d dossiers", len(pg.Items))
	}
	// A document id under another dossier is not found either.
	res = env.Do(t, "POST", "/api/v1/vae/dossiers", f.other, map[string]any{"certification": "agent-recouvrement"})
	wantStatus(t, res, http.StatusCreated)
	var otherDossier vae.Dossier
	res.JSON(t, &otherDossier)
	wantStatus(t, env.Do(t, "GET", "/api/v1/vae/dossiers/"+otherDossier.ID+"/documents/"+doc.ID, f.other, nil), http.StatusNotFound)
	wantStatus(t, env.Do(t, "GET", "/api/v1/vae/dossiers/"+otherDossier.ID+"/documents/"+doc.ID, f.admin, nil), http.StatusNotFound)

	wantStatus(t, env.Do(t, "GET", base+"/documents/"+doc.ID, f.admin, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "POST", base+"/submit", f.owner, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "POST", base+"/lock", f.admin, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "POST", base+"/jury", f.admin, map[string]string{"jury_id": "jury-1"}), http.StatusOK)

	// Handed over: the examining jury's member reads it, another jury member does not.
	wantStatus(t, env.Do(t, "GET", base+"/documents/"+doc.ID, memberTok, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", base, memberTok, nil), http.StatusOK)
	wantStatus(t, env.Do(t, "GET", base+"/documents/"+doc.ID, outsiderTok, nil), http.StatusNotFound)
	res = env.Do(t, "GET", "/api/v1/vae/dossiers", memberTok, nil)
	res.JSON(t, &pg)
	if len(pg.Items) != 1 {
		t.Errorf("jury member lists %d dossiers, want 1", len(pg.Items))
	}
	res = env.Do(t, "GET", "/api/v1/vae/dossiers", outsiderTok, nil)
	res.JSON(t, &pg)
	if len(pg.Items) != 0 {
		t.Errorf("other jury member lists %d dossiers", len(pg.Items))
	}
}

func TestUpload_CheckedByContentAndSize(t *testing.T) {
	f := admissibleDossier(t, apptest.WithConfig(func(c *config.Config) { c.UploadLimit = 64 << 10 }))
	env, d := f.env, f.dossier
	before := storedFiles(t, env)
	for _, tc := range []struct {
		name    string
		content []byte
	}{
		{"attestation.pdf", exe},
		{"releve.pdf", elf},
		{"note.pdf", []byte("Bonjour, ceci est du texte brut et non un PDF.")},
		{"page.png", []byte("<html><script>alert(1)</script></html>")},
		{"vide.pdf", nil},
	} {
		res := upload(t, env, f.owner, d.ID, tc.name, tc.content)
		if res.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", tc.name, res.Status, res.Body)
			continue
		}
		if p := res.Problem(t); p.Code != "unsupported_type" || !p.HasField("file") {
			t.Errorf("%s: problem %+v", tc.name, p)
		}
	}
	// Over the configured limit: 413, and nothing stays on disk.
	big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), 65<<10)...)
	res := upload(t, env, f.owner, d.ID, "gros.pdf", big)
	if res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d %s", res.Status, res.Body)
	}
	if after := storedFiles(t, env); after != before {
		t.Errorf("refused uploads left %d file(s) on disk", after-before)
	}
	// A path in the client's file name stays a name: never a place on disk.
	res = upload(t, env, f.owner, d.ID, "../../../etc/passwd.pdf", payslip(t, "ok"))
	wantStatus(t, res, http.StatusCreated)
	var doc vae.Document
	res.JSON(t, &doc)
	if doc.FileName != "passwd.pdf" {
		t.Errorf("file name kept as %q", doc.FileName)
	}
	// Not multipart, or no file part.
	wantStatus(t, env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/documents", f.owner, exe, "Content-Type", "application/pdf"), http.StatusUnsupportedMediaType)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "rien")
	mw.Close()
	res = env.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/documents", f.owner, buf.Bytes(), "Content-Type", mw.FormDataContentType())
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("file") {
		t.Errorf("no file part: %d %s", res.Status, res.Body)
	}
}

func TestUpload_DefaultLimitIsTenMiB(t *testing.T) {
	f := admissibleDossier(t)
	if got := f.env.App.VAE.UploadLimit(); got != 10<<20 {
		t.Fatalf("default upload limit %d", got)
	}
	// A document just under 10 MiB passes although the general body limit is also 10 MiB.
	doc := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), 10<<20-100)...)
	wantStatus(t, upload(t, f.env, f.owner, f.dossier.ID, "gros.pdf", doc), http.StatusCreated)
	big := append(doc, bytes.Repeat([]byte("0"), 200)...)
	wantStatus(t, upload(t, f.env, f.owner, f.dossier.ID, "trop.pdf", big), http.StatusRequestEntityTooLarge)
}

func storedFiles(t *testing.T, env *apptest.Env) int {
	t.Helper()
	n := 0
	filepath.WalkDir(blobs.DefaultDir(env.Cfg.DataDir), func(_ string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestPersonalData_ExportAndPseudonymiseReachTheDossier(t *testing.T) {
	f := admissibleDossier(t)
	env, d := f.env, f.dossier
	base := "/api/v1/vae/dossiers/" + d.ID
	wantStatus(t, env.Do(t, "POST", base+"/experiences", f.owner, experience), http.StatusCreated)
	res := upload(t, env, f.owner, d.ID, "bulletin.pdf", payslip(t, "Bulletin"))
	var doc vae.Document
	res.JSON(t, &doc)

	res = env.Do(t, "GET", "/api/v1/candidates/"+f.ownerID+"/export", f.owner, nil)
	wantStatus(t, res, http.StatusOK)
	var ex candidates.Export
	res.JSON(t, &ex)
	raw := fmt.Sprint(ex.Features["vae"])
	if !strings.Contains(raw, "Cabinet Bérard") || !strings.Contains(raw, "bulletin.pdf") {
		t.Errorf("export lacks the VAE dossier: %s", raw)
	}
	actions := map[string]bool{}
	for _, e := range ex.Audit {
		actions[e.Action] = true
	}
	if !actions["vae.request"] || !actions["vae.document.add"] {
		t.Errorf("export audit lacks VAE steps: %v", actions)
	}

	wantStatus(t, env.Do(t, "POST", "/api/v1/candidates/"+f.ownerID+"/pseudonymise", f.admin, nil), http.StatusOK)
	res = env.Do(t, "GET", base, f.admin, nil)
	var after vae.Dossier
	res.JSON(t, &after)
	if len(after.Experiences) != 0 || len(after.Documents) != 0 || after.Motivation != "" {
		t.Errorf("after pseudonymisation: %+v", after)
	}
	if _, err := os.Stat(filepath.Join(blobs.DefaultDir(env.Cfg.DataDir), doc.SHA256[:2], doc.SHA256)); !os.IsNotExist(err) {
		t.Errorf("document file still on disk: %v", err)
	}
	res = env.Do(t, "GET", base+"/timeline", f.admin, nil)
	if strings.Contains(string(res.Body), "Bérard") {
		t.Errorf("timeline still names the employer: %s", res.Body)
	}
}

// One candidate stored 450 MB in 6 s: a dossier now has a quota of
// documents and bytes, counted under the dossier's lock, so uploads at
// once cannot pass it together.
func TestUpload_DossierQuotaHoldsUnderConcurrentUploads(t *testing.T) {
	f := admissibleDossier(t, apptest.WithConfig(func(c *config.Config) { c.DossierDocuments, c.DossierBytes = 3, 1<<20 }))
	env, d := f.env, f.dossier
	statuses := make([]int, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = upload(t, env, f.owner, d.ID, fmt.Sprintf("piece-%d.pdf", i), payslip(t, fmt.Sprint("pièce ", i))).Status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusUnprocessableEntity:
		default:
			t.Errorf("status %d", s)
		}
	}
	var n int64
	env.App.DB.Model(&vae.Document{}).Where("dossier_id = ?", d.ID).Count(&n)
	if created != 3 || n != 3 {
		t.Fatalf("%d uploads accepted, %d stored; the quota is 3", created, n)
	}
	res := upload(t, env, f.owner, d.ID, "encore.pdf", payslip(t, "encore"))
	if p := res.Expect(t, http.StatusUnprocessableEntity).Problem(t); p.Code != "quota_exceeded" || !p.HasField("file") ||
		!strings.Contains(p.Detail, "3 documents") {
		t.Fatalf("over the count: %+v", p)
	}

	// The size: a second dossier whose documents would pass 1 MiB.
	g := admissibleDossier(t, apptest.WithConfig(func(c *config.Config) { c.DossierBytes = 1 << 20 }))
	half := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("a"), 600<<10)...)
	upload(t, g.env, g.owner, g.dossier.ID, "a.pdf", half).Expect(t, http.StatusCreated)
	other := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("b"), 600<<10)...)
	if p := upload(t, g.env, g.owner, g.dossier.ID, "b.pdf", other).Expect(t, http.StatusUnprocessableEntity).Problem(t); p.Code != "quota_exceeded" {
		t.Fatalf("over the size: %+v", p)
	}
	if rep, err := g.env.App.Blobs.Check(context.Background()); err != nil || !rep.OK() || rep.Objects != 1 {
		t.Fatalf("the refused document left bytes behind: %+v %v", rep, err)
	}
}

// A title is free text: "Bulletins 01/2026" was cut at its slash.
func TestUpload_TitleKeepsItsSlashes(t *testing.T) {
	f := admissibleDossier(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "Bulletins de salaire 01/2026 à 06/2026")
	fw, _ := mw.CreateFormFile("file", `C:\Users\eloise\bulletins.pdf`)
	fw.Write(payslip(t, "titre"))
	mw.Close()
	var doc vae.Document
	f.env.Do(t, "POST", "/api/v1/vae/dossiers/"+f.dossier.ID+"/documents", f.owner, buf.Bytes(), "Content-Type", mw.FormDataContentType()).
		Expect(t, http.StatusCreated).JSON(t, &doc)
	if doc.Title != "Bulletins de salaire 01/2026 à 06/2026" || doc.FileName != "bulletins.pdf" {
		t.Fatalf("title %q, file name %q", doc.Title, doc.FileName)
	}
}
