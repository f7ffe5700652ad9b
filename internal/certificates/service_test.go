package certificates_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/pdftext"
)

const clerc = "clerc-recouvrement-amiable"

// decide records final jury decisions straight into the ledger, as the jury
// feature does when its minutes are signed: "CLERC-1@2026-10-15" validates,
// "!CLERC-1@…" refuses; a leading "~" leaves the decision not final.
func decide(t testing.TB, env *apptest.Env, candidateID string, specs ...string) {
	t.Helper()
	for _, s := range specs {
		final := !strings.HasPrefix(s, "~")
		s = strings.TrimPrefix(s, "~")
		outcome := candidates.Validated
		if strings.HasPrefix(s, "!") {
			outcome, s = candidates.NotValidated, s[1:]
		}
		code, on, _ := strings.Cut(s, "@")
		d := candidates.Decision{ID: database.NewID(), CandidateID: candidateID, Certification: clerc, Component: code,
			Outcome: outcome, DecidedOn: civil.MustParse(on), Final: final, CreatedBy: "jury-test"}
		if err := env.App.DB.Create(&d).Error; err != nil {
			t.Fatalf("decision %s: %v", s, err)
		}
	}
}

var allFour = []string{"CLERC-1@2024-02-29", "CLERC-2@2025-06-30", "CLERC-3@2026-03-31", "CLERC-4@2026-10-15"}

func issue(t testing.TB, env *apptest.Env, token, candidateID string) (*apptest.Response, certificates.Document) {
	t.Helper()
	res := env.Do(t, "POST", "/api/v1/candidates/"+candidateID+"/certificates", token, map[string]string{"certification": clerc})
	var d certificates.Document
	if res.Status == http.StatusOK || res.Status == http.StatusCreated {
		res.JSON(t, &d)
	}
	return res, d
}

func jwks(t testing.TB, env *apptest.Env) map[string]ed25519.PublicKey {
	t.Helper()
	res := env.Do(t, "GET", "/api/v1/keys", "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("keys: %d %s", res.Status, res.Body)
	}
	keys, err := certificates.ParseJWKSet(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

var numberRe = regexp.MustCompile(`^(CQP|ATT)-CLERC-2026-\d{6}-[0-9A-HJKMNP-TV-Z]$`)

func TestIssue_CertificateIdempotentSignedAndReadBack(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t, apptest.Names("Éloïse", "Łukasiewicz"))
	decide(t, env, c.ID, allFour...)

	res, d := issue(t, env, admin, c.ID)
	if res.Status != http.StatusCreated {
		t.Fatalf("issue: %d %s", res.Status, res.Body)
	}
	if d.Kind != certificates.KindCertificate || !numberRe.MatchString(d.Number) || !strings.HasPrefix(d.Number, "CQP-") {
		t.Fatalf("document %+v", d)
	}
	if d.AwardedOn == nil || d.AwardedOn.String() != "2026-10-15" || d.IssuedOn.String() != "2026-11-22" {
		t.Errorf("awarded %v issued %s", d.AwardedOn, d.IssuedOn)
	}
	if d.Holder.FirstName != "Éloïse" || d.Holder.LastName != "Łukasiewicz" || d.Certification != clerc {
		t.Errorf("holder/certification %+v %s", d.Holder, d.Certification)
	}
	if d.VerificationURL != "https://cqp.example.test/verify/"+d.Number {
		t.Errorf("verification url %s", d.VerificationURL)
	}
	if d.Registration != nil {
		t.Errorf("RNCP mention outside the registration period (2016-2019): %+v", d.Registration)
	}
	if len(d.Components) != 4 || d.Components[0].ExpiresOn.String() != "2029-02-28" {
		t.Errorf("components %+v", d.Components)
	}
	if _, err := certificates.Verify(res.Body, jwks(t, env)); err != nil {
		t.Fatalf("the issued document does not verify: %v", err)
	}

	again, d2 := issue(t, env, admin, c.ID)
	if again.Status != http.StatusOK || !bytes.Equal(again.Body, res.Body) || d2.Number != d.Number {
		t.Fatalf("same state: %d, %s", again.Status, again.Body)
	}

	// The PDF, for the admin and for the holder; anyone else is told it does not exist.
	_, holder := env.User(t, auth.RoleCandidate, apptest.ForCandidate(c.ID))
	_, other := env.User(t, auth.RoleCandidate)
	_, trainer := env.User(t, auth.RoleTrainer)
	for _, tok := range []string{admin, holder} {
		pdf := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", tok, nil)
		if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
		}
		txt, err := pdftext.Extract(pdf.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"CERTIFICAT DE QUALIFICATION PROFESSIONNELLE", "CQP Clerc en recouvrement amiable",
			"Éloïse Łukasiewicz", "obtenu la certification le 15 octobre 2026", "CLERC-4", "15/10/2026", "N° " + d.Number,
			"https://cqp.example.test/verify/" + d.Number, "Fait le 22 novembre 2026", "Signé électroniquement (Ed25519)"} {
			if !strings.Contains(txt, want) {
				t.Errorf("PDF lacks %q:\n%s", want, txt)
			}
		}
	}
	for _, tok := range []string{other, trainer} {
		if r := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", tok, nil); r.Status != http.StatusNotFound {
			t.Errorf("someone else's PDF: %d", r.Status)
		}
		if r := env.Do(t, "GET", "/api/v1/certificates/"+d.Number, tok, nil); r.Status != http.StatusNotFound {
			t.Errorf("someone else's document: %d", r.Status)
		}
	}
	if r := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous PDF: %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/candidates/"+c.ID+"/certificates", trainer, map[string]string{"certification": clerc}); r.Status != http.StatusForbidden {
		t.Errorf("trainer issues: %d", r.Status)
	}
	// The holder downloads the signed JSON, which verifies as it is.
	if r := env.Do(t, "GET", "/api/v1/certificates/"+d.Number, holder, nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, res.Body) {
		t.Errorf("signed JSON for the holder: %d", r.Status)
	}
}

