package law

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/money"
)

// renderWidth is where Render wraps the findings' sentences.
const renderWidth = 96

// Render writes an analysis as French plain text for a terminal (the CLI
// `cqp rules evaluate FILE.json`): one section per part present, then the
// findings, most serious first.
func Render(out Output) string {
	var b strings.Builder
	b.WriteString("Analyse du dossier de recouvrement\n")
	b.WriteString("==================================\n")

	if l := out.Limitation; l != nil {
		section(&b, "Prescription")
		line(&b, "Délai", frYears(l.PeriodYears)+" ("+l.Nature+", "+l.Rule+")")
		line(&b, "Dernier jour pour agir", frDate(l.LastDay))
		line(&b, "Créance "+barredLabel(l.Nature), yesNo(l.Barred))
		if len(l.InterruptedBy) == 0 {
			line(&b, "Interruptions", "aucune")
		}
		for i, ev := range l.InterruptedBy {
			label := ""
			if i == 0 {
				label = "Interruptions"
			}
			line(&b, label, capitalise(frEvent(ev.Kind))+" du "+frDate(ev.On))
		}
	}

	if c := out.Claimable; c != nil {
		section(&b, "Sommes réclamables")
		amountLine(&b, "Principal restant dû", c.Principal, "")
		if len(c.Allowed) > 0 {
			b.WriteString("  Admis :\n")
			for _, it := range c.Allowed {
				itemLine(&b, "+", it)
			}
		}
		if len(c.Refused) > 0 {
			b.WriteString("  Refusés :\n")
			for _, it := range c.Refused {
				itemLine(&b, "−", it)
			}
		}
		amountLine(&b, "Total réclamable", c.Total, "")
	}

	if l := out.Letter; l != nil {
		section(&b, "Lettre au débiteur ("+l.Rule+")")
		line(&b, "Conforme", yesNo(l.Compliant))
		for i, m := range l.Missing {
			label := ""
			if i == 0 {
				label = "Mentions manquantes"
			}
			line(&b, label, m+" — "+mentionTitle(m))
		}
		for i, v := range l.Violations {
			label := ""
			if i == 0 {
				label = "Manquements"
			}
			line(&b, label, v+" — "+violationTitle(v))
		}
	}

	if p := out.Plan; p != nil {
		section(&b, "Plan de paiement ("+p.Rule+")")
		amountLine(&b, "Quotité saisissable mensuelle", p.MonthlySeizable, "")
		amountLine(&b, "Échéance maximale", p.MaxInstalment, "")
		amountLine(&b, "Reste à vivre après l'échéance", p.RemainingIncome, "")
		line(&b, "Plan soutenable", yesNo(p.Sustainable))
	}

	if len(out.Remittances) > 0 {
		section(&b, "Fonds encaissés (CPCE R124-6)")
		for _, r := range out.Remittances {
			state := "à reverser au plus tard le " + frDate(r.RemitBy)
			if !r.RemittedOn.IsZero() {
				state = "reversés le " + frDate(r.RemittedOn)
			}
			if r.Late {
				state += " — en retard (délai expiré le " + frDate(r.RemitBy) + ")"
			}
			if !r.ReceiptIssued {
				state += " ; quittance à remettre"
			}
			line(&b, "Encaissé le "+frDate(r.ReceivedOn), frMoney(r.Amount)+", "+state)
		}
	}

	if s := out.Situation; s != nil {
		section(&b, "Situation du débiteur")
		line(&b, "Recouvrement amiable possible", yesNo(s.AmicableCollectionAllowed))
		line(&b, "Paiements acceptables", yesNo(s.AcceptPayments))
		if len(s.Contacts) > 0 {
			names := make([]string, len(s.Contacts))
			for i, c := range s.Contacts {
				names[i] = lookupTitle(contactTitles, c)
			}
			line(&b, "Interlocuteurs", strings.Join(names, ", "))
		}
		for _, d := range s.Deadlines {
			line(&b, "Échéance", lookupTitle(deadlineTitles, d.Kind)+" : "+frDate(d.On)+" ("+d.Rule+")")
		}
		for i, st := range s.NextSteps {
			label := ""
			if i == 0 {
				label = "Étapes suivantes"
			}
			line(&b, label, strconv.Itoa(i+1)+". "+lookupTitle(stepTitles, st))
		}
		if s.Rule != "" {
			line(&b, "Fondements", s.Rule)
		}
	}

	section(&b, "Constats")
	if len(out.Findings) == 0 {
		b.WriteString("  Aucun constat.\n")
	}
	for _, sev := range []string{Blocking, Warning, Info} {
		for _, f := range out.Findings {
			if f.Severity != sev {
				continue
			}
			head := "  [" + severityLabel(sev) + "] " + f.Code
			if f.Rule != "" {
				head += " (" + f.Rule + ")"
			}
			b.WriteString(head + "\n")
			wrap(&b, f.Message, "      ", renderWidth)
		}
	}
	return b.String()
}

