package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
)

// The law in force in the pages (docs/domain.md §4): a paper request recorded
// with its reception date, the administrators' deadline list, missing pieces
// asked and completed, and an implicit acceptance shown to both sides.

func TestVAEPages_PaperRequestDeadlineListMissingPiecesAndImplicitAcceptance(t *testing.T) {
	env := apptest.New(t)
	admin, au := signedIn(t, env, auth.RoleAdmin)
	cand := env.Candidate(t, apptest.Names("Rosalie", "Courrier"))
	trainee, cu := signedIn(t, env, auth.RoleCandidate, apptest.ForCandidate(cand.ID))
	other := env.Candidate(t, apptest.Names("Octave", "Enligne"))
	tu, _ := env.User(t, auth.RoleCandidate, apptest.ForCandidate(other.ID))
	if _, err := env.App.VAE.Open(context.Background(), tu, vae.NewRequest{Certification: "agent-recouvrement"}); err != nil {
		t.Fatal(err)
	}

	// The paper form: errors next to the fields, nothing written.
	list := admin.get("/admin/vae")
	list.has(t, "Enregistrer une demande reçue par courrier", "Rosalie Courrier", "le silence vaut acceptation")
	res := admin.post("/admin/vae", url.Values{"candidate_id": {cand.ID}, "certification": {"agent-recouvrement"}, "received_on": {"2026-12-01"}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-received_on"`, "La date de réception ne peut pas être dans le futur.")
	loc := admin.post("/admin/vae", url.Values{"candidate_id": {cand.ID}, "certification": {"agent-recouvrement"},
		"received_on": {"2026-10-05"}, "motivation": {"Lettre manuscrite du 3 octobre."}}).location(t)
	pg := admin.get(loc)
	pg.has(t, "Demande enregistrée : décision due au plus tard le 5 décembre 2026.", "5 octobre 2026", "13 jours restants",
		"reçue le 05/10/2026, enregistrée par l'administration", "Lettre manuscrite du 3 octobre.")

	// The deadline list: the paper request (5 December) before the online one (22 January).
	body := admin.get("/admin/vae").Body
	if i, j := strings.Index(body, "Rosalie Courrier"), strings.Index(body, "Octave Enligne"); i < 0 || j < 0 || i > j {
		t.Fatalf("deadline order: Rosalie at %d, Octave at %d", i, j)
	}

	// Missing pieces stop the clock; the candidate completes the request.
	res = admin.post(loc+"/missing-pieces", url.Values{"pieces": {"  \r\n "}})
	res.status(t, http.StatusUnprocessableEntity)
	res.has(t, `id="e-pieces"`, "Indiquez au moins une pièce")
	admin.post(loc+"/missing-pieces", url.Values{"pieces": {"Attestation d'emploi\r\nCopie de la pièce d'identité"}}).location(t)
	admin.get(loc).has(t, "pièces manquantes attendues", "suspendu jusqu'à ce que la demande soit complète", "Copie de la pièce d'identité")
	id := strings.TrimPrefix(loc, "/admin/vae/")
	mine := trainee.get("/training/vae/" + id)
	mine.has(t, "Votre demande est incomplète.", "Attestation d'emploi", "Ma demande est complète")

	env.Clock.Set(time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC))
	trainee = signedAs(t, env, cu)
	trainee.get("/training/vae/" + id)
	if got := trainee.post("/training/vae/"+id+"/complete", nil).location(t); got != "/training/vae/"+id {
		t.Fatalf("after completing: %s", got)
	}
	trainee.get("/training/vae/"+id).has(t, "Demande complète : la décision est due au plus tard le 10 février 2027.", "10 février 2027")

	// Silence past the deadline: admissible, shown as such on both sides.
	env.Clock.Set(time.Date(2027, 2, 11, 9, 0, 0, 0, time.UTC))
	admin, trainee = signedAs(t, env, au), signedAs(t, env, cu)
	pg = admin.get(loc)
	pg.has(t, "acceptation implicite", "délai échu le", "10 février 2027", "11 février 2030")
	pg.lacks(t, "Enregistrer la décision")
	trainee.get("/training/vae/"+id).has(t, "son silence vaut acceptation", "Ajouter une expérience", `id="upload-form"`)
}

// signedAs is a visitor holding a new session for an existing account (a
// demo account, or one whose session the moved clock expired).
func signedAs(t *testing.T, env *apptest.Env, u auth.User) *visitor {
	t.Helper()
	s, err := env.App.Auth.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	v := newVisitor(t, env)
	v.cookies["cqp_session"] = s.Token
	return v
}
