package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// DocumentUsage is what a resident's documents take up across all of their
// applications, closed ones included until their documents are purged.
type DocumentUsage struct {
	Count int64
	Bytes int64
}

// ResidentDocumentUsage counts a resident's documents and their bytes.
func (db *DB) ResidentDocumentUsage(ctx context.Context, residentID string) (DocumentUsage, error) {
	var u DocumentUsage
	err := db.conn(ctx).Table("documents").
		Joins("JOIN applications ON applications.id = documents.application_id").
		Where("applications.resident_id = ?", residentID).
		Select("COUNT(*) AS count, COALESCE(SUM(documents.size), 0) AS bytes").
		Scan(&u).Error
	return u, translate("document usage", err)
}

// LockResident locks a resident's row for the rest of the transaction, so
// uploads of one resident to different applications count their quota one
// at a time (model.ErrNotFound when there is no such resident).
func (db *DB) LockResident(ctx context.Context, id string) error {
	_, err := db.lockRow(ctx, "residents", "id", id)
	return translate("lock resident", err)
}

// lockRow reads column of the row of table with id, locking the row for
// the rest of the transaction (SQLite's immediate transactions already hold
// the write lock). It returns model.ErrNotFound when there is no such row.
func (db *DB) lockRow(ctx context.Context, table, column, id string) (string, error) {
	q := db.conn(ctx).Table(table).Select(column).Where("id = ?", id)
	if db.dialect == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []string
	if err := q.Pluck(column, &rows).Error; err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", model.ErrNotFound
	}
	return rows[0], nil
}

// ExpiredDocument is a document due for deletion, with the region of its
// application (for the audit trail).
type ExpiredDocument struct {
	model.Document
	RegionCode string
}

// ExpiredDocuments returns up to limit documents of applications in one of
// statuses that were closed (decided_at, else updated_at) before before.
func (db *DB) ExpiredDocuments(ctx context.Context, statuses []model.Status, before time.Time, limit int) ([]ExpiredDocument, error) {
	var out []ExpiredDocument
	err := db.conn(ctx).Table("documents").
		Select("documents.*, applications.region_code AS region_code").
		Joins("JOIN applications ON applications.id = documents.application_id").
		Where("applications.status IN ? AND COALESCE(applications.decided_at, applications.updated_at) < ?", statuses, before.UTC()).
		Order("documents.id").Limit(limit).
		Scan(&out).Error
	return out, translate("expired documents", err)
}

// DeleteDocument deletes a document's row (model.ErrNotFound when it is
// already gone).
func (db *DB) DeleteDocument(ctx context.Context, id string) error {
	res := db.conn(ctx).Where("id = ?", id).Delete(&model.Document{})
	if res.Error != nil {
		return translate("delete document", res.Error)
	}
	if res.RowsAffected == 0 {
		return translate("delete document", model.ErrNotFound)
	}
	return nil
}

// DeleteDocumentIn deletes a document's row of the application only while
// the document is in one of statuses: model.ErrNotFound when there is no
// such document of the application, a model.KindConflict error with code
// "status_changed" when it is in another status (a review came first).
func (db *DB) DeleteDocumentIn(ctx context.Context, applicationID, id string, statuses []string) error {
	res := db.conn(ctx).Where("id = ? AND application_id = ? AND status IN ?", id, applicationID, statuses).Delete(&model.Document{})
	if res.Error != nil {
		return translate("delete document", res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	if _, err := db.DocumentOf(ctx, applicationID, id); err != nil {
		return err
	}
	return model.Conflict("status_changed", "the document is no longer in a state that allows this")
}

// DocumentBlobKeys returns which of keys a document row refers to.
func (db *DB) DocumentBlobKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	var found []string
	if err := db.conn(ctx).Table("documents").Where("blob_key IN ?", keys).Pluck("blob_key", &found).Error; err != nil {
		return nil, translate("document blob keys", err)
	}
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}