func TestIssue_PDFRegeneratedFromSnapshotNotFromTodaysData(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t, apptest.Names("Anaïs", "Dupré"))
	decide(t, env, c.ID, "CLERC-2@2024-02-29")
	_, d := issue(t, env, admin, c.ID)
	first := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", admin, nil)

	// The referential and the candidate's record change after issue.
	if err := env.App.DB.Exec("UPDATE components SET title = 'Intitulé réécrit' WHERE code = 'CLERC-2'").Error; err != nil {
		t.Fatal(err)
	}
	if err := env.App.Referential.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Model(&candidates.Candidate{}).Where("id = ?", c.ID).Update("last_name", "Martin").Error; err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(30 * 24 * time.Hour)
	_, admin = env.User(t, auth.RoleAdmin) // tokens last hours, not a month
	second := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", admin, nil)
	if first.Status != http.StatusOK || !bytes.Equal(first.Body, second.Body) {
		t.Fatalf("the PDF of an issued document changed (%d, %d bytes vs %d)", second.Status, len(second.Body), len(first.Body))
	}
	txt, _ := pdftext.Extract(second.Body)
	txt = pdftext.Plain(txt)
	for _, want := range []string{"ATTESTATION DE VALIDATION PARTIELLE", "Anaïs Dupré", "29/02/2024", "Valable jusqu'au", "27/02/2029", "Fait le 22 novembre 2026"} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "Intitulé réécrit") || strings.Contains(txt, "Martin") {
		t.Errorf("today's data leaked into an issued document:\n%s", txt)
	}
}

