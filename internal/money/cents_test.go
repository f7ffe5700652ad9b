package money

import (
	"encoding/json"
	"math/big"
	"testing"
)

func TestParse_RoundsHalfUpToTheCent(t *testing.T) {
	cases := map[string]Cents{"480": 48000, "480.5": 48050, "4999.99": 499999, "0.005": 1, "0.004": 0, "-1.005": -101, "1e2": 10000}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1e300"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestJSON_TwoDecimals(t *testing.T) {
	b, _ := json.Marshal(struct{ A Cents }{48000})
	if string(b) != `{"A":480.00}` {
		t.Fatalf("%s", b)
	}
	var v struct{ A Cents }
	if err := json.Unmarshal([]byte(`{"A":5000.01}`), &v); err != nil || v.A != 500001 {
		t.Fatalf("%d %v", v.A, err)
	}
}

func TestFrenchAndMulRate(t *testing.T) {
	if s := Cents(123456789).French(); s != "1 234 567,89 €" {
		t.Fatalf("%q", s)
	}
	if s := Cents(-5).French(); s != "-0,05 €" {
		t.Fatalf("%q", s)
	}
	// 1 000 € × 7.86 % × 31 / 365 = 6.6756… → 6.68
	if got := Cents(100000).MulRate(786*31, 10000*365); got != 668 {
		t.Fatalf("MulRate %d", got)
	}
}

// The fast path must agree with the exact one on every input it accepts.
func TestParsePlain_AgreesWithExactPath(t *testing.T) {
	inputs := []string{"0", "1", "-0.5", "007.10", "12.3", "4999.99", "5000.00", "5000.01", "-1", "9999999999999.99",
		"99999999999999", "1.", ".5", "+5", "1.234", "1e2", "-", "--1", "1,5", " 12 ", "0.01"}
	for _, in := range inputs {
		fast, ok := parsePlain(in)
		if !ok {
			continue
		}
		r, exact := new(big.Rat).SetString(in)
		if !exact {
			t.Errorf("parsePlain accepted %q that big.Rat refuses", in)
			continue
		}
		want := new(big.Rat).Mul(r, big.NewRat(100, 1))
		if !want.IsInt() || want.Num().Int64() != int64(fast) {
			t.Errorf("parsePlain(%q) = %d, exact %s", in, fast, want.RatString())
		}
	}
}

func TestString_PadsCentsAndKeepsTheSign(t *testing.T) {
	for c, want := range map[Cents]string{0: "0.00", 5: "0.05", -5: "-0.05", 123456: "1234.56", -100: "-1.00", 100_000_000_00: "100000000.00"} {
		if got := c.String(); got != want {
			t.Errorf("%d: %q, want %q", int64(c), got, want)
		}
		if b, _ := c.MarshalJSON(); string(b) != want {
			t.Errorf("%d JSON: %s, want %s", int64(c), b, want)
		}
	}
}
