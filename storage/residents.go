package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// ResidentByPhoneIndex returns the resident whose phone has the blind index
// idx (model.ErrNotFound when there is none).
func (db *DB) ResidentByPhoneIndex(ctx context.Context, idx string) (model.Resident, error) {
	var r model.Resident
	err := db.conn(ctx).Where("phone_index = ?", idx).Take(&r).Error
	return r, translate("get resident by phone", err)
}

// Resident returns one resident (model.ErrNotFound when absent).
func (db *DB) Resident(ctx context.Context, id string) (model.Resident, error) {
	var r model.Resident
	err := db.conn(ctx).Where("id = ?", id).Take(&r).Error
	return r, translate("get resident", err)
}

// CreateResident inserts a resident; a second resident with the same phone
// is a model.KindConflict error.
func (db *DB) CreateResident(ctx context.Context, r *model.Resident) error {
	return translate("create resident", db.conn(ctx).Create(r).Error)
}

// TouchResidentLogin records a successful login.
func (db *DB) TouchResidentLogin(ctx context.Context, id string, at time.Time) error {
	err := db.conn(ctx).Table("residents").Where("id = ?", id).Update("last_login_at", at).Error
	return translate("touch resident", err)
}

// HouseholdOfResident returns the household a resident registered
// (model.ErrNotFound when none yet).
func (db *DB) HouseholdOfResident(ctx context.Context, residentID string) (model.Household, error) {
	var h model.Household
	err := db.conn(ctx).Where("resident_id = ?", residentID).Take(&h).Error
	return h, translate("get household", err)
}

// LockHouseholdOfResident is HouseholdOfResident that also locks the
// household's row for the rest of the transaction — or, before the first
// save, the place where it would go — so that two saves of one household,
// or a save and a submit, run one after the other and the later one reads
// what the earlier one wrote. On SQLite the immediate transaction already
// holds the write lock.
func (db *DB) LockHouseholdOfResident(ctx context.Context, residentID string) (model.Household, error) {
	var h model.Household
	q := db.conn(ctx).Where("resident_id = ?", residentID)
	if db.dialect == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&h).Error
	return h, translate("lock household", err)
}

// Household returns one household by id (model.ErrNotFound when absent).
func (db *DB) Household(ctx context.Context, id string) (model.Household, error) {
	var h model.Household
	err := db.conn(ctx).Where("id = ?", id).Take(&h).Error
	return h, translate("get household", err)
}

// Members returns the members of a household in their order.
func (db *DB) Members(ctx context.Context, householdID string) ([]model.Member, error) {
	var out []model.Member
	err := db.conn(ctx).Where("household_id = ?", householdID).Order("position, id").Find(&out).Error
	return out, translate("list members", err)
}

// SaveHousehold writes a household and makes members its exact member
// list: members whose id is already stored are updated, new ones inserted,
// stored ones not in the list deleted. create says whether the household
// row is new. Run it inside a transaction. An ID number may also be claimed
// by another household (see VerifyClaims); deleting
// a member that other records (vouchers) refer to is a model.KindInvalid
// error.
func (db *DB) SaveHousehold(ctx context.Context, h *model.Household, create bool, members []model.Member) error {
	c := db.conn(ctx)
	if create {
		if err := c.Create(h).Error; err != nil {
			return translate("create household", err)
		}
	} else {
		err := c.Table("households").Where("id = ?", h.ID).Updates(map[string]any{
			"region_code": h.RegionCode, "address_sealed": h.AddressSealed, "hukou": h.Hukou, "updated_at": h.UpdatedAt,
			"bank_name": h.BankName, "bank_account_sealed": h.BankAccountSealed, "bank_account_masked": h.BankAccountMasked,
		}).Error
		if err != nil {
			return translate("update household", err)
		}
	}
	var existing []string
	if err := c.Table("members").Where("household_id = ?", h.ID).Pluck("id", &existing).Error; err != nil {
		return translate("list members", err)
	}
	keep := map[string]bool{}
	for _, m := range members {
		keep[m.ID] = true
	}
	var drop []string
	stored := map[string]bool{}
	for _, id := range existing {
		stored[id] = true
		if !keep[id] {
			drop = append(drop, id)
		}
	}
	if len(drop) > 0 {
		if err := c.Where("household_id = ? AND id IN ?", h.ID, drop).Delete(&model.Member{}).Error; err != nil {
			return translate("delete members", err)
		}
	}
	for i := range members {
		m := &members[i]
		m.HouseholdID = h.ID
		if stored[m.ID] {
			err := c.Table("members").Where("id = ? AND household_id = ?", m.ID, h.ID).Updates(map[string]any{
				"position": m.Position, "name_sealed": m.NameSealed, "name_masked": m.NameMasked,
				"id_sealed": m.IDSealed, "id_index": m.IDIndex, "id_masked": m.IDMasked, "claim_verified": m.ClaimVerified,
				"birth_date": m.BirthDate, "sex": m.Sex, "relation": m.Relation, "monthly_income": m.MonthlyIncome, "incomes": m.Incomes,
				"work_ability": m.WorkAbility, "disability_sealed": m.DisabilitySealed, "has_disability": m.HasDisability,
				"school_id": m.SchoolID, "school_stage": m.SchoolStage, "school_grade": m.SchoolGrade,
				"updated_at": m.UpdatedAt,
			}).Error
			if err != nil {
				return translate("update member", err)
			}
			continue
		}
		if err := c.Create(m).Error; err != nil {
			return translate("create member", err)
		}
	}
	return nil
}

// ContestedMembers returns, for the members of a household, how many other
// households claim the same ID number (members without a rival are absent).
func (db *DB) ContestedMembers(ctx context.Context, householdID string) (map[string]int64, error) {
	var rows []struct {
		ID     string
		Rivals int64
	}
	err := db.conn(ctx).Raw(`SELECT m.id AS id, COUNT(o.id) AS rivals FROM members m
		JOIN members o ON o.id_index = m.id_index AND o.household_id <> m.household_id
		WHERE m.household_id = ? GROUP BY m.id`, householdID).Scan(&rows).Error
	if err != nil {
		return nil, translate("contested members", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Rivals
	}
	return out, nil
}

// VerifyClaims marks every member of a household as verified on the ID
// card's evidence, unless another household holds a verified claim of one
// of its ID numbers: then it returns a model.KindConflict error
// "id_number_conflict" and changes nothing.
func (db *DB) VerifyClaims(ctx context.Context, householdID string) error {
	var n int64
	err := db.conn(ctx).Raw(`SELECT COUNT(*) FROM members m JOIN members o ON o.id_index = m.id_index AND o.household_id <> m.household_id
		WHERE m.household_id = ? AND o.claim_verified = TRUE`, householdID).Scan(&n).Error
	if err != nil {
		return translate("check claims", err)
	}
	if n > 0 {
		return model.Conflict("id_number_conflict", "本户有成员的身份证号已在另一户核实登记，请核对身份证原件后处理")
	}
	err = db.conn(ctx).Table("members").Where("household_id = ? AND claim_verified = ?", householdID, false).Update("claim_verified", true).Error
	return translate("verify claims", err)
}
