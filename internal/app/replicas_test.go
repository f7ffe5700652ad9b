package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/vae"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const clerc = "clerc-recouvrement-amiable"

// buildCQP builds the command once for the tests that run it as a process.
var buildCQP = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "cqp-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "cqp")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ancr/cqp/cmd/cqp").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// replica is one `cqp serve` process.
type replica struct {
	name string
	url  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	env  []string
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startReplica runs `cqp serve` with the shared settings and its own
// address and data folder (nothing in that folder is shared state).
func startReplica(t testing.TB, name string, shared []string) *replica {
	t.Helper()
	bin, err := buildCQP()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	r := &replica{name: name, url: "http://" + addr, log: &bytes.Buffer{},
		env: append(slices.Clone(shared), "CQP_ADDR="+addr, "CQP_DATA_DIR="+t.TempDir())}
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Env = append(os.Environ(), r.env...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			t.Logf("replica %s log:\n%s", r.name, r.log.String())
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(r.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) || (r.cmd.ProcessState != nil) {
			t.Fatalf("replica %s not ready: %v\n%s", name, err, r.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *replica) kill() {
	if r.cmd.Process != nil && r.cmd.ProcessState == nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}

func (r *replica) do(t testing.TB, method, path, token string, body any, headers ...string) *apptest.Response {
	t.Helper()
	return apptest.Call(t, http.DefaultClient, r.url, method, path, token, body, headers...)
}

func (r *replica) login(t testing.TB, email string) string {
	t.Helper()
	res := r.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "motdepasse-de-test"})
	res.Expect(t, http.StatusOK)
	var s auth.Session
	res.JSON(t, &s)
	return s.Token
}

// TestReplicas_TwoProcessesAreOneService starts two `cqp serve` processes on
// one database, one master key and one S3 store, and drives them in turn,
// as a proxy spreading requests would.
func TestReplicas_TwoProcessesAreOneService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command; skipped with -short only")
	}
	ctx := context.Background()
	s3 := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3.Close)
	blobURL := "s3://documents?endpoint=" + s3.URL + "&region=us-east-1"

	// The data is prepared in process by the test harness, on the database
	// and store the replicas then share.
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) {
		c.BlobURL, c.S3AccessKey, c.S3SecretKey = blobURL, "cle", "secret"
	}))
	master := env.MasterKey()
	adminUser, _ := env.User(t, auth.RoleAdmin)
	candUser, candTok := env.User(t, auth.RoleCandidate)
	res := env.Do(t, "POST", "/api/v1/vae/dossiers", candTok, map[string]any{"certification": "agent-recouvrement",
		"motivation": "Huit ans de recouvrement amiable.", "activity_months": 96})
	res.Expect(t, http.StatusCreated)
	var dossier vae.Dossier
	res.JSON(t, &dossier)
	_, adminTok := env.User(t, auth.RoleAdmin)
	env.Do(t, "POST", "/api/v1/vae/dossiers/"+dossier.ID+"/admissibility", adminTok, map[string]any{"decision": "admissible",
		"criteria": map[string]bool{"related_to_certification": true, "documented": true}}).Expect(t, http.StatusOK)

	const batchSize = 400
	var laureates []string
	var decisions []candidates.Decision
	for range batchSize + 2 {
		c := env.Candidate(t)
		laureates = append(laureates, c.ID)
		for j, on := range []string{"2024-02-29", "2025-06-30", "2026-03-31", "2026-10-15"} {
			decisions = append(decisions, candidates.Decision{ID: database.NewID(), CandidateID: c.ID, Certification: clerc,
				Component: fmt.Sprintf("CLERC-%d", j+1), Outcome: candidates.Validated, DecidedOn: civil.MustParse(on),
				Final: true, CreatedBy: "jury-test"})
		}
	}
	if err := env.App.DB.CreateInBatches(decisions, 500).Error; err != nil {
		t.Fatal(err)
	}

	shared := []string{
		"CQP_DATABASE_URL=" + env.Cfg.DatabaseURL,
		"CQP_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master),
		"CQP_BLOB_URL=" + blobURL, "AWS_ACCESS_KEY_ID=cle", "AWS_SECRET_ACCESS_KEY=secret",
		"CQP_BASE_URL=https://cqp.example.test",
		"CQP_DEMO=false",
		"CQP_VERIFY_RATE=0",
		"CQP_LOG_LEVEL=warn",
	}
	a := startReplica(t, "A", shared)
	b := startReplica(t, "B", shared)

	// Log in on A, work on B.
	admin := a.login(t, adminUser.Email)
	b.do(t, "GET", "/api/v1/auth/me", admin, nil).Expect(t, http.StatusOK)

	// A document uploaded on A downloads on B, byte for byte.
	cand := a.login(t, candUser.Email)
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("bulletin de salaire "), 5000)...)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "Bulletin de salaire")
	fw, _ := mw.CreateFormFile("file", "bulletin.pdf")
	fw.Write(pdf)
	mw.Close()
	res = a.do(t, "POST", "/api/v1/vae/dossiers/"+dossier.ID+"/documents", cand, buf.Bytes(), "Content-Type", mw.FormDataContentType())
	res.Expect(t, http.StatusCreated)
	var doc vae.Document
	res.JSON(t, &doc)
	got := b.do(t, "GET", "/api/v1/vae/dossiers/"+dossier.ID+"/documents/"+doc.ID, cand, nil)
	got.Expect(t, http.StatusOK)
	if !bytes.Equal(got.Body, pdf) {
		t.Fatalf("B served %d bytes of the %d uploaded on A", len(got.Body), len(pdf))
	}

	// A certificate issued on A verifies on B, and so do its Open Badges
	// credentials against B's key set.
	issueOn := func(r *replica, candidateID string) certificates.Document {
		t.Helper()
		res := r.do(t, "POST", "/api/v1/candidates/"+candidateID+"/certificates", admin, map[string]string{"certification": clerc})
		if res.Status != http.StatusCreated && res.Status != http.StatusOK {
			t.Fatalf("issue on %s: %d %s", r.name, res.Status, res.Body)
		}
		var d certificates.Document
		res.JSON(t, &d)
		return d
	}
	verifiesOn := func(r *replica, d certificates.Document) {
		t.Helper()
		res := r.do(t, "GET", "/api/v1/verify/"+d.Number, "", nil)
		res.Expect(t, http.StatusOK)
		var v struct{ Status string }
		res.JSON(t, &v)
		if v.Status != "valid" {
			t.Fatalf("%s says %s is %q: %s", r.name, d.Number, v.Status, res.Body)
		}
		keys, err := certificates.ParseJWKSet(r.do(t, "GET", "/api/v1/keys", "", nil).Body)
		if err != nil {
			t.Fatal(err)
		}
		var creds []json.RawMessage
		r.do(t, "GET", "/api/v1/certificates/"+d.Number+"/credentials", admin, nil).JSON(t, &creds)
		if len(creds) == 0 {
			t.Fatalf("no credentials for %s on %s", d.Number, r.name)
		}
		for i, raw := range creds {
			if err := certificates.VerifyCredential(raw, keys); err != nil {
				t.Fatalf("credential %d of %s against %s's keys: %v", i, d.Number, r.name, err)
			}
		}
	}
	first := issueOn(a, laureates[batchSize])
	verifiesOn(b, first)

	// Key rotation on A's side (the command, run with A's settings) is seen
	// by B: B signs with the new key, and both verify old and new.
	bin, _ := buildCQP()
	rot := exec.Command(bin, "certificates", "rotate-key")
	rot.Env = append(os.Environ(), a.env...)
	if out, err := rot.CombinedOutput(); err != nil {
		t.Fatalf("rotate-key: %v\n%s", err, out)
	}
	second := issueOn(b, laureates[batchSize+1])
	if second.KID == first.KID {
		t.Fatalf("B still signs with %s after the rotation", first.KID)
	}
	verifiesOn(a, second)
	verifiesOn(b, first)
	for _, r := range []*replica{a, b} {
		keys, _ := certificates.ParseJWKSet(r.do(t, "GET", "/api/v1/keys", "", nil).Body)
		if keys[first.KID] == nil || keys[second.KID] == nil {
			t.Fatalf("%s publishes %d keys, not both", r.name, len(keys))
		}
	}

	// Logout on A is refused on B within the token cache's lifetime (10 s).
	b.do(t, "GET", "/api/v1/auth/me", cand, nil).Expect(t, http.StatusOK)
	a.do(t, "POST", "/api/v1/auth/logout", cand, nil).Expect(t, http.StatusNoContent)
	out := time.Now()
	for b.do(t, "GET", "/api/v1/auth/me", cand, nil).Status != http.StatusUnauthorized {
		if time.Since(out) > 15*time.Second {
			t.Fatal("B still accepts a token logged out on A after 15 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("logout on A refused on B after %v", time.Since(out).Round(time.Millisecond))

	// A batch started on A, A killed mid-batch: B completes it, every
	// candidate issued exactly once, numbers without gap.
	res = a.do(t, "POST", "/api/v1/certificates/batch?async=true", admin,
		map[string]any{"certification": clerc, "candidates": laureates[:batchSize]})
	res.Expect(t, http.StatusAccepted)
	var accepted certificates.BatchAccepted
	res.JSON(t, &accepted)
	type jobView struct {
		Status      string
		Done, Total int
		Result      certificates.BatchReport
	}
	job := func(r *replica) jobView {
		var v jobView
		r.do(t, "GET", "/api/v1/jobs/"+accepted.JobID, admin, nil).JSON(t, &v)
		return v
	}
	for v := job(a); v.Done < 5; v = job(a) {
		if v.Status == "done" || v.Status == "failed" {
			t.Fatalf("the batch ended (%s) before A could be killed mid-way", v.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.kill()
	atKill := job(b)
	if atKill.Done >= batchSize {
		t.Fatalf("A finished the batch before being killed")
	}
	deadline := time.Now().Add(3 * time.Minute)
	v := job(b)
	for ; v.Status != "done"; v = job(b) {
		if v.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("the batch on B: %+v", v)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if v.Result.Total != batchSize || v.Result.Issued+v.Result.Unchanged != batchSize || v.Result.Issued == 0 || v.Result.Unchanged == 0 {
		t.Fatalf("B's report %+v (A had done %d before it was killed)", v.Result, atKill.Done)
	}
	t.Logf("A killed after %d of %d; B issued %d, found %d issued", atKill.Done, batchSize, v.Result.Issued, v.Result.Unchanged)

	var rows []certificates.Record
	if err := env.App.DB.WithContext(ctx).Select("number", "candidate_id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	perCandidate := map[string]int{}
	var seqs []int
	numRe := regexp.MustCompile(`^CQP-CLERC-\d{4}-(\d{6})-.$`)
	for _, r := range rows {
		perCandidate[r.CandidateID]++
		m := numRe.FindStringSubmatch(r.Number)
		if m == nil {
			t.Fatalf("number %q", r.Number)
		}
		n, _ := strconv.Atoi(m[1])
		seqs = append(seqs, n)
	}
	for _, id := range laureates {
		if perCandidate[id] != 1 {
			t.Fatalf("candidate %s has %d documents", id, perCandidate[id])
		}
	}
	slices.Sort(seqs)
	for i, n := range seqs {
		if n != i+1 {
			t.Fatalf("numbers have a gap or a duplicate at %d: %v", i+1, seqs[max(0, i-2):min(len(seqs), i+3)])
		}
	}
}
