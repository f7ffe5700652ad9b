package jury_test

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/pdftext"
)

func TestScores_HiddenUntilDeliberationAndGatesComeFirst(t *testing.T) {
	p := newPanel(t, 3, 1, "2026-11-20")
	a, b := p.pros[0], p.pros[1]
	// pros[2] works for the candidate's employer.
	cid, res := p.assign(t, p.pros[2].Organisation, nil)
	expect(t, res, 201, "")
	outsider := juryUsers(t, p.env, 1, "Out")[0]

	// 403 before the body is looked at: an outsider and a member in
	// conflict get 403 even with a body that would not validate.
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), outsider.token, map[string]any{"scores": "x"}), 403, "forbidden")
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), p.pros[2].token, map[string]any{"candidate_id": cid}), 403, "forbidden")
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), p.admin, scoreBody(cid, "AGENT-1", 3)), 403, "forbidden")
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, map[string]any{"candidate_id": cid}), 422, "validation")
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, scoreBody(cid, "CLERC-1", 3)), 422, "validation")
	bad := scoreBody(cid, "AGENT-1", 3)
	bad["scores"] = []map[string]any{{"criterion": "AGENT-1.D1", "level": 5}}
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, bad), 422, "validation")
	bad["scores"] = []map[string]any{{"criterion": "AGENT-2.D1", "level": 2}}
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, bad), 422, "validation")

	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, scoreBody(cid, "AGENT-1", 1, 3, 3, 2)), 201, "")
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), b.token, scoreBody(cid, "AGENT-1", 3, 3, 2, 2)), 201, "")

	// Each member sees their own only; the side-by-side view is closed.
	var evs []jury.Evaluation
	p.env.Do(t, "GET", p.path("/candidates/"+cid+"/evaluations"), a.token, nil).JSON(t, &evs)
	if len(evs) != 1 || evs[0].MemberID != a.ID {
		t.Fatalf("member a sees %+v", evs)
	}
	expect(t, p.env.Do(t, "GET", p.path("/candidates/"+cid+"/scores"), b.token, nil), 403, "forbidden")
	expect(t, p.env.Do(t, "GET", p.path("/candidates/"+cid+"/evaluations"), p.pros[2].token, nil), 403, "forbidden")
	expect(t, p.env.Do(t, "GET", p.path("/candidates/"+cid+"/evaluations"), outsider.token, nil), 403, "forbidden")
	p.env.Do(t, "GET", p.path("/candidates/"+cid+"/evaluations"), p.admin, nil).JSON(t, &evs)
	if len(evs) != 2 {
		t.Fatalf("admin sees %d", len(evs))
	}

	// Only the president (or an administrator) opens the deliberation.
	expect(t, p.env.Do(t, "POST", p.path("/candidates/"+cid+"/open"), b.token, nil), 403, "forbidden")
	expect(t, p.env.Do(t, "POST", p.path("/candidates/"+cid+"/open"), a.token, nil), 200, "")
	p.env.Do(t, "GET", p.path("/candidates/"+cid+"/evaluations"), b.token, nil).JSON(t, &evs)
	if len(evs) != 2 {
		t.Fatalf("after opening b sees %d", len(evs))
	}
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), b.token, scoreBody(cid, "AGENT-1", 4)), 409, "scores_frozen")

	var sv jury.ScoresView
	res = p.env.Do(t, "GET", p.path("/candidates/"+cid+"/scores"), b.token, nil)
	expect(t, res, 200, "")
	res.JSON(t, &sv)
	var c1 jury.ComponentScores
	for _, c := range sv.Components {
		if c.Component == "AGENT-1" {
			c1 = c
		}
	}
	// D1: 1 vs 3 → flagged; the others differ by at most one level.
	if len(c1.Members) != 2 || len(c1.Flagged) != 1 || c1.Flagged[0] != "AGENT-1.D1" || len(c1.Pairs) != 1 {
		t.Fatalf("scores %+v", c1)
	}
	// a: 1 3 3 2, b: 3 3 2 2 → po = 2/4; pe = (1/4·0)+(2/4·2/4)+(1/4·1/4)... computed by the rule, defined here.
	if c1.Kappa == nil {
		t.Fatalf("kappa undefined: %+v", c1.Pairs)
	}
	if len(sv.Exclusions) != 1 || sv.Exclusions[0].UserID != p.pros[2].ID {
		t.Fatalf("exclusions %+v", sv.Exclusions)
	}
	var ag jury.JuryAgreement
	p.env.Do(t, "GET", p.path("/agreement"), p.admin, nil).JSON(t, &ag)
	if len(ag.Pairs) != 1 || ag.Mean == nil || *ag.Mean != *c1.Kappa {
		t.Fatalf("agreement %+v vs %v", ag, *c1.Kappa)
	}
}

