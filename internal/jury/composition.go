package jury

import "fmt"

// FindingPresident says the jury has no president among its members.
const FindingPresident = "missing_president"

// Genders as the accounts state them (auth.User.Gender).
const (
	GenderFemale = "female"
	GenderMale   = "male"
)

// Composition is a jury's make-up measured against its rule: the counts the
// rule speaks of, what is missing for it to hold, and how many members of
// each college may still leave without breaking it. Pure: the service and
// the administrator's pages compute it from the same rule and seats.
type Composition struct {
	Members         int `json:"members"`
	Professionals   int `json:"professionals"`
	Representatives int `json:"organisation_representatives"`
	// The rule, as docs/domain.md §2 states it.
	MinMembers         int    `json:"min_members"`
	ProfessionalRatio  string `json:"min_professional_ratio"`
	MinRepresentatives int    `json:"min_organisation_representatives"`
	// President is the presiding member's id, "" when none sits.
	President string `json:"president_user_id"`
	// Missing lists what the composition lacks; empty when it holds.
	Missing []Finding `json:"missing"`
	Holds   bool      `json:"holds"`
	// Spare says, per college, how many of its members could leave with
	// the rule still holding (0: none may leave).
	SpareProfessionals   int `json:"spare_professionals"`
	SpareRepresentatives int `json:"spare_organisation_representatives"`
	// Women, Men and GenderUnstated count the members by the gender their
	// account states ("unspecified" or none: unstated).
	Women          int `json:"women"`
	Men            int `json:"men"`
	GenderUnstated int `json:"gender_unstated"`
	// GenderBalanced: see GenderBalanced. A flag for the administrator,
	// never a reason to refuse a jury (docs/domain.md §2: "where possible").
	GenderBalanced bool `json:"gender_balanced"`
}

// GenderBalanced is the balance docs/domain.md §2 asks for "where possible":
// among the members who state their gender, women and men differ by at
// most one (2 + 1 is balanced, 3 + 0 or 3 + 1 is not). Members with no
// stated gender count for neither side; when no member states one, the
// balance cannot be shown and the answer is false (the pages then say the
// genders are unknown rather than unbalanced).
func GenderBalanced(women, men int) bool {
	if women+men == 0 {
		return false
	}
	d := women - men
	return d >= -1 && d <= 1
}

// Assess measures seats against r: CheckComposition's findings, plus a
// missing president (president must be one of the seats).
func Assess(r Rule, seats []Seat, president string) Composition {
	c := Composition{MinMembers: r.MinMembers, ProfessionalRatio: fmt.Sprintf("%d/%d", r.ProNum, r.ProDen),
		MinRepresentatives: r.MinRepresentatives, Missing: CheckComposition(r, seats)}
	seen := map[string]bool{}
	var pros, reps []Seat
	for _, s := range seats {
		if seen[s.UserID] {
			continue
		}
		seen[s.UserID] = true
		switch s.Category {
		case Professional:
			pros = append(pros, s)
		case OrganisationRepresentative:
			reps = append(reps, s)
		}
	}
	c.Professionals, c.Representatives = len(pros), len(reps)
	for _, s := range append(append([]Seat{}, pros...), reps...) {
		switch s.Gender {
		case GenderFemale:
			c.Women++
		case GenderMale:
			c.Men++
		default:
			c.GenderUnstated++
		}
	}
	c.GenderBalanced = GenderBalanced(c.Women, c.Men)
	c.Members = c.Professionals + c.Representatives
	if president != "" && seen[president] {
		c.President = president
	} else {
		c.Missing = append(c.Missing, Finding{Code: FindingPresident,
			FR: "il manque un président, choisi parmi les membres",
			EN: "a president, chosen among the members, is missing"})
	}
	if c.Missing == nil {
		c.Missing = []Finding{}
	}
	c.Holds = len(c.Missing) == 0
	if len(CheckComposition(r, seats)) == 0 {
		c.SpareProfessionals = spare(r, pros, reps, true)
		c.SpareRepresentatives = spare(r, pros, reps, false)
	}
	return c
}

// spare counts how many members of one college may leave, one after the
// other, with the rule still holding.
func spare(r Rule, pros, reps []Seat, professionals bool) int {
	n := 0
	for {
		if professionals && n == len(pros) || !professionals && n == len(reps) {
			return n
		}
		p, q := pros, reps
		if professionals {
			p = pros[n+1:]
		} else {
			q = reps[n+1:]
		}
		if len(CheckComposition(r, append(append([]Seat{}, p...), q...))) > 0 {
			return n
		}
		n++
	}
}
