package jury

import (
	"context"
	"fmt"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// SignRequest is the optional body of POST /juries/{id}/minutes/sign. An
// administrator recording minutes signed on paper names the signers
// (the president by default); a member signs for themselves.
type SignRequest struct {
	SignerIDs []string `json:"signer_ids" validate:"omitempty,max=30,dive,required,max=36"`
}

// MinutesCandidate is one candidate in the minutes.
type MinutesCandidate struct {
	CandidateID  string                `json:"candidate_id"`
	Name         string                `json:"name"`
	Deliberation *Deliberation         `json:"deliberation"`
	Decisions    []candidates.Decision `json:"decisions"`
	Exclusions   []Exclusion           `json:"exclusions"`
}

// Minutes is the procès-verbal: the jury, its members, each candidate's
// decisions (corrections included, linked to what they replace) and the
// signatures.
type Minutes struct {
	Jury  Jury   `json:"jury"`
	Title string `json:"certification_title"`
	// ComponentTitles names each component of the certification by code.
	ComponentTitles map[string]string  `json:"component_titles"`
	Members         []Member           `json:"members"`
	Candidates      []MinutesCandidate `json:"candidates"`
	Signatures      []Signature        `json:"signatures"`
	Final           bool               `json:"final"`
}

// Sign records signatures of the minutes. The president signs first and
// that signature makes the decisions final; the other members may then
// countersign. An administrator records minutes signed on paper.
func (s *Service) Sign(ctx context.Context, actor auth.User, juryID string, in SignRequest) (Minutes, error) {
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := lockForWrite(tx, actor, juryID, byPanel)
		if err != nil {
			return err
		}
		var signers []string
		if actor.Role == auth.RoleAdmin {
			signers = in.SignerIDs
			if len(signers) == 0 {
				signers = []string{j.PresidentID}
			}
			for i, id := range signers {
				if _, ok := memberOf(ms, id); !ok {
					return httpx.Invalid(httpx.Field(fmt.Sprintf("signer_ids[%d]", i), "Cette personne ne siège pas dans ce jury.",
						"This person does not sit on this jury."))
				}
			}
		} else {
			signers = []string{actor.ID}
		}
		var existing []Signature
		if err := tx.Where("jury_id = ?", juryID).Find(&existing).Error; err != nil {
			return fmt.Errorf("signatures: %w", err)
		}
		signed := map[string]bool{}
		for _, sg := range existing {
			signed[sg.UserID] = true
		}
		finalising := !j.Final()
		if finalising {
			presidentSigns := false
			for _, id := range signers {
				presidentSigns = presidentSigns || id == j.PresidentID
			}
			if !presidentSigns {
				return httpx.Conflict("president_signs_first", "Le président du jury signe le procès-verbal en premier.",
					"The jury's president signs the minutes first.")
			}
			var n int64
			if err := tx.Model(&Deliberation{}).Where("jury_id = ?", juryID).Count(&n).Error; err != nil {
				return fmt.Errorf("count deliberations: %w", err)
			}
			if n == 0 {
				return httpx.Unprocessable("no_deliberation", "Aucune délibération à signer.", "There is no deliberation to sign.")
			}
			// The president's signature comes first in the minutes.
			for i, id := range signers {
				if id == j.PresidentID {
					signers[0], signers[i] = signers[i], signers[0]
				}
			}
		} else {
			fresh := false
			for _, id := range signers {
				fresh = fresh || !signed[id]
			}
			if !fresh {
				return errFinal()
			}
		}
		now := s.now().UTC()
		pos := len(existing)
		for _, id := range signers {
			if signed[id] {
				continue
			}
			signed[id] = true
			pos++
			sg := Signature{JuryID: juryID, UserID: id, Position: pos, SignedAt: now, RecordedBy: actor.ID}
			if err := tx.Create(&sg).Error; err != nil {
				return fmt.Errorf("sign: %w", err)
			}
		}
		if finalising {
			j.FinalisedAt = &now
			if err := tx.Model(&Jury{}).Where("id = ? AND finalised_at IS NULL", juryID).Update("finalised_at", now).Error; err != nil {
				return fmt.Errorf("finalise jury: %w", err)
			}
			if err := candidates.Finalise(tx, juryID); err != nil {
				return err
			}
			if err := s.sendResults(tx, j); err != nil {
				return err
			}
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.minutes.sign", Entity: "jury",
			EntityID: juryID, After: map[string]any{"signers": signers, "final": true, "finalised_at": j.FinalisedAt}})
	})
	if err != nil {
		return Minutes{}, err
	}
	return s.Minutes(ctx, actor, juryID)
}

