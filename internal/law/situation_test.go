package law

import (
	"slices"
	"strings"
	"testing"
)

var (
	smallClaimsSteps = []string{StepSmallClaims, StepConciliation, StepInjonctionDePayer}
	injonctionSteps  = []string{StepInjonctionDePayer}
)

func TestSituation_SmallClaimsCeilingInterestIncluded(t *testing.T) {
	p := params(t)
	cases := []struct {
		name      string
		principal string
		items     []RequestedItem
		steps     []string
		code      string
	}{
		{"4 999,99 €", "4999.99", nil, smallClaimsSteps, CodeSmallClaims},
		{"5 000,00 €", "5000", nil, smallClaimsSteps, CodeSmallClaims},
		{"5 000,01 €", "5000.01", nil, injonctionSteps, CodeInjonctionDePayer},
		{"interest brings it to 5 000,00 €", "4990", []RequestedItem{{Kind: "interest", Amount: eur("10")}}, smallClaimsSteps, CodeSmallClaims},
		{"interest brings it one cent over", "4990", []RequestedItem{{Kind: "interest", Amount: eur("10.01")}}, injonctionSteps, CodeInjonctionDePayer},
		{"other sums are not interest", "4990", []RequestedItem{{Kind: "other", Amount: eur("20")}}, smallClaimsSteps, CodeSmallClaims},
		{"refused fees do not count", "5000", []RequestedItem{{Kind: "collection_fee", Amount: eur("45")}}, smallClaimsSteps, CodeSmallClaims},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-06-01")
			in.Claim.Principal = eur(c.principal)
			in.Claim.RequestedItems = c.items
			out := Evaluate(in, p)
			s := out.Situation
			if !slices.Equal(s.NextSteps, c.steps) {
				t.Fatalf("next steps %v, want %v", s.NextSteps, c.steps)
			}
			if !s.AmicableCollectionAllowed || !s.AcceptPayments {
				t.Errorf("a plain claim may be collected: %+v", *s)
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s", c.code)
			}
			smallClaims := slices.Contains(s.Contacts, ContactCommissaireDeJustice)
			if smallClaims != slices.Equal(c.steps, smallClaimsSteps) {
				t.Errorf("contacts %v", s.Contacts)
			}
		})
	}
}

func TestSituation_NoCourtStepOnABarredClaim(t *testing.T) {
	p := params(t)
	for _, kind := range []string{"consumer", "consumer_credit"} {
		out := Evaluate(file(kind, "2022-01-10", "2025-06-01"), p)
		s := out.Situation
		if want := []string{StepStopCollection, StepInformCreditor}; !slices.Equal(s.NextSteps, want) {
			t.Errorf("%s: next steps %v, want %v", kind, s.NextSteps, want)
		}
		if s.AmicableCollectionAllowed || !s.AcceptPayments || len(s.Contacts) != 0 {
			t.Errorf("%s: barred claim: %+v", kind, *s)
		}
	}
	// The day before the bar, the court steps are open.
	out := Evaluate(file("consumer", "2023-06-02", "2025-06-01"), p)
	if !slices.Equal(out.Situation.NextSteps, smallClaimsSteps) {
		t.Errorf("live claim: next steps %v", out.Situation.NextSteps)
	}
}

func TestSituation_OverIndebtedness(t *testing.T) {
	p := params(t)
	cases := []struct {
		stage            string
		amicable, accept bool
		contacts, steps  []string
		code             string
	}{
		{"none", true, true, []string{ContactCommissaireDeJustice}, smallClaimsSteps, CodeSmallClaims},
		{"filed", true, true, []string{ContactBanqueDeFrance, ContactCommissaireDeJustice},
			append([]string{StepInformCreditor}, smallClaimsSteps...), CodeOverIndebtednessFiled},
		{"admissible", false, false, []string{ContactBanqueDeFrance},
			[]string{StepStopCollection, StepInformCreditor, StepJustifyClaim}, CodeOverIndebtednessAdmissible},
		{"plan", false, true, []string{ContactBanqueDeFrance}, []string{StepFollowPlan}, CodeOverIndebtednessPlan},
		{"personal_recovery", false, false, []string{},
			[]string{StepStopCollection, StepInformCreditor, StepCloseFile}, CodePersonalRecovery},
	}
	for _, c := range cases {
		t.Run(c.stage, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-06-01")
			in.Debtor = &Debtor{Kind: "consumer", OverIndebtedness: c.stage}
			out := Evaluate(in, p)
			s := out.Situation
			if s.AmicableCollectionAllowed != c.amicable || s.AcceptPayments != c.accept {
				t.Errorf("amicable %v accept %v, want %v %v", s.AmicableCollectionAllowed, s.AcceptPayments, c.amicable, c.accept)
			}
			if !slices.Equal(s.Contacts, c.contacts) || !slices.Equal(s.NextSteps, c.steps) {
				t.Errorf("contacts %v steps %v, want %v %v", s.Contacts, s.NextSteps, c.contacts, c.steps)
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s", c.code)
			}
		})
	}
}

