// Package audit keeps the append-only journal every write goes through: who
// did what to which record, when, with the record before and after. Each row
// carries the SHA-256 of the previous row's hash and its own content, so that
// editing or deleting a row behind the program's back breaks the chain.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// Entry is one journal row.
type Entry struct {
	Seq      int64     `gorm:"primaryKey;autoIncrement:false" json:"seq"`
	At       time.Time `gorm:"not null" json:"at"`
	ActorID  string    `gorm:"size:64;index" json:"actor_id"`
	Action   string    `gorm:"size:80;not null;index" json:"action"`
	Entity   string    `gorm:"size:60;not null;index:idx_audit_entity" json:"entity"`
	EntityID string    `gorm:"size:64;not null;index:idx_audit_entity" json:"entity_id"`
	Before   string    `gorm:"type:text" json:"before,omitempty"`
	After    string    `gorm:"type:text" json:"after,omitempty"`
	PrevHash string    `gorm:"size:64;not null" json:"prev_hash"`
	Hash     string    `gorm:"size:64;not null;uniqueIndex" json:"hash"`
	// Seal is the row's HMAC under the master key (seal.go), added
	// shortly after the row; empty until then.
	Seal string `gorm:"size:64" json:"-"`
}

// TableName fixes the table whatever GORM's naming.
func (Entry) TableName() string { return "audit_entries" }

// Event is what a service records.
type Event struct {
	ActorID  string // user id, or "system"
	Action   string // verb in the domain's words: "certificate.revoke"
	Entity   string // "certificate"
	EntityID string
	Before   any // nil when the record is new
	After    any // nil when the record is gone
}

// Field is one field of a record before and after a change, as text.
type Field struct{ Name, Old, New string }

// Changed names the fields that differ: what the journal says of a change
// to personal data, instead of the values (which it could never erase).
func Changed(fields ...Field) []string {
	var out []string
	for _, f := range fields {
		if f.Old != f.New {
			out = append(out, f.Name)
		}
	}
	return out
}

// lockKey serialises appends on PostgreSQL (SQLite's write lock already does).
const lockKey = 7_426_331_002

// Record appends ev to the journal. It must run inside the caller's
// transaction (database.Tx), so that the journal row and the change it
// describes are written together or not at all.
func Record(tx *gorm.DB, at time.Time, ev Event) error {
	if err := database.Lock(tx, lockKey); err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	var last Entry
	err := tx.Select("seq", "hash").Order("seq DESC").Limit(1).Take(&last).Error
	if err != nil && !database.IsNotFound(err) {
		return fmt.Errorf("audit %s: read chain head: %w", ev.Action, err)
	}
	e := Entry{
		Seq:      last.Seq + 1,
		At:       at.UTC().Truncate(time.Microsecond),
		ActorID:  ev.ActorID,
		Action:   ev.Action,
		Entity:   ev.Entity,
		EntityID: ev.EntityID,
		PrevHash: last.Hash,
	}
	if e.Before, err = marshal(ev.Before); err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	if e.After, err = marshal(ev.After); err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	e.Hash = e.computeHash()
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: append: %w", ev.Action, err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal record: %w", err)
	}
	return string(b), nil
}

// computeHash covers every field but the hash itself, each length-prefixed so
// that no two rows can be made to hash alike by moving text between fields.
func (e Entry) computeHash() string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.Action,
		e.Entity, e.EntityID, e.Before, e.After, e.PrevHash,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Report is the outcome of Verify.
type Report struct {
	Checked int64
	// Unsealed rows at the end of the journal, waiting for their seal;
	// Checkpoints verified (VerifyKeyed).
	Unsealed, Checkpoints int64
	// BrokenAt is the sequence number of the first row that does not match
	// its hash or its predecessor, 0 when the chain is whole.
	BrokenAt int64
	Reason   string
}

// OK tells whether the chain is whole.
func (r Report) OK() bool { return r.BrokenAt == 0 }

// Verify walks the whole chain in order, in batches, and reports the first
// row that was edited, inserted or removed behind the program's back.
func Verify(ctx context.Context, db *gorm.DB) (Report, error) { return verify(ctx, db, nil) }

