package law

import "github.com/ancr/cqp/internal/civil"

// situation says what the debtor's situation allows: whether amicable
// collection may go on, whether a payment may be accepted, whom to deal with,
// the deadlines that run, and the next steps in order — the situation's own
// steps first, then the letter and the plan, then the court steps that
// follow an amicable failure.
func (e *evaluator) situation() {
	s := &Situation{
		AmicableCollectionAllowed: true,
		AcceptPayments:            true,
		Contacts:                  []string{},
		Deadlines:                 []Deadline{},
		NextSteps:                 []string{},
	}
	courtSteps := !e.barred

	if e.barred {
		// A barred debt survives as a natural obligation: what the debtor
		// pays of his own will stays paid (C. civ. 2249), nothing more.
		s.AmicableCollectionAllowed = false
		s.NextSteps = appendOnce(s.NextSteps, StepStopCollection, StepInformCreditor)
		e.sitRules = append(e.sitRules, "C. civ. 2249")
	}

	if d := e.in.Debtor; d != nil {
		if !e.overIndebtednessSituation(s) {
			courtSteps = false
		}
		e.protectionSituation(s)
		if e.collective != "" {
			courtSteps = false
			e.proceedingSituation(s, d.CollectiveProceeding)
		}
		if !d.DeceasedOn.IsZero() {
			courtSteps = false
			e.deceasedSituation(s, d.DeceasedOn)
		}
	}

	e.remittanceSituation(s)
	if lt := e.out.Letter; lt != nil && !lt.Compliant && s.AmicableCollectionAllowed {
		s.NextSteps = appendOnce(s.NextSteps, StepSendCompliantLetter)
	}
	if pl := e.out.Plan; pl != nil && s.AmicableCollectionAllowed && s.AcceptPayments && e.in.Household.ProposedInstalment > 0 {
		if pl.Sustainable {
			s.NextSteps = appendOnce(s.NextSteps, StepAgreePlan)
		} else {
			s.NextSteps = appendOnce(s.NextSteps, StepRevisePlan)
		}
	}
	if courtSteps && e.out.Claimable != nil && e.out.Limitation != nil {
		e.courtSteps(s)
	}

	s.Rule = joinRules(e.sitRules)
	e.out.Situation = s
}

// overIndebtednessSituation applies the Banque de France procedure; it
// reports whether court steps remain open.
func (e *evaluator) overIndebtednessSituation(s *Situation) bool {
	switch e.overIndebtedness() {
	case "filed":
		s.Contacts = appendOnce(s.Contacts, ContactBanqueDeFrance)
		s.NextSteps = appendOnce(s.NextSteps, StepInformCreditor)
		e.sitRules = append(e.sitRules, "C. conso. L721-4")
		e.add(Warning, CodeOverIndebtednessFiled, "C. conso. L721-4",
			"Le débiteur a déposé un dossier de surendettement : le recouvrement amiable peut continuer, mais la commission peut faire suspendre les procédures d'exécution (C. conso. L721-4) et, dès la recevabilité, tout paiement des dettes antérieures sera interdit. Informez le créancier et ne proposez rien qui aggrave la situation.")
	case "admissible":
		s.AmicableCollectionAllowed, s.AcceptPayments = false, false
		s.Contacts = appendOnce(s.Contacts, ContactBanqueDeFrance)
		s.NextSteps = appendOnce(s.NextSteps, StepStopCollection, StepInformCreditor, StepJustifyClaim)
		e.sitRules = append(e.sitRules, "C. conso. L722-2", "C. conso. L722-5")
		e.add(Blocking, CodeOverIndebtednessAdmissible, "C. conso. L722-2 ; L722-5",
			"Le dossier de surendettement est recevable : les procédures d'exécution sont suspendues (C. conso. L722-2) et le débiteur ne peut plus payer ses dettes antérieures (L722-5). Arrêtez le recouvrement amiable, n'acceptez aucun paiement, informez le créancier et justifiez la créance dans les 30 jours de l'état du passif adressé par la commission.")
		return false
	case "plan":
		s.AmicableCollectionAllowed = false
		s.Contacts = appendOnce(s.Contacts, ContactBanqueDeFrance)
		s.NextSteps = appendOnce(s.NextSteps, StepFollowPlan)
		e.sitRules = append(e.sitRules, "C. conso. L732-3")
		e.add(Warning, CodeOverIndebtednessPlan, "C. conso. L732-3",
			"Un plan ou des mesures de surendettement s'appliquent : seules les échéances qu'ils prévoient peuvent être encaissées, sans autre relance ; leur durée est au plus de 7 ans (C. conso. L732-3).")
		return false
	case "personal_recovery":
		s.AmicableCollectionAllowed, s.AcceptPayments = false, false
		s.NextSteps = appendOnce(s.NextSteps, StepStopCollection, StepInformCreditor, StepCloseFile)
		e.sitRules = append(e.sitRules, "C. conso. L741-2")
		e.add(Blocking, CodePersonalRecovery, "C. conso. L741-2",
			"Un rétablissement personnel a été prononcé : les dettes non professionnelles du débiteur sont effacées (C. conso. L741-2). Arrêtez le recouvrement, n'acceptez aucun paiement et clôturez le dossier après avoir informé le créancier.")
		return false
	}
	return true
}

