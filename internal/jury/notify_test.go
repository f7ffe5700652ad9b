package jury_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

func TestConvocations_MembersAndCandidatesWithOneCalendarEventUpdatedAndCancelled(t *testing.T) {
	srv := mailtest.Start(t)
	p := newPanel(t, 2, 1, "2026-12-10", apptest.WithSMTP(srv))
	p.env.Deliver(t)
	uid := "jury-" + p.jury.ID + "@cqp-recouvrement"
	for _, m := range p.all() {
		got := srv.Find(messages.KindJuryConvocation, m.Email)
		if len(got) != 1 {
			t.Fatalf("%s got %d convocations", m.Email, len(got))
		}
		ev := mailtest.Event(got[0].Calendar)
		if ev["METHOD"] != "REQUEST" || ev["UID"] != uid || ev["SEQUENCE"] != "1" ||
			ev["DTSTART"] != "TZID=Europe/Paris:20261210T090000" || ev["DTEND"] != "TZID=Europe/Paris:20261210T170000" ||
			ev["LOCATION"] != "Paris — salle Molière" {
			t.Fatalf("event %v", ev)
		}
		if got[0].Subject != "Convocation\u00a0: jury du 10\u00a0décembre 2026" || !strings.Contains(got[0].Text, "/jury/"+p.jury.ID) {
			t.Fatalf("subject %q text:\n%s", got[0].Subject, got[0].Text)
		}
	}
	if !strings.Contains(srv.Find(messages.KindJuryConvocation, p.pros[0].Email)[0].Text, "Vous présiderez le jury du") {
		t.Error("the president is not told")
	}

	// A candidate assigned, with an address, is convened too.
	c := p.env.Candidate(t)
	p.env.Enroll(t, c.ID, cert)
	expect(t, p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": c.ID}), http.StatusCreated, "")
	p.env.Deliver(t)
	cc := srv.Find(messages.KindCandidateConvocation, c.Email)
	if len(cc) != 1 || mailtest.Event(cc[0].Calendar)["UID"] != uid || !strings.Contains(cc[0].Text, "pièce d’identité") {
		t.Fatalf("candidate convocation %+v", cc)
	}

	// The session moves: everyone gets the same event, a higher sequence.
	srv.Reset()
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"start_time": "14:00", "end_time": "18:30", "location": "Lyon"}), http.StatusOK, "")
	p.env.Deliver(t)
	if n := len(srv.Mails()); n != 4 {
		t.Fatalf("%d messages after the change, want 3 members + 1 candidate", n)
	}
	for _, m := range srv.Mails() {
		ev := mailtest.Event(m.Calendar)
		if ev["UID"] != uid || ev["SEQUENCE"] != "3" || ev["DTSTART"] != "TZID=Europe/Paris:20261210T140000" || ev["LOCATION"] != "Lyon" {
			t.Fatalf("%s: %v", m.Kind, ev)
		}
		if !strings.HasPrefix(m.Subject, "Convocation modifiée") {
			t.Errorf("subject %q", m.Subject)
		}
	}

	// A member added then removed: invited, then the event is cancelled.
	srv.Reset()
	extra := juryUsers(t, p.env, 1, "Extra")[0]
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+extra.ID), p.admin, map[string]any{"category": jury.Professional}), http.StatusOK, "")
	expect(t, p.env.Do(t, "DELETE", p.path("/members/"+extra.ID), p.admin, nil), http.StatusOK, "")
	p.env.Deliver(t)
	got := srv.Find(messages.KindJuryConvocation, extra.Email)
	if len(got) != 2 || mailtest.Event(got[0].Calendar)["METHOD"] != "REQUEST" {
		t.Fatalf("extra member: %+v", got)
	}
	cancel := mailtest.Event(got[1].Calendar)
	if cancel["METHOD"] != "CANCEL" || cancel["STATUS"] != "CANCELLED" || cancel["UID"] != uid || !strings.HasPrefix(got[1].Subject, "Annulation") {
		t.Fatalf("cancellation %v, subject %q", cancel, got[1].Subject)
	}
	if len(srv.Mails()) != 2 {
		t.Fatalf("the other members were told of the extra member: %d messages", len(srv.Mails()))
	}
}

