package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// journal opens a fresh database (SQLite, or PostgreSQL with
// CQP_TEST_DATABASE_URL) holding n audit rows.
func journal(t *testing.T, n int) *gorm.DB {
	t.Helper()
	url, _ := apptest.DatabaseURL(t)
	db, err := database.Open(database.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	if err := database.Migrate(context.Background(), db, audit.Migrations()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		err := database.Tx(context.Background(), db, func(tx *gorm.DB) error {
			return audit.Record(tx, t0.Add(time.Duration(i)*time.Minute), audit.Event{
				ActorID: "u1", Action: "thing.update", Entity: "thing", EntityID: "t1",
				Before: map[string]int{"v": i}, After: map[string]int{"v": i + 1},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestRecord_AppendsAChainedRowPerEvent(t *testing.T) {
	db := journal(t, 3)
	rows, err := audit.List(context.Background(), db, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Seq != 3 || rows[2].Seq != 1 {
		t.Fatalf("want seq 3,2,1, got %+v", rows)
	}
	if rows[2].PrevHash != "" || rows[1].PrevHash != rows[2].Hash || rows[0].PrevHash != rows[1].Hash {
		t.Fatal("rows are not chained by their hashes")
	}
	if rows[2].Before != `{"v":0}` || rows[2].After != `{"v":1}` || !rows[2].At.Equal(t0) {
		t.Fatalf("first row content: %+v", rows[2])
	}
}

func TestRecord_RolledBackTransactionLeavesNoRow(t *testing.T) {
	db := journal(t, 1)
	_ = database.Tx(context.Background(), db, func(tx *gorm.DB) error {
		if err := audit.Record(tx, t0, audit.Event{Action: "x", Entity: "thing", EntityID: "t"}); err != nil {
			t.Fatal(err)
		}
		return context.Canceled
	})
	rep, err := audit.Verify(context.Background(), db)
	if err != nil || !rep.OK() || rep.Checked != 1 {
		t.Fatalf("want one whole row, got %+v %v", rep, err)
	}
}

func TestVerify_DetectsTamperingAtTheFirstBrokenRow(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(*gorm.DB) error
		brokenAt int64
		reason   string
	}{
		{"untouched chain is whole", func(*gorm.DB) error { return nil }, 0, ""},
		{"edited content", func(db *gorm.DB) error {
			return db.Exec(`UPDATE audit_entries SET "after" = '{"v":99}' WHERE seq = 3`).Error
		}, 3, "content does not match"},
		{"edited actor", func(db *gorm.DB) error {
			return db.Exec("UPDATE audit_entries SET actor_id = 'intruder' WHERE seq = 2").Error
		}, 2, "content does not match"},
		{"edited time", func(db *gorm.DB) error {
			return db.Model(&audit.Entry{}).Where("seq = 4").Update("at", t0.Add(-time.Hour)).Error
		}, 4, "content does not match"},
		{"deleted middle row", func(db *gorm.DB) error {
			return db.Exec("DELETE FROM audit_entries WHERE seq = 3").Error
		}, 4, "row 3 is missing"},
		{"deleted first row", func(db *gorm.DB) error {
			return db.Exec("DELETE FROM audit_entries WHERE seq = 1").Error
		}, 2, "row 1 is missing"},
		{"replaced hash", func(db *gorm.DB) error {
			return db.Exec("UPDATE audit_entries SET hash = ? WHERE seq = 2", strings.Repeat("0", 64)).Error
		}, 2, "content does not match"},
		{"a successor pointing elsewhere", func(db *gorm.DB) error {
			return db.Exec("UPDATE audit_entries SET prev_hash = ? WHERE seq = 5", strings.Repeat("a", 64)).Error
		}, 5, "previous hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := journal(t, 5)
			if err := tt.tamper(db); err != nil {
				t.Fatal(err)
			}
			rep, err := audit.Verify(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if rep.BrokenAt != tt.brokenAt || !strings.Contains(rep.Reason, tt.reason) || rep.OK() != (tt.brokenAt == 0) {
				t.Fatalf("want broken at %d (%q), got %+v", tt.brokenAt, tt.reason, rep)
			}
			if tt.brokenAt == 0 && rep.Checked != 5 {
				t.Fatalf("checked %d rows, want 5", rep.Checked)
			}
		})
	}
}

func TestList_FiltersAndPagesNewestFirst(t *testing.T) {
	db := journal(t, 5)
	err := database.Tx(context.Background(), db, func(tx *gorm.DB) error {
		return audit.Record(tx, t0, audit.Event{ActorID: "u2", Action: "other.create", Entity: "other", EntityID: "o1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    audit.Query
		want []int64
	}{
		{"all", audit.Query{}, []int64{6, 5, 4, 3, 2, 1}},
		{"by entity", audit.Query{Entity: "thing", EntityID: "t1"}, []int64{5, 4, 3, 2, 1}},
		{"by actor", audit.Query{ActorID: "u2"}, []int64{6}},
		{"by action", audit.Query{Action: "thing.update", Limit: 2}, []int64{5, 4}},
		{"before a cursor", audit.Query{BeforeSeq: 3}, []int64{2, 1}},
		{"limit out of range falls back", audit.Query{Limit: 10_000}, []int64{6, 5, 4, 3, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := audit.List(context.Background(), db, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r.Seq)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v want %v", got, tt.want)
				}
			}
		})
	}
}
