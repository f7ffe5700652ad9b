package jury

import (
	"context"
	"fmt"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// DecisionInput is one component decided. Either Decision is given, or
// the members' Votes, from which the majority (the president's casting
// vote on a tie) decides; when both are given they must agree.
type DecisionInput struct {
	Component string `json:"component" validate:"required,max=20"`
	Decision  string `json:"decision" validate:"omitempty,oneof=validated not_validated"`
	Reason    string `json:"reason" validate:"max=2000"`
	Votes     []Vote `json:"votes" validate:"omitempty,max=30"`
}

// NewDeliberation is the body of POST /juries/{id}/deliberations.
type NewDeliberation struct {
	CandidateID      string          `json:"candidate_id" validate:"required,max=36"`
	PresentMemberIDs []string        `json:"present_member_ids" validate:"required,min=1,max=30,dive,required,max=36"`
	DecidedOn        civil.Date      `json:"decided_on" validate:"required"`
	Decisions        []DecisionInput `json:"decisions" validate:"required,min=1,max=20,dive"`
}

// DeliberationView is a deliberation with the decisions it wrote.
type DeliberationView struct {
	Deliberation
	Decisions []candidates.Decision `json:"decisions"`
}

// Deliberate records the jury's decisions on a candidate: the members
// present and free of conflict must meet the composition rule (quorum),
// every refusal has its reason, and each decision goes to the component
// ledger (not final until the minutes are signed).
func (s *Service) Deliberate(ctx context.Context, actor auth.User, juryID string, in NewDeliberation) (DeliberationView, error) {
	var out DeliberationView
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		j, ms, err := loadForWrite(tx, actor, juryID, byPanel)
		if err != nil {
			return err
		}
		_, excluded, err := exclusionsOf(tx, juryID, in.CandidateID)
		if err != nil {
			return err
		}
		if actor.Role != auth.RoleAdmin && excluded[actor.ID] {
			return errInConflict()
		}
		if s.today().Before(j.SessionDate) {
			return errBeforeSession(j.SessionDate)
		}
		a, err := loadAssignment(tx, juryID, in.CandidateID)
		if err != nil {
			return httpx.Invalid(httpx.Field("candidate_id", "Ce candidat n'est pas affecté à ce jury.",
				"This candidate is not assigned to this jury.")).Wrap(err)
		}
		if a.DeliberationID != nil {
			return httpx.Conflict("already_deliberated",
				"Le jury a déjà délibéré sur ce candidat ; après signature, seul un administrateur peut corriger une décision.",
				"The jury has already deliberated on this candidate; once signed, only an administrator may correct a decision.")
		}
		// The ties may have changed since the assignment (a VAE support
		// person named later): the exclusions are computed again first.
		if err := s.refreshExclusions(tx, j, ms, ms, in.CandidateID); err != nil {
			return err
		}
		if _, excluded, err = exclusionsOf(tx, juryID, in.CandidateID); err != nil {
			return err
		}
		if actor.Role != auth.RoleAdmin && excluded[actor.ID] {
			return errInConflict()
		}
		today := s.today()
		if in.DecidedOn.Before(j.SessionDate) || in.DecidedOn.After(today) {
			return httpx.Invalid(httpx.Field("decided_on",
				fmt.Sprintf("La date de délibération doit être comprise entre la session (%s) et aujourd'hui (%s).", j.SessionDate, today),
				fmt.Sprintf("The deliberation date must lie between the session (%s) and today (%s).", j.SessionDate, today)))
		}
		var fields []httpx.FieldError
		for i, id := range in.PresentMemberIDs {
			if _, ok := memberOf(ms, id); !ok {
				fields = append(fields, httpx.Field(fmt.Sprintf("present_member_ids[%d]", i),
					"Cette personne ne siège pas dans ce jury.", "This person does not sit on this jury."))
			}
		}
		if len(fields) > 0 {
			return httpx.Invalid(fields...)
		}
		c, err := s.certification(j.Certification)
		if err != nil {
			return err
		}
		eligible, fs := Quorum(s.rule(c), seatsOf(ms), in.PresentMemberIDs, excluded)
		if len(fs) > 0 {
			return compositionProblem("jury_composition",
				"Quorum non atteint : parmi les membres présents et sans conflit d'intérêts", "No quorum: among the members present and free of conflict", fs)
		}
		voters := map[string]bool{}
		present := make([]string, 0, len(eligible))
		for _, e := range eligible {
			voters[e.UserID] = true
			present = append(present, e.UserID)
		}
		decisions, votes, err := s.decide(j, in.Decisions, voters)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		d := Deliberation{ID: database.NewID(), JuryID: juryID, CandidateID: in.CandidateID, DecidedOn: in.DecidedOn,
			PresentIDs: present, Votes: votes, CreatedBy: actor.ID, CreatedAt: now}
		if err := tx.Create(&d).Error; err != nil {
			if database.IsDuplicate(err) {
				return httpx.Conflict("already_deliberated", "Le jury a déjà délibéré sur ce candidat.",
					"The jury has already deliberated on this candidate.")
			}
			return fmt.Errorf("create deliberation: %w", err)
		}
		jid, did := juryID, d.ID
		rows := make([]candidates.Decision, 0, len(decisions))
		for _, di := range decisions {
			rows = append(rows, candidates.Decision{ID: database.NewID(), CandidateID: in.CandidateID,
				Certification: j.Certification, Component: di.Component, Outcome: di.Decision, DecidedOn: in.DecidedOn,
				Reason: strings.TrimSpace(di.Reason), JuryID: &jid, DeliberationID: &did, CreatedBy: actor.ID, CreatedAt: now})
		}
		if err := candidates.Record(tx, rows); err != nil {
			return err
		}
		upd := map[string]any{"deliberation_id": d.ID, "updated_at": now}
		if a.OpenedAt == nil {
			upd["opened_at"] = now
		}
		if err := tx.Model(&Assignment{}).Where("id = ?", a.ID).Updates(upd).Error; err != nil {
			return fmt.Errorf("close assignment: %w", err)
		}
		if err := s.touch(tx, &j); err != nil {
			return err
		}
		out = DeliberationView{Deliberation: d, Decisions: rows}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "jury.deliberate", Entity: "jury",
			EntityID: juryID, After: out})
	})
	return out, err
}

