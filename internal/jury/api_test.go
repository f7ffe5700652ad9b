package jury_test

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
)

func TestCreateJury_CompositionEdgesOverHTTP(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	pros, reps := juryUsers(t, env, 9, "Pro"), juryUsers(t, env, 4, "Rep")
	cases := []struct {
		name      string
		members   []map[string]any
		status    int
		wantInMsg string
	}{
		{"3 members 2+1", seatsBody(pros[:2], reps[:1]), 201, ""},
		{"4 members 3+1", seatsBody(pros[:3], reps[:1]), 201, ""},
		{"4 members 2+2", seatsBody(pros[:2], reps[:2]), 422, "il manque 2 professionnels"},
		{"6 members 4+2", seatsBody(pros[:4], reps[:2]), 201, ""},
		{"8 members 5+3", seatsBody(pros[:5], reps[:3]), 422, "il manque un professionnel"},
		{"8 members 6+2", seatsBody(pros[:6], reps[:2]), 201, ""},
		{"9 members 6+3", seatsBody(pros[:6], reps[:3]), 201, ""},
		{"9 members 5+4", seatsBody(pros[:5], reps[:4]), 422, "il manque 3 professionnels"},
		{"no representative", seatsBody(pros[:3], nil), 422, "il manque un représentant"},
		{"2 members", seatsBody(pros[:1], reps[:1]), 422, "il faut au moins 3 membres"},
		{"duplicate professional", append(seatsBody(pros[:1], reps[:1]), seatsBody(pros[:1], nil)...), 422, "deux fois"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{
				"certification": cert, "session_date": "2026-12-10", "members": tc.members}, "Accept-Language", "fr")
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.status == 201 {
				var v jury.View
				res.JSON(t, &v)
				if len(v.Members) != len(tc.members) || v.PresidentID != tc.members[0]["user_id"] {
					t.Fatalf("members %d, president %s", len(v.Members), v.PresidentID)
				}
				return
			}
			p := res.Problem(t)
			if p.Code != "jury_composition" || !strings.Contains(p.Detail, tc.wantInMsg) || !p.HasField("members") {
				t.Fatalf("problem %+v lacks %q", p, tc.wantInMsg)
			}
		})
	}

	t.Run("a trainer cannot sit", func(t *testing.T) {
		tr, _ := env.User(t, auth.RoleTrainer)
		ms := seatsBody(pros[:2], reps[:1])
		ms[1]["user_id"] = tr.ID
		res := env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{"certification": cert, "session_date": "2026-12-10", "members": ms})
		if p := expect(t, res, 422, "validation"); !p.HasField("members[1].user_id") {
			t.Fatalf("%s", res.Body)
		}
	})
	t.Run("bad input is 4xx, never 500", func(t *testing.T) {
		for _, body := range []any{`{`, `{"members":"x"}`, map[string]any{"certification": "inconnue", "session_date": "2026-12-10", "members": seatsBody(pros[:2], reps[:1])},
			map[string]any{"certification": cert, "session_date": "2026-12-10", "members": []map[string]any{{"user_id": pros[0].ID, "category": "observer"}}}} {
			res := env.Do(t, "POST", "/api/v1/juries", admin, body)
			if res.Status < 400 || res.Status >= 500 {
				t.Fatalf("%v → %d %s", body, res.Status, res.Body)
			}
		}
	})
	t.Run("jury users cannot create", func(t *testing.T) {
		res := env.Do(t, "POST", "/api/v1/juries", pros[0].token, map[string]any{"certification": cert, "session_date": "2026-12-10", "members": seatsBody(pros[:2], reps[:1])})
		expect(t, res, 403, "forbidden")
	})
}

