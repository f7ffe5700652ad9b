package law

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/money"
)

func TestParseParameters_SeedHasEveryTable(t *testing.T) {
	p := params(t)
	if len(p.LegalInterest) != 4 || len(p.ECBRate) != 4 || len(p.SeizureScales) != 2 ||
		len(p.RSA) != 2 || len(p.FixedIndemnity) != 1 || len(p.SmallClaimsCeiling) != 1 {
		t.Fatalf("unexpected table sizes: %+v", p)
	}
	// The values of docs/domain.md §5, read exactly.
	h1 := p.LegalInterest[1]
	if h1.From != d("2025-01-01") || h1.To != d("2025-06-30") || h1.ConsumerCreditor != 72100 || h1.Other != 37100 {
		t.Errorf("legal rate H1 2025: %+v", h1)
	}
	if r, _ := p.ecbRateOn(d("2024-12-31")); r.Rate != 42500 {
		t.Errorf("ECB H2 2024: %v", r.Rate)
	}
	if r, _ := p.ecbRateOn(d("2026-01-01")); r.Rate != 21500 {
		t.Errorf("ECB H1 2026: %v", r.Rate)
	}
	if s, _ := p.scaleFor(2026); s.PerDependant != eur("1740") || s.Bands[5].UpTo != eur("25810") || s.Bands[5].Numerator != 2 {
		t.Errorf("2026 scale: %+v", s)
	}
	if a, fit := amountOn(p.RSA, d("2025-04-01")); a.Amount != eur("646.52") || fit != fitExact {
		t.Errorf("RSA on 2025-04-01: %s %v", a.Amount, fit)
	}
	if a, fit := amountOn(p.RSA, d("2025-03-31")); a.Amount != eur("635.71") || fit != fitExact {
		t.Errorf("RSA on 2025-03-31: %s %v", a.Amount, fit)
	}
	if a, fit := amountOn(p.FixedIndemnity, d("2040-01-01")); a.Amount != eur("40") || fit != fitExact {
		t.Errorf("fixed indemnity stays in force: %s %v", a.Amount, fit)
	}
	if a, fit := amountOn(p.SmallClaimsCeiling, d("2019-12-31")); a.Amount != eur("5000") || fit != fitFirst {
		t.Errorf("before the ceiling's first day: %s %v", a.Amount, fit)
	}
}

func TestParseParameters_Lookups(t *testing.T) {
	p := params(t)
	cases := []struct {
		on   string
		want Rate
		fit  paramFit
	}{
		{"2024-06-30", 49200, fitFirst}, // before the table: earliest
		{"2024-07-01", 49200, fitExact},
		{"2024-12-31", 49200, fitExact},
		{"2025-01-01", 37100, fitExact},
		{"2026-06-30", 26200, fitExact},
		{"2026-07-01", 26200, fitLatest}, // after the table: latest, reported
	}
	for _, c := range cases {
		r, fit := p.legalRateOn(d(c.on))
		if r.Other != c.want || fit != c.fit {
			t.Errorf("%s: %v %v, want %v %v", c.on, r.Other, fit, c.want, c.fit)
		}
	}
	if _, fit := (Parameters{}).legalRateOn(d("2025-01-01")); fit != fitNone {
		t.Errorf("empty table: %v", fit)
	}
}