func TestEvaluation_VersionStopsLostUpdates(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-11-20")
	cid := p.mustAssign(t)
	a := p.pros[0]
	res := p.env.Do(t, "POST", p.path("/evaluations"), a.token, scoreBody(cid, "AGENT-1", 2, 2))
	expect(t, res, 201, "")
	var ev jury.Evaluation
	res.JSON(t, &ev)
	// Without a version, or with an old one, a change is refused.
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, scoreBody(cid, "AGENT-1", 3, 3)), 409, "version_conflict")
	body := scoreBody(cid, "AGENT-1", 3, 3)
	body["version"] = ev.Version
	res = p.env.Do(t, "POST", p.path("/evaluations"), a.token, body)
	expect(t, res, 200, "")
	res.JSON(t, &ev)
	if ev.Version != 2 || ev.Scores[0].Level != 3 {
		t.Fatalf("%+v", ev)
	}
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, body), 409, "version_conflict")
	body = scoreBody(cid, "AGENT-2", 2)
	body["version"] = 1
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), a.token, body), 409, "version_conflict")
}

func TestDeliberation_QuorumReasonsVotesAndLedger(t *testing.T) {
	p := newPanel(t, 3, 1, "2026-11-20")
	pres, b, c, rep := p.pros[0], p.pros[1], p.pros[2], p.reps[0]
	cid, res := p.assign(t, c.Organisation, nil) // c is in conflict
	expect(t, res, 201, "")
	all := p.ids(p.all()...)
	ok := decision("AGENT-1", "validated", "")

	// Quorum: two present; or three present but one of them in conflict.
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(cid, p.ids(pres, rep), ok)), 422, "jury_composition")
	pr := expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(cid, p.ids(pres, c, rep), ok)), 422, "jury_composition")
	if !strings.Contains(pr.Detail, "il manque") {
		t.Fatalf("%+v", pr)
	}
	// The member in conflict may not deliberate; a stranger is not present.
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), c.token, deliberation(cid, all, ok)), 403, "forbidden")
	pr = expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(cid, append(all, "nobody"), ok)), 422, "validation")
	if !pr.HasField("present_member_ids[4]") {
		t.Fatalf("%+v", pr)
	}
	// A refusal needs its reason; dates lie between the session and today.
	pr = expect(t, p.env.Do(t, "POST", p.path("/deliberations"), b.token, deliberation(cid, all, ok, decision("AGENT-2", "not_validated", " "))), 422, "validation")
	if !pr.HasField("decisions[1].reason") {
		t.Fatalf("%+v", pr)
	}
	future := deliberation(cid, all, ok)
	future["decided_on"] = "2026-11-23"
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), b.token, future), 422, "validation")
	early := deliberation(cid, all, ok)
	early["decided_on"] = "2026-11-19"
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), b.token, early), 422, "validation")
	// Votes: a tie among b, pres, rep and... three voters cannot tie; the
	// president breaks a tie when one member abstains from the vote.
	tie := decision("AGENT-3", "", "Mise en situation insuffisante.")
	tie["votes"] = []map[string]any{{"user_id": pres.ID, "decision": "not_validated"}, {"user_id": b.ID, "decision": "validated"}}
	bad := decision("AGENT-4", "", "")
	bad["votes"] = []map[string]any{{"user_id": c.ID, "decision": "validated"}}
	pr = expect(t, p.env.Do(t, "POST", p.path("/deliberations"), b.token, deliberation(cid, all, ok, tie, bad)), 422, "validation")
	if !pr.HasField("decisions[2].votes[0].user_id") {
		t.Fatalf("%+v", pr)
	}
	res = p.env.Do(t, "POST", p.path("/deliberations"), b.token, deliberation(cid, all, ok, tie, decision("AGENT-2", "not_validated", "Relances non conformes.")))
	expect(t, res, 201, "")
	var d jury.DeliberationView
	res.JSON(t, &d)
	if len(d.PresentIDs) != 3 || len(d.Decisions) != 3 || len(d.Votes) != 1 || !d.Votes[0].Casting {
		t.Fatalf("deliberation %+v", d)
	}
	for _, dec := range d.Decisions {
		if dec.Component == "AGENT-3" && dec.Outcome != candidates.NotValidated {
			t.Fatalf("casting vote ignored: %+v", dec)
		}
		if dec.Final {
			t.Fatalf("final before signing: %+v", dec)
		}
	}
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(cid, all, ok)), 409, "already_deliberated")

	// The ledger holds the decisions (not final yet).
	var st []candidates.ComponentStatus
	p.env.Do(t, "GET", "/api/v1/candidates/"+cid+"/components?certification="+cert, p.admin, nil).JSON(t, &st)
	got := map[string]string{}
	for _, s := range st {
		got[s.Component] = s.Status
	}
	if got["AGENT-1"] != candidates.StatusAcquired || got["AGENT-2"] != candidates.StatusNotAcquired {
		t.Fatalf("ledger %+v", st)
	}
	p.env.Do(t, "GET", "/api/v1/candidates/"+cid+"/components?certification="+cert+"&final=true", p.admin, nil).JSON(t, &st)
	for _, s := range st {
		if s.Status == candidates.StatusAcquired {
			t.Fatalf("final ledger before signing: %+v", st)
		}
	}
}