// A jury refused for its composition convenes nobody: the messages are
// written in the refused transaction, so they are not written at all.
func TestConvocations_RefusedJuryWritesNoMessage(t *testing.T) {
	srv := mailtest.Start(t)
	p := newPanel(t, 2, 1, "2026-12-10", apptest.WithSMTP(srv))
	p.env.Deliver(t)
	srv.Reset()
	lone := juryUsers(t, p.env, 1, "Seul")
	res := p.env.Do(t, "POST", "/api/v1/juries", p.admin, map[string]any{"certification": cert, "session_date": "2026-12-11",
		"members": seatsBody(lone, nil)})
	if res.Status < 400 {
		t.Fatalf("a one-member jury was accepted: %d", res.Status)
	}
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"start_time": "25:00"}), http.StatusUnprocessableEntity, "validation")
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"start_time": "18:00"}), http.StatusUnprocessableEntity, "validation")
	if n := p.env.Deliver(t); n != 0 || len(srv.Mails()) != 0 {
		t.Fatalf("%d jobs, %d messages after refused changes", n, len(srv.Mails()))
	}
}

func TestResults_EachCandidateOnceTheMinutesAreSigned(t *testing.T) {
	srv := mailtest.Start(t)
	p := newPanel(t, 2, 1, "2026-11-20", apptest.WithSMTP(srv))
	cid := p.mustAssign(t)
	all := p.ids(p.all()...)
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.reps[0].token, deliberation(cid, all,
		decision("AGENT-1", "validated", ""), decision("AGENT-2", "not_validated", "Procédure d'injonction de payer mal maîtrisée."))), 201, "")
	p.env.Deliver(t)
	if len(srv.Find(messages.KindResults, "")) != 0 {
		t.Fatal("results sent before the minutes are signed")
	}
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), p.pros[0].token, nil), 200, "")
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), p.pros[1].token, nil), 200, "")
	p.env.Deliver(t)
	var c candidates.Candidate
	if err := p.env.App.DB.Where("id = ?", cid).Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	got := srv.Find(messages.KindResults, c.Email)
	if len(got) != 1 {
		t.Fatalf("%d results messages (a countersignature must not send again)", len(got))
	}
	for _, want := range []string{"AGENT-1", "validé", "AGENT-2", "non validé", "1 bloc validé sur 2", "20\u00a0novembre 2026"} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("results lack %q:\n%s", want, got[0].Text)
		}
	}
}

// After the session, each member with a candidate still to score is
// reminded once; after the president signs, those who have not signed.
func TestReminders_JuryWorkDueOnceEach(t *testing.T) {
	srv := mailtest.Start(t)
	p := newPanel(t, 2, 1, "2026-11-20", apptest.WithSMTP(srv))
	cid := p.mustAssign(t)
	ctx := t.Context()
	rep, err := p.env.App.SendReminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.JuryPending != 3 {
		t.Fatalf("%+v, want the 3 members reminded of their scores", rep)
	}
	if rep, _ = p.env.App.SendReminders(ctx); rep.JuryPending != 0 {
		t.Fatalf("a second run reminded %d again", rep.JuryPending)
	}
	p.env.Deliver(t)
	got := srv.Find(messages.KindJuryPending, p.reps[0].Email)
	if len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Évaluations à saisir") || !strings.Contains(got[0].Text, "1 candidat") {
		t.Fatalf("%+v", got)
	}
	all := p.ids(p.all()...)
	expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.reps[0].token, deliberation(cid, all, decision("AGENT-1", "validated", ""))), 201, "")
	expect(t, p.env.Do(t, "POST", p.path("/minutes/sign"), p.pros[0].token, nil), 200, "")
	if rep, _ = p.env.App.SendReminders(ctx); rep.JuryPending != 2 {
		t.Fatalf("%+v, want the 2 members who have not signed", rep)
	}
	p.env.Deliver(t)
	if s := srv.Find(messages.KindJuryPending, p.pros[1].Email); len(s) != 2 || !strings.HasPrefix(s[1].Subject, "Procès-verbal à signer") {
		t.Fatalf("%+v", s)
	}
	if s := srv.Find(messages.KindJuryPending, p.pros[0].Email); len(s) != 1 {
		t.Fatalf("the president, who signed, was reminded to sign: %d", len(s))
	}
}

