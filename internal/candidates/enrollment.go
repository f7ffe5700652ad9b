package candidates

import (
	"context"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// Enrollment is a candidate's registration for a certification by one
// pathway (formation continue, contrat de professionnalisation, VAE). At most
// one is active per certification.
type Enrollment struct {
	ID            string     `gorm:"primaryKey;size:36" json:"id"`
	CandidateID   string     `gorm:"size:36;not null" json:"candidate_id"`
	Certification string     `gorm:"size:60;not null" json:"certification"`
	Pathway       string     `gorm:"size:40;not null" json:"pathway"`
	Status        string     `gorm:"size:20;not null" json:"status"`
	EnrolledOn    civil.Date `gorm:"not null" json:"enrolled_on"`
	EndedOn       civil.Date `json:"ended_on"`
	CreatedBy     string     `gorm:"size:36;not null" json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Enrollment statuses.
const (
	EnrollmentActive    = "active"
	EnrollmentWithdrawn = "withdrawn"
	EnrollmentCompleted = "completed"
)

// NewEnrollment is POST /candidates/{id}/enrollments.
type NewEnrollment struct {
	Certification string `json:"certification" validate:"required,max=60"`
	Pathway       string `json:"pathway" validate:"required,max=40"`
}

// EnrollmentPatch ends an active enrollment.
type EnrollmentPatch struct {
	Status string `json:"status" validate:"required,oneof=withdrawn completed"`
}

func (s *Service) visible(ctx context.Context, actor auth.User, candidateID string) error {
	ok, err := s.CanSee(ctx, actor, candidateID)
	if err != nil {
		return err
	}
	if ok {
		var n int64
		if err := s.db.WithContext(ctx).Model(&Candidate{}).Where("id = ?", candidateID).Count(&n).Error; err != nil {
			return fmt.Errorf("candidate %s: %w", candidateID, err)
		}
		ok = n > 0
	}
	if !ok {
		return notFound()
	}
	return nil
}

// Enroll registers a candidate for a certification by a pathway. A pathway
// the certification does not offer (formation initiale, apprentissage,
// candidature individuelle) is refused with pathway_closed; a second active
// enrollment for the same certification is a conflict.
func (s *Service) Enroll(ctx context.Context, actor auth.User, candidateID string, in NewEnrollment) (Enrollment, error) {
	if err := s.visible(ctx, actor, candidateID); err != nil {
		return Enrollment{}, err
	}
	if s.ref == nil {
		return Enrollment{}, fmt.Errorf("enroll: no referential")
	}
	cert, ok := s.ref.Certification(in.Certification)
	if !ok {
		return Enrollment{}, httpx.Invalid(httpx.Field("certification", "Certification inconnue.", "Unknown certification."))
	}
	switch {
	case cert.ClosedPathways.Has(in.Pathway):
		return Enrollment{}, httpx.Unprocessable("pathway_closed",
			fmt.Sprintf("La voie d'accès « %s » est fermée pour le %s.", in.Pathway, cert.Title),
			fmt.Sprintf("The pathway %q is closed for %s.", in.Pathway, cert.Title),
			httpx.Field("pathway", "Voie d'accès fermée pour cette certification.", "Pathway closed for this certification."))
	case !cert.Pathways.Has(in.Pathway):
		return Enrollment{}, httpx.Invalid(httpx.Field("pathway", "Voie d'accès inconnue.", "Unknown pathway."))
	}
	e := Enrollment{ID: database.NewID(), CandidateID: candidateID, Certification: cert.Code, Pathway: in.Pathway,
		Status: EnrollmentActive, EnrolledOn: s.today(), CreatedBy: actor.ID}
	already := httpx.Conflict("conflict",
		"Le candidat est déjà inscrit à cette certification (inscription en cours).",
		"The candidate already has an active enrollment for this certification.")
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Enrollment{}).Where("candidate_id = ? AND certification = ? AND status = ?", candidateID, cert.Code, EnrollmentActive).
			Count(&n).Error; err != nil {
			return fmt.Errorf("enroll: %w", err)
		}
		if n > 0 {
			return already
		}
		if err := tx.Create(&e).Error; err != nil {
			if database.IsDuplicate(err) {
				return already
			}
			return fmt.Errorf("enroll: %w", err)
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "enrollment.create", Entity: "enrollment", EntityID: e.ID, After: e})
	})
	return e, err
}

// Enrollments lists a candidate's enrollments, oldest first.
func (s *Service) Enrollments(ctx context.Context, actor auth.User, candidateID string) ([]Enrollment, error) {
	if err := s.visible(ctx, actor, candidateID); err != nil {
		return nil, err
	}
	return s.enrollments(s.db.WithContext(ctx), candidateID)
}

func (s *Service) enrollments(db *gorm.DB, candidateID string) ([]Enrollment, error) {
	es := []Enrollment{}
	if err := db.Where("candidate_id = ?", candidateID).Order("id").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("enrollments of %s: %w", candidateID, err)
	}
	return es, nil
}

// EndEnrollment withdraws or completes an active enrollment, which frees the
// certification for a new one.
func (s *Service) EndEnrollment(ctx context.Context, actor auth.User, candidateID, id string, p EnrollmentPatch) (Enrollment, error) {
	if err := s.visible(ctx, actor, candidateID); err != nil {
		return Enrollment{}, err
	}
	var e Enrollment
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		err := tx.Where("id = ? AND candidate_id = ?", id, candidateID).Take(&e).Error
		if database.IsNotFound(err) {
			return httpx.NotFound("Inscription introuvable.", "Enrollment not found.")
		}
		if err != nil {
			return fmt.Errorf("end enrollment %s: %w", id, err)
		}
		if e.Status != EnrollmentActive {
			return httpx.Conflict("conflict", "Cette inscription est déjà close.", "This enrollment has already ended.")
		}
		before := e
		e.Status, e.EndedOn, e.UpdatedAt = p.Status, s.today(), s.now().UTC().Truncate(time.Microsecond)
		if err := tx.Model(&Enrollment{}).Where("id = ?", id).Updates(map[string]any{"status": e.Status, "ended_on": e.EndedOn,
			"updated_at": e.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("end enrollment %s: %w", id, err)
		}
		return audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "enrollment." + p.Status, Entity: "enrollment", EntityID: id, Before: before, After: e})
	})
	return e, err
}
