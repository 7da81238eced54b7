package storage

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// lockForUpdate adds FOR UPDATE on MySQL (SQLite's immediate transactions
// already hold the write lock).
func lockForUpdate(q *gorm.DB, dialect string) *gorm.DB {
	if dialect == "mysql" {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// CreatePaymentRoll inserts a roll and its lines in the caller's
// transaction. A second roll of one county, program and period, or a line
// paying a month (or a one-off, or a failed line) that another roll pays,
// is model.KindConflict.
func (db *DB) CreatePaymentRoll(ctx context.Context, r *model.PaymentRoll, lines []model.PaymentLine) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if err := c.Create(r).Error; err != nil {
			return translate("insert payment roll", err)
		}
		if len(lines) == 0 {
			return nil
		}
		return translate("insert payment lines", c.CreateInBatches(lines, 500).Error)
	})
}

// PaymentRollInRegion returns a roll whose county is in the region subtree
// (model.ErrNotFound otherwise); lock takes its row for the transaction.
func (db *DB) PaymentRollInRegion(ctx context.Context, id, regionPrefix string, lock bool) (model.PaymentRoll, error) {
	var r model.PaymentRoll
	q := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%")
	if lock {
		q = lockForUpdate(q, db.dialect)
	}
	err := q.Take(&r).Error
	return r, translate("payment roll", err)
}

// PaymentRollsInRegion lists rolls in a region subtree, newest first.
func (db *DB) PaymentRollsInRegion(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.PaymentRoll, error) {
	var out []model.PaymentRoll
	err := paginate(db.conn(ctx).Where("region_code LIKE ?", regionPrefix+"%"), "id", req).Find(&out).Error
	return out, translate("list payment rolls", err)
}

// PaymentLines returns the lines of a roll in their order.
func (db *DB) PaymentLines(ctx context.Context, rollID string) ([]model.PaymentLine, error) {
	var out []model.PaymentLine
	err := db.conn(ctx).Where("roll_id = ?", rollID).Order("position").Find(&out).Error
	return out, translate("payment lines", err)
}

// EachPaymentLine calls fn for every line of a roll in order, reading them
// in batches so that a large roll is never held whole.
func (db *DB) EachPaymentLine(ctx context.Context, rollID string, fn func(model.PaymentLine) error) error {
	last := -1
	for {
		var batch []model.PaymentLine
		err := db.conn(ctx).Where("roll_id = ? AND position > ?", rollID, last).Order("position").Limit(1000).Find(&batch).Error
		if err != nil {
			return translate("payment lines", err)
		}
		for _, l := range batch {
			if err := fn(l); err != nil {
				return err
			}
			last = l.Position
		}
		if len(batch) < 1000 {
			return nil
		}
	}
}

