package blobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/blobs"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gorm.io/gorm"
)

// s3Server starts an in-process server speaking the S3 protocol over TCP
// and returns its settings.
func s3Server(t *testing.T) blobs.Settings {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	return blobs.Settings{URL: "s3://documents?endpoint=" + srv.URL + "&region=us-east-1", AccessKey: "cle", SecretKey: "secret"}
}

func stores(t *testing.T) map[string]blobs.Store {
	ctx := context.Background()
	dir, err := blobs.Open(ctx, blobs.Settings{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s3, err := blobs.Open(ctx, s3Server(t))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]blobs.Store{"dir": dir, "s3": s3}
}

func key(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestStore_PutOpenSeekWalkRemove(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			body := bytes.Repeat([]byte("relevé de compte "), 1000)
			k := key(body)
			if ok, err := st.Exists(ctx, k); ok || err != nil {
				t.Fatalf("exists before put: %v %v", ok, err)
			}
			if _, err := st.Open(ctx, k); !errors.Is(err, blobs.ErrNotFound) {
				t.Fatalf("open before put: %v", err)
			}
			if err := st.Put(ctx, k, bytes.NewReader(body), int64(len(body))); err != nil {
				t.Fatal(err)
			}
			obj, err := st.Open(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			size, _ := obj.Seek(0, io.SeekEnd)
			obj.Seek(17, io.SeekStart)
			rest, _ := io.ReadAll(obj)
			obj.Close()
			if size != int64(len(body)) || !bytes.Equal(rest, body[17:]) {
				t.Fatalf("read back %d bytes (size %d)", len(rest), size)
			}
			var walked []string
			st.Walk(ctx, func(key string, n int64) error { walked = append(walked, fmt.Sprint(key, n)); return nil })
			if len(walked) != 1 || walked[0] != fmt.Sprint(k, len(body)) {
				t.Fatalf("walk: %v", walked)
			}
			if err := st.Remove(ctx, k); err != nil {
				t.Fatal(err)
			}
			if ok, _ := st.Exists(ctx, k); ok {
				t.Fatal("still there after remove")
			}
			if err := st.Remove(ctx, k); err != nil {
				t.Fatalf("removing a missing object: %v", err)
			}
			if err := st.Put(ctx, "../../etc/passwd", strings.NewReader("x"), 1); err == nil {
				t.Fatal("a key that is not a hash was accepted")
			}
		})
	}
}

func refsDB(t *testing.T) *gorm.DB {
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(context.Background(), db, blobs.Migrations()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestRefs_DeleteRacingAnIdenticalUploadKeepsTheFile is the race a
// delete-then-unlink had: one row removes the bytes while another row with
// the same bytes is being added. Whatever the interleaving, once both are
// done an object counted by a row is in the store.
func TestRefs_DeleteRacingAnIdenticalUploadKeepsTheFile(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			db := refsDB(t)
			refs := blobs.NewRefs(db, st, t.TempDir(), time.Now)
			body := []byte("%PDF-1.7 même contenu")
			add := func() error {
				sp, err := refs.Spool(bytes.NewReader(body), 1<<20)
				if err != nil {
					return err
				}
				defer sp.Close()
				return database.Tx(ctx, db, func(tx *gorm.DB) error { return refs.Acquire(ctx, tx, sp) })
			}
			remove := func() error {
				if err := database.Tx(ctx, db, func(tx *gorm.DB) error { return refs.Release(tx, key(body)) }); err != nil {
					return err
				}
				return refs.Collect(ctx, key(body))
			}
			for round := range 20 {
				if err := add(); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				errs := make(chan error, 2)
				wg.Add(2)
				go func() { defer wg.Done(); errs <- remove() }()
				go func() { defer wg.Done(); errs <- add() }()
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				rep, err := refs.Check(ctx)
				if err != nil || !rep.OK() || rep.Counted != 1 || rep.Objects != 1 {
					t.Fatalf("round %d: %+v, %v", round, rep, err)
				}
				if err := remove(); err != nil { // back to nothing
					t.Fatal(err)
				}
				if rep, _ := refs.Check(ctx); rep.Objects != 0 || rep.Counted != 0 {
					t.Fatalf("round %d: after the last removal %+v", round, rep)
				}
			}
		})
	}
}

func TestRefs_RolledBackAcquireIsCollectedAndCheckReports(t *testing.T) {
	ctx := context.Background()
	db := refsDB(t)
	dataDir := t.TempDir()
	st, _ := blobs.Open(ctx, blobs.Settings{DataDir: dataDir})
	refs := blobs.NewRefs(db, st, blobs.Temp(dataDir), time.Now)
	sp, err := refs.Spool(strings.NewReader("%PDF- abandonné"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	boom := errors.New("the document row failed")
	err = database.Tx(ctx, db, func(tx *gorm.DB) error {
		if err := refs.Acquire(ctx, tx, sp); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if rep, _ := refs.Check(ctx); len(rep.Orphaned) != 1 {
		t.Fatalf("the put of a rolled-back row: %+v", rep)
	}
	if err := refs.Collect(ctx, sp.Sum); err != nil {
		t.Fatal(err)
	}
	if rep, _ := refs.Check(ctx); !rep.OK() || rep.Objects != 0 {
		t.Fatalf("after collect: %+v", rep)
	}
	// A file lost from the store is reported missing.
	sp2, _ := refs.Spool(strings.NewReader("%PDF- perdu"), 1<<20)
	defer sp2.Close()
	database.Tx(ctx, db, func(tx *gorm.DB) error { return refs.Acquire(ctx, tx, sp2) })
	os.Remove(filepath.Join(blobs.DefaultDir(dataDir), sp2.Sum[:2], sp2.Sum))
	if rep, _ := refs.Check(ctx); len(rep.Missing) != 1 || rep.Missing[0] != sp2.Sum {
		t.Fatalf("missing not reported: %+v", rep)
	}
	// Too large is told apart and leaves no temporary file.
	if _, err := refs.Spool(strings.NewReader(strings.Repeat("x", 101)), 100); !errors.Is(err, blobs.ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	if left, _ := os.ReadDir(blobs.Temp(dataDir)); len(left) != 2 { // sp and sp2, still open
		t.Fatalf("temporary files: %d", len(left))
	}
}

// The first version kept documents in DataDir/uploads with the same layout:
// the default store takes the folder over on first start.
func TestOpen_DefaultStoreTakesOverTheFormerUploadsFolder(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	body := []byte("%PDF- ancien emplacement")
	k := key(body)
	os.MkdirAll(filepath.Join(dataDir, "uploads", k[:2]), 0o750)
	os.WriteFile(filepath.Join(dataDir, "uploads", k[:2], k), body, 0o640)
	st, err := blobs.Open(ctx, blobs.Settings{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := st.Open(ctx, k)
	if err != nil {
		t.Fatalf("the former document: %v", err)
	}
	got, _ := io.ReadAll(obj)
	obj.Close()
	if !bytes.Equal(got, body) {
		t.Fatalf("read %q", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "uploads")); !os.IsNotExist(err) {
		t.Fatalf("the former folder is still there: %v", err)
	}
	for _, bad := range []string{"file:", "s3://?endpoint=http://h", "s3://b?endpoint=ftp://h", "s3://b/sub?endpoint=http://h"} {
		if _, err := blobs.Open(ctx, blobs.Settings{URL: bad, DataDir: dataDir}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
