package webui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

func TestRegisterPage_FindsByNumberTypedAnyWaySuggestsAndLinks(t *testing.T) {
	env := apptest.New(t)
	c := certifiedCandidate(t, env, "Anaïs", "Érard")
	res, err := env.App.Certificates.Issue(context.Background(), "admin", c.ID, clerc)
	if err != nil {
		t.Fatal(err)
	}
	n := res.Record.Number
	admin, _ := signedIn(t, env, auth.RoleAdmin)
	page := admin.get("/admin/certificates")
	page.status(t, 200)
	page.has(t, "Registre des certificats", n, "Anaïs Érard", "Valide", "/verify/"+n, "/admin/candidates/"+c.ID)

	dashless := strings.ToLower(strings.ReplaceAll(n, "-", ""))
	admin.get("/admin/certificates?q="+url.QueryEscape(dashless)).has(t, n, "Anaïs Érard")
	admin.get("/admin/certificates?q=erard").has(t, n)

	// A wrong check character: nothing found, the right number proposed.
	wrong := n[:len(n)-1] + map[bool]string{true: "0", false: "1"}[n[len(n)-1] != '0']
	p := admin.get("/admin/certificates?q=" + url.QueryEscape(wrong))
	p.has(t, "Aucun document ne correspond.", "Vouliez-vous dire", `href="/admin/certificates?q=`+n+`"`)

	admin.get("/admin/certificates?status=revoked").has(t, "Aucun document ne correspond.")
	trainee, _ := signedIn(t, env, auth.RoleCandidate, apptest.ForCandidate(env.Candidate(t).ID))
	if s := trainee.get("/admin/certificates").Status; s != 403 && s != 404 {
		t.Fatalf("a trainee opened the register: %d", s)
	}
}
