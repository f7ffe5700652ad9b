package civil

import (
	"encoding/json"
	"testing"
)

func TestAddYears_KeepsTheDayOrFallsToTheMonthsLastDay(t *testing.T) {
	cases := []struct {
		from  string
		years int
		want  string
	}{
		{"2024-02-29", 5, "2029-02-28"},
		{"2024-02-29", 4, "2028-02-29"},
		{"2024-02-29", 2, "2026-02-28"},
		{"2024-02-28", 5, "2029-02-28"},
		{"2026-11-22", 2, "2028-11-22"},
		{"2026-12-31", 1, "2027-12-31"},
		{"2026-03-31", -1, "2025-03-31"},
	}
	for _, tc := range cases {
		if got := MustParse(tc.from).AddYears(tc.years).String(); got != tc.want {
			t.Errorf("%s + %d years = %s, want %s", tc.from, tc.years, got, tc.want)
		}
	}
}

func TestAddMonths_EndOfMonthRule(t *testing.T) {
	cases := []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-08-31", 2, "2026-10-31"},
		{"2026-10-31", 4, "2027-02-28"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-01-15", -13, "2024-12-15"},
	}
	for _, tc := range cases {
		if got := MustParse(tc.from).AddMonths(tc.months).String(); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

func TestParse_RefusesImpossibleDates(t *testing.T) {
	for _, s := range []string{"2026-02-29", "2026-02-30", "2026-13-01", "2026-1-01", "22/11/2026", ""} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
	if _, err := Parse("2028-02-29"); err != nil {
		t.Errorf("leap day refused: %v", err)
	}
}

func TestJSON_RoundTripsAndNamesBadValues(t *testing.T) {
	var v struct {
		D Date `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-11-22"}`), &v); err != nil || v.D != New(2026, 11, 22) {
		t.Fatalf("%v %v", v.D, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"d":"2026-11-22"}` {
		t.Fatalf("marshal %s", b)
	}
	err := json.Unmarshal([]byte(`{"d":"2026-02-30"}`), &v)
	var te *json.UnmarshalTypeError
	if !asTypeError(err, &te) || te.Field != "d" {
		t.Fatalf("error %v does not name the field", err)
	}
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	e, ok := err.(*json.UnmarshalTypeError)
	*te = e
	return ok
}

func TestCompareAndDays(t *testing.T) {
	a, b := MustParse("2026-02-28"), MustParse("2026-03-01")
	if !a.Before(b) || b.Before(a) || a.Compare(a) != 0 || a.DaysUntil(b) != 1 || b.AddDays(-1) != a {
		t.Fatal("ordering broken")
	}
}

func TestString_PadsEveryPart(t *testing.T) {
	for d, want := range map[Date]string{{Year: 1, Month: 1, Day: 1}: "0001-01-01", {Year: 2024, Month: 2, Day: 29}: "2024-02-29", {Year: 9999, Month: 12, Day: 31}: "9999-12-31", {}: ""} {
		if got := d.String(); got != want {
			t.Errorf("%#v: %q, want %q", d, got, want)
		}
	}
	if b, _ := (Date{Year: 2026, Month: 11, Day: 3}).MarshalJSON(); string(b) != `"2026-11-03"` {
		t.Errorf("JSON: %s", b)
	}
}

func TestUnmarshalJSON_RefusesAbsurdYearsAtTheBoundaries(t *testing.T) {
	for in, ok := range map[string]bool{
		`"1899-12-31"`: false, `"1900-01-01"`: true, `"2199-12-31"`: true, `"2200-01-01"`: false,
		`"0001-01-01"`: false, `"9999-12-31"`: false,
	} {
		var d Date
		err := json.Unmarshal([]byte(in), &d)
		if (err == nil) != ok {
			t.Errorf("%s: err %v, want ok=%v", in, err, ok)
		}
	}
}
