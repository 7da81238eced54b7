package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// Regions lists every region, parents before children.
func (db *DB) Regions(ctx context.Context) ([]model.Region, error) {
	var out []model.Region
	err := db.conn(ctx).Order("LENGTH(code), code").Find(&out).Error
	return out, translate("list regions", err)
}

// Region returns one region (model.ErrNotFound when absent).
func (db *DB) Region(ctx context.Context, code string) (model.Region, error) {
	var r model.Region
	err := db.conn(ctx).Where("code = ?", code).Take(&r).Error
	return r, translate("get region "+code, err)
}

// Schools lists schools in the subtree of regionCode (all when empty).
func (db *DB) Schools(ctx context.Context, regionCode string) ([]model.School, error) {
	q := db.conn(ctx).Order("region_code, name")
	if regionCode != "" {
		q = q.Where("region_code LIKE ?", model.RegionPrefix(regionCode)+"%")
	}
	var out []model.School
	return out, translate("list schools", q.Find(&out).Error)
}

// School returns one school (model.ErrNotFound when absent).
func (db *DB) School(ctx context.Context, id string) (model.School, error) {
	var s model.School
	err := db.conn(ctx).Where("id = ?", id).Take(&s).Error
	return s, translate("get school", err)
}

// UpsertRegion inserts or renames a region (seeding).
func (db *DB) UpsertRegion(ctx context.Context, r model.Region) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "level", "parent_code"}),
	}).Create(&r).Error
	return translate("upsert region "+r.Code, err)
}

// UpsertSchool inserts or updates a school by id (seeding).
func (db *DB) UpsertSchool(ctx context.Context, s model.School) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "region_code", "stages"}),
	}).Create(&s).Error
	return translate("upsert school", err)
}

// UpsertStandard sets a 低保 standard.
func (db *DB) UpsertStandard(ctx context.Context, s model.Standard) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "region_code"}, {Name: "year"}, {Name: "hukou"}},
		DoUpdates: clause.AssignmentColumns([]string{"monthly_amount", "updated_at", "updated_by"}),
	}).Create(&s).Error
	return translate("upsert standard", err)
}

// Standard returns the standard of a county, year and hukou type.
func (db *DB) Standard(ctx context.Context, regionCode string, year int, hukou string) (model.Standard, error) {
	var s model.Standard
	err := db.conn(ctx).Where("region_code = ? AND year = ? AND hukou = ?", regionCode, year, hukou).Take(&s).Error
	return s, translate("get standard", err)
}

// UpsertTerm creates or updates a term.
func (db *DB) UpsertTerm(ctx context.Context, t model.Term) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"starts_at", "ends_at"}),
	}).Create(&t).Error
	return translate("upsert term", err)
}

// UpsertVoucherCap sets one cap.
func (db *DB) UpsertVoucherCap(ctx context.Context, c model.VoucherCap) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "term"}, {Name: "stage"}, {Name: "item"}},
		DoUpdates: clause.AssignmentColumns([]string{"cap", "updated_at", "updated_by"}),
	}).Create(&c).Error
	return translate("upsert voucher cap", err)
}

// InsertIfAbsent inserts a row (a *model.Standard, *model.VoucherCap,
// *model.Term …) unless its primary key exists, leaving an existing row as
// it is: demo seeding must not undo what staff have changed since.
func (db *DB) InsertIfAbsent(ctx context.Context, row any) error {
	return translate("insert if absent", db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error)
}

// CreateStaffIfAbsent inserts a staff account unless the username exists;
// it reports whether it inserted.
func (db *DB) CreateStaffIfAbsent(ctx context.Context, s model.Staff) (bool, error) {
	return db.createIfAbsent(ctx, "create staff "+s.Username, &s)
}

// DemoStaffUsernames lists the demo accounts still enabled.
func (db *DB) DemoStaffUsernames(ctx context.Context) ([]string, error) {
	var names []string
	err := db.conn(ctx).Model(&model.Staff{}).Where("demo = ? AND disabled = ?", true, false).Order("username").Pluck("username", &names).Error
	return names, translate("list demo staff", err)
}

// AllocateNumber takes the next value of the named counter in one
// autocommitted statement of its own, outside any transaction in ctx, so the
// counter row is locked only for that statement and never across the
// caller's work. A caller whose transaction then fails leaves a gap:
// numbers are unique and increasing, not gap-free. SQLite has one writer
// at a time anyway, and a transaction in ctx already holds its write lock:
// there the statement joins that transaction (a connection of its own would
// wait for the lock the caller holds).
func (db *DB) AllocateNumber(ctx context.Context, name string) (int64, error) {
	c := db.gorm.WithContext(ctx)
	if db.dialect != "mysql" {
		c = db.conn(ctx)
	}
	if db.dialect == "mysql" {
		// LAST_INSERT_ID(expr) hands the new value back in the statement's
		// result (the OK packet): one round trip, no read-back.
		pool, err := c.DB()
		if err != nil {
			return 0, fmt.Errorf("sequence %s: %w", name, err)
		}
		res, err := pool.ExecContext(ctx, "INSERT INTO sequences (name, value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)", name)
		if err != nil {
			return 0, translate("sequence "+name, err)
		}
		v, err := res.LastInsertId()
		return v, translate("sequence "+name, err)
	}
	var v int64
	err := c.Raw("INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", name).Scan(&v).Error
	return v, translate("sequence "+name, err)
}

// NextSequence atomically increments and returns the named counter, inside
// the caller's transaction when there is one (numbers are gap-free only for
// committed transactions). The upsert takes the row lock at once, so
// concurrent callers queue instead of deadlocking on a missing row.
func (db *DB) NextSequence(ctx context.Context, name string) (int64, error) {
	var v int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		upsert := "INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1"
		if db.dialect == "mysql" {
			upsert = "INSERT INTO sequences (name, value) VALUES (?, 1) ON DUPLICATE KEY UPDATE value = value + 1"
		}
		if err := c.Exec(upsert, name).Error; err != nil {
			return translate("sequence "+name, err)
		}
		return translate("sequence "+name, c.Raw("SELECT value FROM sequences WHERE name = ?", name).Scan(&v).Error)
	})
	return v, err
}

// RegionsByCode returns the regions of codes and their parents, by code
// (codes that name no region are left out): the names a page of rows shows
// in two queries.
func (db *DB) RegionsByCode(ctx context.Context, codes []string) (map[string]model.Region, error) {
	out := map[string]model.Region{}
	if len(codes) == 0 {
		return out, nil
	}
	var rows []model.Region
	if err := db.conn(ctx).Where("code IN ?", codes).Find(&rows).Error; err != nil {
		return out, translate("list regions by code", err)
	}
	var parents []string
	for _, r := range rows {
		out[r.Code] = r
		if r.ParentCode != nil {
			parents = append(parents, *r.ParentCode)
		}
	}
	if len(parents) == 0 {
		return out, nil
	}
	rows = nil
	if err := db.conn(ctx).Where("code IN ?", parents).Find(&rows).Error; err != nil {
		return out, translate("list parent regions", err)
	}
	for _, r := range rows {
		out[r.Code] = r
	}
	return out, nil
}
