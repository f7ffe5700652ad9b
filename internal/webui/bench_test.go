package webui_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/training"
)

// BenchmarkPages measures the main pages over real HTTP with the demo data:
// what a signed-in user waits for on the server (rendering included), the
// network aside. `go test -run '^$' -bench Pages ./internal/webui/`.
func BenchmarkPages(b *testing.B) {
	env := apptest.New(b, apptest.WithDemo())
	ctx := context.Background()
	session := func(email string) string {
		u, err := findUser(env, email)
		if err != nil {
			b.Fatal(err)
		}
		s, err := env.App.Auth.Open(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		return s.Token
	}
	admin := session("admin@demo.cqp.fr")
	trainee := session("candidat@demo.cqp.fr")
	eloise, err := findUser(env, "candidat@demo.cqp.fr")
	if err != nil {
		b.Fatal(err)
	}
	started, err := env.App.Training.Start(ctx, eloise, "agent2-visite-domicile", training.StartRequest{Mode: training.Practice})
	if err != nil {
		b.Fatal(err)
	}
	attemptPath := "/training/attempts/" + started.ID
	var candID string
	if err := env.App.DB.Table("candidates").Select("id").Order("last_name").Limit(1).Scan(&candID).Error; err != nil {
		b.Fatal(err)
	}
	var juryID, dossierID string
	if err := env.App.DB.Table("juries").Select("id").Limit(1).Scan(&juryID).Error; err != nil {
		b.Fatal(err)
	}
	if err := env.App.DB.Table("vae_dossiers").Select("id").Where("status = ?", "submitted").Limit(1).Scan(&dossierID).Error; err != nil {
		b.Fatal(err)
	}
	vaePath := benchVAEDossier(b, env, eloise)
	for _, pg := range []struct{ name, path, token string }{
		{"login", "/login", ""},
		{"dashboard", "/admin", admin},
		{"candidates", "/admin/candidates", admin},
		{"candidate", "/admin/candidates/" + candID, admin},
		{"audit", "/admin/audit", admin},
		{"admin_juries", "/admin/juries", admin},
		{"admin_jury", "/admin/juries/" + juryID, admin},
		{"admin_vae", "/admin/vae", admin},
		{"admin_vae_dossier", "/admin/vae/" + dossierID, admin},
		{"trainee_catalogue", "/training", trainee},
		{"trainee_player", attemptPath, trainee},
		{"trainee_vae", vaePath, trainee},
		{"candidate_import", "/admin/candidates/import", admin},
	} {
		b.Run(pg.name, func(b *testing.B) {
			client := env.Server.Client()
			for b.Loop() {
				req, _ := http.NewRequest("GET", env.Server.URL+pg.path, nil)
				req.Header.Set("Accept", "text/html")
				if pg.token != "" {
					req.AddCookie(&http.Cookie{Name: "cqp_session", Value: pg.token})
				}
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: status %d", pg.path, res.StatusCode)
				}
			}
		})
	}
}

func findUser(env *apptest.Env, email string) (auth.User, error) {
	var u auth.User
	err := env.App.DB.Where("email = ?", email).First(&u).Error
	return u, err
}