// NewCorrection is the body of POST /juries/{id}/corrections.
type NewCorrection struct {
	CandidateID string `json:"candidate_id" validate:"required,max=36"`
	Component   string `json:"component" validate:"required,max=20"`
	Decision    string `json:"decision" validate:"required,oneof=validated not_validated"`
	Reason      string `json:"reason" validate:"required,min=3,max=2000"`
}

// Correct replaces a signed decision by a new one linked to it, with its
// reason: the ledger keeps both, the old one marked superseded.
func (s *Service) Correct(ctx context.Context, actor auth.User, juryID string, in NewCorrection) (candidates.Decision, error) {
	var out candidates.Decision
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, err := lockJury(tx, juryID)
		if err != nil {
			return err
		}
		if !j.Final() {
			return httpx.Conflict("not_final", "Le procès-verbal n'est pas signé : le jury délibère encore, il n'y a rien à corriger.",
				"The minutes are not signed: the jury still deliberates, there is nothing to correct.")
		}
		now := s.now().UTC()
		old, corrected, ok, err := candidates.Correct(tx, candidates.Correcting{JuryID: juryID, CandidateID: in.CandidateID,
			Component: in.Component, Outcome: in.Decision, Reason: in.Reason, By: actor.ID, On: s.today(), At: now})
		if err != nil {
			return err
		}
		if !ok {
			return httpx.Invalid(httpx.Field("component", "Ce jury n'a pas décidé de ce bloc pour ce candidat.",
				"This jury made no decision on this component for this candidate."))
		}
		out = corrected
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.decision.correct", Entity: "component_decision",
			EntityID: out.ID, Before: old, After: out})
	})
	return out, err
}

// Minutes gathers the procès-verbal.
func (s *Service) Minutes(ctx context.Context, actor auth.User, juryID string) (Minutes, error) {
	j, ms, err := s.readAccess(ctx, actor, juryID)
	if err != nil {
		return Minutes{}, err
	}
	db := s.db.WithContext(ctx)
	m := Minutes{Jury: j, Members: ms, Candidates: []MinutesCandidate{}, Signatures: []Signature{}, Final: j.Final(),
		ComponentTitles: map[string]string{}}
	if c, ok := s.ref.Certification(j.Certification); ok {
		m.Title = c.Title
		for _, comp := range c.Components {
			m.ComponentTitles[comp.Code] = comp.Title
		}
	}
	// The minutes name the president « présidente » when she is a woman.
	if err := withGenders(db, m.Members); err != nil {
		return m, err
	}
	var as []Assignment
	if err := db.Where("jury_id = ?", juryID).Order("created_at, id").Find(&as).Error; err != nil {
		return m, fmt.Errorf("minutes candidates: %w", err)
	}
	names, err := candidateNames(db, as)
	if err != nil {
		return m, err
	}
	var ds []Deliberation
	if err := db.Where("jury_id = ?", juryID).Find(&ds).Error; err != nil {
		return m, fmt.Errorf("minutes deliberations: %w", err)
	}
	decs, err := candidates.OfJury(db, juryID, false)
	if err != nil {
		return m, err
	}
	var exs []Exclusion
	if err := db.Where("jury_id = ?", juryID).Order("user_id, reason").Find(&exs).Error; err != nil {
		return m, fmt.Errorf("minutes exclusions: %w", err)
	}
	exs = explained(exs)
	for _, a := range as {
		mc := MinutesCandidate{CandidateID: a.CandidateID, Name: names[a.CandidateID], Decisions: []candidates.Decision{},
			Exclusions: []Exclusion{}}
		for i := range ds {
			if ds[i].CandidateID == a.CandidateID {
				mc.Deliberation = &ds[i]
			}
		}
		for _, d := range decs {
			if d.CandidateID == a.CandidateID {
				mc.Decisions = append(mc.Decisions, d)
			}
		}
		for _, e := range exs {
			if e.CandidateID == a.CandidateID {
				mc.Exclusions = append(mc.Exclusions, e)
			}
		}
		m.Candidates = append(m.Candidates, mc)
	}
	if err := db.Where("jury_id = ?", juryID).Order("position").Find(&m.Signatures).Error; err != nil {
		return m, fmt.Errorf("minutes signatures: %w", err)
	}
	return m, nil
}

// MinutesPDF renders the procès-verbal.
func (s *Service) MinutesPDF(ctx context.Context, actor auth.User, juryID string) ([]byte, Minutes, error) {
	m, err := s.Minutes(ctx, actor, juryID)
	if err != nil {
		return nil, m, err
	}
	b, err := RenderMinutes(m, s.now())
	if err != nil {
		return nil, m, fmt.Errorf("minutes pdf %s: %w", juryID, err)
	}
	return b, m, nil
}
