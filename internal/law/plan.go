package law

import (
	"math/big"
	"strconv"

	"github.com/ancr/cqp/internal/money"
)

// MonthlySeizable returns the monthly seizable share of a monthly net income
// under a year's scale (C. trav. R3252-2): the scale applies to the annual
// income, each band bound raised per dependant (R3252-3), and the annual
// share is divided by 12 and rounded half up to the cent, once.
func MonthlySeizable(s SeizureScale, monthlyIncome money.Cents, dependants int) money.Cents {
	annual := int64(monthlyIncome) * 12
	raise := int64(s.PerDependant) * int64(dependants)
	// Every band's fraction is brought to the common denominator l, so that
	// the share is the exact integer num / (12 l) until the one rounding.
	l := int64(1)
	for _, b := range s.Bands {
		l = lcm(l, b.Denominator)
	}
	if annual > 1e14 || raise > 1e14 || raise < 0 || l > 1e4 {
		// Beyond any real file (Check caps amounts): exact but slower.
		share := AnnualSeizable(s, money.Cents(annual), dependants)
		return money.RoundRat(share.Quo(share, big.NewRat(12, 1)))
	}
	var num, lower int64
	for i, b := range s.Bands {
		upper := int64(b.UpTo) + raise
		top := i == len(s.Bands)-1
		if top || annual < upper {
			upper = annual
		}
		if upper > lower && b.Denominator > 0 {
			num += (upper - lower) * b.Numerator * (l / b.Denominator)
		}
		if upper == annual {
			break
		}
		lower = upper
	}
	den := 12 * l
	return money.Cents((2*num + den) / (2 * den)) // half up: floor(x + 1/2)
}

// AnnualSeizable is the exact seizable share, in cents, of an annual net
// income under a year's scale, each band bound raised per dependant.
func AnnualSeizable(s SeizureScale, annual money.Cents, dependants int) *big.Rat {
	total, part := new(big.Rat), new(big.Rat)
	raise := new(big.Int).Mul(big.NewInt(int64(s.PerDependant)), big.NewInt(int64(dependants)))
	lower, upper, width := new(big.Int), new(big.Int), new(big.Int)
	a := big.NewInt(int64(annual))
	for i, b := range s.Bands {
		upper.Add(big.NewInt(int64(b.UpTo)), raise)
		if i == len(s.Bands)-1 || a.Cmp(upper) < 0 {
			upper.Set(a)
		}
		if upper.Cmp(lower) > 0 && b.Denominator > 0 {
			width.Sub(upper, lower)
			part.SetFrac(width.Mul(width, big.NewInt(b.Numerator)), big.NewInt(b.Denominator))
			total.Add(total, part)
		}
		if upper.Cmp(a) == 0 {
			break
		}
		lower.Set(upper)
	}
	return total
}

