package webui_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/config"
)

// visitor is a browser without JavaScript: it keeps cookies (Secure ones
// too, since the test server is plain HTTP behind an https base URL), does
// not follow redirects, and reads the CSRF token from the last page.
type visitor struct {
	t       *testing.T
	env     *apptest.Env
	cookies map[string]string
	csrf    string
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

func newVisitor(t *testing.T, env *apptest.Env) *visitor {
	return &visitor{t: t, env: env, cookies: map[string]string{}}
}

// signedIn is a visitor holding a session for a new user of role.
func signedIn(t *testing.T, env *apptest.Env, role string, opts ...apptest.UserOpt) (*visitor, auth.User) {
	u, tok := env.User(t, role, opts...)
	v := newVisitor(t, env)
	v.cookies["cqp_session"] = tok
	return v, u
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (v *visitor) do(method, path string, form url.Values, headers ...string) page {
	v.t.Helper()
	if form == nil {
		return v.doBody(method, path, nil, headers...)
	}
	return v.doBody(method, path, strings.NewReader(form.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
}

// doBody is do with a ready body.
func (v *visitor) doBody(method, path string, body io.Reader, headers ...string) page {
	v.t.Helper()
	req, err := http.NewRequest(method, v.env.Server.URL+path, body)
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	for k, val := range v.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: val})
	}
	client := *v.env.Server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(v.cookies, ck.Name)
		} else {
			v.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfRe.FindStringSubmatch(string(b)); m != nil {
		v.csrf = m[1]
	}
	return page{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (v *visitor) get(path string) page { v.t.Helper(); return v.do("GET", path, nil) }

// post sends a form with the CSRF token of the last page read.
func (v *visitor) post(path string, form url.Values) page {
	v.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", v.csrf)
	}
	return v.do("POST", path, form)
}

func (p page) has(t *testing.T, want ...string) {
	t.Helper()
	body := plainSpaces(html.UnescapeString(p.Body))
	for _, w := range want {
		if !strings.Contains(body, plainSpaces(w)) {
			t.Errorf("page (status %d) lacks %q", p.Status, w)
		}
	}
	if t.Failed() {
		t.Logf("body:\n%s", p.Body)
	}
}

// plainSpaces reads French typography (the non-breaking spaces before
// « : ; ? ! % » and after «, the typographic apostrophe) as typed on a
// keyboard: the tests of content compare words; civil's tests test the
// typography.
func plainSpaces(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ", "’", "'").Replace(s)
}

func (p page) status(t *testing.T, want int) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("status %d, want %d; body:\n%s", p.Status, want, p.Body)
	}
}

func TestLogin_SetsAHardenedSessionCookieAndGoesToTheRoleHome(t *testing.T) {
	env := apptest.New(t)
	_, _ = env.User(t, auth.RoleAdmin, func(u *auth.NewUser) { u.Email = "chef@test.cqp.fr" })
	v := newVisitor(t, env)
	lp := v.get("/login")
	lp.status(t, http.StatusOK)
	lp.has(t, `<html lang="fr">`, "Connexion", `name="_csrf"`, `for="f-email"`, "Adresse électronique")

	res := v.post("/login", url.Values{"email": {"chef@test.cqp.fr"}, "password": {"motdepasse-de-test"}})
	res.status(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin" {
		t.Fatalf("redirect to %q, want /admin", loc)
	}
	var set string
	for _, h := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "cqp_session=") {
			set = h
		}
	}
	for _, attr := range []string{"HttpOnly", "Secure", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, attr) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}
	v.get("/admin").has(t, "Tableau de bord", `<svg class="chart"`, "Candidats par voie d'accès")
}

