package storage

import (
	"context"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreateDonor inserts a donor.
func (db *DB) CreateDonor(ctx context.Context, d *model.Donor) error {
	return translate("create donor", db.conn(ctx).Create(d).Error)
}

// DonorsInRegion lists the donors registered in a region subtree, newest
// first.
func (db *DB) DonorsInRegion(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.Donor, error) {
	var out []model.Donor
	err := paginate(db.conn(ctx).Where("region_code LIKE ?", regionPrefix+"%"), "id", req).Find(&out).Error
	return out, translate("list donors", err)
}

// DonorsByPhone returns the donors whose phone has the blind index.
func (db *DB) DonorsByPhone(ctx context.Context, phoneIndex string) ([]model.Donor, error) {
	var out []model.Donor
	err := db.conn(ctx).Where("phone_index = ?", phoneIndex).Order("id").Limit(20).Find(&out).Error
	return out, translate("donors by phone", err)
}

// Donor returns one donor (model.ErrNotFound when absent).
func (db *DB) Donor(ctx context.Context, id string) (model.Donor, error) {
	var d model.Donor
	return d, translate("donor", db.conn(ctx).Where("id = ?", id).Take(&d).Error)
}

// CreateStation inserts a donation station; a second station of the same
// account is model.KindConflict.
func (db *DB) CreateStation(ctx context.Context, s *model.DonationStation) error {
	return translate("create station", db.conn(ctx).Create(s).Error)
}

// StationsInRegion lists the stations in a region subtree, newest first.
func (db *DB) StationsInRegion(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.DonationStation, error) {
	var out []model.DonationStation
	err := paginate(db.conn(ctx).Where("region_code LIKE ?", regionPrefix+"%"), "id", req).Find(&out).Error
	return out, translate("list stations", err)
}

// StationOfStaff returns the station a station account runs
// (model.ErrNotFound when it runs none).
func (db *DB) StationOfStaff(ctx context.Context, staffID string) (model.DonationStation, error) {
	var s model.DonationStation
	return s, translate("station of staff", db.conn(ctx).Where("staff_id = ?", staffID).Take(&s).Error)
}

// Station returns one station (model.ErrNotFound when absent).
func (db *DB) Station(ctx context.Context, id string) (model.DonationStation, error) {
	var s model.DonationStation
	return s, translate("station", db.conn(ctx).Where("id = ?", id).Take(&s).Error)
}

// CreateDonation inserts a donation; a receipt number taken is
// model.KindConflict.
func (db *DB) CreateDonation(ctx context.Context, d *model.Donation) error {
	return translate("create donation", db.conn(ctx).Create(d).Error)
}

// DonationsOfStation lists one station's donations, newest first.
func (db *DB) DonationsOfStation(ctx context.Context, stationID string, req model.PageRequest) ([]model.Donation, error) {
	var out []model.Donation
	err := paginate(db.conn(ctx).Where("station_id = ?", stationID), "id", req).Find(&out).Error
	return out, translate("station donations", err)
}

// DonationOfStation returns a donation of one station (model.ErrNotFound
// when it is another station's).
func (db *DB) DonationOfStation(ctx context.Context, id, stationID string) (model.Donation, error) {
	var d model.Donation
	return d, translate("station donation", db.conn(ctx).Where("id = ? AND station_id = ?", id, stationID).Take(&d).Error)
}

// DonationsInRegion lists the donations received in a region subtree,
// newest first.
func (db *DB) DonationsInRegion(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.Donation, error) {
	var out []model.Donation
	err := paginate(db.conn(ctx).Where("region_code LIKE ?", regionPrefix+"%"), "id", req).Find(&out).Error
	return out, translate("list donations", err)
}

// DonationInRegion returns a donation received in a region subtree
// (model.ErrNotFound otherwise); lock takes its row for the transaction.
func (db *DB) DonationInRegion(ctx context.Context, id, regionPrefix string, lock bool) (model.Donation, error) {
	var d model.Donation
	q := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%")
	if lock {
		q = lockForUpdate(q, db.dialect)
	}
	return d, translate("donation", q.Take(&d).Error)
}

// DonationByReceipt returns the donation with a receipt number
// (model.ErrNotFound when none).
func (db *DB) DonationByReceipt(ctx context.Context, number string) (model.Donation, error) {
	var d model.Donation
	return d, translate("donation by receipt", db.conn(ctx).Where("receipt_number = ?", number).Take(&d).Error)
}

// AddAllocation stores an allocation and moves the donation's allocated
// value and quantity by its amount and quantity in one conditional update:
// it matches only while the donation still has what the caller read
// (allocated, allocatedQuantity) and the new totals stay within what was
// received. No row matched is model.KindConflict over_allocated. Call it in
// the transaction that locked the donation.
func (db *DB) AddAllocation(ctx context.Context, a *model.DonationAllocation, allocated, allocatedQuantity int64) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		res := c.Exec(`UPDATE donations SET allocated = allocated + ?, allocated_quantity = allocated_quantity + ?
			WHERE id = ? AND allocated = ? AND allocated_quantity = ? AND allocated + ? <= value AND allocated_quantity + ? <= quantity`,
			a.Amount, a.Quantity, a.DonationID, allocated, allocatedQuantity, a.Amount, a.Quantity)
		if res.Error != nil {
			return translate("allocate donation", res.Error)
		}
		if res.RowsAffected == 0 {
			return model.Conflict("over_allocated", "the donation has less left to allocate")
		}
		return translate("create allocation", c.Create(a).Error)
	})
}

