package jury

// The jury's rules, pure: no database, no HTTP, no clock. The service feeds
// them what it read under the jury's lock and turns their findings into
// problems.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
)

// Member categories (docs/domain.md §2).
const (
	Professional               = "professional"
	OrganisationRepresentative = "organisation_representative"
)

// Rule is the composition rule of a certification: at least MinMembers
// voting members, professionals at least ProNum/ProDen of them, at least
// MinRepresentatives organisation representatives.
type Rule struct {
	MinMembers         int
	ProNum, ProDen     int
	MinRepresentatives int
}

// DefaultRule is docs/domain.md §2: 3 members, two thirds professionals, one
// representative.
var DefaultRule = Rule{MinMembers: 3, ProNum: 2, ProDen: 3, MinRepresentatives: 1}

// ParseRule builds a Rule from the referential's fields ("2/3").
func ParseRule(minMembers int, ratio string, minReps int) (Rule, error) {
	r := Rule{MinMembers: minMembers, MinRepresentatives: minReps, ProNum: 2, ProDen: 3}
	if ratio != "" {
		num, den, ok := strings.Cut(ratio, "/")
		n, err1 := strconv.Atoi(strings.TrimSpace(num))
		d, err2 := strconv.Atoi(strings.TrimSpace(den))
		if !ok || err1 != nil || err2 != nil || n < 0 || d <= 0 || n > d {
			return Rule{}, fmt.Errorf("jury rule: bad professional ratio %q", ratio)
		}
		r.ProNum, r.ProDen = n, d
	}
	if r.MinMembers <= 0 {
		r.MinMembers = DefaultRule.MinMembers
	}
	return r, nil
}

// Seat is one member as the rules see them. Gender is the account's
// stated gender (female, male, or unspecified / empty).
type Seat struct {
	UserID   string
	Category string
	Gender   string
}

// Finding says what is wrong with a composition, in both languages; Code is
// stable for tests and clients.
type Finding struct {
	Code   string `json:"code"`
	FR     string `json:"message_fr"`
	EN     string `json:"message_en"`
	UserID string `json:"user_id,omitempty"`
}

// Finding codes.
const (
	FindingTooFew          = "too_few_members"
	FindingProfessional    = "missing_professional"
	FindingRepresentative  = "missing_representative"
	FindingDuplicate       = "duplicate_member"
	FindingUnknownCategory = "unknown_category"
)

// CheckComposition applies the rule to seats and says what is missing; an
// empty answer means the composition holds. A duplicate seat counts once,
// so that a member entered twice cannot make up the numbers.
func CheckComposition(r Rule, seats []Seat) []Finding {
	var out []Finding
	seen := map[string]bool{}
	var n, pros, reps int
	for _, s := range seats {
		if seen[s.UserID] {
			out = append(out, Finding{Code: FindingDuplicate, UserID: s.UserID,
				FR: "un membre figure deux fois (" + s.UserID + ")",
				EN: "a member appears twice (" + s.UserID + ")"})
			continue
		}
		seen[s.UserID] = true
		switch s.Category {
		case Professional:
			pros++
		case OrganisationRepresentative:
			reps++
		default:
			out = append(out, Finding{Code: FindingUnknownCategory, UserID: s.UserID,
				FR: fmt.Sprintf("catégorie inconnue « %s » pour le membre %s", s.Category, s.UserID),
				EN: fmt.Sprintf("unknown category %q for member %s", s.Category, s.UserID)})
			continue
		}
		n++
	}
	if n < r.MinMembers {
		out = append(out, Finding{Code: FindingTooFew,
			FR: fmt.Sprintf("il faut au moins %d membres (%d)", r.MinMembers, n),
			EN: fmt.Sprintf("at least %d members are needed (%d)", r.MinMembers, n)})
	}
	if k := missingProfessionals(r, n, pros); k > 0 {
		f := Finding{Code: FindingProfessional}
		if k == 1 {
			f.FR, f.EN = "il manque un professionnel", "one professional is missing"
		} else {
			f.FR, f.EN = fmt.Sprintf("il manque %d professionnels", k), fmt.Sprintf("%d professionals are missing", k)
		}
		f.FR += fmt.Sprintf(" (au moins %d/%d de professionnels : %d sur %d)", r.ProNum, r.ProDen, pros, n)
		f.EN += fmt.Sprintf(" (at least %d/%d professionals: %d of %d)", r.ProNum, r.ProDen, pros, n)
		out = append(out, f)
	}
	if reps < r.MinRepresentatives {
		f := Finding{Code: FindingRepresentative}
		if k := r.MinRepresentatives - reps; k == 1 {
			f.FR, f.EN = "il manque un représentant de l'organisme certificateur ou de formation",
				"an organisation representative (certifier or training body) is missing"
		} else {
			f.FR = fmt.Sprintf("il manque %d représentants de l'organisme certificateur ou de formation", k)
			f.EN = fmt.Sprintf("%d organisation representatives are missing", k)
		}
		out = append(out, f)
	}
	return out
}

