package training

import (
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Migrations create the attempts table. Each step declares its own snapshot
// of the table so that later model changes never rewrite history.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112330_training_attempts",
		Migrate: func(tx *gorm.DB) error {
			type attempt struct {
				ID            string    `gorm:"primaryKey;size:36"`
				CandidateID   string    `gorm:"size:36;not null;index:idx_training_attempts_candidate,priority:1"`
				OpenedBy      string    `gorm:"size:36;not null"`
				ScenarioID    string    `gorm:"size:80;not null;index:idx_training_attempts_candidate,priority:2"`
				ScenarioTitle string    `gorm:"size:300;not null"`
				Component     string    `gorm:"size:20;not null"`
				Mode          string    `gorm:"size:10;not null"`
				Status        string    `gorm:"size:20;not null;index:idx_training_attempts_status"`
				Seed          int64     `gorm:"not null"`
				StartedAt     time.Time `gorm:"not null"`
				Deadline      time.Time `gorm:"not null"`
				Answers       string    `gorm:"type:text;not null"`
				AnswersAt     *time.Time
				Version       int `gorm:"not null;default:0"`
				SubmittedAt   *time.Time
				SubmittedBy   string `gorm:"size:36"`
				Late          bool   `gorm:"not null;default:false"`
				GradedAt      *time.Time
				ReviewedBy    string  `gorm:"size:36"`
				Result        string  `gorm:"type:text"`
				Score         float64 `gorm:"not null;default:0"`
				MaxScore      float64 `gorm:"not null;default:0"`
				Percent       float64 `gorm:"not null;default:0"`
				Passed        bool    `gorm:"not null;default:false"`
				CreatedAt     time.Time
				UpdatedAt     time.Time
			}
			if err := tx.Table("training_attempts").AutoMigrate(&attempt{}); err != nil {
				return err
			}
			// One exam attempt per candidate and scenario, whatever the race:
			// a partial unique index, which SQLite and PostgreSQL both know.
			return tx.Exec("CREATE UNIQUE INDEX IF NOT EXISTS idx_training_attempts_one_exam " +
				"ON training_attempts (candidate_id, scenario_id) WHERE mode = 'exam'").Error
		},
	}}
}
