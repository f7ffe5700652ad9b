package law

import (
	"strings"

	"github.com/ancr/cqp/internal/money"
)

// mention is one of the five items CPCE R124-4 requires in the letter.
type mention struct {
	code, rule, what string
	present          func(*Letter) bool
}

var mentions = [...]mention{
	{MentionCollector, "CPCE R124-4 1°", "le nom et l'adresse de la personne chargée du recouvrement et l'indication qu'elle exerce une activité de recouvrement amiable",
		func(l *Letter) bool { return l.CollectorIdentity && l.StatesAmicableCollection }},
	{MentionCreditor, "CPCE R124-4 2°", "le nom et l'adresse du créancier",
		func(l *Letter) bool { return l.CreditorIdentity }},
	{MentionAmounts, "CPCE R124-4 3°", "le fondement et le montant de la somme due, en distinguant principal, intérêts et accessoires, sans les frais que L111-8 laisse au créancier",
		func(l *Letter) bool { return l.ItemisedAmounts }},
	{MentionDemand, "CPCE R124-4 4°", "l'invitation à payer la somme due et les modalités de paiement",
		func(l *Letter) bool { return l.PaymentDemand }},
	{MentionL111_8, "CPCE R124-4 5°", "la reproduction des alinéas 2 et 3 de l'article L111-8 du CPCE (frais de recouvrement à la charge du créancier)",
		func(l *Letter) bool { return l.ReproducesL111_8 }},
}

// letter checks a draft letter to the debtor: the five mentions of CPCE
// R124-4, in order (a missing one is a contravention, R124-7), and the
// faults that make it unlawful whatever it contains. The requested items of
// the claim are taken as what the letter claims.
func (e *evaluator) letter() {
	l := e.in.Letter
	lt := &LetterTest{Missing: []string{}, Violations: []string{}, Rule: "CPCE R124-4"}
	for _, m := range mentions {
		if m.present(l) {
			continue
		}
		lt.Missing = append(lt.Missing, m.code)
		e.add(Blocking, CodeMentionMissing, m.rule,
			"Mention manquante ("+m.code+") : la lettre doit contenir "+m.what+" ("+m.rule+") ; son absence est une contravention (CPCE R124-7).")
	}

	if l.ImitatesJudicialAct {
		lt.Violations = append(lt.Violations, ViolationJudicialImitation)
		e.add(Blocking, CodeJudicialImitation, "C. pén. 433-13",
			"La lettre ressemble à un acte judiciaire ou extrajudiciaire (présentation, vocabulaire de commandement, de signification ou de commissaire de justice) : c'est un délit puni d'un an d'emprisonnement et de 15 000 € d'amende (C. pén. 433-13 2°). Un courrier de recouvrement amiable doit se présenter comme tel.")
	}
	if l.ThreatensCourtAction {
		if why := e.courtActionImpossible(); why != "" {
			lt.Violations = append(lt.Violations, ViolationImpossibleThreat)
			e.add(Blocking, CodeImpossibleThreat, "C. conso. L121-6",
				"La lettre menace d'une action en justice que le créancier ne peut pas engager ("+why+") : menacer d'une action légalement impossible est une pratique agressive (C. conso. L121-6) et trompe le débiteur sur ses droits.")
		} else if amount, ceiling, ok := e.conciliationFirst(); ok {
			lt.Violations = append(lt.Violations, ViolationConciliationFirst)
			e.add(Blocking, CodeThreatConciliation, "CPC 750-1",
				"La lettre annonce une action en justice directe alors que la créance ("+frMoney(amount)+" en principal et intérêts) ne dépasse pas "+frMoney(ceiling)+" et qu'aucune tentative de conciliation, de médiation ou de procédure participative n'a eu lieu : une demande en justice serait irrecevable sans cette tentative préalable (CPC 750-1). La lettre doit proposer d'abord un conciliateur de justice ou un médiateur ; ne restent ouvertes sans elle que la procédure simplifiée de recouvrement des petites créances (CPCE L125-1) et la requête en injonction de payer.")
		} else {
			e.add(Info, CodeThreatToCheck, "C. conso. L121-6",
				"La lettre annonce une action en justice : ne l'écrivez que si le créancier peut et veut réellement l'engager ; une menace sans suite possible est une pratique agressive (C. conso. L121-6).")
		}
	}
	if len(e.undueFees) > 0 {
		lt.Violations = append(lt.Violations, ViolationUndueFees)
		e.add(Blocking, CodeUndueFeesInLetter, "CPCE L111-8 al. 2 ; R124-4 3°",
			"La lettre réclame au débiteur consommateur des sommes qu'il ne doit pas ("+strings.Join(e.undueFees, ", ")+") : les frais de recouvrement amiable restent au créancier (CPCE L111-8 al. 2) et doivent être exclus du décompte (R124-4 3°).")
	} else if e.out.Claimable != nil && hasRefusedFee(e.out.Claimable) {
		e.add(Warning, CodeFeesInLetterPro, "CPCE R124-4 3°",
			"Retirez de la lettre les frais refusés au décompte : R124-4 3° exclut du montant réclamé les frais que L111-8 laisse à la charge du créancier.")
	}

	lt.Compliant = len(lt.Missing) == 0 && len(lt.Violations) == 0
	if lt.Compliant {
		e.add(Info, CodeLetterCompliant, "CPCE R124-4",
			"La lettre contient les cinq mentions de CPCE R124-4 et ne présente aucun des manquements recherchés. Ses références et sa date d'envoi devront être rappelées lors de toute autre démarche amiable.")
	}
	e.out.Letter = lt
}