func TestMembers_EveryChangeKeepsTheComposition(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-12-10")
	extra := juryUsers(t, p.env, 2, "Extra")
	// A second representative on 2+1 breaks the two thirds (2 of 4).
	res := p.env.Do(t, "PUT", p.path("/members/"+extra[0].ID), p.admin, map[string]any{"category": jury.OrganisationRepresentative})
	if pr := expect(t, res, 422, "jury_composition"); !strings.Contains(pr.Detail, "il manque 2 professionnels") {
		t.Fatalf("%s", res.Body)
	}
	// Removing a professional from 2+1 leaves too few.
	res = p.env.Do(t, "DELETE", p.path("/members/"+p.pros[1].ID), p.admin, nil)
	expect(t, res, 422, "jury_composition")
	// The president cannot leave.
	res = p.env.Do(t, "DELETE", p.path("/members/"+p.pros[0].ID), p.admin, nil)
	expect(t, res, 422, "president")
	// A professional then a representative: 3+1 then 3+2? 9 < 10: refused; 4+2 holds.
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+extra[1].ID), p.admin, map[string]any{"category": jury.Professional}), 200, "")
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+extra[0].ID), p.admin, map[string]any{"category": jury.OrganisationRepresentative}), 422, "jury_composition")
	more := juryUsers(t, p.env, 1, "More")
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+more[0].ID), p.admin, map[string]any{"category": jury.Professional}), 200, "")
	res = p.env.Do(t, "PUT", p.path("/members/"+extra[0].ID), p.admin, map[string]any{"category": jury.OrganisationRepresentative})
	expect(t, res, 200, "")
	var v jury.View
	res.JSON(t, &v)
	if len(v.Members) != 6 || v.Version < 4 {
		t.Fatalf("members %d version %d", len(v.Members), v.Version)
	}
	// Changing a member's category is checked too: a professional turned
	// representative leaves 3+3.
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+more[0].ID), p.admin, map[string]any{"category": jury.OrganisationRepresentative}), 422, "jury_composition")
	// Hand over the presidency: the old president may leave once the rule
	// allows it (3+2 does not; taking a representative off first does).
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"president_user_id": more[0].ID, "version": p.jury.Version}), 409, "version_conflict")
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"president_user_id": p.reps[0].ID + "x"}), 422, "validation")
	expect(t, p.env.Do(t, "PATCH", p.path(""), p.admin, map[string]any{"president_user_id": more[0].ID, "version": v.Version}), 200, "")
	expect(t, p.env.Do(t, "DELETE", p.path("/members/"+p.pros[0].ID), p.admin, nil), 422, "jury_composition")
	expect(t, p.env.Do(t, "DELETE", p.path("/members/"+extra[0].ID), p.admin, nil), 200, "")
	expect(t, p.env.Do(t, "DELETE", p.path("/members/"+p.pros[0].ID), p.admin, nil), 200, "")
	// The changes are audited.
	res = p.env.Do(t, "GET", "/api/v1/audit?entity=jury&entity_id="+p.jury.ID, p.admin, nil)
	for _, action := range []string{"jury.create", "jury.member.put", "jury.member.remove", "jury.update"} {
		if !strings.Contains(string(res.Body), action) {
			t.Errorf("audit lacks %s", action)
		}
	}
}

func TestReadAccess_OutsidersSeeNothing(t *testing.T) {
	p := newPanel(t, 2, 1, "2026-12-10")
	outsider := juryUsers(t, p.env, 1, "Out")[0]
	expect(t, p.env.Do(t, "GET", p.path(""), outsider.token, nil), 404, "not_found")
	expect(t, p.env.Do(t, "GET", p.path(""), p.pros[1].token, nil), 200, "")
	var page struct{ Items []jury.Jury }
	p.env.Do(t, "GET", "/api/v1/juries", outsider.token, nil).JSON(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("outsider lists %d juries", len(page.Items))
	}
	p.env.Do(t, "GET", "/api/v1/juries", p.reps[0].token, nil).JSON(t, &page)
	if len(page.Items) != 1 {
		t.Fatalf("member lists %d juries", len(page.Items))
	}
	_, cand := p.env.User(t, auth.RoleCandidate)
	expect(t, p.env.Do(t, "GET", p.path(""), cand, nil), 403, "forbidden")
	// The grid is the component's criteria with their four levels.
	res := p.env.Do(t, "GET", p.path("/grid?component=AGENT-1"), p.pros[1].token, nil)
	var grid []jury.Criterion
	expect(t, res, 200, "")
	res.JSON(t, &grid)
	if len(grid) < 3 || len(grid[0].Levels) != 4 || grid[0].Code != "AGENT-1.D1" {
		t.Fatalf("grid %s", res.Body)
	}
	expect(t, p.env.Do(t, "GET", p.path("/grid?component=CLERC-1"), p.admin, nil), 422, "validation")
	expect(t, p.env.Do(t, "GET", p.path("/grid?component=AGENT-1"), outsider.token, nil), 404, "not_found")
}

