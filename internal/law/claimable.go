package law

import (
	"github.com/ancr/cqp/internal/money"
)

// claimable sorts what the creditor asks into what the debtor owes and what
// the law refuses. The principal is the claim less the partial payments; the
// total adds the allowed items and, when late_penalty is given, the late
// penalties or interest the engine computes itself.
func (e *evaluator) claimable() {
	c := e.claim
	var paid money.Cents
	for _, ev := range c.Events {
		if ev.Kind == "partial_payment" && ev.Amount > 0 && !ev.On.After(e.asOf) {
			paid += ev.Amount
		}
	}
	cl := &Claimable{Principal: c.Principal - paid, Allowed: []Item{}, Refused: []Item{}}
	rules := []string{"CPCE L111-8"}
	switch {
	case cl.Principal < 0:
		e.add(Warning, CodeOverpaid, "C. civ. 1302",
			"Les paiements reçus ("+frMoney(paid)+") dépassent le principal ("+frMoney(c.Principal)+") : le principal est soldé et le trop-perçu de "+frMoney(-cl.Principal)+" doit être restitué s'il ne couvre pas des intérêts ou accessoires dus (C. civ. 1302).")
		cl.Principal = 0
	case cl.Principal == 0 && paid > 0:
		e.add(Info, CodePaidInFull, "C. civ. 1342",
			"Les paiements reçus ("+frMoney(paid)+") soldent le principal : seuls des intérêts ou accessoires dus peuvent encore être réclamés.")
	}

	// The engine's own computation, when asked for, replaces what the
	// creditor requested as penalties or interest: the requests are only
	// checked against it.
	var computed *Item
	afterJudgment := false // the opening judgment forbade paying on the due date
	if e.collective != "" && asksForLateness(c) {
		before, _ := e.dueBeforeJudgment()
		afterJudgment = !before
	}
	if c.LatePenalty != nil {
		computed = e.latePenalty(c.LatePenalty)
		switch {
		case computed == nil:
		case afterJudgment:
			computed.Rule = "C. com. L622-7 ; L622-28"
			cl.Refused = append(cl.Refused, *computed)
			rules = append(rules, computed.Rule)
		default:
			cl.Allowed = append(cl.Allowed, *computed)
			rules = append(rules, computed.Rule)
			e.interestLike += computed.Amount
		}
	}
	budget := money.Cents(0)
	if computed != nil && !afterJudgment {
		budget = computed.Amount
	}
	indemnityLeft := money.Cents(-1) // unknown until the first indemnity item

	for _, it := range c.RequestedItems {
		label := it.Label
		if label == "" {
			label = defaultLabel(it.Kind)
		}
		item := Item{Kind: it.Kind, Label: label, Amount: it.Amount}
		switch it.Kind {
		case "collection_fee", "file_fee":
			e.fee(cl, item)
		case "fixed_indemnity":
			e.indemnity(cl, item, &indemnityLeft)
			rules = append(rules, "C. com. L441-10")
		case "late_penalty", "interest":
			if afterJudgment {
				e.refusedAfterJudgment(cl, item)
				continue
			}
			if c.LatePenalty != nil {
				covered := min(item.Amount, budget)
				budget -= covered
				if excess := item.Amount - covered; excess > 0 {
					item.Amount, item.Label = excess, label+" (excédent sur le calcul)"
					item.Rule = "C. com. L441-10 ; C. civ. 1231-6"
					if computed != nil {
						item.Rule = computed.Rule
					}
					cl.Refused = append(cl.Refused, item)
					e.add(Warning, CodeRequestedExcess, item.Rule,
						"« "+label+" » ("+frMoney(it.Amount)+") dépasse ce que la loi permet de réclamer au titre du retard : l'excédent de "+frMoney(excess)+" est refusé ; seul le montant calculé figure au décompte.")
				}
				continue
			}
			e.unverifiedInterest(cl, item)
		default: // "other"
			item.Rule = "C. civ. 1353"
			cl.Allowed = append(cl.Allowed, item)
			e.add(Info, CodeOtherItemToJustify, "C. civ. 1353 ; CPCE R124-4 3°",
				"« "+label+" » ("+frMoney(it.Amount)+") n'est dû que si le créancier en prouve le fondement (C. civ. 1353) ; la lettre doit l'indiquer distinctement (CPCE R124-4 3°).")
		}
	}

	cl.Total = cl.Principal
	for _, it := range cl.Allowed {
		cl.Total += it.Amount
	}
	cl.Rule = joinRules(rules)
	e.out.Claimable = cl
}

