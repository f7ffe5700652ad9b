// Package vae holds VAE dossiers (validation des acquis de l'expérience,
// docs/domain.md §4): the candidate's request, the administrator's decision on
// admissibility (recevabilité), the dossier of experience with its supporting
// documents, and its submission, locking and hand-over to a jury. Every step
// is dated, attributed, audited and shown on the dossier's timeline.
package vae

import (
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
)

// Dossier statuses, in the order a dossier goes through them.
const (
	StatusRequested    = "requested"    // the candidate asked; admissibility not decided
	StatusAdmissible   = "admissible"   // recevable: the candidate builds the dossier
	StatusInadmissible = "inadmissible" // refused, with a reason: the end
	StatusSubmitted    = "submitted"    // sent by the candidate: no more changes
	StatusLocked       = "locked"       // checked and sealed by an administrator
	StatusWithJury     = "with_jury"    // handed to the jury that examines it
)

// Dossier is one VAE request and, once admissible, the dossier built on it.
type Dossier struct {
	ID             string `gorm:"primaryKey;size:36" json:"id"`
	CandidateID    string `gorm:"size:36;not null;index" json:"candidate_id"`
	Certification  string `gorm:"size:60;not null" json:"certification"`
	Status         string `gorm:"size:20;not null;index" json:"status"`
	Motivation     string `gorm:"type:text" json:"motivation"`
	ActivityMonths int    `gorm:"not null" json:"activity_months"`

	RequestedAt time.Time `gorm:"not null" json:"requested_at"`
	RequestedBy string    `gorm:"size:36;not null" json:"requested_by"`

	// The two-month clock of docs/domain.md §4: the request is received on
	// ReceivedOn (by post, for a paper request an administrator records);
	// it is complete on CompleteOn, which is ReceivedOn unless missing
	// pieces were asked for (then the day it was completed again, nil while
	// they are awaited); the decision is due by AdmissibilityDeadline, two
	// months later, and silence until then is an implicit acceptance.
	ReceivedOn            civil.Date             `gorm:"not null" json:"received_on"`
	CompleteOn            *civil.Date            `json:"complete_on"`
	AdmissibilityDeadline *civil.Date            `gorm:"index" json:"admissibility_deadline"`
	MissingPieces         referential.StringList `gorm:"type:text" json:"missing_pieces"`
	MissingAskedAt        *time.Time             `json:"missing_pieces_asked_at,omitempty"`

	// Admissibility: the criteria of docs/domain.md §4 as the administrator
	// checked them, the reason when refused, the recommendations and how
	// long the admissibility stays valid. CritOneYear is the former one-year
	// criterion, kept for the decisions taken before the 2024 law.
	CritOneYear           *bool       `json:"criterion_one_year_activity,omitempty"`
	CritRelated           *bool       `json:"criterion_related_to_certification,omitempty"`
	CritDocumented        *bool       `json:"criterion_documented,omitempty"`
	AdmissibilityNote     string      `gorm:"type:text" json:"admissibility_reason,omitempty"`
	Recommendations       string      `gorm:"type:text" json:"recommendations,omitempty"`
	AdmissibilityImplicit bool        `gorm:"not null;default:false" json:"admissibility_implicit"`
	AdmissibleUntil       *civil.Date `json:"admissibility_valid_until,omitempty"`
	DecidedAt             *time.Time  `json:"admissibility_decided_at,omitempty"`
	DecidedBy             string      `gorm:"size:36" json:"admissibility_decided_by,omitempty"`

	// RegistrationInForce tells whether the certification had a registry
	// entry in force on ReceivedOn: VAE is open only for certifications
	// registered in the RNCP, and a request without one is flagged to the
	// administrator, not refused (computed on read).
	RegistrationInForce bool `gorm:"-" json:"registration_in_force"`

	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	SubmittedBy string     `gorm:"size:36" json:"submitted_by,omitempty"`
	LockedAt    *time.Time `json:"locked_at,omitempty"`
	LockedBy    string     `gorm:"size:36" json:"locked_by,omitempty"`
	JuryID      *string    `gorm:"size:36;index" json:"jury_id,omitempty"`
	HandedAt    *time.Time `json:"handed_at,omitempty"`
	HandedBy    string     `gorm:"size:36" json:"handed_by,omitempty"`

	// SupportUserID is the candidate's VAE support person (accompagnateur,
	// role support), if any: they see and comment the dossier, give the
	// opinion that goes with the request, and may not sit on its jury.
	SupportUserID *string `gorm:"size:36;index" json:"support_user_id,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	Experiences []Experience `gorm:"-" json:"experiences"`
	Documents   []Document   `gorm:"-" json:"documents"`
}

// TableName keeps the table's name stable.
func (Dossier) TableName() string { return "vae_dossiers" }

// Editable tells whether the candidate may still change the dossier.
func (d Dossier) Editable() bool { return d.Status == StatusAdmissible }

// ExperiencesEditable tells whether experiences may still be described:
// they are part of the request, so from its filing until submission.
func (d Dossier) ExperiencesEditable() bool {
	return d.Status == StatusRequested || d.Status == StatusAdmissible
}

// Experience is one period of activity the candidate describes, with the
// components of the certification its activities relate to.
type Experience struct {
	ID         string                 `gorm:"primaryKey;size:36" json:"id"`
	DossierID  string                 `gorm:"size:36;not null;index" json:"dossier_id"`
	Employer   string                 `gorm:"size:200;not null" json:"employer"`
	Role       string                 `gorm:"size:200;not null" json:"role"`
	StartsOn   civil.Date             `gorm:"not null" json:"starts_on"`
	EndsOn     civil.Date             `json:"ends_on"`
	Activities string                 `gorm:"type:text;not null" json:"activities"`
	Components referential.StringList `gorm:"type:text" json:"components"`
	CreatedAt  time.Time              `json:"created_at"`
	UpdatedAt  time.Time              `json:"updated_at"`
}

// TableName keeps the table's name stable.
func (Experience) TableName() string { return "vae_experiences" }

// Document is a supporting document. Its bytes live under the data folder,
// named by their SHA-256: the client's file name is kept for display only.
type Document struct {
	ID          string    `gorm:"primaryKey;size:36" json:"id"`
	DossierID   string    `gorm:"size:36;not null;index" json:"dossier_id"`
	Title       string    `gorm:"size:200;not null" json:"title"`
	FileName    string    `gorm:"size:200;not null" json:"file_name"`
	ContentType string    `gorm:"size:40;not null" json:"content_type"`
	Size        int64     `gorm:"not null" json:"size"`
	SHA256      string    `gorm:"column:sha256;size:64;not null;index" json:"sha256"`
	UploadedBy  string    `gorm:"size:36;not null" json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName keeps the table's name stable.
func (Document) TableName() string { return "vae_documents" }

// Event is one step of a dossier's timeline.
type Event struct {
	ID        string    `gorm:"primaryKey;size:36" json:"id"`
	DossierID string    `gorm:"size:36;not null;index" json:"dossier_id"`
	At        time.Time `gorm:"not null" json:"at"`
	ActorID   string    `gorm:"size:36;not null" json:"actor_id"`
	ActorRole string    `gorm:"size:20;not null" json:"actor_role"`
	Action    string    `gorm:"size:60;not null" json:"action"`
	// Label is the step in French, for the candidate's timeline.
	Label  string `gorm:"size:300;not null" json:"label"`
	Detail string `gorm:"type:text" json:"detail,omitempty"`
}

// TableName keeps the table's name stable.
func (Event) TableName() string { return "vae_events" }

// Migrations create the VAE tables (IDs in the candidates/VAE range).
// Each step declares its own snapshot of the tables.
func Migrations() []*database.Migration {
	return append([]*database.Migration{{
		ID: "2026112315_vae",
		Migrate: func(tx *gorm.DB) error {
			type dossier struct {
				ID                string `gorm:"primaryKey;size:36"`
				CandidateID       string `gorm:"size:36;not null;index:idx_vae_dossiers_candidate"`
				Certification     string `gorm:"size:60;not null"`
				Status            string `gorm:"size:20;not null;index:idx_vae_dossiers_status"`
				Motivation        string `gorm:"type:text"`
				ActivityMonths    int    `gorm:"not null"`
				RequestedAt       time.Time
				RequestedBy       string `gorm:"size:36;not null"`
				CritOneYear       *bool
				CritRelated       *bool
				CritDocumented    *bool
				AdmissibilityNote string `gorm:"type:text"`
				DecidedAt         *time.Time
				DecidedBy         string `gorm:"size:36"`
				SubmittedAt       *time.Time
				SubmittedBy       string `gorm:"size:36"`
				LockedAt          *time.Time
				LockedBy          string  `gorm:"size:36"`
				JuryID            *string `gorm:"size:36;index:idx_vae_dossiers_jury"`
				HandedAt          *time.Time
				HandedBy          string `gorm:"size:36"`
				CreatedAt         time.Time
				UpdatedAt         time.Time
			}
			type experience struct {
				ID         string  `gorm:"primaryKey;size:36"`
				DossierID  string  `gorm:"size:36;not null;index:idx_vae_experiences_dossier"`
				Employer   string  `gorm:"size:200;not null"`
				Role       string  `gorm:"size:200;not null"`
				StartsOn   string  `gorm:"type:date;not null"`
				EndsOn     *string `gorm:"type:date"`
				Activities string  `gorm:"type:text;not null"`
				Components string  `gorm:"type:text"`
				CreatedAt  time.Time
				UpdatedAt  time.Time
			}
			type document struct {
				ID          string `gorm:"primaryKey;size:36"`
				DossierID   string `gorm:"size:36;not null;index:idx_vae_documents_dossier"`
				Title       string `gorm:"size:200;not null"`
				FileName    string `gorm:"size:200;not null"`
				ContentType string `gorm:"size:40;not null"`
				Size        int64  `gorm:"not null"`
				SHA256      string `gorm:"column:sha256;size:64;not null;index:idx_vae_documents_sha256"`
				UploadedBy  string `gorm:"size:36;not null"`
				CreatedAt   time.Time
			}
			type event struct {
				ID        string `gorm:"primaryKey;size:36"`
				DossierID string `gorm:"size:36;not null;index:idx_vae_events_dossier"`
				At        time.Time
				ActorID   string `gorm:"size:36;not null"`
				ActorRole string `gorm:"size:20;not null"`
				Action    string `gorm:"size:60;not null"`
				Label     string `gorm:"size:300;not null"`
				Detail    string `gorm:"type:text"`
			}
			for name, m := range map[string]any{"vae_dossiers": &dossier{}, "vae_experiences": &experience{},
				"vae_documents": &document{}, "vae_events": &event{}} {
				if err := tx.Table(name).AutoMigrate(m); err != nil {
					return err
				}
			}
			// One open request per candidate and certification: a refused one
			// may be asked again, never two running side by side.
			return tx.Exec(`CREATE UNIQUE INDEX idx_vae_dossiers_one_open ON vae_dossiers (candidate_id, certification)
				WHERE status <> 'inadmissible'`).Error
		},
	}, {
		ID: "2026120402_vae_support",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Exec("ALTER TABLE vae_dossiers ADD COLUMN support_user_id VARCHAR(36)").Error; err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX idx_vae_dossiers_support ON vae_dossiers (support_user_id)").Error
		},
	}, {
		// The law in force since 2024 (docs/domain.md §4): reception and
		// completeness dates, the two-month deadline and implicit acceptance,
		// missing pieces, recommendations and validity.
		ID: "2026120403_vae_law_in_force",
		Migrate: func(tx *gorm.DB) error {
			instant, day := "TIMESTAMPTZ", "CAST(requested_at AS DATE)"
			if database.IsSQLite(tx) {
				instant, day = "DATETIME", "substr(requested_at, 1, 10)"
			}
			for _, stmt := range []string{
				"ALTER TABLE vae_dossiers ADD COLUMN received_on DATE",
				"ALTER TABLE vae_dossiers ADD COLUMN complete_on DATE",
				"ALTER TABLE vae_dossiers ADD COLUMN admissibility_deadline DATE",
				"ALTER TABLE vae_dossiers ADD COLUMN missing_pieces TEXT",
				"ALTER TABLE vae_dossiers ADD COLUMN missing_asked_at " + instant,
				"ALTER TABLE vae_dossiers ADD COLUMN recommendations TEXT",
				"ALTER TABLE vae_dossiers ADD COLUMN admissibility_implicit BOOLEAN NOT NULL DEFAULT FALSE",
				"ALTER TABLE vae_dossiers ADD COLUMN admissible_until DATE",
				"CREATE INDEX idx_vae_dossiers_deadline ON vae_dossiers (admissibility_deadline)",
			} {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			// Requests filed before: received and complete the day they were
			// filed. Those filed since the law came into force (1 January
			// 2024) get their deadline: one still awaiting its decision two
			// months later is admissible by silence, as the law made it.
			// Older ones were decided under the procedure they were filed under.
			if err := tx.Exec("UPDATE vae_dossiers SET received_on = " + day + ", complete_on = " + day).Error; err != nil {
				return err
			}
			var rows []struct {
				ID         string
				ReceivedOn civil.Date
			}
			if err := tx.Table("vae_dossiers").Select("id, received_on").Where("received_on >= ?", LawInForce).Scan(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				if err := tx.Table("vae_dossiers").Where("id = ?", r.ID).Update("admissibility_deadline", Deadline(r.ReceivedOn)).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}}, append(supportMigrations(), &database.Migration{
		// Documents' bytes are counted in the blobs table (created by the
		// blobs package, listed before this feature): the rows already
		// there are counted once.
		ID: "2026120521_vae_document_blobs",
		Migrate: func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO blobs (sum, size, refs, updated_at)
				SELECT sha256, MAX(size), COUNT(*), MAX(created_at) FROM vae_documents GROUP BY sha256
				ON CONFLICT (sum) DO UPDATE SET refs = excluded.refs`).Error
		},
	})...)
}
