//go:build xmllint

package accrochage_test

// Run by .ci/run (go test -tags xmllint): the flows are validated against
// the XSD by libxml2's xmllint (Debian libxml2-utils), a validator that is
// not ours. Without the tag, `go test ./...` needs nothing but Go.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/accrochage"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
)

func xmllint(t *testing.T, name string, flow []byte) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is needed (Debian package libxml2-utils; .ci/run installs it)")
	}
	dir := t.TempDir()
	xsd, doc := filepath.Join(dir, "cdc-accrochage.xsd"), filepath.Join(dir, name)
	if err := os.WriteFile(xsd, accrochage.XSD, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(doc, flow, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--schema", xsd, doc).CombinedOutput()
	return string(out), err
}

// Every flow the API writes validates: one with holders born in France
// (INSEE code, postal code), abroad (99 and the country), with and without
// a usage name, and an empty one.
func TestXSD_EveryFlowValidates(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	w := world{env, admin}
	env.Clock.Set(time.Date(2018, 6, 1, 9, 0, 0, 0, time.UTC))
	for _, id := range []candidates.Identity{
		{Sex: "F", BirthName: "Dupont", BirthPlaceINSEE: "75112", BirthCountry: "FR"},
		{Sex: "M", BirthName: "García Pérez & Hijos <SA>", BirthPlaceINSEE: "99134", BirthCountry: "ES"},
		{Sex: "F", BirthName: "Nguyễn", BirthPostalCode: "69003"},
		{Sex: "M", BirthName: "Petit", BirthPlaceINSEE: "2A004", UsageName: "Petit-Rossi"},
	} {
		c := w.person(t, "vae", id)
		w.acquire(t, c.ID)
		w.issue(t, c.ID)
	}
	env.Do(t, "PUT", "/api/v1/accrochage/settings", admin, map[string]string{"id_client": "ANCR2018", "id_contrat": "MCFCER000123"}).Expect(t, 200)
	for name, query := range map[string]string{"holders.xml": "?from=2018-01-01&to=2018-12-31", "empty.xml": "?from=2017-01-01&to=2017-01-31"} {
		res := env.Do(t, "GET", "/api/v1/exports/cdc-accrochage.xml"+query, admin, nil).Expect(t, 200)
		if out, err := xmllint(t, name, res.Body); err != nil {
			t.Errorf("%s does not validate: %v\n%s\n%s", name, err, out, res.Body)
		}
	}
}

// The XSD is not a rubber stamp: a flow with a wrong sex, a missing birth
// name or an INSEE code of the wrong form is refused.
func TestXSD_RefusesABrokenFlow(t *testing.T) {
	good := accrochage.Flow{ID: "f1", At: time.Date(2026, 12, 5, 10, 0, 0, 0, time.FixedZone("CET", 3600)),
		IDClient: "ANCR2018", IDContrat: "MCF1", Certifications: []accrochage.Certification{{Registry: "RNCP", Number: "26291",
			Passages: []accrochage.Passage{{ID: "CQP-CLERC-2026-000001-K", ValidFrom: civil.New(2026, 11, 20), Access: "VAE",
				Holder: accrochage.Holder{BirthName: "Dupont", FirstName: "Hélène", BirthDate: civil.New(1988, 2, 29), Sex: "F", INSEE: "75112"}}}}}}
	write := func(f accrochage.Flow) []byte {
		var b bytes.Buffer
		if err := accrochage.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if out, err := xmllint(t, "good.xml", write(good)); err != nil {
		t.Fatalf("the good flow is refused: %s", out)
	}
	for name, breakIt := range map[string]func(h *accrochage.Holder){
		"sex":        func(h *accrochage.Holder) { h.Sex = "X" },
		"birth name": func(h *accrochage.Holder) { h.BirthName = "" },
		"insee":      func(h *accrochage.Holder) { h.INSEE, h.PostalCode = "", "7511" },
	} {
		bad := good
		bad.Certifications = []accrochage.Certification{good.Certifications[0]}
		bad.Certifications[0].Passages = []accrochage.Passage{good.Certifications[0].Passages[0]}
		breakIt(&bad.Certifications[0].Passages[0].Holder)
		if out, err := xmllint(t, "bad.xml", write(bad)); err == nil {
			t.Errorf("%s: a broken flow validates:\n%s", name, out)
		}
	}
}
