package app_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
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

// load sends GET requests to target from conc clients for d and returns
// the rate of 200 answers per second.
func load(b *testing.B, target, token string, conc int, d time.Duration) float64 {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	var ok, bad atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				req, _ := http.NewRequest("GET", target, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		b.Fatalf("%s: %d answers other than 200", target, bad.Load())
	}
	return float64(ok.Load()) / d.Seconds()
}

// roundRobin is the proxy in front of the replicas (Caddy in compose; a
// Go reverse proxy here, which costs about the same per request).
func roundRobin(b *testing.B, backends ...string) string {
	var proxies []*httputil.ReverseProxy
	for _, be := range backends {
		u, _ := url.Parse(be)
		p := httputil.NewSingleHostReverseProxy(u)
		p.Transport = &http.Transport{MaxIdleConnsPerHost: 256}
		proxies = append(proxies, p)
	}
	var n atomic.Uint64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[n.Add(1)%uint64(len(proxies))].ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// BenchmarkReplicas measures /healthz and the public verification on one
// replica, then on two behind a proxy, in one run; and document downloads
// from the folder and the S3 drivers. Figures in docs/performance.md:
//
//	go test -run '^$' -bench Replicas -benchtime 1x ./internal/app/
//
// CQP_BENCH_SECONDS sets each measure's length (default 5), CQP_BENCH_CONC
// the concurrent clients (default 32).
func BenchmarkReplicas(b *testing.B) {
	secs, _ := strconv.Atoi(os.Getenv("CQP_BENCH_SECONDS"))
	if secs <= 0 {
		secs = 5
	}
	conc, _ := strconv.Atoi(os.Getenv("CQP_BENCH_CONC"))
	if conc <= 0 {
		conc = 32
	}
	d := time.Duration(secs) * time.Second
	env := apptest.New(b)
	master := env.MasterKey()
	_, admin := env.User(b, auth.RoleAdmin)
	laureate := env.Candidate(b)
	for j, on := range []string{"2024-02-29", "2025-06-30", "2026-03-31", "2026-10-15"} {
		dec := candidates.Decision{ID: database.NewID(), CandidateID: laureate.ID, Certification: clerc, Component: fmt.Sprintf("CLERC-%d", j+1),
			Outcome: candidates.Validated, DecidedOn: civil.MustParse(on), Final: true, CreatedBy: "bench"}
		if err := env.App.DB.Create(&dec).Error; err != nil {
			b.Fatal(err)
		}
	}
	var cert certificates.Document
	env.Do(b, "POST", "/api/v1/candidates/"+laureate.ID+"/certificates", admin, map[string]string{"certification": clerc}).JSON(b, &cert)
	shared := []string{
		"CQP_DATABASE_URL=" + env.Cfg.DatabaseURL,
		"CQP_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master),
		"CQP_DEMO=false", "CQP_VERIFY_RATE=0", "CQP_LOG_LEVEL=error",
		"CQP_TRUSTED_PROXIES=127.0.0.1/32",
	}
	a := startReplica(b, "A", shared)
	verify := "/api/v1/verify/" + cert.Number

	type row struct {
		name            string
		healthz, verify float64
	}
	var rows []row
	measure := func(name, base string) {
		h := load(b, base+"/healthz", "", conc, d)
		v := load(b, base+verify, "", conc, d)
		rows = append(rows, row{name, h, v})
	}
	measure("one replica, direct", a.url)
	measure("one replica behind the proxy", roundRobin(b, a.url))
	bb := startReplica(b, "B", shared)
	measure("two replicas behind the proxy", roundRobin(b, a.url, bb.url))
	for _, r := range rows {
		b.Logf("%-32s healthz %8.0f req/s   verify %8.0f req/s   ratio %.2f", r.name, r.healthz, r.verify, r.verify/r.healthz)
	}
	b.ReportMetric(rows[2].verify/rows[2].healthz, "verify/healthz")

	// Document downloads, in process, from each driver.
	s3 := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	b.Cleanup(s3.Close)
	for _, drv := range []struct{ name, url string }{
		{"folder", ""},
		{"s3 (gofakes3, in process)", "s3://bench?endpoint=" + s3.URL + "&region=us-east-1"},
	} {
		denv := apptest.New(b, apptest.WithConfig(func(c *config.Config) { c.BlobURL, c.S3AccessKey, c.S3SecretKey = drv.url, "k", "s" }))
		_, dadmin := denv.User(b, auth.RoleAdmin)
		_, cand := denv.User(b, auth.RoleCandidate)
		var dossier vae.Dossier
		denv.Do(b, "POST", "/api/v1/vae/dossiers", cand, map[string]any{"certification": "agent-recouvrement",
			"motivation": "Banc d'essai.", "activity_months": 96}).JSON(b, &dossier)
		denv.Do(b, "POST", "/api/v1/vae/dossiers/"+dossier.ID+"/admissibility", dadmin, map[string]any{"decision": "admissible",
			"criteria": map[string]bool{"related_to_certification": true, "documented": true}})
		body := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'x'}, 2<<20)...)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "piece.pdf")
		fw.Write(body)
		mw.Close()
		var doc vae.Document
		denv.Do(b, "POST", "/api/v1/vae/dossiers/"+dossier.ID+"/documents", cand, buf.Bytes(), "Content-Type", mw.FormDataContentType()).JSON(b, &doc)
		// The session token is checked by the in-process server's clock.
		rate := load(b, denv.Server.URL+"/api/v1/vae/dossiers/"+dossier.ID+"/documents/"+doc.ID, cand, 8, d)
		b.Logf("download of a 2 MiB document, %-26s %6.0f /s = %5.0f MB/s", drv.name+":", rate, rate*float64(len(body))/1e6)
	}
}
