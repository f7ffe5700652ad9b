package vae

import (
	"testing"

	"github.com/ancr/cqp/internal/civil"
)

func TestDeadline_TwoMonthsToTheSameDayOrTheMonthsLastDay(t *testing.T) {
	for _, c := range []struct{ complete, deadline, implicit string }{
		{"2026-10-15", "2026-12-15", "2026-12-16"},
		{"2026-12-31", "2027-02-28", "2027-03-01"}, // no 31 February
		{"2027-12-31", "2028-02-29", "2028-03-01"}, // leap year
		{"2026-08-31", "2026-10-31", "2026-11-01"},
		{"2026-11-30", "2027-01-30", "2027-01-31"},
		{"2026-12-29", "2027-02-28", "2027-03-01"},
	} {
		d := Deadline(civil.MustParse(c.complete))
		if d.String() != c.deadline {
			t.Errorf("complete %s: deadline %s, want %s", c.complete, d, c.deadline)
		}
		if on := ImplicitOn(d); on.String() != c.implicit {
			t.Errorf("complete %s: implicit on %s, want %s", c.complete, on, c.implicit)
		}
		if Overdue(d, d) || !Overdue(d, d.AddDays(1)) {
			t.Errorf("complete %s: overdue on the deadline itself, or not the day after", c.complete)
		}
	}
}

func TestYearlyLimit_OnePerCertificationThreeCertificationsPerCalendarYear(t *testing.T) {
	on := func(s string) civil.Date { return civil.MustParse(s) }
	cases := []struct {
		name  string
		filed []Filed
		cert  string
		date  string
		want  string
	}{
		{"first request", nil, "a", "2026-03-01", ""},
		{"same certification, same year (refused counts too)", []Filed{{"a", on("2026-01-10")}}, "a", "2026-12-31", LimitSameCertification},
		{"same certification, next year", []Filed{{"a", on("2026-12-31")}}, "a", "2027-01-01", ""},
		{"same certification, previous year", []Filed{{"a", on("2027-01-01")}}, "a", "2026-12-31", ""},
		{"third certification", []Filed{{"a", on("2026-01-10")}, {"b", on("2026-02-10")}}, "c", "2026-12-31", ""},
		{"fourth certification", []Filed{{"a", on("2026-01-10")}, {"b", on("2026-02-10")}, {"c", on("2026-03-10")}}, "d", "2026-12-31", LimitCertifications},
		{"fourth certification, one of them last year", []Filed{{"a", on("2025-12-31")}, {"b", on("2026-02-10")}, {"c", on("2026-03-10")}}, "d", "2026-06-01", ""},
		{"fourth certification next year", []Filed{{"a", on("2026-01-10")}, {"b", on("2026-02-10")}, {"c", on("2026-03-10")}}, "d", "2027-01-01", ""},
	}
	for _, c := range cases {
		if got := YearlyLimit(c.filed, c.cert, on(c.date)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