func TestIssue_NewDecisionSupersedesNeverDeletes(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	decide(t, env, c.ID, "CLERC-1@2026-02-10", "!CLERC-2@2026-02-10", "~CLERC-3@2026-02-10")

	res, att := issue(t, env, admin, c.ID)
	if res.Status != http.StatusCreated || att.Kind != certificates.KindAttestation || !strings.HasPrefix(att.Number, "ATT-CLERC-2026-") {
		t.Fatalf("attestation: %d %s", res.Status, res.Body)
	}
	if len(att.Components) != 1 || att.Components[0].Code != "CLERC-1" || att.Components[0].ExpiresOn.String() != "2031-02-10" || att.AwardedOn != nil {
		t.Fatalf("attestation lists %+v (a refusal and a decision not final count for nothing)", att.Components)
	}

	decide(t, env, c.ID, "CLERC-2@2026-06-01", "CLERC-3@2026-06-01", "CLERC-4@2026-11-20")
	res, cqp := issue(t, env, admin, c.ID)
	if res.Status != http.StatusCreated || cqp.Kind != certificates.KindCertificate || cqp.Supersedes != att.Number {
		t.Fatalf("certificate: %d %s", res.Status, res.Body)
	}
	list := env.Do(t, "GET", "/api/v1/candidates/"+c.ID+"/certificates", admin, nil)
	var l struct{ Items []certificates.Summary }
	list.JSON(t, &l)
	if len(l.Items) != 2 || l.Items[0].Number != cqp.Number || !l.Items[1].Superseded || l.Items[0].Superseded {
		t.Fatalf("list %+v", l.Items)
	}
	var v certificates.PublicView
	env.Do(t, "GET", "/api/v1/verify/"+att.Number, "", nil).JSON(t, &v)
	if v.Status != certificates.StatusValid || v.SupersededBy != cqp.Number {
		t.Errorf("the superseded attestation verifies as %+v", v)
	}
	// The same state again: the certificate, unchanged.
	if res, again := issue(t, env, admin, c.ID); res.Status != http.StatusOK || again.Number != cqp.Number {
		t.Errorf("idempotency after supersession: %d %s", res.Status, again.Number)
	}
}

func TestIssue_RefusesWhatItCannotIssue(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	decide(t, env, c.ID, "~CLERC-1@2026-01-10", "CLERC-2@2020-01-10") // not final; expired
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		field      string
	}{
		{"nothing acquired", c.ID, map[string]string{"certification": clerc}, http.StatusUnprocessableEntity, ""},
		{"unknown certification", c.ID, map[string]string{"certification": "cqp-inconnu"}, http.StatusUnprocessableEntity, "certification"},
		{"missing certification", c.ID, map[string]string{}, http.StatusUnprocessableEntity, "certification"},
		{"not JSON", c.ID, "{", http.StatusBadRequest, ""},
		{"unknown candidate", database.NewID(), map[string]string{"certification": clerc}, http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, "POST", "/api/v1/candidates/"+tc.path+"/certificates", admin, tc.body)
			if res.Status != tc.status {
				t.Fatalf("%d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if p := res.Problem(t); tc.field != "" && !p.HasField(tc.field) {
				t.Errorf("problem does not name %s: %+v", tc.field, p)
			}
		})
	}
	var n int64
	env.App.DB.Model(&certificates.Record{}).Count(&n)
	if n != 0 {
		t.Errorf("%d documents after refusals", n)
	}
}

func TestIssue_ConcurrentRequestsMakeOneDocument(t *testing.T) {
	env := apptest.New(t)
	c := env.Candidate(t)
	decide(t, env, c.ID, allFour...)
	const n = 8
	numbers := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := env.App.Certificates.Issue(context.Background(), "admin", c.ID, clerc)
			numbers[i], errs[i] = res.Record.Number, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || numbers[i] != numbers[0] {
			t.Fatalf("issuer %d: %s %v (first %s)", i, numbers[i], errs[i], numbers[0])
		}
	}
	var count int64
	env.App.DB.Model(&certificates.Record{}).Where("candidate_id = ?", c.ID).Count(&count)
	if count != 1 {
		t.Fatalf("%d documents for one state", count)
	}
}

func TestNumbering_NoGapNoDuplicateUnderConcurrency(t *testing.T) {
	env := apptest.New(t)
	const n = 12
	ids := make([]string, n)
	for i := range ids {
		ids[i] = env.Candidate(t).ID
		decide(t, env, ids[i], allFour...)
	}
	// One candidate whose issuance fails after taking... nothing: refusals
	// happen before the counter, and a failed transaction gives its number back.
	numbers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := env.App.Certificates.Issue(context.Background(), "admin", ids[i], clerc)
			if err != nil {
				t.Errorf("issue %d: %v", i, err)
			}
			numbers[i] = res.Record.Number
		})
	}
	wg.Wait()
	var seqs []int
	for _, num := range numbers {
		if !numberRe.MatchString(num) {
			t.Fatalf("number %q", num)
		}
		var s int
		fmt.Sscanf(num[len("CQP-CLERC-2026-"):len("CQP-CLERC-2026-000000")], "%d", &s)
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequence numbers %v: want 1..%d without gap or duplicate", seqs, n)
		}
	}
}

