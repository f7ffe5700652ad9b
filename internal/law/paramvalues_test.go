package law

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
)

func seedValues(t *testing.T) []ParamValue {
	t.Helper()
	data, err := os.ReadFile("../../seed/parameters.json")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := SplitParameters(data)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

func TestParamValues_SplitThenAssembleGivesTheSeedTables(t *testing.T) {
	vals := seedValues(t)
	if len(vals) != 4+4+2+2+1+1 {
		t.Fatalf("%d values", len(vals))
	}
	// Any order: the values come back from a database unsorted.
	slices.Reverse(vals)
	got, err := AssembleParameters(vals)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, params(t)) {
		t.Fatalf("assembled tables differ from the parsed file:\n%+v\n%+v", got, params(t))
	}
}

func TestParamValues_EmptyTableStaysEmptyAndIsReported(t *testing.T) {
	var vals []ParamValue
	for _, v := range seedValues(t) {
		if v.Table != TableSeizureScale {
			vals = append(vals, v)
		}
	}
	p, err := AssembleParameters(vals)
	if err != nil {
		t.Fatal(err)
	}
	in := file("consumer", "2025-01-10", "2026-03-01")
	in.Household = &Household{MonthlyNetIncome: eur("1500"), MonthlyCharges: eur("700")}
	out := Evaluate(in, p)
	f, ok := finding(out, CodeParameterMissing)
	if !ok || f.Severity != Blocking || out.Plan != nil {
		t.Fatalf("no seizure scale: want a blocking PARAMETER_MISSING and no plan, got %+v plan %v", out.Findings, out.Plan)
	}
}

