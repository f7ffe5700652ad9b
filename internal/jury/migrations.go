package jury

import (
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Migrations create the jury tables. Each step declares its own snapshot
// of the tables so that later model changes never rewrite history.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112320_jury",
		Migrate: func(tx *gorm.DB) error {
			type jury struct {
				ID               string `gorm:"primaryKey;size:36"`
				Certification    string `gorm:"size:60;not null;index:idx_juries_certification"`
				SessionDate      string `gorm:"type:date;not null;index:idx_juries_session_date"`
				Location         string `gorm:"size:300"`
				PresidentUserID  string `gorm:"size:36;not null"`
				SigningStartedAt *time.Time
				FinalisedAt      *time.Time
				Version          int    `gorm:"not null;default:1"`
				CreatedBy        string `gorm:"size:36;not null"`
				CreatedAt        time.Time
				UpdatedAt        time.Time
			}
			type member struct {
				JuryID       string `gorm:"primaryKey;size:36"`
				UserID       string `gorm:"primaryKey;size:36;index:idx_jury_members_user"`
				Name         string `gorm:"size:200;not null"`
				Category     string `gorm:"size:40;not null"`
				Organisation string `gorm:"size:200;not null"`
				Position     int    `gorm:"not null"`
				CreatedAt    time.Time
			}
			type qualification struct {
				UserID        string `gorm:"primaryKey;size:36"`
				Certification string `gorm:"primaryKey;size:60"`
				GrantedBy     string `gorm:"size:36;not null"`
				CreatedAt     time.Time
			}
			type assignment struct {
				ID             string  `gorm:"primaryKey;size:36"`
				JuryID         string  `gorm:"size:36;not null;uniqueIndex:idx_jury_candidate"`
				CandidateID    string  `gorm:"size:36;not null;uniqueIndex:idx_jury_candidate;index:idx_jury_candidates_candidate"`
				ExamAttemptID  *string `gorm:"size:36"`
				OpenedAt       *time.Time
				DeliberationID *string `gorm:"size:36"`
				NotifiedOn     *string `gorm:"type:date"`
				AssignedBy     string  `gorm:"size:36;not null"`
				CreatedAt      time.Time
				UpdatedAt      time.Time
			}
			type link struct {
				ID          string  `gorm:"primaryKey;size:36"`
				UserID      string  `gorm:"size:36;not null;uniqueIndex:idx_conflict_link"`
				CandidateID string  `gorm:"size:36;not null;uniqueIndex:idx_conflict_link;index:idx_conflict_links_candidate"`
				Kind        string  `gorm:"size:20;not null;uniqueIndex:idx_conflict_link"`
				Note        string  `gorm:"type:text"`
				JuryID      *string `gorm:"size:36"`
				DeclaredBy  string  `gorm:"size:36;not null"`
				CreatedAt   time.Time
			}
			type exclusion struct {
				JuryID      string `gorm:"primaryKey;size:36"`
				CandidateID string `gorm:"primaryKey;size:36"`
				UserID      string `gorm:"primaryKey;size:36"`
				Reason      string `gorm:"primaryKey;size:20"`
				Detail      string `gorm:"type:text"`
				CreatedAt   time.Time
			}
			type evaluation struct {
				ID          string `gorm:"primaryKey;size:36"`
				JuryID      string `gorm:"size:36;not null;uniqueIndex:idx_evaluation"`
				CandidateID string `gorm:"size:36;not null;uniqueIndex:idx_evaluation"`
				Component   string `gorm:"size:20;not null;uniqueIndex:idx_evaluation"`
				MemberID    string `gorm:"size:36;not null;uniqueIndex:idx_evaluation"`
				Scores      string `gorm:"type:text;not null"`
				Comment     string `gorm:"type:text"`
				Version     int    `gorm:"not null;default:1"`
				CreatedAt   time.Time
				UpdatedAt   time.Time
			}
			type deliberation struct {
				ID               string `gorm:"primaryKey;size:36"`
				JuryID           string `gorm:"size:36;not null;uniqueIndex:idx_deliberation"`
				CandidateID      string `gorm:"size:36;not null;uniqueIndex:idx_deliberation"`
				DecidedOn        string `gorm:"type:date;not null"`
				PresentMemberIDs string `gorm:"type:text;not null"`
				Votes            string `gorm:"type:text"`
				CreatedBy        string `gorm:"size:36;not null"`
				CreatedAt        time.Time
			}
			type signature struct {
				JuryID     string    `gorm:"primaryKey;size:36"`
				UserID     string    `gorm:"primaryKey;size:36"`
				Position   int       `gorm:"not null"`
				SignedAt   time.Time `gorm:"not null"`
				RecordedBy string    `gorm:"size:36;not null"`
			}
			for _, t := range []struct {
				name  string
				model any
			}{
				{"juries", &jury{}}, {"jury_members", &member{}}, {"member_certifications", &qualification{}},
				{"jury_candidates", &assignment{}}, {"conflict_links", &link{}}, {"jury_exclusions", &exclusion{}},
				{"jury_evaluations", &evaluation{}}, {"jury_deliberations", &deliberation{}},
				{"jury_signatures", &signature{}},
			} {
				if err := tx.Table(t.name).AutoMigrate(t.model); err != nil {
					return err
				}
			}
			return nil
		},
	}, migrationDossierDate(), migrationExclusionEnd(), migrationSessionHours()}
}

// migrationSessionHours gives a session its hours (Paris time), for the
// convocations' calendar events; existing sessions sit 9:00–17:00.
func migrationSessionHours() *database.Migration {
	return &database.Migration{
		ID: "2026120530_jury_session_hours",
		Migrate: func(tx *gorm.DB) error {
			for _, q := range []string{
				"ALTER TABLE juries ADD COLUMN start_time VARCHAR(5) NOT NULL DEFAULT '09:00'",
				"ALTER TABLE juries ADD COLUMN end_time VARCHAR(5) NOT NULL DEFAULT '17:00'",
			} {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// migrationExclusionEnd records when a former employment ended, so that
// the jury's pages can say "until when" (docs/domain.md §2: 3 years back).
func migrationExclusionEnd() *database.Migration {
	return &database.Migration{
		ID: "2026120410_jury_exclusion_end",
		Migrate: func(tx *gorm.DB) error {
			type exclusion struct {
				EndedOn *string `gorm:"type:date"`
			}
			return tx.Table("jury_exclusions").AutoMigrate(&exclusion{})
		},
	}
}

// migrationDossierDate records, per assigned candidate, when their VAE
// dossier was submitted: the jury must sit within 3 months of it. Kept on
// the assignment because the VAE feature may not be there to ask.
func migrationDossierDate() *database.Migration {
	return &database.Migration{
		ID: "2026112321_jury_dossier_date",
		Migrate: func(tx *gorm.DB) error {
			type assignment struct {
				DossierSubmittedOn *string `gorm:"type:date"`
			}
			return tx.Table("jury_candidates").AutoMigrate(&assignment{})
		},
	}
}
