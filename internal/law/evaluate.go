package law

import (
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// Finding severities.
const (
	Blocking = "blocking" // the step may not be taken as it is
	Warning  = "warning"  // allowed, but something is refused, capped or uncertain
	Info     = "info"     // what the law says, for the trainee to learn
)

// Evaluate says what the law allows for the debt file in on in.AsOf, with the
// values of p in force on the dates each computation is about. It never
// fails: an input that Check would refuse yields whatever can still be said,
// with blocking findings, and never a panic.
func Evaluate(in Input, p Parameters) Output {
	e := &evaluator{in: in, p: p, asOf: in.AsOf}
	e.out.Findings = make([]Finding, 0, 24)
	if in.Claim == nil {
		e.add(Blocking, CodeClaimMissing, "", "Le dossier ne décrit aucune créance : rien ne peut être analysé sans sa nature, son montant et la date de départ du délai.")
		return e.out
	}
	e.claim = in.Claim
	e.classifyParties()
	e.limitation()
	e.claimable()
	e.remittances()
	if in.Letter != nil {
		e.letter()
	}
	if in.Household != nil {
		e.plan()
	}
	e.situation()
	return e.out
}

// evaluator carries one evaluation: the input, what earlier parts found, and
// the output being built.
type evaluator struct {
	in    Input
	p     Parameters
	asOf  civil.Date
	claim *Claim
	out   Output

	debtor, creditor string // consumer | professional | "" (unknown)
	b2b              bool   // both parties professional: C. com. L441-10 applies
	collective       string // sauvegarde | redressement | liquidation when one is open

	judgmentNoted bool // the fallback to the publication date has been reported

	barred        bool        // the period (prescription or forclusion) has run out
	interestLike  money.Cents // allowed interest and penalties (small-claims ceiling counts them)
	undueFees     []string    // labels of fees refused to a consumer (the letter may not claim them)
	paramWarnings []string    // tables already reported as outdated
	sitRules      []string    // rules behind the situation part
}

func (e *evaluator) add(severity, code, rule, message string) {
	e.out.Findings = append(e.out.Findings, Finding{Code: code, Severity: severity, Rule: rule, Message: message})
}

// paramWarn reports once per table that a value was missing and the nearest
// known one was used instead. msg is built only when needed.
func (e *evaluator) paramWarn(table string, fit paramFit, msg func() string) {
	if fit == fitExact {
		return
	}
	for _, t := range e.paramWarnings {
		if t == table {
			return
		}
	}
	e.paramWarnings = append(e.paramWarnings, table)
	if fit == fitNone {
		e.add(Blocking, CodeParameterMissing, "seed/parameters.json", "La table « "+table+" » est vide : le calcul qui en dépend n'a pas pu être fait.")
		return
	}
	e.add(Warning, CodeParameterMissing, "seed/parameters.json", msg()+" Un administrateur l'ajoute dans « Paramètres du droit » dès qu'elle est publiée.")
}

// classifyParties fills in the parties' kinds the file leaves out from what
// the claim kind implies (a consumer claim is owed by a consumer to a
// professional; a commercial claim is between professionals).
func (e *evaluator) classifyParties() {
	if d := e.in.Debtor; d != nil {
		e.debtor = d.Kind
		if cp := d.CollectiveProceeding; cp != nil && isProceeding(cp.Kind) {
			e.collective = cp.Kind
		}
	}
	if c := e.in.Creditor; c != nil {
		e.creditor = c.Kind
	}
	switch e.claim.Kind {
	case "consumer", "consumer_credit":
		e.debtor = orDefault(e.debtor, "consumer")
		e.creditor = orDefault(e.creditor, "professional")
	case "commercial":
		e.debtor = orDefault(e.debtor, "professional")
		e.creditor = orDefault(e.creditor, "professional")
	}
	e.b2b = e.debtor == "professional" && e.creditor == "professional"
}

// openingJudgment is the date of the opening judgment of the collective
// proceeding, or its BODACC publication date when the file does not give it
// (reported once: the publication follows the judgment by some days, so an
// invoice due in between is treated as due before it).
func (e *evaluator) openingJudgment() civil.Date {
	cp := e.in.Debtor.CollectiveProceeding
	if !cp.OpenedOn.IsZero() {
		return cp.OpenedOn
	}
	if !e.judgmentNoted && !cp.PublishedOn.IsZero() {
		e.judgmentNoted = true
		e.add(Warning, CodeJudgmentDateAssumed, "C. com. L622-7 ; L622-28 ; R621-8",
			"La date du jugement d'ouverture n'est pas au dossier : celle de la publication au BODACC ("+frDate(cp.PublishedOn)+") est retenue à sa place. Le jugement est antérieur à sa publication (C. com. R621-8) : relevez sa date sur l'extrait du BODACC, car c'est elle qui sépare les factures échues avant le jugement (indemnité forfaitaire et pénalités à déclarer) de celles échues après (C. com. L622-7 ; L622-28).")
	}
	return cp.PublishedOn
}

// dueBeforeJudgment says whether the claim fell due before the opening
// judgment of the debtor's collective proceeding: only then was the debtor
// late on its own account. The judgment takes effect from the first hour of
// its day, so an invoice due on that day could no longer be paid
// (C. com. L622-7).
func (e *evaluator) dueBeforeJudgment() (bool, civil.Date) {
	j := e.openingJudgment()
	if j.IsZero() {
		return true, j
	}
	return e.claim.StartsOn.Before(j), j
}

func isProceeding(kind string) bool {
	return kind == "sauvegarde" || kind == "redressement" || kind == "liquidation"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (e *evaluator) overIndebtedness() string {
	if e.in.Debtor == nil {
		return ""
	}
	return e.in.Debtor.OverIndebtedness
}

// French formatting for the findings.

// frDate writes 2026-11-01 as "1er novembre 2026".
func frDate(d civil.Date) string {
	if s := d.French(); s != "" {
		return s
	}
	return "(date inconnue)"
}

// frMoney writes 123456 as "1 234,56 €", exactly as money.Cents.French does
// (a test holds them equal), in one allocation instead of five: findings
// quote many amounts and the engine must stay within its time budget.
func frMoney(c money.Cents) string {
	var buf [32]byte
	v := uint64(c)
	neg := c < 0
	if neg {
		v = -v
	}
	i := len(buf)
	i -= len(" €")
	copy(buf[i:], " €")
	cents := v % 100
	i--
	buf[i] = byte('0' + cents%10)
	i--
	buf[i] = byte('0' + cents/10)
	i--
	buf[i] = ','
	whole := v / 100
	for n := 0; ; n++ {
		if n > 0 && n%3 == 0 {
			i--
			buf[i] = ' '
		}
		i--
		buf[i] = byte('0' + whole%10)
		whole /= 10
		if whole == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// frHalfYear writes the half-year of d as "1er semestre 2026".
func frHalfYear(d civil.Date) string {
	if d.Month <= 6 {
		return "1er semestre " + strconv.Itoa(d.Year)
	}
	return "2e semestre " + strconv.Itoa(d.Year)
}

func frYears(n int) string {
	if n == 1 {
		return "1 an"
	}
	return strconv.Itoa(n) + " ans"
}

func frDays(n int) string {
	if n == 1 {
		return "1 jour"
	}
	return strconv.Itoa(n) + " jours"
}

var frEventKinds = map[string]string{
	"partial_payment": "le paiement partiel",
	"acknowledgment":  "la reconnaissance de dette",
	"court_claim":     "la demande en justice",
	"enforcement_act": "l'acte d'exécution forcée",
	"formal_notice":   "la mise en demeure",
	"reminder":        "la relance",
	// An attempt at conciliation, mediation or participatory procedure
	// (CPC 750-1): an extension of the contract's event kinds.
	"conciliation_attempt": "la tentative de conciliation ou de médiation",
}

func frEvent(kind string) string {
	if s, ok := frEventKinds[kind]; ok {
		return s
	}
	return "l'événement « " + kind + " »"
}

// capitalise upper-cases the first letter of a French phrase.
func capitalise(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func joinRules(rules []string) string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		if r == "" || contains(out, r) {
			continue
		}
		out = append(out, r)
	}
	return strings.Join(out, " ; ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func appendOnce(list []string, items ...string) []string {
	for _, s := range items {
		if !contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}
