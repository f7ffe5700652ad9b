package law

import (
	"slices"
	"time"

	"github.com/ancr/cqp/internal/civil"
)

// LimitationPeriod is the period a claim kind gives the creditor to act.
type LimitationPeriod struct {
	Years      int
	Rule       string
	StartsFrom string // what starts_on means for this kind, in French
	Forclusion bool   // a forclusion: acknowledgment and payment do not interrupt it
}

// PeriodFor returns the period of a claim kind (docs/domain.md §5 table).
func PeriodFor(kind string) (LimitationPeriod, bool) {
	switch kind {
	case "consumer":
		// For works and services the claim is exigible, and the period
		// starts, on their completion, not on the invoice date (Cass. 1re
		// civ., 19 mai 2021, n° 20-12.520): starts_on is then that day.
		return LimitationPeriod{2, "C. conso. L218-2", "la date d'exigibilité (pour des travaux ou des services, leur achèvement)", false}, true
	case "consumer_credit":
		return LimitationPeriod{2, "C. conso. R312-35", "le premier incident de paiement non régularisé", true}, true
	case "residential_rent":
		// Loi 89-462 art. 7-1 governs every action born of a residential
		// lease, even a professional landlord's (not C. conso. L218-2).
		return LimitationPeriod{3, "loi n° 89-462 art. 7-1", "la date d'exigibilité du loyer", false}, true
	case "commercial":
		return LimitationPeriod{5, "C. com. L110-4", "la date d'exigibilité", false}, true
	case "civil":
		return LimitationPeriod{5, "C. civ. 2224", "la date d'exigibilité", false}, true
	case "executory_title":
		return LimitationPeriod{10, "CPCE L111-4", "la signification du titre exécutoire", false}, true
	}
	return LimitationPeriod{}, false
}

