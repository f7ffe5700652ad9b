package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/civil"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/config"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/secrets"
	"gorm.io/gorm"
)

// BackupReport says what a backup copied.
type BackupReport struct {
	Database  string   // the database copy, "" on PostgreSQL (pg_dump's job)
	Documents int      // objects copied
	Bytes     int64    // their size
	Missing   []string // counted in the copy, absent from the store
	MasterKey bool     // the master key file was copied
}

// Backup writes to dir a copy that is itself a data folder: on SQLite an
// online, consistent copy of the database (VACUUM INTO, while the service
// runs), the documents it counts, and the embedded master key; restoring is
// pointing CQP_DATA_DIR at that folder. On PostgreSQL the database is
// pg_dump's job (docs/operations.md); the documents are copied all the same.
//
// The database is copied first and the documents it counts afterwards: a
// document added meanwhile is not in the copy's database, so not needed; one
// deleted meanwhile is reported missing.
func Backup(ctx context.Context, cfg config.Config, db *gorm.DB, store blobs.Store, dir string) (BackupReport, error) {
	var rep BackupReport
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		return rep, fmt.Errorf("backup: %s is not empty (a backup never overwrites another)", dir)
	}
	counted := db
	if database.IsSQLite(db) {
		rep.Database = filepath.Join(dir, "cqp.db")
		if err := db.WithContext(ctx).Exec("VACUUM INTO ?", rep.Database).Error; err != nil {
			return rep, fmt.Errorf("backup: copy the database: %w", err)
		}
		// The copy holds personal data: readable by its owner only.
		if err := os.Chmod(rep.Database, 0o600); err != nil {
			return rep, fmt.Errorf("backup: %w", err)
		}
		copyDB, err := database.Open(database.Options{URL: "sqlite:" + rep.Database})
		if err != nil {
			return rep, err
		}
		defer database.Close(copyDB)
		counted = copyDB
	}
	var sums []string
	if err := counted.WithContext(ctx).Raw(`SELECT sum FROM blobs WHERE refs > 0 ORDER BY sum`).Scan(&sums).Error; err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	target, err := blobs.NewDir(blobs.DefaultDir(dir))
	if err != nil {
		return rep, err
	}
	for _, sum := range sums {
		n, err := copyObject(ctx, store, target, sum)
		if errors.Is(err, blobs.ErrNotFound) {
			rep.Missing = append(rep.Missing, sum)
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("backup: document %s: %w", sum, err)
		}
		rep.Documents++
		rep.Bytes += n
	}
	if cfg.MasterKey == nil && cfg.MasterKeyFile == "" {
		raw, err := os.ReadFile(secrets.KeyFile(cfg.DataDir))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return rep, fmt.Errorf("backup: %w", err)
		}
		if err == nil {
			if err := os.WriteFile(secrets.KeyFile(dir), raw, 0o600); err != nil {
				return rep, fmt.Errorf("backup: %w", err)
			}
			rep.MasterKey = true
		}
	}
	return rep, nil
}

func copyObject(ctx context.Context, from, to blobs.Store, sum string) (int64, error) {
	obj, err := from.Open(ctx, sum)
	if err != nil {
		return 0, err
	}
	defer obj.Close()
	size, err := obj.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return size, to.Put(ctx, sum, obj, size)
}

func runBackup(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: cqp backup DIR")
	}
	db, store, closeDB, err := openWithBlobs(ctx, env)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := Backup(ctx, env.cfg, db, store, args[0])
	if err != nil {
		return err
	}
	if rep.Database != "" {
		fmt.Fprintf(env.stdout, "base de données copiée : %s\n", rep.Database)
	} else {
		fmt.Fprintf(env.stdout, "PostgreSQL : sauvegardez la base avec pg_dump --format=custom --file=%s \"$CQP_DATABASE_URL\" (docs/operations.md)\n",
			filepath.Join(args[0], "cqp.dump"))
	}
	fmt.Fprintf(env.stdout, "%s (%s) depuis %s\n", civil.Count("fr", rep.Documents, "document copié", "documents copiés"),
		civil.Count("fr", int(rep.Bytes), "octet", "octets"), store.Describe())
	if rep.MasterKey {
		fmt.Fprintln(env.stdout, "clé maîtresse copiée (master.key) : gardez cette sauvegarde à l'abri, elle ouvre les clés de signature")
	} else {
		fmt.Fprintln(env.stdout, "la clé maîtresse (CQP_MASTER_KEY) n'est pas dans la sauvegarde : conservez-la à part, sans elle les clés de signature ne s'ouvrent pas")
	}
	for _, sum := range rep.Missing {
		fmt.Fprintf(env.stdout, "MANQUANT  %s\n", sum)
	}
	if len(rep.Missing) > 0 {
		return fmt.Errorf("backup: %s missing from the store", civil.Count("en", len(rep.Missing), "document", "documents"))
	}
	return nil
}