// missingProfessionals is how many professionals must join for the ratio to
// hold: ProDen·(p+k) ≥ ProNum·(n+k). With 2/3 that is k = 2n − 3p.
func missingProfessionals(r Rule, n, pros int) int {
	if n == 0 || r.ProDen*pros >= r.ProNum*n {
		return 0
	}
	if r.ProDen == r.ProNum { // every member must be a professional
		return n - pros
	}
	gap := r.ProNum*n - r.ProDen*pros
	step := r.ProDen - r.ProNum
	return (gap + step - 1) / step
}

// Quorum keeps the members present and free of conflict, and checks the
// composition rule among them (docs/domain.md §2: the same rule applies to the
// members present, after removing members in conflict).
func Quorum(r Rule, members []Seat, present []string, excluded map[string]bool) (eligible []Seat, findings []Finding) {
	here := map[string]bool{}
	for _, id := range present {
		here[id] = true
	}
	for _, m := range members {
		if here[m.UserID] && !excluded[m.UserID] {
			eligible = append(eligible, m)
		}
	}
	return eligible, CheckComposition(r, eligible)
}

// Conflict reasons.
const (
	ReasonEmployer       = "employer"        // the member's organisation employs the candidate now
	ReasonFormerEmployer = "former_employer" // it employed the candidate during the 3 years before the session
	ReasonVAESupport     = "vae_support"     // the member supports (accompagne) the candidate's VAE
	ReasonTrained        = "trained"         // the member trained the candidate
	ReasonAccompanied    = "accompanied"     // the member accompanied the candidate (VAE, tutoring)
	ReasonDeclared       = "declared"        // any other interest the member declared
)

// FormerEmployerYears is how far back a former employer still bars its
// members (docs/domain.md §2: "worked for it during the last 3 years").
const FormerEmployerYears = 3

// Link is a recorded tie between a member and a candidate.
type Link struct {
	UserID, CandidateID, Kind, Note string
}

// Tie kinds: what the candidate's VAE requests reveal (the VAE feature
// provides them; the composition root adapts its type to this one).
const (
	TieSupport  = "support"  // UserID supports the candidate's VAE
	TieEmployer = "employer" // the candidate worked for Employer until EndsOn (zero: still there)
)

// Tie is one link a VAE request reveals between the candidate and a person
// or an organisation.
type Tie struct {
	Kind     string
	UserID   string     // TieSupport
	Employer string     // TieEmployer, as the candidate wrote it
	StartsOn civil.Date // TieEmployer
	EndsOn   civil.Date // TieEmployer; zero while the activity goes on
}

// Person is a member as the conflict rule sees them.
type Person struct {
	UserID, Organisation string
}

// ConflictInput is what the conflict rule reads about one candidate before
// one jury.
type ConflictInput struct {
	CandidateID string
	// Employer is the candidate's current employer, from their record.
	Employer string
	// Session is the jury's session date: the 3-year look-back ends there.
	Session civil.Date
	// Ties are the support persons and employers of the candidate's VAE
	// requests; Links the ties recorded or declared on the juries.
	Ties  []Tie
	Links []Link
}