func (e *evaluator) protectionSituation(s *Situation) {
	switch e.in.Debtor.Protection {
	case "tutelle":
		s.Contacts = appendOnce(s.Contacts, ContactTuteur)
		s.NextSteps = appendOnce(s.NextSteps, StepWriteToTuteur)
		e.sitRules = append(e.sitRules, "C. civ. 440 ; 473")
		e.add(Warning, CodeTutelle, "C. civ. 440 ; 473",
			"Le débiteur est sous tutelle : le tuteur le représente dans tous les actes de la vie civile (C. civ. 473). Adressez-vous uniquement au tuteur (souvent une UDAF), jamais directement au majeur protégé.")
	case "curatelle", "curatelle_renforcee":
		s.Contacts = appendOnce(s.Contacts, ContactCurateur)
		s.NextSteps = appendOnce(s.NextSteps, StepWriteToCurateur)
		e.sitRules = append(e.sitRules, "C. civ. 467 ; 472")
		msg := "Le débiteur est sous curatelle : écrivez à la fois au débiteur et à son curateur ; un plan de paiement, acte important, exige l'assistance du curateur (C. civ. 467)."
		if e.in.Debtor.Protection == "curatelle_renforcee" {
			msg = "Le débiteur est sous curatelle renforcée : le curateur perçoit ses revenus et règle ses dépenses (C. civ. 472). Écrivez au curateur et au débiteur ; un plan de paiement se négocie avec le curateur."
		}
		e.add(Warning, CodeCuratelle, "C. civ. 467 ; 472", msg)
	}
}

