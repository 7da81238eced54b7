package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// roleSetting is one row of role_settings: whether a role must use TOTP.
type roleSetting struct {
	Role        model.Role `gorm:"primaryKey"`
	RequireTOTP bool       `gorm:"column:require_totp"`
	UpdatedAt   time.Time
}

func (roleSetting) TableName() string { return "role_settings" }

// StaffByUsername returns the account with that username
// (model.ErrNotFound when there is none).
func (db *DB) StaffByUsername(ctx context.Context, username string) (model.Staff, error) {
	var s model.Staff
	err := db.conn(ctx).Where("username = ?", username).Take(&s).Error
	return s, translate("get staff by username", err)
}

// StaffInRegion returns the account id when it is bound to a region in the
// subtree of regionPrefix; any other account is model.ErrNotFound, so an
// admin cannot tell foreign accounts from absent ones.
func (db *DB) StaffInRegion(ctx context.Context, id, regionPrefix string) (model.Staff, error) {
	var s model.Staff
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%").Take(&s).Error
	return s, translate("get staff", err)
}

// StaffByID returns one account (model.ErrNotFound when absent).
func (db *DB) StaffByID(ctx context.Context, id string) (model.Staff, error) {
	var s model.Staff
	err := db.conn(ctx).Where("id = ?", id).Take(&s).Error
	return s, translate("get staff", err)
}

// CreateStaff inserts an account; a taken username is model.KindConflict.
func (db *DB) CreateStaff(ctx context.Context, s *model.Staff) error {
	return translate("create staff", db.conn(ctx).Create(s).Error)
}

// ListStaff lists the accounts in a region subtree, newest first.
func (db *DB) ListStaff(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.Staff, error) {
	var out []model.Staff
	q := db.conn(ctx).Model(&model.Staff{}).Where("region_code LIKE ?", regionPrefix+"%")
	err := paginate(q, "id", req).Find(&out).Error
	return out, translate("list staff", err)
}

// StaffIDsWithoutTOTP lists the accounts of role that have no
// authenticator enabled.
func (db *DB) StaffIDsWithoutTOTP(ctx context.Context, role model.Role) ([]string, error) {
	var ids []string
	err := db.conn(ctx).Model(&model.Staff{}).Where("role = ? AND totp_enabled = ?", role, false).Pluck("id", &ids).Error
	return ids, translate("list staff without totp", err)
}

// StaffChange is what an account update writes. Nil fields are left as
// they are; ClearTOTP removes the authenticator.
type StaffChange struct {
	PasswordHash *string
	Disabled     *bool
	TOTPSecret   *string
	TOTPEnabled  *bool
	ClearTOTP    bool
}

// UpdateStaff writes the change to an account (model.ErrNotFound-kind
// error when there is no such account).
func (db *DB) UpdateStaff(ctx context.Context, id string, c StaffChange, now time.Time) error {
	cols := map[string]any{"updated_at": now}
	if c.PasswordHash != nil {
		cols["password_hash"] = *c.PasswordHash
	}
	if c.Disabled != nil {
		cols["disabled"] = *c.Disabled
	}
	if c.TOTPSecret != nil {
		cols["totp_secret"] = *c.TOTPSecret
	}
	if c.TOTPEnabled != nil {
		cols["totp_enabled"] = *c.TOTPEnabled
	}
	if c.ClearTOTP {
		cols["totp_secret"], cols["totp_enabled"] = nil, false
	}
	res := db.conn(ctx).Model(&model.Staff{}).Where("id = ?", id).Updates(cols)
	if res.Error != nil {
		return translate("update staff", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.NotFound("staff")
	}
	return nil
}

// RoleRequiresTOTP reports whether the admin made TOTP mandatory for role.
func (db *DB) RoleRequiresTOTP(ctx context.Context, role model.Role) (bool, error) {
	var rows []roleSetting
	if err := db.conn(ctx).Where("role = ?", role).Limit(1).Find(&rows).Error; err != nil {
		return false, translate("role settings", err)
	}
	return len(rows) == 1 && rows[0].RequireTOTP, nil
}

// SetRoleRequiresTOTP records whether role must use TOTP.
func (db *DB) SetRoleRequiresTOTP(ctx context.Context, role model.Role, require bool, now time.Time) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "role"}},
		DoUpdates: clause.AssignmentColumns([]string{"require_totp", "updated_at"}),
	}).Create(&roleSetting{Role: role, RequireTOTP: require, UpdatedAt: now}).Error
	return translate("set role settings", err)
}
