package law

import (
	"math/big"
	"slices"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// interestDenominator turns Σ cents × Rate × days into cents: a Rate unit is
// 1/10 000 of a percent, and a year counts 365 days.
var interestDenominator = big.NewInt(365 * 100 * rateScale)

// latePenalty computes what the debtor owes for paying late, from the day
// after the due date (or after the formal notice, for legal interest) to the
// payment date, or as_of when unpaid:
//
//   - between professionals, late penalties (C. com. L441-10 II) at the
//     contractual rate, never below 3 × the legal rate of the half-year, or
//     without a rate at the ECB rate in force on 1 January / 1 July + 10 points;
//   - otherwise the contractual rate when there is one (except in a
//     residential lease, where a penalty clause is void), or else the legal
//     rate of the half-year from a formal notice (C. civ. 1231-6).
//
// Interest = outstanding principal × rate × days / 365, summed exactly over
// the half-years and the partial payments, and rounded half up to the cent
// once.
func (e *evaluator) latePenalty(lp *LatePenalty) *Item {
	c := e.claim
	end := e.asOf
	if !lp.PaidOn.IsZero() && lp.PaidOn.Before(end) {
		end = lp.PaidOn
	}
	if e.collective != "" {
		// The judgment stops interest and penalties from the first hour of
		// its day (C. com. L622-28): they run to its eve, for an invoice
		// that fell due before it; one due on or after it is refused by the
		// caller, but computed here to as_of so the trainee sees what the
		// creditor loses.
		if before, j := e.dueBeforeJudgment(); before && !j.IsZero() && !end.Before(j) {
			end = j.AddDays(-1)
			e.add(Warning, CodePenaltyStopped, "C. com. L622-28 ; L622-24",
				"Le jugement d'ouverture du "+frDate(j)+" arrête le cours des intérêts et pénalités de retard (C. com. L622-28) : le calcul s'arrête la veille, le "+frDate(end)+", et ce montant est à inclure dans la créance déclarée au "+e.proceedingOfficer()+" (L622-24).")
		} else if !before {
			e.add(Warning, CodePenaltyAfterJudgment, "C. com. L622-7 ; L622-28",
				"La facture est échue le "+frDate(c.StartsOn)+", après le jugement d'ouverture du "+frDate(j)+" ou le jour même : le jugement interdit de la payer (C. com. L622-7) et arrête le cours des intérêts (L622-28) ; les pénalités calculées ci-dessous sont refusées.")
		}
	}

	var acc accrual
	item := &Item{}
	switch {
	case e.b2b:
		item.Kind, item.Rule = "late_penalty", "C. com. L441-10 II"
		acc = e.accrue(c.StartsOn, end, func(d civil.Date) Rate { return e.b2bRate(d, lp.RatePercent) })
	case lp.RatePercent > 0 && c.Kind != "residential_rent":
		item.Kind, item.Rule = "interest", "C. civ. 1103 ; 1231-6"
		if c.Kind == "consumer_credit" {
			item.Rule = "C. conso. L312-39"
		}
		acc = e.accrue(c.StartsOn, end, func(civil.Date) Rate { return lp.RatePercent })
		e.add(Info, CodeContractualInterest, item.Rule,
			"Le débiteur n'est pas un professionnel : le taux de "+lp.RatePercent.French()+" ne vaut que s'il est stipulé au contrat ; le plancher de 3 fois le taux légal et le taux BCE + 10 points (C. com. L441-10) ne s'appliquent qu'entre professionnels.")
	default:
		item.Kind, item.Rule = "interest", "C. civ. 1231-6 ; CMF L313-2"
		if lp.RatePercent > 0 { // residential lease
			e.add(Warning, CodeRentPenaltyVoid, "loi n° 89-462 art. 4 i)",
				"Le taux de pénalité de "+lp.RatePercent.French()+" est écarté : dans un bail d'habitation, la clause de pénalités de retard est réputée non écrite (loi n° 89-462 art. 4 i)) ; seuls les intérêts au taux légal sont dus, à compter de la mise en demeure.")
		}
		notice, ok := firstNotice(c)
		if !ok || notice.After(end) {
			e.add(Info, CodeInterestNeedsNotice, "C. civ. 1231-6",
				"Aucune mise en demeure n'a été adressée : les intérêts au taux légal ne courent qu'à compter de la mise en demeure (C. civ. 1231-6). Rien n'est dû à ce titre pour l'instant.")
			return nil
		}
		acc = e.accrue(notice, end, e.legalRate)
	}

	item.Amount = acc.amount
	what := "Pénalités de retard"
	if item.Kind == "interest" {
		what = "Intérêts de retard"
	}
	if acc.days == 0 {
		item.Label = what + " (aucun jour de retard)"
		e.add(Info, CodePenaltyComputed, item.Rule, what+" : aucun jour de retard au "+frDate(end)+", rien n'est dû.")
		return item
	}
	item.Label = what + " du " + frDate(acc.from) + " au " + frDate(acc.to) + " (" + frDays(acc.days) + ")"
	e.add(Info, CodePenaltyComputed, item.Rule,
		what+" du "+frDate(acc.from)+" au "+frDate(acc.to)+" ("+frDays(acc.days)+") au taux de "+acc.ratesFrench()+" sur le principal restant dû, jour par jour sur 365 jours : "+frMoney(acc.amount)+" (arrondi au centime une seule fois).")
	return item
}

// b2bRate is the late-penalty rate for the half-year of d (C. com. L441-10 II).
func (e *evaluator) b2bRate(d civil.Date, contractual Rate) Rate {
	if contractual > 0 {
		legal, fit := e.p.legalRateOn(d)
		e.paramWarn("legal_interest_rate", fit, func() string {
			return "Le taux d'intérêt légal du " + frHalfYear(d) + " n'est pas dans les tables : celui du " + frHalfYear(legal.From) + " (" + legal.Other.French() + ") a été utilisé."
		})
		if floor := legal.Other.Times(3); contractual < floor {
			e.warnOnce(CodePenaltyBelowFloor, Warning, "C. com. L441-10 II", func() string {
				return "Le taux contractuel de " + contractual.French() + " est inférieur au plancher de 3 fois le taux d'intérêt légal (" + floor.French() + " au " + frHalfYear(d) + ") : c'est le plancher qui s'applique (C. com. L441-10 II)."
			})
			return floor
		}
		return contractual
	}
	ecb, fit := e.p.ecbRateOn(d)
	e.paramWarn("ecb_main_refinancing_rate", fit, func() string {
		return "Le taux de la BCE applicable au " + frHalfYear(d) + " n'est pas dans les tables : celui du " + frHalfYear(ecb.From) + " (" + ecb.Rate.French() + ") a été utilisé."
	})
	return ecb.Rate + Percent(10)
}

// legalRate is the legal interest rate for the half-year of d, in the
// column of the creditor (CMF L313-2: higher when the creditor is a
// natural person not acting for business).
func (e *evaluator) legalRate(d civil.Date) Rate {
	legal, fit := e.p.legalRateOn(d)
	e.paramWarn("legal_interest_rate", fit, func() string {
		return "Le taux d'intérêt légal du " + frHalfYear(d) + " n'est pas dans les tables : celui du " + frHalfYear(legal.From) + " a été utilisé."
	})
	if e.creditor == "consumer" {
		return legal.ConsumerCreditor
	}
	return legal.Other
}

func (e *evaluator) warnOnce(code, severity, rule string, msg func() string) {
	// msg is built only once: this runs for every half-year of an accrual.
	for _, f := range e.out.Findings {
		if f.Code == code {
			return
		}
	}
	e.add(severity, code, rule, msg())
}

func firstNotice(c *Claim) (civil.Date, bool) {
	var first civil.Date
	for _, ev := range c.Events {
		if ev.Kind == "formal_notice" && (first.IsZero() || ev.On.Before(first)) {
			first = ev.On
		}
	}
	return first, !first.IsZero()
}

type accrual struct {
	amount   money.Cents
	from, to civil.Date // first and last day counted
	days     int
	rates    []Rate // distinct rates applied, in order
}

func (a accrual) ratesFrench() string {
	parts := make([]string, len(a.rates))
	for i, r := range a.rates {
		parts[i] = r.French()
	}
	return strings.Join(parts, " puis ")
}

// accrue sums the outstanding principal × rate × days over the days after
// anchor up to end included, splitting at each half-year (the rate may change)
// and at each partial payment (the base falls the day after it is paid).
func (e *evaluator) accrue(anchor, end civil.Date, rateAt func(civil.Date) Rate) accrual {
	first := anchor.AddDays(1)
	acc := accrual{from: first, to: end}
	if end.Before(first) {
		return acc
	}
	var payments []Event
	for _, ev := range e.claim.Events {
		if ev.Kind == "partial_payment" && ev.Amount > 0 {
			payments = append(payments, ev)
		}
	}
	slices.SortStableFunc(payments, func(a, b Event) int { return a.On.Compare(b.On) })

	balance := e.claim.Principal
	pi := 0
	for pi < len(payments) && payments[pi].On.Before(first) {
		balance -= payments[pi].Amount
		pi++
	}
	sum, term, factor := new(big.Int), new(big.Int), new(big.Int)
	for cur := first; !cur.After(end); {
		segEnd := halfYearEnd(cur)
		if segEnd.After(end) {
			segEnd = end
		}
		if pi < len(payments) && payments[pi].On.Before(segEnd) {
			segEnd = payments[pi].On // the day of payment still bears the old base
		}
		days := cur.DaysUntil(segEnd) + 1
		rate := rateAt(cur)
		if !slices.Contains(acc.rates, rate) {
			acc.rates = append(acc.rates, rate)
		}
		if balance > 0 && rate > 0 {
			term.SetInt64(int64(balance))
			term.Mul(term, factor.SetInt64(int64(rate)))
			term.Mul(term, factor.SetInt64(int64(days)))
			sum.Add(sum, term)
		}
		acc.days += days
		cur = segEnd.AddDays(1)
		for pi < len(payments) && payments[pi].On.Before(cur) {
			balance -= payments[pi].Amount
			pi++
		}
	}
	acc.amount = money.RoundRat(new(big.Rat).SetFrac(sum, interestDenominator))
	return acc
}

// halfYearEnd is 30 June or 31 December of d's half-year.
func halfYearEnd(d civil.Date) civil.Date {
	if d.Month <= 6 {
		return civil.Date{Year: d.Year, Month: 6, Day: 30}
	}
	return civil.Date{Year: d.Year, Month: 12, Day: 31}
}
