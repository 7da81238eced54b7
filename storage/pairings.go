package storage

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreatePairing inserts a live pairing (model.KindConflict when the child
// is paired already or the number is taken).
func (db *DB) CreatePairing(ctx context.Context, p *model.Pairing) error {
	return translate("create pairing", db.conn(ctx).Create(p).Error)
}

// PairingsInRegion lists the pairings of children in a region subtree,
// newest first.
func (db *DB) PairingsInRegion(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.Pairing, error) {
	var out []model.Pairing
	err := paginate(db.conn(ctx).Where("region_code LIKE ?", regionPrefix+"%"), "id", req).Find(&out).Error
	return out, translate("list pairings", err)
}

// PairingInRegion returns a pairing of a child in a region subtree
// (model.ErrNotFound otherwise); lock takes its row for the transaction.
func (db *DB) PairingInRegion(ctx context.Context, id, regionPrefix string, lock bool) (model.Pairing, error) {
	var p model.Pairing
	q := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%")
	if lock {
		q = lockForUpdate(q, db.dialect)
	}
	return p, translate("pairing", q.Take(&p).Error)
}

// PairingByNumber returns the pairing with a number (model.ErrNotFound
// when none).
func (db *DB) PairingByNumber(ctx context.Context, number string) (model.Pairing, error) {
	var p model.Pairing
	return p, translate("pairing by number", db.conn(ctx).Where("number = ?", number).Take(&p).Error)
}

// PairingsOfHousehold returns the pairings of a household's children,
// newest first.
func (db *DB) PairingsOfHousehold(ctx context.Context, householdID string) ([]model.Pairing, error) {
	var out []model.Pairing
	err := db.conn(ctx).Where("profile_id IN (SELECT id FROM pairing_profiles WHERE household_id = ?)", householdID).
		Order("id DESC").Find(&out).Error
	return out, translate("household pairings", err)
}

// EndPairingsOfProfile ends the live pairing of a profile, if any (the
// guardian revoked the consent).
func (db *DB) EndPairingsOfProfile(ctx context.Context, profileID string, at time.Time) error {
	err := db.conn(ctx).Table("pairings").Where("profile_id = ? AND status = ?", profileID, model.PairingOpen).
		Updates(map[string]any{"status": model.PairingEnded, "open_slot": nil, "ended_at": at}).Error
	return translate("end pairings", err)
}

// StopPairingLetters stops a pairing's letters once (model.KindConflict
// letters_stopped when they were stopped already).
func (db *DB) StopPairingLetters(ctx context.Context, id, reason string, at time.Time) error {
	res := db.conn(ctx).Table("pairings").Where("id = ? AND letters_stopped_at IS NULL", id).
		Updates(map[string]any{"letters_stopped_at": at, "letters_stop_reason": reason})
	if res.Error != nil {
		return translate("stop letters", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("letters_stopped", "this pairing's letters were stopped already")
	}
	return nil
}

// CreatePairingLetter inserts a letter.
func (db *DB) CreatePairingLetter(ctx context.Context, l *model.PairingLetter) error {
	return translate("create letter", db.conn(ctx).Create(l).Error)
}

// PairingLetters returns a pairing's letters, oldest first.
func (db *DB) PairingLetters(ctx context.Context, pairingID string) ([]model.PairingLetter, error) {
	var out []model.PairingLetter
	err := db.conn(ctx).Where("pairing_id = ?", pairingID).Order("id").Limit(500).Find(&out).Error
	return out, translate("letters", err)
}

// PairingPayments returns the payments of a pairing (its allocations),
// oldest first.
func (db *DB) PairingPayments(ctx context.Context, pairingID string) ([]model.DonationAllocation, error) {
	var out []model.DonationAllocation
	err := db.conn(ctx).Where("pairing_id = ?", pairingID).Order("id").Find(&out).Error
	return out, translate("pairing payments", err)
}

// AllocationsToHousehold returns the allocations to a household's cases
// (named-case gifts and pairing payments), newest first.
func (db *DB) AllocationsToHousehold(ctx context.Context, householdID string) ([]model.DonationAllocation, error) {
	var out []model.DonationAllocation
	err := db.conn(ctx).Where("application_id IN (SELECT id FROM applications WHERE household_id = ?)", householdID).
		Order("id DESC").Limit(200).Find(&out).Error
	return out, translate("household donations", err)
}

// ApprovedCaseOfHousehold returns the household's approved case, the
// education case first, else the latest (model.ErrNotFound when none).
func (db *DB) ApprovedCaseOfHousehold(ctx context.Context, householdID string) (model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Where("household_id = ? AND status = ?", householdID, model.StatusApproved).Order("id DESC").Find(&out).Error
	if err != nil {
		return model.Application{}, translate("approved case", err)
	}
	if len(out) == 0 {
		return model.Application{}, model.ErrNotFound
	}
	for _, a := range out {
		if a.Program == model.ProgramEducation {
			return a, nil
		}
	}
	return out[0], nil
}

// SetPairingLetters records the guardian's consent to letters.
func (db *DB) SetPairingLetters(ctx context.Context, profileID string, letters bool, at time.Time) error {
	res := db.conn(ctx).Table("pairing_profiles").Where("id = ? AND status = ?", profileID, model.PairingActive).
		Updates(map[string]any{"letters_consented": letters, "updated_at": at})
	if res.Error != nil {
		return translate("set letters consent", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("pairing_not_active", "this consent was revoked")
	}
	return nil
}