func TestParseParameters_RefusesBrokenFiles(t *testing.T) {
	seed, err := os.ReadFile("../../seed/parameters.json")
	if err != nil {
		t.Fatal(err)
	}
	base := string(seed)
	cases := []struct {
		name, old, new, want string
	}{
		{"not JSON", `{`, `[`, "parameters"},
		{"misspelt table", `"fixed_indemnity"`, `"fixed_indemnities"`, "unknown field"},
		{"empty table", `"small_claims_ceiling": [
    {"from": "2020-01-01", "amount": 5000.00, "source": "CPCE L125-1 et R125-1 (principal et intérêts)"}
  ]`, `"small_claims_ceiling": []`, "small_claims_ceiling: empty"},
		{"overlapping half-years", `{"from": "2025-01-01", "to": "2025-06-30", "consumer_creditor": 7.21`, `{"from": "2024-12-31", "to": "2025-06-30", "consumer_creditor": 7.21`, "before the previous entry ends"},
		{"to before from", `"from": "2025-07-01", "to": "2025-12-31", "rate": 2.15`, `"from": "2025-07-01", "to": "2025-06-30", "rate": 2.15`, "before from"},
		{"missing rate", `"rate": 4.25,`, ``, "rate must be"},
		{"negative amount", `"amount": 40.00`, `"amount": -40.00`, "amount must be"},
		{"bad fraction", `"fraction": "1/20"`, `"fraction": "1/0"`, "fraction"},
		{"fraction above one", `"fraction": "2/3"`, `"fraction": "4/3"`, "fraction"},
		{"top band bounded", `{"fraction": "1/1"}`, `{"up_to": 99999.00, "fraction": "1/1"}`, "top band"},
		{"bands not increasing", `{"up_to": 8730.00, "fraction": "1/10"}`, `{"up_to": 4000.00, "fraction": "1/10"}`, "increase"},
		{"years not increasing", `"year": 2026`, `"year": 2025`, "years must increase"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("the seed no longer contains %q", c.old)
			}
			_, err := ParseParameters([]byte(strings.Replace(base, c.old, c.new, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestRate_JSON(t *testing.T) {
	cases := []struct {
		in   string
		want Rate
		out  string
	}{
		{`7.86`, 78600, `7.86`},
		{`"7.86"`, 78600, `7.86`},
		{`0`, 0, `0`},
		{`null`, 0, `0`},
		{`10`, 100000, `10`},
		{`0.0001`, 1, `0.0001`},
		{`1e1`, 100000, `10`},
		{`2.62`, 26200, `2.62`},
		{`7.123449`, 71234, `7.1234`}, // half up past the fourth decimal
		{`7.12345`, 71235, `7.1235`},
		{`-1.5`, -15000, `-1.5`},
	}
	for _, c := range cases {
		var r Rate
		if err := json.Unmarshal([]byte(c.in), &r); err != nil || r != c.want {
			t.Errorf("%s: %v %v, want %v", c.in, r, err, c.want)
			continue
		}
		if b, _ := json.Marshal(r); string(b) != c.out {
			t.Errorf("%s: marshals to %s, want %s", c.in, b, c.out)
		}
	}
	for _, bad := range []string{`"x"`, `true`, `1e400`, `1e9999999`, `"1/0"`, `10000000`} {
		var r Rate
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s: accepted as %v", bad, r)
		}
	}
	if got := Rate(78600).French(); got != "7,86 %" {
		t.Errorf("French %q", got)
	}
	if got := Percent(12).French(); got != "12,00 %" {
		t.Errorf("French %q", got)
	}
}

func TestFrMoney_MatchesMoneyFrench(t *testing.T) {
	values := []money.Cents{0, 1, 9, 10, 99, 100, 101, 999, 1000, 99999, 100000, 123456, 100000000, 999999999, 1234567890123,
		-1, -100, -123456, MaxAmount, MaxAmount + 1}
	for v := money.Cents(0); v < 3_000_000; v += 7919 {
		values = append(values, v)
	}
	for _, v := range values {
		if got, want := frMoney(v), v.French(); got != want {
			t.Fatalf("frMoney(%d) = %q, money.French = %q", v, got, want)
		}
	}
}

func TestFrDate(t *testing.T) {
	cases := map[string]string{"2026-11-01": "1er novembre 2026", "2026-02-28": "28 février 2026", "2025-08-15": "15 août 2025"}
	for in, want := range cases {
		if got := frDate(d(in)); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	if got := frDate(noDate); got == "" {
		t.Error("a zero date still reads as something")
	}
}
