package certificates_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

// The holder learns their document is issued, with the link to the PDF
// (which their account opens) and to the public check; issuing again with
// nothing new sends nothing.
func TestIssue_TellsTheHolderOnceWithWorkingLinks(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	holder, holderTok := env.User(t, auth.RoleCandidate, apptest.ForCandidate(c.ID))
	decide(t, env, c.ID, "CLERC-1@2026-06-01")
	_, d := issue(t, env, admin, c.ID)
	issue(t, env, admin, c.ID) // unchanged: no second document, no second message
	env.Deliver(t)
	got := srv.Find(messages.KindCertificateIssued, holder.Email)
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	m := got[0]
	if !strings.Contains(m.Subject, d.Number) || !strings.Contains(m.Text, "attestation de validation partielle") {
		t.Fatalf("%q\n%s", m.Subject, m.Text)
	}
	pdf := "https://cqp.example.test/documents/" + d.Number + "/pdf"
	if !strings.Contains(m.Text, pdf) || !strings.Contains(m.Text, d.VerificationURL) {
		t.Fatalf("links missing:\n%s", m.Text)
	}
	// The links work: the verification page, and the PDF for the holder.
	env.Do(t, "GET", strings.TrimPrefix(d.VerificationURL, "https://cqp.example.test"), "", nil).Expect(t, 200)
	env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", holderTok, nil).Expect(t, 200)
}

func TestVerifyRate_ZeroIsUnlimited(t *testing.T) {
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.VerifyRate = 0 }))
	for range 100 {
		env.Do(t, "GET", "/api/v1/verify/CQP-CLERC-2026-000001-X", "", nil).Expect(t, 404)
	}
}

// A batch tells each holder of a new document once, in their language: a
// holder with an English account gets the English message and the PDF link,
// a holder known only by their record's address the French one without it
// (no account opens the PDF); nobody is told twice when the batch runs again.
func TestBatch_TellsEachNewHolderOnceInTheirLanguage(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	full, partial, none := env.Candidate(t), env.Candidate(t), env.Candidate(t)
	holder, _ := env.User(t, auth.RoleCandidate, apptest.ForCandidate(full.ID), func(u *auth.NewUser) { u.Locale = "en" })
	decide(t, env, full.ID, allFour...)
	decide(t, env, partial.ID, "CLERC-2@2026-06-01")
	ids := []string{full.ID, partial.ID, none.ID}
	for range 2 {
		if _, err := env.App.Certificates.Batch(context.Background(), "admin", clerc, ids, nil); err != nil {
			t.Fatal(err)
		}
	}
	env.Deliver(t)
	if n := len(srv.Find(messages.KindCertificateIssued, "")); n != 2 {
		t.Fatalf("%d messages, want one per new document", n)
	}
	en := srv.Find(messages.KindCertificateIssued, holder.Email)
	if len(en) != 1 || !strings.HasPrefix(en[0].Subject, "Your professional qualification certificate no. CQP-") ||
		!strings.Contains(en[0].Text, "/documents/CQP-") || !strings.Contains(en[0].Text, "/verify/") {
		t.Fatalf("English holder: %+v", en)
	}
	fr := srv.Find(messages.KindCertificateIssued, partial.Email)
	if len(fr) != 1 || !strings.HasPrefix(fr[0].Subject, "Votre attestation de validation partielle n°") ||
		strings.Contains(fr[0].Text, "/pdf") || !strings.Contains(fr[0].Text, "vérifier l’authenticité") || !strings.Contains(fr[0].HTML, "/verify/") {
		t.Fatalf("record-only holder: %+v", fr)
	}
}
