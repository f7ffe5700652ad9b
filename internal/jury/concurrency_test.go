package jury_test

import (
	"sync"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/jury"
)

// parallel runs the functions at the same moment and waits for them all.
func parallel(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f()
		}()
	}
	close(start)
	wg.Wait()
}

func TestConcurrency_MembersScoringAtOnceLoseNothing(t *testing.T) {
	p := newPanel(t, 6, 3, "2026-11-20")
	cid := p.mustAssign(t)
	var before jury.View
	p.env.Do(t, "GET", p.path(""), p.admin, nil).JSON(t, &before)

	members := p.all()
	statuses := make([]int, len(members))
	var fns []func()
	for i, m := range members {
		fns = append(fns, func() {
			statuses[i] = p.env.Do(t, "POST", p.path("/evaluations"), m.token, scoreBody(cid, "AGENT-1", 1+i%4, 1+(i+1)%4)).Status
		})
	}
	parallel(fns...)
	for i, s := range statuses {
		if s != 201 {
			t.Fatalf("member %d: status %d", i, s)
		}
	}
	var n int64
	p.env.App.DB.Model(&jury.Evaluation{}).Where("jury_id = ? AND candidate_id = ?", p.jury.ID, cid).Count(&n)
	var after jury.View
	p.env.Do(t, "GET", p.path(""), p.admin, nil).JSON(t, &after)
	if n != int64(len(members)) || after.Version != before.Version+len(members) {
		t.Fatalf("%d evaluations, version %d → %d, want %d writes", n, before.Version, after.Version, len(members))
	}

	// One member changing the same scores from two tabs with the version
	// they both read: exactly one change wins, the others are told.
	a := members[0]
	const tabs = 5
	codes := make([]int, tabs)
	fns = nil
	for i := range tabs {
		fns = append(fns, func() {
			body := scoreBody(cid, "AGENT-1", 1+i%4, 4)
			body["version"] = 1
			codes[i] = p.env.Do(t, "POST", p.path("/evaluations"), a.token, body).Status
		})
	}
	parallel(fns...)
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 409:
		default:
			t.Fatalf("status %d", c)
		}
	}
	var ev jury.Evaluation
	p.env.App.DB.Where("jury_id = ? AND candidate_id = ? AND member_id = ?", p.jury.ID, cid, a.ID).Take(&ev)
	if won != 1 || ev.Version != 2 {
		t.Fatalf("%d changes won, version %d", won, ev.Version)
	}
}

func TestConcurrency_DeliberationRacingSignatureNeitherLostNorDoubled(t *testing.T) {
	env := apptest.New(t)
	p := newPanelIn(t, env)
	for round := range 6 {
		p.jury = p.createJury(t)
		first, second := p.mustAssign(t), p.mustAssign(t)
		all := p.ids(p.all()...)
		expect(t, p.env.Do(t, "POST", p.path("/deliberations"), p.admin, deliberation(first, all, decision("AGENT-1", "validated", ""))), 201, "")

		var delib, sign, again int
		parallel(
			func() {
				delib = p.env.Do(t, "POST", p.path("/deliberations"), p.reps[0].token,
					deliberation(second, all, decision("AGENT-1", "validated", ""), decision("AGENT-2", "not_validated", "Insuffisant."))).Status
			},
			func() { sign = p.env.Do(t, "POST", p.path("/minutes/sign"), p.pros[0].token, nil).Status },
			func() {
				// The same deliberation sent twice (a double click).
				again = p.env.Do(t, "POST", p.path("/deliberations"), p.pros[1].token,
					deliberation(second, all, decision("AGENT-1", "validated", ""), decision("AGENT-2", "not_validated", "Insuffisant."))).Status
			},
		)
		if sign != 200 {
			t.Fatalf("round %d: sign %d", round, sign)
		}
		var ds []candidates.Decision
		p.env.App.DB.Where("jury_id = ? AND candidate_id = ?", p.jury.ID, second).Find(&ds)
		created := 0
		for _, s := range []int{delib, again} {
			switch s {
			case 201:
				created++
			case 409:
			default:
				t.Fatalf("round %d: deliberation status %d", round, s)
			}
		}
		// At most one deliberation went through, before the signature, and
		// then its decisions are final; otherwise nothing was written.
		switch {
		case created == 1 && len(ds) == 2 && ds[0].Final && ds[1].Final:
		case created == 0 && len(ds) == 0:
		default:
			t.Fatalf("round %d: %d deliberations created, decisions %+v", round, created, ds)
		}
		var open int64
		p.env.App.DB.Model(&candidates.Decision{}).Where("jury_id = ? AND final = ?", p.jury.ID, false).Count(&open)
		if open != 0 {
			t.Fatalf("round %d: %d decisions left provisional in signed minutes", round, open)
		}
	}
}

// newPanelIn builds the people of a 2+1 panel in env without a jury yet.
func newPanelIn(t *testing.T, env *apptest.Env) *panel {
	t.Helper()
	_, admin := env.User(t, "admin")
	return &panel{env: env, admin: admin, pros: juryUsers(t, env, 2, "Pro"), reps: juryUsers(t, env, 1, "Rep")}
}

func (p *panel) createJury(t *testing.T) jury.View {
	t.Helper()
	res := p.env.Do(t, "POST", "/api/v1/juries", p.admin, map[string]any{
		"certification": cert, "session_date": "2026-11-20", "members": seatsBody(p.pros, p.reps)})
	expect(t, res, 201, "")
	var v jury.View
	res.JSON(t, &v)
	return v
}