func problemFields(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestCheckParamValue(t *testing.T) {
	table := func(name string) ParamTable {
		tb, ok := ParamTableNamed(name)
		if !ok {
			t.Fatalf("no table %s", name)
		}
		return tb
	}
	cases := []struct {
		name   string
		table  string
		in     string
		fields []string // problems expected, in order; nil: accepted
		from   string
		to     string
	}{
		{"legal rate H2 2026", TableLegalInterestRate, `{"from":"2026-07-01","values":{"consumer_creditor":6.5,"other":2.5}}`, nil, "2026-07-01", "2026-12-31"},
		{"legal rate H1", TableLegalInterestRate, `{"from":"2027-01-01","values":{"consumer_creditor":6.5,"other":2.5}}`, nil, "2027-01-01", "2027-06-30"},
		{"half-year must start on 1 Jan or 1 Jul", TableLegalInterestRate, `{"from":"2026-08-01","values":{"consumer_creditor":6.5,"other":2.5}}`, []string{"from"}, "", ""},
		{"every bad field listed", TableLegalInterestRate, `{"from":"2026-13-01","values":{"consumer_creditor":-1,"other":150,"extra":1}}`,
			[]string{"from", "values.extra", "values.consumer_creditor", "values.other"}, "", ""},
		{"rate missing and not a number", TableLegalInterestRate, `{"from":"2026-07-01","values":{"other":"abc"}}`,
			[]string{"values.consumer_creditor", "values.other"}, "", ""},
		{"a half-year's end is implied", TableECBRate, `{"from":"2026-07-01","to":"2026-09-30","values":{"rate":2.15}}`, []string{"to"}, "", ""},
		{"no values", TableECBRate, `{"from":"2026-07-01"}`, []string{"values"}, "", ""},
		{"RSA from any day, open-ended", TableRSA, `{"from":"2026-04-01","values":{"amount":651.69}}`, nil, "2026-04-01", ""},
		{"RSA with an end", TableRSA, `{"from":"2026-04-01","to":"2027-03-31","values":{"amount":651.69}}`, nil, "2026-04-01", "2027-03-31"},
		{"RSA end before start", TableRSA, `{"from":"2026-04-01","to":"2026-03-31","values":{"amount":651.69}}`, []string{"to"}, "", ""},
		{"RSA absurd", TableRSA, `{"from":"2026-04-01","values":{"amount":65169}}`, []string{"values.amount"}, "", ""},
		{"RSA zero", TableRSA, `{"from":"2026-04-01","values":{"amount":0}}`, []string{"values.amount"}, "", ""},
		{"scale 2027", TableSeizureScale, `{"from":"2027-01-01","values":{"per_dependant":1760,"bands":[{"up_to":4520,"fraction":"1/20"},{"up_to":8800,"fraction":"1/10"},{"fraction":"1/1"}]}}`, nil, "2027-01-01", "2027-12-31"},
		{"scale starts on 1 January", TableSeizureScale, `{"from":"2027-02-01","values":{"per_dependant":1760,"bands":[{"up_to":4520,"fraction":"1/20"},{"fraction":"1/1"}]}}`, []string{"from"}, "", ""},
		{"scale: every band problem", TableSeizureScale, `{"from":"2027-01-01","values":{"per_dependant":-5,"bands":[{"up_to":4520,"fraction":"1/20"},{"up_to":4000,"fraction":"0/3"},{"up_to":9000,"fraction":"3/2"},{"up_to":1,"fraction":"1/1"}]}}`,
			[]string{"values.per_dependant", "values.bands[1].up_to", "values.bands[1].fraction", "values.bands[2].fraction", "values.bands[3].up_to"}, "", ""},
		{"scale: one band", TableSeizureScale, `{"from":"2027-01-01","values":{"per_dependant":1,"bands":[{"fraction":"1/1"}]}}`, []string{"values.bands"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in ParamInput
			if err := json.Unmarshal([]byte(c.in), &in); err != nil {
				t.Fatal(err)
			}
			v, ps := CheckParamValue(table(c.table), in)
			if got := problemFields(ps); !slices.Equal(got, c.fields) {
				t.Fatalf("problems %v, want %v (%+v)", got, c.fields, ps)
			}
			for _, p := range ps {
				if p.FR == "" || p.EN == "" {
					t.Errorf("problem %s without both languages: %+v", p.Field, p)
				}
			}
			if c.fields != nil {
				return
			}
			if v.From.String() != c.from || (c.to == "" && !v.To.IsZero()) || (c.to != "" && v.To.String() != c.to) {
				t.Fatalf("period %s–%s, want %s–%s", v.From, v.To, c.from, c.to)
			}
			// What was accepted assembles with the rest.
			if _, err := AssembleParameters([]ParamValue{v}); err != nil {
				t.Fatalf("accepted value does not assemble: %v", err)
			}
		})
	}
}

func TestPlaceParamValue(t *testing.T) {
	vals := seedValues(t)
	idx := func(table, from string) int {
		for i, v := range vals {
			if v.Table == table && v.From == d(from) {
				return i
			}
		}
		t.Fatalf("no %s from %s", table, from)
		return -1
	}
	nv := func(table, from, to string) ParamValue {
		v := ParamValue{Table: table, From: d(from)}
		if to != "" {
			v.To = d(to)
		}
		return v
	}
	cases := []struct {
		name            string
		v               ParamValue
		conflict, close int
	}{
		{"next half-year is free", nv(TableLegalInterestRate, "2026-07-01", "2026-12-31"), -1, -1},
		{"same half-year", nv(TableLegalInterestRate, "2026-01-01", "2026-06-30"), idx(TableLegalInterestRate, "2026-01-01"), -1},
		{"new indemnity closes the open one", nv(TableFixedIndemnity, "2027-01-01", ""), -1, idx(TableFixedIndemnity, "2013-01-01")},
		{"open-ended inside a known period", nv(TableRSA, "2025-01-01", ""), idx(TableRSA, "2024-04-01"), -1},
		{"open-ended before a later value", nv(TableRSA, "2023-04-01", ""), idx(TableRSA, "2024-04-01"), -1},
		{"bounded before the first", nv(TableRSA, "2023-04-01", "2024-03-31"), -1, -1},
		{"RSA after the last known", nv(TableRSA, "2026-04-01", ""), -1, -1},
		{"RSA overlapping the last known", nv(TableRSA, "2026-03-01", ""), idx(TableRSA, "2025-04-01"), -1},
		{"same day as the open one", nv(TableSmallClaimsCeiling, "2020-01-01", ""), idx(TableSmallClaimsCeiling, "2020-01-01"), -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pl := PlaceParamValue(vals, c.v)
			if pl.Conflict != c.conflict || pl.Closes != c.close {
				t.Fatalf("placement %+v, want conflict %d closes %d", pl, c.conflict, c.close)
			}
		})
	}
}

func TestParamValues_AddedHalfYearRemovesTheFinding(t *testing.T) {
	in := file("civil", "2027-01-15", "2027-03-31")
	in.Claim.Principal = eur("1000")
	in.Claim.Events = []Event{{Kind: "formal_notice", On: d("2027-01-15")}}
	in.Claim.LatePenalty = &LatePenalty{}
	before := Evaluate(in, params(t))
	if !hasFinding(before, CodeParameterMissing) {
		t.Fatalf("2027 has no legal rate in the seed: want PARAMETER_MISSING, got %v", findingCodes(before))
	}
	vals := seedValues(t)
	for _, from := range []string{"2026-07-01", "2027-01-01"} {
		v, ps := CheckParamValue(ParamTables[0], ParamInput{From: from, Values: json.RawMessage(`{"consumer_creditor":7,"other":3.5}`)})
		if ps != nil {
			t.Fatal(ps)
		}
		vals = append(vals, v)
	}
	p, err := AssembleParameters(vals)
	if err != nil {
		t.Fatal(err)
	}
	after := Evaluate(in, p)
	if hasFinding(after, CodeParameterMissing) {
		t.Fatalf("the added half-year still reported missing: %+v", after.Findings)
	}
	// 1000 € × 3.5 % × 75 days / 365 = 7.19 €.
	var got string
	for _, it := range after.Claimable.Allowed {
		if it.Kind == "interest" {
			got = it.Amount.String()
		}
	}
	if got != "7.19" {
		t.Fatalf("interest %q, want 7.19 at the added rate (%+v)", got, after.Claimable)
	}
}