// ApprovePaymentRoll marks a draft roll approved (model.KindConflict with
// code status_changed when it is no longer a draft).
func (db *DB) ApprovePaymentRoll(ctx context.Context, id, by string, at time.Time) error {
	res := db.conn(ctx).Table("payment_rolls").Where("id = ? AND status = ?", id, model.RollDraft).
		Updates(map[string]any{"status": model.RollApproved, "approved_by": by, "approved_at": at})
	if res.Error != nil {
		return translate("approve payment roll", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("status_changed", "该发放名册已审核，不能再改")
	}
	return nil
}

// SetPaymentLineResult records the bank's result on a scheduled line of a
// roll (model.KindConflict with code line_settled when the line has a
// result already or is held; model.ErrNotFound when the roll has no such
// line).
func (db *DB) SetPaymentLineResult(ctx context.Context, rollID, lineID, status string, reason *string, at time.Time) error {
	res := db.conn(ctx).Table("payment_lines").Where("id = ? AND roll_id = ? AND status = ?", lineID, rollID, model.LineScheduled).
		Updates(map[string]any{"status": status, "reason": reason, "result_at": at})
	if res.Error != nil {
		return translate("payment line result", res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	var n int64
	if err := db.conn(ctx).Table("payment_lines").Where("id = ? AND roll_id = ?", lineID, rollID).Count(&n).Error; err != nil {
		return translate("payment line", err)
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return model.Conflict("line_settled", "这一笔已有结果（或因无银行账户暂缓），不能再改").WithField("line_id", lineID)
}

// UnpaidLines lists the failed and held lines of approved rolls of a
// county and program not yet paid again as arrears, oldest first.
func (db *DB) UnpaidLines(ctx context.Context, county string, program model.ProgramCode) ([]model.PaymentLine, error) {
	var out []model.PaymentLine
	err := db.conn(ctx).Raw(`SELECT l.* FROM payment_lines l JOIN payment_rolls r ON r.id = l.roll_id
		WHERE r.region_code = ? AND r.program = ? AND r.status = ? AND l.status IN (?, ?)
		AND NOT EXISTS (SELECT 1 FROM payment_lines x WHERE x.arrears_of = l.id)
		ORDER BY r.period, l.position`, county, program, model.RollApproved, model.LineFailed, model.LineHeld).Scan(&out).Error
	return out, translate("unpaid lines", err)
}

// TakenPaySlots returns which of the pay slots some line already holds.
func (db *DB) TakenPaySlots(ctx context.Context, slots []string) (map[string]bool, error) {
	out := make(map[string]bool)
	for start := 0; start < len(slots); start += 500 {
		end := min(start+500, len(slots))
		var got []string
		if err := db.conn(ctx).Table("payment_lines").Where("pay_slot IN ?", slots[start:end]).Pluck("pay_slot", &got).Error; err != nil {
			return nil, translate("pay slots", err)
		}
		for _, s := range got {
			out[s] = true
		}
	}
	return out, nil
}

// FundRow is one program and month of the public fund totals.
type FundRow struct {
	Program    model.ProgramCode
	Period     string
	Recipients int
	Amount     int64
	Paid       int64
	// Donated is the donated money allocated in the month to the program.
	Donated int64
}

// FundTotals sums the lines of approved rolls in a region subtree whose
// period is in a year, per program and period: the recipients (distinct
// benefits), the amount scheduled and the amount paid.
func (db *DB) FundTotals(ctx context.Context, regionPrefix string, year int) ([]FundRow, error) {
	var out []FundRow
	err := db.conn(ctx).Raw(`SELECT r.program, r.period, COUNT(DISTINCT l.benefit_id) AS recipients, COALESCE(SUM(l.amount), 0) AS amount,
		COALESCE(SUM(CASE WHEN l.status = ? THEN l.amount ELSE 0 END), 0) AS paid
		FROM payment_rolls r JOIN payment_lines l ON l.roll_id = r.id
		WHERE r.status = ? AND r.region_code LIKE ? AND r.period LIKE ?
		GROUP BY r.program, r.period ORDER BY r.period, r.program`,
		model.LinePaid, model.RollApproved, regionPrefix+"%", formatYear(year)+"-%").Scan(&out).Error
	if err != nil {
		return nil, translate("fund totals", err)
	}
	donated, err := db.DonatedMoney(ctx, regionPrefix, year)
	if err != nil {
		return nil, err
	}
	byKey := map[[2]string]int{}
	for i, r := range out {
		byKey[[2]string{string(r.Program), r.Period}] = i
	}
	for _, d := range donated {
		k := [2]string{string(d.Program), d.Period}
		i, ok := byKey[k]
		if !ok {
			out = append(out, FundRow{Program: d.Program, Period: d.Period})
			i = len(out) - 1
			byKey[k] = i
		}
		out[i].Donated += d.Amount
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Period != out[j].Period {
			return out[i].Period < out[j].Period
		}
		return out[i].Program < out[j].Program
	})
	return out, nil
}

func formatYear(y int) string {
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")
}

// Payee is where a household's payments go: its bank account (sealed) and
// the account holder, the household's applicant (name sealed).
type Payee struct {
	HouseholdID       string
	BankName          *string
	BankAccountSealed *string
	HolderSealed      *string
}

// Payees returns the payees of households, keyed by household id.
func (db *DB) Payees(ctx context.Context, householdIDs []string) (map[string]Payee, error) {
	out := make(map[string]Payee, len(householdIDs))
	for start := 0; start < len(householdIDs); start += 500 {
		end := min(start+500, len(householdIDs))
		var rows []Payee
		err := db.conn(ctx).Raw(`SELECT h.id AS household_id, h.bank_name, h.bank_account_sealed,
			(SELECT m.name_sealed FROM members m WHERE m.household_id = h.id
				ORDER BY CASE WHEN m.relation = 'self' THEN 0 ELSE 1 END, m.position LIMIT 1) AS holder_sealed
			FROM households h WHERE h.id IN ?`, householdIDs[start:end]).Scan(&rows).Error
		if err != nil {
			return nil, translate("payees", err)
		}
		for _, r := range rows {
			out[r.HouseholdID] = r
		}
	}
	return out, nil
}

// PutFundBudget sets a county's budget for a program and month.
func (db *DB) PutFundBudget(ctx context.Context, b model.FundBudget) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&b).Error
	return translate("put fund budget", err)
}

// LedgerRow is one county, program and month of the fund ledger.
type LedgerRow struct {
	RegionCode string
	Program    model.ProgramCode
	Period     string
	Budget     int64
	Scheduled  int64
	Paid       int64
	Failed     int64
	Held       int64
	// Donated is the donated money allocated to the county and program in
	// the month (its own source beside the rolls).
	Donated int64
}

// FundLedger returns the ledger of the counties in a region subtree for a
// year: the budgets, and from the approved rolls the amounts scheduled,
// paid, failed and held, per county, program and month, in that order.
func (db *DB) FundLedger(ctx context.Context, regionPrefix string, year int) ([]LedgerRow, error) {
	var sums []LedgerRow
	err := db.conn(ctx).Raw(`SELECT r.region_code, r.program, r.period, COALESCE(SUM(l.amount), 0) AS scheduled,
		COALESCE(SUM(CASE WHEN l.status = ? THEN l.amount ELSE 0 END), 0) AS paid,
		COALESCE(SUM(CASE WHEN l.status = ? THEN l.amount ELSE 0 END), 0) AS failed,
		COALESCE(SUM(CASE WHEN l.status = ? THEN l.amount ELSE 0 END), 0) AS held
		FROM payment_rolls r JOIN payment_lines l ON l.roll_id = r.id
		WHERE r.status = ? AND r.region_code LIKE ? AND r.period LIKE ?
		GROUP BY r.region_code, r.program, r.period`,
		model.LinePaid, model.LineFailed, model.LineHeld, model.RollApproved, regionPrefix+"%", formatYear(year)+"-%").Scan(&sums).Error
	if err != nil {
		return nil, translate("fund ledger", err)
	}
	var budgets []model.FundBudget
	if err := db.conn(ctx).Where("region_code LIKE ? AND period LIKE ?", regionPrefix+"%", formatYear(year)+"-%").Find(&budgets).Error; err != nil {
		return nil, translate("fund budgets", err)
	}
	donated, err := db.DonatedMoney(ctx, regionPrefix, year)
	if err != nil {
		return nil, err
	}
	return mergeDonated(mergeBudgets(sums, budgets), donated), nil
}

// mergeDonated adds the donated money to the ledger rows (a row per county,
// program and month with donations but no roll or budget).
func mergeDonated(rows []LedgerRow, donated []DonatedRow) []LedgerRow {
	byKey := map[[3]string]int{}
	for i, r := range rows {
		byKey[[3]string{r.RegionCode, string(r.Program), r.Period}] = i
	}
	for _, d := range donated {
		k := [3]string{d.RegionCode, string(d.Program), d.Period}
		i, ok := byKey[k]
		if !ok {
			rows = append(rows, LedgerRow{RegionCode: d.RegionCode, Program: d.Program, Period: d.Period})
			i = len(rows) - 1
			byKey[k] = i
		}
		rows[i].Donated += d.Amount
	}
	sortLedger(rows)
	return rows
}

// mergeBudgets adds every budget to the ledger rows (a row per budget
// without payments).
func mergeBudgets(sums []LedgerRow, budgets []model.FundBudget) []LedgerRow {
	byKey := map[[3]string]int{}
	for i, r := range sums {
		byKey[[3]string{r.RegionCode, string(r.Program), r.Period}] = i
	}
	for _, b := range budgets {
		k := [3]string{b.RegionCode, string(b.Program), b.Period}
		i, ok := byKey[k]
		if !ok {
			sums = append(sums, LedgerRow{RegionCode: b.RegionCode, Program: b.Program, Period: b.Period})
			i = len(sums) - 1
			byKey[k] = i
		}
		sums[i].Budget = b.Amount
	}
	sortLedger(sums)
	return sums
}

func sortLedger(rows []LedgerRow) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.RegionCode != b.RegionCode {
			return a.RegionCode < b.RegionCode
		}
		if a.Program != b.Program {
			return a.Program < b.Program
		}
		return a.Period < b.Period
	})
}

