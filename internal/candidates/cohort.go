package candidates

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// Cohort is a group of trainees of one training organisation over a period,
// with its trainers. A trainer sees the trainees of their cohorts, and only
// those (with the ones they recorded themselves).
type Cohort struct {
	ID                   string     `gorm:"primaryKey;size:36" json:"id"`
	Name                 string     `gorm:"size:200;not null" json:"name"`
	TrainingOrganisation string     `gorm:"size:200;not null" json:"training_organisation"`
	Certification        string     `gorm:"size:60" json:"certification,omitempty"`
	StartsOn             civil.Date `gorm:"not null" json:"starts_on"`
	EndsOn               civil.Date `gorm:"not null" json:"ends_on"`
	CreatedBy            string     `gorm:"size:36;not null" json:"created_by"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`

	TrainerIDs []string `gorm:"-" json:"trainer_ids"`
	MemberIDs  []string `gorm:"-" json:"member_ids"`
}

// CohortTrainer links a trainer's account to a cohort.
type CohortTrainer struct {
	CohortID  string `gorm:"primaryKey;size:36"`
	UserID    string `gorm:"primaryKey;size:36"`
	CreatedAt time.Time
}

// CohortMember puts a candidate in a cohort.
type CohortMember struct {
	CohortID    string `gorm:"primaryKey;size:36"`
	CandidateID string `gorm:"primaryKey;size:36"`
	CreatedAt   time.Time
}

func cohortNotFound() error { return httpx.NotFound("Promotion introuvable.", "Cohort not found.") }

// NewCohort is the creation request.
type NewCohort struct {
	Name                 string     `json:"name" validate:"required,max=200"`
	TrainingOrganisation string     `json:"training_organisation" validate:"required,max=200"`
	Certification        string     `json:"certification" validate:"omitempty,max=60"`
	StartsOn             civil.Date `json:"starts_on" validate:"required"`
	EndsOn               civil.Date `json:"ends_on" validate:"required"`
	TrainerIDs           []string   `json:"trainer_ids" validate:"max=50,dive,required,max=36"`
}

// CohortPatch changes a cohort's name, certification or period.
type CohortPatch struct {
	Name          *string     `json:"name" validate:"omitnil,min=1,max=200"`
	Certification *string     `json:"certification" validate:"omitnil,max=60"`
	StartsOn      *civil.Date `json:"starts_on"`
	EndsOn        *civil.Date `json:"ends_on"`
}

func (s *Service) checkCohort(co Cohort) error {
	var fs []httpx.FieldError
	if strings.TrimSpace(co.Name) == "" {
		fs = append(fs, httpx.Field("name", "Le nom est obligatoire.", "The name is required."))
	}
	if co.StartsOn.IsZero() || co.EndsOn.IsZero() {
		fs = append(fs, httpx.Field("starts_on", "La période est obligatoire.", "The period is required."))
	} else if co.EndsOn.Before(co.StartsOn) {
		fs = append(fs, httpx.Field("ends_on", "La fin de la période précède son début.", "The period ends before it starts."))
	}
	if co.Certification != "" && s.ref != nil {
		if _, ok := s.ref.Certification(co.Certification); !ok {
			fs = append(fs, httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
		}
	}
	if len(fs) > 0 {
		return httpx.Invalid(fs...)
	}
	return nil
}

// CreateCohort records a cohort with its trainers (administrators only).
func (s *Service) CreateCohort(ctx context.Context, actor auth.User, in NewCohort) (Cohort, error) {
	co := Cohort{ID: database.NewID(), Name: strings.TrimSpace(in.Name), TrainingOrganisation: strings.TrimSpace(in.TrainingOrganisation),
		Certification: in.Certification, StartsOn: in.StartsOn, EndsOn: in.EndsOn, CreatedBy: actor.ID}
	if err := s.checkCohort(co); err != nil {
		return co, err
	}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&co).Error; err != nil {
			return fmt.Errorf("create cohort: %w", err)
		}
		co.TrainerIDs, co.MemberIDs = []string{}, []string{}
		if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "cohort.create", Entity: "cohort", EntityID: co.ID, After: co}); err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, uid := range in.TrainerIDs {
			if seen[uid] {
				continue
			}
			seen[uid] = true
			if err := s.addTrainer(tx, actor, co.ID, uid, fmt.Sprintf("trainer_ids[%d]", i)); err != nil {
				return err
			}
			co.TrainerIDs = append(co.TrainerIDs, uid)
		}
		return nil
	})
	return co, err
}

