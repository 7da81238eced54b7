package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/jiuzhu/jiuzhu/model"
)

// PairingChild is a school child of a household with its live pairing
// profile, if any, for the guardian's own screen.
type PairingChild struct {
	MemberID    string
	NameMasked  string
	NameSealed  string
	SchoolID    string
	SchoolStage string
	SchoolGrade *string
	BirthDate   string
	ProfileID   *string
	Need        *string
	ConsentedAt *time.Time
	// LettersConsented is the guardian's consent to letters (nil without a
	// profile).
	LettersConsented *bool
}

// PairingChildren lists the enrolled members of a household with their live
// pairing profile.
func (db *DB) PairingChildren(ctx context.Context, householdID string) ([]PairingChild, error) {
	var out []PairingChild
	err := db.conn(ctx).Raw(`SELECT m.id AS member_id, m.name_masked, m.name_sealed, m.school_id, m.school_stage, m.school_grade, m.birth_date,
			p.id AS profile_id, p.need, p.consented_at, p.letters_consented
		FROM members m LEFT JOIN pairing_profiles p ON p.open_slot = m.id
		WHERE m.household_id = ? AND m.school_id IS NOT NULL AND m.school_stage IS NOT NULL
		ORDER BY m.position, m.id`, householdID).Scan(&out).Error
	return out, translate("list pairing children", err)
}

// HouseholdApproved reports whether a household has an approved case.
func (db *DB) HouseholdApproved(ctx context.Context, householdID string) (bool, error) {
	var n int64
	err := db.conn(ctx).Table("applications").Where("household_id = ? AND status = ?", householdID, model.StatusApproved).Count(&n).Error
	return n > 0, translate("household approved", err)
}

// CreatePairingProfile inserts a live profile (model.KindConflict when the
// child already has one).
func (db *DB) CreatePairingProfile(ctx context.Context, p *model.PairingProfile) error {
	return translate("create pairing profile", db.conn(ctx).Create(p).Error)
}

// PairingProfileOfResident returns a profile of the resident's household
// (model.ErrNotFound when it is not theirs).
func (db *DB) PairingProfileOfResident(ctx context.Context, id, residentID string) (model.PairingProfile, error) {
	var p model.PairingProfile
	err := db.conn(ctx).Where("id = ? AND household_id IN (SELECT id FROM households WHERE resident_id = ?)", id, residentID).Take(&p).Error
	return p, translate("get pairing profile", err)
}

// RevokePairingProfile ends a live profile once (model.KindConflict when it
// was not live).
func (db *DB) RevokePairingProfile(ctx context.Context, id string, at time.Time) error {
	res := db.conn(ctx).Table("pairing_profiles").Where("id = ? AND status = ?", id, model.PairingActive).
		Updates(map[string]any{"status": model.PairingRevoked, "open_slot": nil, "revoked_at": at, "updated_at": at})
	if res.Error != nil {
		return translate("revoke pairing profile", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("pairing_not_active", "this consent was already revoked")
	}
	return nil
}

// OfferableProfile is a live profile that may be offered, with what its
// anonymised view is derived from. It carries no name, school or ID.
type OfferableProfile struct {
	ID          string
	RegionCode  string
	SchoolStage string
	SchoolGrade *string
	BirthDate   string
	Need        string
	NeedBy      string
	ConsentedAt time.Time
	// Paired is whether a donor is paired with the child now.
	Paired bool
}

// offerable selects the live profiles whose child is still enrolled, in a
// household with an approved case, in the region subtree of prefix.
func (db *DB) offerable(ctx context.Context, prefix string) *gorm.DB {
	return db.conn(ctx).Table("pairing_profiles p").
		Select("p.id, h.region_code, m.school_stage, m.school_grade, m.birth_date, p.need, p.need_by, p.consented_at, "+
			"EXISTS (SELECT 1 FROM pairings q WHERE q.open_slot = p.id) AS paired").
		Joins("JOIN members m ON m.id = p.member_id AND m.household_id = p.household_id").
		Joins("JOIN households h ON h.id = p.household_id").
		Where("p.status = ? AND m.school_id IS NOT NULL AND m.school_stage IS NOT NULL", model.PairingActive).
		Where("h.region_code LIKE ?", prefix+"%").
		Where("EXISTS (SELECT 1 FROM applications a WHERE a.household_id = h.id AND a.status = ?)", model.StatusApproved)
}

// OfferableProfiles lists one page of the profiles that may be offered in a
// region subtree, newest first.
func (db *DB) OfferableProfiles(ctx context.Context, prefix string, req model.PageRequest) ([]OfferableProfile, error) {
	var out []OfferableProfile
	err := paginate(db.offerable(ctx, prefix), "p.id", req).Scan(&out).Error
	return out, translate("list pairing profiles", err)
}

// OfferableProfile returns one offerable profile in a region subtree
// (model.ErrNotFound when absent, revoked, no longer offerable or
// elsewhere).
func (db *DB) OfferableProfile(ctx context.Context, id, prefix string) (OfferableProfile, error) {
	var out []OfferableProfile
	err := db.offerable(ctx, prefix).Where("p.id = ?", id).Limit(1).Scan(&out).Error
	if err == nil && len(out) == 0 {
		err = model.ErrNotFound
	}
	if len(out) == 0 {
		return OfferableProfile{}, translate("get pairing profile", err)
	}
	return out[0], nil
}

// SetPairingNeed rewrites the need of a live profile.
func (db *DB) SetPairingNeed(ctx context.Context, id, need, by string, at time.Time) error {
	res := db.conn(ctx).Table("pairing_profiles").Where("id = ? AND status = ?", id, model.PairingActive).
		Updates(map[string]any{"need": need, "need_by": by, "updated_at": at})
	if res.Error != nil {
		return translate("set pairing need", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("pairing_not_active", "this consent was revoked")
	}
	return nil
}

// PairingProfileByID returns a profile (model.ErrNotFound when absent).
func (db *DB) PairingProfileByID(ctx context.Context, id string) (model.PairingProfile, error) {
	var p model.PairingProfile
	err := db.conn(ctx).Where("id = ?", id).Take(&p).Error
	return p, translate("get pairing profile", err)
}