// Conflict is one reason a member may not assess a candidate. Detail is
// the employer's name for the employer reasons, the note of a recorded
// link otherwise; EndedOn is when a former employment ended.
type Conflict struct {
	UserID  string     `json:"user_id"`
	Reason  string     `json:"reason"`
	Detail  string     `json:"detail,omitempty"`
	EndedOn civil.Date `json:"ended_on"`
}

// LookBackStart is the first day of the look-back before a session: an
// employment that ended on this day or later still bars (3 years before
// the session, same day number, or the month's last day: 2027-02-29 does
// not exist, so a session on 2028-02-29 looks back to 2025-02-28).
func LookBackStart(session civil.Date) civil.Date { return session.AddYears(-FormerEmployerYears) }

// Conflicts lists, for one candidate, each member in conflict and why (at
// most one conflict per member and reason):
//   - employer: the member's organisation is the candidate's employer, on
//     their record or in a VAE experience still going on;
//   - former_employer: a VAE experience with the member's organisation
//     ended within the 3 years before the session. The window is
//     inclusive: an experience that ended exactly 3 years before the
//     session date (LookBackStart) still bars; one that ended the day
//     before does not. When several experiences match, the latest end is
//     kept;
//   - vae_support: the member is the support person of one of the
//     candidate's VAE requests;
//   - trained, accompanied, declared: a recorded link.
//
// Organisations are compared without case or accents ("Créances Services
// Lyon" = "CREANCES services lyon").
func Conflicts(members []Person, in ConflictInput) []Conflict {
	var out []Conflict
	emp := candidates.Fold(in.Employer)
	since := LookBackStart(in.Session)
	for _, m := range members {
		org := candidates.Fold(m.Organisation)
		current := org != "" && org == emp
		if current {
			out = append(out, Conflict{UserID: m.UserID, Reason: ReasonEmployer, Detail: in.Employer})
		}
		former := -1
		support := false
		for _, t := range in.Ties {
			switch t.Kind {
			case TieSupport:
				if t.UserID == m.UserID && !support {
					support = true
					out = append(out, Conflict{UserID: m.UserID, Reason: ReasonVAESupport})
				}
			case TieEmployer:
				if org == "" || candidates.Fold(t.Employer) != org {
					continue
				}
				switch {
				case t.EndsOn.IsZero():
					if !current {
						current = true
						out = append(out, Conflict{UserID: m.UserID, Reason: ReasonEmployer, Detail: t.Employer})
					}
				case !t.EndsOn.Before(since):
					if former < 0 {
						former = len(out)
						out = append(out, Conflict{UserID: m.UserID, Reason: ReasonFormerEmployer, Detail: t.Employer, EndedOn: t.EndsOn})
					} else if t.EndsOn.After(out[former].EndedOn) {
						out[former].Detail, out[former].EndedOn = t.Employer, t.EndsOn
					}
				}
			}
		}
		if current && former >= 0 {
			// Still employed there: the former employment adds nothing.
			out = append(out[:former], out[former+1:]...)
		}
		for _, l := range in.Links {
			if l.UserID == m.UserID && l.CandidateID == in.CandidateID {
				out = append(out, Conflict{UserID: m.UserID, Reason: l.Kind, Detail: l.Note})
			}
		}
	}
	return out
}

// Explain says why a member is in conflict, in French and English, for the
// pages and the API.
func Explain(reason, detail string, endedOn civil.Date) (fr, en string) {
	with := func(fr, en string) (string, string) {
		if detail == "" {
			return fr, en
		}
		return fr + " : " + detail, en + ": " + detail
	}
	switch reason {
	case ReasonEmployer:
		return with("employeur actuel du candidat", "the candidate's current employer")
	case ReasonFormerEmployer:
		return fmt.Sprintf("ancien employeur du candidat (%s, jusqu'au %s), dans les %d ans précédant la session",
				detail, frenchDate(endedOn), FormerEmployerYears),
			fmt.Sprintf("the candidate's former employer (%s, until %s), within the %d years before the session",
				detail, endedOn, FormerEmployerYears)
	case ReasonVAESupport:
		return "accompagnateur VAE du candidat", "the candidate's VAE support person"
	case ReasonTrained:
		return with("a formé le candidat", "trained the candidate")
	case ReasonAccompanied:
		return with("a accompagné le candidat", "accompanied the candidate")
	case ReasonDeclared:
		return with("lien d'intérêt déclaré", "declared interest")
	}
	return with("conflit d'intérêts ("+reason+")", "conflict of interest ("+reason+")")
}

