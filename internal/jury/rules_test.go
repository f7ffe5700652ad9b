package jury

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
)

func seats(pros, reps int) []Seat {
	var out []Seat
	for i := range pros {
		out = append(out, Seat{UserID: fmt.Sprintf("p%d", i), Category: Professional})
	}
	for i := range reps {
		out = append(out, Seat{UserID: fmt.Sprintf("r%d", i), Category: OrganisationRepresentative})
	}
	return out
}

func codes(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestCheckComposition_EveryEdge(t *testing.T) {
	cases := []struct {
		name       string
		seats      []Seat
		want       []string
		wantFR     string // a phrase the French message must contain
		missingPro int
	}{
		{"3 members: 2 professionals, 1 representative", seats(2, 1), nil, "", 0},
		{"3 members: 1 professional, 2 representatives", seats(1, 2), []string{FindingProfessional}, "il manque 3 professionnels", 3},
		{"3 members: no representative", seats(3, 0), []string{FindingRepresentative}, "il manque un représentant de l'organisme certificateur", 0},
		{"2 members: a professional completes them", seats(1, 1), []string{FindingTooFew, FindingProfessional}, "il manque un professionnel", 1},
		{"2 professionals only", seats(2, 0), []string{FindingTooFew, FindingRepresentative}, "il faut au moins 3 membres", 0},
		{"4 members: 3 + 1", seats(3, 1), nil, "", 0},
		{"4 members: 2 + 2", seats(2, 2), []string{FindingProfessional}, "il manque 2 professionnels", 2},
		{"6 members: 4 + 2 (exactly two thirds)", seats(4, 2), nil, "", 0},
		{"6 members: 3 + 3", seats(3, 3), []string{FindingProfessional}, "il manque 3 professionnels", 3},
		{"8 members: 6 + 2", seats(6, 2), nil, "", 0},
		{"8 members: 5 + 3 (one professional short)", seats(5, 3), []string{FindingProfessional}, "il manque un professionnel", 1},
		{"9 members: 6 + 3 (exactly two thirds)", seats(6, 3), nil, "", 0},
		{"9 members: 5 + 4", seats(5, 4), []string{FindingProfessional}, "il manque 3 professionnels", 3},
		{"9 members: no representative", seats(9, 0), []string{FindingRepresentative}, "représentant", 0},
		{"duplicate professional cannot make up the numbers",
			append(seats(1, 1), Seat{UserID: "p0", Category: Professional}),
			[]string{FindingDuplicate, FindingTooFew, FindingProfessional}, "deux fois", 0},
		{"duplicate with enough others", append(seats(2, 1), Seat{UserID: "r0", Category: OrganisationRepresentative}),
			[]string{FindingDuplicate}, "deux fois", 0},
		{"unknown category", append(seats(2, 1), Seat{UserID: "x", Category: "observer"}), []string{FindingUnknownCategory}, "catégorie inconnue", 0},
		{"nobody", nil, []string{FindingTooFew, FindingRepresentative}, "il faut au moins 3 membres", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckComposition(DefaultRule, tc.seats)
			if !slices.Equal(codes(got), append([]string{}, tc.want...)) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("findings %v, want %v (%+v)", codes(got), tc.want, got)
			}
			if tc.wantFR != "" {
				all := ""
				for _, f := range got {
					all += f.FR + " | "
					if f.EN == "" {
						t.Errorf("finding %s has no English message", f.Code)
					}
				}
				if !strings.Contains(all, tc.wantFR) {
					t.Errorf("French messages %q lack %q", all, tc.wantFR)
				}
			}
			// Adding the professionals the message asks for must fix the ratio.
			if tc.missingPro > 0 {
				fixed := append(slices.Clone(tc.seats), seats(0, 0)...)
				for i := range tc.missingPro {
					fixed = append(fixed, Seat{UserID: fmt.Sprintf("extra%d", i), Category: Professional})
				}
				if slices.Contains(codes(CheckComposition(DefaultRule, fixed)), FindingProfessional) {
					t.Errorf("adding %d professionals does not satisfy the ratio", tc.missingPro)
				}
				fixed = fixed[:len(fixed)-1]
				if !slices.Contains(codes(CheckComposition(DefaultRule, fixed)), FindingProfessional) {
					t.Errorf("one professional fewer than announced already satisfies the ratio")
				}
			}
		})
	}
}