// limitation works out the last day to act. A period of N years from day s
// ends on s + N years (month-end rule for 29 February), the claim being
// barred from the day after (C. civ. 2229), with no extension to the next
// working day (Cass. 2e civ., 7 avril 2016, n° 15-12.960). An interruption
// starts a new period of the same length on its day (C. civ. 2231).
func (e *evaluator) limitation() {
	c := e.claim
	pr, ok := PeriodFor(c.Kind)
	if !ok {
		e.add(Blocking, CodeUnknownClaimKind, "", "Nature de créance inconnue (« "+c.Kind+" ») : le délai de prescription ne peut pas être déterminé.")
		return
	}
	e.kindMismatch(pr)

	start := c.StartsOn
	end := start.AddYears(pr.Years)
	// protected is the latest end that a court claim or an enforcement act
	// gave: the 20-year long stop of C. civ. 2232 never cuts those short.
	protected := end
	longStop := start.AddYears(20)
	lim := &Limitation{PeriodYears: pr.Years, Rule: pr.Rule, Nature: "prescription", InterruptedBy: []EventRef{}}
	if pr.Forclusion {
		lim.Nature = "forclusion"
	}

	for _, ev := range sortedEvents(c.Events) {
		if ev.On.After(e.asOf) {
			continue // not yet happened on as_of (Check refuses it)
		}
		article, interrupts := interruption(ev.Kind, pr.Forclusion)
		switch {
		case ev.Kind == "formal_notice" || ev.Kind == "reminder":
			e.add(Info, CodeNotInterruptive, "C. civ. 2240 à 2244",
				capitalise(frEvent(ev.Kind))+" du "+frDate(ev.On)+" n'interrompt pas la prescription, même envoyée en recommandé (Cass. com., 18 mai 2022, n° 20-23.204) : seuls une reconnaissance du débiteur, une demande en justice ou un acte d'exécution forcée l'interrompent.")
			continue
		case ev.Kind == "conciliation_attempt":
			// C. civ. 2238 suspends rather than interrupts, until the attempt
			// ends (then at least 6 more months): the file does not say when
			// it ended, so the last day stays the prudent, unsuspended one.
			e.add(Info, CodeConciliationSuspends, "C. civ. 2238",
				capitalise(frEvent(ev.Kind))+" du "+frDate(ev.On)+" n'interrompt pas la prescription : elle la suspend jusqu'à sa fin, le délai recommençant alors à courir pour au moins 6 mois (C. civ. 2238). Sa date de fin n'étant pas au dossier, le dernier jour indiqué ne tient pas compte de cette suspension : c'est la date prudente.")
			continue
		case !interrupts && pr.Forclusion && (ev.Kind == "partial_payment" || ev.Kind == "acknowledgment"):
			e.add(Warning, CodeForclusionNotInterrupted, "C. civ. 2220 ; C. conso. R312-35",
				capitalise(frEvent(ev.Kind))+" du "+frDate(ev.On)+" n'interrompt pas le délai de 2 ans : pour un crédit à la consommation c'est une forclusion, que seules une action en justice (C. civ. 2241) ou une mesure d'exécution (C. civ. 2244) engagées à temps arrêtent. Un paiement qui régularise les échéances impayées peut en revanche déplacer le premier incident non régularisé : vérifiez la date de départ.")
			continue
		case !interrupts:
			continue
		case ev.On.Before(start):
			e.add(Info, CodeEventBeforeStart, article,
				capitalise(frEvent(ev.Kind))+" du "+frDate(ev.On)+" précède le point de départ du délai ("+frDate(start)+") : il n'interrompt rien, le délai ne courait pas encore.")
			continue
		case ev.On.After(end):
			msg := capitalise(frEvent(ev.Kind)) + " du " + frDate(ev.On) + " intervient après le dernier jour du délai (" + frDate(end) + ") : il ne fait pas revivre une créance déjà " + barredWord(pr) + "."
			if ev.Kind == "partial_payment" {
				msg += " La somme versée reste acquise au créancier (C. civ. 2249), mais seule une renonciation non équivoque du débiteur à la prescription (C. civ. 2251) lui ôterait le droit de l'invoquer."
			}
			e.add(Warning, CodeEventAfterBar, "C. civ. 2231 ; 2249", msg)
			continue
		}

		newEnd := ev.On.AddYears(pr.Years)
		capped := false
		if ev.Kind == "court_claim" || ev.Kind == "enforcement_act" {
			if newEnd.After(protected) {
				protected = newEnd
			}
		} else if c.Kind != "executory_title" && newEnd.After(longStop) && newEnd.After(protected) {
			// The long stop runs from the birth of the right, which starts_on
			// is for every kind but an executory title (whose right is older).
			newEnd, capped = latest(longStop, protected), true
		}
		if newEnd.After(end) {
			end = newEnd
		}
		lim.InterruptedBy = append(lim.InterruptedBy, EventRef{Kind: ev.Kind, On: ev.On})
		msg := capitalise(frEvent(ev.Kind)) + " du " + frDate(ev.On) + " interrompt le délai (" + article + ") : un nouveau délai de " + frYears(pr.Years) + " court à partir de ce jour"
		if ev.Kind == "partial_payment" {
			msg = "Le paiement partiel du " + frDate(ev.On) + " vaut reconnaissance de la dette et interrompt le délai (" + article + ") : un nouveau délai de " + frYears(pr.Years) + " court à partir de ce jour, pour toute la dette"
		}
		e.add(Info, CodeInterruption, article, msg+", jusqu'au "+frDate(ev.On.AddYears(pr.Years))+" inclus.")
		if capped {
			e.add(Warning, CodeLongStop, "C. civ. 2232",
				"Les reconnaissances successives ne peuvent pas porter la prescription au-delà de 20 ans après la naissance du droit (C. civ. 2232) : le dernier jour est ramené au "+frDate(newEnd)+".")
		}
		if ev.Kind == "court_claim" {
			e.add(Info, CodeCourtClaimPending, "C. civ. 2242 ; 2243",
				"L'interruption par la demande en justice du "+frDate(ev.On)+" dure jusqu'à la fin de l'instance (C. civ. 2242) : la date retenue ici suppose l'instance close le jour même. Un jugement de condamnation devient un titre exécutoire (10 ans, CPCE L111-4) ; un désistement, une péremption ou un rejet définitif rendent l'interruption non avenue (C. civ. 2243).")
		}
	}

	lim.LastDay = end
	lim.Barred = e.asOf.After(end)
	e.barred = lim.Barred
	e.out.Limitation = lim

	switch {
	case lim.Barred && pr.Forclusion:
		e.add(Blocking, CodeForclusionAcquired, pr.Rule+" ; C. civ. 2229",
			"L'action en paiement du crédit est forclose depuis le "+frDate(end.AddDays(1))+" : elle devait être portée devant le juge au plus tard le "+frDate(end)+" ("+pr.Rule+"). Aucune action en justice n'est plus possible ; arrêtez le recouvrement et informez le créancier.")
	case lim.Barred:
		e.add(Blocking, CodeLimitationBarred, pr.Rule+" ; C. civ. 2229",
			"La créance est prescrite depuis le "+frDate(end.AddDays(1))+" : le délai de "+frYears(pr.Years)+" ("+pr.Rule+") courait depuis "+pr.StartsFrom+" et son dernier jour était le "+frDate(end)+". Aucune action en justice n'est plus possible ; arrêtez le recouvrement et informez le créancier. Un paiement volontaire reste acquis (C. civ. 2249).")
	default:
		left := e.asOf.DaysUntil(end)
		from := pr.StartsFrom
		if n := len(lim.InterruptedBy); n > 0 {
			from = "la dernière interruption (" + frDate(lim.InterruptedBy[n-1].On) + ")"
		}
		e.add(Info, CodeLimitationRunning, pr.Rule,
			"Délai de "+frYears(pr.Years)+" ("+pr.Rule+") à compter de "+from+" : le dernier jour pour agir est le "+frDate(end)+" (encore "+frDays(left)+" après le "+frDate(e.asOf)+" ; "+barredWord(pr)+" le lendemain).")
	}
	if wd := end.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
		e.add(Info, CodeLastDayNotExtended, "C. civ. 2229",
			"Le dernier jour ("+frDate(end)+") tombe un "+frWeekday(wd)+" : un délai de prescription n'est pas reporté au premier jour ouvrable suivant (Cass. 2e civ., 7 avril 2016, n° 15-12.960) ; agissez avant.")
	}
}