func section(b *strings.Builder, title string) {
	b.WriteString("\n" + title + "\n" + strings.Repeat("-", utf8.RuneCountInString(title)) + "\n")
}

// line writes "  label ........ value" with the values aligned.
func line(b *strings.Builder, label, value string) {
	const col = 34
	b.WriteString("  ")
	b.WriteString(label)
	n := utf8.RuneCountInString(label)
	switch {
	case label == "":
		b.WriteString(strings.Repeat(" ", col))
	case n < col-1:
		b.WriteString(" " + strings.Repeat(".", col-n-2) + " ")
	default:
		b.WriteString(" ")
	}
	wrapFrom(b, value, strings.Repeat(" ", col+2), max(col+2, n+3), renderWidth)
}

func amountLine(b *strings.Builder, label string, c money.Cents, rule string) {
	v := frMoney(c)
	if rule != "" {
		v += "  (" + rule + ")"
	}
	line(b, label, v)
}

// itemLine writes "    + 1 234,56 €  label (rule)" with the amounts aligned.
func itemLine(b *strings.Builder, sign string, it Item) {
	v := frMoney(it.Amount)
	pad := 14 - utf8.RuneCountInString(v)
	b.WriteString("    " + sign + " " + strings.Repeat(" ", max(0, pad)) + v + "  ")
	text := it.Label
	if it.Rule != "" {
		text += " (" + it.Rule + ")"
	}
	const col = 22
	wrapFrom(b, text, strings.Repeat(" ", col), col, renderWidth)
}

// wrap writes text in lines of at most width runes, each indented, never
// breaking inside an amount ("5 000,00 €") or an article ("C. civ. 2240").
func wrap(b *strings.Builder, text, indent string, width int) {
	b.WriteString(indent)
	wrapFrom(b, text, indent, utf8.RuneCountInString(indent), width)
}