func TestMinutes_SignedAreFinalCorrectedByAdminAndPrinted(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-11-20")
	pres, b, rep := p.pros[0], p.pros[1], p.reps[0]
	cid := p.mustAssign(t)
	other := p.mustAssign(t) // never deliberated: the minutes say so
	all := p.ids(p.all()...)
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), pres.token, nil), 422, "no_deliberation")
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), rep.token, deliberation(cid, all,
		decision("AGENT-1", "validated", ""), decision("AGENT-2", "not_validated", "Procédure d'injonction de payer mal maîtrisée."))), 201, "")

	// The president signs first.
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), b.token, nil), 409, "president_signs_first")
	res := p.env.Do(t, "POST", p.path("/minutes/sign"), pres.token, nil)
	expect(t, res, 200, "")
	var m jury.Minutes
	res.JSON(t, &m)
	if !m.Final || len(m.Signatures) != 1 || m.Signatures[0].UserID != pres.ID {
		t.Fatalf("minutes %+v", m)
	}
	// Every later change is refused; the others may countersign once.
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(other, all, decision("AGENT-1", "validated", ""))), 409, "already_final")
	expect(t, p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": p.env.Candidate(t).ID}), 409, "already_final")
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), b.token, scoreBody(other, "AGENT-1", 2)), 409, "already_final")
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+juryUsers(t, p.env, 1, "Late")[0].ID), p.admin, map[string]any{"category": "professional"}), 409, "already_final")
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), pres.token, nil), 409, "already_final")
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), b.token, nil), 200, "")
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), b.token, nil), 409, "already_final")

	var st []candidates.ComponentStatus
	p.env.Do(t, "GET", "/api/v1/candidates/"+cid+"/components?certification="+cert+"&final=true", p.admin, nil).JSON(t, &st)
	if st[0].Component != "AGENT-1" || st[0].Status != candidates.StatusAcquired {
		t.Fatalf("final ledger %+v", st)
	}

	// The correction: only an administrator, only after signing, with a reason.
	corr := map[string]any{"candidate_id": cid, "component": "AGENT-2", "decision": "validated",
		"reason": "Erreur matérielle : la grille du bloc AGENT-2 était celle d'un autre candidat."}
	expect(t, p.env.Do(t, "POST", p.path("/corrections"), pres.token, corr), 403, "forbidden")
	expect(t, p.env.Do(t, "POST", p.path("/corrections"), p.admin, map[string]any{"candidate_id": cid, "component": "AGENT-2", "decision": "validated"}), 422, "validation")
	expect(t, p.env.Do(t, "POST", p.path("/corrections"), p.admin, map[string]any{"candidate_id": cid, "component": "AGENT-3", "decision": "validated", "reason": "Sans objet."}), 422, "validation")
	res = p.env.Do(t, "POST", p.path("/corrections"), p.admin, corr)
	expect(t, res, 201, "")
	var fix candidates.Decision
	res.JSON(t, &fix)
	if fix.SupersedesID == nil || !fix.Final || fix.Outcome != candidates.Validated {
		t.Fatalf("correction %+v", fix)
	}
	var old candidates.Decision
	if err := p.env.App.DB.Where("id = ?", *fix.SupersedesID).Take(&old).Error; err != nil || old.SupersededBy == nil || *old.SupersededBy != fix.ID || old.Outcome != candidates.NotValidated {
		t.Fatalf("old decision %+v %v", old, err)
	}
	p.env.Do(t, "GET", "/api/v1/candidates/"+cid+"/components?certification="+cert+"&final=true", p.admin, nil).JSON(t, &st)
	if st[1].Component != "AGENT-2" || st[1].Status != candidates.StatusAcquired {
		t.Fatalf("ledger after correction %+v", st)
	}
	audit := p.env.Do(t, "GET", "/api/v1/audit?action=jury.decision.correct", p.admin, nil)
	if !strings.Contains(string(audit.Body), fix.ID) || !strings.Contains(string(audit.Body), "Erreur matérielle") {
		t.Fatalf("correction not audited: %s", audit.Body)
	}

	// The procès-verbal, parsed back.
	res = p.env.Do(t, "GET", p.path("/minutes.pdf"), b.token, nil)
	expect(t, res, 200, "")
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("content type %q", ct)
	}
	raw, err := pdftext.Extract(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftext.Plain(strings.Join(strings.Fields(raw), " ")) // cells wrap their text over lines
	var v jury.View
	p.env.Do(t, "GET", p.path(""), p.admin, nil).JSON(t, &v)
	want := []string{"PROCÈS-VERBAL", "Agent", "Paris — salle Molière", "Composition du jury",
		pres.Name + " — président", b.Name, rep.Name, "Professionnel du secteur", "Représentant de l'organisme",
		v.Candidates[0].CandidateName, v.Candidates[1].CandidateName, "Aucune délibération pour ce candidat.",
		"AGENT-1", "Validé", "Non validé", "Procédure d'injonction de payer mal maîtrisée.",
		"remplacée par une correction", "correction du 22/11/2026", "Erreur matérielle",
		"Signé par " + pres.Name + ", président du jury", "Signé par " + b.Name, "décisions définitives"}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("minutes lack %q:\n%s", w, text)
		}
	}
	outsider := juryUsers(t, p.env, 1, "Out")[0]
	expect(t, p.env.Do(t, "GET", p.path("/minutes.pdf"), outsider.token, nil), 404, "not_found")
}