func TestSituation_ProtectedDebtor(t *testing.T) {
	p := params(t)
	cases := []struct {
		protection, contact, step, code string
	}{
		{"tutelle", ContactTuteur, StepWriteToTuteur, CodeTutelle},
		{"curatelle", ContactCurateur, StepWriteToCurateur, CodeCuratelle},
		{"curatelle_renforcee", ContactCurateur, StepWriteToCurateur, CodeCuratelle},
	}
	for _, c := range cases {
		t.Run(c.protection, func(t *testing.T) {
			in := file("consumer", "2025-01-10", "2025-06-01")
			in.Debtor = &Debtor{Protection: c.protection}
			out := Evaluate(in, p)
			s := out.Situation
			if len(s.Contacts) == 0 || s.Contacts[0] != c.contact || len(s.NextSteps) == 0 || s.NextSteps[0] != c.step {
				t.Fatalf("contacts %v steps %v, want %s first and %s first", s.Contacts, s.NextSteps, c.contact, c.step)
			}
			if !s.AmicableCollectionAllowed {
				t.Error("collection goes on, through the representative")
			}
			if !hasFinding(out, c.code) {
				t.Errorf("missing %s", c.code)
			}
		})
	}
}

func TestSituation_CollectiveProceedingDeclarationDeadline(t *testing.T) {
	p := params(t)
	cases := []struct {
		name, kind, published, asOf string
		deadline                    string
		contact                     string
		late                        bool
	}{
		{"sauvegarde, two months later", "sauvegarde", "2025-03-14", "2025-04-01", "2025-05-14", ContactMandataireJudiciaire, false},
		{"month-end rule", "redressement", "2025-12-31", "2026-02-28", "2026-02-28", ContactMandataireJudiciaire, false},
		{"the day after the deadline", "redressement", "2025-12-31", "2026-03-01", "2026-02-28", ContactMandataireJudiciaire, true},
		{"liquidation", "liquidation", "2025-03-14", "2025-05-14", "2025-05-14", ContactLiquidateur, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := b2b("480", "2025-01-10", c.asOf)
			in.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: c.kind, PublishedOn: d(c.published)}
			out := Evaluate(in, p)
			s := out.Situation
			want := []Deadline{{Kind: DeadlineClaimDeclaration, On: d(c.deadline), Rule: "C. com. R622-24"}}
			if !slices.Equal(s.Deadlines, want) {
				t.Fatalf("deadlines %v, want %v", s.Deadlines, want)
			}
			if s.AmicableCollectionAllowed || s.AcceptPayments || !slices.Equal(s.Contacts, []string{c.contact}) {
				t.Errorf("situation %+v", *s)
			}
			steps := []string{StepStopCollection, StepDeclareClaim}
			if c.late {
				steps = append(steps, StepReliefFromForeclosure)
			}
			if !slices.Equal(s.NextSteps, steps) {
				t.Errorf("next steps %v, want %v (no injonction de payer)", s.NextSteps, steps)
			}
			if hasFinding(out, CodeDeclarationLate) != c.late {
				t.Errorf("late declaration finding = %v, want %v", !c.late, c.late)
			}
		})
	}
	// Without a publication date (Check refuses it), the engine still answers.
	in := b2b("480", "2025-01-10", "2025-06-01")
	in.Debtor.CollectiveProceeding = &CollectiveProceeding{Kind: "sauvegarde"}
	out := Evaluate(in, p)
	if len(out.Situation.Deadlines) != 0 || !hasFinding(out, CodeCollectiveProceeding) {
		t.Errorf("no publication: deadlines %v findings %v", out.Situation.Deadlines, findingCodes(out))
	}
	in.Debtor.CollectiveProceeding.Kind = "none"
	if out := Evaluate(in, p); !out.Situation.AmicableCollectionAllowed {
		t.Error("kind none is no proceeding")
	}
}