// wrapFrom goes on writing text on a line already filled up to column col.
func wrapFrom(b *strings.Builder, text, indent string, col, width int) {
	n := utf8.RuneCountInString(indent)
	for i, w := range glueWords(strings.Fields(text)) {
		wl := utf8.RuneCountInString(w)
		if i > 0 && col+1+wl > width {
			b.WriteString("\n" + indent)
			col = n
		} else if i > 0 {
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += wl
	}
	b.WriteString("\n")
}

func yesNo(v bool) string {
	if v {
		return "oui"
	}
	return "non"
}

func barredLabel(nature string) string {
	if nature == "forclusion" {
		return "forclose"
	}
	return "prescrite"
}

func severityLabel(sev string) string {
	switch sev {
	case Blocking:
		return "BLOQUANT"
	case Warning:
		return "ATTENTION"
	}
	return "INFO"
}

func mentionTitle(code string) string {
	for _, m := range mentions {
		if m.code == code {
			return m.what
		}
	}
	return code
}

func violationTitle(code string) string {
	switch code {
	case ViolationJudicialImitation:
		return "imitation d'un acte judiciaire ou extrajudiciaire"
	case ViolationImpossibleThreat:
		return "menace d'une action en justice impossible"
	case ViolationUndueFees:
		return "frais réclamés à un consommateur qui ne les doit pas"
	case ViolationConciliationFirst:
		return "action en justice annoncée sans la tentative de conciliation préalable (jusqu'à 5 000 €)"
	}
	return code
}

func lookupTitle(titles map[string]string, code string) string {
	if t, ok := titles[code]; ok {
		return t
	}
	return code
}

var contactTitles = map[string]string{
	ContactBanqueDeFrance:       "Banque de France (commission de surendettement)",
	ContactTuteur:               "tuteur",
	ContactCurateur:             "curateur",
	ContactMandataireJudiciaire: "mandataire judiciaire",
	ContactLiquidateur:          "liquidateur judiciaire",
	ContactNotaire:              "notaire chargé de la succession",
	ContactCommissaireDeJustice: "commissaire de justice",
}

var deadlineTitles = map[string]string{
	DeadlineClaimDeclaration: "déclaration de créance au plus tard le",
	DeadlineSommationDOpter:  "sommation d'opter possible à partir du",
	DeadlineRemittance:       "fonds à reverser au créancier au plus tard le",
}

var stepTitles = map[string]string{
	StepStopCollection:        "arrêter le recouvrement amiable",
	StepInformCreditor:        "informer le créancier",
	StepJustifyClaim:          "justifier la créance auprès de la commission",
	StepFollowPlan:            "suivre le plan de surendettement",
	StepCloseFile:             "clôturer le dossier",
	StepWriteToTuteur:         "écrire au tuteur",
	StepWriteToCurateur:       "écrire au curateur et au débiteur",
	StepDeclareClaim:          "déclarer la créance",
	StepReliefFromForeclosure: "demander un relevé de forclusion",
	StepContactNotaire:        "prendre contact avec le notaire",
	StepSommationDOpter:       "faire délivrer une sommation d'opter aux héritiers",
	StepSendCompliantLetter:   "envoyer une lettre conforme à R124-4",
	StepAgreePlan:             "accepter le plan de paiement proposé",
	StepRevisePlan:            "revoir l'échéance proposée",
	StepSmallClaims:           "procédure simplifiée de recouvrement des petites créances",
	StepConciliation:          "conciliation ou médiation",
	StepInjonctionDePayer:     "requête en injonction de payer",
	StepEnforceTitle:          "exécution forcée par un commissaire de justice",
	StepIssueReceipt:          "remettre une quittance au débiteur",
	StepRemitFunds:            "reverser les fonds encaissés au créancier",
}

// glueWords joins the words that must stay on one line: the groups of digits
// of an amount, a unit after a number, and the abbreviations of a citation.
func glueWords(words []string) []string {
	out := words[:0:0]
	for _, w := range words {
		if k := len(out) - 1; k >= 0 && mustGlue(out[k], w) {
			out[k] += " " + w
			continue
		}
		out = append(out, w)
	}
	return out
}

func mustGlue(prev, next string) bool {
	if prev == "" || next == "" {
		return false
	}
	last := prev[len(prev)-1]
	first := next[0]
	switch {
	case strings.HasPrefix(next, "€") || strings.HasPrefix(next, "%"):
		return true
	case next == ":" || next == ";" || next == "»" || next == "!" || next == "?" || prev == "«":
		return true // French spacing before punctuation must not break
	case last >= '0' && last <= '9' && first >= '0' && first <= '9' && len(next) >= 3:
		return true // "5 000,00"
	}
	switch strings.TrimLeft(prev, "(") {
	case "C.", "civ.", "com.", "conso.", "pén.", "trav.", "al.", "art.", "n°", "CPCE", "CPC", "CMF", "Cass.":
		return true
	}
	return false
}
