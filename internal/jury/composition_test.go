package jury

import (
	"slices"
	"strings"
	"testing"
)

func TestAssess_SaysWhatIsMissingAndWhoMayLeave(t *testing.T) {
	for _, tc := range []struct {
		name           string
		seats          []Seat
		president      string
		missing        []string
		holds          bool
		pros, reps     int
		spareP, spareR int
		wantFR         string
	}{
		{name: "empty", seats: nil, president: "",
			missing: []string{FindingTooFew, FindingRepresentative, FindingPresident}, wantFR: "il faut au moins 3 membres (0)"},
		{name: "one professional presiding", seats: seats(1, 0), president: "p0", pros: 1,
			missing: []string{FindingTooFew, FindingRepresentative}},
		{name: "one of each: a professional short of two thirds", seats: seats(1, 1), president: "p0", pros: 1, reps: 1,
			missing: []string{FindingTooFew, FindingProfessional}, wantFR: "il manque un professionnel (au moins 2/3 de professionnels : 1 sur 2)"},
		{name: "smallest valid jury", seats: seats(2, 1), president: "p0", pros: 2, reps: 1, holds: true,
			missing: []string{}},
		{name: "president outside the jury", seats: seats(2, 1), president: "someone", pros: 2, reps: 1,
			missing: []string{FindingPresident}, wantFR: "il manque un président"},
		{name: "two professionals to spare", seats: seats(4, 1), president: "r0", pros: 4, reps: 1, holds: true,
			missing: []string{}, spareP: 2},
		{name: "one representative to spare", seats: seats(4, 2), president: "p0", pros: 4, reps: 2, holds: true,
			missing: []string{}, spareR: 1},
		{name: "a duplicate counts once", seats: append(seats(2, 1), Seat{UserID: "p0", Category: Professional}), president: "p0",
			pros: 2, reps: 1, missing: []string{FindingDuplicate}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Assess(DefaultRule, tc.seats, tc.president)
			if got := codes(c.Missing); !slices.Equal(got, tc.missing) {
				t.Errorf("missing %v, want %v", got, tc.missing)
			}
			if c.Holds != tc.holds || c.Professionals != tc.pros || c.Representatives != tc.reps || c.Members != tc.pros+tc.reps {
				t.Errorf("holds %v pros %d reps %d members %d", c.Holds, c.Professionals, c.Representatives, c.Members)
			}
			if c.SpareProfessionals != tc.spareP || c.SpareRepresentatives != tc.spareR {
				t.Errorf("spare %d/%d, want %d/%d", c.SpareProfessionals, c.SpareRepresentatives, tc.spareP, tc.spareR)
			}
			if c.ProfessionalRatio != "2/3" || c.MinMembers != 3 || c.MinRepresentatives != 1 {
				t.Errorf("rule shown as %+v", c)
			}
			if tc.wantFR != "" {
				var fr []string
				for _, f := range c.Missing {
					fr = append(fr, f.FR)
				}
				if !strings.Contains(strings.Join(fr, " ; "), tc.wantFR) {
					t.Errorf("French findings %q lack %q", fr, tc.wantFR)
				}
			}
		})
	}
}

func gendered(gs ...string) []Seat {
	out := seats(len(gs)-1, 1)
	for i, g := range gs {
		out[i].Gender = g
	}
	return out
}

func TestAssess_GenderBalanceIsFlaggedNeverRefused(t *testing.T) {
	for _, tc := range []struct {
		name                string
		seats               []Seat
		women, men, unknown int
		balanced            bool
	}{
		{"2 women, 1 man", gendered("female", "male", "female"), 2, 1, 0, true},
		{"2 men, 2 women", gendered("male", "female", "male", "female"), 2, 2, 0, true},
		{"3 women", gendered("female", "female", "female"), 3, 0, 0, false},
		{"3 men, 1 woman: two apart", gendered("male", "male", "female", "male"), 1, 3, 0, false},
		{"1 woman, 1 man, 1 unstated: judged on the stated", gendered("female", "unspecified", "male"), 1, 1, 1, true},
		{"2 men and an unstated: unbalanced", gendered("male", "", "male"), 0, 2, 1, false},
		{"nobody states a gender: cannot be shown", gendered("unspecified", "", "unspecified"), 0, 0, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Assess(DefaultRule, tc.seats, tc.seats[0].UserID)
			if c.Women != tc.women || c.Men != tc.men || c.GenderUnstated != tc.unknown || c.GenderBalanced != tc.balanced {
				t.Errorf("women %d men %d unstated %d balanced %v", c.Women, c.Men, c.GenderUnstated, c.GenderBalanced)
			}
			if !c.Holds {
				t.Errorf("the balance changed the composition's verdict: %+v", c.Missing)
			}
		})
	}
}
