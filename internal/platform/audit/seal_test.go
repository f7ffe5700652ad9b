package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// sealedJournal is a journal of n rows, sealed, with a checkpoint at its
// head. (The chain is tested on both databases in audit_test.go; these
// marks are plain columns.)
func sealedJournal(t *testing.T, n int) (*gorm.DB, Keys) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(database.Options{URL: "sqlite:" + filepath.Join(t.TempDir(), "a.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(ctx, db, Migrations()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range n {
		if err := database.Tx(ctx, db, func(tx *gorm.DB) error {
			return Record(tx, at.Add(time.Duration(i)*time.Minute), Event{ActorID: "u1", Action: "thing.update",
				Entity: "thing", EntityID: "t1", After: map[string]int{"v": i}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	keys := Keys{Seal: []byte("clé de scellement dérivée de la clé maîtresse"), Public: map[string]ed25519.PublicKey{"k1": pub}}
	if got, err := Seal(ctx, db, keys.Seal); err != nil || got != n {
		t.Fatalf("sealed %d: %v", got, err)
	}
	if _, made, err := TakeCheckpoint(ctx, db, at.Add(time.Hour), "k1", priv); err != nil || !made {
		t.Fatalf("checkpoint: %v %v", made, err)
	}
	if _, made, _ := TakeCheckpoint(ctx, db, at.Add(2*time.Hour), "k1", priv); made {
		t.Fatal("a second checkpoint of an unmoved head")
	}
	return db, keys
}

// rewrite edits row seq and recomputes the hashes from it to the end, as
// someone with write access to the database can.
func rewrite(t *testing.T, db *gorm.DB, seq int64) {
	t.Helper()
	var rows []Entry
	db.Where("seq >= ?", seq-1).Order("seq").Find(&rows)
	prev := rows[0]
	for _, r := range rows[1:] {
		if r.Seq == seq {
			r.After = `{"v":999}`
		}
		r.PrevHash = prev.Hash
		r.Hash = r.computeHash()
		if err := db.Model(&Entry{}).Where("seq = ?", r.Seq).Updates(map[string]any{"after": r.After, "prev_hash": r.PrevHash, "hash": r.Hash}).Error; err != nil {
			t.Fatal(err)
		}
		prev = r
	}
}

func TestVerifyKeyed_CatchesWhatTheBareChainMisses(t *testing.T) {
	ctx := context.Background()
	t.Run("intact", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		rep, err := VerifyKeyed(ctx, db, k)
		if err != nil || !rep.OK() || rep.Checked != 6 || rep.Checkpoints != 1 || rep.Unsealed != 0 {
			t.Fatalf("%+v %v", rep, err)
		}
	})
	t.Run("a row edited and the hashes recomputed", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		rewrite(t, db, 3)
		if rep, _ := Verify(ctx, db); !rep.OK() {
			t.Fatalf("the bare chain was expected to miss it (the finding): %+v", rep)
		}
		rep, _ := VerifyKeyed(ctx, db, k)
		if rep.OK() || rep.BrokenAt != 3 || !strings.Contains(rep.Reason, "seal") {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("the seals erased as well", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		rewrite(t, db, 3)
		db.Model(&Entry{}).Where("seq >= 3").Update("seal", "")
		rep, _ := VerifyKeyed(ctx, db, k)
		if rep.OK() || !strings.Contains(rep.Reason, "checkpoint") {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("the last rows deleted", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		db.Where("seq >= 5").Delete(&Entry{})
		if rep, _ := Verify(ctx, db); !rep.OK() {
			t.Fatalf("the bare chain was expected to miss it (the finding): %+v", rep)
		}
		rep, _ := VerifyKeyed(ctx, db, k)
		if rep.OK() || !strings.Contains(rep.Reason, "rows were removed") {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("a middle row's seal erased", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		db.Model(&Entry{}).Where("seq = 2").Update("seal", "")
		if rep, _ := VerifyKeyed(ctx, db, k); rep.OK() || rep.BrokenAt != 2 {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("a forged checkpoint", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		db.Model(&Checkpoint{}).Where("seq = 6").Update("at", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		if rep, _ := VerifyKeyed(ctx, db, k); rep.OK() || !strings.Contains(rep.Reason, "signature") {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("rows waiting for their seal", func(t *testing.T) {
		db, k := sealedJournal(t, 6)
		for range 2 {
			database.Tx(ctx, db, func(tx *gorm.DB) error {
				return Record(tx, time.Now(), Event{ActorID: "u1", Action: "thing.update", Entity: "thing", EntityID: "t1"})
			})
		}
		rep, _ := VerifyKeyed(ctx, db, k)
		if !rep.OK() || rep.Unsealed != 2 || rep.Checked != 8 {
			t.Fatalf("%+v", rep)
		}
		k.Seal = []byte("une autre clé")
		if rep, _ := VerifyKeyed(ctx, db, k); rep.OK() {
			t.Fatal("verified with another master key")
		}
	})
}