// PaymentRollExists reports whether a roll of the county, program and
// period is stored.
func (db *DB) PaymentRollExists(ctx context.Context, county string, program model.ProgramCode, period string) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&model.PaymentRoll{}).Where("region_code = ? AND program = ? AND period = ?", county, program, period).Count(&n).Error
	return n > 0, translate("payment roll exists", err)
}

// RollsBefore lists the rolls (draft or approved) of a county and program
// for the months before period, oldest first: the months a benefit
// approved after its roll was made missed.
func (db *DB) RollsBefore(ctx context.Context, county string, program model.ProgramCode, period string) ([]model.PaymentRoll, error) {
	var out []model.PaymentRoll
	err := db.conn(ctx).Where("region_code = ? AND program = ? AND period < ?", county, program, period).Order("period").Find(&out).Error
	return out, translate("earlier payment rolls", err)
}

// RollDue is a county and program that needs a roll for a month.
type RollDue struct {
	CountyCode string
	Program    model.ProgramCode
}

// RollsDue lists the counties and programs with a benefit to pay in
// period: a monthly benefit in force that month, or a one-off not yet put
// in a roll.
func (db *DB) RollsDue(ctx context.Context, period string) ([]RollDue, error) {
	var out []RollDue
	err := db.conn(ctx).Raw(`SELECT DISTINCT b.county_code, b.program FROM benefits b
		WHERE b.status IN (?, ?) AND b.first_month <= ? AND (b.end_month IS NULL OR b.end_month > ?)
		AND (b.kind = ? OR (b.kind = ? AND NOT EXISTS (SELECT 1 FROM payment_lines l WHERE l.benefit_id = b.id AND l.pay_slot IS NOT NULL)))
		ORDER BY b.county_code, b.program`,
		model.BenefitStatusActive, model.BenefitStatusGradualExit, period, period, model.BenefitMonthlyCash, model.BenefitOneOffCash).Scan(&out).Error
	return out, translate("rolls due", err)
}

// RollStatuses maps "county|program" to the status of its roll of period.
func (db *DB) RollStatuses(ctx context.Context, period string) (map[string]string, error) {
	var rolls []model.PaymentRoll
	if err := db.conn(ctx).Select("region_code", "program", "status").Where("period = ?", period).Find(&rolls).Error; err != nil {
		return nil, translate("roll statuses", err)
	}
	out := make(map[string]string, len(rolls))
	for _, r := range rolls {
		out[r.RegionCode+"|"+string(r.Program)] = r.Status
	}
	return out, nil
}

// CreateRollReminderIfAbsent stores a roll reminder unless the same one
// (county, program, month, kind) exists; it reports whether it stored it.
func (db *DB) CreateRollReminderIfAbsent(ctx context.Context, r *model.RollReminder) (bool, error) {
	return db.createIfAbsent(ctx, "create roll reminder", r)
}

// RollReminders pages through the roll reminders of a region subtree,
// newest first.
func (db *DB) RollReminders(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.RollReminder, error) {
	q := db.conn(ctx).Model(&model.RollReminder{}).Where("region_code LIKE ?", regionPrefix+"%")
	var out []model.RollReminder
	return out, translate("list roll reminders", paginate(q, "id", req).Find(&out).Error)
}
