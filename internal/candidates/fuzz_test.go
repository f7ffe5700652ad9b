package candidates_test

import (
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

// FuzzCreate sends any bytes to POST /api/v1/candidates.
func FuzzCreate(f *testing.F) {
	f.Add([]byte(`{"first_name":"Éloïse","last_name":"Lefèvre","birth_date":"1990-01-02","email":"e@example.fr"}`))
	f.Add([]byte(`{"first_name":"\u0000","last_name":"😀","birth_date":"9999-99-99","email":7}`))
	env := apptest.New(f)
	_, tok := env.User(f, auth.RoleAdmin)
	apptest.FuzzRoute(f, env, "POST", "/api/v1/candidates", tok, "application/json")
}

// FuzzImport sends any bytes to POST /api/v1/candidates/import as a CSV
// file: any encoding, separator, header or garbage.
func FuzzImport(f *testing.F) {
	f.Add([]byte("Prénom;Nom;Date de naissance;Courriel\nÉloïse;Lefèvre;02/01/1990;e@example.fr\n"))
	f.Add([]byte("first_name,last_name,birth_date\n\"A\"\"\",B,1990-13-01\n"))
	f.Add([]byte("\xef\xbb\xbfPr\xe9nom;Nom;Date de naissance\nZo\xe9;Martin;1990-01-02\n"))
	env := apptest.New(f)
	_, tok := env.User(f, auth.RoleAdmin)
	apptest.FuzzRoute(f, env, "POST", "/api/v1/candidates/import", tok, "text/csv")
}
