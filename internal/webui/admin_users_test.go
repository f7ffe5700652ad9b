package webui_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/messages"
)

func TestUsersPages_InviteResendDisableChangeRole(t *testing.T) {
	env := apptest.New(t)
	v, me := signedIn(t, env, auth.RoleAdmin)
	v.get("/admin/users").has(t, "Comptes", "Inviter une personne", me.Name)
	res := v.post("/admin/users", url.Values{"name": {"Inès Garnier"}, "email": {"ines@example.fr"}, "role": {"jury"}, "organisation": {"Cabinet G"}})
	if loc := res.location(t); loc != "/admin/users" {
		t.Fatalf("invite: %s", loc)
	}
	v.get("/admin/users").has(t, "Invitation envoyée à ines@example.fr.", "Inès Garnier", "Invitation en attente")
	v.post("/admin/users", url.Values{"name": {"X"}, "email": {"pas-une-adresse"}, "role": {"jury"}}).status(t, 422)
	ms, _ := env.App.Outbox.List(context.Background(), messages.Query{Kind: messages.KindInvitation})
	if len(ms) != 1 || ms[0].To != "ines@example.fr" {
		t.Fatalf("invitations %+v", ms)
	}
	us, _, _ := env.App.Auth.Search(context.Background(), auth.UserQuery{Q: "ines"})
	id := us[0].ID
	v.get("/admin/users/"+id).has(t, "Renvoyer l'invitation", "Désactiver")
	v.post("/admin/users/"+id+"/invitation", nil).location(t)
	v.get("/admin/users/"+id).has(t, "Nouvelle invitation envoyée")
	v.post("/admin/users/"+id, url.Values{"action": {"disable"}}).location(t)
	v.get("/admin/users/"+id).has(t, "Désactivé", "Réactiver")
	v.post("/admin/users/"+id, url.Values{"name": {"Inès Garnier"}, "role": {"trainer"}, "organisation": {"Cabinet G"}, "candidate_id": {""}}).location(t)
	u, _ := env.App.Auth.Get(context.Background(), id)
	if u.Role != auth.RoleTrainer || u.DisabledAt == nil {
		t.Fatalf("after the changes: %+v", u)
	}
	v.post("/admin/users/"+id, url.Values{"name": {"Inès Garnier"}, "role": {"candidate"}, "candidate_id": {""}}).status(t, 422)
	v.get("/admin/users/"+me.ID).lacks(t, "Désactiver")
	trainer, _ := signedIn(t, env, auth.RoleTrainer)
	if s := trainer.get("/admin/users").Status; s != 403 && s != 404 {
		t.Fatalf("a trainer opened the accounts: %d", s)
	}
}

func TestUsersPages_LiftLoginDelays(t *testing.T) {
	env := apptest.New(t)
	v, admin := signedIn(t, env, auth.RoleAdmin)
	jury, _ := env.User(t, auth.RoleJury)
	v.get("/admin/users/"+jury.ID).has(t, "Lever les délais de connexion")
	if loc := v.post("/admin/users/"+jury.ID+"/unlock", nil).location(t); loc != "/admin/users/"+jury.ID {
		t.Fatalf("redirect %q", loc)
	}
	v.get("/admin/users/"+jury.ID).has(t, "Délais de connexion levés")
	var n int64
	env.App.DB.Table("audit_entries").Where("action = ? AND actor_id = ? AND entity_id = ?", "user.unlock", admin.ID, jury.ID).Count(&n)
	if n != 1 {
		t.Fatalf("%d audit rows", n)
	}
}

// Web forms follow the JSON API's text rule: a NUL (which PostgreSQL
// refuses, once a 500) or a control character is a 400 page and writes
// nothing; text is normalised to NFC.
func TestForms_RefuseNULAndControlCharactersAndNormalise(t *testing.T) {
	env := apptest.New(t)
	v, _ := signedIn(t, env, auth.RoleAdmin)
	count := func() int64 {
		var n int64
		env.App.DB.Table("candidates").Count(&n)
		return n
	}
	before := count()
	v.get("/admin/candidates") // the form's token
	for _, bad := range []string{"Zo\x00é", "Zoé\x1b[31m"} {
		res := v.post("/admin/candidates", url.Values{"first_name": {bad}, "last_name": {"Martin"}, "birth_date": {"1990-01-02"}})
		res.status(t, 400)
		res.has(t, "caractère interdit")
	}
	if count() != before {
		t.Fatal("a refused form wrote a candidate")
	}
	// "é" typed as e + combining accent is stored as one character.
	v.post("/admin/candidates", url.Values{"first_name": {"Zoe\u0301"}, "last_name": {"Martin"}, "birth_date": {"1990-01-02"}})
	var first string
	env.App.DB.Table("candidates").Where("last_name = ?", "Martin").Pluck("first_name", &first)
	if first != "Zoé" {
		t.Fatalf("stored %q", first)
	}
}
