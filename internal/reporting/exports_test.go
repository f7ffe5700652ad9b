package reporting_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/xuri/excelize/v2"
)

func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Fatal("the CSV has no byte-order mark: Excel would misread its accents")
	}
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExports_CSVAndXLSXReadBackEqualToTheData(t *testing.T) {
	env := apptest.New(t)
	f := fixture{t, env}
	a := env.Candidate(t, func(n *candidates.NewCandidate) { n.FirstName, n.LastName = "Éloïse", "Lefèvre" })
	b := env.Candidate(t, func(n *candidates.NewCandidate) { n.FirstName, n.LastName = "=HYPERLINK(\"http://x\")", "Dupont" })
	env.Enroll(t, a.ID, clerc, "vae")
	env.Enroll(t, b.ID, clerc, "formation_continue")
	f.decide(a.ID, "CLERC-1", candidates.Validated, "2026-03-10", true)
	f.decide(b.ID, "CLERC-2", candidates.NotValidated, "2026-04-11", false)
	f.issue(a.ID, "partial_attestation", "2026-03-20", true)
	_, admin := env.User(t, auth.RoleAdmin)

	res := env.Do(t, "GET", "/api/v1/exports/results.csv?certification="+clerc, admin, nil).Expect(t, 200)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "cqp-results-") {
		t.Fatalf("headers %v", res.Header)
	}
	rows := readCSV(t, res.Body)
	if strings.Join(rows[0], ";") != "Identifiant du candidat;Prénom;Nom;Certification;Voie d'accès;Bloc;Décision;Décidée le;Jury;Session du jury;Définitive" {
		t.Fatalf("headers %q", rows[0])
	}
	got := map[string][]string{}
	for _, r := range rows[1:] {
		got[r[0]] = r
	}
	if r := got[a.ID]; len(rows) != 3 || r[1] != "Éloïse" || r[4] != "vae" || r[5] != "CLERC-1" || r[6] != "validé" || r[7] != "10/03/2026" || r[10] != "oui" {
		t.Fatalf("rows %q", rows)
	}
	if r := got[b.ID]; r[1] != "'=HYPERLINK(\"http://x\")" || r[6] != "non validé" || r[10] != "non" {
		t.Fatalf("a formula reached the CSV, or wrong row: %q", r)
	}

	res = env.Do(t, "GET", "/api/v1/exports/certificates.xlsx", admin, nil).Expect(t, 200)
	x, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := x.GetRows("Certificats")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != 2 || sheet[0][0] != "Numéro" || sheet[1][4] != "Éloïse" || sheet[1][6] != "20/03/2026" || sheet[1][7] != "révoqué" {
		t.Fatalf("xlsx rows %q", sheet)
	}

	rows = readCSV(t, env.Do(t, "GET", "/api/v1/exports/candidates.csv", admin, nil).Expect(t, 200).Body)
	if len(rows) != 3 {
		t.Fatalf("candidates %q", rows)
	}
	rows = readCSV(t, env.Do(t, "GET", "/api/v1/exports/results.csv?from=2026-04-01", admin, nil).Expect(t, 200).Body)
	if len(rows) != 2 || rows[1][0] != b.ID {
		t.Fatalf("filtered results %q", rows)
	}

	// Who exported which personal data is on record.
	var n int64
	env.App.DB.Table("audit_entries").Where("action LIKE ?", "export.%").Count(&n)
	if n != 4 {
		t.Fatalf("%d export audit rows, want 4", n)
	}
	env.Do(t, "GET", "/api/v1/exports/passwords.csv", admin, nil).Expect(t, 404)
	env.Do(t, "GET", "/api/v1/exports/results.pdf", admin, nil).Expect(t, 404)
	env.Do(t, "GET", "/api/v1/exports/results.csv?from=2026-13-01&certification=x", admin, nil).Expect(t, 422)
	_, trainer := env.User(t, auth.RoleTrainer)
	env.Do(t, "GET", "/api/v1/exports/candidates.csv", trainer, nil).Expect(t, 403)
}
