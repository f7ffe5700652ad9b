package app

import (
	"bytes"
	"fmt"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/vae"
)

// vaeStep is one step of a VAE request in the demo year.
type vaeStep struct {
	on  civil.Date
	run func(c *gc, d *vae.Dossier) error
}

// any makes a step that does not depend on the candidate.
func anyone(f func(d *vae.Dossier) error) func(c *gc, d *vae.Dossier) error {
	return func(_ *gc, d *vae.Dossier) error { return f(d) }
}

// planVAE plans twenty VAE requests, at every stage the law knows: near
// their two-month deadline, admissible by the certifier's silence, missing
// pieces, refused with a reason, admissible, dossier submitted, handed to
// a jury (one to a past session, one to a session to come).
func (y *year) planVAE(cs []*gc) error {
	T := y.today
	yes := true
	admissible := func(d *vae.Dossier) error {
		var dec vae.AdmissibilityDecision
		dec.Decision = vae.StatusAdmissible
		dec.Criteria.RelatedToCertification, dec.Criteria.DocumentedByTheCandidate = &yes, &yes
		dec.Recommendations = "Préparer l'entretien sur les procédures collectives et le traitement des débiteurs sous tutelle."
		_, err := y.a.VAE.DecideAdmissibility(y.ctx, y.admin, d.ID, dec)
		return err
	}
	refused := func(reason string, related bool) func(d *vae.Dossier) error {
		return func(d *vae.Dossier) error {
			var dec vae.AdmissibilityDecision
			dec.Decision, dec.Reason = vae.StatusInadmissible, reason
			r, doc := related, !related
			dec.Criteria.RelatedToCertification, dec.Criteria.DocumentedByTheCandidate = &r, &doc
			_, err := y.a.VAE.DecideAdmissibility(y.ctx, y.admin, d.ID, dec)
			return err
		}
	}
	build := func(cert string) func(c *gc, d *vae.Dossier) error {
		return func(c *gc, d *vae.Dossier) error {
			comps := y.components(cert)
			exps := []vae.ExperienceInput{
				{Employer: c.Employer, Role: map[string]string{clerc: "Clerc de recouvrement", agent: "Agent de recouvrement"}[cert],
					StartsOn: T.AddYears(-4).AddMonths(-y.rng.IntN(30)), Activities: "Traitement des dossiers de créances, " +
						"relances écrites et téléphoniques, plans d'apurement, suivi des encaissements et reversement aux créanciers.",
					Components: comps},
				{Employer: "Intérim Services Recouvrement", Role: "Téléconseiller en relance", StartsOn: T.AddYears(-7),
					EndsOn: T.AddYears(-5), Activities: "Relances de factures impayées, mise à jour des dossiers, orientation des litiges.",
					Components: comps[1:2]},
			}
			for _, e := range exps {
				if _, err := y.a.VAE.AddExperience(y.ctx, y.admin, d.ID, e); err != nil {
					return fmt.Errorf("experience: %w", err)
				}
			}
			title := "Attestation d'emploi — " + c.Employer
			if _, err := y.a.VAE.AddDocument(y.ctx, y.admin, d.ID, vae.Upload{Title: title, FileName: "attestation-emploi.pdf",
				Body: bytes.NewReader(demoPDF(title))}); err != nil {
				return fmt.Errorf("document: %w", err)
			}
			return nil
		}
	}
	submit := func(d *vae.Dossier) error { _, err := y.a.VAE.Submit(y.ctx, y.admin, d.ID); return err }
	lock := func(d *vae.Dossier) error { _, err := y.a.VAE.Lock(y.ctx, y.admin, d.ID); return err }
	// The hand-over as the administrator's page does it: the candidate is
	// enrolled by VAE and assigned with the dossier's submission day (which
	// starts the jury's three months), then the dossier is handed over.
	hand := func(name string) func(c *gc, d *vae.Dossier) error {
		return func(c *gc, d *vae.Dossier) error {
			cur, err := y.a.VAE.Get(y.ctx, y.admin, d.ID)
			if err != nil {
				return err
			}
			if _, err := y.a.Candidates.Enroll(y.ctx, y.admin, c.id, candidates.NewEnrollment{Certification: cur.Certification, Pathway: "vae"}); err != nil {
				return fmt.Errorf("enroll by VAE: %w", err)
			}
			in := jury.NewAssignment{CandidateID: c.id}
			if cur.SubmittedAt != nil {
				on := civil.Of(*cur.SubmittedAt)
				in.DossierSubmittedOn = &on
			}
			if _, err := y.a.Jury.Assign(y.ctx, y.admin, *y.jury(name), in); err != nil {
				return fmt.Errorf("assign to jury %s: %w", name, err)
			}
			_, err = y.a.VAE.HandToJury(y.ctx, y.admin, d.ID, *y.jury(name))
			return err
		}
	}
	missing := func(d *vae.Dossier) error {
		_, err := y.a.VAE.AskMissingPieces(y.ctx, y.admin, d.ID, vae.MissingPieces{Pieces: []string{
			"Attestation d'emploi signée par l'employeur actuel", "Fiche de poste ou organigramme du service recouvrement"}})
		return err
	}
	complete := func(d *vae.Dossier) error { _, err := y.a.VAE.Complete(y.ctx, y.admin, d.ID); return err }
	support := func(opinion string) func(d *vae.Dossier) error {
		return func(d *vae.Dossier) error {
			if _, err := y.a.VAE.SetSupport(y.ctx, y.admin, d.ID, vae.SupportChoice{UserID: y.support.ID}); err != nil {
				return fmt.Errorf("support: %w", err)
			}
			_, err := y.a.VAE.GiveOpinion(y.ctx, y.support, d.ID, vae.NewOpinion{Text: opinion})
			return err
		}
	}
	favourable := "Avis favorable : l'expérience couvre les blocs de la certification ; prévoir un entretien sur la déontologie."

	type plan struct {
		cert     string
		received civil.Date
		steps    []vaeStep
		enroll   bool
	}
	d := func(n int) civil.Date { return weekday(T.AddDays(n), true) }
	plans := []plan{
		// Near their deadline (two months from a complete request).
		{clerc, d(-52), nil, true},
		{agent, d(-55), []vaeStep{{d(-40), anyone(support(favourable))}}, true},
		// The certifier stayed silent: admissible by law.
		{clerc, d(-95), nil, true},
		// Missing pieces asked; one request complete again since.
		{agent, d(-45), []vaeStep{{d(-35), anyone(missing)}}, true},
		{clerc, d(-60), []vaeStep{{d(-50), anyone(missing)}, {d(-8), anyone(complete)}}, true},
		// Refused, with the reason.
		{clerc, d(-240), []vaeStep{{d(-220), anyone(refused("L'activité décrite relève du contentieux judiciaire, non du recouvrement amiable visé par le CQP.", false))}}, true},
		{agent, d(-120), []vaeStep{{d(-100), anyone(refused("Aucun justificatif de l'activité déclarée n'a été fourni malgré la demande de pièces.", true))}}, true},
		// Admissible, the dossier being built.
		{agent, d(-150), []vaeStep{{d(-130), anyone(admissible)}}, true},
		{clerc, d(-100), []vaeStep{{d(-95), anyone(support(favourable))}, {d(-80), anyone(admissible)}}, true},
		{agent, d(-90), []vaeStep{{d(-70), anyone(admissible)}, {d(-30), build(agent)}}, true},
		// Dossier submitted, waiting for the administrator's check.
		{clerc, d(-200), []vaeStep{{d(-180), anyone(admissible)}, {d(-60), build(clerc)}, {d(-20), anyone(submit)}}, true},
		{agent, d(-170), []vaeStep{{d(-150), anyone(admissible)}, {d(-40), build(agent)}, {d(-10), anyone(submit)}}, true},
		// Handed to the Clerc jury five months ago, and to the Agent jury to come.
		{clerc, d(-300), []vaeStep{{d(-280), anyone(admissible)}, {d(-215), build(clerc)}, {d(-212), anyone(submit)}, {d(-208), anyone(lock)}, {d(-165), hand("P3")}}, false},
		{agent, d(-150), []vaeStep{{d(-125), anyone(admissible)}, {d(-70), build(agent)}, {d(-60), anyone(submit)}, {d(-50), anyone(lock)}, {d(-10), hand("U1")}}, false},
		// Recent requests, awaiting their decision.
		{clerc, d(-20), nil, true},
		{agent, d(-16), []vaeStep{{d(-9), anyone(support(favourable))}}, true},
		{clerc, d(-12), nil, true},
		{agent, d(-9), nil, true},
		{clerc, d(-5), nil, true},
		{agent, d(-2), nil, true},
	}
	if len(plans) > len(cs) {
		return fmt.Errorf("demo year: %d VAE requests planned for %d candidates", len(plans), len(cs))
	}
	for i, p := range plans {
		c, p := cs[i], p
		c.TrainingOrganisation = ""
		switch i {
		case 12:
			y.handedP3 = append(y.handedP3, c)
		case 13:
			y.handedU1 = append(y.handedU1, c)
		}
		if p.enroll {
			y.register(c, p.received.AddDays(-6), p.cert, "vae", nil)
		} else {
			y.register(c, p.received.AddDays(-6), "", "", nil)
		}
		var dossier vae.Dossier
		motivation := map[string]string{
			clerc: "Gestionnaire de recouvrement amiable depuis plusieurs années : je traite les dossiers, valide les propositions des agents et suis les plans d'apurement.",
			agent: "Agent de recouvrement : appels, visites et tournées, dans le respect du code de déontologie de la profession.",
		}[p.cert]
		y.add(at(p.received, 10, 45), func() error {
			var err error
			dossier, err = y.a.VAE.Open(y.ctx, y.admin, vae.NewRequest{CandidateID: c.id, Certification: p.cert,
				Motivation: motivation, ActivityMonths: 24 + 6*(i%8)})
			if err != nil {
				return fmt.Errorf("vae request of %s: %w", c.LastName, err)
			}
			return nil
		})
		for k, st := range p.steps {
			run := st.run
			y.add(at(st.on, 11, 20+k), func() error {
				if err := run(c, &dossier); err != nil {
					return fmt.Errorf("vae request of %s: %w", c.LastName, err)
				}
				return nil
			})
		}
	}
	return nil
}
