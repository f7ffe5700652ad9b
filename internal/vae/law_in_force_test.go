package vae_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// These tests follow the law in force since 2024 (docs/domain.md §4): the
// two months of the decision, implicit acceptance, missing pieces, paper
// requests, yearly limits. They move the clock, so each step signs in again.

type clockEnv struct {
	*apptest.Env
	admin, cand auth.User
}

func newClockEnv(t *testing.T) clockEnv {
	env := apptest.New(t)
	admin, _ := env.User(t, auth.RoleAdmin)
	cand, _ := env.User(t, auth.RoleCandidate)
	return clockEnv{Env: env, admin: admin, cand: cand}
}

// at moves the clock to day (10:00 UTC).
func (e clockEnv) at(day string) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	e.Clock.Set(d.Add(10 * time.Hour))
}

func (e clockEnv) dossier(t *testing.T, id string) vae.Dossier {
	t.Helper()
	res := e.Do(t, "GET", "/api/v1/vae/dossiers/"+id, relogin(t, e.Env, e.admin), nil)
	wantStatus(t, res, http.StatusOK)
	var d vae.Dossier
	res.JSON(t, &d)
	return d
}

func (e clockEnv) timeline(t *testing.T, id string) []vae.Event {
	t.Helper()
	var evs []vae.Event
	e.Do(t, "GET", "/api/v1/vae/dossiers/"+id+"/timeline", relogin(t, e.Env, e.cand), nil).JSON(t, &evs)
	return evs
}

func count(evs []vae.Event, action string) int {
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestImplicitAdmissibility_SilenceForTwoMonthsFromTheLastDayOfDecember(t *testing.T) {
	e := newClockEnv(t)
	e.at("2026-12-31")
	res := e.Do(t, "POST", "/api/v1/vae/dossiers", relogin(t, e.Env, e.cand), map[string]any{"certification": "agent-recouvrement"})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	if d.CompleteOn.String() != "2026-12-31" || d.AdmissibilityDeadline.String() != "2027-02-28" {
		t.Fatalf("complete %v, deadline %v", d.CompleteOn, d.AdmissibilityDeadline)
	}

	// On the deadline itself the certifier may still decide: nothing happens.
	e.at("2027-02-28")
	if d = e.dossier(t, d.ID); d.Status != vae.StatusRequested || d.AdmissibilityImplicit {
		t.Fatalf("on the deadline: %s implicit=%v", d.Status, d.AdmissibilityImplicit)
	}
	// The day after, silence is an acceptance, dated that day.
	e.at("2027-03-01")
	d = e.dossier(t, d.ID)
	if d.Status != vae.StatusAdmissible || !d.AdmissibilityImplicit || d.DecidedAt == nil ||
		!d.DecidedAt.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) || d.AdmissibleUntil == nil || d.AdmissibleUntil.String() != "2030-03-01" {
		t.Fatalf("the day after the deadline: %+v", d)
	}
	// Read again and again, by every path: accepted once, audited once.
	e.dossier(t, d.ID)
	e.Do(t, "GET", "/api/v1/vae/dossiers", relogin(t, e.Env, e.admin), nil)
	evs := e.timeline(t, d.ID)
	if count(evs, "vae.admissibility.implicit") != 1 || !strings.Contains(evs[len(evs)-1].Label, "le silence vaut acceptation") {
		t.Fatalf("timeline %+v", evs)
	}
	var n int64
	e.App.DB.Model(&audit.Entry{}).Where("action = ? AND entity_id = ?", "vae.admissibility.implicit", d.ID).Count(&n)
	if n != 1 {
		t.Fatalf("%d audit rows for the implicit acceptance", n)
	}
	// A decision on an implicit admissibility: refused, nothing written.
	res = e.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/admissibility", relogin(t, e.Env, e.admin), map[string]any{
		"decision": "inadmissible", "criteria": map[string]bool{"related_to_certification": false, "documented": true}, "reason": "Trop tard"})
	if res.Status != http.StatusConflict || res.Problem(t).Code != "already_decided" || !strings.Contains(string(res.Body), "implicitement le 01/03/2027") {
		t.Fatalf("decision after implicit acceptance: %d %s", res.Status, res.Body)
	}
	if after := e.dossier(t, d.ID); after.Status != vae.StatusAdmissible || after.AdmissibilityNote != "" {
		t.Fatalf("the refused decision wrote: %+v", after)
	}
	// The candidate builds the dossier as after any admissibility.
	wantStatus(t, upload(t, e.Env, relogin(t, e.Env, e.cand), d.ID, "bulletin.pdf", payslip(t, "Bulletin")), http.StatusCreated)
}

