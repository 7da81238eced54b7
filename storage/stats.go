package storage

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// Every query here aggregates in SQL (GROUP BY) over a region subtree
// (`region_code LIKE prefix%`) and a cut-off: a household registered, or a
// case approved, before `before` counts. Cases are the applications with
// status approved; the schema records no end of a benefit yet.

// CountHouseholds is the number of households registered in the subtree
// before the cut-off.
func (db *DB) CountHouseholds(ctx context.Context, regionPrefix string, before time.Time) (int64, error) {
	var n int64
	err := db.read(ctx).Raw(`SELECT COUNT(*) FROM households WHERE region_code LIKE ? AND created_at < ?`,
		regionPrefix+"%", before).Scan(&n).Error
	return n, translate("count households", err)
}

// ProgramTotals are one program's approved cases in a subtree.
type ProgramTotals struct {
	Program       model.ProgramCode
	Households    int64 // distinct households
	People        int64 // persons covered (the members, or for 特困 the persons supported)
	MonthlyAmount int64 // fen per month, summed over the monthly benefits
	OneOffAmount  int64 // fen, the one-off amounts decided in the year
	YearAmount    int64 // fen paid in the year (see ProgramTotalsOf)
}

// ProgramTotalsOf sums, per program, the cases approved in the subtree
// before the end of the year whose months start at monthStarts (UTC): the
// households and the persons each benefit covers (persons_covered, which
// the program's policy set at assessment), and the money by the benefit's
// kind: a monthly amount (monthly_amount) counts for model.PaidMonths of
// the year — 12 for a case approved before the year, 12−k for one approved
// in month k (payment starts the month after the decision); a one-off
// amount (amount) counts once, in the year it was decided. Programs
// without a case are absent.
func (db *DB) ProgramTotalsOf(ctx context.Context, regionPrefix string, monthStarts [12]time.Time, yearEnd time.Time) ([]ProgramTotals, error) {
	// Months paid in the year by decision date: before the year 12, in
	// month k (1-based) 12−k, so December's decisions pay nothing this year.
	var paid strings.Builder
	args := []any{}
	paid.WriteString("CASE")
	for k, s := range monthStarts {
		paid.WriteString(" WHEN decided_at < ? THEN ")
		paid.WriteString(strconv.Itoa(12 - k))
		args = append(args, s)
	}
	paid.WriteString(" ELSE 0 END")
	var out []ProgramTotals
	args = append(args, monthStarts[0], model.StatusApproved, regionPrefix+"%", yearEnd)
	err := db.read(ctx).Raw(`SELECT program, COUNT(DISTINCT household_id) AS households, COALESCE(SUM(COALESCE(persons_covered, 0)), 0) AS people,
		COALESCE(SUM(COALESCE(monthly_amount, 0)), 0) AS monthly_amount,
		COALESCE(SUM(COALESCE(monthly_amount, 0) * (`+paid.String()+`)), 0) AS year_amount,
		COALESCE(SUM(CASE WHEN decided_at >= ? THEN COALESCE(amount, 0) ELSE 0 END), 0) AS one_off_amount
		FROM applications WHERE status = ? AND region_code LIKE ? AND decided_at < ?
		GROUP BY program`, args...).Scan(&out).Error
	if err != nil {
		return nil, translate("program totals", err)
	}
	for i := range out {
		out[i].YearAmount += out[i].OneOffAmount
	}
	return out, nil
}

// SupportTotals are the approved tekun people of one county-level region
// (the first six digits of the case's region code).
type SupportTotals struct {
	County      string
	People      int64 // persons covered by approved tekun cases
	Centralized int64 // of them, in cases with support_mode centralized
	Unrecorded  int64 // of them, in cases with no support mode recorded
}

// SupportTotalsOf counts, per county-level region, the people of tekun
// cases approved in the subtree before the cut-off and how they are
// supported. Counties without a case are absent.
func (db *DB) SupportTotalsOf(ctx context.Context, regionPrefix string, before time.Time) ([]SupportTotals, error) {
	var out []SupportTotals
	err := db.read(ctx).Raw(`SELECT SUBSTR(a.region_code, 1, 6) AS county, COALESCE(SUM(COALESCE(a.persons_covered, 0)), 0) AS people,
		COALESCE(SUM(CASE WHEN a.support_mode = ? THEN COALESCE(a.persons_covered, 0) ELSE 0 END), 0) AS centralized,
		COALESCE(SUM(CASE WHEN a.support_mode IS NULL THEN COALESCE(a.persons_covered, 0) ELSE 0 END), 0) AS unrecorded
		FROM applications a
		WHERE a.program = ? AND a.status = ? AND a.region_code LIKE ? AND a.decided_at < ?
		GROUP BY SUBSTR(a.region_code, 1, 6)`,
		model.SupportCentralized, model.ProgramTekun, model.StatusApproved, regionPrefix+"%", before).Scan(&out).Error
	return out, translate("support totals", err)
}

// FirstTekunApprovals returns, per county-level region in the subtree, the
// time of its earliest tekun approval before the cut-off (the start of its
// centralized-support targets). Counties without one are absent.
func (db *DB) FirstTekunApprovals(ctx context.Context, regionPrefix string, before time.Time) (map[string]time.Time, error) {
	var rows []struct {
		County    string
		DecidedAt time.Time
	}
	err := db.read(ctx).Raw(`SELECT SUBSTR(a.region_code, 1, 6) AS county, a.decided_at AS decided_at FROM applications a
		WHERE a.program = ? AND a.status = ? AND a.region_code LIKE ? AND a.decided_at < ?
		AND NOT EXISTS (SELECT 1 FROM applications e WHERE e.program = a.program AND e.status = a.status
			AND SUBSTR(e.region_code, 1, 6) = SUBSTR(a.region_code, 1, 6) AND e.decided_at < a.decided_at)`,
		model.ProgramTekun, model.StatusApproved, regionPrefix+"%", before).Scan(&rows).Error
	if err != nil {
		return nil, translate("first tekun approvals", err)
	}
	out := map[string]time.Time{}
	for _, r := range rows {
		out[r.County] = r.DecidedAt
	}
	return out, nil
}

// CountyRegions lists the county-level regions (districts and counties) in
// the subtree, in code order.
func (db *DB) CountyRegions(ctx context.Context, regionPrefix string) ([]model.Region, error) {
	var out []model.Region
	err := db.read(ctx).Where("level = ? AND code LIKE ?", model.LevelCounty, regionPrefix+"%").Order("code").Find(&out).Error
	return out, translate("list county regions", err)
}