// C. civ. 771: no heir may be compelled to choose before the four-month
// period from the death has expired; a sommation d'opter is possible from the
// day after its last day (same day number, or the month's last day, CPC 641).
func TestSituation_DeceasedDebtor_SommationFromTheDayAfterTheFourMonths(t *testing.T) {
	p := params(t)
	cases := []struct {
		name, died, asOf, periodEnd, from string
		sommation                         bool
	}{
		{"the law's example, day before the period ends", "2025-12-04", "2026-04-03", "2026-04-04", "2026-04-05", false},
		{"the law's example, last day of the period", "2025-12-04", "2026-04-04", "2026-04-04", "2026-04-05", false},
		{"the law's example, first day of the sommation", "2025-12-04", "2026-04-05", "2026-04-04", "2026-04-05", true},
		{"month-end death, last day of February", "2025-10-31", "2026-02-28", "2026-02-28", "2026-03-01", false},
		{"month-end death, 1 March", "2025-10-31", "2026-03-01", "2026-02-28", "2026-03-01", true},
		{"leap year: 31 October to 29 February", "2023-10-31", "2024-02-29", "2024-02-29", "2024-03-01", false},
		{"leap year: 29 October to 29 February", "2023-10-29", "2024-03-01", "2024-02-29", "2024-03-01", true},
		{"long after", "2025-01-15", "2025-06-01", "2025-05-15", "2025-05-16", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := SommationPeriodEnd(d(c.died)); got != d(c.periodEnd) {
				t.Errorf("period ends %s, want %s", got, c.periodEnd)
			}
			in := file("consumer", "2025-01-10", c.asOf)
			in.Claim.StartsOn = d(c.asOf).AddDays(-30)
			in.Debtor = &Debtor{DeceasedOn: d(c.died)}
			out := Evaluate(in, p)
			s := out.Situation
			want := []Deadline{{Kind: DeadlineSommationDOpter, On: d(c.from), Rule: "C. civ. 771"}}
			if !slices.Equal(s.Deadlines, want) || !slices.Equal(s.Contacts, []string{ContactNotaire}) {
				t.Fatalf("deadlines %v contacts %v, want %v [notaire]", s.Deadlines, s.Contacts, want)
			}
			steps := []string{StepContactNotaire}
			if c.sommation {
				steps = append(steps, StepSommationDOpter)
			}
			if !slices.Equal(s.NextSteps, steps) || s.AmicableCollectionAllowed {
				t.Errorf("steps %v amicable %v, want %v false", s.NextSteps, s.AmicableCollectionAllowed, steps)
			}
			f, ok := finding(out, CodeDeceasedDebtor)
			if !ok || !strings.Contains(f.Message, frDate(d(c.from))) || !strings.Contains(f.Message, "C. civ. 771") {
				t.Errorf("finding %+v, want the first day of the sommation and C. civ. 771", f)
			}
		})
	}
}

func TestSituation_ExecutoryTitleGoesToACommissaireDeJustice(t *testing.T) {
	out := Evaluate(file("executory_title", "2020-01-10", "2025-06-01"), params(t))
	s := out.Situation
	if !slices.Equal(s.NextSteps, []string{StepEnforceTitle}) || !slices.Equal(s.Contacts, []string{ContactCommissaireDeJustice}) {
		t.Fatalf("steps %v contacts %v", s.NextSteps, s.Contacts)
	}
}

func TestSituation_LetterAndPlanSteps(t *testing.T) {
	p := params(t)
	in := withHousehold("2025-06-01", "1500", "700", "100", 0)
	in.Letter = goodLetter()
	in.Letter.PaymentDemand = false
	out := Evaluate(in, p)
	want := append([]string{StepSendCompliantLetter, StepAgreePlan}, smallClaimsSteps...)
	if !slices.Equal(out.Situation.NextSteps, want) {
		t.Fatalf("steps %v, want %v", out.Situation.NextSteps, want)
	}
	in.Household.ProposedInstalment = eur("500")
	out = Evaluate(in, p)
	if !slices.Contains(out.Situation.NextSteps, StepRevisePlan) {
		t.Errorf("an unsustainable plan is to be revised: %v", out.Situation.NextSteps)
	}
	// No letter to send while collection must stop.
	in.Debtor = &Debtor{OverIndebtedness: "admissible"}
	out = Evaluate(in, p)
	if slices.Contains(out.Situation.NextSteps, StepSendCompliantLetter) || slices.Contains(out.Situation.NextSteps, StepRevisePlan) {
		t.Errorf("steps %v while collection is stopped", out.Situation.NextSteps)
	}
}
