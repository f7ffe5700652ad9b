package law

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/money"
)

func withHousehold(asOf string, income, charges, instalment string, dependants int) Input {
	in := file("consumer", "2025-01-10", asOf)
	in.Household = &Household{MonthlyNetIncome: eur(income), MonthlyCharges: eur(charges),
		ProposedInstalment: eur(instalment), Dependants: dependants}
	return in
}

func TestPlan_ContractExample(t *testing.T) {
	out := Evaluate(withHousehold("2026-11-22", "1500", "700", "200", 0), params(t))
	pl := out.Plan
	want := Plan{MonthlySeizable: eur("234.76"), MaxInstalment: eur("153.48"), RemainingIncome: eur("600"),
		Sustainable: false, Rule: "C. trav. R3252-2"}
	if *pl != want {
		t.Fatalf("plan %+v, want %+v", *pl, want)
	}
	if !hasFinding(out, CodePlanUnsustainable) {
		t.Errorf("missing %s", CodePlanUnsustainable)
	}
	// The RSA after 2026-03-31 is not in the tables yet: the engine says so.
	if !hasFinding(out, CodeParameterMissing) {
		t.Errorf("missing %s", CodeParameterMissing)
	}
}

// The cumulated seizable share at each band edge, in cents (exact
// fractions), and the fraction seized just above that edge.
type edge struct {
	upTo  string // annual euros
	share string // cents, exact
	next  [2]int64
}

func TestPlan_SeizureScaleBandEdges(t *testing.T) {
	p := params(t)
	cases := []struct {
		year, dependants int
		edges            []edge
	}{
		{2026, 0, []edge{
			{"4480", "22400", [2]int64{1, 10}},
			{"8730", "64900", [2]int64{1, 5}},
			{"13000", "150300", [2]int64{1, 4}},
			{"17230", "256050", [2]int64{1, 3}},
			{"21470", "1192150/3", [2]int64{2, 3}},
			{"25810", "2060150/3", [2]int64{1, 1}},
		}},
		{2026, 2, []edge{ // each bound raised by 2 × 1 740 €
			{"7960", "39800", [2]int64{1, 10}},
			{"12210", "82300", [2]int64{1, 5}},
			{"16480", "167700", [2]int64{1, 4}},
			{"20710", "273450", [2]int64{1, 3}},
			{"24950", "1244350/3", [2]int64{2, 3}},
			{"29290", "2112350/3", [2]int64{1, 1}},
		}},
		{2025, 0, []edge{
			{"4440", "22200", [2]int64{1, 10}},
			{"8660", "64400", [2]int64{1, 5}},
			{"12890", "149000", [2]int64{1, 4}},
			{"17090", "254000", [2]int64{1, 3}},
			{"21300", "1183000/3", [2]int64{2, 3}},
			{"25600", "681000", [2]int64{1, 1}},
		}},
		{2025, 2, []edge{ // each bound raised by 2 × 1 720 €
			{"7880", "39400", [2]int64{1, 10}},
			{"12100", "81600", [2]int64{1, 5}},
			{"16330", "166200", [2]int64{1, 4}},
			{"20530", "271200", [2]int64{1, 3}},
			{"24740", "1234600/3", [2]int64{2, 3}},
			{"29040", "698200", [2]int64{1, 1}},
		}},
	}
	for _, c := range cases {
		scale, fit := p.scaleFor(c.year)
		if fit != fitExact {
			t.Fatalf("no %d scale in the seed", c.year)
		}
		for _, e := range c.edges {
			at := eur(e.upTo)
			want, _ := new(big.Rat).SetString(e.share)
			if got := AnnualSeizable(scale, at, c.dependants); got.Cmp(want) != 0 {
				t.Errorf("%d, %d dependants, at %s €: share %s, want %s", c.year, c.dependants, e.upTo, got.RatString(), e.share)
			}
			// One cent above the edge is seized at the next band's fraction.
			above := new(big.Rat).Add(want, big.NewRat(e.next[0], e.next[1]))
			if got := AnnualSeizable(scale, at+1, c.dependants); got.Cmp(above) != 0 {
				t.Errorf("%d, %d dependants, one cent above %s €: share %s, want %s", c.year, c.dependants, e.upTo, got.RatString(), above.RatString())
			}
			// The monthly share of a monthly income is the annual one / 12, rounded once.
			for _, m := range []money.Cents{at / 12, at/12 + 1} {
				exact := AnnualSeizable(scale, m*12, c.dependants)
				want := money.RoundRat(exact.Quo(exact, big.NewRat(12, 1)))
				if got := MonthlySeizable(scale, m, c.dependants); got != want {
					t.Errorf("%d, %d dependants, monthly %s: %s, want %s", c.year, c.dependants, m, got, want)
				}
			}
		}
	}
}

