package law

import (
	"slices"
	"strings"
	"testing"
)

func goodLetter() *Letter {
	return &Letter{CollectorIdentity: true, StatesAmicableCollection: true, CreditorIdentity: true,
		ItemisedAmounts: true, PaymentDemand: true, ReproducesL111_8: true}
}

func TestLetter_MissingMentionsInOrder(t *testing.T) {
	p := params(t)
	cases := []struct {
		name    string
		edit    func(*Letter)
		missing []string
	}{
		{"complete", func(*Letter) {}, []string{}},
		{"no collector identity", func(l *Letter) { l.CollectorIdentity = false }, []string{MentionCollector}},
		{"does not say it is amicable collection", func(l *Letter) { l.StatesAmicableCollection = false }, []string{MentionCollector}},
		{"no creditor", func(l *Letter) { l.CreditorIdentity = false }, []string{MentionCreditor}},
		{"amounts not itemised", func(l *Letter) { l.ItemisedAmounts = false }, []string{MentionAmounts}},
		{"no demand to pay", func(l *Letter) { l.PaymentDemand = false }, []string{MentionDemand}},
		{"L111-8 not reproduced", func(l *Letter) { l.ReproducesL111_8 = false }, []string{MentionL111_8}},
		{"first and last", func(l *Letter) { l.CollectorIdentity, l.ReproducesL111_8 = false, false }, []string{MentionCollector, MentionL111_8}},
		{"nothing", func(l *Letter) { *l = Letter{} }, []string{"R124-4-1", "R124-4-2", "R124-4-3", "R124-4-4", "R124-4-5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-06-01")
			in.Letter = goodLetter()
			c.edit(in.Letter)
			out := Evaluate(in, p)
			lt := out.Letter
			if !slices.Equal(lt.Missing, c.missing) {
				t.Fatalf("missing %v, want %v", lt.Missing, c.missing)
			}
			if lt.Compliant != (len(c.missing) == 0) || len(lt.Violations) != 0 {
				t.Errorf("compliant %v violations %v", lt.Compliant, lt.Violations)
			}
			n := 0
			for _, f := range out.Findings {
				if f.Code == CodeMentionMissing && f.Severity == Blocking {
					n++
				}
			}
			if n != len(c.missing) {
				t.Errorf("%d blocking findings for %d missing mentions", n, len(c.missing))
			}
			if lt.Compliant && !hasFinding(out, CodeLetterCompliant) {
				t.Error("a compliant letter says so")
			}
		})
	}
}

func withConciliation(in Input, on string) Input {
	claim := *in.Claim
	in.Claim = &claim
	in.Claim.Events = append(slices.Clone(in.Claim.Events), Event{Kind: "conciliation_attempt", On: d(on)})
	return in
}

func TestLetter_Violations(t *testing.T) {
	p := params(t)
	barred := file("consumer", "2022-01-10", "2025-06-01")
	live := file("consumer", "2025-01-10", "2025-06-01")
	forclos := file("consumer_credit", "2022-01-10", "2025-06-01")
	proceeding := b2b("480", "2025-01-10", "2025-06-01")
	proceeding.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "liquidation", PublishedOn: d("2025-03-01")}
	admissible := file("consumer", "2025-01-10", "2025-06-01")
	admissible.Debtor = &Debtor{OverIndebtedness: "admissible"}
	withFee := func(in Input, kind string) Input {
		claim := *in.Claim // the cases share inputs: do not touch theirs
		in.Claim = &claim
		in.Claim.RequestedItems = []RequestedItem{{Kind: kind, Amount: eur("40")}}
		return in
	}
	cases := []struct {
		name       string
		in         Input
		imitates   bool
		threatens  bool
		violations []string
		code       string
	}{
		{"imitation of a judicial act", live, true, false, []string{ViolationJudicialImitation}, CodeJudicialImitation},
		{"court threat on a barred claim", barred, false, true, []string{ViolationImpossibleThreat}, CodeImpossibleThreat},
		{"court threat on a foreclosed credit", forclos, false, true, []string{ViolationImpossibleThreat}, CodeImpossibleThreat},
		{"court threat during a liquidation", proceeding, false, true, []string{ViolationImpossibleThreat}, CodeImpossibleThreat},
		{"court threat on an admissible over-indebtedness file", admissible, false, true, []string{ViolationImpossibleThreat}, CodeImpossibleThreat},
		{"court threat on a live claim of 480 € with no conciliation", live, false, true, []string{ViolationConciliationFirst}, CodeThreatConciliation},
		{"court threat on a live claim after a conciliation attempt", withConciliation(live, "2025-05-01"), false, true, []string{}, CodeThreatToCheck},
		{"collection fee claimed from a consumer", withFee(file("consumer", "2025-01-10", "2025-06-01"), "collection_fee"), false, false, []string{ViolationUndueFees}, CodeUndueFeesInLetter},
		{"fixed indemnity claimed from a consumer", withFee(file("consumer", "2025-01-10", "2025-06-01"), "fixed_indemnity"), false, false, []string{ViolationUndueFees}, CodeUndueFeesInLetter},
		{"file fee claimed from a professional", withFee(b2b("480", "2025-01-10", "2025-06-01"), "file_fee"), false, false, []string{}, CodeFeesInLetterPro},
		{"everything at once", withFee(barred, "file_fee"), true, true, []string{ViolationJudicialImitation, ViolationImpossibleThreat, ViolationUndueFees}, CodeUndueFeesInLetter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Letter = goodLetter()
			in.Letter.ImitatesJudicialAct, in.Letter.ThreatensCourtAction = c.imitates, c.threatens
			out := Evaluate(in, p)
			if !slices.Equal(out.Letter.Violations, c.violations) {
				t.Fatalf("violations %v, want %v", out.Letter.Violations, c.violations)
			}
			if out.Letter.Compliant != (len(c.violations) == 0) {
				t.Errorf("compliant = %v", out.Letter.Compliant)
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s in %v", c.code, findingCodes(out))
			}
		})
	}
}