func TestParseRule_ReadsTheReferentialRatio(t *testing.T) {
	r, err := ParseRule(3, "2/3", 1)
	if err != nil || r != DefaultRule {
		t.Fatalf("got %+v, %v", r, err)
	}
	for _, bad := range []string{"2-3", "3/2", "x/3", "2/0"} {
		if _, err := ParseRule(3, bad, 1); err == nil {
			t.Errorf("ratio %q accepted", bad)
		}
	}
	half, _ := ParseRule(4, "1/2", 1)
	if got := CheckComposition(half, seats(2, 2)); len(got) != 0 {
		t.Errorf("1/2 rule refuses 2+2: %v", codes(got))
	}
}

func TestQuorum_CountsPresentMembersFreeOfConflict(t *testing.T) {
	jury := seats(4, 2) // p0..p3, r0, r1
	cases := []struct {
		name     string
		present  []string
		excluded []string
		want     []string
	}{
		{"all present", []string{"p0", "p1", "p2", "p3", "r0", "r1"}, nil, nil},
		{"three present: 2 + 1", []string{"p0", "p1", "r0"}, nil, nil},
		{"two present", []string{"p0", "p1"}, nil, []string{FindingTooFew, FindingRepresentative}},
		{"no representative present", []string{"p0", "p1", "p2"}, nil, []string{FindingRepresentative}},
		{"conflict removes a professional: 1 + 1 left", []string{"p0", "p1", "r0"}, []string{"p1"}, []string{FindingTooFew, FindingProfessional}},
		{"conflict absorbed by a fourth member", []string{"p0", "p1", "p2", "r0"}, []string{"p2"}, nil},
		{"conflict removes the only representative", []string{"p0", "p1", "p2", "r0"}, []string{"r0"}, []string{FindingRepresentative}},
		{"unknown present ids are ignored", []string{"p0", "p1", "r0", "stranger"}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := map[string]bool{}
			for _, id := range tc.excluded {
				ex[id] = true
			}
			eligible, got := Quorum(DefaultRule, jury, tc.present, ex)
			if !slices.Equal(codes(got), append([]string{}, tc.want...)) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Fatalf("findings %v, want %v", codes(got), tc.want)
			}
			for _, s := range eligible {
				if ex[s.UserID] {
					t.Errorf("excluded member %s counted", s.UserID)
				}
			}
		})
	}
}

