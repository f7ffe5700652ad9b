package candidates

import (
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Migrations create the candidates tables. Each step declares its own
// snapshot of the tables so that later model changes never rewrite history.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112304_candidates",
		Migrate: func(tx *gorm.DB) error {
			type candidate struct {
				ID                   string  `gorm:"primaryKey;size:36"`
				FirstName            string  `gorm:"size:100;not null"`
				LastName             string  `gorm:"size:100;not null"`
				BirthDate            *string `gorm:"type:date"`
				Email                string  `gorm:"size:254"`
				Employer             string  `gorm:"size:200"`
				TrainingOrganisation string  `gorm:"size:200"`
				Search               string  `gorm:"size:800;not null;index:idx_candidates_search"`
				PseudonymisedAt      *time.Time
				CreatedAt            time.Time
				UpdatedAt            time.Time
			}
			type componentDecision struct {
				ID             string  `gorm:"primaryKey;size:36"`
				CandidateID    string  `gorm:"size:36;not null;index:idx_decisions_candidate"`
				Certification  string  `gorm:"size:60;not null"`
				Component      string  `gorm:"size:20;not null;index:idx_decisions_candidate"`
				Decision       string  `gorm:"size:20;not null"`
				DecidedOn      string  `gorm:"type:date;not null"`
				Reason         string  `gorm:"type:text"`
				JuryID         *string `gorm:"size:36;index:idx_decisions_jury"`
				DeliberationID *string `gorm:"size:36;index:idx_decisions_deliberation"`
				SupersedesID   *string `gorm:"size:36;index:idx_decisions_supersedes"`
				SupersededBy   *string `gorm:"size:36"`
				Final          bool    `gorm:"not null;default:false"`
				CreatedBy      string  `gorm:"size:36;not null"`
				CreatedAt      time.Time
			}
			if err := tx.Table("candidates").AutoMigrate(&candidate{}); err != nil {
				return err
			}
			return tx.Table("component_decisions").AutoMigrate(&componentDecision{})
		},
	}, {
		ID:      "2026112310_candidates_created_by",
		Migrate: migrateCreatedBy,
	}, {
		ID:      "2026112311_candidates_cohorts",
		Migrate: migrateCohorts,
	}, {
		ID:      "2026112312_candidates_enrollments",
		Migrate: migrateEnrollments,
	}, {
		ID:      "2026112313_candidates_search_trigram",
		Migrate: migrateSearchTrigram,
	}, {
		// ?q= looks whole email addresses up by equality (see List).
		ID: "2026112314_candidates_email_index",
		Migrate: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX idx_candidates_email ON candidates (email)").Error
		},
	}, {
		// The import finds a candidate already recorded by names and birth
		// date (docs/domain.md: one person, one record).
		ID: "2026120503_candidates_birth_date_index",
		Migrate: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX idx_candidates_birth_date ON candidates (birth_date)").Error
		},
	}, {
		// The holder's identity the SI CPF flow needs (internal/accrochage):
		// columns with defaults, which the previous release ignores.
		ID:      "2026120510_candidates_identity",
		Migrate: migrateIdentity,
	}}
}

func migrateIdentity(tx *gorm.DB) error {
	for _, col := range []string{"sex VARCHAR(1)", "birth_name VARCHAR(100)", "usage_name VARCHAR(100)",
		"birth_place VARCHAR(100)", "birth_place_insee VARCHAR(5)", "birth_postal_code VARCHAR(5)", "birth_country VARCHAR(2)"} {
		if err := tx.Exec("ALTER TABLE candidates ADD COLUMN " + col + " NOT NULL DEFAULT ''").Error; err != nil {
			return fmt.Errorf("candidates identity (%s): %w", col, err)
		}
	}
	return nil
}

func migrateCreatedBy(tx *gorm.DB) error {
	if err := tx.Exec("ALTER TABLE candidates ADD COLUMN created_by VARCHAR(36) NOT NULL DEFAULT ''").Error; err != nil {
		return fmt.Errorf("candidates.created_by: %w", err)
	}
	return tx.Exec("CREATE INDEX idx_candidates_created_by ON candidates (created_by)").Error
}

