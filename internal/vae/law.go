package vae

import (
	"time"

	"github.com/ancr/cqp/internal/civil"
)

// The VAE rules of the law in force since 1 January 2024 (loi n° 2022-1598,
// décret n° 2023-1275; docs/domain.md §4), as pure functions of dates.

// LawInForce is the day the reform applies from (décret n° 2023-1275).
var LawInForce = civil.New(2024, time.January, 1)

// DecisionMonths is how long the certifier has to decide on a complete
// request; silence until the deadline has passed is an acceptance.
const DecisionMonths = 2

// ValidityYears is how long an admissibility stays valid when the decision
// does not say otherwise. The law lets the certifier set it and have it
// stated in the notification; three years is this platform's policy.
const ValidityYears = 3

// Yearly limits on requests per candidate and calendar year, a refused
// request included.
const (
	MaxPerCertificationPerYear = 1
	MaxCertificationsPerYear   = 3
)

// Deadline is the last day of the two months the certifier has to decide
// on a request complete on complete: the same day number two months later,
// or the month's last day when it has none (31 December → 28 February).
func Deadline(complete civil.Date) civil.Date { return complete.AddMonths(DecisionMonths) }

// ImplicitOn is the day silence becomes an acceptance: the day after the
// deadline.
func ImplicitOn(deadline civil.Date) civil.Date { return deadline.AddDays(1) }

// Overdue tells whether a request whose decision was due by deadline is
// implicitly admissible on today.
func Overdue(deadline, today civil.Date) bool { return today.After(deadline) }

// Filed is a request already filed by the candidate, as the yearly limits
// count it.
type Filed struct {
	Certification string
	ReceivedOn    civil.Date
}

// Yearly limits, as YearlyLimit reports them.
const (
	LimitSameCertification = "same_certification"
	LimitCertifications    = "certifications"
)

// YearlyLimit tells which limit a new request for cert received on on would
// break, given the candidate's other requests ("" when none): a second
// request for the same certification in the same calendar year, or a request
// for a fourth certification that year.
func YearlyLimit(filed []Filed, cert string, on civil.Date) string {
	certs := map[string]int{}
	for _, f := range filed {
		if f.ReceivedOn.Year == on.Year {
			certs[f.Certification]++
		}
	}
	if certs[cert] >= MaxPerCertificationPerYear {
		return LimitSameCertification
	}
	if len(certs) >= MaxCertificationsPerYear {
		return LimitCertifications
	}
	return ""
}
