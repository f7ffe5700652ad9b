package webui_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
)

var jobPathRe = regexp.MustCompile(`^/admin/candidates/import/[0-9a-f-]{36}$`)

// importResult follows the job's page, as its polling would, until the
// import ends; it returns the last page. The job is durable: it runs when
// the due jobs run (a server's workers; here env.Deliver), after the first
// look at its page, which shows it waiting.
func importResult(t *testing.T, env *apptest.Env, v *visitor, path string) page {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		if i == 1 {
			env.Deliver(t)
		}
		pg := v.get(path)
		pg.status(t, http.StatusOK)
		if strings.Contains(pg.Body, `id="import-result"`) {
			if strings.Contains(pg.Body, "hx-trigger") || strings.Contains(pg.Body, `http-equiv="refresh"`) {
				t.Error("a finished import keeps refreshing")
			}
			return pg
		}
		pg.has(t, `<progress id="import-progress"`, `hx-trigger="load delay:500ms"`, `<noscript><meta http-equiv="refresh" content="2"></noscript>`)
		if time.Now().After(deadline) {
			t.Fatalf("the import did not finish; last page:\n%s", pg.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countCandidates(t *testing.T, env *apptest.Env, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := env.App.DB.Table("candidates")
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportPage_AValidFileIsImportedWithProgressThenTheCount(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin/candidates").has(t, `href="/admin/candidates/import"`, "Importer un fichier CSV")
	form := v.get("/admin/candidates/import")
	form.status(t, http.StatusOK)
	form.has(t, "Colonnes attendues", "<code>birth_date</code>", "Date de naissance", `href="/admin/candidates/import/example.csv"`,
		`enctype="multipart/form-data"`, `name="_csrf"`, `for="f-file"`)
	example := v.get("/admin/candidates/import/example.csv")
	example.status(t, http.StatusOK)
	if !strings.HasPrefix(example.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(example.Body, "first_name;last_name;birth_date") {
		t.Fatalf("example: %v %q", example.Header, example.Body)
	}

	// The example itself, with many more rows, so that there is progress to show.
	var csv bytes.Buffer
	csv.WriteString(example.Body)
	for i := range 1200 {
		fmt.Fprintf(&csv, "Prénom%d;Importé%d;1985-01-%02d;;Cabinet %d;\n", i, i, i%28+1, i%7)
	}
	before := countCandidates(t, env, "")
	loc := v.postFile("/admin/candidates/import", nil, "candidats.csv", csv.Bytes()).location(t)
	if !jobPathRe.MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	// htmx gets the fragment alone.
	frag := v.do("GET", loc, nil, "HX-Request", "true")
	frag.status(t, http.StatusOK)
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="job"`) {
		t.Errorf("htmx fragment: %s", frag.Body)
	}
	res := importResult(t, env, v, loc)
	res.has(t, "1202 candidats importés.", "candidats.csv", "1202 lignes de candidats")
	if n := countCandidates(t, env, "") - before; n != 1202 {
		t.Errorf("%d candidates written, want 1202", n)
	}
	if countCandidates(t, env, "last_name = ?", "Nguyễn") != 1 || countCandidates(t, env, "last_name = ?", "Importé1199") != 1 {
		t.Error("the imported candidates are not found")
	}
	// Another administrator does not see this job; an unknown one is a 404.
	other, _ := signedIn(t, env, auth.RoleAdmin)
	other.get(loc).status(t, http.StatusNotFound)
	v.get("/admin/candidates/import/inconnu").status(t, http.StatusNotFound)
}

func TestImportPage_BadLinesAreListedInFrenchAndNothingIsWritten(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin/candidates/import")
	csv := "first_name,last_name,birth_date,email\n" +
		"Anaïs,Érard,1991-03-04,anais@example.fr\n" +
		"Bruno,,1990-01-01,\n" +
		"Chloé,Dupont,31/02/1990,\n" +
		"Denis,Morel,1992-05-06,pas-une-adresse\n"
	before := countCandidates(t, env, "")
	loc := v.postFile("/admin/candidates/import", nil, "candidats.csv", []byte(csv)).location(t)
	res := importResult(t, env, v, loc)
	res.has(t, "Import refusé : 3 lignes en erreur sur 4 ; aucun candidat n'a été importé.", `<table id="bad-lines">`,
		"Lignes à corriger", "Nom (last_name)", "Date de naissance (birth_date)", "date « 31/02/1990 » invalide",
		"Adresse électronique (email)", "Envoyer un fichier corrigé")
	for _, line := range []string{"3", "4", "5"} {
		res.has(t, `<td class="num">`+line+`</td>`)
	}
	res.lacks(t, "Ligne 4 :", "candidats importés.")
	if n := countCandidates(t, env, ""); n != before {
		t.Errorf("a refused import wrote %d candidates", n-before)
	}

	// A wrong header is line 1.
	loc = v.postFile("/admin/candidates/import", nil, "candidats.csv", []byte("pseudo;nom\nA;B\n")).location(t)
	importResult(t, env, v, loc).has(t, "colonne inconnue « pseudo »", "colonne obligatoire « Prénom » absente",
		"colonne obligatoire « Date de naissance » absente", `<td class="num">1</td>`)
}

func TestImportPage_WrongTypeOrTooLargeIsRefusedNextToTheInput(t *testing.T) {
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.BodyLimit = 1 << 20 }))
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin/candidates/import")
	row := "Anaïs;Érard;1991-03-04;;Cabinet;\n"
	header := "first_name;last_name;birth_date;email;employer;training_organisation\n"
	for _, tc := range []struct {
		name, file string
		content    []byte
		status     int
		want       string
	}{
		{"no file", "", nil, http.StatusUnprocessableEntity, "Choisissez le fichier CSV à importer."},
		{"spreadsheet", "candidats.xlsx", []byte("PK\x03\x04\x14\x00\x06\x00"), http.StatusUnprocessableEntity, "Seuls les fichiers CSV sont acceptés"},
		{"PDF named .csv", "candidats.csv", []byte("%PDF-1.7\n\x00\x01\x02binaire"), http.StatusUnprocessableEntity,
			"Ce fichier n'est pas un fichier texte CSV (son contenu a été vérifié, pas seulement son nom)."},
		{"a little too large", "candidats.csv", []byte(header + strings.Repeat(row, (1<<20)/len(row)+10)), http.StatusRequestEntityTooLarge,
			"Le fichier dépasse la taille autorisée (1 Mio)."},
		{"far too large", "candidats.csv", []byte(header + strings.Repeat(row, (3<<20)/len(row))), http.StatusRequestEntityTooLarge,
			"Le fichier dépasse la taille autorisée (1 Mio)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := v.postFile("/admin/candidates/import", nil, tc.file, tc.content)
			res.status(t, tc.status)
			res.has(t, `<p class="field-error" id="e-file" role="alert">`+tc.want, `aria-invalid="true" aria-describedby="e-file h-file"`, "Colonnes attendues")
		})
	}
	if n := countCandidates(t, env, "last_name = ?", "Érard"); n != 0 {
		t.Errorf("refused files wrote %d candidates", n)
	}
}

func TestImportPage_OnlyAdministrators(t *testing.T) {
	env := apptest.New(t)
	for role, home := range map[string]string{auth.RoleTrainer: "/admin/candidates", auth.RoleCandidate: "/training", auth.RoleJury: "/jury"} {
		v, _ := signedIn(t, env, role)
		v.get("/admin/candidates/import").status(t, http.StatusForbidden)
		v.get("/admin/candidates/import/example.csv").status(t, http.StatusForbidden)
		if v.get(home); v.csrf == "" { // a valid form token: the role alone is refused
			t.Fatalf("no form token on %s", home)
		}
		v.postFile("/admin/candidates/import", nil, "candidats.csv", []byte("first_name;last_name;birth_date\nA;B;1990-01-01\n")).status(t, http.StatusForbidden)
		v.postFile("/admin/candidates/import", nil, "candidats.csv", bytes.Repeat([]byte("a"), 11<<20)).status(t, http.StatusForbidden)
	}
	trainer, _ := signedIn(t, env, auth.RoleTrainer)
	trainer.get("/admin/candidates").lacks(t, "/admin/candidates/import")
	if n := countCandidates(t, env, "last_name = ?", "B"); n != 0 {
		t.Errorf("a refused import wrote %d candidates", n)
	}
	// Signed out: to the login page.
	res := newVisitor(t, env).get("/admin/candidates/import")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("signed out: %d %v", res.Status, res.Header)
	}
}