func TestPlan_MonthlySeizableMatchesTheExactShareEverywhere(t *testing.T) {
	p := params(t)
	for _, scale := range p.SeizureScales {
		for dep := 0; dep <= 3; dep++ {
			for m := money.Cents(0); m <= eur("3000"); m += 997 {
				exact := AnnualSeizable(scale, m*12, dep)
				want := money.RoundRat(exact.Quo(exact, big.NewRat(12, 1)))
				if got := MonthlySeizable(scale, m, dep); got != want {
					t.Fatalf("%d, %d dependants, %s: fast %s, exact %s", scale.Year, dep, m, got, want)
				}
			}
		}
	}
	// An absurd income takes the exact path and still answers.
	scale := p.SeizureScales[0]
	huge := money.Cents(1e15)
	exact := AnnualSeizable(scale, huge*12, 0)
	if got, want := MonthlySeizable(scale, huge, 0), money.RoundRat(exact.Quo(exact, big.NewRat(12, 1))); got != want {
		t.Errorf("huge income: %s, want %s", got, want)
	}
}

func TestPlan_SustainabilityBoundaries(t *testing.T) {
	p := params(t)
	cases := []struct {
		name                           string
		asOf, income, charges, propose string
		dependants                     int
		max, remaining                 string
		sustainable                    bool
		code                           string
	}{
		// 1 500 − 700 − 646,52 = 153,48 < seizable 234,76
		{"at the maximum", "2025-06-01", "1500", "700", "153.48", 0, "153.48", "646.52", true, CodePlanSustainable},
		{"one cent over the maximum", "2025-06-01", "1500", "700", "153.49", 0, "153.48", "646.51", false, CodePlanUnsustainable},
		// 2025 scale, 3 000 €/month: seizable 17 210 / 12 = 1 434,17 < 3 000 − 500 − 646,52
		{"capped by the seizable share", "2025-06-01", "3000", "500", "1434.17", 0, "1434.17", "1065.83", true, CodePlanSustainable},
		{"one cent over the seizable share", "2025-06-01", "3000", "500", "1434.18", 0, "1434.17", "1065.82", false, CodePlanUnsustainable},
		{"no capacity: floored at 0", "2025-06-01", "600", "100", "0", 0, "0", "500", true, CodePlanNoCapacity},
		{"no capacity, any instalment is too much", "2025-06-01", "600", "100", "0.01", 0, "0", "499.99", false, CodePlanUnsustainable},
		// RSA 635,71 until 2025-03-31, 646,52 from 2025-04-01
		{"RSA the day before its revaluation", "2025-03-31", "1500", "700", "164.29", 0, "164.29", "635.71", true, CodePlanSustainable},
		{"RSA on the day of its revaluation", "2025-04-01", "1500", "700", "164.29", 0, "153.48", "635.71", false, CodePlanUnsustainable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := Evaluate(withHousehold(c.asOf, c.income, c.charges, c.propose, c.dependants), p)
			pl := out.Plan
			if pl.MaxInstalment != eur(c.max) || pl.RemainingIncome != eur(c.remaining) || pl.Sustainable != c.sustainable {
				t.Fatalf("plan %+v, want max %s remaining %s sustainable %v", *pl, c.max, c.remaining, c.sustainable)
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s in %v", c.code, findingCodes(out))
			}
		})
	}
}

func TestPlan_ScaleOfTheYearOfAsOf(t *testing.T) {
	p := params(t)
	// 2 000 €/month, no dependant: 2025 scale 478,61 €; 2026 scale 471,71 €.
	cases := []struct {
		asOf, want string
		warn       bool
	}{
		{"2025-12-31", "478.61", false},
		{"2026-01-01", "471.71", false},
		{"2027-01-01", "471.71", true}, // 2027 not published: 2026 used, with a warning
		{"2024-06-01", "478.61", true}, // before the tables: 2025 used, with a warning
	}
	for _, c := range cases {
		out := Evaluate(withHousehold(c.asOf, "2000", "0", "0", 0), p)
		if out.Plan.MonthlySeizable != eur(c.want) {
			t.Errorf("as of %s: seizable %s, want %s", c.asOf, out.Plan.MonthlySeizable, c.want)
		}
		warned := false
		for _, f := range out.Findings {
			if f.Code == CodeParameterMissing && f.Severity == Warning {
				warned = warned || strings.Contains(f.Message, "barème")
			}
		}
		if warned != c.warn {
			t.Errorf("as of %s: scale warning %v, want %v", c.asOf, warned, c.warn)
		}
	}
}

func TestPlan_NotAllowedWhileTheSituationForbidsPayments(t *testing.T) {
	p := params(t)
	for _, stage := range []string{"admissible", "personal_recovery"} {
		in := withHousehold("2025-06-01", "1500", "700", "100", 0)
		in.Debtor = &Debtor{OverIndebtedness: stage}
		out := Evaluate(in, p)
		if !hasFinding(out, CodePlanNotAllowed) {
			t.Errorf("%s: missing %s", stage, CodePlanNotAllowed)
		}
		if out.Situation.AcceptPayments {
			t.Errorf("%s: payments must be refused", stage)
		}
	}
}