func TestVerify_PublicShowsLittleAndIsRateLimited(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t, apptest.Names("Thị Ánh", "Nguyễn"))
	decide(t, env, c.ID, "CLERC-1@2024-02-29", "CLERC-3@2026-01-31")
	_, d := issue(t, env, admin, c.ID)

	res := env.Do(t, "GET", "/api/v1/verify/"+d.Number, "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("verify: %d %s", res.Status, res.Body)
	}
	var v map[string]any
	res.JSON(t, &v)
	holder, _ := v["holder"].(map[string]any)
	if v["status"] != "valid" || v["kind"] != "partial_attestation" || v["certification"] != clerc || v["issued_on"] != "2026-11-22" ||
		holder["first_name"] != "Thị Ánh" || holder["last_name_initial"] != "N." || len(holder) != 2 {
		t.Errorf("verify answered %s", res.Body)
	}
	if bytes.Contains(res.Body, []byte("Nguyễn")) || bytes.Contains(res.Body, []byte(c.ID)) {
		t.Errorf("the public check reveals the last name or the record: %s", res.Body)
	}
	comps, _ := v["components"].([]any)
	if len(comps) != 2 || comps[0].(map[string]any)["expires_on"] != "2029-02-28" {
		t.Errorf("components %v", comps)
	}

	page := env.Do(t, "GET", "/verify/"+d.Number, "", nil)
	body := pdftext.Plain(string(page.Body))
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "Document authentique et valide") || !strings.Contains(body, "Thị Ánh N.") ||
		!strings.Contains(body, "27 février 2029") || !strings.Contains(body, "Valable jusqu'au (inclus)") || strings.Contains(body, "Nguyễn") {
		t.Errorf("page: %d %s", page.Status, body)
	}

	unknown := strings.Replace(d.Number, "-000001-", "-000999-", 1)
	for _, n := range []string{unknown, "CQP-CLERC-2026-000001", "n'importe-quoi"} {
		if r := env.Do(t, "GET", "/api/v1/verify/"+n, "", nil); r.Status != http.StatusNotFound {
			t.Errorf("verify %s: %d", n, r.Status)
		} else {
			r.Problem(t)
		}
		if r := env.Do(t, "GET", "/verify/"+n, "", nil); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "Aucun document") {
			t.Errorf("page %s: %d", n, r.Status)
		}
	}

	// The clock stands still in tests, so the bucket never refills: after
	// the burst every check from this address is refused, page and API alike.
	limited := 0
	for range 40 {
		if r := env.Do(t, "GET", "/api/v1/verify/"+unknown, "", nil); r.Status == http.StatusTooManyRequests {
			limited++
			if r.Header.Get("Retry-After") == "" || r.Problem(t).Code != "rate_limited" {
				t.Fatalf("429 without Retry-After or problem: %s", r.Body)
			}
		}
	}
	if limited == 0 {
		t.Fatal("40 checks in an instant were never limited")
	}
	if r := env.Do(t, "GET", "/verify/"+d.Number, "", nil); r.Status != http.StatusTooManyRequests {
		t.Errorf("page after the burst: %d", r.Status)
	}
	env.Clock.Advance(time.Minute)
	if r := env.Do(t, "GET", "/api/v1/verify/"+d.Number, "", nil); r.Status != http.StatusOK {
		t.Errorf("after a minute: %d", r.Status)
	}
}

