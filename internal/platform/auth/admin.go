package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// MarshalJSON adds the account's state to its fields: active (its person
// chose a password) and disabled.
func (u User) MarshalJSON() ([]byte, error) {
	type plain User
	return json.Marshal(struct {
		plain
		Active   bool `json:"active"`
		Disabled bool `json:"disabled"`
	}{plain(u), u.ActivatedAt != nil, u.DisabledAt != nil})
}

// UserQuery filters the accounts for administrators.
type UserQuery struct {
	Q     string // part of the name or of the email, any case
	Role  string
	After string // id of the previous page's last account
	Limit int
}

// Search lists accounts in creation order (ids grow with time), with the id
// of the page's last account when more follow.
func (s *Service) Search(ctx context.Context, q UserQuery) ([]User, string, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	tx := s.db.WithContext(ctx).Order("id").Limit(q.Limit + 1)
	if q.Role != "" {
		tx = tx.Where("role = ?", q.Role)
	}
	if t := strings.ToLower(strings.TrimSpace(q.Q)); t != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(t) + "%"
		tx = tx.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`, like, like)
	}
	if q.After != "" {
		tx = tx.Where("id > ?", q.After)
	}
	var us []User
	if err := tx.Find(&us).Error; err != nil {
		return nil, "", fmt.Errorf("search users: %w", err)
	}
	next := ""
	if len(us) > q.Limit {
		us = us[:q.Limit]
		next = us[len(us)-1].ID
	}
	return us, next, nil
}

// UserChange is PATCH /users/{id}: the fields given change, the others stay.
type UserChange struct {
	Disabled     *bool   `json:"disabled"`
	Role         *string `json:"role" validate:"omitempty,oneof=admin trainer jury support candidate"`
	Name         *string `json:"name" validate:"omitempty,min=2,max=200,personname"`
	Organisation *string `json:"organisation" validate:"omitempty,max=200"`
	Gender       *string `json:"gender" validate:"omitempty,oneof=female male unspecified"`
	Locale       *string `json:"locale" validate:"omitempty,oneof=fr en"`
	// CandidateID links (or, with "", unlinks) the candidate record of a
	// candidate account.
	CandidateID *string `json:"candidate_id" validate:"omitempty,max=36"`
}

// UpdateUser applies an administrator's change to an account, audited with
// the account before and after. An administrator may neither disable nor
// demote themself (the platform would lose its last hand). Disabling revokes
// every session at once.
func (s *Service) UpdateUser(ctx context.Context, actor User, id string, ch UserChange) (User, error) {
	var after User
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var before User
		if err := tx.Where("id = ?", id).Take(&before).Error; err != nil {
			if database.IsNotFound(err) {
				return httpx.NotFound("Utilisateur introuvable.", "User not found.")
			}
			return fmt.Errorf("update user: %w", err)
		}
		after = before
		if id == actor.ID && ((ch.Disabled != nil && *ch.Disabled) || (ch.Role != nil && *ch.Role != RoleAdmin)) {
			return httpx.Unprocessable("self_lockout", "Vous ne pouvez ni désactiver votre propre compte ni lui retirer le rôle d'administrateur.",
				"You may neither disable your own account nor take the administrator role from it.")
		}
		upd := map[string]any{"updated_at": s.now().UTC()}
		if ch.Name != nil {
			after.Name, upd["name"] = strings.TrimSpace(*ch.Name), strings.TrimSpace(*ch.Name)
		}
		if ch.Organisation != nil {
			after.Organisation, upd["organisation"] = strings.TrimSpace(*ch.Organisation), strings.TrimSpace(*ch.Organisation)
		}
		if ch.Gender != nil {
			after.Gender, upd["gender"] = *ch.Gender, *ch.Gender
		}
		if ch.Locale != nil {
			after.Locale, upd["locale"] = *ch.Locale, *ch.Locale
		}
		if ch.Role != nil {
			after.Role, upd["role"] = *ch.Role, *ch.Role
		}
		if ch.CandidateID != nil {
			if *ch.CandidateID == "" {
				after.CandidateID = nil
			} else {
				cid := *ch.CandidateID
				after.CandidateID = &cid
			}
			upd["candidate_id"] = after.CandidateID
		}
		if err := s.checkCandidateLink(tx, after); err != nil {
			return err
		}
		disabling := ch.Disabled != nil && *ch.Disabled && before.DisabledAt == nil
		if ch.Disabled != nil {
			if *ch.Disabled {
				if before.DisabledAt == nil {
					now := s.now().UTC()
					after.DisabledAt, upd["disabled_at"] = &now, now
				}
			} else {
				after.DisabledAt, upd["disabled_at"] = nil, nil
			}
		}
		if err := tx.Model(&User{}).Where("id = ?", id).Updates(upd).Error; err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if disabling || (ch.Role != nil && *ch.Role != before.Role) {
			// A disabled account, or one whose rights changed, signs in again.
			if err := s.revokeSessions(tx, id, ""); err != nil {
				return err
			}
		}
		jb, ja := before.journal(), after.journal()
		ja.Changed = audit.Changed(audit.Field{Name: "name", Old: before.Name, New: after.Name},
			audit.Field{Name: "email", Old: before.Email, New: after.Email})
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "user.update", Entity: "user", EntityID: id,
			Before: jb, After: ja})
	})
	return after, err
}

// checkCandidateLink holds the contract's rule: candidate_id for, and only
// for, a candidate account, naming a candidate with no other account.
func (s *Service) checkCandidateLink(tx *gorm.DB, u User) error {
	switch {
	case u.Role == RoleCandidate && u.CandidateID == nil:
		return httpx.Invalid(httpx.Field("candidate_id",
			"candidate_id est obligatoire pour un compte candidat.", "candidate_id is required for a candidate account."))
	case u.Role != RoleCandidate && u.CandidateID != nil:
		return httpx.Invalid(httpx.Field("candidate_id",
			"candidate_id n'est admis que pour un compte candidat.", "candidate_id is only allowed for a candidate account."))
	case u.CandidateID == nil:
		return nil
	}
	if s.linker == nil {
		return fmt.Errorf("user: no candidate linker installed")
	}
	ok, err := s.linker(tx, *u.CandidateID)
	if err != nil {
		return fmt.Errorf("user: check candidate: %w", err)
	}
	if !ok {
		return httpx.Invalid(httpx.Field("candidate_id", "Aucun candidat ne porte cet identifiant.", "No candidate has this id."))
	}
	var n int64
	if err := tx.Model(&User{}).Where("candidate_id = ? AND id <> ?", *u.CandidateID, u.ID).Count(&n).Error; err != nil {
		return fmt.Errorf("user: %w", err)
	}
	if n > 0 {
		return httpx.Conflict("conflict", "Ce candidat a déjà un compte.", "This candidate already has an account.")
	}
	return nil
}
