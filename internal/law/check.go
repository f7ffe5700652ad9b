package law

import (
	"strconv"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// Problem is a semantic fault in the input, for a 422 answer: Field is the
// JSON path (claim.events[1].on), FR and EN say what is wrong.
type Problem struct {
	Field string `json:"field"`
	FR    string `json:"fr"`
	EN    string `json:"en"`
}

// Bounds of a plausible file. MaxAmount is 100 000 000 €: above it an amount
// is a typing error, and products of amounts, rates and days stay exact.
const MaxAmount money.Cents = 100_000_000_00

// Bounds on the size of a file, so that one request cannot make the engine
// loop for long.
const (
	MaxEvents         = 500
	MaxRequestedItems = 100
	MaxDependants     = 20
	MaxLabelRunes     = 200
)

// Earliest is the earliest date the engine accepts.
var Earliest = civil.Date{Year: 1900, Month: 1, Day: 1}

var (
	claimKinds      = []string{"consumer", "consumer_credit", "residential_rent", "commercial", "civil", "executory_title"}
	eventKinds      = []string{"partial_payment", "acknowledgment", "court_claim", "enforcement_act", "formal_notice", "reminder", "conciliation_attempt"}
	itemKinds       = []string{"collection_fee", "file_fee", "fixed_indemnity", "late_penalty", "interest", "other"}
	partyKinds      = []string{"consumer", "professional"}
	overIndebtKinds = []string{"none", "filed", "admissible", "plan", "personal_recovery"}
	protectionKinds = []string{"none", "tutelle", "curatelle", "curatelle_renforcee"}
	proceedingKinds = []string{"none", "sauvegarde", "redressement", "liquidation"}
)

// Check is the one validator of a debt file: required fields, the
// enumerations, dates out of order or in the future of as_of, amounts
// negative or absurd, rates above 100 %, a proceeding without its
// publication date. The HTTP handler, the CLI and the fuzz tests all rely on
// it alone (Input carries no validate tags). An empty result means Evaluate
// may run.
func Check(in Input) []Problem {
	var c checker
	c.asOf = in.AsOf
	switch {
	case in.AsOf.IsZero():
		c.add("as_of", "La date d'analyse est obligatoire.", "as_of is required.")
	case in.AsOf.Before(Earliest):
		c.add("as_of", "La date d'analyse est antérieure à 1900.", "as_of is before 1900.")
	}

	if in.Creditor != nil {
		c.enum("creditor.kind", in.Creditor.Kind, partyKinds, true)
	}
	if d := in.Debtor; d != nil {
		c.enum("debtor.kind", d.Kind, partyKinds, true)
		c.enum("debtor.over_indebtedness", d.OverIndebtedness, overIndebtKinds, true)
		c.enum("debtor.protection", d.Protection, protectionKinds, true)
		if cp := d.CollectiveProceeding; cp != nil {
			c.enum("debtor.collective_proceeding.kind", cp.Kind, proceedingKinds, true)
			if isProceeding(cp.Kind) && cp.PublishedOn.IsZero() {
				c.add("debtor.collective_proceeding.published_on",
					"La date de publication au BODACC est obligatoire quand une procédure collective est indiquée : le délai de déclaration en dépend.",
					"published_on is required when a collective proceeding is set: the claim-declaration deadline runs from it.")
			}
			c.pastDate("debtor.collective_proceeding.published_on", cp.PublishedOn)
			c.pastDate("debtor.collective_proceeding.opened_on", cp.OpenedOn)
			if !cp.OpenedOn.IsZero() && !cp.PublishedOn.IsZero() && cp.OpenedOn.After(cp.PublishedOn) {
				c.add("debtor.collective_proceeding.opened_on",
					"Le jugement d'ouverture ne peut pas être postérieur à sa publication au BODACC.",
					"opened_on cannot be after published_on: the BODACC publishes the judgment after it is given.")
			}
		}
		c.pastDate("debtor.deceased_on", d.DeceasedOn)
	}

	if in.Claim == nil {
		c.add("claim", "La créance est obligatoire.", "claim is required.")
	} else {
		c.claim(in.Claim)
	}

	if h := in.Household; h != nil {
		c.amount("household.monthly_net_income", h.MonthlyNetIncome)
		c.amount("household.monthly_charges", h.MonthlyCharges)
		c.amount("household.proposed_instalment", h.ProposedInstalment)
		if h.Dependants < 0 || h.Dependants > MaxDependants {
			c.add("household.dependants", "Le nombre de personnes à charge doit être compris entre 0 et 20.", "dependants must be between 0 and 20.")
		}
	}
	return c.problems
}

type checker struct {
	asOf     civil.Date
	problems []Problem
}

func (c *checker) add(field, fr, en string) {
	c.problems = append(c.problems, Problem{Field: field, FR: fr, EN: en})
}

func (c *checker) claim(cl *Claim) {
	c.enum("claim.kind", cl.Kind, claimKinds, false)
	switch {
	case cl.Principal <= 0:
		c.add("claim.principal", "Le principal doit être strictement positif.", "principal must be greater than 0.")
	case cl.Principal > MaxAmount:
		c.add("claim.principal", "Le principal dépasse 100 000 000 € : montant invraisemblable.", "principal is above 100,000,000 €: not a plausible amount.")
	}
	if cl.StartsOn.IsZero() {
		c.add("claim.starts_on", "La date de départ du délai est obligatoire.", "starts_on is required.")
	} else {
		c.pastDate("claim.starts_on", cl.StartsOn)
	}

	if len(cl.Events) > MaxEvents {
		c.add("claim.events", "Trop d'événements (500 au plus).", "Too many events (at most 500).")
	}
	var paid money.Cents
	for i, ev := range cl.Events {
		p := "claim.events[" + strconv.Itoa(i) + "]"
		c.enum(p+".kind", ev.Kind, eventKinds, false)
		if ev.On.IsZero() {
			c.add(p+".on", "La date de l'événement est obligatoire.", "on is required.")
		} else {
			c.pastDate(p+".on", ev.On)
		}
		c.amount(p+".amount", ev.Amount)
		if ev.Kind != "partial_payment" && (ev.ReceivedByCollector || ev.ReceiptIssued || !ev.RemittedOn.IsZero()) {
			c.add(p+".received_by_collector", "Seul un paiement partiel peut être encaissé par le cabinet, quittancé et reversé.", "Only a partial payment can be received by the collector, receipted and remitted.")
		}
		if !ev.RemittedOn.IsZero() {
			c.pastDate(p+".remitted_on", ev.RemittedOn)
			switch {
			case !ev.ReceivedByCollector:
				c.add(p+".remitted_on", "Un reversement suppose un paiement encaissé par le cabinet (received_by_collector).", "remitted_on needs received_by_collector.")
			case !ev.On.IsZero() && ev.RemittedOn.Before(ev.On):
				c.add(p+".remitted_on", "Les fonds ne peuvent pas être reversés avant d'avoir été encaissés.", "remitted_on is before the payment was collected.")
			}
		}
		if ev.Kind == "partial_payment" {
			if ev.Amount == 0 {
				c.add(p+".amount", "Un paiement partiel doit indiquer son montant.", "A partial payment needs an amount.")
			}
			if ev.Amount > 0 && ev.Amount <= MaxAmount {
				paid += ev.Amount
			}
		}
	}
	if paid > MaxAmount {
		c.add("claim.events", "Le total des paiements dépasse 100 000 000 € : montant invraisemblable.", "Payments add up to more than 100,000,000 €: not plausible.")
	}

	if len(cl.RequestedItems) > MaxRequestedItems {
		c.add("claim.requested_items", "Trop de sommes réclamées (100 au plus).", "Too many requested items (at most 100).")
	}
	for i, it := range cl.RequestedItems {
		p := "claim.requested_items[" + strconv.Itoa(i) + "]"
		c.enum(p+".kind", it.Kind, itemKinds, false)
		c.amount(p+".amount", it.Amount)
		if utf8.RuneCountInString(it.Label) > MaxLabelRunes {
			c.add(p+".label", "Le libellé dépasse 200 caractères.", "label is longer than 200 characters.")
		}
	}

	if lp := cl.LatePenalty; lp != nil {
		switch {
		case lp.RatePercent < 0:
			c.add("claim.late_penalty.rate_percent", "Le taux ne peut pas être négatif.", "rate_percent cannot be negative.")
		case lp.RatePercent > Percent(100):
			c.add("claim.late_penalty.rate_percent", "Un taux de pénalité supérieur à 100 % est invraisemblable.", "A late-penalty rate above 100 % is not plausible.")
		}
		c.pastDate("claim.late_penalty.paid_on", lp.PaidOn)
		if !lp.PaidOn.IsZero() && !cl.StartsOn.IsZero() && lp.PaidOn.Before(cl.StartsOn) {
			c.add("claim.late_penalty.paid_on", "La date de paiement précède la date d'exigibilité : il n'y a pas de retard.", "paid_on is before starts_on: there is no delay.")
		}
	}
}

// pastDate refuses a date before 1900 or after as_of (the file describes
// what has happened by as_of). A zero date is left to the required checks.
func (c *checker) pastDate(field string, d civil.Date) {
	switch {
	case d.IsZero():
	case d.Before(Earliest):
		c.add(field, "La date est antérieure à 1900.", "The date is before 1900.")
	case !c.asOf.IsZero() && d.After(c.asOf):
		c.add(field, "La date est postérieure à la date d'analyse ("+c.asOf.String()+").", "The date is after as_of ("+c.asOf.String()+").")
	}
}

func (c *checker) amount(field string, a money.Cents) {
	switch {
	case a < 0:
		c.add(field, "Le montant ne peut pas être négatif.", "The amount cannot be negative.")
	case a > MaxAmount:
		c.add(field, "Le montant dépasse 100 000 000 € : montant invraisemblable.", "The amount is above 100,000,000 €: not plausible.")
	}
}

// enum refuses a value outside the list; optional lets "" through.
func (c *checker) enum(field, v string, allowed []string, optional bool) {
	if v == "" && optional {
		return
	}
	if contains(allowed, v) {
		return
	}
	if v == "" {
		c.add(field, "Ce champ est obligatoire.", "This field is required.")
		return
	}
	c.add(field, "Valeur inconnue « "+truncate(v, 40)+" ».", "Unknown value \""+truncate(v, 40)+"\".")
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