func TestLogin_PlainHTTPBaseURLGivesNoSecureFlag(t *testing.T) {
	env := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.SecureCookie = false }))
	_, _ = env.User(t, auth.RoleAdmin, func(u *auth.NewUser) { u.Email = "chef@test.cqp.fr" })
	v := newVisitor(t, env)
	v.get("/login")
	res := v.post("/login", url.Values{"email": {"chef@test.cqp.fr"}, "password": {"motdepasse-de-test"}})
	res.status(t, http.StatusSeeOther)
	for _, h := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "cqp_session=") && strings.Contains(h, "Secure") {
			t.Errorf("cookie %q is Secure on a plain-HTTP deployment", h)
		}
	}
}

func TestLogin_ErrorsNextToTheFieldsKeepWhatWasTyped(t *testing.T) {
	env := apptest.New(t)
	v := newVisitor(t, env)
	v.get("/login")
	res := v.post("/login", url.Values{"email": {"inconnu@exemple.fr"}, "password": {""}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-password"`, "Indiquez votre mot de passe.", `value="inconnu@exemple.fr"`, `aria-invalid="true"`)

	res = v.post("/login", url.Values{"email": {"inconnu@exemple.fr"}, "password": {"mauvais"}})
	res.status(t, http.StatusUnauthorized)
	res.has(t, `role="alert"`, `value="inconnu@exemple.fr"`)
	if strings.Contains(res.Body, "mauvais") {
		t.Error("the password is echoed back")
	}
}

func TestLogin_KeepsTheRequestedPageButNeverAnotherSite(t *testing.T) {
	env := apptest.New(t)
	_, _ = env.User(t, auth.RoleAdmin, func(u *auth.NewUser) { u.Email = "chef@test.cqp.fr" })
	v := newVisitor(t, env)
	res := v.get("/admin/audit")
	res.status(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/login?next=%2Fadmin%2Faudit" {
		t.Fatalf("redirect to %q", loc)
	}
	v.get("/login?next=/admin/audit").has(t, `value="/admin/audit"`)
	res = v.post("/login", url.Values{"email": {"chef@test.cqp.fr"}, "password": {"motdepasse-de-test"}, "next": {"/admin/audit"}})
	if loc := res.Header.Get("Location"); loc != "/admin/audit" {
		t.Fatalf("after login: %q", loc)
	}
	v2 := newVisitor(t, env)
	v2.get("/login")
	res = v2.post("/login", url.Values{"email": {"chef@test.cqp.fr"}, "password": {"motdepasse-de-test"}, "next": {"//evil.example/"}})
	if loc := res.Header.Get("Location"); loc != "/admin" {
		t.Fatalf("open redirect: %q", loc)
	}
}

func TestLogout_RevokesTheSession(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	tok := v.cookies["cqp_session"]
	v.get("/admin").status(t, http.StatusOK)
	res := v.post("/logout", nil)
	res.status(t, http.StatusSeeOther)
	if _, ok := v.cookies["cqp_session"]; ok {
		t.Error("session cookie not cleared")
	}
	if r := env.Do(t, "GET", "/api/v1/auth/me", tok, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("token still valid after logout: %d", r.Status)
	}
	v.get("/login").has(t, "Vous êtes déconnecté.")
}

func TestCSRF_FormWithoutTheTokenIsRefusedWithAFrenchPage(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin/candidates/new")
	form := url.Values{"first_name": {"Jeanne"}, "last_name": {"Durand"}, "birth_date": {"1990-01-02"}}
	for name, tok := range map[string]string{"missing": "", "forged": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		t.Run(name, func(t *testing.T) {
			f := url.Values{}
			for k, val := range form {
				f[k] = val
			}
			if tok != "" {
				f.Set("_csrf", tok)
			}
			res := v.do("POST", "/admin/candidates", f)
			res.status(t, http.StatusForbidden)
			res.has(t, "Accès refusé", "Le formulaire a expiré ou ne provient pas de ce site.")
		})
	}
	t.Run("cross-origin", func(t *testing.T) {
		f := url.Values{"_csrf": {v.csrf}}
		res := v.do("POST", "/logout", f, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		res.status(t, http.StatusForbidden)
	})
	t.Run("login form too", func(t *testing.T) {
		anon := newVisitor(t, env)
		res := anon.do("POST", "/login", url.Values{"email": {"a@b.fr"}, "password": {"x"}})
		res.status(t, http.StatusForbidden)
	})
	var n int64
	env.App.DB.Table("candidates").Where("last_name = ?", "Durand").Count(&n)
	if n != 0 {
		t.Errorf("a refused form wrote %d candidates", n)
	}
}

func TestRoles_TraineeCannotOpenAdministratorPages(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleCandidate)
	for _, path := range []string{"/admin", "/admin/audit", "/admin/candidates", "/admin/candidates/new"} {
		res := v.get(path)
		res.status(t, http.StatusForbidden)
		res.has(t, "Accès refusé", "Votre rôle ne permet pas d'ouvrir cette page.")
	}
	res := v.post("/admin/candidates", url.Values{"first_name": {"X"}})
	res.status(t, http.StatusForbidden)

	tr, _ := signedIn(t, env, auth.RoleTrainer)
	tr.get("/admin/candidates").status(t, http.StatusOK)
	tr.get("/admin").status(t, http.StatusForbidden)
}

func TestCandidateForm_ShowsErrorsInFrenchAndKeepsTheInput(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin/candidates/new").has(t, `for="f-last_name"`, "Nouveau candidat")
	res := v.post("/admin/candidates", url.Values{"first_name": {"Zoé"}, "last_name": {""}, "birth_date": {"31/02/1990"}, "email": {"pas-une-adresse"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `value="Zoé"`, `value="pas-une-adresse"`, `id="e-last_name"`, `id="e-birth_date"`, `id="e-email"`,
		"Le formulaire contient des erreurs")

	res = v.post("/admin/candidates", url.Values{"first_name": {"Zoé"}, "last_name": {"Lefèvre"}, "birth_date": {"1990-02-28"}, "email": {"zoe@example.fr"}})
	res.status(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	show := v.get(loc)
	show.status(t, http.StatusOK)
	show.has(t, "Zoé Lefèvre", "Candidat enregistré.", "28 février 1990")

	res = v.post(loc+"/enrollments", url.Values{"certification": {""}, "pathway": {"vae"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-certification"`, "Choisissez la certification.")

	list := v.get("/admin/candidates?q=lefevre")
	list.has(t, "Lefèvre")
}

func TestLanguage_EnglishSwitchIsRemembered(t *testing.T) {
	env := apptest.New(t)
	v := newVisitor(t, env)
	res := v.get("/lang/en?next=/login")
	res.status(t, http.StatusSeeOther)
	v.get("/login").has(t, `<html lang="en">`, "Sign in", "Email address")
	v.get("/lang/fr?next=//evil.example")
	if v.cookies["lang"] != "fr" {
		t.Errorf("lang cookie %q", v.cookies["lang"])
	}
}

func TestErrors_UnknownPageIsAFrenchPageAndTheAPIStaysProblemJSON(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	res := v.get("/nulle-part")
	res.status(t, http.StatusNotFound)
	res.has(t, "Page introuvable")
	api := env.Do(t, "GET", "/api/v1/nulle-part", "", nil)
	if ct := api.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("API 404 content type %q", ct)
	}
	v.get("/admin/candidates/00000000-0000-0000-0000-000000000000").status(t, http.StatusNotFound)
}

func TestAuditLog_ShowsTheWritesAndVerifiesTheChain(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	env.Candidate(t, apptest.Names("Gaëlle", "Rivière"))
	res := v.get("/admin/audit?verify=1")
	res.status(t, http.StatusOK)
	res.has(t, "Journal d'audit", "Chaîne d'intégrité intacte", "candidate")
}

func TestStatic_AssetsAreServedAndCached(t *testing.T) {
	env := apptest.New(t)
	v := newVisitor(t, env)
	res := v.get("/static/app.css?v=x")
	res.status(t, http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control %q", cc)
	}
	v.get("/static/nothing.js").status(t, http.StatusNotFound)
}
