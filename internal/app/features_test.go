package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
)

func must(t *testing.T, res *apptest.Response, status int) *apptest.Response {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	return res
}

// The features meet through hooks wired in app.New: a VAE dossier handed to
// a real jury opens to its members only, the jury's deadline starts from
// the dossier's submission, and an exam attempt shows beside the scores.
func TestFeatures_VAEJuryAndExamMeetThroughTheWiring(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	candUser, candTok := env.User(t, auth.RoleCandidate)
	var members []auth.User
	var tokens []string
	for i, org := range []string{"Cabinet Atlantique", "Recouvrement du Nord", "ANCR"} {
		u, tok := env.User(t, auth.RoleJury, apptest.Organisation(org), apptest.Named("Membre "+string(rune('A'+i))))
		members, tokens = append(members, u), append(tokens, tok)
	}
	_, outsiderTok := env.User(t, auth.RoleJury, apptest.Organisation("Autre cabinet"))

	var jury struct{ ID string }
	must(t, env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{
		"certification": "agent-recouvrement", "session_date": "2027-01-15", "location": "Lyon",
		"members": []map[string]any{
			{"user_id": members[0].ID, "category": "professional"},
			{"user_id": members[1].ID, "category": "professional"},
			{"user_id": members[2].ID, "category": "organisation_representative"},
		}}), http.StatusCreated).JSON(t, &jury)

	// The VAE path up to the hand-over.
	var d struct{ ID string }
	must(t, env.Do(t, "POST", "/api/v1/vae/dossiers", candTok, map[string]any{"certification": "agent-recouvrement",
		"motivation": "Six ans de relances amiables.", "activity_months": 72}), http.StatusCreated).JSON(t, &d)
	base := "/api/v1/vae/dossiers/" + d.ID
	must(t, env.Do(t, "POST", base+"/admissibility", admin, map[string]any{"decision": "admissible",
		"criteria": map[string]bool{"related_to_certification": true, "documented": true}}), http.StatusOK)
	must(t, env.Do(t, "POST", base+"/experiences", candTok, map[string]any{"employer": "Cabinet Bérard",
		"role": "Agente de recouvrement", "starts_on": "2020-01-06", "ends_on": "2026-06-30",
		"activities": "Appels sortants, plans d'apurement.", "components": []string{"AGENT-2"}}), http.StatusCreated)
	m := pdfdoc.New(orientation.Vertical)
	m.AddAutoRow(text.NewCol(12, "Attestation d'emploi — Cabinet Bérard"))
	pdf, err := m.Generate()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", "Attestation d'emploi")
	fw, _ := mw.CreateFormFile("file", "attestation.pdf")
	fw.Write(pdf.GetBytes())
	mw.Close()
	var doc struct{ ID string }
	must(t, env.Do(t, "POST", base+"/documents", candTok, buf.Bytes(), "Content-Type", mw.FormDataContentType()), http.StatusCreated).JSON(t, &doc)
	must(t, env.Do(t, "POST", base+"/submit", candTok, nil), http.StatusOK)
	must(t, env.Do(t, "POST", base+"/lock", admin, nil), http.StatusOK)
	must(t, env.Do(t, "GET", base+"/documents/"+doc.ID, tokens[0], nil), http.StatusNotFound) // not handed yet
	must(t, env.Do(t, "POST", base+"/jury", admin, map[string]string{"jury_id": jury.ID}), http.StatusOK)

	// Handed over: every member of that jury reads the document, no one else.
	for _, tok := range tokens {
		res := must(t, env.Do(t, "GET", base+"/documents/"+doc.ID, tok, nil), http.StatusOK)
		if !bytes.HasPrefix([]byte(res.Body), []byte("%PDF")) {
			t.Fatalf("the member did not get the PDF back")
		}
	}
	must(t, env.Do(t, "GET", base+"/documents/"+doc.ID, outsiderTok, nil), http.StatusNotFound)

	// An exam the candidate takes, set as the professional situation.
	var sc []struct{ ID, Component string }
	must(t, env.Do(t, "GET", "/api/v1/scenarios", admin, nil), http.StatusOK).JSON(t, &sc)
	var scenarioID string
	for _, s := range sc {
		if strings.HasPrefix(s.Component, "AGENT") {
			scenarioID = s.ID
			break
		}
	}
	var exam struct{ ID string }
	must(t, env.Do(t, "POST", "/api/v1/scenarios/"+scenarioID+"/attempts", admin,
		map[string]any{"mode": "exam", "candidate_id": *candUser.CandidateID}), http.StatusCreated).JSON(t, &exam)
	must(t, env.Do(t, "POST", "/api/v1/attempts/"+exam.ID+"/submit", candTok, nil), http.StatusOK)

	// Assigned without a submission date: the deadline comes from the dossier.
	env.Enroll(t, *candUser.CandidateID, "agent-recouvrement", "vae")
	must(t, env.Do(t, "POST", "/api/v1/juries/"+jury.ID+"/candidates", admin,
		map[string]any{"candidate_id": *candUser.CandidateID, "exam_attempt_id": exam.ID}), http.StatusCreated)
	var deadlines []struct {
		CandidateID        string `json:"candidate_id"`
		DossierSubmittedOn string `json:"dossier_submitted_on"`
		SittingDue         string `json:"sitting_due"`
	}
	must(t, env.Do(t, "GET", "/api/v1/juries/deadlines?all=true", admin, nil), http.StatusOK).JSON(t, &deadlines)
	today := env.Clock.Today()
	found := false
	for _, dl := range deadlines {
		if dl.CandidateID == *candUser.CandidateID {
			found = true
			if dl.DossierSubmittedOn != today.String() || dl.SittingDue != today.AddMonths(3).String() {
				t.Errorf("deadline from the dossier: submitted %s due %s, want %s and %s", dl.DossierSubmittedOn, dl.SittingDue, today, today.AddMonths(3))
			}
		}
	}
	if !found {
		t.Fatalf("the VAE candidate is not in the deadlines list: %+v", deadlines)
	}

	// The scores view shows the graded exam beside the members' scores.
	var scores struct {
		AttemptID *string        `json:"exam_attempt_id"`
		Attempt   map[string]any `json:"exam_attempt"`
	}
	must(t, env.Do(t, "GET", "/api/v1/juries/"+jury.ID+"/candidates/"+*candUser.CandidateID+"/scores", admin, nil), http.StatusOK).JSON(t, &scores)
	if scores.Attempt == nil || scores.Attempt["scenario"] != scenarioID || scores.Attempt["score"] == nil {
		t.Fatalf("the exam is not shown with its result beside the scores: %+v", scores)
	}
}

