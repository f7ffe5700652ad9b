package law

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/money"
)

// b2b builds a commercial claim between professionals.
func b2b(principal, due, asOf string) Input {
	in := file("commercial", due, asOf)
	in.Claim.Principal = eur(principal)
	in.Creditor = &Creditor{Kind: "professional"}
	in.Debtor = &Debtor{Kind: "professional"}
	return in
}

func allowedOf(out Output, kind string) (money.Cents, bool) {
	var sum money.Cents
	found := false
	for _, it := range out.Claimable.Allowed {
		if it.Kind == kind {
			sum += it.Amount
			found = true
		}
	}
	return sum, found
}

func refusedOf(out Output, kind string) money.Cents {
	var sum money.Cents
	for _, it := range out.Claimable.Refused {
		if it.Kind == kind {
			sum += it.Amount
		}
	}
	return sum
}

func checkTotal(t *testing.T, out Output) {
	t.Helper()
	sum := out.Claimable.Principal
	for _, it := range out.Claimable.Allowed {
		sum += it.Amount
	}
	if sum != out.Claimable.Total {
		t.Errorf("total %s is not principal + allowed items (%s)", out.Claimable.Total, sum)
	}
}

func TestClaimable_PrincipalIsTheClaimLessPayments(t *testing.T) {
	p := params(t)
	cases := []struct {
		name      string
		payments  []string
		principal string
		code      string
	}{
		{"no payment", nil, "480", ""},
		{"two payments", []string{"50", "30.01"}, "399.99", ""},
		{"paid to the cent", []string{"479.99", "0.01"}, "0", CodePaidInFull},
		{"overpaid by one cent", []string{"480.01"}, "0", CodeOverpaid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-12-01")
			for i, a := range c.payments {
				in.Claim.Events = append(in.Claim.Events, Event{Kind: "partial_payment", On: d("2025-02-01").AddDays(i), Amount: eur(a)})
			}
			out := Evaluate(in, p)
			if out.Claimable.Principal != eur(c.principal) {
				t.Errorf("principal %s, want %s", out.Claimable.Principal, c.principal)
			}
			if c.code != "" && !hasFinding(out, c.code) {
				t.Errorf("missing %s in %v", c.code, findingCodes(out))
			}
			checkTotal(t, out)
		})
	}
}

func TestClaimable_CollectionAndFileFees(t *testing.T) {
	p := params(t)
	cases := []struct {
		name    string
		in      Input
		kind    string
		allowed bool
		rule    string
		extra   string // a phrase the finding must contain
	}{
		{"consumer, no title", file("consumer", "2025-01-10", "2025-06-01"), "collection_fee", false, "CPCE L111-8 al. 2", "réputée non écrite"},
		{"professional, no title", b2b("480", "2025-01-10", "2025-06-01"), "file_fee", false, "CPCE L111-8 al. 2", "L441-10"},
		{"residential lease", file("residential_rent", "2025-01-10", "2025-06-01"), "collection_fee", false, "CPCE L111-8 al. 2", "art. 4 p"},
		{"executory title", file("executory_title", "2025-01-10", "2025-06-01"), "collection_fee", true, "CPCE L111-8 al. 1", "exécution forcée"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Claim.RequestedItems = []RequestedItem{{Kind: c.kind, Amount: eur("45")}}
			out := Evaluate(c.in, p)
			list := out.Claimable.Refused
			code := CodeFeeRefused
			if c.allowed {
				list, code = out.Claimable.Allowed, CodeFeeWithTitle
			}
			if len(list) != 1 || list[0].Kind != c.kind || list[0].Amount != eur("45") || list[0].Rule != c.rule {
				t.Fatalf("got allowed %v refused %v", out.Claimable.Allowed, out.Claimable.Refused)
			}
			if list[0].Label == "" {
				t.Error("an item without label gets a French default label")
			}
			f, ok := finding(out, code)
			if !ok || !strings.Contains(f.Message, c.extra) {
				t.Errorf("finding %s = %q, want it to mention %q", code, f.Message, c.extra)
			}
			checkTotal(t, out)
		})
	}
}

