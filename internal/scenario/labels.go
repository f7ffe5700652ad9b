package scenario

import "github.com/ancr/cqp/internal/law"

// labels are the French names of the engine's codes, for feedback. A code
// without a label is shown as it is.
var labels = map[string]string{
	law.MentionCollector: "nom et adresse du cabinet, avec l'indication qu'il exerce une activité de recouvrement amiable",
	law.MentionCreditor:  "nom et adresse du créancier",
	law.MentionAmounts:   "fondement et montant de la somme due, en distinguant principal, intérêts et autres accessoires, sans les frais restant à la charge du créancier",
	law.MentionDemand:    "indication d'avoir à payer la somme due et des modalités de paiement",
	law.MentionL111_8:    "reproduction des alinéas 2 et 3 de l'article L111-8 du CPCE",

	law.ViolationJudicialImitation: "présentation imitant un acte judiciaire ou extrajudiciaire",
	law.ViolationImpossibleThreat:  "menace d'une action en justice qui ne peut pas être engagée",
	law.ViolationUndueFees:         "réclamation au débiteur de frais qui restent à la charge du créancier",
	law.ViolationConciliationFirst: "menace d'une action en justice directe sans la tentative de conciliation ou de médiation préalable exigée jusqu'à 5 000 €",

	law.ContactBanqueDeFrance:       "Banque de France (commission de surendettement)",
	law.ContactTuteur:               "tuteur",
	law.ContactCurateur:             "curateur",
	law.ContactMandataireJudiciaire: "mandataire judiciaire",
	law.ContactLiquidateur:          "liquidateur",
	law.ContactNotaire:              "notaire",
	law.ContactCommissaireDeJustice: "commissaire de justice",

	law.StepStopCollection:        "suspendre le recouvrement amiable",
	law.StepInformCreditor:        "informer le créancier",
	law.StepJustifyClaim:          "justifier la créance auprès de la commission",
	law.StepFollowPlan:            "suivre le plan de surendettement",
	law.StepCloseFile:             "clôturer le dossier",
	law.StepWriteToTuteur:         "écrire au tuteur",
	law.StepWriteToCurateur:       "écrire au curateur et au débiteur",
	law.StepDeclareClaim:          "déclarer la créance",
	law.StepReliefFromForeclosure: "demander un relevé de forclusion",
	law.StepContactNotaire:        "prendre contact avec le notaire",
	law.StepSommationDOpter:       "faire délivrer une sommation d'opter",
	law.StepSendCompliantLetter:   "envoyer une lettre conforme à l'article R124-4",
	law.StepAgreePlan:             "convenir d'un échéancier",
	law.StepRevisePlan:            "revoir l'échéancier proposé",
	law.StepSmallClaims:           "procédure simplifiée de recouvrement des petites créances",
	law.StepConciliation:          "tentative de conciliation ou de médiation",
	law.StepInjonctionDePayer:     "requête en injonction de payer",
	law.StepEnforceTitle:          "exécution du titre par un commissaire de justice",
	law.StepIssueReceipt:          "remettre une quittance au débiteur",
	law.StepRemitFunds:            "reverser les fonds encaissés au créancier",

	law.DeadlineClaimDeclaration: "déclaration de créance",
	law.DeadlineRemittance:       "reversement des fonds au créancier",

	"consumer":         "créance de consommation",
	"consumer_credit":  "crédit à la consommation",
	"residential_rent": "loyer d'habitation",
	"commercial":       "créance commerciale",
	"civil":            "créance civile",
	"executory_title":  "titre exécutoire",

	"collection_fee":  "frais de recouvrement",
	"file_fee":        "frais de dossier",
	"fixed_indemnity": "indemnité forfaitaire de 40 €",
	"late_penalty":    "pénalités de retard",
	"interest":        "intérêts",
	"other":           "autre somme",

	"partial_payment":      "paiement partiel",
	"acknowledgment":       "reconnaissance de dette",
	"court_claim":          "demande en justice",
	"enforcement_act":      "acte d'exécution forcée",
	"formal_notice":        "mise en demeure",
	"reminder":             "relance",
	"conciliation_attempt": "tentative de conciliation ou de médiation",
}

// Label is the French name of an engine code (the code itself when unknown).
func Label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

// DefaultLetterOptions are the choices of a letter task that lists none: the
// five mentions of R124-4 and the faults the engine detects, by their codes.
func DefaultLetterOptions() []Option {
	codes := []string{law.MentionCollector, law.MentionCreditor, law.MentionAmounts, law.MentionDemand, law.MentionL111_8,
		law.ViolationJudicialImitation, law.ViolationImpossibleThreat, law.ViolationConciliationFirst, law.ViolationUndueFees}
	opts := make([]Option, len(codes))
	for i, c := range codes {
		opts[i] = Option{ID: c, Label: labels[c]}
	}
	return opts
}
