package storage

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreateBenefit inserts a benefit and its first amount version in the
// caller's transaction (a second benefit of one application is
// model.KindConflict).
func (db *DB) CreateBenefit(ctx context.Context, b *model.Benefit, first *model.BenefitAmount) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if err := c.Create(b).Error; err != nil {
			return translate("insert benefit", err)
		}
		if first == nil {
			return nil
		}
		return translate("insert benefit amount", c.Create(first).Error)
	})
}

// BenefitOfApplication returns the benefit an application's approval made
// (model.ErrNotFound when none).
func (db *DB) BenefitOfApplication(ctx context.Context, applicationID string) (model.Benefit, error) {
	var b model.Benefit
	err := db.conn(ctx).Where("application_id = ?", applicationID).Take(&b).Error
	return b, translate("benefit of application", err)
}

// BenefitAmounts returns the amount versions of the benefits, keyed by
// benefit id, oldest first.
func (db *DB) BenefitAmounts(ctx context.Context, benefitIDs []string) (map[string][]model.BenefitAmount, error) {
	out := make(map[string][]model.BenefitAmount, len(benefitIDs))
	for start := 0; start < len(benefitIDs); start += 500 {
		end := min(start+500, len(benefitIDs))
		var rows []model.BenefitAmount
		if err := db.conn(ctx).Where("benefit_id IN ?", benefitIDs[start:end]).Order("benefit_id, from_month").Find(&rows).Error; err != nil {
			return nil, translate("benefit amounts", err)
		}
		for _, r := range rows {
			out[r.BenefitID] = append(out[r.BenefitID], r)
		}
	}
	return out, nil
}

// PutBenefitAmount sets the amount version of a benefit starting in a
// month, replacing one that starts in the same month.
func (db *DB) PutBenefitAmount(ctx context.Context, v *model.BenefitAmount) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if err := c.Where("benefit_id = ? AND from_month = ?", v.BenefitID, v.FromMonth).Delete(&model.BenefitAmount{}).Error; err != nil {
			return translate("replace benefit amount", err)
		}
		return translate("insert benefit amount", c.Create(v).Error)
	})
}

// SetBenefitStatus sets a benefit's status and end month (nil: none) by
// application. An application without a benefit (approved before benefits
// were kept) changes nothing.
func (db *DB) SetBenefitStatus(ctx context.Context, applicationID, status string, endMonth *string, at time.Time) error {
	set := map[string]any{"status": status, "updated_at": at, "end_month": endMonth}
	err := db.conn(ctx).Table("benefits").Where("application_id = ?", applicationID).Updates(set).Error
	return translate("set benefit status", err)
}

// BenefitsOf lists the benefits of a program in a county in the given
// statuses, in id order.
func (db *DB) BenefitsOf(ctx context.Context, county string, program model.ProgramCode, statuses []string) ([]model.Benefit, error) {
	var out []model.Benefit
	err := db.conn(ctx).Where("county_code = ? AND program = ? AND status IN ?", county, program, statuses).Order("id").Find(&out).Error
	return out, translate("benefits of county", err)
}

// BenefitsFollowingStandard lists the active and suspended benefits of a
// county and hukou type whose amount follows the 低保 standard, in id
// order, locked for update.
func (db *DB) BenefitsFollowingStandard(ctx context.Context, county, hukou string) ([]model.Benefit, error) {
	var out []model.Benefit
	q := db.conn(ctx).Where("county_code = ? AND hukou = ? AND follows_standard = ? AND status IN ?", county, hukou, true,
		[]string{model.BenefitStatusActive, model.BenefitStatusSuspended}).Order("id")
	err := lockForUpdate(q, db.dialect).Find(&out).Error
	return out, translate("benefits following standard", err)
}

// CreateBenefits inserts benefits and their amount versions in batches in
// the caller's transaction (an import of recipients decided elsewhere).
func (db *DB) CreateBenefits(ctx context.Context, bs []model.Benefit, versions []model.BenefitAmount) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if len(bs) > 0 {
			if err := c.CreateInBatches(bs, 500).Error; err != nil {
				return translate("insert benefits", err)
			}
		}
		if len(versions) > 0 {
			return translate("insert benefit amounts", c.CreateInBatches(versions, 500).Error)
		}
		return nil
	})
}

// GradualExitsDue lists the benefits in gradual exit whose end month has
// come (at or before month).
func (db *DB) GradualExitsDue(ctx context.Context, month string) ([]model.Benefit, error) {
	var out []model.Benefit
	err := db.conn(ctx).Where("status = ? AND end_month <= ?", model.BenefitStatusGradualExit, month).Order("id").Find(&out).Error
	return out, translate("gradual exits due", err)
}

// ApprovedWithoutBenefit lists up to limit approved or suspended cases
// that pay cash and have no benefit record (decided before benefit records
// existed, migration 00090), oldest first.
func (db *DB) ApprovedWithoutBenefit(ctx context.Context, limit int) ([]model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Where("status IN ? AND (eligible IS NULL OR eligible = ?) AND (benefit_kind IS NULL OR benefit_kind IN ?)",
		[]model.Status{model.StatusApproved, model.StatusSuspended}, true, []model.BenefitKind{model.BenefitMonthlyCash, model.BenefitOneOffCash}).
		Where("NOT EXISTS (SELECT 1 FROM benefits b WHERE b.application_id = applications.id)").
		Order("id").Limit(limit).Find(&out).Error
	return out, translate("approved cases without a benefit", err)
}
