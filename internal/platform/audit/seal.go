package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/ancr/cqp/internal/platform/database"
	"gorm.io/gorm"
)

// The hash chain alone has no secret: someone able to write to the
// database can edit a row and recompute every hash after it, or delete the
// last rows. Two keyed marks close that:
//
//   - a seal on every row, HMAC-SHA256 under a key derived from the master
//     key, added shortly after the row is written (Seal, every few seconds,
//     so that Record stays a plain append inside the caller's transaction).
//     Without the master key a recomputed row cannot be sealed again;
//   - checkpoints: the chain's head (sequence number and hash) at a moment,
//     signed with the certificates' Ed25519 key, kept in their own table,
//     written to the log and downloadable. A chain shorter than its last
//     checkpoint, or whose row at a checkpoint has another hash, was cut or
//     rewritten.
//
// Rows written in the seconds before the next Seal are covered by the
// checkpoints only; Verify says how many rows wait for their seal.

// SealPurpose names the key derived from the master key for the seals.
const SealPurpose = "cqp audit seal v1"

func seal(key []byte, seq int64, hash string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(seq, 10) + ":" + hash))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal adds their seal to the rows that have none, oldest first; it
// returns how many it sealed.
func Seal(ctx context.Context, db *gorm.DB, key []byte) (int, error) {
	total := 0
	for {
		var rows []Entry
		if err := db.WithContext(ctx).Select("seq", "hash").Where("seal IS NULL OR seal = ''").Order("seq").Limit(500).Find(&rows).Error; err != nil {
			return total, fmt.Errorf("audit seal: %w", err)
		}
		for _, r := range rows {
			if err := db.WithContext(ctx).Model(&Entry{}).Where("seq = ? AND hash = ?", r.Seq, r.Hash).
				Update("seal", seal(key, r.Seq, r.Hash)).Error; err != nil {
				return total, fmt.Errorf("audit seal %d: %w", r.Seq, err)
			}
		}
		total += len(rows)
		if len(rows) < 500 {
			return total, nil
		}
	}
}

// Checkpoint is the journal's head at a moment, signed.
type Checkpoint struct {
	Seq       int64     `gorm:"primaryKey;autoIncrement:false" json:"seq"`
	Hash      string    `gorm:"size:64;not null" json:"hash"`
	At        time.Time `gorm:"not null" json:"at"`
	KID       string    `gorm:"column:kid;size:40;not null" json:"kid"`
	Signature string    `gorm:"size:100;not null" json:"signature"`
}

// TableName fixes the table's name.
func (Checkpoint) TableName() string { return "audit_checkpoints" }

// signedText is what a checkpoint's signature covers.
func (c Checkpoint) signedText() []byte {
	return []byte("cqp-audit-checkpoint:" + strconv.FormatInt(c.Seq, 10) + ":" + c.Hash + ":" + c.At.UTC().Format(time.RFC3339Nano))
}

// TakeCheckpoint signs the current head with key (kid) and keeps it; no
// checkpoint is written when the head has not moved since the last one.
func TakeCheckpoint(ctx context.Context, db *gorm.DB, at time.Time, kid string, key ed25519.PrivateKey) (Checkpoint, bool, error) {
	var head Entry
	err := db.WithContext(ctx).Select("seq", "hash").Order("seq DESC").Limit(1).Take(&head).Error
	if database.IsNotFound(err) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("audit checkpoint: %w", err)
	}
	c := Checkpoint{Seq: head.Seq, Hash: head.Hash, At: at.UTC().Truncate(time.Microsecond), KID: kid}
	c.Signature = base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, c.signedText()))
	res := db.WithContext(ctx).Where("seq = ?", c.Seq).FirstOrCreate(&c)
	if res.Error != nil {
		return Checkpoint{}, false, fmt.Errorf("audit checkpoint: %w", res.Error)
	}
	return c, res.RowsAffected == 1, nil
}

// Checkpoints lists the checkpoints, newest first.
func Checkpoints(ctx context.Context, db *gorm.DB, limit int) ([]Checkpoint, error) {
	var cs []Checkpoint
	if err := db.WithContext(ctx).Order("seq DESC").Limit(limit).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	return cs, nil
}

// Keys are what a full verification needs: the seal key (from the master
// key) and the public keys that sign checkpoints.
type Keys struct {
	Seal   []byte
	Public map[string]ed25519.PublicKey
}

// VerifyKeyed is Verify plus the keyed marks: every sealed row's seal, no
// unsealed row before a sealed one, and every checkpoint's signature and
// hash, with the chain at least as long as the last checkpoint.
func VerifyKeyed(ctx context.Context, db *gorm.DB, k Keys) (Report, error) {
	rep, err := verify(ctx, db, k.Seal)
	if err != nil || !rep.OK() {
		return rep, err
	}
	var cs []Checkpoint
	if err := db.WithContext(ctx).Order("seq").Find(&cs).Error; err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	for _, c := range cs {
		pub := k.Public[c.KID]
		sig, derr := base64.RawURLEncoding.DecodeString(c.Signature)
		if pub == nil || derr != nil || !ed25519.Verify(pub, c.signedText(), sig) {
			rep.BrokenAt, rep.Reason = c.Seq, fmt.Sprintf("checkpoint %d: signature does not verify", c.Seq)
			return rep, nil
		}
		if c.Seq > rep.Checked {
			rep.BrokenAt, rep.Reason = rep.Checked+1, fmt.Sprintf("the journal ends at row %d, before its checkpoint at row %d: rows were removed", rep.Checked, c.Seq)
			return rep, nil
		}
		var h string
		if err := db.WithContext(ctx).Model(&Entry{}).Where("seq = ?", c.Seq).Pluck("hash", &h).Error; err != nil {
			return rep, fmt.Errorf("audit verify: %w", err)
		}
		if h != c.Hash {
			rep.BrokenAt, rep.Reason = c.Seq, fmt.Sprintf("row %d differs from its checkpoint of %s: the chain was rewritten", c.Seq, c.At.Format(time.RFC3339))
			return rep, nil
		}
		rep.Checkpoints++
	}
	return rep, nil
}
