package jury_test

import (
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
)

// BenchmarkScoreSave saves one member's grid again and again (version
// after version) through POST /api/v1/juries/{id}/evaluations, on a jury
// of 6 members and 20 candidates each with an exam attempt, and reports
// the SQL statements per save. `go test -run '^$' -bench ScoreSave
// ./internal/jury/` (PostgreSQL: with CQP_TEST_DATABASE_URL).
func BenchmarkScoreSave(b *testing.B) {
	env := apptest.New(b)
	juryID, cid, _, token := env.ScoringJury(b, cert, 20)
	path := "/api/v1/juries/" + juryID + "/evaluations"
	body := scoreBody(cid, "AGENT-1", 1, 2, 3, 4)
	if res := env.Do(b, "POST", path, token, body); res.Status != http.StatusCreated {
		b.Fatalf("first save: %d %s", res.Status, res.Body)
	}
	n := env.Statements()
	version := 1
	for b.Loop() {
		body["version"] = version
		if res := env.Do(b, "POST", path, token, body); res.Status != http.StatusOK {
			b.Fatalf("save: %d %s", res.Status, res.Body)
		}
		version++
	}
	b.ReportMetric(float64(n.Load())/float64(b.N), "queries/op")
}
