package law

// Stable codes. Scenarios and the web UI key on them: add new ones, never
// rename or reuse one.

// Letter mentions (CPCE R124-4 1° to 5°, in the order of the article). The
// codes are those of the contract; they name the numbered items of R124-4,
// not separate articles.
const (
	MentionCollector = "R124-4-1" // collector's name, address, and that it collects amicably
	MentionCreditor  = "R124-4-2" // creditor's name and address
	MentionAmounts   = "R124-4-3" // basis and amount, itemised, without costs left to the creditor
	MentionDemand    = "R124-4-4" // demand to pay and means of payment
	MentionL111_8    = "R124-4-5" // text of CPCE L111-8 al. 2 and 3
)

// Letter violations: the article broken, in the contract's style.
const (
	// ViolationJudicialImitation: the letter looks like a judicial or
	// extrajudicial act (C. pén. 433-13 2°).
	ViolationJudicialImitation = "C-PEN-433-13"
	// ViolationImpossibleThreat: the letter threatens a court action the
	// creditor cannot take (barred or foreclosed claim, collective proceeding,
	// admissible over-indebtedness file, debt erased): a threat of an action
	// that cannot legally be taken (C. conso. L121-6, aggressive practice).
	ViolationImpossibleThreat = "C-CONSO-L121-6"
	// ViolationConciliationFirst: the letter threatens to bring the debtor
	// before a court on a claim of at most 5 000 € (principal and interest)
	// with no attempt at conciliation, mediation or participatory procedure
	// recorded, when CPC 750-1 makes such an attempt a condition of the
	// court claim's admissibility.
	ViolationConciliationFirst = "CPC-750-1"
	// ViolationUndueFees: the letter claims from a consumer collection costs
	// that stay with the creditor (CPCE L111-8 al. 2, R124-4 3°) or the 40 €
	// indemnity a consumer never owes.
	ViolationUndueFees = "CPCE-L111-8"
)