func TestSign_AdministratorRecordsPaperSignatures(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-11-20")
	cid := p.mustAssign(t)
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(cid, p.ids(p.all()...), decision("AGENT-1", "validated", ""))), 201, "")
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), p.admin, map[string]any{"signer_ids": []string{p.reps[0].ID}}), 409, "president_signs_first")
	res := p.env.Do(t, "POST", p.path("/minutes/sign"), p.admin, map[string]any{"signer_ids": []string{p.reps[0].ID, p.pros[0].ID}})
	expect(t, res, 200, "")
	var m jury.Minutes
	res.JSON(t, &m)
	if len(m.Signatures) != 2 || m.Signatures[0].UserID != p.pros[0].ID || m.Signatures[1].UserID != p.reps[0].ID {
		t.Fatalf("signatures %+v", m.Signatures)
	}
	// A member's history shows the jury, signed.
	var h jury.MemberHistory
	p.env.Do(t, "GET", "/api/v1/jury-members/"+p.pros[0].ID, p.pros[0].token, nil).JSON(t, &h)
	if len(h.Juries) != 1 || !h.Juries[0].President || !h.Juries[0].Final || h.Juries[0].SignedAt == nil || len(h.Qualifications) != 1 {
		t.Fatalf("history %+v", h)
	}
	expect(t, p.env.Do(t, "GET", "/api/v1/jury-members/"+p.pros[0].ID, p.pros[1].token, nil), 404, "not_found")
	expect(t, p.env.Do(t, "PUT", "/api/v1/jury-members/"+p.pros[1].ID+"/certifications/clerc-recouvrement-amiable", p.admin, nil), 200, "")
	p.env.Do(t, "GET", "/api/v1/jury-members/"+p.pros[1].ID, p.admin, nil).JSON(t, &h)
	if len(h.Qualifications) != 2 || h.Juries[0].President {
		t.Fatalf("history %+v", h)
	}
}

