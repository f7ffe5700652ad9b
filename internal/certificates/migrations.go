package certificates

import (
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Migrations creates the documents and their number counters. The model
// types are copied here, frozen, so that later changes to Record do not
// rewrite a released step.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112340_certificates",
		Migrate: func(tx *gorm.DB) error {
			type certificate struct {
				ID               string  `gorm:"primaryKey;size:36"`
				Number           string  `gorm:"size:40;not null;uniqueIndex:idx_certificates_number"`
				Kind             string  `gorm:"size:30;not null"`
				CandidateID      string  `gorm:"size:36;not null;index:idx_certificates_candidate"`
				Certification    string  `gorm:"size:60;not null;index:idx_certificates_candidate"`
				IssuedOn         string  `gorm:"type:date;not null"`
				StateHash        string  `gorm:"size:64;not null"`
				Body             string  `gorm:"type:text;not null"`
				Credentials      string  `gorm:"type:text;not null"`
				KID              string  `gorm:"column:kid;size:40;not null"`
				SupersedesID     *string `gorm:"size:36;uniqueIndex:idx_certificates_supersedes"`
				SupersededBy     *string `gorm:"size:36"`
				RevokedAt        *time.Time
				RevokedBy        *string `gorm:"size:36"`
				RevocationReason string  `gorm:"type:text"`
				CreatedBy        string  `gorm:"size:36;not null"`
				CreatedAt        time.Time
			}
			type counter struct {
				Prefix string `gorm:"primaryKey;size:30"`
				Year   int    `gorm:"primaryKey;autoIncrement:false"`
				Last   int64  `gorm:"not null"`
			}
			if err := tx.Table("certificates").AutoMigrate(&certificate{}); err != nil {
				return err
			}
			return tx.Table("certificate_counters").AutoMigrate(&counter{})
		},
	}, {
		// A document's credentials (about 4 KB) pass PostgreSQL's TOAST
		// threshold: pglz compressing each one cost about 3 % of a batch's
		// time; lz4 is several times faster. PostgreSQL 14+ built with lz4
		// only: elsewhere the step leaves the default.
		ID: "2026112350_certificates_lz4",
		Migrate: func(tx *gorm.DB) error {
			if database.IsSQLite(tx) {
				return nil
			}
			return tx.Exec(`DO $$ BEGIN
	ALTER TABLE certificates ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN credentials SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN NULL;
END $$`).Error
		},
	}, {
		// Signing keys move into the database (they were files under
		// CQP_DATA_DIR/keys, one set per process): private halves sealed
		// with the master key.
		ID: "2026120510_signing_keys",
		Migrate: func(tx *gorm.DB) error {
			type signingKey struct {
				KID           string `gorm:"column:kid;primaryKey;size:40"`
				PublicKey     []byte `gorm:"not null"`
				PrivateSealed []byte
				CreatedAt     time.Time
				RetiredAt     *time.Time
			}
			type keyring struct {
				ID              int    `gorm:"primaryKey;autoIncrement:false"`
				CurrentKID      string `gorm:"column:current_kid;size:40;not null"`
				NumberingSealed []byte `gorm:"not null"`
				UpdatedAt       time.Time
			}
			if err := tx.Table("signing_keys").AutoMigrate(&signingKey{}); err != nil {
				return err
			}
			return tx.Table("keyring").AutoMigrate(&keyring{})
		},
	}}
}
