package vae

import (
	"sort"

	"github.com/ancr/cqp/internal/civil"
)

// Months is how long the experience lasted by today, in whole months; an
// open period (no end) or one ending after today runs to today.
func (e Experience) Months(today civil.Date) int {
	end := periodEnd(e, today)
	if end.Before(e.StartsOn) {
		return 0
	}
	m, _ := monthsBetween(e.StartsOn, end.AddDays(1))
	return m
}

// ActivityMonths is the activity the experiences cover by today, in whole
// months, shown for information (the law in force sets no minimum,
// docs/domain.md §4): a day worked under two overlapping periods counts once (a
// candidate may hold two part-time posts), and the days left over after
// each stretch's whole months add up at 31 days a month, so that no
// month is credited that was not worked in full.
func ActivityMonths(exps []Experience, today civil.Date) int {
	type span struct{ from, to civil.Date } // both days included
	spans := make([]span, 0, len(exps))
	for _, e := range exps {
		if end := periodEnd(e, today); !end.Before(e.StartsOn) {
			spans = append(spans, span{e.StartsOn, end})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	var merged []span
	for _, s := range spans {
		if n := len(merged); n > 0 && !s.from.After(merged[n-1].to.AddDays(1)) {
			if s.to.After(merged[n-1].to) {
				merged[n-1].to = s.to
			}
			continue
		}
		merged = append(merged, s)
	}
	months, days := 0, 0
	for _, s := range merged {
		m, d := monthsBetween(s.from, s.to.AddDays(1))
		months, days = months+m, days+d
	}
	return months + days/31
}

func periodEnd(e Experience, today civil.Date) civil.Date {
	if e.EndsOn.IsZero() || e.EndsOn.After(today) {
		return today
	}
	return e.EndsOn
}

// monthsBetween is the whole months from a to b (b excluded) and the days
// left after them.
func monthsBetween(a, b civil.Date) (months, days int) {
	n := (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
	for n > 0 && a.AddMonths(n).After(b) {
		n--
	}
	if n < 0 {
		n = 0
	}
	return n, a.AddMonths(n).DaysUntil(b)
}