func lcm(a, b int64) int64 {
	if b <= 0 {
		return a
	}
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// plan computes the figures of an amicable payment plan. The seizable share
// comes from the scale of as_of's year on the annual income, then divided by
// 12; the reste à vivre must stay at or above the RSA for one person in
// force on as_of. Platform policy: max_instalment = min(monthly seizable
// share, income − charges − RSA), never below 0; a proposed instalment above
// it is unsustainable.
func (e *evaluator) plan() {
	h := e.in.Household
	const rule = "C. trav. R3252-2"
	scale, fit := e.p.scaleFor(e.asOf.Year)
	e.paramWarn("seizure_scale", fit, func() string {
		return "Le barème de saisie des rémunérations de " + strconv.Itoa(e.asOf.Year) + " n'est pas dans les tables : celui de " + strconv.Itoa(scale.Year) + " a été utilisé."
	})
	rsa, rfit := amountOn(e.p.RSA, e.asOf)
	e.paramWarn("rsa_single_person", rfit, func() string {
		return "Le montant du RSA pour une personne seule en vigueur le " + frDate(e.asOf) + " n'est pas dans les tables : le dernier connu (" + frMoney(rsa.Amount) + ", depuis le " + frDate(rsa.From) + ") a été utilisé."
	})
	if fit == fitNone || rfit == fitNone {
		return
	}

	annual := h.MonthlyNetIncome * 12
	monthly := MonthlySeizable(scale, h.MonthlyNetIncome, h.Dependants)
	disposable := h.MonthlyNetIncome - h.MonthlyCharges - rsa.Amount
	pl := &Plan{
		MonthlySeizable: monthly,
		MaxInstalment:   max(0, min(monthly, disposable)),
		RemainingIncome: h.MonthlyNetIncome - h.MonthlyCharges - h.ProposedInstalment,
		Rule:            rule,
	}
	pl.Sustainable = h.ProposedInstalment <= pl.MaxInstalment
	e.out.Plan = pl

	e.add(Info, CodePlanSeizable, rule,
		"Quotité saisissable (barème "+strconv.Itoa(scale.Year)+", "+frDependants(h.Dependants)+") calculée sur le revenu annuel de "+frMoney(annual)+" puis divisée par 12 : "+frMoney(monthly)+" par mois. Échéance maximale = min(quotité saisissable, revenus − charges − RSA de "+frMoney(rsa.Amount)+") = "+frMoney(pl.MaxInstalment)+".")

	switch {
	case h.ProposedInstalment == 0:
		if pl.MaxInstalment == 0 {
			e.add(Warning, CodePlanNoCapacity, rule,
				"Le débiteur n'a aucune capacité de remboursement : ses revenus moins ses charges ne dépassent pas le RSA pour une personne seule ("+frMoney(rsa.Amount)+"). Orientez-le vers la commission de surendettement plutôt que d'exiger un plan.")
		}
	case pl.Sustainable:
		e.add(Info, CodePlanSustainable, rule,
			"L'échéance proposée de "+frMoney(h.ProposedInstalment)+" respecte l'échéance maximale de "+frMoney(pl.MaxInstalment)+"."+e.planDuration(h.ProposedInstalment))
	default:
		why := ""
		if h.ProposedInstalment > monthly {
			why += " Elle dépasse la quotité saisissable (" + frMoney(monthly) + ") : même une saisie sur salaire ne prendrait pas autant."
		}
		if pl.RemainingIncome < rsa.Amount {
			why += " Après l'échéance, il resterait " + frMoney(pl.RemainingIncome) + " pour vivre, moins que le RSA pour une personne seule (" + frMoney(rsa.Amount) + ")."
		}
		e.add(Blocking, CodePlanUnsustainable, rule,
			"L'échéance proposée de "+frMoney(h.ProposedInstalment)+" n'est pas soutenable : le maximum est "+frMoney(pl.MaxInstalment)+"."+why)
	}

	switch {
	case e.collective != "":
		e.add(Blocking, CodePlanNotAllowed, "C. com. L622-7",
			"Aucun plan ne peut être conclu : le jugement d'ouverture interdit de payer les créances nées avant lui (C. com. L622-7) ; déclarez la créance.")
	case e.overIndebtedness() == "admissible":
		e.add(Blocking, CodePlanNotAllowed, "C. conso. L722-5",
			"Aucun plan amiable ne peut être conclu : depuis la recevabilité du dossier de surendettement, le débiteur ne peut plus payer ses dettes antérieures (C. conso. L722-5).")
	case e.overIndebtedness() == "personal_recovery":
		e.add(Blocking, CodePlanNotAllowed, "C. conso. L741-2",
			"Aucun plan ne peut être conclu : le rétablissement personnel a effacé la dette (C. conso. L741-2).")
	}
}

// planDuration says how many instalments clear the claimable total.
func (e *evaluator) planDuration(instalment money.Cents) string {
	if e.out.Claimable == nil || instalment <= 0 || e.out.Claimable.Total <= 0 {
		return ""
	}
	total := e.out.Claimable.Total
	n := (int64(total) + int64(instalment) - 1) / int64(instalment)
	s := " À ce rythme, les " + frMoney(total) + " réclamables sont réglés en " + strconv.FormatInt(n, 10) + " échéance"
	if n > 1 {
		s += "s"
	}
	s += "."
	if e.overIndebtedness() == "plan" && n > 84 {
		s += " C'est plus que les 7 ans qu'un plan de surendettement peut durer (C. conso. L732-3)."
	}
	return s
}

func frDependants(n int) string {
	switch n {
	case 0:
		return "sans personne à charge"
	case 1:
		return "1 personne à charge"
	}
	return strconv.Itoa(n) + " personnes à charge"
}