// AllocationsOf returns a donation's allocations in the order they were
// made.
func (db *DB) AllocationsOf(ctx context.Context, donationID string) ([]model.DonationAllocation, error) {
	var out []model.DonationAllocation
	err := db.conn(ctx).Where("donation_id = ?", donationID).Order("id").Find(&out).Error
	return out, translate("allocations", err)
}

// DonatedRow is one county, program and month of donated money allocated.
type DonatedRow struct {
	RegionCode string
	Program    model.ProgramCode
	Period     string
	Amount     int64
}

// DonatedMoney sums the money allocations of the counties in a region
// subtree in a year per county, program and month: the fund ledger's
// donated source.
func (db *DB) DonatedMoney(ctx context.Context, regionPrefix string, year int) ([]DonatedRow, error) {
	var out []DonatedRow
	err := db.conn(ctx).Raw(`SELECT county_code AS region_code, program, period, COALESCE(SUM(amount), 0) AS amount
		FROM donation_allocations WHERE kind = ? AND county_code LIKE ? AND period LIKE ?
		GROUP BY county_code, program, period`,
		model.DonationMoney, regionPrefix+"%", formatYear(year)+"-%").Scan(&out).Error
	return out, translate("donated money", err)
}

// ReceivedRow is one county, month and kind of donations received.
type ReceivedRow struct {
	RegionCode string
	Period     string
	Kind       string
	Count      int
	Value      int64
}

// DonationsReceived sums the donations received at the stations of a
// region subtree in a year per county, month and kind (value in fen).
func (db *DB) DonationsReceived(ctx context.Context, regionPrefix string, year int) ([]ReceivedRow, error) {
	var out []ReceivedRow
	err := db.conn(ctx).Raw(`SELECT SUBSTR(region_code, 1, 6) AS region_code, period, kind, COUNT(*) AS count, COALESCE(SUM(value), 0) AS value
		FROM donations WHERE region_code LIKE ? AND period LIKE ?
		GROUP BY SUBSTR(region_code, 1, 6), period, kind ORDER BY period, region_code, kind`,
		regionPrefix+"%", formatYear(year)+"-%").Scan(&out).Error
	return out, translate("donations received", err)
}

// AllocatedRow is one county, program, month and kind of allocations.
type AllocatedRow struct {
	RegionCode string
	Program    model.ProgramCode
	Period     string
	Kind       string
	Count      int
	Amount     int64
}

// AllocationsOut sums the allocations to the counties of a region subtree
// in a year per county, program, month and kind (amount in fen).
func (db *DB) AllocationsOut(ctx context.Context, regionPrefix string, year int) ([]AllocatedRow, error) {
	var out []AllocatedRow
	err := db.conn(ctx).Raw(`SELECT county_code AS region_code, program, period, kind, COUNT(*) AS count, COALESCE(SUM(amount), 0) AS amount
		FROM donation_allocations WHERE county_code LIKE ? AND period LIKE ?
		GROUP BY county_code, program, period, kind ORDER BY period, county_code, program, kind`,
		regionPrefix+"%", formatYear(year)+"-%").Scan(&out).Error
	return out, translate("allocations out", err)
}

// DonorTotal is what one donor gave in a period.
type DonorTotal struct {
	DonorID string
	Total   int64
}

// LargestNamedDonors returns the donors who agreed to be named with the
// most value given at the stations of a region subtree in a year, largest
// first (ties by id).
func (db *DB) LargestNamedDonors(ctx context.Context, regionPrefix string, year, limit int) ([]DonorTotal, error) {
	var out []DonorTotal
	err := db.conn(ctx).Raw(`SELECT d.donor_id, SUM(d.value) AS total FROM donations d JOIN donors o ON o.id = d.donor_id
		WHERE o.may_be_named = ? AND d.region_code LIKE ? AND d.period LIKE ?
		GROUP BY d.donor_id ORDER BY total DESC, d.donor_id LIMIT ?`,
		true, regionPrefix+"%", formatYear(year)+"-%", limit).Scan(&out).Error
	return out, translate("largest donors", err)
}