// The certification journey across features: a jury deliberates and signs,
// the administrator issues by jury, and anyone verifies the number.
func TestFeatures_SignedMinutesLeadToAVerifiableCertificate(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	var ids []string
	var tokens []string
	for i, org := range []string{"Cabinet Atlantique", "Recouvrement du Nord", "ANCR"} {
		u, tok := env.User(t, auth.RoleJury, apptest.Organisation(org), apptest.Named("Juré "+string(rune('A'+i))))
		ids, tokens = append(ids, u.ID), append(tokens, tok)
	}
	var jury struct{ ID string }
	must(t, env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{
		"certification": "agent-recouvrement", "session_date": "2026-11-20", "location": "Nantes",
		"members": []map[string]any{
			{"user_id": ids[0], "category": "professional"},
			{"user_id": ids[1], "category": "professional"},
			{"user_id": ids[2], "category": "organisation_representative"},
		}}), http.StatusCreated).JSON(t, &jury)
	whole := env.Candidate(t, apptest.Names("Éloïse", "Lefèvre"), apptest.Employer("Cabinet Bérard"))
	partial := env.Candidate(t, apptest.Names("Théo", "Nguyễn"), apptest.Employer("Cabinet Bérard"))
	path := "/api/v1/juries/" + jury.ID
	for _, c := range []string{whole.ID, partial.ID} {
		env.Enroll(t, c, "agent-recouvrement")
		must(t, env.Do(t, "POST", path+"/candidates", admin, map[string]any{"candidate_id": c}), http.StatusCreated)
	}
	decide := func(c string, refused ...string) {
		var ds []map[string]any
		for _, comp := range []string{"AGENT-1", "AGENT-2", "AGENT-3", "AGENT-4"} {
			d := map[string]any{"component": comp, "decision": "validated", "reason": ""}
			for _, r := range refused {
				if r == comp {
					d["decision"], d["reason"] = "not_validated", "Appel mené sans vérifier l'identité du débiteur."
				}
			}
			ds = append(ds, d)
		}
		must(t, env.Do(t, "POST", path+"/deliberations", tokens[1], map[string]any{"candidate_id": c,
			"present_member_ids": ids, "decided_on": "2026-11-20", "decisions": ds}), http.StatusCreated)
	}
	decide(whole.ID)
	decide(partial.ID, "AGENT-2")

	// Before the minutes are signed nothing is final: nothing to issue.
	var rep struct {
		Issued  int      `json:"issued"`
		Nothing int      `json:"nothing_acquired"`
		Numbers []string `json:"numbers"`
	}
	must(t, env.Do(t, "POST", "/api/v1/certificates/batch", admin, map[string]any{"jury_id": jury.ID}), http.StatusOK).JSON(t, &rep)
	if rep.Issued != 0 || rep.Nothing != 2 {
		t.Fatalf("issued before signature: %+v", rep)
	}
	must(t, env.Do(t, "POST", path+"/minutes/sign", tokens[0], nil), http.StatusOK)
	must(t, env.Do(t, "POST", "/api/v1/certificates/batch", admin, map[string]any{"jury_id": jury.ID}), http.StatusOK).JSON(t, &rep)
	if rep.Issued != 2 || len(rep.Numbers) != 2 {
		t.Fatalf("batch by jury after signature: %+v", rep)
	}
	kinds := map[string]string{}
	for _, n := range rep.Numbers {
		var v struct {
			Status string `json:"status"`
			Kind   string `json:"kind"`
			Holder struct {
				FirstName string `json:"first_name"`
				Initial   string `json:"last_name_initial"`
			} `json:"holder"`
			Components []map[string]any `json:"components"`
		}
		must(t, env.Do(t, "GET", "/api/v1/verify/"+n, "", nil), http.StatusOK).JSON(t, &v)
		if v.Status != "valid" {
			t.Errorf("%s: %+v", n, v)
		}
		kinds[v.Holder.FirstName+" "+v.Holder.Initial] = v.Kind
		if bytes.Contains(must(t, env.Do(t, "GET", "/api/v1/verify/"+n, "", nil), http.StatusOK).Body, []byte("Lefèvre")) {
			t.Errorf("the public verification reveals the last name")
		}
	}
	if kinds["Éloïse L."] != "certificate" || kinds["Théo N."] != "partial_attestation" {
		t.Fatalf("kinds by holder: %v", kinds)
	}
}