func frenchDate(d civil.Date) string {
	if d.IsZero() {
		return "?"
	}
	return d.Numeric()
}

// Excluded is the set of members a list of conflicts removes.
func Excluded(cs []Conflict) map[string]bool {
	out := map[string]bool{}
	for _, c := range cs {
		out[c.UserID] = true
	}
	return out
}

// Score is one member's level on one criterion.
type Score struct {
	Member, Criterion string
	Level             int
}

// SpreadThreshold is the disagreement, in levels, that flags a criterion.
const SpreadThreshold = 2

// Spread is the disagreement on one criterion.
type Spread struct {
	Criterion string `json:"criterion"`
	Min       int    `json:"min"`
	Max       int    `json:"max"`
	Spread    int    `json:"spread"`
	Flagged   bool   `json:"flagged"`
	// Mean is the members' mean level, to two decimals.
	Mean float64 `json:"mean"`
}

// Spreads computes, per criterion (in first-seen order), the gap between
// the lowest and highest level given, flagging gaps of SpreadThreshold or
// more: the jury discusses those before deciding.
func Spreads(scores []Score) []Spread {
	var order []string
	by := map[string]*Spread{}
	sum, n := map[string]int{}, map[string]int{}
	for _, s := range scores {
		sp, ok := by[s.Criterion]
		if !ok {
			sp = &Spread{Criterion: s.Criterion, Min: s.Level, Max: s.Level}
			by[s.Criterion] = sp
			order = append(order, s.Criterion)
		}
		sp.Min, sp.Max = min(sp.Min, s.Level), max(sp.Max, s.Level)
		sum[s.Criterion] += s.Level
		n[s.Criterion]++
	}
	out := make([]Spread, 0, len(order))
	for _, c := range order {
		sp := *by[c]
		sp.Spread = sp.Max - sp.Min
		sp.Flagged = sp.Spread >= SpreadThreshold
		sp.Mean = math.Round(float64(sum[c])*100/float64(n[c])) / 100
		out = append(out, sp)
	}
	return out
}

// MasteredMean is the mean level from which a criterion counts as mastered
// in the suggestion: closer to level 3 (« maîtrisé ») than to level 2
// (« en cours d'acquisition »).
const MasteredMean = 2.5

// Suggested outcomes of a component, shown to the jury before it decides.
const (
	SuggestValidated    = "validated"
	SuggestNotValidated = "not_validated"
	SuggestDiscuss      = "discuss" // a criterion is flagged: talk before deciding
)

// Suggest proposes an outcome for a component from its criteria's spreads:
// to discuss while any criterion is flagged, validated when every criterion's
// mean reaches MasteredMean, otherwise not validated; "" when nothing is
// scored. It is only a suggestion: the jury is sovereign and decides.
func Suggest(spreads []Spread) string {
	if len(spreads) == 0 {
		return ""
	}
	out := SuggestValidated
	for _, sp := range spreads {
		if sp.Flagged {
			return SuggestDiscuss
		}
		if sp.Mean < MasteredMean {
			out = SuggestNotValidated
		}
	}
	return out
}