func TestClaimable_FixedIndemnity(t *testing.T) {
	p := params(t)
	withKinds := func(creditor, debtor string) Input {
		in := file("civil", "2025-01-10", "2025-06-01")
		in.Creditor, in.Debtor = &Creditor{Kind: creditor}, &Debtor{Kind: debtor}
		return in
	}
	// An invoice due before the opening judgment carries the indemnity (C. com. L441-10, D441-5);
	// one due after it does not (the judgment forbids paying it, L622-7).
	dueBeforeJudgment := b2b("480", "2025-01-10", "2025-06-01")
	dueBeforeJudgment.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "redressement", OpenedOn: d("2025-02-20"), PublishedOn: d("2025-03-01")}
	dueAfterJudgment := b2b("480", "2025-02-21", "2025-06-01")
	dueAfterJudgment.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "redressement", OpenedOn: d("2025-02-20"), PublishedOn: d("2025-03-01")}
	cases := []struct {
		name             string
		in               Input
		requested        []string
		allowed, refused string
		code             string
	}{
		{"professional to professional", b2b("480", "2025-01-10", "2025-06-01"), []string{"40"}, "40", "0", CodeIndemnityAllowed},
		{"one cent below the decree", b2b("480", "2025-01-10", "2025-06-01"), []string{"39.99"}, "39.99", "0", CodeIndemnityAllowed},
		{"one cent over the decree", b2b("480", "2025-01-10", "2025-06-01"), []string{"40.01"}, "40", "0.01", CodeIndemnityCapped},
		{"twice for one invoice", b2b("480", "2025-01-10", "2025-06-01"), []string{"40", "40"}, "40", "40", CodeIndemnityCapped},
		{"consumer debtor", file("consumer", "2025-01-10", "2025-06-01"), []string{"40"}, "0", "40", CodeIndemnityRefused},
		{"consumer creditor", withKinds("consumer", "professional"), []string{"40"}, "0", "40", CodeIndemnityRefused},
		{"parties unknown", file("civil", "2025-01-10", "2025-06-01"), []string{"40"}, "0", "40", CodeIndemnityRefused},
		{"collective proceeding, invoice due before the judgment", dueBeforeJudgment, []string{"40"}, "40", "0", CodeIndemnityAllowed},
		{"collective proceeding, invoice due after the judgment", dueAfterJudgment, []string{"40"}, "0", "40", CodeIndemnityRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, a := range c.requested {
				c.in.Claim.RequestedItems = append(c.in.Claim.RequestedItems, RequestedItem{Kind: "fixed_indemnity", Amount: eur(a)})
			}
			out := Evaluate(c.in, p)
			got, _ := allowedOf(out, "fixed_indemnity")
			if got != eur(c.allowed) || refusedOf(out, "fixed_indemnity") != eur(c.refused) {
				t.Fatalf("allowed %s refused %s, want %s / %s", got, refusedOf(out, "fixed_indemnity"), c.allowed, c.refused)
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s in %v", c.code, findingCodes(out))
			}
			checkTotal(t, out)
		})
	}
}

