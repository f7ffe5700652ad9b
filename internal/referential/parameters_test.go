package referential_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/referential"
	"github.com/ancr/cqp/seed"
)

type paramValue struct {
	ID        int64           `json:"id"`
	Table     string          `json:"table"`
	From      string          `json:"from"`
	To        *string         `json:"to"`
	Values    json.RawMessage `json:"values"`
	Source    string          `json:"source"`
	CreatedBy string          `json:"created_by"`
	Closed    *paramValue     `json:"closed"`
}

type paramTable struct {
	Table  string       `json:"table"`
	Period string       `json:"period"`
	Fields []string     `json:"fields"`
	Values []paramValue `json:"values"`
}

func counts(t *testing.T, env *apptest.Env) (values, audits int64) {
	t.Helper()
	if err := env.App.DB.Model(&referential.ParameterValue{}).Count(&values).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Model(&audit.Entry{}).Count(&audits).Error; err != nil {
		t.Fatal(err)
	}
	return values, audits
}

func tables(t *testing.T, env *apptest.Env, token string) map[string]paramTable {
	t.Helper()
	res := env.Do(t, "GET", "/api/v1/parameters", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	var ts []paramTable
	res.JSON(t, &ts)
	out := map[string]paramTable{}
	var names []string
	for _, x := range ts {
		out[x.Table] = x
		names = append(names, x.Table)
	}
	want := []string{"legal_interest_rate", "ecb_main_refinancing_rate", "seizure_scale", "rsa_single_person", "fixed_indemnity", "small_claims_ceiling"}
	if !slices.Equal(names, want) {
		t.Fatalf("tables %v, want %v", names, want)
	}
	return out
}

func TestParameters_ListsEveryTableFromTheSeedAndReloadAddsNothing(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, "admin")
	_, trainer := env.User(t, "trainer")
	ts := tables(t, env, admin)
	legal := ts["legal_interest_rate"]
	if legal.Period != "half_year" || len(legal.Values) != 4 || legal.Values[3].From != "2026-01-01" ||
		legal.Values[3].To == nil || *legal.Values[3].To != "2026-06-30" || legal.Values[3].CreatedBy != referential.SeedActor {
		t.Fatalf("legal rates: %+v", legal)
	}
	if string(legal.Values[3].Values) != `{"consumer_creditor":6.67,"other":2.62}` {
		t.Fatalf("values %s", legal.Values[3].Values)
	}
	if s := ts["seizure_scale"]; len(s.Values) != 2 || s.Values[1].From != "2026-01-01" || *s.Values[1].To != "2026-12-31" {
		t.Fatalf("seizure scales: %+v", s)
	}
	if f := ts["fixed_indemnity"]; len(f.Values) != 1 || f.Values[0].To != nil {
		t.Fatalf("fixed indemnity stays open-ended: %+v", f)
	}
	before, _ := counts(t, env)
	// A restart (or a second replica starting) loads the seed again.
	if err := env.App.Referential.Load(context.Background(), seed.FS); err != nil {
		t.Fatal(err)
	}
	if after, _ := counts(t, env); after != before || before != 14 {
		t.Fatalf("values %d after a second load, %d before; want 14", after, before)
	}
	for _, path := range []string{"/api/v1/parameters"} {
		if res := env.Do(t, "GET", path, trainer, nil); res.Status != http.StatusForbidden {
			t.Fatalf("trainer GET %s: %d", path, res.Status)
		}
	}
	if res := env.Do(t, "POST", "/api/v1/parameters/rsa_single_person", trainer, map[string]any{"from": "2026-04-01", "values": map[string]any{"amount": 651.69}}); res.Status != http.StatusForbidden {
		t.Fatalf("trainer POST: %d", res.Status)
	}
}