// verify checks the chain and, with a seal key, the seals.
func verify(ctx context.Context, db *gorm.DB, sealKey []byte) (Report, error) {
	var rep Report
	prev := Entry{}
	const batch = 1000
	for {
		var rows []Entry
		if err := db.WithContext(ctx).Where("seq > ?", prev.Seq).Order("seq").Limit(batch).Find(&rows).Error; err != nil {
			return rep, fmt.Errorf("audit verify: %w", err)
		}
		for _, r := range rows {
			switch {
			case r.Seq != prev.Seq+1:
				rep.BrokenAt, rep.Reason = r.Seq, fmt.Sprintf("row %d is missing", prev.Seq+1)
			case r.PrevHash != prev.Hash:
				rep.BrokenAt, rep.Reason = r.Seq, "previous hash does not match"
			case r.computeHash() != r.Hash:
				rep.BrokenAt, rep.Reason = r.Seq, "content does not match its hash"
			case sealKey != nil && r.Seal != "" && !hmac.Equal([]byte(r.Seal), []byte(seal(sealKey, r.Seq, r.Hash))):
				rep.BrokenAt, rep.Reason = r.Seq, "seal does not match: the row was rewritten without the master key"
			case sealKey != nil && r.Seal != "" && rep.Unsealed > 0:
				rep.BrokenAt, rep.Reason = r.Seq-rep.Unsealed, "an earlier row lost its seal"
			}
			if rep.BrokenAt != 0 {
				return rep, nil
			}
			rep.Checked++
			if r.Seal == "" {
				rep.Unsealed++
			} else {
				rep.Unsealed = 0
			}
			prev = r
		}
		if len(rows) < batch {
			return rep, nil
		}
	}
}

// Query lists journal rows, newest first, for the administrators' viewer.
type Query struct {
	Entity, EntityID, ActorID, Action string
	BeforeSeq                         int64 // cursor: rows with seq < BeforeSeq
	Limit                             int
}

// List returns the rows matching q.
func List(ctx context.Context, db *gorm.DB, q Query) ([]Entry, error) {
	tx := db.WithContext(ctx).Model(&Entry{})
	if q.Entity != "" {
		tx = tx.Where("entity = ?", q.Entity)
	}
	if q.EntityID != "" {
		tx = tx.Where("entity_id = ?", q.EntityID)
	}
	if q.ActorID != "" {
		tx = tx.Where("actor_id = ?", q.ActorID)
	}
	if q.Action != "" {
		tx = tx.Where("action = ?", q.Action)
	}
	if q.BeforeSeq > 0 {
		tx = tx.Where("seq < ?", q.BeforeSeq)
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	var rows []Entry
	if err := tx.Order("seq DESC").Limit(q.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	return rows, nil
}

// Migrations creates the journal.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026112301_audit_entries",
		Migrate: func(tx *gorm.DB) error {
			type auditEntry struct {
				Seq      int64     `gorm:"primaryKey;autoIncrement:false"`
				At       time.Time `gorm:"not null"`
				ActorID  string    `gorm:"size:64;index"`
				Action   string    `gorm:"size:80;not null;index"`
				Entity   string    `gorm:"size:60;not null;index:idx_audit_entity"`
				EntityID string    `gorm:"size:64;not null;index:idx_audit_entity"`
				Before   string    `gorm:"type:text"`
				After    string    `gorm:"type:text"`
				PrevHash string    `gorm:"size:64;not null"`
				Hash     string    `gorm:"size:64;not null;uniqueIndex:idx_audit_hash"`
			}
			return tx.Table("audit_entries").AutoMigrate(&auditEntry{})
		},
	}, {
		// The keyed marks (seal.go): a seal per row, signed checkpoints.
		ID: "2026120540_audit_seal_checkpoints",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Exec(`ALTER TABLE audit_entries ADD COLUMN seal VARCHAR(64)`).Error; err != nil {
				return err
			}
			type checkpoint struct {
				Seq       int64     `gorm:"primaryKey;autoIncrement:false"`
				Hash      string    `gorm:"size:64;not null"`
				At        time.Time `gorm:"not null"`
				KID       string    `gorm:"column:kid;size:40;not null"`
				Signature string    `gorm:"size:100;not null"`
			}
			return tx.Table("audit_checkpoints").AutoMigrate(&checkpoint{})
		},
	}}
}

// Head is the journal's last sequence number (0 while it is empty). Every
// audited write moves it, so a read model computed at one head holds until
// the head moves (reporting keeps its statistics that way).
func Head(ctx context.Context, db *gorm.DB) (int64, error) {
	var seq *int64
	if err := db.WithContext(ctx).Model(&Entry{}).Select("MAX(seq)").Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	if seq == nil {
		return 0, nil
	}
	return *seq, nil
}