// CohenKappa is the agreement between two raters beyond chance over the
// criteria both scored: κ = (po − pe) / (1 − pe), levels taken as nominal
// categories. ok is false when there is nothing to compare or κ is
// undefined (pe = 1: both gave one same level throughout).
func CohenKappa(a, b map[string]int) (kappa float64, n int, ok bool) {
	ca, cb := map[int]int{}, map[int]int{}
	agree := 0
	for crit, la := range a {
		lb, both := b[crit]
		if !both {
			continue
		}
		n++
		ca[la]++
		cb[lb]++
		if la == lb {
			agree++
		}
	}
	if n == 0 {
		return 0, 0, false
	}
	po := float64(agree) / float64(n)
	pe := 0.0
	for level, k := range ca {
		pe += float64(k) / float64(n) * float64(cb[level]) / float64(n)
	}
	if math.Abs(1-pe) < 1e-12 {
		return 0, n, false
	}
	return (po - pe) / (1 - pe), n, true
}

// PairAgreement is κ for one pair of members (nil when undefined).
type PairAgreement struct {
	A     string   `json:"member_a"`
	B     string   `json:"member_b"`
	N     int      `json:"criteria"`
	Kappa *float64 `json:"kappa"`
}

// Agreement computes κ for every pair of members (levels keyed by
// criterion) and the mean over the pairs where κ is defined.
func Agreement(levels map[string]map[string]int) (pairs []PairAgreement, mean *float64) {
	ids := make([]string, 0, len(levels))
	for id := range levels {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	sum, defined := 0.0, 0
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			k, n, ok := CohenKappa(levels[ids[i]], levels[ids[j]])
			p := PairAgreement{A: ids[i], B: ids[j], N: n}
			if ok {
				k = math.Round(k*1000) / 1000
				p.Kappa = &k
				sum += k
				defined++
			}
			pairs = append(pairs, p)
		}
	}
	if defined > 0 {
		m := math.Round(sum/float64(defined)*1000) / 1000
		mean = &m
	}
	return pairs, mean
}

// Vote is one member's vote on one component.
type Vote struct {
	UserID   string `json:"user_id"`
	Decision string `json:"decision"`
}

// ErrTieWithoutPresident is a tied vote the president cannot break.
var ErrTieWithoutPresident = fmt.Errorf("tied vote and the president did not vote")

// Decide counts the votes on one component: the majority decides; on a tie
// the president's vote is the casting vote (voix prépondérante).
func Decide(votes []Vote, president string) (decision string, casting bool, err error) {
	var yes, no int
	presidentVote := ""
	for _, v := range votes {
		switch v.Decision {
		case candidates.Validated:
			yes++
		case candidates.NotValidated:
			no++
		default:
			return "", false, fmt.Errorf("unknown vote %q", v.Decision)
		}
		if v.UserID == president {
			presidentVote = v.Decision
		}
	}
	switch {
	case yes > no:
		return candidates.Validated, false, nil
	case no > yes:
		return candidates.NotValidated, false, nil
	case presidentVote != "":
		return presidentVote, true, nil
	}
	return "", false, ErrTieWithoutPresident
}

// Deadline states.
const (
	OnTime = "on_time"
	AtRisk = "at_risk"
	Late   = "late"
)

// VAE deadlines: the jury sits within 3 months of the dossier's submission,
// and the result is notified within 15 days of the deliberation.
const (
	SittingMonths   = 3
	NotifyDays      = 15
	AtRiskMarginDay = 15 // how soon before its due date an open step shows as at risk
)

// SittingDue is the last day the jury may sit for a dossier submitted on d.
func SittingDue(submitted civil.Date) civil.Date { return submitted.AddMonths(SittingMonths) }

// NotificationDue is the last day to notify a result decided on d.
func NotificationDue(decided civil.Date) civil.Date { return decided.AddDays(NotifyDays) }

// DeadlineState says where a step stands: done (non-zero) on or before due
// is on time, after it late; an open step is late once due has passed, at
// risk when it is planned after due or due is within the margin.
func DeadlineState(due, done, planned, today civil.Date) string {
	if !done.IsZero() {
		if done.After(due) {
			return Late
		}
		return OnTime
	}
	if today.After(due) {
		return Late
	}
	if (!planned.IsZero() && planned.After(due)) || today.DaysUntil(due) <= AtRiskMarginDay {
		return AtRisk
	}
	return OnTime
}
