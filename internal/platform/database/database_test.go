package database_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// These tests run on a fresh SQLite file, and on a fresh PostgreSQL schema
// when CQP_TEST_DATABASE_URL is set (apptest.DatabaseURL).

type thing struct {
	ID        string `gorm:"primaryKey;size:36"`
	Name      string `gorm:"size:50;not null;uniqueIndex"`
	CreatedAt time.Time
}

func (thing) TableName() string { return "things" }

var clock = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.FixedZone("Paris", 3600))

func open(t *testing.T) *gorm.DB {
	t.Helper()
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	return db
}

func createThings() *database.Migration {
	return &database.Migration{ID: "2026010101_test_things", Migrate: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&thing{})
	}}
}

func TestOpen_RefusesAURLItDoesNotKnow(t *testing.T) {
	for _, url := range []string{"", "mysql://root@localhost/test", "file:/tmp/x.db", "sqlite3:/tmp/x.db"} {
		if _, err := database.Open(database.Options{URL: url}); err == nil || !strings.Contains(err.Error(), "unsupported URL") {
			t.Errorf("%q: %v", url, err)
		}
	}
}

func TestOpen_SQLiteFileIsSafeForSeveralConnections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "cqp.db") // folders created
	db, err := database.Open(database.Options{URL: "sqlite:" + path})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	if !database.IsSQLite(db) {
		t.Fatal("a sqlite: URL did not open SQLite")
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := db.Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if err := database.Ping(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func TestMigrate_AppliesEachStepOnceAndRecordsIt(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	ran := 0
	second := &database.Migration{ID: "2026010102_test_count", Migrate: func(tx *gorm.DB) error { ran++; return nil }}
	for range 3 {
		if err := database.Migrate(ctx, db, []*database.Migration{createThings(), second}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := db.Table("schema_migrations").Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	if ran != 1 || !slices.Equal(ids, []string{"2026010101_test_things", "2026010102_test_count"}) {
		t.Fatalf("ran %d times, recorded %v", ran, ids)
	}
	if !db.Migrator().HasTable("things") {
		t.Fatal("the first step's table is missing")
	}
}

func TestMigrate_RefusesTwoStepsWithOneID(t *testing.T) {
	db := open(t)
	err := database.Migrate(context.Background(), db, []*database.Migration{createThings(), createThings()})
	if err == nil || !strings.Contains(err.Error(), "duplicate migration id 2026010101_test_things") {
		t.Fatalf("duplicate id: %v", err)
	}
	if db.Migrator().HasTable("things") {
		t.Fatal("a refused list still ran")
	}
}

func TestMigrate_AFailingStepLeavesNothingBehind(t *testing.T) {
	db := open(t)
	bad := &database.Migration{ID: "2026010103_test_fails", Migrate: func(tx *gorm.DB) error {
		if err := tx.Exec("CREATE TABLE half_done (id INTEGER)").Error; err != nil {
			return err
		}
		return errors.New("step fails after its first statement")
	}}
	if err := database.Migrate(context.Background(), db, []*database.Migration{bad}); err == nil {
		t.Fatal("a failing step reported success")
	}
	if db.Migrator().HasTable("half_done") {
		t.Error("the failing step's table stayed")
	}
	var n int64
	db.Table("schema_migrations").Where("id = ?", bad.ID).Count(&n)
	if n != 0 {
		t.Error("the failing step is recorded as applied")
	}
}

func TestTx_AnErrorRollsBackEveryStep(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := database.Migrate(ctx, db, []*database.Migration{createThings()}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("second step refused")
	err := database.Tx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Create(&thing{ID: database.NewID(), Name: "premier"}).Error; err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the step's error is lost: %v", err)
	}
	var n int64
	db.Model(&thing{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d rows written by a rolled-back transaction", n)
	}
}

func TestErrors_DuplicateAndNotFoundAreRecognisedOnBothDatabases(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := database.Migrate(ctx, db, []*database.Migration{createThings()}); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&thing{ID: database.NewID(), Name: "unique"}).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Create(&thing{ID: database.NewID(), Name: "unique"}).Error
	if !database.IsDuplicate(err) {
		t.Fatalf("a unique violation is not recognised: %v", err)
	}
	var x thing
	if err := db.Where("name = ?", "absent").Take(&x).Error; !database.IsNotFound(err) {
		t.Fatalf("a missing row is not recognised: %v", err)
	}
	if database.IsDuplicate(errors.New("other")) || database.IsNotFound(errors.New("other")) {
		t.Fatal("any error is recognised")
	}
}

func TestOpen_StampsRowsInUTCToTheMicrosecond(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := database.Migrate(ctx, db, []*database.Migration{createThings()}); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&thing{ID: database.NewID(), Name: "horodaté"}).Error; err != nil {
		t.Fatal(err)
	}
	var x thing
	if err := db.Take(&x).Error; err != nil {
		t.Fatal(err)
	}
	want := clock.UTC().Truncate(time.Microsecond)
	if !x.CreatedAt.Equal(want) {
		t.Fatalf("created_at %v, want %v", x.CreatedAt, want)
	}
}

func TestLock_SerialisesWritersOnOneResource(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := database.Migrate(ctx, db, []*database.Migration{createThings()}); err != nil {
		t.Fatal(err)
	}
	// Each writer reads how many rows there are and writes the next name:
	// without the lock two of them would read the same count.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- database.Tx(ctx, db, func(tx *gorm.DB) error {
				if err := database.Lock(tx, 42); err != nil {
					return err
				}
				var n int64
				if err := tx.Model(&thing{}).Count(&n).Error; err != nil {
					return err
				}
				return tx.Create(&thing{ID: database.NewID(), Name: "n" + string(rune('0'+n))}).Error
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err) // a duplicate name would be two writers reading the same count
		}
	}
}

func TestNewID_SortsInCreationOrder(t *testing.T) {
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = database.NewID()
	}
	if !slices.IsSorted(ids) {
		t.Fatal("ids created one after the other do not sort in that order")
	}
	if len(ids[0]) != 36 {
		t.Fatalf("id %q is not a UUID", ids[0])
	}
}

func TestIsUnavailable_TellsAnOutageFromABadRequest(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	_, refused := database.Open(database.Options{URL: "postgres://postgres@" + closed + "/test?sslmode=disable&connect_timeout=2"})
	if refused == nil {
		t.Fatal("opened a database on a closed port")
	}
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"server shutting down", fmt.Errorf("query: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"not found", gorm.ErrRecordNotFound, false},
		{"plain", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if got := database.IsUnavailable(tt.err); got != tt.want {
			t.Errorf("%s (%v): %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