// cohortFor loads a cohort the actor may manage: any for an administrator,
// their own for a trainer; gorm.ErrRecordNotFound otherwise.
func (s *Service) cohortFor(tx *gorm.DB, actor auth.User, id string) (Cohort, error) {
	var co Cohort
	q := tx.Where("id = ?", id)
	switch actor.Role {
	case auth.RoleAdmin:
	case auth.RoleTrainer:
		q = q.Where("id IN (?)", tx.Session(&gorm.Session{NewDB: true}).Model(&CohortTrainer{}).Select("cohort_id").Where("user_id = ?", actor.ID))
	default:
		return co, gorm.ErrRecordNotFound
	}
	if err := q.Take(&co).Error; err != nil {
		return co, err
	}
	return co, nil
}

// GetCohort returns a cohort with its trainers and members; a trainer sees
// only their own cohorts.
func (s *Service) GetCohort(ctx context.Context, actor auth.User, id string) (Cohort, error) {
	db := s.db.WithContext(ctx)
	co, err := s.cohortFor(db, actor, id)
	if database.IsNotFound(err) {
		return co, cohortNotFound()
	}
	if err != nil {
		return co, fmt.Errorf("get cohort %s: %w", id, err)
	}
	return co, s.fillCohort(db, &co)
}

func (s *Service) fillCohort(db *gorm.DB, co *Cohort) error {
	co.TrainerIDs, co.MemberIDs = []string{}, []string{}
	if err := db.Model(&CohortTrainer{}).Where("cohort_id = ?", co.ID).Order("user_id").Pluck("user_id", &co.TrainerIDs).Error; err != nil {
		return fmt.Errorf("cohort trainers: %w", err)
	}
	if err := db.Model(&CohortMember{}).Where("cohort_id = ?", co.ID).Order("candidate_id").Pluck("candidate_id", &co.MemberIDs).Error; err != nil {
		return fmt.Errorf("cohort members: %w", err)
	}
	return nil
}

// ListCohorts returns the cohorts the actor may see, in id order after the
// cursor: all of them for an administrator, their own for a trainer.
func (s *Service) ListCohorts(ctx context.Context, actor auth.User, after string, limit int) ([]Cohort, string, error) {
	db := s.db.WithContext(ctx)
	q := db.Order("id").Limit(limit + 1)
	if after != "" {
		q = q.Where("id > ?", after)
	}
	if actor.Role == auth.RoleTrainer {
		q = q.Where("id IN (?)", s.db.Model(&CohortTrainer{}).Select("cohort_id").Where("user_id = ?", actor.ID))
	}
	var cs []Cohort
	if err := q.Find(&cs).Error; err != nil {
		return nil, "", fmt.Errorf("list cohorts: %w", err)
	}
	next := ""
	if len(cs) > limit {
		cs = cs[:limit]
		next = cs[limit-1].ID
	}
	for i := range cs {
		if err := s.fillCohort(db, &cs[i]); err != nil {
			return nil, "", err
		}
	}
	return cs, next, nil
}

// UpdateCohort changes a cohort's name, certification or period (administrators).
func (s *Service) UpdateCohort(ctx context.Context, actor auth.User, id string, p CohortPatch) (Cohort, error) {
	var co Cohort
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		before, err := s.cohortFor(tx, actor, id)
		if database.IsNotFound(err) {
			return cohortNotFound()
		}
		if err != nil {
			return fmt.Errorf("update cohort %s: %w", id, err)
		}
		co = before
		if p.Name != nil {
			co.Name = strings.TrimSpace(*p.Name)
		}
		if p.Certification != nil {
			co.Certification = *p.Certification
		}
		if p.StartsOn != nil {
			co.StartsOn = *p.StartsOn
		}
		if p.EndsOn != nil {
			co.EndsOn = *p.EndsOn
		}
		if err := s.checkCohort(co); err != nil {
			return err
		}
		if err := tx.Model(&Cohort{}).Where("id = ?", id).Updates(map[string]any{"name": co.Name, "certification": co.Certification,
			"starts_on": co.StartsOn, "ends_on": co.EndsOn, "updated_at": s.now().UTC()}).Error; err != nil {
			return fmt.Errorf("update cohort %s: %w", id, err)
		}
		if err := s.fillCohort(tx, &co); err != nil {
			return err
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "cohort.update", Entity: "cohort", EntityID: id, Before: before, After: co})
	})
	return co, err
}

type membership struct {
	CohortID    string `json:"cohort_id"`
	UserID      string `json:"user_id,omitempty"`
	CandidateID string `json:"candidate_id,omitempty"`
}

