package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

type auditHead struct {
	ID       int
	LastSeq  int64
	LastHash string
}

func (auditHead) TableName() string { return "audit_head" }

// AppendAudit appends e to the chain inside the caller's transaction (it
// opens one when there is none). The chain head row is locked for the rest
// of the transaction, so appends are serialised and the chain has no forks;
// e gets its sequence number, previous hash and hash here.
func (db *DB) AppendAudit(ctx context.Context, e *model.AuditEntry) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		var head auditHead
		q := c.Where("id = 1")
		if db.dialect == "mysql" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&head).Error; err != nil {
			return translate("audit head", err)
		}
		e.Seq = head.LastSeq + 1
		e.PrevHash = head.LastHash
		e.At = e.At.UTC().Truncate(time.Millisecond)
		e.Hash = e.ComputeHash()
		if err := c.Create(e).Error; err != nil {
			return translate("append audit", err)
		}
		res := c.Model(&auditHead{}).Where("id = 1 AND last_seq = ?", head.LastSeq).
			Updates(map[string]any{"last_seq": e.Seq, "last_hash": e.Hash})
		if res.Error != nil {
			return translate("advance audit head", res.Error)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("advance audit head: %w", model.Conflict("audit_race", "the audit chain moved; retry"))
		}
		return nil
	})
}

// AuditFilter narrows an audit listing.
type AuditFilter struct {
	RegionPrefix string
	ActorID      string
	Action       string
	TargetType   string
	TargetID     string
}

// AuditEntries lists audit rows in a region subtree, newest first, paged by
// seq (the cursor holds the seq as text).
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter, req model.PageRequest) ([]model.AuditEntry, error) {
	q := db.conn(ctx).Model(&model.AuditEntry{})
	if f.RegionPrefix != "" {
		q = q.Where("region_code LIKE ?", f.RegionPrefix+"%")
	}
	for col, v := range map[string]string{"actor_id": f.ActorID, "action": f.Action, "target_type": f.TargetType, "target_id": f.TargetID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if req.After != "" {
		q = q.Where("seq < ?", req.After)
	}
	var out []model.AuditEntry
	err := q.Order("seq DESC").Limit(req.Limit + 1).Find(&out).Error
	return out, translate("list audit", err)
}

// WalkAudit calls fn for every audit row in chain order, in batches.
func (db *DB) WalkAudit(ctx context.Context, fn func(model.AuditEntry) error) error {
	var last int64
	for {
		var batch []model.AuditEntry
		if err := db.conn(ctx).Where("seq > ?", last).Order("seq").Limit(1000).Find(&batch).Error; err != nil {
			return translate("read audit", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
			last = e.Seq
		}
	}
}

// AuditHead returns the last sequence number and hash of the chain.
func (db *DB) AuditHead(ctx context.Context) (int64, string, error) {
	var head auditHead
	err := db.conn(ctx).Where("id = 1").Take(&head).Error
	return head.LastSeq, head.LastHash, translate("audit head", err)
}
