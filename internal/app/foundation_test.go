package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

func TestErrors_AreProblemsWithTheContractStatuses(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	_, trainee := env.User(t, auth.RoleCandidate)
	huge := `{"email":"` + strings.Repeat("a", 11<<20) + `"}`

	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
		field                     string
	}{
		{"malformed JSON", "POST", "/api/v1/users", admin, `{"email": "x@y.fr",`, 400, "bad_request", ""},
		{"wrong JSON type", "POST", "/api/v1/users", admin, `{"email": 12}`, 422, "validation", "email"},
		{"invalid fields", "POST", "/api/v1/users", admin, map[string]any{"email": "pas-une-adresse", "name": "X", "role": "king", "password": "court"}, 422, "validation", "role"},
		{"unknown route", "GET", "/api/v1/nothing-here", admin, nil, 404, "not_found", ""},
		{"unknown page", "GET", "/no/such/page", "", nil, 404, "not_found", ""},
		{"no token", "GET", "/api/v1/users", "", nil, 401, "unauthorized", ""},
		{"bad token", "GET", "/api/v1/users", "not-a-token", nil, 401, "unauthorized", ""},
		{"wrong role", "POST", "/api/v1/users", trainee, map[string]any{"email": "a@b.fr"}, 403, "forbidden", ""},
		{"huge body", "POST", "/api/v1/auth/login", "", huge, 413, "too_large", ""},
		{"empty body", "POST", "/api/v1/auth/login", "", "", 400, "bad_request", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, tc.method, tc.path, tc.token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d; body %.300s", res.Status, tc.status, res.Body)
			}
			p := res.Problem(t)
			if p.Code != tc.code || p.Status != tc.status || p.Title == "" || p.Type == "" {
				t.Fatalf("problem %+v, want code %s", p, tc.code)
			}
			if tc.field != "" && !p.HasField(tc.field) {
				t.Fatalf("problem does not name field %s: %+v", tc.field, p.Errors)
			}
		})
	}
}

func TestErrors_FieldMessagesFollowAcceptLanguage(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	body := map[string]any{"email": "x@y.fr", "role": "admin"}
	fr := env.Do(t, "POST", "/api/v1/users", admin, body, "Accept-Language", "fr-FR,fr;q=0.9").Problem(t)
	en := env.Do(t, "POST", "/api/v1/users", admin, body, "Accept-Language", "en-GB,en;q=0.9").Problem(t)
	if !fr.HasField("name") || !en.HasField("name") {
		t.Fatalf("name not named: %+v / %+v", fr, en)
	}
	if fr.Errors[0].Message == en.Errors[0].Message {
		t.Fatalf("same message in both languages: %q", fr.Errors[0].Message)
	}
	if !strings.Contains(fr.Errors[0].Message, "obligatoire") || !strings.Contains(en.Errors[0].Message, "required") {
		t.Fatalf("messages not localised: fr %q, en %q", fr.Errors[0].Message, en.Errors[0].Message)
	}
	if fr.Title != "Règle non respectée" {
		t.Fatalf("french title %q", fr.Title)
	}
}

func TestErrors_GarbageNeverGives500(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	bodies := []string{`null`, `[]`, `"x"`, `{}`, `{"email":null}`, `{"role":["admin"]}`, `{"candidate_id":""}`,
		"\x00\x01", `{"email":"` + strings.Repeat("é", 5000) + `"}`, `{"password":{"a":1}}`, `1e999`, `{"a":1}{"b":2}`}
	paths := []string{"/api/v1/users", "/api/v1/auth/login", "/api/v1/candidates"}
	for _, p := range paths {
		for _, b := range bodies {
			res := env.Do(t, "POST", p, admin, b)
			if res.Status >= 500 {
				t.Errorf("POST %s %q → %d %s", p, b, res.Status, res.Body)
			}
		}
	}
}

