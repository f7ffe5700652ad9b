package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/pquerna/otp/totp"
)

func TestTOTP_EnrolConfirmLoginNoReplayRecoveryOnce(t *testing.T) {
	env := apptest.New(t)
	u, tok := env.User(t, auth.RoleAdmin)
	_, trainerTok := env.User(t, auth.RoleTrainer)
	env.Do(t, "POST", "/api/v1/auth/totp", trainerTok, nil).Expect(t, 403)
	var e auth.Enrolment
	env.Do(t, "POST", "/api/v1/auth/totp", tok, nil).Expect(t, 200).JSON(t, &e)
	now := env.Clock.Now()
	code, err := totp.GenerateCode(e.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	env.Do(t, "POST", "/api/v1/auth/totp/confirm", tok, map[string]string{"code": "000000"}).Expect(t, 422)
	var rc struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	env.Do(t, "POST", "/api/v1/auth/totp/confirm", tok, map[string]string{"code": code}).Expect(t, 200).JSON(t, &rc)
	if len(rc.RecoveryCodes) != 10 {
		t.Fatalf("%d recovery codes", len(rc.RecoveryCodes))
	}
	body := map[string]string{"email": u.Email, "password": "motdepasse-de-test"}
	if p := login(env, t, u.Email, "motdepasse-de-test").Expect(t, 401).Problem(t); p.Code != "otp_required" {
		t.Fatalf("%+v", p)
	}
	// The code used to confirm cannot sign in: the same step, seen already.
	body["otp"] = code
	env.Do(t, "POST", "/api/v1/auth/login", "", body).Expect(t, 401)
	env.Clock.Advance(30 * time.Second)
	next, _ := totp.GenerateCode(e.Secret, env.Clock.Now())
	body["otp"] = next
	env.Do(t, "POST", "/api/v1/auth/login", "", body).Expect(t, 200)
	env.Do(t, "POST", "/api/v1/auth/login", "", body).Expect(t, 401) // replayed
	body["otp"] = rc.RecoveryCodes[3]
	env.Do(t, "POST", "/api/v1/auth/login", "", body).Expect(t, 200)
	env.Do(t, "POST", "/api/v1/auth/login", "", body).Expect(t, 401) // spent
	env.Do(t, "DELETE", "/api/v1/auth/totp", tok, map[string]string{"password": "faux"}).Expect(t, 422)
	env.Do(t, "DELETE", "/api/v1/auth/totp", tok, map[string]string{"password": "motdepasse-de-test"}).Expect(t, 204)
	login(env, t, u.Email, "motdepasse-de-test").Expect(t, 200)
}

// The secret is sealed with the master key in the database; one stored in
// clear by the first version is sealed at start and keeps working.
func TestTOTP_SecretSealedAndFormerClearOnesSealedAtStart(t *testing.T) {
	env := apptest.New(t)
	u, tok := env.User(t, auth.RoleJury)
	var e auth.Enrolment
	env.Do(t, "POST", "/api/v1/auth/totp", tok, nil).Expect(t, 200).JSON(t, &e)
	var stored string
	env.App.DB.Table("user_totp").Where("user_id = ?", u.ID).Pluck("secret", &stored)
	if !strings.HasPrefix(stored, "sealed:") || strings.Contains(stored, e.Secret) {
		t.Fatalf("stored secret %q", stored)
	}
	code, _ := totp.GenerateCode(e.Secret, env.Clock.Now())
	env.Do(t, "POST", "/api/v1/auth/totp/confirm", tok, map[string]string{"code": code}).Expect(t, 200)

	// As the first version left it: in clear.
	env.App.DB.Table("user_totp").Where("user_id = ?", u.ID).Update("secret", e.Secret)
	if n, err := env.App.Auth.SealTOTPSecrets(context.Background()); err != nil || n != 1 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	if n, _ := env.App.Auth.SealTOTPSecrets(context.Background()); n != 0 {
		t.Fatalf("sealed again: %d", n)
	}
	env.App.DB.Table("user_totp").Where("user_id = ?", u.ID).Pluck("secret", &stored)
	if !strings.HasPrefix(stored, "sealed:") {
		t.Fatalf("still in clear: %q", stored)
	}
	env.Clock.Advance(30 * time.Second)
	next, _ := totp.GenerateCode(e.Secret, env.Clock.Now())
	env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "motdepasse-de-test", "otp": next}).Expect(t, 200)
}
