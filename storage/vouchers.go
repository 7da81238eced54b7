package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// VoucherStudent is a household member with a school enrolment, as the
// voucher issuer needs it.
type VoucherStudent struct {
	MemberID    string
	HouseholdID string
	NameMasked  string
	SchoolID    string
	SchoolStage string
	RegionCode  string
}

// ApplicationBrief is what the voucher issuer needs of an application.
type ApplicationBrief struct {
	ID          string
	HouseholdID string
	Program     model.ProgramCode
	Status      model.Status
	Eligible    bool
}

// ApplicationBrief returns the household, program and status of an
// application (model.ErrNotFound when absent).
func (db *DB) ApplicationBrief(ctx context.Context, id string) (ApplicationBrief, error) {
	var a ApplicationBrief
	err := db.conn(ctx).Table("applications").Select("id, household_id, program, status, COALESCE(eligible, FALSE) AS eligible").
		Where("id = ?", id).Take(&a).Error
	return a, translate("get application", err)
}

// SchoolStudents lists the members of a household with a school enrolment.
func (db *DB) SchoolStudents(ctx context.Context, householdID string) ([]VoucherStudent, error) {
	var out []VoucherStudent
	err := db.conn(ctx).Raw(`SELECT m.id AS member_id, m.household_id, m.name_masked, m.school_id, m.school_stage, h.region_code
		FROM members m JOIN households h ON h.id = m.household_id
		WHERE m.household_id = ? AND m.school_id IS NOT NULL AND m.school_stage IS NOT NULL
		ORDER BY m.position`, householdID).Scan(&out).Error
	return out, translate("list school students", err)
}

// EligibleHousehold is a household with an approved application of a
// voucher program, and that application.
type EligibleHousehold struct {
	HouseholdID   string
	ApplicationID string
}

// VoucherEligibleHouseholds lists every household with an approved
// application of one of programs (one application each).
func (db *DB) VoucherEligibleHouseholds(ctx context.Context, programs []model.ProgramCode) ([]EligibleHousehold, error) {
	var out []EligibleHousehold
	err := db.conn(ctx).Raw(`SELECT household_id, MIN(id) AS application_id FROM applications
		WHERE status = ? AND program IN ? AND eligible = TRUE GROUP BY household_id ORDER BY household_id`,
		model.StatusApproved, programs).Scan(&out).Error
	return out, translate("list eligible households", err)
}

// InsertVoucherIfNone inserts v unless the student already has a live
// voucher for the term (the unique live_slot), and reports whether it did.
func (db *DB) InsertVoucherIfNone(ctx context.Context, v *model.Voucher) (bool, error) {
	return db.createIfAbsent(ctx, "insert voucher", v)
}

// VoucherByCode returns the voucher with the printed code (model.ErrNotFound
// when absent).
func (db *DB) VoucherByCode(ctx context.Context, code string) (model.Voucher, error) {
	var v model.Voucher
	err := db.conn(ctx).Where("code = ?", code).Take(&v).Error
	return v, translate("get voucher", err)
}

// VoucherByCodeInRegion returns the voucher with the printed code only when
// it lies in the region subtree (model.ErrNotFound otherwise).
func (db *DB) VoucherByCodeInRegion(ctx context.Context, code, regionPrefix string) (model.Voucher, error) {
	var v model.Voucher
	err := db.conn(ctx).Where("code = ? AND region_code LIKE ?", code, regionPrefix+"%").Take(&v).Error
	return v, translate("get voucher", err)
}

// VouchersOfResident lists the vouchers of the resident's household, newest
// first.
func (db *DB) VouchersOfResident(ctx context.Context, residentID string) ([]model.Voucher, error) {
	var out []model.Voucher
	err := db.conn(ctx).Where("household_id IN (SELECT id FROM households WHERE resident_id = ?)", residentID).
		Order("issued_at DESC, id DESC").Find(&out).Error
	return out, translate("list resident vouchers", err)
}

// Term returns a school term (model.ErrNotFound when absent).
func (db *DB) Term(ctx context.Context, name string) (model.Term, error) {
	var t model.Term
	err := db.conn(ctx).Where("name = ?", name).Take(&t).Error
	return t, translate("get term", err)
}

// VoucherCaps returns the caps of a term and stage, item → fen.
func (db *DB) VoucherCaps(ctx context.Context, term, stage string) (map[string]int64, error) {
	var rows []model.VoucherCap
	if err := db.conn(ctx).Where("term = ? AND stage = ?", term, stage).Find(&rows).Error; err != nil {
		return nil, translate("list voucher caps", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Item] = r.Cap
	}
	return out, nil
}