func TestParameters_AddNextHalfYearThenOverlapIsRefusedAndNothingWritten(t *testing.T) {
	env := apptest.New(t)
	admin, token := env.User(t, "admin")
	res := env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", token,
		`{"from":"2026-07-01","values":{"consumer_creditor":6.21,"other":2.45},"source":"Arrêté du 20 juin 2026"}`)
	if res.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	var v paramValue
	res.JSON(t, &v)
	if v.From != "2026-07-01" || v.To == nil || *v.To != "2026-12-31" || v.CreatedBy != admin.ID || v.Source != "Arrêté du 20 juin 2026" {
		t.Fatalf("added %+v", v)
	}
	// Audited with the value, in the same transaction.
	var entries []audit.Entry
	if err := env.App.DB.Where("action = ?", "parameter.add").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].ActorID != admin.ID || entries[0].Entity != "parameter_value" {
		t.Fatalf("audit %+v", entries)
	}
	if got := tables(t, env, token)["legal_interest_rate"].Values; len(got) != 5 || got[4].From != "2026-07-01" {
		t.Fatalf("listed %+v", got)
	}

	values, audits := counts(t, env)
	for _, body := range []string{
		`{"from":"2026-07-01","values":{"consumer_creditor":6.5,"other":2.5}}`, // the same half-year again
		`{"from":"2026-01-01","values":{"consumer_creditor":6.5,"other":2.5}}`, // a seeded half-year
	} {
		res := env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", token, body)
		if res.Status != http.StatusConflict {
			t.Fatalf("%s: %d %s", body, res.Status, res.Body)
		}
		if p := res.Problem(t); p.Code != "parameter_overlap" {
			t.Fatalf("code %q", p.Code)
		}
	}
	if v2, a2 := counts(t, env); v2 != values || a2 != audits {
		t.Fatalf("a refused value wrote something: values %d→%d, audit %d→%d", values, v2, audits, a2)
	}
}

func TestParameters_AbsurdValueListsEveryFieldAndWritesNothing(t *testing.T) {
	env := apptest.New(t)
	_, token := env.User(t, "admin")
	values, audits := counts(t, env)
	cases := []struct {
		table, body string
		fields      []string
	}{
		{"legal_interest_rate", `{"from":"2026-08-01","values":{"consumer_creditor":-2,"other":250}}`,
			[]string{"from", "values.consumer_creditor", "values.other"}},
		{"legal_interest_rate", `{"from":"1990-13-01","values":{"consumer_creditor":"x"}}`,
			[]string{"from", "values.consumer_creditor", "values.other"}},
		{"seizure_scale", `{"from":"2027-01-01","values":{"per_dependant":1760,"bands":[{"up_to":4520,"fraction":"1/20"},{"up_to":4000,"fraction":"1/10"},{"up_to":9000,"fraction":"5/4"},{"fraction":"0/1"}]}}`,
			[]string{"values.bands[1].up_to", "values.bands[2].fraction", "values.bands[3].fraction"}},
		{"ecb_main_refinancing_rate", `{"from":"2027-01-01","values":{}}`, []string{"values.rate"}},
		{"rsa_single_person", `{"from":"2026-04-01","to":"2026-01-01","values":{"amount":-1}}`, []string{"to", "values.amount"}},
	}
	for _, c := range cases {
		res := env.Do(t, "POST", "/api/v1/parameters/"+c.table, token, c.body)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s %s: %d %s", c.table, c.body, res.Status, res.Body)
		}
		p := res.Problem(t)
		var got []string
		for _, e := range p.Errors {
			got = append(got, e.Field)
			if e.Message == "" {
				t.Errorf("field %s has no message", e.Field)
			}
		}
		if !slices.Equal(got, c.fields) {
			t.Errorf("%s %s: fields %v, want %v", c.table, c.body, got, c.fields)
		}
	}
	// French by default, English on request.
	res := env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", token, `{"from":"2027-01-01","values":{"consumer_creditor":101,"other":1}}`, "Accept-Language", "en")
	if p := res.Problem(t); len(p.Errors) != 1 || p.Errors[0].Message != "Implausible rate: above 100 %." {
		t.Errorf("English message: %+v", p.Errors)
	}
	res = env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", token, `{"from":"2027-01-01","values":{"consumer_creditor":101,"other":1}}`)
	if p := res.Problem(t); len(p.Errors) != 1 || p.Errors[0].Message != "Taux invraisemblable : au-delà de 100 %." {
		t.Errorf("French message: %+v", p.Errors)
	}
	if res := env.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", token, `{"from":`); res.Status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", res.Status)
	}
	if res := env.Do(t, "POST", "/api/v1/parameters/vat_rate", token, `{"from":"2027-01-01","values":{"rate":20}}`); res.Status != http.StatusNotFound {
		t.Errorf("unknown table: %d", res.Status)
	}
	if v2, a2 := counts(t, env); v2 != values || a2 != audits {
		t.Fatalf("a refused value wrote something: values %d→%d, audit %d→%d", values, v2, audits, a2)
	}
}

