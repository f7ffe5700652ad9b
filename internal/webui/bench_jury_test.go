package webui_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
)

// BenchmarkScoreSavePage saves one member's grid again and again through
// the scoring page's form (the redirect not followed), on a jury of 6
// members and 20 candidates each with an exam attempt, and reports the SQL
// statements per save. `go test -run '^$' -bench ScoreSavePage
// ./internal/webui/` (PostgreSQL: with CQP_TEST_DATABASE_URL).
func BenchmarkScoreSavePage(b *testing.B) {
	env := apptest.New(b)
	juryID, cid, _, token := env.ScoringJury(b, "agent-recouvrement", 20)
	path := "/jury/" + juryID + "/candidates/" + cid + "/components/AGENT-1"
	client := *env.Server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	send := func(method string, form url.Values) (int, string) {
		req, _ := http.NewRequest(method, env.Server.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "cqp_session", Value: token})
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err != nil {
			b.Fatal(err)
		}
		return res.StatusCode, string(out)
	}
	status, page := send("GET", nil)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		b.Fatalf("score page: %d %s", status, page)
	}
	form := url.Values{"_csrf": {m[1]}, "comment": {"Dossier étudié."}}
	for i, c := range []string{"D1", "D2", "E1", "E2"} {
		form.Set("level.AGENT-1."+c, strconv.Itoa(1+i))
	}
	n := env.Statements()
	version := 0
	for b.Loop() {
		if version > 0 {
			form.Set("version", strconv.Itoa(version))
		}
		if status, page := send("POST", form); status != http.StatusSeeOther {
			b.Fatalf("save: %d %s", status, page)
		}
		version++
	}
	b.ReportMetric(float64(n.Load())/float64(b.N), "queries/op")
}