func TestRevoke_AuditedAndVerifiesAsRevokedForEver(t *testing.T) {
	env := apptest.New(t)
	adminUser, admin := env.User(t, auth.RoleAdmin)
	_, trainer := env.User(t, auth.RoleTrainer)
	c := env.Candidate(t)
	decide(t, env, c.ID, allFour...)
	_, d := issue(t, env, admin, c.ID)
	path := "/api/v1/certificates/" + d.Number + "/revoke"

	if r := env.Do(t, "POST", path, trainer, map[string]string{"reason": "x"}); r.Status != http.StatusForbidden {
		t.Errorf("trainer revokes: %d", r.Status)
	}
	if r := env.Do(t, "POST", path, admin, map[string]string{"reason": "  "}); r.Status != http.StatusUnprocessableEntity || !r.Problem(t).HasField("reason") {
		t.Errorf("blank reason: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", "/api/v1/certificates/CQP-CLERC-2026-999999-A/revoke", admin, map[string]string{"reason": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("unknown: %d", r.Status)
	}
	r := env.Do(t, "POST", path, admin, map[string]string{"reason": "Décision du jury annulée par le tribunal administratif."})
	if r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", path, admin, map[string]string{"reason": "encore"}); r.Status != http.StatusConflict {
		t.Errorf("revoke twice: %d", r.Status)
	}
	entries, err := audit.List(context.Background(), env.App.DB, audit.Query{Entity: "certificate", EntityID: d.Number})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Action == "certificate.revoke" && (e.ActorID != adminUser.ID || !strings.Contains(e.After, "tribunal administratif")) {
			t.Errorf("revocation audit %+v", e)
		}
	}
	if !slices.Equal(actions, []string{"certificate.revoke", "certificate.issue"}) {
		t.Errorf("audit actions %v", actions)
	}

	env.Clock.Advance(400 * 24 * time.Hour)
	var v certificates.PublicView
	env.Do(t, "GET", "/api/v1/verify/"+d.Number, "", nil).JSON(t, &v)
	if v.Status != certificates.StatusRevoked || v.RevokedOn == nil || v.RevokedOn.String() != "2026-11-22" {
		t.Errorf("verify after revocation: %+v", v)
	}
	if page := env.Do(t, "GET", "/verify/"+d.Number, "", nil); !strings.Contains(string(page.Body), "RÉVOQUÉ") {
		t.Errorf("page after revocation: %s", page.Body)
	}
	// Its signature stays good (it was issued), but it is revoked; issuing
	// again makes a new document that replaces it.
	_, admin = env.User(t, auth.RoleAdmin)
	res, again := issue(t, env, admin, c.ID)
	if res.Status != http.StatusCreated || again.Number == d.Number || again.Supersedes != d.Number {
		t.Errorf("issue after revocation: %d %s", res.Status, res.Body)
	}
}

// mutations walks every leaf of a JSON document and returns one altered
// copy per leaf, plus one with a member added.
func mutations(t *testing.T, raw []byte) map[string][]byte {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var paths [][]any
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, append(slices.Clone(path), k))
			}
		case []any:
			for i, e := range x {
				walk(e, append(slices.Clone(path), i))
			}
		default:
			paths = append(paths, path)
		}
	}
	walk(doc, nil)
	for _, p := range paths {
		var cp any
		_ = json.Unmarshal(raw, &cp)
		parent, last := cp, p[len(p)-1]
		for _, k := range p[:len(p)-1] {
			switch k := k.(type) {
			case string:
				parent = parent.(map[string]any)[k]
			case int:
				parent = parent.([]any)[k]
			}
		}
		alter := func(v any) any {
			switch v := v.(type) {
			case string:
				if v == "" {
					return "x"
				}
				return v[:len(v)-1] + string(rune(v[len(v)-1]^1))
			case bool:
				return !v
			case float64:
				return v + 1
			}
			return "x"
		}
		switch k := last.(type) {
		case string:
			m := parent.(map[string]any)
			m[k] = alter(m[k])
		case int:
			a := parent.([]any)
			a[k] = alter(a[k])
		}
		b, _ := json.Marshal(cp)
		out[fmt.Sprint(p)] = b
	}
	var cp map[string]any
	_ = json.Unmarshal(raw, &cp)
	cp["mention"] = "avec les félicitations du jury"
	b, _ := json.Marshal(cp)
	out["added member"] = b
	return out
}

