package vae

import (
	"testing"

	"github.com/ancr/cqp/internal/civil"
)

func TestActivityMonths_OverlapsCountOnceOpenPeriodsRunToToday(t *testing.T) {
	d := civil.MustParse
	exp := func(from, to string) Experience {
		e := Experience{StartsOn: d(from)}
		if to != "" {
			e.EndsOn = d(to)
		}
		return e
	}
	today := d("2026-11-22")
	for _, tc := range []struct {
		name string
		exps []Experience
		want int
	}{
		{"none", nil, 0},
		{"one whole year, both ends included", []Experience{exp("2024-01-01", "2024-12-31")}, 12},
		{"a day short of a year", []Experience{exp("2024-01-01", "2024-12-30")}, 11},
		{"overlapping posts count once", []Experience{exp("2024-01-01", "2024-06-30"), exp("2024-04-01", "2024-09-30")}, 9},
		{"adjacent periods join", []Experience{exp("2024-01-01", "2024-01-31"), exp("2024-02-01", "2024-02-29")}, 2},
		{"separate stretches add their leftover days", []Experience{exp("2024-01-01", "2024-01-16"), exp("2024-03-01", "2024-03-15")}, 1},
		{"thirty leftover days are not a month", []Experience{exp("2024-01-01", "2024-01-15"), exp("2024-03-01", "2024-03-15")}, 0},
		{"open period runs to today", []Experience{exp("2025-11-22", "")}, 12},
		{"an end after today stops today", []Experience{exp("2026-05-22", "2027-12-31")}, 6},
		{"an end before the start counts nothing", []Experience{exp("2024-05-01", "2024-04-01")}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ActivityMonths(tc.exps, today); got != tc.want {
				t.Errorf("ActivityMonths = %d, want %d", got, tc.want)
			}
		})
	}
	if got := exp("2025-01-15", "2025-02-13").Months(today); got != 0 {
		t.Errorf("Months of a day short of a month = %d", got)
	}
	if got := exp("2025-01-31", "2025-02-28").Months(today); got != 1 {
		t.Errorf("Months to the month's last day = %d", got)
	}
}
