package webui_test

import (
	"context"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// benchVAEDossier gives the trainee an admissible VAE dossier with two
// experiences, as one being built looks, and returns its page.
func benchVAEDossier(b *testing.B, env *apptest.Env, trainee auth.User) string {
	b.Helper()
	ctx := context.Background()
	admin, err := findUser(env, "admin@demo.cqp.fr")
	if err != nil {
		b.Fatal(err)
	}
	d := openAdmissible(b, env, admin, trainee, 40)
	for _, e := range []vae.ExperienceInput{
		{Employer: "Cabinet Bérard", Role: "Chargée de recouvrement amiable", StartsOn: civil.New(2021, 9, 1), EndsOn: civil.New(2024, 6, 30),
			Activities: "Relances téléphoniques et écrites.\n\nPlans d'apurement.", Components: []string{"AGENT-1", "AGENT-3"}},
		{Employer: "Huissiers Associés", Role: "Assistante", StartsOn: civil.New(2024, 7, 1),
			Activities: "Accueil des débiteurs.", Components: []string{"AGENT-2"}},
	} {
		if _, err := env.App.VAE.AddExperience(ctx, trainee, d.ID, e); err != nil {
			b.Fatal(err)
		}
	}
	return "/training/vae/" + d.ID
}