func TestConflicts_EmployerMatchIgnoresCaseAndAccentsAndLinksCount(t *testing.T) {
	members := []Person{
		{UserID: "helene", Organisation: "Créances Services Lyon"},
		{UserID: "jerome", Organisation: "Recouvrement de l'Ouest"},
		{UserID: "benoit", Organisation: "ANCR"},
	}
	links := []Link{
		{UserID: "benoit", CandidateID: "c1", Kind: ReasonTrained, Note: "formation 2025"},
		{UserID: "jerome", CandidateID: "c2", Kind: ReasonAccompanied},
		{UserID: "jerome", CandidateID: "c1", Kind: ReasonDeclared, Note: "ancien collègue"},
	}
	session := civil.MustParse("2026-12-10")
	got := Conflicts(members, ConflictInput{CandidateID: "c1", Employer: "  CREANCES   services lyon ", Session: session, Links: links})
	want := []Conflict{
		{UserID: "helene", Reason: ReasonEmployer, Detail: "  CREANCES   services lyon "},
		{UserID: "jerome", Reason: ReasonDeclared, Detail: "ancien collègue"},
		{UserID: "benoit", Reason: ReasonTrained, Detail: "formation 2025"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if ex := Excluded(got); len(ex) != 3 {
		t.Errorf("excluded %v", ex)
	}
	if got := Conflicts(members, ConflictInput{CandidateID: "c3", Session: session, Links: links}); len(got) != 0 {
		t.Errorf("an empty employer matched: %+v", got)
	}
	if got := Conflicts(members, ConflictInput{CandidateID: "c3", Employer: "ANCR Formation", Session: session}); len(got) != 0 {
		t.Errorf("a partial organisation name matched: %+v", got)
	}
}

// The 3-year look-back is inclusive: an employment that ended exactly 3
// years before the session date still bars the employer's members; one
// that ended the day before does not.
func TestConflicts_FormerEmployerWithinThreeYearsOfTheSession(t *testing.T) {
	members := []Person{
		{UserID: "ines", Organisation: "Créances Services Lyon"},
		{UserID: "benoit", Organisation: "ANCR"},
		{UserID: "nobody", Organisation: ""},
	}
	d := civil.MustParse
	cases := []struct {
		name    string
		session string
		ties    []Tie
		want    []Conflict
	}{
		{"ended exactly 3 years before the session: conflict", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "CRÉANCES services Lyon", StartsOn: d("2020-01-01"), EndsOn: d("2023-12-10")}},
			[]Conflict{{UserID: "ines", Reason: ReasonFormerEmployer, Detail: "CRÉANCES services Lyon", EndedOn: d("2023-12-10")}}},
		{"ended one day later (less than 3 years): conflict", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2023-12-11")}},
			[]Conflict{{UserID: "ines", Reason: ReasonFormerEmployer, Detail: "Créances Services Lyon", EndedOn: d("2023-12-11")}}},
		{"ended one day earlier (more than 3 years): no conflict", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2023-12-09")}}, nil},
		{"the look-back follows the session date, not today", "2027-06-01",
			[]Tie{{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2024-05-31")}}, nil},
		{"29 February: the look-back starts on the 28th", "2028-02-29",
			[]Tie{{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2025-02-28")}},
			[]Conflict{{UserID: "ines", Reason: ReasonFormerEmployer, Detail: "Créances Services Lyon", EndedOn: d("2025-02-28")}}},
		{"an experience going on: current employer", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "ANCR", StartsOn: d("2022-01-01")}},
			[]Conflict{{UserID: "benoit", Reason: ReasonEmployer, Detail: "ANCR"}}},
		{"several experiences with one employer: the latest end", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2024-03-31")},
				{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2025-06-30")},
				{Kind: TieEmployer, Employer: "Créances Services Lyon", EndsOn: d("2019-01-31")}},
			[]Conflict{{UserID: "ines", Reason: ReasonFormerEmployer, Detail: "Créances Services Lyon", EndedOn: d("2025-06-30")}}},
		{"still there after leaving once: current only", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "ANCR", EndsOn: d("2025-01-31")}, {Kind: TieEmployer, Employer: "ANCR", StartsOn: d("2025-09-01")}},
			[]Conflict{{UserID: "benoit", Reason: ReasonEmployer, Detail: "ANCR"}}},
		{"the VAE support person, once however many requests", "2026-12-10",
			[]Tie{{Kind: TieSupport, UserID: "benoit"}, {Kind: TieSupport, UserID: "benoit"}},
			[]Conflict{{UserID: "benoit", Reason: ReasonVAESupport}}},
		{"a support person outside the jury, an empty employer: nothing", "2026-12-10",
			[]Tie{{Kind: TieSupport, UserID: "someone"}, {Kind: TieEmployer, Employer: "", EndsOn: d("2026-01-01")}}, nil},
		{"a partial name is another organisation", "2026-12-10",
			[]Tie{{Kind: TieEmployer, Employer: "Créances Services", EndsOn: d("2026-01-01")}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Conflicts(members, ConflictInput{CandidateID: "c1", Employer: "Cabinet sans lien", Session: d(tc.session), Ties: tc.ties})
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// The candidate's record and a VAE experience naming one employer make
	// one conflict, from the record.
	got := Conflicts(members, ConflictInput{CandidateID: "c1", Employer: "ANCR", Session: d("2026-12-10"),
		Ties: []Tie{{Kind: TieEmployer, Employer: "A.N.C.R."}, {Kind: TieEmployer, Employer: "ancr"}}})
	if want := []Conflict{{UserID: "benoit", Reason: ReasonEmployer, Detail: "ANCR"}}; !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestExplain_SaysWhichEmployerUntilWhenOrTheSupport(t *testing.T) {
	cases := []struct {
		reason, detail string
		ended          civil.Date
		fr, en         string
	}{
		{ReasonEmployer, "ANCR", civil.Date{}, "employeur actuel du candidat : ANCR", "the candidate's current employer: ANCR"},
		{ReasonFormerEmployer, "Créances Services Lyon", civil.MustParse("2024-03-31"),
			"ancien employeur du candidat (Créances Services Lyon, jusqu'au 31/03/2024), dans les 3 ans précédant la session",
			"the candidate's former employer (Créances Services Lyon, until 2024-03-31), within the 3 years before the session"},
		{ReasonVAESupport, "", civil.Date{}, "accompagnateur VAE du candidat", "the candidate's VAE support person"},
		{ReasonTrained, "formation 2025", civil.Date{}, "a formé le candidat : formation 2025", "trained the candidate: formation 2025"},
		{ReasonDeclared, "", civil.Date{}, "lien d'intérêt déclaré", "declared interest"},
	}
	for _, tc := range cases {
		fr, en := Explain(tc.reason, tc.detail, tc.ended)
		if fr != tc.fr || en != tc.en {
			t.Errorf("%s: got %q / %q", tc.reason, fr, en)
		}
	}
}

func TestSpreads_FlagTwoLevelsOrMore(t *testing.T) {
	got := Spreads([]Score{
		{"a", "K1", 3}, {"b", "K1", 4}, {"c", "K1", 3},
		{"a", "K2", 1}, {"b", "K2", 3},
		{"a", "K3", 4}, {"b", "K3", 1}, {"c", "K3", 2},
		{"a", "K4", 2},
	})
	want := []Spread{
		{"K1", 3, 4, 1, false, 3.33},
		{"K2", 1, 3, 2, true, 2},
		{"K3", 1, 4, 3, true, 2.33},
		{"K4", 2, 2, 0, false, 2},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v", got)
	}
}

// The suggestion's boundaries: a mean of exactly 2.5 is mastered, one
// member a level lower (2.33 over three) is not; a flagged criterion asks
// for discussion whatever the means.
func TestSuggest_Boundaries(t *testing.T) {
	cases := []struct {
		name   string
		scores []Score
		want   string
	}{
		{"nothing scored", nil, ""},
		{"mean 2.5 on two members", []Score{{"a", "K1", 2}, {"b", "K1", 3}, {"a", "K2", 3}, {"b", "K2", 3}}, SuggestValidated},
		{"mean 2.33 on three members", []Score{{"a", "K1", 2}, {"b", "K1", 2}, {"c", "K1", 3}, {"a", "K2", 4}, {"b", "K2", 4}, {"c", "K2", 4}}, SuggestNotValidated},
		{"mean 2.67 on three members", []Score{{"a", "K1", 3}, {"b", "K1", 2}, {"c", "K1", 3}}, SuggestValidated},
		{"spread of two", []Score{{"a", "K1", 4}, {"b", "K1", 2}, {"c", "K1", 4}}, SuggestDiscuss},
	}
	for _, c := range cases {
		if got := Suggest(Spreads(c.scores)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCohenKappa_KnownValues(t *testing.T) {
	// Same ratings: κ = 1. Independent-looking ratings: κ computed by hand.
	a := map[string]int{"1": 1, "2": 2, "3": 3, "4": 4}
	if k, n, ok := CohenKappa(a, a); !ok || n != 4 || k != 1 {
		t.Fatalf("identical: %v %v %v", k, n, ok)
	}
	// a: 1 1 2 2, b: 1 2 2 2 → po = 3/4; pe = (2/4·1/4)+(2/4·3/4) = 1/2; κ = 0.5.
	x := map[string]int{"k1": 1, "k2": 1, "k3": 2, "k4": 2}
	y := map[string]int{"k1": 1, "k2": 2, "k3": 2, "k4": 2, "only-y": 4}
	if k, n, ok := CohenKappa(x, y); !ok || n != 4 || k != 0.5 {
		t.Fatalf("got κ=%v n=%v ok=%v, want 0.5 over 4 common criteria", k, n, ok)
	}
	// Both constant on the same level: chance agreement is total, κ undefined.
	c := map[string]int{"k1": 3, "k2": 3}
	if _, _, ok := CohenKappa(c, c); ok {
		t.Error("κ defined for constant raters")
	}
	if _, n, ok := CohenKappa(x, map[string]int{"z": 1}); ok || n != 0 {
		t.Error("κ defined without common criteria")
	}
	pairs, mean := Agreement(map[string]map[string]int{"m1": x, "m2": y, "m3": x})
	if len(pairs) != 3 || mean == nil {
		t.Fatalf("pairs %+v mean %v", pairs, mean)
	}
	// m1–m2: 0.5, m1–m3: 1, m2–m3: 0.5 → mean 0.667.
	if *mean != 0.667 {
		t.Errorf("mean κ %v, want 0.667", *mean)
	}
}

func TestDecide_MajorityThenCastingVote(t *testing.T) {
	v, nv := candidates.Validated, candidates.NotValidated
	cases := []struct {
		name     string
		votes    []Vote
		want     string
		casting  bool
		tieError bool
	}{
		{"majority validates", []Vote{{"p", v}, {"a", v}, {"b", nv}}, v, false, false},
		{"majority refuses", []Vote{{"p", v}, {"a", nv}, {"b", nv}}, nv, false, false},
		{"tie broken by the president for", []Vote{{"p", v}, {"a", nv}, {"b", v}, {"c", nv}}, v, true, false},
		{"tie broken by the president against", []Vote{{"p", nv}, {"a", v}, {"b", nv}, {"c", v}}, nv, true, false},
		{"tie without the president", []Vote{{"a", v}, {"b", nv}}, "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, casting, err := Decide(tc.votes, "p")
			if tc.tieError {
				if !errors.Is(err, ErrTieWithoutPresident) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || got != tc.want || casting != tc.casting {
				t.Fatalf("got %s casting=%v err=%v", got, casting, err)
			}
		})
	}
}

func TestDeadlineState_BoundaryDays(t *testing.T) {
	d := civil.MustParse
	submitted := d("2026-01-31")
	if due := SittingDue(submitted); due != d("2026-04-30") {
		t.Fatalf("sitting due %s, want 2026-04-30 (month-end rule)", due)
	}
	if due := NotificationDue(d("2026-11-20")); due != d("2026-12-05") {
		t.Fatalf("notification due %s", due)
	}
	due := d("2026-04-30")
	cases := []struct {
		name                 string
		done, planned, today civil.Date
		want                 string
	}{
		{"done on the due day", d("2026-04-30"), civil.Date{}, d("2026-06-01"), OnTime},
		{"done the day after", d("2026-05-01"), civil.Date{}, d("2026-06-01"), Late},
		{"open, due passed yesterday", civil.Date{}, civil.Date{}, d("2026-05-01"), Late},
		{"open, due today", civil.Date{}, civil.Date{}, d("2026-04-30"), AtRisk},
		{"open, 16 days ahead", civil.Date{}, civil.Date{}, d("2026-04-14"), OnTime},
		{"open, 15 days ahead", civil.Date{}, civil.Date{}, d("2026-04-15"), AtRisk},
		{"open, planned after due", civil.Date{}, d("2026-05-02"), d("2026-02-01"), AtRisk},
		{"open, planned on due", civil.Date{}, d("2026-04-30"), d("2026-02-01"), OnTime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DeadlineState(due, tc.done, tc.planned, tc.today); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