func TestPaperRequest_ReceivedOnRecordedByAnAdministratorStartsTheClockThatDay(t *testing.T) {
	e := newClockEnv(t) // today: 22 November 2026
	admin, cand := relogin(t, e.Env, e.admin), relogin(t, e.Env, e.cand)
	candID := *e.cand.CandidateID

	res := e.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement", "received_on": "2026-10-01"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("received_on") {
		t.Fatalf("a candidate dating their own request: %d %s", res.Status, res.Body)
	}
	res = e.Do(t, "POST", "/api/v1/vae/dossiers", admin, map[string]any{"candidate_id": candID, "certification": "agent-recouvrement", "received_on": "2026-11-23"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("received_on") {
		t.Fatalf("received tomorrow: %d %s", res.Status, res.Body)
	}
	res = e.Do(t, "POST", "/api/v1/vae/dossiers", admin, map[string]any{"candidate_id": candID, "certification": "agent-recouvrement", "received_on": "2026-13-01"})
	if res.Status != http.StatusUnprocessableEntity || !res.Problem(t).HasField("received_on") {
		t.Fatalf("an unreadable date: %d %s", res.Status, res.Body)
	}

	// Received on 31 August, recorded late: the deadline (31 October) has
	// passed, so the request is admissible by silence from 1 November.
	res = e.Do(t, "POST", "/api/v1/vae/dossiers", admin, map[string]any{"candidate_id": candID, "certification": "agent-recouvrement", "received_on": "2026-08-31"})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	if d.ReceivedOn.String() != "2026-08-31" || d.AdmissibilityDeadline.String() != "2026-10-31" {
		t.Fatalf("paper request %+v", d)
	}
	d = e.dossier(t, d.ID)
	if d.Status != vae.StatusAdmissible || !d.AdmissibilityImplicit || !d.DecidedAt.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("late-recorded paper request: %+v", d)
	}
	evs := e.timeline(t, d.ID)
	if len(evs) < 2 || !strings.Contains(evs[0].Label, "reçue le 31/08/2026, enregistrée par l'administration") {
		t.Fatalf("timeline %+v", evs)
	}
}