func TestParameters_NewValueClosesTheOpenEndedOne(t *testing.T) {
	env := apptest.New(t)
	_, token := env.User(t, "admin")
	res := env.Do(t, "POST", "/api/v1/parameters/fixed_indemnity", token, `{"from":"2027-01-01","values":{"amount":50}}`)
	if res.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	var v paramValue
	res.JSON(t, &v)
	if v.To != nil || v.Closed == nil || v.Closed.From != "2013-01-01" || v.Closed.To == nil || *v.Closed.To != "2026-12-31" {
		t.Fatalf("added %+v closed %+v", v, v.Closed)
	}
	f := tables(t, env, token)["fixed_indemnity"].Values
	if len(f) != 2 || f[0].To == nil || *f[0].To != "2026-12-31" || f[1].To != nil {
		t.Fatalf("listed %+v", f)
	}
	p := env.App.Referential.LawParameters()
	if len(p.FixedIndemnity) != 2 || p.FixedIndemnity[1].Amount != 5000 {
		t.Fatalf("engine tables %+v", p.FixedIndemnity)
	}
	// Before the open-ended value's start, an open-ended one would overlap it.
	if res := env.Do(t, "POST", "/api/v1/parameters/fixed_indemnity", token, `{"from":"2020-01-01","values":{"amount":45}}`); res.Status != http.StatusConflict {
		t.Fatalf("open-ended inside known periods: %d %s", res.Status, res.Body)
	}
}

// evaluation is the part of a rules answer these tests read.
type evaluation struct {
	Claimable struct {
		Allowed []struct {
			Kind   string  `json:"kind"`
			Amount float64 `json:"amount"`
		} `json:"allowed"`
	} `json:"claimable"`
	Findings []struct {
		Code string `json:"code"`
	} `json:"findings"`
}

const h1_2027Claim = `{"as_of":"2027-03-31","claim":{"kind":"civil","principal":1000,"starts_on":"2027-01-15",
 "events":[{"kind":"formal_notice","on":"2027-01-15"}],"late_penalty":{}}}`

func evaluate(t *testing.T, env *apptest.Env, token string) (interest float64, missing bool) {
	t.Helper()
	res := env.Do(t, "POST", "/api/v1/rules/evaluate", token, h1_2027Claim)
	if res.Status != http.StatusOK {
		t.Fatalf("evaluate: %d %s", res.Status, res.Body)
	}
	var out evaluation
	res.JSON(t, &out)
	for _, it := range out.Claimable.Allowed {
		if it.Kind == "interest" {
			interest = it.Amount
		}
	}
	for _, f := range out.Findings {
		missing = missing || f.Code == "PARAMETER_MISSING"
	}
	return interest, missing
}

// Two replicas on one database: what an administrator adds through A is
// what B computes with on its next request, with no restart.
func TestParameters_AddedThroughOneReplicaIsUsedByTheOtherAtOnce(t *testing.T) {
	a := apptest.New(t)
	b := apptest.New(t, apptest.ReplicaOf(a))
	_, adminA := a.User(t, "admin")
	_, userB := b.User(t, "trainer")

	interest, missing := evaluate(t, b, userB)
	if !missing {
		t.Fatal("H1 2027 is not in the seed: B should report PARAMETER_MISSING")
	}
	if interest != 5.38 { // 1000 € × 2.62 % (H1 2026, the latest known) × 75 / 365
		t.Fatalf("interest before %v, want 5.38", interest)
	}
	res := a.Do(t, "POST", "/api/v1/parameters/legal_interest_rate", adminA, `{"from":"2027-01-01","values":{"consumer_creditor":7,"other":3.5}}`)
	if res.Status != http.StatusCreated {
		t.Fatalf("add through A: %d %s", res.Status, res.Body)
	}
	interest, missing = evaluate(t, b, userB)
	if missing || interest != 7.19 { // 1000 € × 3.5 % × 75 / 365
		t.Fatalf("B after the addition through A: interest %v, missing %v; want 7.19 and no PARAMETER_MISSING", interest, missing)
	}

	// A registration period added through A: B lists it and its
	// certificates and VAE checks (Certification, Covers) see it.
	res = a.Do(t, "POST", "/api/v1/certifications/agent-recouvrement/registrations", adminA,
		`{"registry":"RNCP","number":"40123","from":"2026-01-15","to":"2031-01-15"}`)
	if res.Status != http.StatusCreated {
		t.Fatalf("registration through A: %d %s", res.Status, res.Body)
	}
	res = b.Do(t, "GET", "/api/v1/certifications/agent-recouvrement", userB, nil)
	var cert struct {
		Registrations []struct{ Registry, Number, From, To string } `json:"registrations"`
	}
	res.JSON(t, &cert)
	if len(cert.Registrations) != 2 || cert.Registrations[1].Number != "40123" {
		t.Fatalf("B lists %+v", cert.Registrations)
	}
	c, _ := b.App.Referential.Certification("agent-recouvrement")
	covered := false
	for _, r := range c.Registrations {
		covered = covered || r.Covers(b.Clock.Today())
	}
	if !covered {
		t.Fatalf("B's Certification does not cover today: %+v", c.Registrations)
	}
}