// A candidate without an address gets nothing, and does not stop the
// others from being told that the session moved (same event, next sequence).
func TestConvocations_CandidateWithoutAddressSkippedOthersToldOfTheChange(t *testing.T) {
	srv := mailtest.Start(t)
	p := newPanel(t, 2, 1, "2026-12-10", apptest.WithSMTP(srv))
	var ids []string
	for _, email := range []string{"", "joignable@example.fr", ""} {
		c := p.env.Candidate(t, func(nc *candidates.NewCandidate) { nc.Email = email })
		p.env.Enroll(t, c.ID, cert)
		expect(t, p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": c.ID}), http.StatusCreated, "")
		ids = append(ids, c.ID)
	}
	p.env.Deliver(t)
	if got := srv.Find(messages.KindCandidateConvocation, ""); len(got) != 1 || got[0].To[0] != "joignable@example.fr" {
		t.Fatalf("convocations %+v, want one to joignable@example.fr", got)
	}
	srv.Reset()
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"session_date": "2026-12-11", "start_time": "08:30"}), http.StatusOK, "")
	p.env.Deliver(t)
	got := srv.Find(messages.KindCandidateConvocation, "joignable@example.fr")
	if len(got) != 1 {
		t.Fatalf("%d updates to the candidate with an address (candidates %v)", len(got), ids)
	}
	ev := mailtest.Event(got[0].Calendar)
	if ev["DTSTART"] != "TZID=Europe/Paris:20261211T083000" || ev["UID"] != "jury-"+p.jury.ID+"@cqp-recouvrement" ||
		!strings.HasPrefix(got[0].Subject, "Convocation modifiée") {
		t.Fatalf("update %q %v", got[0].Subject, ev)
	}
	if n := len(srv.Find(messages.KindJuryConvocation, "")); n != 3 {
		t.Fatalf("%d member updates, want 3", n)
	}
}

// A summer session (CEST, UTC+2) keeps its local hours in the calendar
// event; a member whose account is in English is convened in English, the
// others in French (with French hours).
func TestConvocations_SummerHoursAndTheMembersLanguage(t *testing.T) {
	srv := mailtest.Start(t)
	p := newPanel(t, 2, 1, "2027-06-15", apptest.WithSMTP(srv))
	if err := p.env.App.DB.Table("users").Where("id = ?", p.pros[1].ID).Update("locale", "en").Error; err != nil {
		t.Fatal(err)
	}
	p.env.Deliver(t)
	srv.Reset()
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"start_time": "14:30", "end_time": "16:00"}), http.StatusOK, "")
	p.env.Deliver(t)
	en := srv.Find(messages.KindJuryConvocation, p.pros[1].Email)
	fr := srv.Find(messages.KindJuryConvocation, p.pros[0].Email)
	if len(en) != 1 || len(fr) != 1 {
		t.Fatalf("%d English, %d French messages", len(en), len(fr))
	}
	for _, m := range []mailtest.Mail{en[0], fr[0]} {
		ev := mailtest.Event(m.Calendar)
		if ev["DTSTART"] != "TZID=Europe/Paris:20270615T143000" || ev["DTEND"] != "TZID=Europe/Paris:20270615T160000" || ev["SEQUENCE"] != "2" {
			t.Fatalf("event %v", ev)
		}
	}
	if en[0].Subject != "Convocation changed: jury of June 15, 2027" || !strings.Contains(en[0].Text, "2:30 pm to 4:00 pm") {
		t.Errorf("English: %q\n%s", en[0].Subject, en[0].Text)
	}
	if !strings.Contains(fr[0].Text, "de 14\u00a0h\u00a030 à 16\u00a0h") || !strings.Contains(fr[0].Text, "La session du jury a changé.") {
		t.Errorf("French:\n%s", fr[0].Text)
	}
}
