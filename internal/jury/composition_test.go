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