// CPC 750-1: a court claim for a sum of at most 5 000 € must, on pain of
// inadmissibility, follow an attempt at conciliation, mediation or
// participatory procedure. A letter announcing a direct court action on such
// a claim, with no attempt recorded, misleads the debtor. The sum is the
// principal still owed and the interest, as for the small-claims ceiling.
func TestLetter_CourtThreatNeedsConciliationFirstUpTo5000Euros(t *testing.T) {
	p := params(t)
	cases := []struct {
		name         string
		kind         string
		principal    string
		interest     string // requested interest, counted in the sum
		paid         string // a partial payment lowers the sum
		conciliation string // date of an attempt, "" for none
		want         bool
	}{
		{"5 000,00 € exactly", "consumer", "5000", "", "", "", true},
		{"5 000,01 €", "consumer", "5000.01", "", "", "", false},
		{"4 990,00 € + 10,00 € of interest = 5 000,00 €", "civil", "4990", "10", "", "", true},
		{"4 990,00 € + 10,01 € of interest = 5 000,01 €", "civil", "4990", "10.01", "", "", false},
		{"5 100,00 € less a payment of 100,00 €", "consumer", "5100", "", "100", "", true},
		{"480 € after a conciliation attempt", "consumer", "480", "", "", "2025-05-02", false},
		{"480 € with a conciliation attempt after as_of is none", "consumer", "480", "", "", "2025-06-02", true},
		{"480 € between professionals", "commercial", "480", "", "", "", true},
		{"executory title: no court claim needed", "executory_title", "480", "", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file(c.kind, "2025-01-10", "2025-06-01")
			in.Claim.Principal = eur(c.principal)
			if c.interest != "" {
				in.Claim.RequestedItems = []RequestedItem{{Kind: "interest", Amount: eur(c.interest)}}
			}
			if c.paid != "" {
				in.Claim.Events = append(in.Claim.Events, Event{Kind: "partial_payment", On: d("2025-03-01"), Amount: eur(c.paid)})
			}
			if c.conciliation != "" {
				in.Claim.Events = append(in.Claim.Events, Event{Kind: "conciliation_attempt", On: d(c.conciliation)})
			}
			in.Letter = goodLetter()
			in.Letter.ThreatensCourtAction = true
			out := Evaluate(in, p)
			if got := slices.Contains(out.Letter.Violations, ViolationConciliationFirst); got != c.want {
				t.Fatalf("CPC-750-1 violation = %v, want %v (violations %v, findings %v)", got, c.want, out.Letter.Violations, findingCodes(out))
			}
			f, ok := finding(out, CodeThreatConciliation)
			if ok != c.want {
				t.Fatalf("finding %s = %v, want %v", CodeThreatConciliation, ok, c.want)
			}
			if c.want && (f.Severity != Blocking || f.Rule != "CPC 750-1" || !strings.Contains(f.Message, "5 000,00 €") || out.Letter.Compliant) {
				t.Errorf("finding %+v compliant %v", f, out.Letter.Compliant)
			}
			if !c.want && c.kind != "executory_title" && !hasFinding(out, CodeThreatToCheck) {
				t.Errorf("a lawful threat still gets %s: %v", CodeThreatToCheck, findingCodes(out))
			}
		})
	}
	// Without a threat nothing is said about conciliation.
	in := file("consumer", "2025-01-10", "2025-06-01")
	in.Letter = goodLetter()
	if out := Evaluate(in, p); hasFinding(out, CodeThreatConciliation) || len(out.Letter.Violations) != 0 {
		t.Errorf("no threat, findings %v", findingCodes(out))
	}
}

// C. civ. 2238: an attempt at conciliation suspends, it does not interrupt.
func TestLimitation_ConciliationAttemptSuspendsButIsNotCounted(t *testing.T) {
	in := withConciliation(file("consumer", "2025-01-10", "2025-06-01"), "2025-05-01")
	out := Evaluate(in, params(t))
	if out.Limitation.LastDay != d("2027-01-10") || len(out.Limitation.InterruptedBy) != 0 {
		t.Errorf("last day %s interrupted by %v, want 2027-01-10 and none", out.Limitation.LastDay, out.Limitation.InterruptedBy)
	}
	if f, ok := finding(out, CodeConciliationSuspends); !ok || f.Rule != "C. civ. 2238" {
		t.Errorf("finding %+v", f)
	}
	if probs := Check(in); len(probs) != 0 {
		t.Errorf("conciliation_attempt refused by Check: %v", probs)
	}
}