func TestClaimable_LatePenaltiesBetweenProfessionals(t *testing.T) {
	p := params(t)
	cases := []struct {
		name         string
		principal    string
		due, paid    string
		asOf         string
		rate         Rate
		payments     []Event
		want         string
		belowFloor   bool
		paramMissing bool
	}{
		// 1 000 € × 13,15 % (BCE 3,15 + 10) × 30 / 365 = 10,808 €
		{"ECB + 10 points without a rate", "1000", "2025-01-31", "2025-03-02", "2025-06-01", 0, nil, "10.81", false, false},
		// 10 days at 13,15 % then 10 days at 12,15 %: 3,603 + 3,329 = 6,932 €
		{"rate of each half-year", "1000", "2025-06-20", "2025-07-10", "2025-08-01", 0, nil, "6.93", false, false},
		// 3,6046 + 3,3305 = 6,935 €: rounded once (6,94), not per half-year (6,93)
		{"rounded once", "1000.51", "2025-06-20", "2025-07-10", "2025-08-01", 0, nil, "6.94", false, false},
		// floor 3 × 3,71 = 11,13 %: 1 000 × 11,13 % × 30 / 365 = 9,148 €
		{"contract rate below the floor", "1000", "2025-01-31", "2025-03-02", "2025-06-01", 50000, nil, "9.15", true, false},
		{"contract rate one unit below the floor", "1000", "2025-01-31", "2025-03-02", "2025-06-01", 111299, nil, "9.15", true, false},
		{"contract rate at the floor", "1000", "2025-01-31", "2025-03-02", "2025-06-01", 111300, nil, "9.15", false, false},
		// 1 000 × 11,14 % × 30 / 365 = 9,156 €
		{"contract rate just above the floor", "1000", "2025-01-31", "2025-03-02", "2025-06-01", 111400, nil, "9.16", false, false},
		{"contract rate of 15 %", "1000", "2025-01-31", "2025-03-02", "2025-06-01", Percent(15), nil, "12.33", false, false},
		// 15 days on 1 000 € then 15 days on 600 €, at 13,15 %: 8,647 €
		{"partial payment lowers the base the next day", "1000", "2025-01-31", "2025-03-02", "2025-06-01", 0,
			[]Event{{Kind: "partial_payment", On: d("2025-02-15"), Amount: eur("400")}}, "8.65", false, false},
		// unpaid: up to as_of, 30 days at 12,15 % (H1 2026) = 9,986 €
		{"unpaid runs to as_of", "1000", "2025-12-31", "", "2026-01-30", 0, nil, "9.99", false, false},
		{"paid on the due date", "1000", "2025-12-31", "2025-12-31", "2026-01-30", 0, nil, "0", false, false},
		// 31 days in H2 2026, not in the tables: H1 2026's 12,15 % is used, with a warning
		{"half-year missing from the tables", "1000", "2026-06-30", "", "2026-07-31", 0, nil, "10.32", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := b2b(c.principal, c.due, c.asOf)
			in.Claim.Events = c.payments
			in.Claim.LatePenalty = &LatePenalty{RatePercent: c.rate}
			if c.paid != "" {
				in.Claim.LatePenalty.PaidOn = d(c.paid)
			}
			out := Evaluate(in, p)
			got, ok := allowedOf(out, "late_penalty")
			if !ok || got != eur(c.want) {
				t.Fatalf("late penalty %s (found %v), want %s; findings %v", got, ok, c.want, findingCodes(out))
			}
			if hasFinding(out, CodePenaltyBelowFloor) != c.belowFloor {
				t.Errorf("below-floor warning = %v, want %v", !c.belowFloor, c.belowFloor)
			}
			if hasFinding(out, CodeParameterMissing) != c.paramMissing {
				t.Errorf("parameter warning = %v, want %v", !c.paramMissing, c.paramMissing)
			}
			checkTotal(t, out)
		})
	}
}

// C. com. L622-28: the opening judgment stops interest and late penalties
// from the first hour of its day; they run to its eve and go into the
// declared claim (L622-24).
func TestClaimable_PenaltiesStopOnTheEveOfTheOpeningJudgment(t *testing.T) {
	in := b2b("1000", "2025-01-31", "2025-06-30")
	in.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "sauvegarde", OpenedOn: d("2025-03-02"), PublishedOn: d("2025-03-12")}
	in.Claim.LatePenalty = &LatePenalty{}
	out := Evaluate(in, params(t))
	// 1 February to 1 March: 29 days × 13,15 % (BCE 3,15 + 10) on 1 000 € = 10,448 €
	if got, _ := allowedOf(out, "late_penalty"); got != eur("10.45") {
		t.Fatalf("penalty %s, want 10.45 (29 days to the eve of the judgment)", got)
	}
	f, ok := finding(out, CodePenaltyStopped)
	if !ok || !strings.Contains(f.Rule, "L622-28") || !strings.Contains(f.Message, "1er mars 2025") {
		t.Errorf("finding %+v, want L622-28 and the eve of the judgment", f)
	}
	if hasFinding(out, CodeJudgmentDateAssumed) {
		t.Errorf("the judgment date is given: no fallback finding expected")
	}
}

