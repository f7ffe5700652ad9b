package referential_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
)

func TestRegistrations_AddOverlapAndInvalid(t *testing.T) {
	env := apptest.New(t)
	admin, token := env.User(t, "admin")
	_, trainer := env.User(t, "trainer")
	const path = "/api/v1/certifications/clerc-recouvrement-amiable/registrations"

	res := env.Do(t, "POST", path, token, `{"registry":"RNCP","number":"40999","from":"2026-03-01","to":"2031-02-28"}`)
	if res.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	var reg struct{ Registry, Number, From, To string }
	res.JSON(t, &reg)
	if reg.Registry != "RNCP" || reg.Number != "40999" || reg.From != "2026-03-01" || reg.To != "2031-02-28" {
		t.Fatalf("answer %+v", reg)
	}
	// At once in the public list, and in what the certificates read.
	res = env.Do(t, "GET", "/api/v1/certifications", "", nil)
	var certs []struct {
		Code          string
		Registrations []struct{ Registry, Number, From, To string }
	}
	res.JSON(t, &certs)
	var numbers []string
	for _, c := range certs {
		if c.Code == "clerc-recouvrement-amiable" {
			for _, r := range c.Registrations {
				numbers = append(numbers, r.Number)
			}
		}
	}
	if !slices.Equal(numbers, []string{"26291", "40999"}) {
		t.Fatalf("registrations %v", numbers)
	}
	var entries []audit.Entry
	env.App.DB.Where("action = ? AND entity_id = ?", "certification.registration.add", "clerc-recouvrement-amiable").Find(&entries)
	if len(entries) != 1 || entries[0].ActorID != admin.ID {
		t.Fatalf("audit %+v", entries)
	}

	var before int64
	env.App.DB.Table("registrations").Count(&before)
	cases := []struct {
		name, body string
		status     int
		code       string
		fields     []string
	}{
		{"overlaps the new period", `{"registry":"RNCP","number":"41000","from":"2030-01-01","to":"2035-01-01"}`, 409, "registration_overlap", nil},
		{"open-ended over the new period", `{"registry":"RNCP","number":"41001","from":"2019-06-08"}`, 409, "registration_overlap", nil},
		{"same number again", `{"registry":"RNCP","number":"40999","from":"2032-01-01"}`, 409, "registration_overlap", nil},
		{"end before start", `{"registry":"RNCP","number":"41002","from":"2036-01-01","to":"2035-01-01"}`, 422, "validation", []string{"to"}},
		{"every field listed", `{"registry":"","number":"","from":"2036-13-01","to":"x"}`, 422, "validation", []string{"registry", "number", "from", "to"}},
	}
	for _, c := range cases {
		res := env.Do(t, "POST", path, token, c.body)
		if res.Status != c.status {
			t.Fatalf("%s: %d %s", c.name, res.Status, res.Body)
		}
		p := res.Problem(t)
		var got []string
		for _, e := range p.Errors {
			got = append(got, e.Field)
		}
		if p.Code != c.code || !slices.Equal(got, c.fields) {
			t.Fatalf("%s: code %s fields %v, want %s %v", c.name, p.Code, got, c.code, c.fields)
		}
	}
	// Another registry does not collide with RNCP.
	if res := env.Do(t, "POST", path, token, `{"registry":"RS","number":"7001","from":"2026-03-01"}`); res.Status != http.StatusCreated {
		t.Fatalf("another registry: %d %s", res.Status, res.Body)
	}
	var after int64
	env.App.DB.Table("registrations").Count(&after)
	if after != before+1 {
		t.Fatalf("registrations %d → %d: a refusal wrote something", before, after)
	}
	if res := env.Do(t, "POST", "/api/v1/certifications/nope/registrations", token, `{"registry":"RNCP","number":"1","from":"2026-01-01"}`); res.Status != http.StatusNotFound {
		t.Fatalf("unknown certification: %d", res.Status)
	}
	if res := env.Do(t, "POST", path, trainer, `{"registry":"RNCP","number":"1","from":"2040-01-01"}`); res.Status != http.StatusForbidden {
		t.Fatalf("trainer: %d", res.Status)
	}
}
