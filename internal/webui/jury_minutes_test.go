package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/pdftext"
)

// A jury sitting from the president's and a member's seats: the sign
// control appears only when signing is possible, the signatures awaited
// are named, the deliberation page gives each member's level, the mean,
// the spread and the outcome the scores suggest, frozen scores read as
// frozen, and the minutes speak of « la présidente », name each
// component and give Paris times.
func TestJurySitting_SuggestsSignsWhenPossibleAndNamesTheSignaturesDue(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	presV, pres := signedIn(t, env, auth.RoleJury, apptest.Named("Hélène Présidente"), apptest.Gender("female"), apptest.Organisation("Étude Dupré"))
	memberV, member := signedIn(t, env, auth.RoleJury, apptest.Named("Gaëlle Membre"), apptest.Organisation("Cabinet Lenôtre"))
	rep, repTok := env.User(t, auth.RoleJury, apptest.Named("Rémi Représentant"), apptest.Organisation("Syndicat des salariés"))
	var login struct{ Token string }
	env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": member.Email, "password": "motdepasse-de-test"}).
		Expect(t, http.StatusOK).JSON(t, &login)
	memberTok := login.Token
	var j jury.View
	env.Do(t, "POST", "/api/v1/juries", admin, map[string]any{
		"certification": "agent-recouvrement", "session_date": "2026-11-20", "location": "Lyon",
		"president_user_id": pres.ID,
		"members": []map[string]any{
			{"user_id": pres.ID, "category": jury.Professional},
			{"user_id": member.ID, "category": jury.Professional},
			{"user_id": rep.ID, "category": jury.OrganisationRepresentative},
		}}).Expect(t, http.StatusCreated).JSON(t, &j)
	cand := env.Candidate(t, apptest.Names("Anaïs", "Leclerc"))
	env.Enroll(t, cand.ID, "agent-recouvrement")
	env.Do(t, "POST", "/api/v1/juries/"+j.ID+"/candidates", admin, map[string]any{"candidate_id": cand.ID}).Expect(t, http.StatusCreated)
	// AGENT-1: the member and the representative differ by two levels on
	// D1 (to discuss); AGENT-2: both at 3 and 2 on every criterion, a mean
	// of 2.5 (validated).
	score := func(tok, comp string, levels map[string]int) {
		var scores []map[string]any
		for c, l := range levels {
			scores = append(scores, map[string]any{"criterion": comp + "." + c, "level": l})
		}
		env.Do(t, "POST", "/api/v1/juries/"+j.ID+"/evaluations", tok, map[string]any{
			"candidate_id": cand.ID, "component": comp, "scores": scores}).Expect(t, http.StatusCreated)
	}
	score(memberTok, "AGENT-1", map[string]int{"D1": 3, "D2": 3})
	score(repTok, "AGENT-1", map[string]int{"D1": 1, "D2": 3})
	score(memberTok, "AGENT-2", map[string]int{"D1": 3, "D2": 3})
	score(repTok, "AGENT-2", map[string]int{"D1": 2, "D2": 2})

	home := presV.get("/jury/" + j.ID)
	home.has(t, "présidente", "Non signé. La présidente signe en premier")
	home.lacks(t, `id="sign"`, `id="signatures-due"`)

	delib := "/jury/" + j.ID + "/candidates/" + cand.ID + "/deliberation"
	presV.get(delib)
	presV.post("/jury/"+j.ID+"/candidates/"+cand.ID+"/open", nil).status(t, http.StatusSeeOther)
	pg := presV.get(delib)
	pg.has(t, "Moyenne", "Écart", `id="suggest-AGENT-1"`, "à discuter (écart de deux niveaux ou plus sur un critère)",
		"validé (chaque critère a une moyenne d'au moins 2,5)", "le jury reste souverain")
	if !strings.Contains(pg.Body, `<td class="num">2,5</td>`) {
		t.Errorf("AGENT-2's mean of 2.5 is not shown as 2,5")
	}

	// The member's grid is frozen now, and says so.
	memberV.get("/jury/"+j.ID+"/candidates/"+cand.ID+"/components/AGENT-1").has(t, `class="frozen"`, "Notes figées.")

	res := presV.post(delib, url.Values{"present": {pres.ID, member.ID, rep.ID}, "decided_on": {"2026-11-20"},
		"decision.AGENT-1": {"validated"}, "decision.AGENT-2": {"validated"}})
	res.status(t, http.StatusSeeOther)
	home = presV.get("/jury/" + j.ID)
	home.has(t, `id="sign"`, "Signatures attendues :</b> Hélène Présidente, Gaëlle Membre, Rémi Représentant", "1 candidat délibéré sur 1")
	// A member countersigns only after the president.
	memberV.get("/jury/"+j.ID).lacks(t, `id="sign"`)

	presV.post("/jury/"+j.ID+"/sign", nil).status(t, http.StatusSeeOther)
	presV.get("/jury/"+j.ID).lacks(t, `id="sign"`)
	mp := memberV.get("/jury/" + j.ID)
	mp.has(t, `id="sign"`, "Signatures attendues :</b> Gaëlle Membre, Rémi Représentant")

	pdf := presV.get("/jury/" + j.ID + "/minutes.pdf")
	pdf.status(t, http.StatusOK)
	text, err := pdftext.Extract([]byte(pdf.Body))
	if err != nil {
		t.Fatal(err)
	}
	flat := plainSpaces(strings.Join(strings.Fields(text), " "))
	for _, want := range []string{"Hélène Présidente — présidente", "présidente du jury", "AGENT-1 — ",
		"3 membres, dont 2 professionnels et 1 représentant de l'organisme", "22/11/2026 à 11 h 00"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the minutes lack %q:\n%s", want, flat)
		}
	}
	if strings.Contains(text, "UTC") || strings.Contains(text, "Lieu : ") {
		t.Errorf("the minutes give UTC times or a plain space before a colon:\n%s", text)
	}
}