// The fixed indemnity (C. com. L441-10 II, D441-5) and late penalties of an
// invoice that fell due before the opening judgment are owed and declared;
// for an invoice due on or after the judgment they are refused, since the
// judgment is what forbids paying it (L622-7). The boundaries are the day
// before, the day of and the day after the judgment.
func TestClaimable_CollectiveProceeding_IndemnityAndPenaltiesFollowTheDueDateAgainstTheJudgment(t *testing.T) {
	p := params(t)
	const judgment, published = "2025-03-02", "2025-03-12"
	cases := []struct {
		name          string
		due           string
		openedOn      string // "" : the publication stands in for the judgment
		owed          bool
		penalty       string // allowed late penalty when owed ("" when refused)
		assumedFinder bool
	}{
		// 29 days (1 February to 1 March) at 13,15 % on 1 000 € = 10,448 €
		{"due a month before the judgment", "2025-01-31", judgment, true, "10.45", false},
		// first day of delay is the judgment's own day: nothing accrues, the indemnity is owed
		{"due the day before the judgment", "2025-03-01", judgment, true, "0", false},
		{"due on the day of the judgment", "2025-03-02", judgment, false, "", false},
		{"due the day after the judgment", "2025-03-03", judgment, false, "", false},
		// without opened_on the publication stands in: due 5 March is taken as before it, with a warning
		{"no judgment date, due before the publication", "2025-03-05", "", true, "", true},
		{"judgment date given, same invoice", "2025-03-05", judgment, false, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := b2b("1000", c.due, "2025-06-30")
			cp := &CollectiveProceeding{Kind: "redressement", PublishedOn: d(published)}
			if c.openedOn != "" {
				cp.OpenedOn = d(c.openedOn)
			}
			in.Debtor.CollectiveProceeding = cp
			in.Claim.LatePenalty = &LatePenalty{}
			in.Claim.RequestedItems = []RequestedItem{{Kind: "fixed_indemnity", Amount: eur("40")}}
			out := Evaluate(in, p)
			if probs := Check(in); len(probs) != 0 {
				t.Fatalf("invalid file: %v", probs)
			}
			indemnity, _ := allowedOf(out, "fixed_indemnity")
			penalty, penaltyAllowed := allowedOf(out, "late_penalty")
			if c.owed {
				if indemnity != eur("40") || refusedOf(out, "fixed_indemnity") != 0 {
					t.Errorf("indemnity allowed %s refused %s, want 40 owed", indemnity, refusedOf(out, "fixed_indemnity"))
				}
				if !penaltyAllowed || refusedOf(out, "late_penalty") != 0 {
					t.Errorf("late penalty not allowed: findings %v", findingCodes(out))
				}
				if c.penalty != "" && penalty != eur(c.penalty) {
					t.Errorf("late penalty %s, want %s", penalty, c.penalty)
				}
				if f, ok := finding(out, CodeIndemnityAllowed); !ok || !strings.Contains(f.Message, "L622-24") {
					t.Errorf("the allowed indemnity must say it is declared (L622-24): %+v", f)
				}
			} else {
				if indemnity != 0 || refusedOf(out, "fixed_indemnity") != eur("40") {
					t.Errorf("indemnity allowed %s refused %s, want refused", indemnity, refusedOf(out, "fixed_indemnity"))
				}
				if penaltyAllowed || refusedOf(out, "late_penalty") <= 0 {
					t.Errorf("late penalty allowed %v (%s), refused %s: want refused with its amount", penaltyAllowed, penalty, refusedOf(out, "late_penalty"))
				}
				f, ok := finding(out, CodeIndemnityRefused)
				if !ok || !strings.Contains(f.Rule, "L622-7") || !strings.Contains(f.Message, "D441-5") {
					t.Errorf("refusal %+v, want L622-7 and D441-5 cited", f)
				}
				if !hasFinding(out, CodePenaltyAfterJudgment) {
					t.Errorf("missing %s in %v", CodePenaltyAfterJudgment, findingCodes(out))
				}
			}
			if hasFinding(out, CodeJudgmentDateAssumed) != c.assumedFinder {
				t.Errorf("fallback finding = %v, want %v", !c.assumedFinder, c.assumedFinder)
			}
			checkTotal(t, out)
		})
	}
}