func TestDeadlines_LateOnesReachTheAdministrator(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-11-20")
	// Submitted 2026-07-31: the jury had to sit by 2026-10-31 (month end).
	late, res := p.assign(t, "Sans lien", map[string]any{"dossier_submitted_on": "2026-07-31"})
	expect(t, res, 201, "")
	// Submitted 2026-10-01: due 2027-01-01, decided 2026-11-20, notified
	// 2026-11-22 (due 2026-12-05): on time.
	notified, res := p.assign(t, "Sans lien", map[string]any{"dossier_submitted_on": "2026-10-01"})
	expect(t, res, 201, "")
	// Submitted 2026-10-15, decided, not notified: due 2026-12-05, within
	// the 15-day margin, so at risk.
	fine, res := p.assign(t, "Sans lien", map[string]any{"dossier_submitted_on": "2026-10-15"})
	expect(t, res, 201, "")
	p.mustAssign(t) // not VAE: no deadline
	all := p.ids(p.all()...)
	early := deliberation(notified, all, decision("AGENT-1", "validated", ""))
	early["decided_on"] = "2026-11-20"
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, early), 201, "")
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(fine, all, decision("AGENT-1", "validated", ""))), 201, "")
	expect(t, p.env.Do(t, "PUT", p.path("/candidates/"+notified+"/notification"), p.admin, map[string]any{"notified_on": "2026-11-19"}), 422, "validation")
	expect(t, p.env.Do(t, "PUT", p.path("/candidates/"+late+"/notification"), p.admin, map[string]any{"notified_on": "2026-11-21"}), 409, "not_deliberated")
	expect(t, p.env.Do(t, "PUT", p.path("/candidates/"+notified+"/notification"), p.admin, map[string]any{"notified_on": "2026-11-22"}), 200, "")

	var ds []jury.Deadline
	p.env.Do(t, "GET", "/api/v1/juries/deadlines", p.admin, nil).JSON(t, &ds)
	if len(ds) != 2 || ds[0].CandidateID != late || ds[0].SittingState != jury.Late || ds[0].SittingDue.String() != "2026-10-31" ||
		ds[1].CandidateID != fine || ds[1].NotificationState != jury.AtRisk {
		t.Fatalf("deadlines %+v", ds)
	}
	p.env.Do(t, "GET", "/api/v1/juries/deadlines?all=true", p.admin, nil).JSON(t, &ds)
	if len(ds) != 3 {
		t.Fatalf("all deadlines %+v", ds)
	}
	for _, d := range ds {
		if d.CandidateID == fine && (d.NotificationState != jury.AtRisk || d.NotificationDue.String() != "2026-12-05") {
			t.Errorf("fine %+v", d)
		}
		if d.CandidateID == notified && d.NotificationState != jury.OnTime {
			t.Errorf("notified %+v", d)
		}
	}
	expect(t, p.env.Do(t, "GET", "/api/v1/juries/deadlines", p.pros[0].token, nil), 403, "forbidden")
}

func TestPersonalData_ExportedAndPseudonymised(t *testing.T) {
	p := newPanel(t, 3, 1, "2026-11-20")
	cid, res := p.assign(t, p.pros[2].Organisation, nil)
	expect(t, res, 201, "")
	body := scoreBody(cid, "AGENT-1", 3)
	body["comment"] = "Très à l'aise à l'oral, cite son ancien employeur."
	expect(t, p.env.Do(t, "POST", p.path("/evaluations"), p.pros[0].token, body), 201, "")
	res = p.env.Do(t, "GET", "/api/v1/candidates/"+cid+"/export", p.admin, nil)
	expect(t, res, 200, "")
	if !strings.Contains(string(res.Body), "Très à l'aise à l'oral") || !strings.Contains(string(res.Body), `"jury"`) {
		t.Fatalf("export lacks the jury's part: %s", res.Body)
	}
	expect(t, p.env.Do(t, "POST", "/api/v1/candidates/"+cid+"/pseudonymise", p.admin, nil), 200, "")
	var ev jury.Evaluation
	if err := p.env.App.DB.Where("candidate_id = ?", cid).Take(&ev).Error; err != nil || ev.Comment != "" || len(ev.Scores) != 1 {
		t.Fatalf("after pseudonymisation %+v %v", ev, err)
	}
	var ex jury.Exclusion
	if err := p.env.App.DB.Where("candidate_id = ?", cid).Take(&ex).Error; err != nil || ex.Detail != "" || ex.Reason != jury.ReasonEmployer {
		t.Fatalf("exclusion %+v %v", ex, err)
	}
}