func (s *Service) addTrainer(tx *gorm.DB, actor auth.User, cohortID, userID, field string) error {
	var u auth.User
	err := tx.Where("id = ? AND disabled_at IS NULL", userID).Take(&u).Error
	if database.IsNotFound(err) || (err == nil && u.Role != auth.RoleTrainer) {
		return httpx.Invalid(httpx.Field(field, "Ce compte n'est pas celui d'un formateur.", "This account is not a trainer's."))
	}
	if err != nil {
		return fmt.Errorf("cohort trainer: %w", err)
	}
	var n int64
	if err := tx.Model(&CohortTrainer{}).Where("cohort_id = ? AND user_id = ?", cohortID, userID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	if err := tx.Create(&CohortTrainer{CohortID: cohortID, UserID: userID}).Error; err != nil {
		return fmt.Errorf("cohort trainer: %w", err)
	}
	return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "cohort.trainer.add", Entity: "cohort", EntityID: cohortID,
		After: membership{CohortID: cohortID, UserID: userID}})
}

// AddTrainer gives a trainer a cohort (administrators); adding twice is harmless.
func (s *Service) AddTrainer(ctx context.Context, actor auth.User, cohortID, userID string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if _, err := s.cohortFor(tx, actor, cohortID); err != nil {
			if database.IsNotFound(err) {
				return cohortNotFound()
			}
			return err
		}
		return s.addTrainer(tx, actor, cohortID, userID, "user_id")
	})
}

// RemoveTrainer takes a cohort from a trainer (administrators).
func (s *Service) RemoveTrainer(ctx context.Context, actor auth.User, cohortID, userID string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if _, err := s.cohortFor(tx, actor, cohortID); err != nil {
			if database.IsNotFound(err) {
				return cohortNotFound()
			}
			return err
		}
		res := tx.Where("cohort_id = ? AND user_id = ?", cohortID, userID).Delete(&CohortTrainer{})
		if res.Error != nil {
			return fmt.Errorf("remove cohort trainer: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return httpx.NotFound("Ce formateur n'est pas dans la promotion.", "This trainer is not in the cohort.")
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "cohort.trainer.remove", Entity: "cohort", EntityID: cohortID,
			Before: membership{CohortID: cohortID, UserID: userID}})
	})
}

// addMember puts c in co: a cohort gathers the trainees of one training
// organisation, so a candidate recorded with another one cannot join it.
func (s *Service) addMember(tx *gorm.DB, actor auth.User, co Cohort, c Candidate) error {
	if c.TrainingOrganisation != "" && Fold(c.TrainingOrganisation) != Fold(co.TrainingOrganisation) {
		return httpx.Unprocessable("organisation_mismatch",
			"Le candidat suit sa formation dans un autre organisme que celui de la promotion.",
			"The candidate trains with another organisation than the cohort's.",
			httpx.Field("training_organisation", "Organisme de formation différent de celui de la promotion.",
				"Training organisation differs from the cohort's."))
	}
	if c.TrainingOrganisation == "" {
		if err := tx.Model(&Candidate{}).Where("id = ?", c.ID).Update("training_organisation", co.TrainingOrganisation).Error; err != nil {
			return fmt.Errorf("cohort member: %w", err)
		}
	}
	var n int64
	if err := tx.Model(&CohortMember{}).Where("cohort_id = ? AND candidate_id = ?", co.ID, c.ID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	if err := tx.Create(&CohortMember{CohortID: co.ID, CandidateID: c.ID}).Error; err != nil {
		return fmt.Errorf("cohort member: %w", err)
	}
	return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "cohort.member.add", Entity: "cohort", EntityID: co.ID,
		After: membership{CohortID: co.ID, CandidateID: c.ID}})
}

// AddMember puts a candidate in a cohort (administrators); adding twice is harmless.
func (s *Service) AddMember(ctx context.Context, actor auth.User, cohortID, candidateID string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		co, err := s.cohortFor(tx, actor, cohortID)
		if database.IsNotFound(err) {
			return cohortNotFound()
		}
		if err != nil {
			return err
		}
		var c Candidate
		err = tx.Where("id = ?", candidateID).Take(&c).Error
		if database.IsNotFound(err) {
			return notFound()
		}
		if err != nil {
			return fmt.Errorf("cohort member: %w", err)
		}
		return s.addMember(tx, actor, co, c)
	})
}

// RemoveMember takes a candidate out of a cohort (administrators).
func (s *Service) RemoveMember(ctx context.Context, actor auth.User, cohortID, candidateID string) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if _, err := s.cohortFor(tx, actor, cohortID); err != nil {
			if database.IsNotFound(err) {
				return cohortNotFound()
			}
			return err
		}
		res := tx.Where("cohort_id = ? AND candidate_id = ?", cohortID, candidateID).Delete(&CohortMember{})
		if res.Error != nil {
			return fmt.Errorf("remove cohort member: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return httpx.NotFound("Ce candidat n'est pas dans la promotion.", "This candidate is not in the cohort.")
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "cohort.member.remove", Entity: "cohort", EntityID: cohortID,
			Before: membership{CohortID: cohortID, CandidateID: candidateID}})
	})
}