func migrateCohorts(tx *gorm.DB) error {
	type cohort struct {
		ID                   string `gorm:"primaryKey;size:36"`
		Name                 string `gorm:"size:200;not null"`
		TrainingOrganisation string `gorm:"size:200;not null;index:idx_cohorts_organisation"`
		Certification        string `gorm:"size:60"`
		StartsOn             string `gorm:"type:date;not null"`
		EndsOn               string `gorm:"type:date;not null"`
		CreatedBy            string `gorm:"size:36;not null"`
		CreatedAt            time.Time
		UpdatedAt            time.Time
	}
	type cohortTrainer struct {
		CohortID  string `gorm:"primaryKey;size:36"`
		UserID    string `gorm:"primaryKey;size:36;index:idx_cohort_trainers_user"`
		CreatedAt time.Time
	}
	type cohortMember struct {
		CohortID    string `gorm:"primaryKey;size:36"`
		CandidateID string `gorm:"primaryKey;size:36;index:idx_cohort_members_candidate"`
		CreatedAt   time.Time
	}
	for name, m := range map[string]any{"cohorts": &cohort{}, "cohort_trainers": &cohortTrainer{}, "cohort_members": &cohortMember{}} {
		if err := tx.Table(name).AutoMigrate(m); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func migrateEnrollments(tx *gorm.DB) error {
	type enrollment struct {
		ID            string  `gorm:"primaryKey;size:36"`
		CandidateID   string  `gorm:"size:36;not null;index:idx_enrollments_candidate"`
		Certification string  `gorm:"size:60;not null"`
		Pathway       string  `gorm:"size:40;not null"`
		Status        string  `gorm:"size:20;not null"`
		EnrolledOn    string  `gorm:"type:date;not null"`
		EndedOn       *string `gorm:"type:date"`
		CreatedBy     string  `gorm:"size:36;not null"`
		CreatedAt     time.Time
		UpdatedAt     time.Time
	}
	if err := tx.Table("enrollments").AutoMigrate(&enrollment{}); err != nil {
		return fmt.Errorf("enrollments: %w", err)
	}
	// One active enrollment per certification, even under concurrent requests:
	// a partial unique index (both databases have them).
	return tx.Exec("CREATE UNIQUE INDEX idx_enrollments_one_active ON enrollments (candidate_id, certification) WHERE status = 'active'").Error
}

// migrateSearchTrigram makes ?q= fast on PostgreSQL: a substring LIKE on the
// folded search text can use a pg_trgm GIN index, where a B-tree cannot. The
// extension lives in one schema per database, shared by every schema that
// uses it; when it cannot be created (no privilege) search still works, by
// scanning. SQLite needs nothing: its datasets are small.
func migrateSearchTrigram(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	schema, err := trigramSchema(tx)
	if err != nil {
		return err
	}
	if schema == "" {
		if err := tx.SavePoint("pg_trgm").Error; err != nil {
			return err
		}
		// In "public" when it exists, so that a schema dropped later (tests
		// use one schema each) does not take the extension with it.
		create := "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"
		var hasPublic bool
		if err := tx.Raw("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public')").Scan(&hasPublic).Error; err != nil {
			return err
		}
		if !hasPublic {
			create = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
		}
		if err := tx.Exec(create).Error; err != nil {
			// Refused, or created at the same moment by another process.
			if err := tx.RollbackTo("pg_trgm").Error; err != nil {
				return err
			}
		}
		if schema, err = trigramSchema(tx); err != nil || schema == "" {
			return err
		}
	}
	// The B-tree on search helps no substring query; the GIN index replaces it.
	if err := tx.Exec("DROP INDEX IF EXISTS idx_candidates_search").Error; err != nil {
		return err
	}
	return tx.Exec(fmt.Sprintf("CREATE INDEX idx_candidates_search_trgm ON candidates USING gin (search %s.gin_trgm_ops)",
		quoteIdent(schema))).Error
}

func trigramSchema(tx *gorm.DB) (string, error) {
	var schema string
	err := tx.Raw("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").Scan(&schema).Error
	if err != nil {
		return "", fmt.Errorf("find pg_trgm: %w", err)
	}
	return schema, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