func TestSignature_TamperingAnyFieldFails(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	decide(t, env, c.ID, allFour...)
	res, d := issue(t, env, admin, c.ID)
	keys := jwks(t, env)
	if _, err := certificates.Verify(res.Body, keys); err != nil {
		t.Fatal(err)
	}
	// Re-indented, the document still verifies: the signature covers its
	// canonical form, not its bytes.
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, res.Body, "", "  ")
	if _, err := certificates.Verify(pretty.Bytes(), keys); err != nil {
		t.Errorf("re-indented: %v", err)
	}
	muts := mutations(t, res.Body)
	if len(muts) < 20 {
		t.Fatalf("only %d mutations", len(muts))
	}
	for name, m := range muts {
		if _, err := certificates.Verify(m, keys); err == nil {
			t.Errorf("tampered %s still verifies", name)
		}
	}

	// The Open Badges credentials: one for the CQP, one per component with
	// validUntil = expires_on; each verifies, and none survives tampering.
	cr := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/credentials", admin, nil)
	var creds []json.RawMessage
	cr.JSON(t, &creds)
	if len(creds) != 5 {
		t.Fatalf("%d credentials", len(creds))
	}
	for i, raw := range creds {
		var cred struct {
			Type       []string `json:"type"`
			ValidUntil string   `json:"validUntil"`
			Proof      struct {
				Cryptosuite string `json:"cryptosuite"`
			} `json:"proof"`
		}
		_ = json.Unmarshal(raw, &cred)
		if !slices.Contains(cred.Type, "OpenBadgeCredential") || cred.Proof.Cryptosuite != "eddsa-jcs-2022" {
			t.Errorf("credential %d: %s", i, raw)
		}
		if want := ""; i == 0 && cred.ValidUntil != want {
			t.Errorf("the CQP's credential expires: %s", cred.ValidUntil)
		}
		if i > 0 && cred.ValidUntil != d.Components[i-1].ExpiresOn.String()+"T00:00:00Z" {
			t.Errorf("credential %d validUntil %q, want %s", i, cred.ValidUntil, d.Components[i-1].ExpiresOn)
		}
		if err := certificates.VerifyCredential(raw, keys); err != nil {
			t.Errorf("credential %d: %v", i, err)
		}
		for name, m := range mutations(t, raw) {
			if err := certificates.VerifyCredential(m, keys); err == nil {
				t.Errorf("credential %d tampered at %s still verifies", i, name)
			}
		}
	}
}