func (e *evaluator) proceedingSituation(s *Situation, cp *CollectiveProceeding) {
	s.AmicableCollectionAllowed, s.AcceptPayments = false, false
	contact, who := ContactMandataireJudiciaire, e.proceedingOfficer()
	if cp.Kind == "liquidation" {
		contact = ContactLiquidateur
	}
	s.Contacts = appendOnce(s.Contacts, contact)
	s.NextSteps = appendOnce(s.NextSteps, StepStopCollection, StepDeclareClaim)
	e.sitRules = append(e.sitRules, "C. com. L622-21", "C. com. L622-7", "C. com. R622-24")
	if e.debtor == "consumer" {
		e.add(Warning, CodeConsumerInProceeding, "C. com. L620-2",
			"Une procédure collective ne s'ouvre qu'à l'égard d'un professionnel (commerçant, artisan, agriculteur, entrepreneur individuel ou personne morale) : vérifiez la qualité du débiteur ; un consommateur relève du surendettement.")
	}
	msg := "Le débiteur est en " + proceedingName(cp.Kind) + " : les poursuites individuelles sont arrêtées (C. com. L622-21), aucun paiement des dettes antérieures ne peut être reçu (L622-7) et aucune injonction de payer n'est possible. L'indemnité forfaitaire et les pénalités de retard (arrêtées au jugement, L622-28) ne sont dues que pour les factures échues avant le jugement d'ouverture : elles entrent dans la créance déclarée. Déclarez la créance au " + who
	if cp.PublishedOn.IsZero() {
		e.add(Blocking, CodeCollectiveProceeding, "C. com. L622-21 ; R622-24", msg+" dans les 2 mois de la publication au BODACC (C. com. R622-24) : la date de publication manque au dossier.")
		return
	}
	due := cp.PublishedOn.AddMonths(2)
	s.Deadlines = append(s.Deadlines, Deadline{Kind: DeadlineClaimDeclaration, On: due, Rule: "C. com. R622-24"})
	e.add(Blocking, CodeCollectiveProceeding, "C. com. L622-21 ; R622-24",
		msg+" au plus tard le "+frDate(due)+" (2 mois après la publication au BODACC du "+frDate(cp.PublishedOn)+", C. com. R622-24 ; 4 mois pour un créancier établi hors de France).")
	if e.asOf.After(due) {
		s.NextSteps = appendOnce(s.NextSteps, StepReliefFromForeclosure)
		e.sitRules = append(e.sitRules, "C. com. L622-26")
		e.add(Blocking, CodeDeclarationLate, "C. com. L622-26",
			"Le délai de déclaration a expiré le "+frDate(due)+" : la créance non déclarée est inopposable à la procédure. Seul un relevé de forclusion, demandé au juge-commissaire dans les 6 mois de la publication, peut encore la sauver (C. com. L622-26).")
	}
}

// proceedingOfficer is who receives the declared claims: the liquidateur in
// a liquidation, the mandataire judiciaire otherwise (C. com. L622-20, L641-4).
func (e *evaluator) proceedingOfficer() string {
	if e.collective == "liquidation" {
		return "liquidateur"
	}
	return "mandataire judiciaire"
}

func proceedingName(kind string) string {
	switch kind {
	case "sauvegarde":
		return "sauvegarde"
	case "redressement":
		return "redressement judiciaire"
	}
	return "liquidation judiciaire"
}

// deceasedSituation: heirs owe nothing before they accept the estate; they
// cannot be compelled to choose before the four-month period from the death
// has expired (C. civ. 771): the period ends on the same day number four
// months later (or that month's last day, CPC 641), and a sommation d'opter
// may be served from the next day; it gives them 2 more months (772).
func (e *evaluator) deceasedSituation(s *Situation, died civil.Date) {
	s.AmicableCollectionAllowed = false
	s.Contacts = appendOnce(s.Contacts, ContactNotaire)
	s.NextSteps = appendOnce(s.NextSteps, StepContactNotaire)
	end := SommationPeriodEnd(died)
	from := end.AddDays(1)
	s.Deadlines = append(s.Deadlines, Deadline{Kind: DeadlineSommationDOpter, On: from, Rule: "C. civ. 771"})
	e.sitRules = append(e.sitRules, "C. civ. 771 ; 772")
	msg := "Le débiteur est décédé le " + frDate(died) + " : ses héritiers ne doivent rien tant qu'ils n'ont pas accepté la succession. Ne les relancez pas ; déclarez la créance au notaire chargé de la succession. "
	if e.asOf.Before(from) {
		msg += "Le délai de 4 mois pendant lequel aucun héritier ne peut être contraint d'opter expire le " + frDate(end) + " : le créancier pourra leur faire délivrer une sommation d'opter à partir du " + frDate(from) + ", lendemain de son expiration (C. civ. 771)."
	} else {
		s.NextSteps = appendOnce(s.NextSteps, StepSommationDOpter)
		msg += "Le délai de 4 mois a expiré le " + frDate(end) + " : depuis le " + frDate(from) + ", le créancier peut leur faire délivrer une sommation d'opter ; sans réponse dans les 2 mois, l'héritier est réputé acceptant pur et simple (C. civ. 771 ; 772)."
	}
	e.add(Warning, CodeDeceasedDebtor, "C. civ. 771 ; 772", msg)
}