// A penalty requested without the data to compute it follows the same line:
// refused after the judgment, allowed (stopped at the judgment) before it.
func TestClaimable_CollectiveProceeding_RequestedPenaltyWithoutData(t *testing.T) {
	p := params(t)
	for _, c := range []struct {
		due  string
		owed bool
		code string
	}{
		{"2025-03-01", true, CodePenaltyStopped},
		{"2025-03-02", false, CodePenaltyAfterJudgment},
	} {
		in := b2b("1000", c.due, "2025-06-30")
		in.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "liquidation", OpenedOn: d("2025-03-02"), PublishedOn: d("2025-03-12")}
		in.Claim.RequestedItems = []RequestedItem{{Kind: "late_penalty", Amount: eur("25")}}
		out := Evaluate(in, p)
		got, ok := allowedOf(out, "late_penalty")
		if ok != c.owed || (c.owed && got != eur("25")) || (!c.owed && refusedOf(out, "late_penalty") != eur("25")) {
			t.Errorf("due %s: allowed %v %s refused %s, want owed=%v", c.due, ok, got, refusedOf(out, "late_penalty"), c.owed)
		}
		if f, found := finding(out, c.code); !found || (c.owed && !strings.Contains(f.Message, "liquidateur")) {
			t.Errorf("due %s: finding %s = %+v", c.due, c.code, f)
		}
		checkTotal(t, out)
	}
}

func TestClaimable_InterestTowardsANonProfessional(t *testing.T) {
	p := params(t)
	notice := []Event{{Kind: "formal_notice", On: d("2025-02-10")}}
	cases := []struct {
		name      string
		kind      string
		creditor  string
		rate      Rate
		events    []Event
		principal string
		paid      string
		want      string // "" when nothing is computed
		code      string
	}{
		// legal rate from the notice: 30 days × 3,71 % (creditor professional) on 1 000 € = 3,049 €
		{"legal rate from the formal notice", "consumer", "professional", 0, notice, "1000", "2025-03-12", "3.05", CodePenaltyComputed},
		// a consumer creditor's column: 7,21 % → 5,926 €
		{"consumer creditor column", "civil", "consumer", 0, notice, "1000", "2025-03-12", "5.93", CodePenaltyComputed},
		{"no formal notice, no interest", "consumer", "professional", 0, nil, "1000", "2025-03-12", "", CodeInterestNeedsNotice},
		// contractual 10 % on 1,25 € for 73 days = 2,5 cents exactly: half up → 0,03 €
		{"contract rate, rounded half up", "consumer", "professional", Percent(10), nil, "1.25", "2025-03-15", "0.03", CodeContractualInterest},
		// a residential lease's penalty clause is void: legal rate from the notice instead
		{"residential lease penalty clause", "residential_rent", "", Percent(10), notice, "1000", "2025-03-12", "3.05", CodeRentPenaltyVoid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			due := "2025-01-31"
			if c.rate == Percent(10) && c.kind == "consumer" {
				due = "2025-01-01"
			}
			in := file(c.kind, due, "2025-06-01")
			in.Claim.Principal = eur(c.principal)
			if c.creditor != "" {
				in.Creditor = &Creditor{Kind: c.creditor}
			}
			in.Claim.Events = c.events
			in.Claim.LatePenalty = &LatePenalty{RatePercent: c.rate, PaidOn: d(c.paid)}
			out := Evaluate(in, p)
			got, ok := allowedOf(out, "interest")
			if c.want == "" {
				if ok {
					t.Fatalf("no interest is due, got %s", got)
				}
			} else if got != eur(c.want) {
				t.Fatalf("interest %s, want %s; findings %v", got, c.want, findingCodes(out))
			}
			if _, pen := allowedOf(out, "late_penalty"); pen {
				t.Error("L441-10 penalties only apply between professionals")
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s in %v", c.code, findingCodes(out))
			}
		})
	}
}

