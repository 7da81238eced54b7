package storage

import (
	"context"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreateServiceRecord stores a service record.
func (db *DB) CreateServiceRecord(ctx context.Context, r *model.ServiceRecord) error {
	return translate("create service record", db.conn(ctx).Create(r).Error)
}

// ServiceRecords lists an application's service records, oldest first.
func (db *DB) ServiceRecords(ctx context.Context, applicationID string) ([]model.ServiceRecord, error) {
	var out []model.ServiceRecord
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("id").Find(&out).Error
	return out, translate("list service records", err)
}