// Finding codes, by part of the analysis.
const (
	CodeClaimMissing     = "CLAIM_MISSING"      // no claim in the file
	CodeUnknownClaimKind = "UNKNOWN_CLAIM_KIND" // a kind the engine does not know
	CodeParameterMissing = "PARAMETER_MISSING"  // a dated value is not in seed/parameters.json: nearest used

	// Limitation.
	CodeLimitationRunning        = "LIMITATION_RUNNING"         // period still running: last day and days left
	CodeLimitationBarred         = "LIMITATION_BARRED"          // prescription acquired
	CodeForclusionAcquired       = "FORCLUSION_ACQUIRED"        // consumer-credit forclusion acquired
	CodeLastDayNotExtended       = "LAST_DAY_NOT_EXTENDED"      // last day is a weekend: no extension
	CodeInterruption             = "INTERRUPTION"               // an event restarted the period
	CodeConciliationSuspends     = "CONCILIATION_SUSPENDS"      // C. civ. 2238: suspension, not computed
	CodeNotInterruptive          = "NOT_INTERRUPTIVE"           // formal notice or reminder: no effect
	CodeForclusionNotInterrupted = "FORCLUSION_NOT_INTERRUPTED" // payment/acknowledgment on a forclusion
	CodeEventAfterBar            = "EVENT_AFTER_BAR"            // event after the last day: revives nothing
	CodeEventBeforeStart         = "EVENT_BEFORE_START"         // event before the period started
	CodeCourtClaimPending        = "COURT_CLAIM_PENDING"        // C. civ. 2242: interruption lasts the whole instance
	CodeLongStop                 = "LONG_STOP_20_YEARS"         // C. civ. 2232 cap on acknowledgments
	CodeKindMismatch             = "KIND_MISMATCH"              // claim kind does not fit the parties

	// Claimable amounts.
	CodePaidInFull           = "PAID_IN_FULL"
	CodeOverpaid             = "OVERPAID"
	CodeFeeRefused           = "FEE_REFUSED"       // collection or file fee without executory title
	CodeFeeWithTitle         = "FEE_WITH_TITLE"    // fee with a title: only necessary enforcement costs
	CodeIndemnityRefused     = "INDEMNITY_REFUSED" // 40 € indemnity not owed
	CodeIndemnityCapped      = "INDEMNITY_CAPPED"  // more than the decree's amount requested
	CodeIndemnityAllowed     = "INDEMNITY_ALLOWED" // 40 € owed by a professional
	CodePenaltyComputed      = "PENALTY_COMPUTED"  // late penalties or interest computed by the engine
	CodePenaltyBelowFloor    = "PENALTY_RATE_BELOW_FLOOR"
	CodePenaltyStopped       = "PENALTY_STOPPED_BY_PROCEEDING"
	CodePenaltyAfterJudgment = "PENALTY_REFUSED_AFTER_JUDGMENT" // invoice due on or after the opening judgment
	CodeJudgmentDateAssumed  = "JUDGMENT_DATE_ASSUMED"          // opened_on absent: the publication date stands in
	CodeRentPenaltyVoid      = "RENT_PENALTY_VOID"              // loi 89-462 art. 4 i)
	CodeInterestNeedsNotice  = "INTEREST_NEEDS_NOTICE"          // legal interest runs from a formal notice
	CodeRequestedExcess      = "REQUESTED_INTEREST_EXCESS"
	CodePenaltyNotVerified   = "PENALTY_NOT_VERIFIED" // requested without the data to check it
	CodeOtherItemToJustify   = "OTHER_ITEM_TO_JUSTIFY"
	CodeContractualInterest  = "CONTRACTUAL_INTEREST"   // penalty clause towards a non-professional
	CodeJudgmentInterestNote = "JUDGMENT_INTEREST_RATE" // CMF L313-3 majoration not computed

	// Letter.
	CodeMentionMissing     = "LETTER_MENTION_MISSING"
	CodeJudicialImitation  = "LETTER_IMITATES_JUDICIAL_ACT"
	CodeImpossibleThreat   = "LETTER_THREATENS_IMPOSSIBLE_ACTION"
	CodeThreatToCheck      = "LETTER_THREAT_TO_CHECK"
	CodeThreatConciliation = "LETTER_THREAT_WITHOUT_CONCILIATION" // CPC 750-1: conciliation first up to 5 000 €
	CodeUndueFeesInLetter  = "LETTER_CLAIMS_UNDUE_FEES"
	CodeFeesInLetterPro    = "LETTER_CLAIMS_CREDITOR_COSTS"
	CodeLetterCompliant    = "LETTER_COMPLIANT"

	// Payment plan.
	CodePlanSeizable      = "PLAN_SEIZABLE"
	CodePlanBelowRSA      = "PLAN_BELOW_RSA"
	CodePlanAboveSeizable = "PLAN_ABOVE_SEIZABLE"
	CodePlanUnsustainable = "PLAN_UNSUSTAINABLE"
	CodePlanSustainable   = "PLAN_SUSTAINABLE"
	CodePlanNoCapacity    = "PLAN_NO_CAPACITY"
	CodePlanNotAllowed    = "PLAN_NOT_ALLOWED"

	// Remittance of collected funds (CPCE R124-5, R124-6).
	CodeRemittanceDue    = "REMITTANCE_DUE"     // funds held, the month still running
	CodeRemittanceOnTime = "REMITTANCE_ON_TIME" // remitted within the month
	CodeRemittanceLate   = "REMITTANCE_LATE"    // remitted late, or still held after the month
	CodeReceiptMissing   = "RECEIPT_MISSING"    // no receipt given to the debtor

	// Situation.
	CodeOverIndebtednessFiled      = "OVERINDEBTEDNESS_FILED"
	CodeOverIndebtednessAdmissible = "OVERINDEBTEDNESS_ADMISSIBLE"
	CodeOverIndebtednessPlan       = "OVERINDEBTEDNESS_PLAN"
	CodePersonalRecovery           = "PERSONAL_RECOVERY"
	CodeTutelle                    = "TUTELLE"
	CodeCuratelle                  = "CURATELLE"
	CodeCollectiveProceeding       = "COLLECTIVE_PROCEEDING"
	CodeDeclarationLate            = "CLAIM_DECLARATION_LATE"
	CodeDeceasedDebtor             = "DECEASED_DEBTOR"
	CodeSmallClaims                = "SMALL_CLAIMS"
	CodeInjonctionDePayer          = "INJONCTION_DE_PAYER"
	CodeEnforceTitle               = "ENFORCE_TITLE"
	CodeConsumerInProceeding       = "CONSUMER_IN_PROCEEDING"
)

// Contacts and next steps of the situation part.
const (
	ContactBanqueDeFrance       = "banque_de_france"
	ContactTuteur               = "tuteur"
	ContactCurateur             = "curateur"
	ContactMandataireJudiciaire = "mandataire_judiciaire"
	ContactLiquidateur          = "liquidateur"
	ContactNotaire              = "notaire"
	ContactCommissaireDeJustice = "commissaire_de_justice"

	StepStopCollection        = "stop_collection"
	StepInformCreditor        = "inform_creditor"
	StepJustifyClaim          = "justify_claim"
	StepFollowPlan            = "follow_plan"
	StepCloseFile             = "close_file"
	StepWriteToTuteur         = "write_to_tuteur"
	StepWriteToCurateur       = "write_to_curateur_and_debtor"
	StepDeclareClaim          = "declare_claim"
	StepReliefFromForeclosure = "request_relief_from_foreclosure"
	StepContactNotaire        = "contact_notaire"
	StepSommationDOpter       = "sommation_d_opter"
	StepSendCompliantLetter   = "send_compliant_letter"
	StepAgreePlan             = "agree_payment_plan"
	StepRevisePlan            = "revise_payment_plan"
	StepSmallClaims           = "small_claims_procedure"
	StepConciliation          = "conciliation"
	StepInjonctionDePayer     = "injonction_de_payer"
	StepEnforceTitle          = "enforcement_by_commissaire_de_justice"
	StepIssueReceipt          = "issue_receipt"           // CPCE R124-6 al. 1
	StepRemitFunds            = "remit_funds_to_creditor" // CPCE R124-6 al. 2

	DeadlineClaimDeclaration = "claim_declaration"
	DeadlineSommationDOpter  = "sommation_d_opter"
	DeadlineRemittance       = "remittance" // funds collected to remit to the creditor (CPCE R124-6)
)