func TestHealth_AndReadiness(t *testing.T) {
	env := apptest.New(t)
	if res := env.Do(t, "GET", "/healthz", "", nil); res.Status != 200 {
		t.Fatalf("healthz %d", res.Status)
	}
	if res := env.Do(t, "GET", "/readyz", "", nil); res.Status != 200 {
		t.Fatalf("readyz %d", res.Status)
	}
	if res := env.Do(t, "GET", "/metrics", "", nil); res.Status != 200 || !strings.Contains(string(res.Body), "go_goroutines") {
		t.Fatalf("metrics %d", res.Status)
	}
	env.App.Close() // the database goes away: not ready any more, still alive
	if res := env.Do(t, "GET", "/readyz", "", nil); res.Status != 503 {
		t.Fatalf("readyz after close %d, want 503", res.Status)
	}
	if res := env.Do(t, "GET", "/healthz", "", nil); res.Status != 200 {
		t.Fatalf("healthz after close %d", res.Status)
	}
}

func TestSecurityHeaders_AndRequestID(t *testing.T) {
	env := apptest.New(t)
	res := env.Do(t, "GET", "/api/v1/certifications", "", nil)
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "X-Request-Id"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
}

func TestCertifications_FollowTheContract(t *testing.T) {
	env := apptest.New(t)
	res := env.Do(t, "GET", "/api/v1/certifications", "", nil)
	if res.Status != 200 {
		t.Fatalf("status %d", res.Status)
	}
	var certs []struct {
		Code          string `json:"code"`
		Title         string `json:"title"`
		Registrations []struct {
			Registry, Number string
			From, To         *string
		} `json:"registrations"`
		Components []struct{ Code, Title string } `json:"components"`
		Pathways   []string                       `json:"pathways"`
		JuryRule   struct {
			MinMembers int    `json:"min_members"`
			Ratio      string `json:"min_professional_ratio"`
			MinReps    int    `json:"min_organisation_representatives"`
		} `json:"jury_rule"`
		Validity int `json:"component_validity_years"`
	}
	res.JSON(t, &certs)
	if len(certs) != 2 || certs[0].Code != "clerc-recouvrement-amiable" || certs[1].Code != "agent-recouvrement" {
		t.Fatalf("certifications %+v", certs)
	}
	clerc := certs[0]
	if len(clerc.Components) != 4 || clerc.Components[0].Code != "CLERC-1" || clerc.Components[3].Code != "CLERC-4" {
		t.Fatalf("clerc components %+v", clerc.Components)
	}
	if r := clerc.Registrations[0]; r.Registry != "RNCP" || r.Number != "26291" || *r.From != "2016-06-07" || *r.To != "2019-06-07" {
		t.Fatalf("registration %+v", r)
	}
	if strings.Join(clerc.Pathways, ",") != "formation_continue,contrat_professionnalisation,vae" {
		t.Fatalf("pathways %v", clerc.Pathways)
	}
	if clerc.JuryRule.MinMembers != 3 || clerc.JuryRule.Ratio != "2/3" || clerc.JuryRule.MinReps != 1 || clerc.Validity != 5 {
		t.Fatalf("rule %+v validity %d", clerc.JuryRule, clerc.Validity)
	}
	if certs[1].Components[3].Title != "Mettre en œuvre des techniques de communication adaptées, dans le respect du code de déontologie" {
		t.Fatalf("accents lost: %q", certs[1].Components[3].Title)
	}
}

func TestLogin_IssuesTokenAndLogoutRevokesIt(t *testing.T) {
	env := apptest.New(t)
	u, _ := env.User(t, auth.RoleTrainer)
	res := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": strings.ToUpper(u.Email), "password": "motdepasse-de-test"})
	if res.Status != 200 {
		t.Fatalf("login %d %s", res.Status, res.Body)
	}
	var sess struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      struct{ ID, Email, Name, Role string }
	}
	res.JSON(t, &sess)
	if sess.Token == "" || sess.User.ID != u.ID || sess.User.Role != "trainer" || !sess.ExpiresAt.After(apptest.Start) {
		t.Fatalf("session %+v", sess)
	}
	if r := env.Do(t, "GET", "/api/v1/auth/me", sess.Token, nil); r.Status != 200 {
		t.Fatalf("me %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/auth/logout", sess.Token, nil); r.Status != 204 {
		t.Fatalf("logout %d", r.Status)
	}
	if r := env.Do(t, "GET", "/api/v1/auth/me", sess.Token, nil); r.Status != 401 {
		t.Fatalf("me after logout %d, want 401", r.Status)
	}
	// A token expires.
	s2 := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "motdepasse-de-test"})
	s2.JSON(t, &sess)
	env.Clock.Advance(env.Cfg.TokenTTL + time.Second)
	if r := env.Do(t, "GET", "/api/v1/auth/me", sess.Token, nil); r.Status != 401 {
		t.Fatalf("expired token %d, want 401", r.Status)
	}
}

