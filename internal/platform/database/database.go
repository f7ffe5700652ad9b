// Package database opens the one store the program uses — an embedded,
// pure-Go SQLite file or PostgreSQL — behind the same GORM handle, applies the
// ordered migrations and runs multi-step writes in one transaction.
package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options says which database to open and how.
type Options struct {
	URL    string // postgres://… or sqlite:PATH
	Logger *slog.Logger
	// Now is the clock GORM stamps created_at/updated_at with; always UTC.
	Now func() time.Time
}

// Open connects to the database the URL names. SQLite gets the settings that
// make it safe with several connections: WAL, a busy timeout, immediate write
// transactions (one writer at a time, no deadlock on upgrade) and foreign keys.
func Open(opts Options) (*gorm.DB, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	cfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return now().UTC().Truncate(time.Microsecond) },
		Logger:                 logger.Discard,
	}
	var dial gorm.Dialector
	switch {
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		dial = postgres.Open(opts.URL)
	case strings.HasPrefix(opts.URL, "sqlite:"):
		path := strings.TrimPrefix(opts.URL, "sqlite:")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database folder %s: %w", dir, err)
			}
		}
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		dial = sqlite.Open(dsn)
	default:
		return nil, fmt.Errorf("open database: unsupported URL %q", opts.URL)
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if IsSQLite(db) {
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// IsSQLite tells which database a handle talks to, for the rare query that
// must differ (locks, upserts).
func IsSQLite(db *gorm.DB) bool { return db.Dialector.Name() == "sqlite" }

// IsUnavailable tells whether err means the database cannot be reached or
// cannot serve now (connection refused or lost, server shutting down, too
// many connections, SQLite busy beyond its timeout): a request failing so
// gets 503 with Retry-After, not 500 — the request was fine, the service is
// briefly not.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-03: the server is shutting
		// down or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "database is locked")
}

// Ping answers whether the database responds, for /readyz.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Migration is one versioned schema step; IDs are "YYYYMMDDNN_feature_what"
// and never change once released.
type Migration = gormigrate.Migration

// Migrate applies, in order, the migrations not yet recorded in the
// schema_migrations table. Running it again is a no-op. On PostgreSQL an
// advisory lock keeps two instances starting together from racing.
func Migrate(ctx context.Context, db *gorm.DB, migrations []*Migration) error {
	if len(migrations) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, m := range migrations {
		if seen[m.ID] {
			return fmt.Errorf("migrate: duplicate migration id %s", m.ID)
		}
		seen[m.ID] = true
	}
	run := func(tx *gorm.DB) error {
		opts := *gormigrate.DefaultOptions
		opts.TableName = "schema_migrations"
		opts.UseTransaction = true
		if err := gormigrate.New(tx, &opts, migrations).Migrate(); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	if IsSQLite(db) {
		return run(db.WithContext(ctx))
	}
	conn := db.WithContext(ctx)
	sqlDB, err := conn.DB()
	if err != nil {
		return err
	}
	c, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer c.Close()
	const lockKey = 7_426_331_001 // arbitrary, fixed: "cqp migrations"
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck
	return run(conn)
}

// Tx runs fn in one transaction: every multi-step write goes through it, so
// that a failure leaves no half-written record.
func Tx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(fn)
}

// IsDuplicate reports a unique-constraint violation (needs TranslateError).
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// IsNotFound reports a missing row from First/Take.
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// Lock serialises writers on a named resource for the rest of the transaction:
// an advisory lock on PostgreSQL; on SQLite the immediate transaction already
// holds the one write lock.
func Lock(tx *gorm.DB, key int64) error {
	if IsSQLite(tx) {
		return nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", key).Error; err != nil {
		return fmt.Errorf("lock %d: %w", key, err)
	}
	return nil
}

// NewID returns a new identifier: a UUIDv7, whose text order is creation
// order, so that cursors over ids are stable and indexes stay compact.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }
