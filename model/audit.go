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

// AuditEntry is one row of the append-only, hash-chained audit trail.
type AuditEntry struct {
	Seq        int64     `json:"seq" gorm:"primaryKey;autoIncrement:false"`
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
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// TableName is the audit table.
func (AuditEntry) TableName() string { return "audit_log" }

// GenesisHash is the prev_hash of the first row.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash is SHA-256 over the previous row's hash and this row's
// content, so editing or deleting any row breaks every later link. Times
// are hashed at millisecond precision in UTC (what both databases keep).
func (e AuditEntry) ComputeHash() string {
	fields := []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID,
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
