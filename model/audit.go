package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeDenied  = "denied"
	OutcomeFailure = "failure"
)

// AuditEntry is one row of the append-only audit trail. Rows are appended
// with no shared lock (seq comes from the database) and sealed later, in
// batches, into a keyed chain (AuditBatch); Batch is 0 until then.
type AuditEntry struct {
	Seq        int64     `json:"seq" gorm:"primaryKey;autoIncrement"`
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorRole  string    `json:"actor_role"`
	RegionCode string    `json:"region_code"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Outcome    string    `json:"outcome"`
	RequestID  string    `json:"request_id"`
	ClientIP   string    `json:"client_ip"`
	Detail     string    `json:"detail"`
	// PrevHash is kept for rows of the per-row chain before sealing
	// existed; new rows leave it empty.
	PrevHash string `json:"prev_hash"`
	// Hash is the row's Digest when it was appended: it names a changed row,
	// but only the batch MAC proves anything.
	Hash  string `json:"hash"`
	Batch int64  `json:"-"`
}

// TableName is the audit table.
func (AuditEntry) TableName() string { return "audit_log" }

// Digest is SHA-256 over the row's content (not its seq, which the
// database assigns on insert, nor its batch). Times are hashed at
// millisecond precision in UTC (what both databases keep).
func (e AuditEntry) Digest() string {
	fields := []string{
		e.ID,
		e.At.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"),
		e.ActorID, e.ActorRole, e.RegionCode, e.Action, e.TargetType, e.TargetID,
		e.Outcome, e.RequestID, e.ClientIP, e.Detail,
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('|')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// AuditBatch is one sealed batch of audit rows: MAC is a keyed hash (the
// key derives from JIUZHU_SECRET_KEY, which the database does not hold)
// over PrevMAC, the batch number and each row's seq and Digest in seq
// order, so changing, deleting or moving a sealed row, or re-chaining the
// batches without the key, shows.
type AuditBatch struct {
	Batch    int64     `gorm:"primaryKey;autoIncrement:false"`
	FirstSeq int64     `gorm:"column:first_seq"`
	LastSeq  int64     `gorm:"column:last_seq"`
	RowCount int       `gorm:"column:row_count"`
	PrevMAC  string    `gorm:"column:prev_mac"`
	MAC      string    `gorm:"column:mac"`
	SealedAt time.Time `gorm:"column:sealed_at"`
}

// TableName is the batch table.
func (AuditBatch) TableName() string { return "audit_batches" }

// GenesisMAC is the PrevMAC of the first batch.
const GenesisMAC = "0000000000000000000000000000000000000000000000000000000000000000"
