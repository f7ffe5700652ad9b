package blobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Refs is a store with its reference counts (table blobs: sum, size, refs).
//
// The protocol, for an object shared by several rows:
//   - adding a row: Spool the bytes (hash known), then in the row's
//     transaction Acquire: the count goes up, which locks the count row, and
//     the object is put if absent;
//   - removing a row: Release in its transaction (count down), then after
//     commit Collect, which locks the count row and removes the object only
//     if the count is still zero.
//
// Both touch the object only under the count row's lock, so an upload of the
// same bytes either waits for the removal (and puts the object again) or
// comes first (and the count is no longer zero).
type Refs struct {
	db      *gorm.DB
	store   Store
	tempDir string
	now     func() time.Time
}

// NewRefs counts references to store's objects; spooled uploads wait under
// tempDir (inside the data folder, not the system's /tmp, which may be
// small or shared).
func NewRefs(db *gorm.DB, store Store, tempDir string, now func() time.Time) *Refs {
	return &Refs{db: db, store: store, tempDir: tempDir, now: now}
}

// Store is the object store.
func (r *Refs) Store() Store { return r.store }

// Spooled is an upload received in full, its hash and size known.
type Spooled struct {
	Sum  string
	Size int64
	file *os.File
}

// Close removes the spooled file.
func (s *Spooled) Close() error {
	s.file.Close()
	return os.Remove(s.file.Name())
}

// ErrTooLarge is an upload longer than the limit.
var ErrTooLarge = errors.New("blobs: too large")

// Spool copies at most limit bytes of src to a temporary file, hashing
// them; ErrTooLarge past the limit.
func (r *Refs) Spool(src io.Reader, limit int64) (*Spooled, error) {
	if err := os.MkdirAll(r.tempDir, 0o750); err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	f, err := os.CreateTemp(r.tempDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	sp := &Spooled{file: f}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(src, limit+1))
	if err == nil && n > limit {
		err = ErrTooLarge
	}
	if err != nil {
		sp.Close()
		return nil, err
	}
	sp.Sum, sp.Size = hex.EncodeToString(h.Sum(nil)), n
	return sp, nil
}

// lock takes the count row of sum, creating it at zero when absent, and
// returns the count. On PostgreSQL the upsert locks the row until the
// transaction ends; on SQLite the write takes the database's write lock.
func lock(tx *gorm.DB, sum string, size int64, now time.Time) (int64, error) {
	var refs int64
	err := tx.Raw(`INSERT INTO blobs (sum, size, refs, updated_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (sum) DO UPDATE SET updated_at = excluded.updated_at RETURNING refs`, sum, size, now).Scan(&refs).Error
	if err != nil {
		return 0, fmt.Errorf("blobs: lock %s: %w", sum, err)
	}
	return refs, nil
}

// Acquire counts one more reference to the spooled bytes, within tx, and
// stores them if the store does not have them yet.
func (r *Refs) Acquire(ctx context.Context, tx *gorm.DB, sp *Spooled) error {
	if _, err := lock(tx, sp.Sum, sp.Size, r.now()); err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE blobs SET refs = refs + 1 WHERE sum = ?`, sp.Sum).Error; err != nil {
		return fmt.Errorf("blobs: acquire %s: %w", sp.Sum, err)
	}
	ok, err := r.store.Exists(ctx, sp.Sum)
	if err != nil || ok {
		return err
	}
	if _, err := sp.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("blobs: %w", err)
	}
	return r.store.Put(ctx, sp.Sum, sp.file, sp.Size)
}

// Release counts one reference less, within tx; Collect after commit.
func (r *Refs) Release(tx *gorm.DB, sum string) error {
	if err := tx.Exec(`UPDATE blobs SET refs = refs - 1, updated_at = ? WHERE sum = ? AND refs > 0`, r.now(), sum).Error; err != nil {
		return fmt.Errorf("blobs: release %s: %w", sum, err)
	}
	return nil
}

// Collect removes the object of sum if nothing counts it any more. It is
// called after a Release commits, and after an Acquire rolls back (the
// object may have been put for a row that was never written).
func (r *Refs) Collect(ctx context.Context, sum string) error {
	return database.Tx(ctx, r.db, func(tx *gorm.DB) error {
		refs, err := lock(tx, sum, 0, r.now())
		if err != nil || refs > 0 {
			return err
		}
		if err := r.store.Remove(ctx, sum); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM blobs WHERE sum = ? AND refs = 0`, sum).Error
	})
}

// CollectAll collects every object counted zero (a Collect that failed
// after its Release, for instance): the daily maintenance calls it.
func (r *Refs) CollectAll(ctx context.Context) (int, error) {
	var sums []string
	if err := r.db.WithContext(ctx).Raw(`SELECT sum FROM blobs WHERE refs = 0`).Scan(&sums).Error; err != nil {
		return 0, fmt.Errorf("blobs: %w", err)
	}
	for i, sum := range sums {
		if err := r.Collect(ctx, sum); err != nil {
			return i, err
		}
	}
	return len(sums), nil
}

// Report is what `cqp blobs check` finds.
type Report struct {
	Objects  int      // objects in the store
	Counted  int      // count rows with at least one reference
	Missing  []string // counted, absent from the store
	Orphaned []string // in the store, counted by nothing
	Bytes    int64    // total size of the stored objects
}

// OK tells whether store and counts agree.
func (rep Report) OK() bool { return len(rep.Missing) == 0 && len(rep.Orphaned) == 0 }

// Check compares the store with the counts.
func (r *Refs) Check(ctx context.Context) (Report, error) {
	var rows []struct {
		Sum  string
		Refs int64
	}
	if err := r.db.WithContext(ctx).Raw(`SELECT sum, refs FROM blobs`).Scan(&rows).Error; err != nil {
		return Report{}, fmt.Errorf("blobs: %w", err)
	}
	counted := map[string]bool{}
	for _, row := range rows {
		if row.Refs > 0 {
			counted[row.Sum] = true
		}
	}
	rep := Report{Counted: len(counted)}
	seen := map[string]bool{}
	err := r.store.Walk(ctx, func(key string, size int64) error {
		rep.Objects++
		rep.Bytes += size
		seen[key] = true
		if !counted[key] {
			rep.Orphaned = append(rep.Orphaned, key)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for sum := range counted {
		if !seen[sum] {
			rep.Missing = append(rep.Missing, sum)
		}
	}
	return rep, nil
}

// Migrations creates the count table. Rows pointing at objects are counted
// by their own features' migrations (the VAE documents, for one).
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026120520_blobs",
		Migrate: func(tx *gorm.DB) error {
			type blob struct {
				Sum       string `gorm:"primaryKey;size:64"`
				Size      int64  `gorm:"not null"`
				Refs      int64  `gorm:"not null;index:idx_blobs_refs"`
				UpdatedAt time.Time
			}
			return tx.Table("blobs").AutoMigrate(&blob{})
		},
	}}
}

// Temp is where uploads are spooled, under the data folder.
func Temp(dataDir string) string { return filepath.Join(dataDir, "tmp") }
