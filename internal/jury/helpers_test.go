package jury_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
)

const cert = "agent-recouvrement"

// person is a jury user with their token.
type person struct {
	auth.User
	token string
}

// panel is a running product with an administrator and jury users.
type panel struct {
	env   *apptest.Env
	admin string
	pros  []person
	reps  []person
	jury  jury.View
}

func (p *panel) all() []person { return append(append([]person{}, p.pros...), p.reps...) }

func (p *panel) ids(ps ...person) []string {
	out := make([]string, len(ps))
	for i, x := range ps {
		out[i] = x.ID
	}
	return out
}

// juryUsers creates n jury users of an organisation (numbered when org
// is empty, so that nobody shares an employer by accident).
func juryUsers(t *testing.T, env *apptest.Env, n int, prefix string) []person {
	t.Helper()
	out := make([]person, n)
	for i := range n {
		u, tok := env.User(t, auth.RoleJury, apptest.Organisation(fmt.Sprintf("%s organisation %d", prefix, i)),
			apptest.Named(fmt.Sprintf("%s Membre%d", prefix, i)))
		out[i] = person{User: u, token: tok}
	}
	return out
}

func seatsBody(pros, reps []person) []map[string]any {
	var ms []map[string]any
	for _, p := range pros {
		ms = append(ms, map[string]any{"user_id": p.ID, "category": jury.Professional})
	}
	for _, r := range reps {
		ms = append(ms, map[string]any{"user_id": r.ID, "category": jury.OrganisationRepresentative})
	}
	return ms
}

// newPanel starts the product and creates a jury of pros professionals and
// reps representatives (the first professional presides), sitting on
// session.
func newPanel(t *testing.T, pros, reps int, session string, opts ...apptest.Option) *panel {
	t.Helper()
	env := apptest.New(t, opts...)
	_, admin := env.User(t, auth.RoleAdmin)
	p := &panel{env: env, admin: admin, pros: juryUsers(t, env, pros, "Pro"), reps: juryUsers(t, env, reps, "Rep")}
	res := env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{
		"certification": cert, "session_date": session, "location": "Paris — salle Molière",
		"members": seatsBody(p.pros, p.reps)})
	if res.Status != http.StatusCreated {
		t.Fatalf("create jury: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &p.jury)
	return p
}

func (p *panel) path(suffix string) string { return "/api/v1/juries/" + p.jury.ID + suffix }

// assign creates a candidate (employer given) and assigns them.
func (p *panel) assign(t *testing.T, employer string, extra map[string]any) (string, *apptest.Response) {
	t.Helper()
	c := p.env.Candidate(t, apptest.Employer(employer))
	p.env.Enroll(t, c.ID, cert)
	body := map[string]any{"candidate_id": c.ID}
	for k, v := range extra {
		body[k] = v
	}
	return c.ID, p.env.Do(t, "POST", p.path("/candidates"), p.admin, body)
}

func (p *panel) mustAssign(t *testing.T) string {
	t.Helper()
	id, res := p.assign(t, "Employeur sans lien", nil)
	if res.Status != http.StatusCreated {
		t.Fatalf("assign: %d %s", res.Status, res.Body)
	}
	return id
}

func scoreBody(candidate, component string, levels ...int) map[string]any {
	crit := []string{".D1", ".D2", ".E1", ".E2"}
	var scores []map[string]any
	for i, l := range levels {
		scores = append(scores, map[string]any{"criterion": component + crit[i], "level": l})
	}
	return map[string]any{"candidate_id": candidate, "component": component, "scores": scores, "comment": "Dossier étudié."}
}

func expect(t *testing.T, res *apptest.Response, status int, code string) apptest.Problem {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if code == "" {
		return apptest.Problem{}
	}
	pr := res.Problem(t)
	if pr.Code != code {
		t.Fatalf("code %q, want %q: %s", pr.Code, code, res.Body)
	}
	return pr
}

func deliberation(candidate string, present []string, decisions ...map[string]any) map[string]any {
	return map[string]any{"candidate_id": candidate, "present_member_ids": present, "decided_on": "2026-11-20",
		"decisions": decisions}
}

func decision(component, outcome, reason string) map[string]any {
	return map[string]any{"component": component, "decision": outcome, "reason": reason}
}
