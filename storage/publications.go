package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// Recipient is one approved application as a published list shows it.
type Recipient struct {
	ApplicationID string
	RegionCode    string
	MonthlyAmount int64
	HouseholdSize int
	NameMasked    string
}

// ApprovedRecipients lists the eligible applications of program approved
// before the given time (and, when since is set, at or after it) in a
// region subtree, with their amount (monthly or once, by the program's
// benefit kind), the masked name of the household's applicant and the
// household size as assessed (the benefit's snapshot; the household as it
// is now for cases decided before benefits were recorded), in community
// then id order.
func (db *DB) ApprovedRecipients(ctx context.Context, regionPrefix string, program model.ProgramCode, since *time.Time, before time.Time) ([]Recipient, error) {
	var out []Recipient
	q := `SELECT a.id AS application_id, a.region_code, COALESCE(a.monthly_amount, a.amount, 0) AS monthly_amount,
		COALESCE((SELECT b.household_size FROM benefits b WHERE b.application_id = a.id),
			(SELECT COUNT(*) FROM members m WHERE m.household_id = a.household_id)) AS household_size,
		COALESCE((SELECT b.name_masked FROM benefits b WHERE b.application_id = a.id),
			(SELECT m.name_masked FROM members m WHERE m.household_id = a.household_id
			ORDER BY CASE WHEN m.relation = 'self' THEN 0 ELSE 1 END, m.position LIMIT 1), '') AS name_masked
		FROM applications a
		WHERE a.status = ? AND a.program = ? AND a.region_code LIKE ? AND a.decided_at < ? AND a.eligible = TRUE`
	args := []any{model.StatusApproved, program, regionPrefix + "%", before}
	if since != nil {
		q += ` AND a.decided_at >= ?`
		args = append(args, *since)
	}
	err := db.conn(ctx).Raw(q+` ORDER BY a.region_code, a.id`, args...).Scan(&out).Error
	return out, translate("list approved recipients", err)
}

// CreatePublication inserts a publication and its entries in the caller's
// transaction.
func (db *DB) CreatePublication(ctx context.Context, p *model.Publication, entries []model.PublicationEntry) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if err := c.Create(p).Error; err != nil {
			return translate("insert publication", err)
		}
		if len(entries) == 0 {
			return nil
		}
		return translate("insert publication entries", c.CreateInBatches(entries, 500).Error)
	})
}

// Publication returns one publication (model.ErrNotFound when absent).
func (db *DB) Publication(ctx context.Context, id string) (model.Publication, error) {
	var p model.Publication
	err := db.conn(ctx).Where("id = ?", id).Take(&p).Error
	return p, translate("get publication", err)
}

// PublicationInRegion returns a publication only when it lies in the region
// subtree (model.ErrNotFound otherwise).
func (db *DB) PublicationInRegion(ctx context.Context, id, regionPrefix string) (model.Publication, error) {
	var p model.Publication
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%").Take(&p).Error
	return p, translate("get publication", err)
}

// Publications lists publications in a region subtree (all when the prefix
// is empty), newest first.
func (db *DB) Publications(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.Publication, error) {
	q := db.conn(ctx).Model(&model.Publication{})
	if regionPrefix != "" {
		q = q.Where("region_code LIKE ?", regionPrefix+"%")
	}
	var out []model.Publication
	err := paginate(q, "id", req).Find(&out).Error
	return out, translate("list publications", err)
}

// WalkPublicationEntries calls fn for every entry of a publication in
// position order, reading in batches so a long list is never held whole.
func (db *DB) WalkPublicationEntries(ctx context.Context, id string, fn func(model.PublicationEntry) error) error {
	last := -1
	for {
		var batch []model.PublicationEntry
		err := db.conn(ctx).Where("publication_id = ? AND position > ?", id, last).Order("position").Limit(1000).Find(&batch).Error
		if err != nil {
			return translate("read publication entries", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
			last = e.Position
		}
	}
}

// WithdrawPublication marks a published publication withdrawn. It returns
// model.KindConflict when it was already withdrawn.
func (db *DB) WithdrawPublication(ctx context.Context, id, reason, by string, at time.Time) error {
	res := db.conn(ctx).Exec("UPDATE publications SET status = ?, withdrawn_reason = ?, withdrawn_by = ?, withdrawn_at = ? WHERE id = ? AND status = ?",
		model.PublicationWithdrawn, reason, by, at, id, model.PublicationPublished)
	if res.Error != nil {
		return translate("withdraw publication", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("withdraw publication: %w", model.Conflict("publication_withdrawn", "this publication was already withdrawn"))
	}
	return nil
}
