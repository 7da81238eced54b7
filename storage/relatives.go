package storage

import (
	"context"

	"github.com/jiuzhu/jiuzhu/model"
)

// ReplaceRelatives replaces a staff member's declared relatives.
func (db *DB) ReplaceRelatives(ctx context.Context, staffID string, rs []model.StaffRelative) error {
	if err := db.conn(ctx).Where("staff_id = ?", staffID).Delete(&model.StaffRelative{}).Error; err != nil {
		return translate("delete relatives", err)
	}
	if len(rs) == 0 {
		return nil
	}
	return translate("create relatives", db.conn(ctx).Create(&rs).Error)
}

// RelativesOf lists a staff member's declared relatives.
func (db *DB) RelativesOf(ctx context.Context, staffID string) ([]model.StaffRelative, error) {
	var out []model.StaffRelative
	err := db.conn(ctx).Where("staff_id = ?", staffID).Order("id").Find(&out).Error
	return out, translate("list relatives", err)
}

// HouseholdHasDeclaredRelative reports whether a member of the household
// is a declared relative of staffID, or of anyone when staffID is empty.
func (db *DB) HouseholdHasDeclaredRelative(ctx context.Context, householdID, staffID string) (bool, error) {
	q := db.conn(ctx).Model(&model.StaffRelative{}).
		Where("id_index IN (SELECT id_index FROM members WHERE household_id = ?)", householdID)
	if staffID != "" {
		q = q.Where("staff_id = ?", staffID)
	}
	var n int64
	err := q.Count(&n).Error
	return n > 0, translate("declared relative", err)
}

// Declaration is one staff member's declared relatives, for the auditor.
type Declaration struct {
	StaffID    string                `json:"staff_id"`
	Username   string                `json:"username"`
	Role       model.Role            `json:"role"`
	RegionCode string                `json:"region_code"`
	Relatives  []model.StaffRelative `json:"relatives"`
}

// Declarations lists the declared relatives of the staff in a region
// subtree, by staff member.
func (db *DB) Declarations(ctx context.Context, regionPrefix string) ([]Declaration, error) {
	var staff []model.Staff
	err := db.conn(ctx).Where("region_code LIKE ? AND id IN (SELECT staff_id FROM staff_relatives)", regionPrefix+"%").Order("id").Find(&staff).Error
	if err != nil {
		return nil, translate("list declaring staff", err)
	}
	out := make([]Declaration, 0, len(staff))
	for _, s := range staff {
		rs, err := db.RelativesOf(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Declaration{StaffID: s.ID, Username: s.Username, Role: s.Role, RegionCode: s.RegionCode, Relatives: rs})
	}
	return out, nil
}
