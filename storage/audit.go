package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// AppendAudit inserts e: one INSERT that locks no shared row, so audited
// writes do not queue on each other. The database assigns e.Seq; e.Hash is
// its Digest. A sealer (SealAuditBatch) later puts the row into a batch.
// Inside a transaction the row lands or not with it.
func (db *DB) AppendAudit(ctx context.Context, e *model.AuditEntry) error {
	e.Seq = 0
	e.Batch = 0
	e.At = e.At.UTC().Truncate(time.Millisecond)
	e.Hash = e.Digest()
	if err := db.conn(ctx).Create(e).Error; err != nil {
		return translate("append audit", err)
	}
	return nil
}

// AuditMAC computes a batch's MAC from the previous batch's MAC, the batch
// number and its rows (in seq order).
type AuditMAC func(prevMAC string, batch int64, rows []model.AuditEntry) string

// SealAuditBatch seals up to limit unsealed rows, in seq order, into the
// next batch, chained to the last one. Only rows committed when it runs are
// seen; a row that commits later lands in a later batch. It returns false
// when there was nothing to seal. Two sealers at once cannot both seal a
// row or fork the chain: they take turns on the audit_sealer row (which no
// request touches), the batch number is a primary key, and a row already
// sealed fails the count check (model.KindConflict, rolled back).
func (db *DB) SealAuditBatch(ctx context.Context, limit int, mac AuditMAC, now time.Time) (model.AuditBatch, bool, error) {
	var out model.AuditBatch
	sealed := false
	// A read first: with nothing to seal the sealer takes no write lock
	// (on SQLite the write lock is the whole database's).
	var pending []int64
	if err := db.conn(ctx).Model(&model.AuditEntry{}).Where("batch = 0").Limit(1).Pluck("seq", &pending).Error; err != nil {
		return out, false, translate("unsealed audit", err)
	}
	if len(pending) == 0 {
		return out, false, nil
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		// Sealers take turns on this row (SQLite: the write lock).
		if err := c.Exec("UPDATE audit_sealer SET sealed_at = ? WHERE id = 1", now.UTC()).Error; err != nil {
			return translate("audit sealer lock", err)
		}
		var heads []model.AuditBatch
		if err := c.Order("batch DESC").Limit(1).Find(&heads).Error; err != nil {
			return translate("audit head", err)
		}
		prev := model.AuditBatch{MAC: model.GenesisMAC}
		if len(heads) == 1 {
			prev = heads[0]
		}
		var rows []model.AuditEntry
		if err := c.Where("batch = 0").Order("seq").Limit(limit).Find(&rows).Error; err != nil {
			return translate("unsealed audit", err)
		}
		if len(rows) == 0 {
			return nil
		}
		seqs := make([]int64, len(rows))
		for i, r := range rows {
			seqs[i] = r.Seq
		}
		b := model.AuditBatch{
			Batch: prev.Batch + 1, FirstSeq: seqs[0], LastSeq: seqs[len(seqs)-1], RowCount: len(rows),
			PrevMAC: prev.MAC, SealedAt: now.UTC().Truncate(time.Millisecond),
		}
		b.MAC = mac(b.PrevMAC, b.Batch, rows)
		res := c.Model(&model.AuditEntry{}).Where("batch = 0 AND seq IN ?", seqs).Update("batch", b.Batch)
		if res.Error != nil {
			return translate("seal audit rows", res.Error)
		}
		if res.RowsAffected != int64(len(rows)) {
			return fmt.Errorf("seal audit rows: %w", model.Conflict("audit_sealed", "another sealer sealed these rows"))
		}
		if err := c.Create(&b).Error; err != nil {
			return translate("seal audit batch", err)
		}
		out, sealed = b, true
		return nil
	})
	return out, sealed, err
}

// AuditBatches returns up to limit batches after the given batch number,
// in order.
func (db *DB) AuditBatches(ctx context.Context, after int64, limit int) ([]model.AuditBatch, error) {
	var out []model.AuditBatch
	err := db.conn(ctx).Where("batch > ?", after).Order("batch").Limit(limit).Find(&out).Error
	return out, translate("audit batches", err)
}

// AuditBatchRows returns the rows sealed into batch, in seq order.
func (db *DB) AuditBatchRows(ctx context.Context, batch int64) ([]model.AuditEntry, error) {
	var out []model.AuditEntry
	err := db.conn(ctx).Where("batch = ?", batch).Order("seq").Find(&out).Error
	return out, translate("audit batch rows", err)
}

// AuditLastBatch returns the newest batch, or false when none was sealed.
func (db *DB) AuditLastBatch(ctx context.Context) (model.AuditBatch, bool, error) {
	var out []model.AuditBatch
	if err := db.conn(ctx).Order("batch DESC").Limit(1).Find(&out).Error; err != nil {
		return model.AuditBatch{}, false, translate("audit head", err)
	}
	if len(out) == 0 {
		return model.AuditBatch{}, false, nil
	}
	return out[0], true, nil
}

// AuditUnsealed counts the rows not sealed yet that were written before
// before, and the rows that claim a batch after lastBatch (whose batch row
// is gone).
func (db *DB) AuditUnsealed(ctx context.Context, before time.Time, lastBatch int64) (old, orphaned int64, err error) {
	if err := db.conn(ctx).Model(&model.AuditEntry{}).Where("batch = 0 AND at < ?", before.UTC()).Count(&old).Error; err != nil {
		return 0, 0, translate("unsealed audit", err)
	}
	if err := db.conn(ctx).Model(&model.AuditEntry{}).Where("batch > ?", lastBatch).Count(&orphaned).Error; err != nil {
		return 0, 0, translate("orphaned audit", err)
	}
	return old, orphaned, nil
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
	q := db.read(ctx).Model(&model.AuditEntry{})
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