// decide checks each component decision and counts the votes.
func (s *Service) decide(j Jury, in []DecisionInput, voters map[string]bool) ([]DecisionInput, VoteList, error) {
	var fields []httpx.FieldError
	seen := map[string]bool{}
	var votes VoteList
	out := make([]DecisionInput, 0, len(in))
	for i, di := range in {
		at := func(f string) string { return fmt.Sprintf("decisions[%d].%s", i, f) }
		if err := s.checkComponent(j, di.Component, at("component")); err != nil {
			fields = append(fields, httpx.Field(at("component"), "Ce bloc n'appartient pas à la certification du jury.",
				"This component does not belong to the jury's certification."))
			continue
		}
		if seen[di.Component] {
			fields = append(fields, httpx.Field(at("component"), "Bloc décidé deux fois.", "Component decided twice."))
			continue
		}
		seen[di.Component] = true
		if len(di.Votes) > 0 {
			bad := false
			voted := map[string]bool{}
			for k, v := range di.Votes {
				if !voters[v.UserID] || voted[v.UserID] {
					fields = append(fields, httpx.Field(fmt.Sprintf("decisions[%d].votes[%d].user_id", i, k),
						"Seul un membre présent et sans conflit vote, une fois.", "Only a member present and free of conflict votes, once."))
					bad = true
				}
				voted[v.UserID] = true
			}
			if bad {
				continue
			}
			got, casting, err := Decide(di.Votes, j.PresidentID)
			if err != nil {
				fields = append(fields, httpx.Field(at("votes"),
					"Partage des voix sans vote du président : sa voix est prépondérante, il doit voter.",
					"Tied vote without the president's vote: the president has the casting vote and must vote."))
				continue
			}
			if di.Decision != "" && di.Decision != got {
				fields = append(fields, httpx.Field(at("decision"), "La décision ne correspond pas aux votes.",
					"The decision does not match the votes."))
				continue
			}
			di.Decision = got
			votes = append(votes, ComponentVotes{Component: di.Component, Votes: di.Votes, Casting: casting})
		}
		if di.Decision == "" {
			fields = append(fields, httpx.Field(at("decision"), "La décision (validated ou not_validated) ou les votes sont requis.",
				"The decision (validated or not_validated) or the votes are required."))
			continue
		}
		if di.Decision == candidates.NotValidated && strings.TrimSpace(di.Reason) == "" {
			fields = append(fields, httpx.Field(at("reason"), "Le motif est obligatoire pour un refus de validation.",
				"A reason is required when a component is not validated."))
			continue
		}
		out = append(out, di)
	}
	if len(fields) > 0 {
		return nil, nil, httpx.Invalid(fields...)
	}
	return out, votes, nil
}