// asksForLateness says whether the file claims anything for late payment
// (penalties, interest, the fixed indemnity): only then does the date of an
// opening judgment matter to the claimable sums.
func asksForLateness(c *Claim) bool {
	if c.LatePenalty != nil {
		return true
	}
	for _, it := range c.RequestedItems {
		switch it.Kind {
		case "late_penalty", "interest", "fixed_indemnity":
			return true
		}
	}
	return false
}

// fee decides a collection or file fee: amicable collection costs stay with
// the creditor without an executory title (CPCE L111-8 al. 2), whatever the
// contract says.
func (e *evaluator) fee(cl *Claimable, item Item) {
	if e.claim.Kind == "executory_title" {
		item.Rule = "CPCE L111-8 al. 1"
		cl.Allowed = append(cl.Allowed, item)
		e.add(Warning, CodeFeeWithTitle, item.Rule,
			"Avec un titre exécutoire, « "+item.Label+" » ("+frMoney(item.Amount)+") n'est à la charge du débiteur que s'il s'agit de frais de l'exécution forcée qui étaient nécessaires (CPCE L111-8 al. 1) ; les honoraires d'un recouvrement amiable restent au créancier.")
		return
	}
	item.Rule = "CPCE L111-8 al. 2"
	cl.Refused = append(cl.Refused, item)
	msg := "« " + item.Label + " » (" + frMoney(item.Amount) + ") est refusé : sans titre exécutoire, les frais de recouvrement restent à la charge du créancier et toute clause contraire est réputée non écrite (CPCE L111-8 al. 2)."
	switch {
	case e.b2b:
		msg += " Entre professionnels, seule l'indemnité forfaitaire de 40 € est due de plein droit ; des frais supérieurs ne peuvent être demandés qu'en les justifiant (C. com. L441-10 II)."
	case e.claim.Kind == "residential_rent":
		msg += " Le bail d'habitation ne peut pas non plus mettre de frais de relance à la charge du locataire (loi n° 89-462 art. 4 p)."
	}
	if e.debtor == "consumer" {
		e.undueFees = append(e.undueFees, item.Label)
	}
	e.add(Warning, CodeFeeRefused, item.Rule, msg)
}

// indemnity decides the 40 € fixed indemnity for collection costs: owed only
// by a professional to a professional for a late invoice, never by a
// consumer. In a collective proceeding it is owed for an invoice that fell
// due before the opening judgment (the debtor was late on its own account;
// the indemnity goes into the declared claim), not for one falling due on or
// after it, since the judgment is what forbids paying it (C. com. L441-10 II,
// D441-5, L622-7).
func (e *evaluator) indemnity(cl *Claimable, item Item, left *money.Cents) {
	const rule = "C. com. L441-10 II ; D441-5"
	item.Rule = rule
	refuse := func(why string) {
		cl.Refused = append(cl.Refused, item)
		if e.debtor == "consumer" {
			e.undueFees = append(e.undueFees, item.Label)
		}
		e.add(Warning, CodeIndemnityRefused, item.Rule, "L'indemnité forfaitaire pour frais de recouvrement ("+frMoney(item.Amount)+") est refusée : "+why)
	}
	switch {
	case e.debtor == "consumer":
		refuse("un consommateur ne la doit jamais ; elle ne vaut qu'entre professionnels (C. com. L441-10 II).")
		return
	case !e.b2b:
		refuse("elle n'est due que par un professionnel à un professionnel, pour une facture payée en retard (C. com. L441-10 II).")
		return
	}
	declared := ""
	if e.collective != "" {
		before, j := e.dueBeforeJudgment()
		if !before {
			item.Rule = "C. com. L441-10 II ; D441-5 ; L622-7"
			refuse("la facture est échue le " + frDate(e.claim.StartsOn) + ", après le jugement d'ouverture du " + frDate(j) + " ou le jour même : c'est le jugement qui interdit au débiteur de la payer à l'échéance (C. com. L622-7), il n'est donc pas en retard de son fait et l'indemnité n'est pas due (C. com. L441-10 II ; D441-5).")
			return
		}
		declared = " La facture étant échue le " + frDate(e.claim.StartsOn) + ", avant le jugement d'ouverture du " + frDate(j) + ", l'indemnité fait partie de la créance à déclarer au " + e.proceedingOfficer() + " (C. com. L622-24) ; elle ne peut pas être payée hors procédure (L622-7)."
	}
	if *left < 0 {
		day := e.claim.StartsOn.AddDays(1) // owed from the first day of delay
		v, fit := amountOn(e.p.FixedIndemnity, day)
		e.paramWarn("fixed_indemnity", fit, func() string {
			return "Le montant de l'indemnité forfaitaire en vigueur le " + frDate(day) + " n'est pas dans les tables : " + frMoney(v.Amount) + " a été retenu."
		})
		if fit == fitNone {
			cl.Refused = append(cl.Refused, item)
			return
		}
		*left = v.Amount
	}
	allowed := min(item.Amount, *left)
	*left -= allowed
	if allowed > 0 {
		a := item
		a.Amount = allowed
		cl.Allowed = append(cl.Allowed, a)
		e.add(Info, CodeIndemnityAllowed, rule,
			"Le débiteur professionnel doit de plein droit l'indemnité forfaitaire de "+frMoney(allowed)+" pour cette facture payée en retard (C. com. L441-10 II, D441-5), sans rappel préalable."+declared)
	}
	if excess := item.Amount - allowed; excess > 0 {
		r := item
		r.Amount, r.Label = excess, item.Label+" (excédent)"
		cl.Refused = append(cl.Refused, r)
		e.add(Warning, CodeIndemnityCapped, rule,
			"L'indemnité forfaitaire est fixée par décret à une somme par facture (D441-5) : "+frMoney(excess)+" demandés en plus sont refusés ; des frais supérieurs ne s'obtiennent que sur justification (C. com. L441-10 II).")
	}
}