func TestLogin_WrongPasswordAndUnknownAccountLookAlike(t *testing.T) {
	env := apptest.New(t)
	u, _ := env.User(t, auth.RoleTrainer)
	a := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "faux-mot-de-passe"})
	b := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "personne@nulle.part", "password": "faux-mot-de-passe"})
	if a.Status != 401 || b.Status != 401 || a.Problem(t).Detail != b.Problem(t).Detail {
		t.Fatalf("responses differ: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}
}

func TestLogin_RepeatedFailuresAreSlowedButTheUserIsNotLockedOutForLong(t *testing.T) {
	env := apptest.New(t)
	u, _ := env.User(t, auth.RoleJury)
	bad := map[string]string{"email": u.Email, "password": "mauvais-mot-de-passe"}
	statuses := []int{}
	for i := 0; i < 8; i++ {
		statuses = append(statuses, env.Do(t, "POST", "/api/v1/auth/login", "", bad).Status)
	}
	if statuses[0] != 401 || statuses[4] != 401 || statuses[7] != 429 {
		t.Fatalf("statuses %v: want 401 for the first five then 429", statuses)
	}
	// Even the right password waits while throttled…
	good := map[string]string{"email": u.Email, "password": "motdepasse-de-test"}
	if r := env.Do(t, "POST", "/api/v1/auth/login", "", good); r.Status != 429 {
		t.Fatalf("throttled good login %d", r.Status)
	}
	// …but not for long.
	env.Clock.Advance(20 * time.Second)
	if r := env.Do(t, "POST", "/api/v1/auth/login", "", good); r.Status != 200 {
		t.Fatalf("after the delay %d %s", r.Status, r.Body)
	}
}

func TestUsers_CandidateAccountsMustLinkAnExistingRecord(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	cand := env.Candidate(t)
	base := func(role string, candID any) map[string]any {
		return map[string]any{"email": role + "x@test.fr", "name": "Nom Prénom", "role": role, "password": "un-mot-de-passe-long", "organisation": "ANCR", "candidate_id": candID}
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"candidate without record", base("candidate", nil), 422},
		{"candidate with unknown record", base("candidate", "00000000-0000-0000-0000-000000000000"), 422},
		{"jury with a record", base("jury", cand.ID), 422},
		{"candidate with record", base("candidate", cand.ID), 201},
		{"same email again", base("candidate", cand.ID), 409},
		{"jury", base("jury", nil), 201},
	}
	for _, tc := range cases {
		res := env.Do(t, "POST", "/api/v1/users", admin, tc.body)
		if res.Status != tc.status {
			t.Fatalf("%s: %d, want %d: %s", tc.name, res.Status, tc.status, res.Body)
		}
		if tc.status == 201 {
			var u map[string]any
			res.JSON(t, &u)
			for _, k := range []string{"id", "email", "name", "role", "organisation", "candidate_id"} {
				if _, ok := u[k]; !ok {
					t.Fatalf("user lacks %s: %s", k, res.Body)
				}
			}
			if _, leaked := u["password_hash"]; leaked {
				t.Fatal("password hash leaked")
			}
		}
	}
}

func TestOpenAPI_DescribesEveryRoute(t *testing.T) {
	env := apptest.New(t)
	res := env.Do(t, "GET", "/api/v1/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi: %v %s", err, doc.OpenAPI)
	}
	for _, r := range env.App.Echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasPrefix(r.Method, "echo_route") {
			continue
		}
		p := strings.TrimPrefix(r.Path, "/api/v1")
		parts := strings.Split(p, "/")
		for i, s := range parts {
			if strings.HasPrefix(s, ":") {
				parts[i] = "{" + s[1:] + "}"
			}
		}
		p = strings.Join(parts, "/")
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, p)
		}
	}
	_ = context.Background
	_ = http.MethodGet
}
