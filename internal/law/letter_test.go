package law

import (
	"slices"
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
		{"court threat on a live claim", live, false, true, []string{}, CodeThreatToCheck},
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
