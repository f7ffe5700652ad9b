package law

import "github.com/ancr/cqp/internal/civil"

// remittances follows the payments the collector received for the creditor:
// a receipt is given to the debtor for every payment, and the funds are
// remitted to the creditor within one month of their effective collection,
// unless the mandate says otherwise (CPCE R124-6, R124-3 4°); the creditor is
// told of every payment, even partial (R124-5).
func (e *evaluator) remittances() {
	var out []Remittance
	for _, ev := range e.claim.Events {
		if ev.Kind != "partial_payment" || !ev.ReceivedByCollector || ev.On.After(e.asOf) {
			continue
		}
		r := Remittance{
			ReceivedOn:    ev.On,
			Amount:        ev.Amount,
			RemitBy:       RemittanceDeadline(ev.On),
			ReceiptIssued: ev.ReceiptIssued,
			Rule:          "CPCE R124-6",
		}
		if !ev.RemittedOn.IsZero() && !ev.RemittedOn.After(e.asOf) {
			r.RemittedOn = ev.RemittedOn
		}
		what := "Les " + frMoney(ev.Amount) + " encaissés le " + frDate(ev.On)
		switch {
		case !r.RemittedOn.IsZero() && r.RemittedOn.After(r.RemitBy):
			r.Late = true
			e.add(Warning, CodeRemittanceLate, "CPCE R124-6",
				what+" ont été reversés au créancier le "+frDate(r.RemittedOn)+", après le "+frDate(r.RemitBy)+" : sauf convention contraire dans le mandat (R124-3 4°), les fonds reçus sont reversés dans le mois de leur encaissement effectif (CPCE R124-6). Le cabinet en répond envers le créancier.")
		case !r.RemittedOn.IsZero():
			e.add(Info, CodeRemittanceOnTime, "CPCE R124-6",
				what+" ont été reversés au créancier le "+frDate(r.RemittedOn)+", dans le mois de leur encaissement (au plus tard le "+frDate(r.RemitBy)+", CPCE R124-6).")
		case e.asOf.After(r.RemitBy):
			r.Late = true
			e.add(Warning, CodeRemittanceLate, "CPCE R124-6",
				what+" n'ont toujours pas été reversés au créancier alors que le délai d'un mois a expiré le "+frDate(r.RemitBy)+" (CPCE R124-6, sauf convention contraire dans le mandat) : reversez-les sans attendre et informez le créancier du paiement (R124-5).")
		default:
			e.add(Info, CodeRemittanceDue, "CPCE R124-6 ; R124-5",
				what+" doivent être reversés au créancier au plus tard le "+frDate(r.RemitBy)+", un mois après leur encaissement effectif (CPCE R124-6, sauf convention contraire dans le mandat) ; informez-le de ce paiement, même partiel (R124-5).")
		}
		if !r.ReceiptIssued {
			e.add(Warning, CodeReceiptMissing, "CPCE R124-6",
				"Aucune quittance n'a été remise au débiteur pour son paiement de "+frMoney(ev.Amount)+" du "+frDate(ev.On)+" : une quittance lui est remise pour tout paiement (CPCE R124-6) ; c'est sa preuve du paiement.")
		}
		out = append(out, r)
	}
	e.out.Remittances = out
}

// RemittanceDeadline is the last day to remit funds collected on day d: one
// month later, same day number or the month's last day (CPCE R124-6;
// CPC 641 for periods in months).
func RemittanceDeadline(collected civil.Date) civil.Date { return collected.AddMonths(1) }
