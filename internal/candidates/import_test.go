package candidates_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"golang.org/x/text/encoding/charmap"
)

func windows1252(t *testing.T, s string) string {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A file saved by Excel on a French Windows: Windows-1252, ';', French
// headers, dates as JJ/MM/AAAA. Its accents arrive intact.
func TestImport_Windows1252WithFrenchHeaders(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	file := windows1252(t, "Prénom;Nom;Date de naissance;Courriel;Employeur;Organisme de formation\r\n"+
		"Éloïse;Lefèvre;12/04/1991;eloise@example.fr;Cabinet Bérard;Formapro Île-de-France\r\n"+
		"Zoé;Cœur;01/02/1985;;Société Générale de Recouvrement;\r\n")
	if strings.Contains(file, "é") {
		t.Fatal("the fixture is still UTF-8")
	}
	res := postCSV(t, env, admin, file)
	wantStatus(t, res, http.StatusCreated)
	var pg page
	env.Do(t, "GET", "/api/v1/candidates?q=lefevre", admin, nil).JSON(t, &pg)
	if len(pg.Items) != 1 || pg.Items[0].FirstName != "Éloïse" || pg.Items[0].LastName != "Lefèvre" ||
		pg.Items[0].BirthDate.String() != "1991-04-12" || pg.Items[0].TrainingOrganisation != "Formapro Île-de-France" {
		t.Fatalf("imported %+v", pg.Items)
	}
	env.Do(t, "GET", "/api/v1/candidates?q=coeur", admin, nil).JSON(t, &pg)
	if len(pg.Items) != 1 || pg.Items[0].LastName != "Cœur" {
		t.Fatalf("œ lost: %+v", pg.Items)
	}
}

// The same person twice in the file, or already on record, is reported on
// its line and nothing is imported.
func TestImport_DuplicatesInTheFileAndOnRecordAreReportedPerLine(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	wantStatus(t, postCSV(t, env, admin, "Prénom;Nom;Date de naissance;Courriel\nAnaïs;Faure;08/07/1985;anais@example.fr\n"), http.StatusCreated)
	before := count(t, env)
	res := postCSV(t, env, admin, "Prénom;Nom;Date de naissance;Courriel\n"+
		"Jérôme;Petit;1988-02-28;jerome@example.fr\n"+ // line 2: new
		"Jerome;PETIT;28/02/1988;\n"+ // line 3: same names (accents, case) and birth date as line 2
		"Paul;Martin;1990-01-01;JEROME@example.fr\n"+ // line 4: same email as line 2
		"Anais;Faure;1985-07-08;\n"+ // line 5: on record by names and birth date
		"Lucie;Bernard;1992-03-03;anais@example.fr\n"+ // line 6: on record by email
		"Léa;Roux;31/02/1990;\n") // line 7: impossible date
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	p := res.Problem(t)
	msgs := map[string]string{}
	for _, e := range p.Errors {
		msgs[e.Field] = e.Message
	}
	for field, want := range map[string]string{
		"lines[3]":            "Ligne 3 : Jerome PETIT (date de naissance : 28/02/1988) figure déjà à la ligne 2.",
		"lines[4].email":      "Ligne 4, colonne « Courriel » : l'adresse « JEROME@example.fr » figure déjà à la ligne 2.",
		"lines[5]":            "Ligne 5 : Anais Faure (date de naissance : 08/07/1985) a déjà un dossier.",
		"lines[6].email":      "Ligne 6, colonne « Courriel » : un candidat est déjà enregistré avec l'adresse « anais@example.fr ».",
		"lines[7].birth_date": "Ligne 7, colonne « Date de naissance » : date « 31/02/1990 » invalide : AAAA-MM-JJ ou JJ/MM/AAAA attendu.",
	} {
		if msgs[field] != want {
			t.Errorf("%s: %q, want %q", field, msgs[field], want)
		}
	}
	if _, ok := msgs["lines[2]"]; ok || len(p.Errors) != 5 {
		t.Errorf("errors %+v", p.Errors)
	}
	if n := count(t, env); n != before {
		t.Fatalf("%d written by a refused import", n-before)
	}
}