func TestAssign_ConflictsAbsorbedOrRefused(t *testing.T) {
	p := newPanel(t, 3, 1, "2026-12-10") // one professional to spare
	// The candidate works for a professional's organisation (case and
	// accents aside): that member is excluded, the rest still holds.
	employer := strings.ToUpper(p.pros[2].Organisation)
	cid, res := p.assign(t, employer, nil)
	expect(t, res, 201, "")
	var a jury.AssignmentView
	res.JSON(t, &a)
	if len(a.Exclusions) != 1 || a.Exclusions[0].UserID != p.pros[2].ID || a.Exclusions[0].Reason != jury.ReasonEmployer {
		t.Fatalf("exclusions %+v", a.Exclusions)
	}
	expect(t, p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": cid}), 409, "already_assigned")

	// Another candidate was trained by a professional (recorded by the
	// administrator before assignment) and works for another's firm: two
	// professionals out, one left with the representative → refused.
	c2 := p.env.Candidate(t, apptest.Employer(p.pros[1].Organisation))
	p.env.Enroll(t, c2.ID, cert)
	res = p.env.Do(t, "POST", p.path("/conflicts"), p.admin, map[string]any{"candidate_id": c2.ID, "user_id": p.pros[0].ID, "kind": "trained", "note": "formation 2025"})
	expect(t, res, 201, "")
	res = p.env.Do(t, "POST", p.path("/candidates"), p.admin, map[string]any{"candidate_id": c2.ID})
	if pr := expect(t, res, 422, "conflict_of_interest"); !strings.Contains(pr.Detail, "il manque") {
		t.Fatalf("%s", res.Body)
	}

	// A member declares their own tie after assignment: excluded at once,
	// and the answer says the jury can no longer deliberate.
	c3 := p.mustAssign(t)
	res = p.env.Do(t, "POST", p.path("/conflicts"), p.pros[0].token, map[string]any{"candidate_id": c3, "kind": "declared", "note": "ancien collègue"})
	expect(t, res, 201, "")
	var cr jury.ConflictResult
	res.JSON(t, &cr)
	if !cr.CompositionHolds || len(cr.Exclusions) != 1 {
		t.Fatalf("first declaration %+v", cr)
	}
	res = p.env.Do(t, "POST", p.path("/conflicts"), p.pros[1].token, map[string]any{"candidate_id": c3, "kind": "accompanied"})
	res.JSON(t, &cr)
	if cr.CompositionHolds || len(cr.Exclusions) != 2 {
		t.Fatalf("second declaration %+v", cr)
	}
	// A member cannot declare for someone else.
	res = p.env.Do(t, "POST", p.path("/conflicts"), p.pros[2].token, map[string]any{"candidate_id": c3, "user_id": p.reps[0].ID, "kind": "declared"})
	expect(t, res, 403, "forbidden")
	// A new professional mends the jury for that candidate, though the
	// rule was already broken for them.
	mend := juryUsers(t, p.env, 1, "Mend")[0]
	expect(t, p.env.Do(t, "PUT", p.path("/members/"+mend.ID), p.admin, map[string]any{"category": jury.Professional}), 200, "")
	// Changing a member's organisation to a candidate's employer, when
	// that leaves the candidate without quorum, is refused: the first
	// candidate already lost pros[2].
	res = p.env.Do(t, "PUT", p.path("/members/"+p.pros[1].ID), p.admin, map[string]any{"category": jury.Professional, "organisation": employer})
	expect(t, res, 200, "") // absorbed: pros[0], mend and the representative remain
	res = p.env.Do(t, "PUT", p.path("/members/"+mend.ID), p.admin, map[string]any{"category": jury.Professional, "organisation": employer})
	expect(t, res, 422, "conflict_of_interest")
}
