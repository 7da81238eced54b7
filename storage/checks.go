package storage

import (
	"context"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreateCheckResults keeps a check report's results.
func (db *DB) CreateCheckResults(ctx context.Context, rs []model.CheckResult) error {
	if len(rs) == 0 {
		return nil
	}
	return translate("create check results", db.conn(ctx).Create(&rs).Error)
}

// CheckResults lists an application's check results, oldest first.
func (db *DB) CheckResults(ctx context.Context, applicationID string) ([]model.CheckResult, error) {
	var out []model.CheckResult
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("id").Find(&out).Error
	return out, translate("list check results", err)
}