// SommationPeriodEnd is the last day of the four months from the death during
// which no heir may be compelled to choose (C. civ. 771): the same day number
// four months later, or the last day of that month when it has none
// (CPC 641 al. 2). A sommation d'opter is possible from the day after.
func SommationPeriodEnd(died civil.Date) civil.Date { return died.AddMonths(4) }

// courtSteps lists what may follow an amicable failure. The collector never
// enforces: a commissaire de justice does, with a title. Without a title, up
// to the small-claims ceiling (principal and interest) the simplified
// procedure of CPCE L125-1 is open, or an amicable attempt (conciliation,
// mediation, CPC 750-1) then an injonction de payer; above it, an injonction
// de payer (CPC 1405).
func (e *evaluator) courtSteps(s *Situation) {
	if e.claim.Kind == "executory_title" {
		s.Contacts = appendOnce(s.Contacts, ContactCommissaireDeJustice)
		s.NextSteps = appendOnce(s.NextSteps, StepEnforceTitle)
		e.sitRules = append(e.sitRules, "CPCE L111-2 ; L122-1")
		e.add(Info, CodeEnforceTitle, "CPCE L111-2 ; L122-1",
			"Le créancier a un titre exécutoire : en cas d'échec amiable, seul un commissaire de justice peut procéder à l'exécution forcée (CPCE L122-1), jamais la personne chargée du recouvrement amiable.")
		return
	}
	amount := e.out.Claimable.Principal + e.interestLike
	if amount <= 0 {
		return
	}
	ceiling, fit := amountOn(e.p.SmallClaimsCeiling, e.asOf)
	e.paramWarn("small_claims_ceiling", fit, func() string {
		return "Le plafond de la procédure simplifiée en vigueur le " + frDate(e.asOf) + " n'est pas dans les tables : " + frMoney(ceiling.Amount) + " a été retenu."
	})
	if fit == fitNone {
		return
	}
	last := " Agissez au plus tard le " + frDate(e.out.Limitation.LastDay) + ", dernier jour du délai."
	if amount <= ceiling.Amount {
		s.Contacts = appendOnce(s.Contacts, ContactCommissaireDeJustice)
		s.NextSteps = appendOnce(s.NextSteps, StepSmallClaims, StepConciliation, StepInjonctionDePayer)
		e.sitRules = append(e.sitRules, "CPCE L125-1", "CPC 750-1")
		e.add(Info, CodeSmallClaims, "CPCE L125-1 ; CPC 750-1",
			"En cas d'échec amiable, la créance ("+frMoney(amount)+" en principal et intérêts) ne dépasse pas "+frMoney(ceiling.Amount)+" : procédure simplifiée de recouvrement des petites créances par un commissaire de justice (CPCE L125-1), ou tentative de conciliation ou de médiation (CPC 750-1) puis injonction de payer."+last)
		return
	}
	s.NextSteps = appendOnce(s.NextSteps, StepInjonctionDePayer)
	e.sitRules = append(e.sitRules, "CPC 1405")
	e.add(Info, CodeInjonctionDePayer, "CPC 1405",
		"En cas d'échec amiable, la créance ("+frMoney(amount)+" en principal et intérêts) dépasse "+frMoney(ceiling.Amount)+" : la procédure simplifiée n'est pas ouverte ; le créancier peut présenter une requête en injonction de payer (CPC 1405)."+last)
}

// remittanceSituation adds what the payments the collector holds call for:
// a receipt to the debtor, the funds to the creditor by their deadline
// (CPCE R124-6), whatever else the situation stops.
func (e *evaluator) remittanceSituation(s *Situation) {
	for _, r := range e.out.Remittances {
		if !r.ReceiptIssued {
			s.NextSteps = appendOnce(s.NextSteps, StepIssueReceipt)
		}
		if r.RemittedOn.IsZero() {
			s.Deadlines = append(s.Deadlines, Deadline{Kind: DeadlineRemittance, On: r.RemitBy, Rule: "CPCE R124-6"})
			s.NextSteps = appendOnce(s.NextSteps, StepRemitFunds)
		}
	}
	if len(e.out.Remittances) > 0 {
		e.sitRules = append(e.sitRules, "CPCE R124-6")
	}
}
