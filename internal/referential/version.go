package referential

import (
	"context"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Every change to the referential (a parameter value, a registration
// period, a new seed) adds one to a counter row in the same transaction.
// Each replica remembers the counter its memory copy reflects and compares
// it with the database's at the start of each request: one primary-key
// read, and a reload only when another replica changed something.

type referentialVersion struct {
	Name      string `gorm:"primaryKey;size:40"`
	Version   int64  `gorm:"not null"`
	ChangedAt time.Time
}

func (referentialVersion) TableName() string { return "referential_versions" }

const versionRow = "referential"

func bumpVersion(tx *gorm.DB, now time.Time) error {
	res := tx.Model(&referentialVersion{}).Where("name = ?", versionRow).
		Updates(map[string]any{"version": gorm.Expr("version + 1"), "changed_at": now.UTC()})
	if res.Error != nil {
		return fmt.Errorf("referential version: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("referential version: the counter row is missing")
	}
	return nil
}

func readVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	var v int64
	err := db.WithContext(ctx).Model(&referentialVersion{}).Where("name = ?", versionRow).
		Select("version").Scan(&v).Error
	if err != nil {
		return 0, fmt.Errorf("read referential version: %w", err)
	}
	return v, nil
}

// Sync reloads the memory copy when the database holds a newer referential
// (changed through another replica, or through this one).
func (s *Service) Sync(ctx context.Context) error {
	v, err := readVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if v == s.version.Load() {
		return nil
	}
	return s.Refresh(ctx)
}

// syncAfterWrite brings this replica's copy up to date after a committed
// change, so that the page answering the change shows it. The change is
// written whatever happens here: a failed read leaves the copy to the next
// request's Sync rather than reporting a failure for a success.
func (s *Service) syncAfterWrite(ctx context.Context) {
	_ = s.Sync(ctx)
}

// Version is the counter the memory copy reflects (for tests and metrics).
func (s *Service) Version() int64 { return s.version.Load() }

// Fresh is the middleware that syncs the referential before each request
// skip does not match (static assets, probes). When the database does not
// answer, the request goes on with the copy in memory: it will meet the
// outage itself if it needs the database, and a page that does not still
// works.
func (s *Service) Fresh(skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip == nil || !skip(c) {
				_ = s.Sync(c.Request().Context())
			}
			return next(c)
		}
	}
}

func parametersMigration() *database.Migration {
	return &database.Migration{
		ID: "2026120401_parameter_values",
		Migrate: func(tx *gorm.DB) error {
			type parameterValue struct {
				ID          int64     `gorm:"primaryKey"`
				ParamTable  string    `gorm:"size:60;not null;uniqueIndex:idx_parameter_value"`
				ValidFrom   string    `gorm:"type:date;not null;uniqueIndex:idx_parameter_value"`
				ValidTo     *string   `gorm:"type:date"`
				ParamValues string    `gorm:"type:text;not null"`
				Source      string    `gorm:"size:300"`
				CreatedBy   string    `gorm:"size:64;not null"`
				CreatedAt   time.Time `gorm:"not null"`
			}
			type version struct {
				Name      string `gorm:"primaryKey;size:40"`
				Version   int64  `gorm:"not null"`
				ChangedAt time.Time
			}
			if err := tx.Table("parameter_values").AutoMigrate(&parameterValue{}); err != nil {
				return fmt.Errorf("parameter_values: %w", err)
			}
			if err := tx.Table("referential_versions").AutoMigrate(&version{}); err != nil {
				return fmt.Errorf("referential_versions: %w", err)
			}
			return tx.Table("referential_versions").Create(&version{Name: versionRow, Version: 1, ChangedAt: time.Now().UTC()}).Error
		},
	}
}
