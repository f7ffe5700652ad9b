// Package law is the French amicable-collection rules engine: given a debt
// file, the day it is about and the dated parameter tables, it says what the
// law allows (limitation, claimable sums, the R124-4 letter, a payment plan,
// the debtor's situation). It is pure: no database, no HTTP, no clock.
package law

import (
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// The input and output mirror the API contract ("Case analysis", OpenAPI: /rules/evaluate) field for field.

// Input is a debt file to analyse on AsOf.
type Input struct {
	AsOf      civil.Date `json:"as_of"`
	Creditor  *Creditor  `json:"creditor,omitempty"`
	Debtor    *Debtor    `json:"debtor,omitempty"`
	Claim     *Claim     `json:"claim"`
	Letter    *Letter    `json:"letter,omitempty"`
	Household *Household `json:"household,omitempty"`
}

type Creditor struct {
	Kind string `json:"kind"`
}

type Debtor struct {
	Kind                 string                `json:"kind"`
	OverIndebtedness     string                `json:"over_indebtedness,omitempty"`
	Protection           string                `json:"protection,omitempty"`
	CollectiveProceeding *CollectiveProceeding `json:"collective_proceeding,omitempty"`
	DeceasedOn           civil.Date            `json:"deceased_on,omitempty"`
}

type CollectiveProceeding struct {
	Kind        string     `json:"kind"`
	PublishedOn civil.Date `json:"published_on,omitempty"`
	// OpenedOn is the date of the opening judgment (extension): it decides
	// which invoices carry the fixed indemnity and late penalties. When it is
	// absent the BODACC publication date stands in for it, with a finding.
	OpenedOn civil.Date `json:"opened_on,omitempty"`
}

type Claim struct {
	Kind           string          `json:"kind"`
	Principal      money.Cents     `json:"principal"`
	StartsOn       civil.Date      `json:"starts_on"`
	Events         []Event         `json:"events,omitempty"`
	RequestedItems []RequestedItem `json:"requested_items,omitempty"`
	LatePenalty    *LatePenalty    `json:"late_penalty,omitempty"`
}

type Event struct {
	Kind   string      `json:"kind"`
	On     civil.Date  `json:"on"`
	Amount money.Cents `json:"amount,omitempty"`
	// Extension for a partial payment the collector received for the
	// creditor (CPCE R124-5, R124-6): On is the day of its effective
	// collection, RemittedOn the day the funds reached the creditor, and
	// ReceiptIssued whether the debtor was given a receipt.
	ReceivedByCollector bool       `json:"received_by_collector,omitempty"`
	RemittedOn          civil.Date `json:"remitted_on,omitempty"`
	ReceiptIssued       bool       `json:"receipt_issued,omitempty"`
}

type RequestedItem struct {
	Kind   string      `json:"kind"`
	Label  string      `json:"label,omitempty"`
	Amount money.Cents `json:"amount"`
}

type LatePenalty struct {
	RatePercent Rate       `json:"rate_percent"`
	PaidOn      civil.Date `json:"paid_on,omitempty"`
}

// Letter says which of the R124-4 mentions and which faults a draft letter has.
type Letter struct {
	CollectorIdentity        bool `json:"collector_identity"`
	StatesAmicableCollection bool `json:"states_amicable_collection"`
	CreditorIdentity         bool `json:"creditor_identity"`
	ItemisedAmounts          bool `json:"itemised_amounts"`
	PaymentDemand            bool `json:"payment_demand"`
	ReproducesL111_8         bool `json:"reproduces_l111_8"`
	ImitatesJudicialAct      bool `json:"imitates_judicial_act"`
	ThreatensCourtAction     bool `json:"threatens_court_action"`
}

type Household struct {
	MonthlyNetIncome   money.Cents `json:"monthly_net_income"`
	MonthlyCharges     money.Cents `json:"monthly_charges"`
	Dependants         int         `json:"dependants"`
	ProposedInstalment money.Cents `json:"proposed_instalment"`
}

// Output is the analysis; a part is present when its input is.
type Output struct {
	Limitation *Limitation `json:"limitation,omitempty"`
	Claimable  *Claimable  `json:"claimable,omitempty"`
	Letter     *LetterTest `json:"letter,omitempty"`
	Plan       *Plan       `json:"plan,omitempty"`
	Situation  *Situation  `json:"situation,omitempty"`
	// Remittances (extension) follows the payments the collector received,
	// present when an event has received_by_collector.
	Remittances []Remittance `json:"remittances,omitempty"`
	Findings    []Finding    `json:"findings"`
}

// Remittance is one payment received by the collector: when its funds must
// reach the creditor (CPCE R124-6) and whether they did in time.
type Remittance struct {
	ReceivedOn    civil.Date  `json:"received_on"`
	Amount        money.Cents `json:"amount"`
	RemitBy       civil.Date  `json:"remit_by"`
	RemittedOn    civil.Date  `json:"remitted_on,omitempty"`
	Late          bool        `json:"late"` // remitted after RemitBy, or still held after it on as_of
	ReceiptIssued bool        `json:"receipt_issued"`
	Rule          string      `json:"rule"`
}

type Limitation struct {
	PeriodYears int    `json:"period_years"`
	Rule        string `json:"rule"`
	// Nature is "prescription", or "forclusion" for consumer credit, whose
	// period an acknowledgment or a payment does not interrupt (C. civ. 2220).
	Nature        string     `json:"nature"`
	LastDay       civil.Date `json:"last_day"`
	Barred        bool       `json:"barred"`
	InterruptedBy []EventRef `json:"interrupted_by"`
}

type EventRef struct {
	Kind string     `json:"kind"`
	On   civil.Date `json:"on"`
}

type Claimable struct {
	Principal money.Cents `json:"principal"`
	Allowed   []Item      `json:"allowed"`
	Refused   []Item      `json:"refused"`
	Total     money.Cents `json:"total"`
	Rule      string      `json:"rule"`
}

type Item struct {
	Kind   string      `json:"kind"`
	Label  string      `json:"label"`
	Amount money.Cents `json:"amount"`
	Rule   string      `json:"rule"`
}

type LetterTest struct {
	Compliant  bool     `json:"compliant"`
	Missing    []string `json:"missing"`
	Violations []string `json:"violations"`
	Rule       string   `json:"rule"`
}

type Plan struct {
	MonthlySeizable money.Cents `json:"monthly_seizable"`
	MaxInstalment   money.Cents `json:"max_instalment"`
	RemainingIncome money.Cents `json:"remaining_income"`
	Sustainable     bool        `json:"sustainable"`
	Rule            string      `json:"rule"`
}

type Situation struct {
	AmicableCollectionAllowed bool       `json:"amicable_collection_allowed"`
	AcceptPayments            bool       `json:"accept_payments"`
	Contacts                  []string   `json:"contacts"`
	Deadlines                 []Deadline `json:"deadlines"`
	NextSteps                 []string   `json:"next_steps"`
	Rule                      string     `json:"rule"` // the articles that shaped this answer, "; "-separated
}

type Deadline struct {
	Kind string     `json:"kind"`
	On   civil.Date `json:"on"`
	Rule string     `json:"rule"`
}

type Finding struct {
	Code     string `json:"code"`
	Severity string `json:"severity"` // blocking | warning | info
	Rule     string `json:"rule"`
	Message  string `json:"message"` // French, a sentence a trainee can learn from
}

// Parameters are the dated tables of docs/domain.md §5, loaded from seed/ by the
// referential package. The engine picks the value in force on the date a
// computation is about; it never holds a rate or a scale as a constant.
type Parameters struct {
	LegalInterest      []LegalInterestRate // by half-year
	ECBRate            []DatedRate         // ECB main refinancing rate, by half-year (C. com. L441-10)
	SeizureScales      []SeizureScale      // by calendar year (C. trav. R3252-2)
	RSA                []DatedAmount       // RSA for one person, from a date
	FixedIndemnity     []DatedAmount       // C. com. D441-5 (40 €)
	SmallClaimsCeiling []DatedAmount       // CPCE R125-1 (5 000 €, interest included)
}

// Rate is a percentage with four decimals: 7.86 % is Rate(78600).
type Rate int64

// LegalInterestRate is the legal rate for [From, To] (CMF L313-2).
type LegalInterestRate struct {
	From, To         civil.Date
	ConsumerCreditor Rate // creditor is a natural person not acting for business
	Other            Rate
}

type DatedRate struct {
	From, To civil.Date
	Rate     Rate
}

type DatedAmount struct {
	From civil.Date // in force from this day until the next entry's From
	// To is the last day the value is known to hold (e.g. the eve of the next
	// yearly revaluation); zero when it holds until a new entry replaces it.
	To     civil.Date
	Amount money.Cents
}

// SeizureScale is one year's scale: annual upper bounds of the bands (the last
// band, above the highest bound, is seized entirely) with the fraction seized
// in each band, each bound raised by PerDependant for each dependant.
type SeizureScale struct {
	Year         int
	Bands        []SeizureBand
	PerDependant money.Cents
}

type SeizureBand struct {
	UpTo        money.Cents // annual, inclusive; 0 on the last, open-ended band
	Numerator   int64
	Denominator int64
}