func TestIssue_RegistryMentionOnlyInsideRegistrationPeriod(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	// Awarded in 2018, inside RNCP 26291's period (2016-06-07 to 2019-06-07), issued in 2018.
	decide(t, env, c.ID, "CLERC-1@2017-03-01", "CLERC-2@2017-03-01", "CLERC-3@2017-03-01", "CLERC-4@2018-05-04")
	env.Clock.Set(time.Date(2018, 6, 1, 9, 0, 0, 0, time.UTC))
	res, d := issue(t, env, admin, c.ID)
	if res.Status != http.StatusCreated || d.Registration == nil || d.Registration.Registry != "RNCP" || d.Registration.Number != "26291" {
		t.Fatalf("mention: %d %s", res.Status, res.Body)
	}
	txt, _ := pdftext.Extract(env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", admin, nil).Body)
	if !strings.Contains(txt, "Enregistré au RNCP sous le n° 26291") || !strings.Contains(d.Number, "-2018-") {
		t.Errorf("PDF %s: %s", d.Number, txt)
	}
}

func TestBatch_ResumableWithoutDuplicates(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	var ids []string
	for i := range 5 {
		c := env.Candidate(t)
		ids = append(ids, c.ID)
		if i < 4 {
			decide(t, env, c.ID, allFour[:1+i]...)
		}
	}
	// A crash after two candidates: their documents exist.
	if _, err := env.App.Certificates.Batch(context.Background(), "admin", clerc, ids[:2], nil); err != nil {
		t.Fatal(err)
	}
	var calls []int
	rep, err := env.App.Certificates.Batch(context.Background(), "admin", clerc, ids, func(done, total int) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 5 || rep.Issued != 2 || rep.Unchanged != 2 || rep.Nothing != 1 || len(rep.Numbers) != 4 || !slices.Equal(calls, []int{1, 2, 3, 4, 5}) {
		t.Errorf("report %+v, progress %v", rep, calls)
	}
	var n int64
	env.App.DB.Model(&certificates.Record{}).Count(&n)
	if n != 4 {
		t.Errorf("%d documents, want 4", n)
	}

	// The endpoint: by list, again (nothing new), and by jury when juries exist.
	r := env.Do(t, "POST", "/api/v1/certificates/batch", admin, map[string]any{"certification": clerc, "candidates": ids})
	var again certificates.BatchReport
	r.JSON(t, &again)
	if r.Status != http.StatusOK || again.Issued != 0 || again.Unchanged != 4 {
		t.Errorf("batch endpoint: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", "/api/v1/certificates/batch", admin, map[string]any{}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty batch: %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/certificates/batch", admin, map[string]any{"jury_id": database.NewID()}); r.Status != http.StatusNotFound {
		t.Errorf("batch by an unknown jury: %d %s", r.Status, r.Body)
	}
}

// The lz4 step runs on both databases: recorded as applied everywhere, it
// changes the storage of the documents' columns on PostgreSQL (where the
// server has lz4) and nothing on SQLite, which does not compress.
func TestMigrations_DocumentsStoredWithLZ4OnPostgres(t *testing.T) {
	env := apptest.New(t)
	var applied int64
	if err := env.App.DB.Table("schema_migrations").Where("id = ?", "2026112350_certificates_lz4").Count(&applied).Error; err != nil {
		t.Fatal(err)
	}
	if applied != 1 {
		t.Fatalf("the lz4 step is recorded %d times", applied)
	}
	if env.Backend != "postgres" {
		return // SQLite: the step was a no-op, and the table is as created
	}
	var lz4 bool
	if err := env.App.DB.Raw(`SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))`).Scan(&lz4).Error; err != nil {
		t.Fatal(err)
	}
	var methods []string
	if err := env.App.DB.Raw(`SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'certificates'::regclass AND attname IN ('body', 'credentials')`).Scan(&methods).Error; err != nil {
		t.Fatal(err)
	}
	if len(methods) != 2 {
		t.Fatalf("columns: %v", methods)
	}
	for _, m := range methods {
		if lz4 && m != "l" {
			t.Errorf("compression %q, want lz4 (l)", m)
		}
	}
}

// Editing the signed body in the database (a forged name) made /verify say
// "valide" with the forged name: the signature is now checked before any
// answer, and the PDF is not drawn from a body that does not match it.
func TestVerify_ABodyEditedInTheDatabaseIsInvalid(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t, apptest.Names("Thị Ánh", "Nguyễn"))
	decide(t, env, c.ID, "CLERC-1@2024-02-29")
	_, d := issue(t, env, admin, c.ID)
	var body string
	if err := env.App.DB.Table("certificates").Select("body").Where("number = ?", d.Number).Scan(&body).Error; err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(body, "Thị Ánh", "Mallory", 1)
	if forged == body {
		t.Fatal("the fixture's body holds no first name")
	}
	if err := env.App.DB.Table("certificates").Where("number = ?", d.Number).Update("body", forged).Error; err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	env.Do(t, "GET", "/api/v1/verify/"+d.Number, "", nil).Expect(t, 200).JSON(t, &v)
	if v["status"] != "invalid" || strings.Contains(fmt.Sprint(v), "Mallory") {
		t.Fatalf("forged document verified as %v", v)
	}
	page := env.Do(t, "GET", "/verify/"+d.Number, "", nil)
	if !strings.Contains(string(page.Body), "Document INVALIDE") || strings.Contains(string(page.Body), "Mallory") {
		t.Fatalf("page: %s", page.Body)
	}
	if r := env.Do(t, "GET", "/api/v1/certificates/"+d.Number+"/pdf", admin, nil); r.Status != 409 || r.Problem(t).Code != "invalid_signature" {
		t.Fatalf("PDF of a forged body: %d %s", r.Status, r.Body)
	}
}
