// Package civil holds the calendar date the law talks in: a day with no time
// of day and no time zone, with the French month-end rule for adding years
// and months (CPC art. 641 al. 2). It is pure: no clock, no database.
package civil

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Date is a civil date. The zero value is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Layout is the only textual form of a Date, in JSON and in the database.
const Layout = "2006-01-02"

// New returns the date for y-m-d, normalising overflow the way time.Date does.
func New(y int, m time.Month, d int) Date {
	return Of(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Of returns the civil date of t in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Parse reads YYYY-MM-DD and refuses impossible dates such as 2026-02-30.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: expected YYYY-MM-DD", s)
	}
	return Of(t), nil
}

// MustParse is Parse for literals in tests and seed code; it panics on a bad literal.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero date.
func (d Date) IsZero() bool { return d.Year == 0 && d.Month == 0 && d.Day == 0 }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return string(d.appendTo(make([]byte, 0, 10)))
}

// appendTo writes YYYY-MM-DD without fmt: dates are encoded in every answer.
func (d Date) appendTo(b []byte) []byte {
	y := d.Year
	if y < 0 || y > 9999 {
		return fmt.Appendf(b, "%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+int(d.Month)/10), byte('0'+int(d.Month)%10), '-')
	return append(b, byte('0'+d.Day/10), byte('0'+d.Day%10))
}

// Before, After, Equal and Compare order dates.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }
func (d Date) After(o Date) bool  { return d.Compare(o) > 0 }
func (d Date) Equal(o Date) bool  { return d == o }
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp(int(d.Month), int(o.Month))
	default:
		return cmp(d.Day, o.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddDays moves d by n days (n may be negative).
func (d Date) AddDays(n int) Date { return Of(d.Time().AddDate(0, 0, n)) }

// AddMonths moves d by n months keeping the day number, or the last day of the
// target month when it has no such day (31 January + 1 month = 28 or 29 February):
// the rule of CPC art. 641 al. 2 for periods counted in months or years.
func (d Date) AddMonths(n int) Date {
	total := int(d.Month) - 1 + n
	y := d.Year + floorDiv(total, 12)
	m := time.Month(total - floorDiv(total, 12)*12 + 1)
	day := d.Day
	if last := DaysIn(y, m); day > last {
		day = last
	}
	return Date{y, m, day}
}

// AddYears is AddMonths(12n): 2024-02-29 + 5 years = 2029-02-28.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// DaysUntil is the number of days from d to o (negative when o is before d).
func (d Date) DaysUntil(o Date) int {
	return int(o.Time().Sub(d.Time()).Hours() / 24)
}

// DaysIn is the number of days of month m in year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	b := append(make([]byte, 0, 12), '"')
	return append(d.appendTo(b), '"'), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
// MinYear and MaxYear bound the dates a request may carry.
const MinYear, MaxYear = 1900, 2199

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	// A *json.UnmarshalTypeError lets the decoder name the field at fault.
	bad := &json.UnmarshalTypeError{Value: "date " + string(b) + " (YYYY-MM-DD)", Type: reflect.TypeOf(Date{})}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return bad
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := Parse(s)
	if err != nil {
		return bad
	}
	if p.Year < MinYear || p.Year > MaxYear {
		// 0001-01-01 or 9999-12-31 is a slip or a probe, never a real
		// birth, session or debt date.
		bad.Value = fmt.Sprintf("date %s (%d–%d)", b, MinYear, MaxYear)
		return bad
	}
	*d = p
	return nil
}

// MarshalText and UnmarshalText let a Date be a query parameter or map key.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Value stores a Date as text YYYY-MM-DD: the same on SQLite and PostgreSQL
// (a DATE column on PostgreSQL casts it), and text order is date order.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads what either database gives back for a date column.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = Of(v.UTC())
		return nil
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	}
	return fmt.Errorf("civil.Date: cannot scan %T", src)
}

func (d *Date) scanString(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// GormDataType makes GORM declare a date column on both databases.
func (Date) GormDataType() string { return "date" }
