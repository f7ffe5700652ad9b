package civil

import "testing"

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		d                     Date
		french, english, nums string
	}{
		{MustParse("2026-03-01"), "1er mars 2026", "March 1, 2026", "01/03/2026"},
		{MustParse("2026-11-22"), "22 novembre 2026", "November 22, 2026", "22/11/2026"},
		{MustParse("2029-02-28"), "28 février 2029", "February 28, 2029", "28/02/2029"},
		{MustParse("0987-08-02"), "2 août 987", "August 2, 987", "02/08/0987"},
		{Date{}, "", "", ""},
		{Date{Year: 2026, Month: 13, Day: 1}, "", "", "01/13/2026"},
	} {
		if got := tc.d.French(); got != tc.french {
			t.Errorf("%v French: %q, want %q", tc.d, got, tc.french)
		}
		if got := tc.d.English(); got != tc.english {
			t.Errorf("%v English: %q, want %q", tc.d, got, tc.english)
		}
		if got := tc.d.Long("en"); got != tc.english {
			t.Errorf("%v Long(en): %q", tc.d, got)
		}
		if got := tc.d.Long("fr"); got != tc.french {
			t.Errorf("%v Long(fr): %q", tc.d, got)
		}
		if got := tc.d.Numeric(); got != tc.nums {
			t.Errorf("%v Numeric: %q, want %q", tc.d, got, tc.nums)
		}
	}
}
