package vae

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// The VAE support person (accompagnateur, docs/domain.md §4): named on a request by
// the candidate or an administrator, they read the dossier, comment it, and
// give the opinion that goes with the request. They change nothing in it, and
// the jury feature keeps them off the candidate's jury (vae.Ties).
//
// A support person is an account of role support, or a jury member: a
// professional of the branch who accompanies candidates and sits on juries is
// exactly who the conflict-of-interest rule is about.

// Comment is a remark left on a dossier by its support person, the candidate
// or an administrator.
type Comment struct {
	ID         string    `gorm:"primaryKey;size:36" json:"id"`
	DossierID  string    `gorm:"size:36;not null;index" json:"dossier_id"`
	AuthorID   string    `gorm:"size:36;not null" json:"author_id"`
	AuthorRole string    `gorm:"size:20;not null" json:"author_role"`
	AuthorName string    `gorm:"size:200;not null" json:"author_name"`
	Text       string    `gorm:"type:text;not null" json:"text"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName keeps the table's name stable.
func (Comment) TableName() string { return "vae_comments" }

// SupportOpinion is the support person's opinion on the request; given again,
// it replaces the former one (the timeline keeps each version's date).
type SupportOpinion struct {
	DossierID string    `gorm:"primaryKey;size:36" json:"-"`
	UserID    string    `gorm:"size:36;not null" json:"user_id"`
	Text      string    `gorm:"type:text;not null" json:"text"`
	GivenAt   time.Time `gorm:"not null" json:"given_at"`
}

// TableName keeps the table's name stable.
func (SupportOpinion) TableName() string { return "vae_support_opinions" }

// SupportPerson is who supports a candidate, as the dossier shows them.
type SupportPerson struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

// SupportView is the support side of a dossier: the person, their opinion and
// every comment, oldest first.
type SupportView struct {
	Support  *SupportPerson  `json:"support"`
	Opinion  *SupportOpinion `json:"opinion"`
	Comments []Comment       `json:"comments"`
}

// supports tells whether actor is the support person of d.
func supports(actor auth.User, d Dossier) bool {
	return actor.ID != "" && d.SupportUserID != nil && *d.SupportUserID == actor.ID &&
		actor.Is(auth.RoleSupport, auth.RoleJury)
}

func supportMigrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026120410_vae_support_comments",
		Migrate: func(tx *gorm.DB) error {
			type comment struct {
				ID         string `gorm:"primaryKey;size:36"`
				DossierID  string `gorm:"size:36;not null;index:idx_vae_comments_dossier"`
				AuthorID   string `gorm:"size:36;not null"`
				AuthorRole string `gorm:"size:20;not null"`
				AuthorName string `gorm:"size:200;not null"`
				Text       string `gorm:"type:text;not null"`
				CreatedAt  time.Time
			}
			type opinion struct {
				DossierID string    `gorm:"primaryKey;size:36"`
				UserID    string    `gorm:"size:36;not null"`
				Text      string    `gorm:"type:text;not null"`
				GivenAt   time.Time `gorm:"not null"`
			}
			if err := tx.Table("vae_comments").AutoMigrate(&comment{}); err != nil {
				return err
			}
			return tx.Table("vae_support_opinions").AutoMigrate(&opinion{})
		},
	}}
}

// SupportChoice names (or, empty, removes) the support person of a request.
type SupportChoice struct {
	UserID string `json:"user_id" validate:"max=36"`
}

// SetSupport names the support person of a dossier (the candidate or an
// administrator), or removes them with an empty user id. Once the dossier is
// submitted it no longer changes: the jury's conflicts are computed on it.
func (s *Service) SetSupport(ctx context.Context, actor auth.User, id string, in SupportChoice) (Dossier, error) {
	in.UserID = strings.TrimSpace(in.UserID)
	var d Dossier
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if d, err = s.load(ctx, tx, actor, id); err != nil {
			return err
		}
		if !canEdit(actor, d) {
			return httpx.Forbidden("Seul le candidat ou un administrateur désigne l'accompagnateur.",
				"Only the candidate or an administrator names the support person.")
		}
		if d.Status != StatusRequested && d.Status != StatusAdmissible {
			return frozen(d)
		}
		var person auth.User
		if in.UserID != "" {
			err := tx.Where("id = ? AND role IN ? AND disabled_at IS NULL", in.UserID, []string{auth.RoleSupport, auth.RoleJury}).
				Take(&person).Error
			if database.IsNotFound(err) {
				return httpx.Invalid(httpx.Field("user_id", "Aucun accompagnateur VAE actif ne porte cet identifiant.",
					"No active VAE support person has this id."))
			}
			if err != nil {
				return fmt.Errorf("vae support %s: %w", id, err)
			}
		}
		before := d
		var set any
		if in.UserID != "" {
			set = in.UserID
		}
		now := s.stamp()
		if err := tx.Model(&Dossier{}).Where("id = ?", id).Updates(map[string]any{"support_user_id": set, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("vae support %s: %w", id, err)
		}
		if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
			return fmt.Errorf("vae support %s: %w", id, err)
		}
		label, action := "Accompagnateur VAE retiré.", "vae.support.remove"
		if in.UserID != "" {
			label, action = "Accompagnateur VAE désigné : "+person.Name+".", "vae.support.set"
		}
		return s.record(tx, actor, d, action, label, "", "vae_dossier", id, before, d)
	})
	if err != nil {
		return Dossier{}, err
	}
	return d, s.fill(s.db.WithContext(ctx), &d)
}

// Support returns the support side of a dossier the actor may see.
func (s *Service) Support(ctx context.Context, actor auth.User, id string) (SupportView, error) {
	db := s.db.WithContext(ctx)
	d, err := s.load(ctx, db, actor, id)
	if err != nil {
		return SupportView{}, err
	}
	return s.supportOf(db, d)
}

func (s *Service) supportOf(db *gorm.DB, d Dossier) (SupportView, error) {
	id := d.ID
	v := SupportView{Comments: []Comment{}}
	if d.SupportUserID != nil {
		var u auth.User
		if err := db.Where("id = ?", *d.SupportUserID).Take(&u).Error; err != nil {
			return v, fmt.Errorf("vae support %s: person: %w", id, err)
		}
		v.Support = &SupportPerson{ID: u.ID, Name: u.Name, Email: u.Email, Organisation: u.Organisation}
	}
	var op SupportOpinion
	err := db.Where("dossier_id = ?", id).Take(&op).Error
	switch {
	case err == nil:
		v.Opinion = &op
	case !database.IsNotFound(err):
		return v, fmt.Errorf("vae support %s: opinion: %w", id, err)
	}
	if err := db.Where("dossier_id = ?", id).Order("created_at, id").Find(&v.Comments).Error; err != nil {
		return v, fmt.Errorf("vae support %s: comments: %w", id, err)
	}
	return v, nil
}

// NewComment is a remark on a dossier.
type NewComment struct {
	Text string `json:"text" validate:"required,max=5000"`
}

// AddComment leaves a remark on a dossier: its support person, the candidate
// or an administrator may; jury members read the dossier but do not comment.
func (s *Service) AddComment(ctx context.Context, actor auth.User, id string, in NewComment) (Comment, error) {
	text := strings.TrimSpace(in.Text)
	if text == "" {
		return Comment{}, httpx.Invalid(httpx.Field("text", "Le commentaire est vide.", "The comment is empty."))
	}
	var c Comment
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !supports(actor, d) && !canEdit(actor, d) {
			return httpx.Forbidden("Seuls l'accompagnateur, le candidat et l'administration commentent ce dossier.",
				"Only the support person, the candidate and administrators comment this dossier.")
		}
		c = Comment{ID: database.NewID(), DossierID: id, AuthorID: actor.ID, AuthorRole: actor.Role,
			AuthorName: actor.Name, Text: text, CreatedAt: s.stamp()}
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("vae comment %s: %w", id, err)
		}
		return s.record(tx, actor, d, "vae.comment", "Commentaire de "+actor.Name+".", "", "vae_comment", c.ID, nil, c)
	})
	return c, err
}

// NewOpinion is the support person's opinion on the request.
type NewOpinion struct {
	Text string `json:"text" validate:"required,max=10000"`
}

// GiveOpinion records the support person's opinion, which goes with the
// request: only they give it, and only until the dossier is submitted.
func (s *Service) GiveOpinion(ctx context.Context, actor auth.User, id string, in NewOpinion) (SupportOpinion, error) {
	text := strings.TrimSpace(in.Text)
	if text == "" {
		return SupportOpinion{}, httpx.Invalid(httpx.Field("text", "L'avis est vide.", "The opinion is empty."))
	}
	var op SupportOpinion
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		d, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !supports(actor, d) {
			return httpx.Forbidden("Seul l'accompagnateur du candidat donne son avis.", "Only the candidate's support person gives an opinion.")
		}
		if d.Status != StatusRequested && d.Status != StatusAdmissible {
			return frozen(d)
		}
		var before *SupportOpinion
		var old SupportOpinion
		if err := tx.Where("dossier_id = ?", id).Take(&old).Error; err == nil {
			before = &old
		} else if !database.IsNotFound(err) {
			return fmt.Errorf("vae opinion %s: %w", id, err)
		}
		op = SupportOpinion{DossierID: id, UserID: actor.ID, Text: text, GivenAt: s.stamp()}
		if err := tx.Save(&op).Error; err != nil {
			return fmt.Errorf("vae opinion %s: %w", id, err)
		}
		label := "Avis de l'accompagnateur VAE donné."
		if before != nil {
			label = "Avis de l'accompagnateur VAE mis à jour."
		}
		return s.record(tx, actor, d, "vae.support.opinion", label, "", "vae_dossier", id, before, op)
	})
	return op, err
}

// Supports tells whether userID is the support person of one of the
// candidate's requests: the candidates feature then shows them the record.
func (s *Service) Supports(ctx context.Context, userID, candidateID string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&Dossier{}).Where("candidate_id = ? AND support_user_id = ?", candidateID, userID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("vae support of %s: %w", candidateID, err)
	}
	return n > 0, nil
}