func hasRefusedFee(cl *Claimable) bool {
	for _, it := range cl.Refused {
		switch it.Kind {
		case "collection_fee", "file_fee", "fixed_indemnity":
			return true
		}
	}
	return false
}

// conciliationFirst reports whether a court claim would first need an
// attempt at conciliation, mediation or participatory procedure (CPC 750-1):
// a claim without an executory title of at most the ceiling (5 000 €,
// principal and interest, the same figure as the small-claims procedure of
// CPCE R125-1), with no such attempt recorded on or before as_of. It gives the
// amount and the ceiling it compared.
func (e *evaluator) conciliationFirst() (amount, ceiling money.Cents, required bool) {
	if e.claim.Kind == "executory_title" || e.out.Claimable == nil {
		return 0, 0, false
	}
	for _, ev := range e.claim.Events {
		if ev.Kind == "conciliation_attempt" && !ev.On.After(e.asOf) {
			return 0, 0, false
		}
	}
	amount = e.out.Claimable.Principal + e.interestLike
	c, fit := amountOn(e.p.SmallClaimsCeiling, e.asOf)
	e.paramWarn("small_claims_ceiling", fit, func() string {
		return "Le plafond de la procédure simplifiée en vigueur le " + frDate(e.asOf) + " n'est pas dans les tables : " + frMoney(c.Amount) + " a été retenu."
	})
	if fit == fitNone || amount <= 0 {
		return 0, 0, false
	}
	return amount, c.Amount, amount <= c.Amount
}

// courtActionImpossible says why no court action may be brought against the
// debtor now, or "" when one may.
func (e *evaluator) courtActionImpossible() string {
	switch {
	case e.barred && e.out.Limitation != nil && e.out.Limitation.Nature == "forclusion":
		return "l'action est forclose depuis le " + frDate(e.out.Limitation.LastDay.AddDays(1))
	case e.barred && e.out.Limitation != nil:
		return "la créance est prescrite depuis le " + frDate(e.out.Limitation.LastDay.AddDays(1))
	case e.collective != "":
		return "la procédure collective interrompt les poursuites individuelles, C. com. L622-21"
	}
	switch e.overIndebtedness() {
	case "admissible":
		return "le dossier de surendettement recevable suspend et interdit les procédures d'exécution, C. conso. L722-2"
	case "plan":
		return "les mesures de traitement du surendettement s'imposent au créancier tant que le débiteur les respecte"
	case "personal_recovery":
		return "le rétablissement personnel a effacé la dette, C. conso. L741-2"
	}
	return ""
}