// interruption says whether an event interrupts the period and under which
// article. A forclusion is interrupted only by a court claim or an
// enforcement measure, which C. civ. 2241 and 2244 name expressly.
func interruption(kind string, forclusion bool) (string, bool) {
	switch kind {
	case "acknowledgment", "partial_payment":
		return "C. civ. 2240", !forclusion
	case "court_claim":
		return "C. civ. 2241", true
	case "enforcement_act":
		return "C. civ. 2244", true
	}
	return "", false
}

func (e *evaluator) kindMismatch(pr LimitationPeriod) {
	switch {
	case e.claim.Kind == "consumer" && e.debtor == "professional":
		e.add(Warning, CodeKindMismatch, "C. conso. L218-2 ; C. com. L110-4",
			"La prescription de 2 ans de L218-2 ne protège que le consommateur : envers un débiteur professionnel, la créance relève en principe de C. com. L110-4 (5 ans). Vérifiez la nature de la créance.")
	case e.claim.Kind == "commercial" && e.debtor == "consumer":
		e.add(Warning, CodeKindMismatch, "C. conso. L218-2",
			"Un professionnel qui réclame le prix de biens ou de services fournis à un consommateur agit dans les 2 ans (C. conso. L218-2), et non dans les 5 ans de C. com. L110-4. Vérifiez la nature de la créance.")
	}
}

func barredWord(pr LimitationPeriod) string {
	if pr.Forclusion {
		return "forclose"
	}
	return "prescrite"
}

func frWeekday(wd time.Weekday) string {
	if wd == time.Saturday {
		return "samedi"
	}
	return "dimanche"
}

func latest(a, b civil.Date) civil.Date {
	if a.After(b) {
		return a
	}
	return b
}

// sortedEvents returns the events by date, keeping the file's order on a tie.
func sortedEvents(events []Event) []Event {
	if slices.IsSortedFunc(events, func(a, b Event) int { return a.On.Compare(b.On) }) {
		return events
	}
	s := slices.Clone(events)
	slices.SortStableFunc(s, func(a, b Event) int { return a.On.Compare(b.On) })
	return s
}