// MarkVoucherRedeemed moves a voucher from issued to redeemed. It returns
// model.KindConflict when the voucher was not issued any more (a concurrent
// redemption won, or it was voided).
func (db *DB) MarkVoucherRedeemed(ctx context.Context, id string) error {
	res := db.conn(ctx).Exec("UPDATE vouchers SET status = ? WHERE id = ? AND status = ?", model.VoucherRedeemed, id, model.VoucherIssued)
	if res.Error != nil {
		return translate("redeem voucher", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("redeem voucher: %w", model.Conflict("voucher_already_redeemed", "this voucher has already been redeemed or voided"))
	}
	return nil
}

// CreateRedemption inserts a redemption; a second one for the same voucher
// is a model.KindConflict (the unique voucher_id).
func (db *DB) CreateRedemption(ctx context.Context, r *model.Redemption) error {
	return translate("insert redemption", db.conn(ctx).Create(r).Error)
}

// VoidVoucher voids an issued voucher and frees its live slot so a
// replacement can be issued. It returns model.KindConflict when the voucher
// is not issued.
func (db *DB) VoidVoucher(ctx context.Context, id, reason, by string, at time.Time) error {
	res := db.conn(ctx).Exec("UPDATE vouchers SET status = ?, live_slot = NULL, void_reason = ?, voided_by = ?, voided_at = ? WHERE id = ? AND status = ?",
		model.VoucherVoid, reason, by, at, id, model.VoucherIssued)
	if res.Error != nil {
		return translate("void voucher", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("void voucher: %w", model.Conflict("voucher_not_issued", "only an issued, unredeemed voucher can be voided"))
	}
	return nil
}

// MemberEnrolment returns a member's current school enrolment (empty
// strings when the member has none; model.ErrNotFound when absent).
func (db *DB) MemberEnrolment(ctx context.Context, memberID string) (VoucherStudent, error) {
	var out []VoucherStudent
	err := db.conn(ctx).Raw(`SELECT m.id AS member_id, m.household_id, m.name_masked, COALESCE(m.school_id, '') AS school_id,
		COALESCE(m.school_stage, '') AS school_stage, h.region_code
		FROM members m JOIN households h ON h.id = m.household_id WHERE m.id = ?`, memberID).Scan(&out).Error
	if err != nil {
		return VoucherStudent{}, translate("get enrolment", err)
	}
	if len(out) == 0 {
		return VoucherStudent{}, fmt.Errorf("get enrolment: %w", model.ErrNotFound)
	}
	return out[0], nil
}

// StatementLine is one redemption on a statement.
type StatementLine struct {
	RedemptionID string
	Code         string
	SchoolID     string
	SchoolName   string
	Items        string
	Total        int64
	RedeemedAt   time.Time
}

// StatementLines lists the redemptions of a term, oldest first, either of
// one school (schoolID set) or of every school in a region subtree
// (regionPrefix set).
func (db *DB) StatementLines(ctx context.Context, term, schoolID, regionPrefix string) ([]StatementLine, error) {
	q := db.conn(ctx).Table("redemptions r").
		Select("r.id AS redemption_id, v.code, r.school_id, s.name AS school_name, r.items, r.total, r.redeemed_at").
		Joins("JOIN vouchers v ON v.id = r.voucher_id").
		Joins("JOIN schools s ON s.id = r.school_id").
		Where("r.term = ?", term)
	if schoolID != "" {
		q = q.Where("r.school_id = ?", schoolID)
	}
	if regionPrefix != "" {
		q = q.Where("s.region_code LIKE ?", regionPrefix+"%")
	}
	var out []StatementLine
	err := q.Order("r.school_id, r.redeemed_at, r.id").Scan(&out).Error
	return out, translate("list statement", err)
}

// ApprovedHousehold is an approved application's household and program.
type ApprovedHousehold struct {
	HouseholdID string
	Program     model.ProgramCode
}

// ApprovedHouseholds lists the (household, program) pairs of applications
// approved before the given time in a region subtree.
func (db *DB) ApprovedHouseholds(ctx context.Context, regionPrefix string, before time.Time) ([]ApprovedHousehold, error) {
	var out []ApprovedHousehold
	err := db.conn(ctx).Raw(`SELECT DISTINCT household_id, program FROM applications
		WHERE status = ? AND region_code LIKE ? AND decided_at < ? AND eligible = TRUE ORDER BY household_id, program`,
		model.StatusApproved, regionPrefix+"%", before).Scan(&out).Error
	return out, translate("list approved households", err)
}

// MemberRecord is a member with sealed personal data, for lists staff need
// in full (the medical contribution list).
type MemberRecord struct {
	ID            string
	HouseholdID   string
	NameSealed    string
	NameMasked    string
	IDSealed      string `gorm:"column:id_sealed"`
	IDMasked      string `gorm:"column:id_masked"`
	HasDisability bool
	RegionCode    string
	Hukou         string
}

// MembersOfHouseholds lists the members of the households, in household
// and position order.
func (db *DB) MembersOfHouseholds(ctx context.Context, householdIDs []string) ([]MemberRecord, error) {
	var out []MemberRecord
	for start := 0; start < len(householdIDs); start += 500 {
		end := min(start+500, len(householdIDs))
		var batch []MemberRecord
		err := db.conn(ctx).Raw(`SELECT m.id, m.household_id, m.name_sealed, m.name_masked, m.id_sealed, m.id_masked, m.has_disability, h.region_code, h.hukou
			FROM members m JOIN households h ON h.id = m.household_id
			WHERE m.household_id IN ? ORDER BY h.region_code, m.household_id, m.position`, householdIDs[start:end]).Scan(&batch).Error
		if err != nil {
			return nil, translate("list members", err)
		}
		out = append(out, batch...)
	}
	return out, nil
}

// VoucherByMemberSlot returns the live voucher of a live slot
// (model.ErrNotFound when none).
func (db *DB) VoucherByMemberSlot(ctx context.Context, slot string) (model.Voucher, error) {
	var v model.Voucher
	err := db.conn(ctx).Where("live_slot = ?", slot).Take(&v).Error
	return v, translate("get live voucher", err)
}

// RedemptionOfVoucher returns the one redemption of a voucher
// (model.ErrNotFound when it was never redeemed).
func (db *DB) RedemptionOfVoucher(ctx context.Context, voucherID string) (model.Redemption, error) {
	var r model.Redemption
	err := db.conn(ctx).Where("voucher_id = ?", voucherID).Take(&r).Error
	return r, translate("get redemption", err)
}
