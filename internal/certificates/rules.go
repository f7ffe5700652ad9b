package certificates

import (
	"slices"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/referential"
)

// Kinds of document (the API contract ("Certificates", see the OpenAPI document)).
const (
	KindCertificate = "certificate"
	KindAttestation = "partial_attestation"
)

// Acquisition is one component as a document lists it.
type Acquisition struct {
	Code       string
	AcquiredOn civil.Date
	ExpiresOn  civil.Date
}

// Outcome is what the ledger entitles a candidate to for one certification.
type Outcome struct {
	Kind string
	// AwardedOn is the date of the decision that completed the set (the
	// certificate's award date); zero for an attestation.
	AwardedOn  civil.Date
	Components []Acquisition
}

// Assess applies docs/domain.md §3 to a candidate's decisions for one
// certification (components in the referential's order, each valid `years`
// years), as things stand on `today`:
//
//   - the CQP is awarded on the first decision date d on which every
//     component is valid (acquired_on <= d < expires_on, taking for each
//     component its latest validation on or before d). The set can only
//     become complete on a validation date, so those are the only dates to
//     try. The components listed are the validations that formed the set;
//     later re-validations do not change an awarded CQP.
//   - otherwise, a partial attestation lists each component valid on
//     `today` (its latest validation, with its expires_on). An expired
//     component is left out: it no longer counts towards the CQP, and the
//     attestation certifies what the candidate holds on its date of issue.
//
// Only final decisions that are still in force count (not superseded);
// refusals never undo an acquisition. ok is false when nothing is acquired.
func Assess(components []string, years int, decisions []candidates.Decision, today civil.Date) (out Outcome, ok bool) {
	wanted := make(map[string]bool, len(components))
	for _, c := range components {
		wanted[c] = true
	}
	byComponent := map[string][]civil.Date{}
	var dates []civil.Date
	for _, d := range decisions {
		if !d.Final || d.SupersededBy != nil || d.Outcome != candidates.Validated ||
			!wanted[d.Component] || d.DecidedOn.IsZero() || d.DecidedOn.After(today) {
			continue
		}
		byComponent[d.Component] = append(byComponent[d.Component], d.DecidedOn)
		dates = append(dates, d.DecidedOn)
	}
	slices.SortFunc(dates, civil.Date.Compare)
	dates = slices.Compact(dates)

	latest := func(code string, on civil.Date) (civil.Date, bool) {
		var best civil.Date
		for _, d := range byComponent[code] {
			if !d.After(on) && (best.IsZero() || d.After(best)) {
				best = d
			}
		}
		return best, !best.IsZero()
	}

	if len(components) > 0 {
	dates:
		for _, d := range dates {
			set := make([]Acquisition, 0, len(components))
			for _, code := range components {
				acq, found := latest(code, d)
				if !found || !candidates.ValidOn(acq, years, d) {
					continue dates
				}
				set = append(set, Acquisition{Code: code, AcquiredOn: acq, ExpiresOn: candidates.ExpiresOn(acq, years)})
			}
			return Outcome{Kind: KindCertificate, AwardedOn: d, Components: set}, true
		}
	}

	out = Outcome{Kind: KindAttestation}
	for _, code := range components {
		acq, found := latest(code, today)
		if found && candidates.ValidOn(acq, years, today) {
			out.Components = append(out.Components, Acquisition{Code: code, AcquiredOn: acq, ExpiresOn: candidates.ExpiresOn(acq, years)})
		}
	}
	return out, len(out.Components) > 0
}

// RegistryEntry returns the registry entry (RNCP…) a document dated `on`
// may mention: the first registration whose period covers that date. A
// certification whose registration lapsed is still awarded, but its
// certificates must not claim a registration they do not have.
func RegistryEntry(regs []referential.Registration, on civil.Date) (referential.Registration, bool) {
	for _, r := range regs {
		if r.Covers(on) {
			return r, true
		}
	}
	return referential.Registration{}, false
}