func TestClaimable_RequestedPenaltiesAreCheckedAgainstTheComputation(t *testing.T) {
	p := params(t)
	cases := []struct {
		name      string
		requested []RequestedItem
		refused   string
	}{
		{"more than computed", []RequestedItem{{Kind: "late_penalty", Amount: eur("15")}}, "4.19"},
		{"one cent more", []RequestedItem{{Kind: "late_penalty", Amount: eur("10.82")}}, "0.01"},
		{"exactly computed", []RequestedItem{{Kind: "late_penalty", Amount: eur("10.81")}}, "0"},
		{"less than computed", []RequestedItem{{Kind: "interest", Amount: eur("5")}}, "0"},
		{"two items together over", []RequestedItem{{Kind: "late_penalty", Amount: eur("6")}, {Kind: "interest", Amount: eur("6")}}, "1.19"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := b2b("1000", "2025-01-31", "2025-06-01")
			in.Claim.LatePenalty = &LatePenalty{PaidOn: d("2025-03-02")}
			in.Claim.RequestedItems = c.requested
			out := Evaluate(in, p)
			got, _ := allowedOf(out, "late_penalty")
			if got != eur("10.81") {
				t.Fatalf("computed penalty %s, want 10.81", got)
			}
			if r := refusedOf(out, "late_penalty") + refusedOf(out, "interest"); r != eur(c.refused) {
				t.Errorf("refused %s, want %s", r, c.refused)
			}
			if out.Claimable.Total != eur("1010.81") {
				t.Errorf("total %s, want 1010.81: the computation counts once", out.Claimable.Total)
			}
		})
	}
}

func TestClaimable_RequestedPenaltiesWithoutData(t *testing.T) {
	p := params(t)
	cases := []struct {
		name    string
		in      Input
		kind    string
		allowed bool
		rule    string
	}{
		{"between professionals", b2b("480", "2025-01-10", "2025-06-01"), "late_penalty", true, "C. com. L441-10 II"},
		{"consumer penalty clause", file("consumer", "2025-01-10", "2025-06-01"), "late_penalty", true, "C. civ. 1231-5"},
		{"interest", file("consumer", "2025-01-10", "2025-06-01"), "interest", true, "C. civ. 1231-6"},
		{"residential lease", file("residential_rent", "2025-01-10", "2025-06-01"), "late_penalty", false, "loi n° 89-462 art. 4 i)"},
		{"other sum", file("consumer", "2025-01-10", "2025-06-01"), "other", true, "C. civ. 1353"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Claim.RequestedItems = []RequestedItem{{Kind: c.kind, Label: "Somme", Amount: eur("12.50")}}
			out := Evaluate(c.in, p)
			list := out.Claimable.Refused
			if c.allowed {
				list = out.Claimable.Allowed
			}
			if len(list) != 1 || list[0].Rule != c.rule || list[0].Amount != eur("12.50") {
				t.Fatalf("allowed %v refused %v", out.Claimable.Allowed, out.Claimable.Refused)
			}
			checkTotal(t, out)
		})
	}
}

// The publication date stands in for a missing judgment date only where it
// matters: a file that claims nothing for lateness gets no such warning.
func TestClaimable_JudgmentDateFallbackOnlyWhenLatenessIsClaimed(t *testing.T) {
	in := b2b("1000", "2025-01-31", "2025-06-30")
	in.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "redressement", PublishedOn: d("2025-03-12")}
	if out := Evaluate(in, params(t)); hasFinding(out, CodeJudgmentDateAssumed) {
		t.Errorf("fallback reported with nothing claimed for lateness: %v", findingCodes(out))
	}
	in.Claim.RequestedItems = []RequestedItem{{Kind: "fixed_indemnity", Amount: eur("40")}}
	out := Evaluate(in, params(t))
	f, ok := finding(out, CodeJudgmentDateAssumed)
	if !ok || !strings.Contains(f.Message, "12 mars 2025") || !strings.Contains(f.Rule, "L622-7") {
		t.Errorf("fallback finding %+v", f)
	}
	n := 0
	for _, f := range out.Findings {
		if f.Code == CodeJudgmentDateAssumed {
			n++
		}
	}
	if n != 1 {
		t.Errorf("fallback reported %d times, want once", n)
	}
}