func TestMissingPieces_StopTheClockUntilTheRequestIsCompleteAgain(t *testing.T) {
	e := newClockEnv(t) // 22 November 2026
	var d vae.Dossier
	e.Do(t, "POST", "/api/v1/vae/dossiers", relogin(t, e.Env, e.cand), map[string]any{"certification": "agent-recouvrement"}).JSON(t, &d)
	path := "/api/v1/vae/dossiers/" + d.ID

	e.at("2026-12-01")
	admin, cand := relogin(t, e.Env, e.admin), relogin(t, e.Env, e.cand)
	wantStatus(t, e.Do(t, "POST", path+"/missing-pieces", cand, map[string]any{"pieces": []string{"x"}}), http.StatusForbidden)
	res := e.Do(t, "POST", path+"/missing-pieces", admin, map[string]any{"pieces": []string{}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no piece named: %d %s", res.Status, res.Body)
	}
	wantStatus(t, e.Do(t, "POST", path+"/complete", cand, nil), http.StatusConflict) // nothing awaited yet
	res = e.Do(t, "POST", path+"/missing-pieces", admin, map[string]any{"pieces": []string{"Attestation d'emploi du cabinet Bérard", "Pièce d'identité"}})
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.CompleteOn != nil || d.AdmissibilityDeadline != nil || len(d.MissingPieces) != 2 {
		t.Fatalf("after asking for pieces: %+v", d)
	}

	// Long after the first deadline (22 January), nothing is implicit: the
	// request is not complete.
	e.at("2027-02-01")
	if d = e.dossier(t, d.ID); d.Status != vae.StatusRequested {
		t.Fatalf("incomplete request decided by silence: %s", d.Status)
	}
	res = e.Do(t, "POST", path+"/complete", relogin(t, e.Env, e.cand), nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.CompleteOn.String() != "2027-02-01" || d.AdmissibilityDeadline.String() != "2027-04-01" || len(d.MissingPieces) != 0 {
		t.Fatalf("completed: %+v", d)
	}
	wantStatus(t, e.Do(t, "POST", path+"/complete", relogin(t, e.Env, e.cand), nil), http.StatusConflict)

	e.at("2027-04-01")
	if d = e.dossier(t, d.ID); d.Status != vae.StatusRequested {
		t.Fatalf("on the new deadline: %s", d.Status)
	}
	e.at("2027-04-02")
	if d = e.dossier(t, d.ID); d.Status != vae.StatusAdmissible || !d.AdmissibilityImplicit {
		t.Fatalf("after the new deadline: %+v", d)
	}
	evs := e.timeline(t, d.ID)
	if count(evs, "vae.missing_pieces") != 1 || count(evs, "vae.complete") != 1 || !strings.Contains(evs[1].Detail, "Pièce d'identité") {
		t.Fatalf("timeline %+v", evs)
	}
}

func TestRequest_ExperiencesFiledWithTheRequestAllOrNothing(t *testing.T) {
	e := newClockEnv(t)
	cand := relogin(t, e.Env, e.cand)
	bad := map[string]any{"employer": "Recouvre-Est", "role": "Agent", "starts_on": "2024-05-01", "ends_on": "2024-03-01",
		"activities": "Relances.", "components": []string{"CLERC-1"}}
	res := e.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement",
		"experiences": []any{experience, bad}})
	p := res.Problem(t)
	if res.Status != http.StatusUnprocessableEntity || !p.HasField("experiences[1].ends_on") || !p.HasField("experiences[1].components[0]") {
		t.Fatalf("a bad experience: %d %s", res.Status, res.Body)
	}
	var list struct{ Items []vae.Dossier }
	e.Do(t, "GET", "/api/v1/vae/dossiers", cand, nil).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a refused request left %d dossiers", len(list.Items))
	}
	bad["ends_on"], bad["components"] = "", []string{"AGENT-2"}
	res = e.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement",
		"experiences": []any{experience, bad}})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	if len(d.Experiences) != 2 || d.Experiences[1].Employer != "Recouvre-Est" {
		t.Fatalf("experiences %+v", d.Experiences)
	}
	// More may be added while the request awaits its decision.
	wantStatus(t, e.Do(t, "POST", "/api/v1/vae/dossiers/"+d.ID+"/experiences", cand, experience), http.StatusCreated)
}

func TestRequest_FlaggedWhenTheCertificationHasNoRegistrationInForce(t *testing.T) {
	e := newClockEnv(t)
	admin, cand := relogin(t, e.Env, e.admin), relogin(t, e.Env, e.cand)
	// RNCP 26291 ran from 2016 to 2019: a request of 2026 is flagged, not refused.
	res := e.Do(t, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "clerc-recouvrement-amiable"})
	wantStatus(t, res, http.StatusCreated)
	var d vae.Dossier
	res.JSON(t, &d)
	if d.RegistrationInForce {
		t.Fatal("a request outside every registration period is not flagged")
	}
	wantStatus(t, e.Do(t, "POST", "/api/v1/certifications/clerc-recouvrement-amiable/registrations", admin,
		map[string]any{"registry": "RNCP", "number": "41234", "from": "2026-09-01", "to": "2031-08-31"}), http.StatusCreated)
	if d = e.dossier(t, d.ID); !d.RegistrationInForce {
		t.Fatal("still flagged once the certification is registered again")
	}
}