// refusedAfterJudgment refuses a penalty or interest the creditor requests on
// an invoice that fell due on or after the opening judgment of the debtor's
// collective proceeding: the judgment forbids paying it (C. com. L622-7) and
// stops interest (L622-28), so the debtor was never late on its own account.
func (e *evaluator) refusedAfterJudgment(cl *Claimable, item Item) {
	item.Rule = "C. com. L622-7 ; L622-28"
	cl.Refused = append(cl.Refused, item)
	_, j := e.dueBeforeJudgment()
	e.add(Warning, CodePenaltyAfterJudgment, item.Rule,
		"« "+item.Label+" » ("+frMoney(item.Amount)+") est refusé : la facture est échue le "+frDate(e.claim.StartsOn)+", après le jugement d'ouverture du "+frDate(j)+" ou le jour même ; le jugement interdit de la payer (C. com. L622-7) et arrête le cours des intérêts et pénalités (L622-28), aucun retard n'est imputable au débiteur.")
}

// unverifiedInterest decides a penalty or interest the creditor requests
// without late_penalty data for the engine to compute it.
func (e *evaluator) unverifiedInterest(cl *Claimable, item Item) {
	switch {
	case item.Kind == "late_penalty" && e.claim.Kind == "residential_rent":
		item.Rule = "loi n° 89-462 art. 4 i)"
		cl.Refused = append(cl.Refused, item)
		e.add(Warning, CodeRentPenaltyVoid, item.Rule,
			"« "+item.Label+" » est refusé : dans un bail d'habitation, la clause qui prévoit des pénalités de retard est réputée non écrite (loi n° 89-462 art. 4 i)) ; seuls les intérêts au taux légal courent, à compter d'une mise en demeure (C. civ. 1231-6).")
		return
	case item.Kind == "late_penalty" && e.b2b:
		item.Rule = "C. com. L441-10 II"
	case item.Kind == "late_penalty":
		item.Rule = "C. civ. 1231-5"
		e.add(Info, CodeContractualInterest, item.Rule,
			"Envers un non-professionnel, « "+item.Label+" » n'est dû que si le contrat le prévoit ; le juge peut réduire une pénalité manifestement excessive (C. civ. 1231-5).")
	default:
		item.Rule = "C. civ. 1231-6"
	}
	cl.Allowed = append(cl.Allowed, item)
	e.interestLike += item.Amount
	if e.collective != "" {
		_, j := e.dueBeforeJudgment()
		e.add(Warning, CodePenaltyStopped, "C. com. L622-28 ; L622-24",
			"« "+item.Label+" » n'est dû que pour la période qui précède le jugement d'ouverture du "+frDate(j)+" : le jugement arrête le cours des intérêts et pénalités (C. com. L622-28) ; le montant arrêté à la veille du jugement est à inclure dans la créance déclarée au "+e.proceedingOfficer()+" (L622-24).")
	}
	e.add(Info, CodePenaltyNotVerified, item.Rule,
		"« "+item.Label+" » ("+frMoney(item.Amount)+") est repris tel que demandé : donnez le taux et la date de paiement (late_penalty) pour que le montant soit calculé et vérifié.")
}

func defaultLabel(kind string) string {
	switch kind {
	case "collection_fee":
		return "Frais de recouvrement"
	case "file_fee":
		return "Frais de dossier"
	case "fixed_indemnity":
		return "Indemnité forfaitaire pour frais de recouvrement"
	case "late_penalty":
		return "Pénalités de retard"
	case "interest":
		return "Intérêts de retard"
	}
	return "Autre somme"
}
