package jury

import (
	"fmt"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
)

// minutesFixture is a signed jury of 6 members deciding 4 components for
// n candidates, one refusal each.
func minutesFixture(n int) Minutes {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	m := Minutes{Jury: Jury{ID: "j1", Certification: "agent-recouvrement", SessionDate: civil.New(2026, 11, 20),
		Location: "Lyon", PresidentID: "u0", FinalisedAt: &at}, Title: "Agent de recouvrement", Final: true}
	for i := range 6 {
		cat := Professional
		if i >= 4 {
			cat = OrganisationRepresentative
		}
		m.Members = append(m.Members, Member{UserID: fmt.Sprintf("u%d", i), Name: fmt.Sprintf("Łukasz Wiśniewski %d", i),
			Category: cat, Organisation: "Créances Services"})
		m.Signatures = append(m.Signatures, Signature{UserID: fmt.Sprintf("u%d", i), Position: i + 1, SignedAt: at, RecordedBy: fmt.Sprintf("u%d", i)})
	}
	for c := range n {
		d := Deliberation{DecidedOn: civil.New(2026, 11, 20), PresentIDs: []string{"u0", "u1", "u2", "u4"}}
		mc := MinutesCandidate{CandidateID: fmt.Sprint(c), Name: fmt.Sprintf("Nguyễn Thị Ánh %d", c), Deliberation: &d}
		for k := 1; k <= 4; k++ {
			dec := candidates.Decision{Component: fmt.Sprintf("AGENT-%d", k), Outcome: candidates.Validated, DecidedOn: d.DecidedOn}
			if k == 4 {
				dec.Outcome, dec.Reason = candidates.NotValidated, "Mise en situation : calcul des intérêts de retard erroné, relance hors délai."
			}
			mc.Decisions = append(mc.Decisions, dec)
		}
		m.Candidates = append(m.Candidates, mc)
	}
	return m
}

func BenchmarkRenderMinutes_20Candidates(b *testing.B) {
	m := minutesFixture(20)
	for b.Loop() {
		if _, err := RenderMinutes(m, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAgreement_9Members40Criteria(b *testing.B) {
	levels := map[string]map[string]int{}
	for m := range 9 {
		levels[fmt.Sprint(m)] = map[string]int{}
		for c := range 40 {
			levels[fmt.Sprint(m)][fmt.Sprint(c)] = 1 + (m*c+c)%4
		}
	}
	for b.Loop() {
		Agreement(levels)
	}
}
