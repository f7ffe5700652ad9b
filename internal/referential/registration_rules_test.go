package referential

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/civil"
)

func d(s string) civil.Date {
	if s == "" {
		return civil.Date{}
	}
	x, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return x
}

func period(from, to string) Registration { return Registration{From: d(from), To: d(to)} }

func TestRegistration_CoversItsPeriodBoundsIncluded(t *testing.T) {
	tests := []struct {
		name string
		r    Registration
		day  string
		want bool
	}{
		{"first day", period("2024-01-01", "2028-12-31"), "2024-01-01", true},
		{"last day", period("2024-01-01", "2028-12-31"), "2028-12-31", true},
		{"day before", period("2024-01-01", "2028-12-31"), "2023-12-31", false},
		{"day after", period("2024-01-01", "2028-12-31"), "2029-01-01", false},
		{"open-ended runs on", period("2024-01-01", ""), "2090-06-01", true},
		{"open-ended not before its start", period("2024-01-01", ""), "2023-12-31", false},
		{"no first day covers nothing", period("", "2028-12-31"), "2025-01-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Covers(d(tt.day)); got != tt.want {
				t.Fatalf("Covers(%s) = %v, want %v", tt.day, got, tt.want)
			}
		})
	}
}

func TestRegistration_OverlapsWhenTheyShareADay(t *testing.T) {
	tests := []struct {
		name string
		a, b Registration
		want bool
	}{
		{"disjoint", period("2020-01-01", "2020-12-31"), period("2021-01-01", "2021-12-31"), false},
		{"sharing the last day", period("2020-01-01", "2020-12-31"), period("2020-12-31", "2021-12-31"), true},
		{"nested", period("2020-01-01", "2025-12-31"), period("2021-01-01", "2021-12-31"), true},
		{"open-ended after a closed one", period("2020-01-01", "2020-12-31"), period("2021-01-01", ""), false},
		{"open-ended starting inside", period("2020-01-01", "2020-12-31"), period("2020-06-01", ""), true},
		{"two open-ended", period("2020-01-01", ""), period("2030-01-01", ""), true},
		{"archived entry without a first day", period("", "2020-12-31"), period("2020-01-01", ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a.overlaps(tt.b) != tt.want || tt.b.overlaps(tt.a) != tt.want {
				t.Fatalf("overlaps = %v/%v, want %v both ways", tt.a.overlaps(tt.b), tt.b.overlaps(tt.a), tt.want)
			}
		})
	}
}

func TestCheckRegistration_NamesEveryFieldAtFault(t *testing.T) {
	ok := RegistrationInput{Registry: " RNCP ", Number: " RNCP38001 ", From: "2024-01-01", To: "2028-12-31", Act: " Arrêté "}
	with := func(f func(*RegistrationInput)) RegistrationInput { in := ok; f(&in); return in }
	tests := []struct {
		name   string
		in     RegistrationInput
		fields []string
	}{
		{"valid, trimmed", ok, nil},
		{"open-ended", with(func(in *RegistrationInput) { in.To = "" }), nil},
		{"one-day period", with(func(in *RegistrationInput) { in.To = in.From }), nil},
		{"everything missing", RegistrationInput{}, []string{"registry", "number", "from"}},
		{"blank is missing", with(func(in *RegistrationInput) { in.Registry, in.Number = "  ", "\t" }), []string{"registry", "number"}},
		{"too long", with(func(in *RegistrationInput) {
			in.Registry, in.Number, in.Act = strings.Repeat("é", 41), strings.Repeat("9", 41), strings.Repeat("a", 301)
		}), []string{"registry", "number", "act"}},
		{"at the length limits", with(func(in *RegistrationInput) {
			in.Registry, in.Number, in.Act = strings.Repeat("é", 40), strings.Repeat("9", 40), strings.Repeat("a", 300)
		}), nil},
		{"bad dates", with(func(in *RegistrationInput) { in.From, in.To = "01/01/2024", "2024-02-30" }), []string{"from", "to"}},
		{"dates out of range", with(func(in *RegistrationInput) { in.From, in.To = "1989-12-31", "2201-01-01" }), []string{"from", "to"}},
		{"end before start", with(func(in *RegistrationInput) { in.To = "2023-12-31" }), []string{"to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, fields := checkRegistration("CQP-X", tt.in)
			var got []string
			for _, f := range fields {
				got = append(got, f.Field)
				if f.FR == "" || f.EN == "" {
					t.Errorf("%s: message missing in one language: %+v", f.Field, f)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
			if tt.fields == nil && (reg.Registry != strings.TrimSpace(tt.in.Registry) || reg.Number != strings.TrimSpace(tt.in.Number) ||
				reg.CertificationCode != "CQP-X" || reg.From != d(tt.in.From) || reg.To != d(tt.in.To)) {
				t.Fatalf("registration %+v from %+v", reg, tt.in)
			}
		})
	}
}

func TestStringList_StoredAsJSONTextAndReadBack(t *testing.T) {
	tests := []struct {
		name string
		in   StringList
		text string
	}{
		{"nil is an empty list, never NULL", nil, "[]"},
		{"values", StringList{"C1", "C2 « bis »"}, `["C1","C2 « bis »"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.in.Value()
			if err != nil || v != tt.text {
				t.Fatalf("Value = %v %v, want %s", v, err, tt.text)
			}
			for _, src := range []any{tt.text, []byte(tt.text)} {
				var back StringList
				if err := back.Scan(src); err != nil || len(back) != len(tt.in) {
					t.Fatalf("Scan(%T) = %v %v", src, back, err)
				}
			}
		})
	}
	var l StringList = StringList{"x"}
	if err := l.Scan(nil); err != nil || l != nil {
		t.Fatalf("Scan(nil) = %v %v", l, err)
	}
	if err := l.Scan(42); err == nil {
		t.Fatal("Scan(int) accepted")
	}
	if err := l.Scan("not json"); err == nil {
		t.Fatal("Scan of broken JSON accepted")
	}
	if !(StringList{"a", "b"}).Has("b") || (StringList{"a"}).Has("A") || (StringList(nil)).Has("") {
		t.Fatal("Has is wrong")
	}
}
