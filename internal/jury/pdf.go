package jury

import (
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

var (
	categoryFR = map[string]string{
		Professional:               "Professionnel du secteur",
		OrganisationRepresentative: "Représentant de l'organisme",
	}
	outcomeFR = map[string]string{
		candidates.Validated:    "Validé",
		candidates.NotValidated: "Non validé",
	}
)

// frDate is an instant as the jury lived it: in Paris, « 10/12/2026 à 14 h 05 ».
func frDate(t time.Time) string {
	t = t.In(civil.Paris)
	return civil.Of(t).Numeric() + fmt.Sprintf(" à %d h %02d", t.Hour(), t.Minute())
}

// presidentWords agrees the president's title with the person's gender:
// the title and « du président » / « de la présidente ».
func presidentWords(gender string) (title, of string) {
	if gender == GenderFemale {
		return "présidente", "de la présidente"
	}
	return "président", "du président"
}

// RenderMinutes prints the procès-verbal: the jury, its composition, each
// candidate's decisions with their reasons (corrections shown with what
// they replace), and the signatures. Rows grow with their text
// (AddAutoRow), so long reasons never overflow.
func RenderMinutes(m Minutes, printed time.Time) ([]byte, error) {
	doc := pdfdoc.New(orientation.Vertical)
	bold := props.Text{Style: fontstyle.Bold}
	line := func(s string, p ...props.Text) {
		if len(p) > 0 {
			doc.AddAutoRow(pdfdoc.TextCol(12, s, p[0]))
			return
		}
		doc.AddAutoRow(pdfdoc.TextCol(12, s))
	}
	gap := func() { doc.AddRow(3, col.New(12)) }

	line("PROCÈS-VERBAL DE DÉLIBÉRATION DU JURY", props.Text{Style: fontstyle.Bold, Size: 14, Align: align.Center})
	title := m.Title
	if title == "" {
		title = m.Jury.Certification
	}
	line("Certificat de qualification professionnelle : "+title, props.Text{Align: align.Center})
	gap()
	d := m.Jury.SessionDate
	line("Session du "+d.Numeric(), bold)
	if m.Jury.Location != "" {
		line("Lieu : " + m.Jury.Location)
	}
	line("Référence du jury : " + m.Jury.ID)
	if m.Final {
		line("Statut : procès-verbal signé le "+frDate(*m.Jury.FinalisedAt)+" — décisions définitives", bold)
	} else {
		line("Statut : projet, non signé — décisions provisoires", bold)
	}
	gap()

	names := map[string]string{}
	president, ofPresident := presidentWords("")
	line("Composition du jury", props.Text{Style: fontstyle.Bold, Size: 12})
	pros := 0
	for _, mb := range m.Members {
		names[mb.UserID] = mb.Name
		if mb.UserID == m.Jury.PresidentID {
			president, ofPresident = presidentWords(mb.Gender)
		}
		if mb.Category == Professional {
			pros++
		}
		role := ""
		if mb.UserID == m.Jury.PresidentID {
			role = " — " + president
		}
		addRow(doc, []string{mb.Name + role, categoryFR[mb.Category], mb.Organisation}, []int{4, 4, 4}, props.Text{})
	}
	line(fmt.Sprintf("%s, dont %s et %s de l'organisme.", civil.Count("fr", len(m.Members), "membre", "membres"),
		civil.Count("fr", pros, "professionnel", "professionnels"), civil.Count("fr", len(m.Members)-pros, "représentant", "représentants")))
	gap()

	line("Décisions", props.Text{Style: fontstyle.Bold, Size: 12})
	for _, c := range m.Candidates {
		gap()
		line("Candidat : "+c.Name, bold)
		if len(c.Exclusions) > 0 {
			var ex []string
			for _, e := range c.Exclusions {
				fr, _ := Explain(e.Reason, e.Detail, e.EndedOn)
				ex = append(ex, names[e.UserID]+" ("+fr+")")
			}
			line("Membres écartés pour conflit d'intérêts : " + strings.Join(ex, ", "))
		}
		if c.Deliberation == nil {
			line("Aucune délibération pour ce candidat.")
			continue
		}
		dd := c.Deliberation.DecidedOn
		var present []string
		for _, id := range c.Deliberation.PresentIDs {
			present = append(present, names[id])
		}
		line("Délibération du " + dd.Numeric() + " — membres présents : " + strings.Join(present, ", "))
		casting := map[string]bool{}
		for _, v := range c.Deliberation.Votes {
			casting[v.Component] = v.Casting
		}
		addRow(doc, []string{"Bloc de compétences", "Décision", "Motif"}, []int{5, 3, 4}, bold)
		for _, dec := range c.Decisions {
			outcome := outcomeFR[dec.Outcome]
			if casting[dec.Component] && dec.SupersedesID == nil {
				outcome += " (voix prépondérante " + ofPresident + ")"
			}
			reason := dec.Reason
			if dec.SupersedesID != nil {
				cd := dec.DecidedOn
				outcome += " — correction du " + cd.Numeric()
			}
			if dec.SupersededBy != nil {
				outcome += " — remplacée par une correction"
			}
			if reason == "" {
				reason = "—"
			}
			block := dec.Component
			if t := m.ComponentTitles[dec.Component]; t != "" {
				block += " — " + t
			}
			addRow(doc, []string{block, outcome, reason}, []int{5, 3, 4}, props.Text{})
		}
	}
	gap()

	line("Signatures", props.Text{Style: fontstyle.Bold, Size: 12})
	if len(m.Signatures) == 0 {
		line("Aucune signature.")
	}
	for _, sg := range m.Signatures {
		who := names[sg.UserID]
		if sg.UserID == m.Jury.PresidentID {
			who += ", " + president + " du jury"
		}
		note := ""
		if sg.RecordedBy != sg.UserID {
			note = " (signature sur papier enregistrée par l'administration)"
		}
		line(fmt.Sprintf("Signé par %s le %s%s", who, frDate(sg.SignedAt), note))
	}
	gap()
	line("Document édité le "+frDate(printed)+".", props.Text{Size: 8})

	out, err := doc.Generate()
	if err != nil {
		return nil, err
	}
	return out.GetBytes(), nil
}

func addRow(doc core.Maroto, cells []string, sizes []int, p props.Text) {
	cols := make([]core.Col, len(cells))
	for i, c := range cells {
		cols[i] = pdfdoc.TextCol(sizes[i], c, p)
	}
	doc.AddAutoRow(cols...)
}
