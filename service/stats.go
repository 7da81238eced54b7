package service

import (
	"context"
	"strconv"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// Stats answers the statistics the seed notice asks of the information
// system: coverage per program, the centralized-support rate (集中供养率)
// against its target, money per program.
type Stats struct {
	d StatsDeps
}

// NewStats builds the statistics service.
func NewStats(d StatsDeps) *Stats { return &Stats{d: d} }

// ProgramStats is one program's approved cases in a region and year.
type ProgramStats struct {
	Program            model.ProgramCode `json:"program"`
	ApprovedHouseholds int64             `json:"approved_households"`
	ApprovedPeople     int64             `json:"approved_people"`
	Coverage           *float64          `json:"coverage"`
	MonthlyAmountTotal int64             `json:"monthly_amount_total"`
	OneOffTotal        int64             `json:"one_off_total"`
	AmountYearTotal    int64             `json:"amount_year_total"`
	// ScheduledYearTotal and PaidYearTotal are the money of the year from
	// the fund ledger: the lines of the approved payment rolls, and those
	// the bank paid.
	ScheduledYearTotal int64  `json:"scheduled_year_total"`
	PaidYearTotal      int64  `json:"paid_year_total"`
	BenefitKind        string `json:"benefit_kind"`
}

// SupportRate is the centralized-support rate of one district or county
// (or, for a request below county level, of the requested region, held to
// its county's target).
type SupportRate struct {
	RegionCode        string   `json:"region_code"`
	Name              string   `json:"name"`
	Kind              string   `json:"kind"`
	TekunPeople       int64    `json:"tekun_people"`
	CentralizedPeople int64    `json:"centralized_people"`
	UnrecordedPeople  int64    `json:"unrecorded_people"`
	Rate              *float64 `json:"rate"`
	Target            float64  `json:"target"`
	TargetFirstYear   int      `json:"target_first_year"`
	MeetsTarget       *bool    `json:"meets_target"`
}

// StatsReport is the answer of GET /api/v1/staff/stats.
type StatsReport struct {
	RegionCode         string         `json:"region_code"`
	Year               int            `json:"year"`
	Households         int64          `json:"households"`
	Programs           []ProgramStats `json:"programs"`
	CentralizedSupport []SupportRate  `json:"centralized_support"`
}

// StatsInput selects a report: a region in the caller's subtree (default
// the caller's own) and a year (default the current one, China time).
type StatsInput struct {
	RegionCode string
	Year       string
}

// Report computes the statistics of a region subtree for a year, counting
// what stood at the end of that year (for the current year: now):
//
//   - households: households registered in the subtree;
//   - per program of the catalog: approved households and the persons their
//     benefits cover (for 特困 the persons supported, not the household),
//     coverage = approved households / households (4 decimals, null when no
//     household is registered), the monthly amounts of the monthly benefits
//     summed, the one-off amounts decided in the year (one_off_total, never
//     counted as monthly), and the year's amount: each monthly benefit times
//     the months paid in the year (model.PaidMonths — an approximation:
//     payment from the month after approval to December; for the current
//     year this is the full year at today's caseload) plus the one-offs;
//   - per district/county in scope: people in approved tekun cases, how many
//     are supported centrally, the rate (4 decimals, null with nobody) and
//     the target of model.CentralizedSupportTarget. People whose case has
//     no recorded support mode count in the denominator and are reported
//     as unrecorded_people.
//
// Errors: model.KindForbidden without stats.read; model.KindInvalid for a
// malformed year or region code; model.KindNotFound for a region outside
// the caller's subtree or unknown.
func (s *Stats) Report(ctx context.Context, in StatsInput) (StatsReport, error) {
	p, err := staffIn(ctx, model.ActStatsRead)
	if err != nil {
		return StatsReport{}, err
	}
	year := model.StatsYearOf(s.d.Clock.Now())
	if in.Year != "" {
		if year, err = strconv.Atoi(in.Year); err != nil || year < 2000 || year > 2200 {
			return StatsReport{}, model.Invalid("year", "must be a year such as 2026")
		}
	}
	code := in.RegionCode
	if code == "" {
		code = p.RegionCode
	}
	level := model.LevelOfCode(code)
	if level == "" {
		return StatsReport{}, model.Invalid("region_code", "not a region code")
	}
	if !model.InRegion(p.RegionCode, code) {
		return StatsReport{}, model.NotFound("region")
	}
	region, err := s.d.DB.Region(ctx, code)
	if err != nil {
		return StatsReport{}, notFoundAs(err, "region")
	}
	prefix := model.RegionPrefix(code)
	_, yearEnd := model.StatsYear(year)
	out := StatsReport{RegionCode: code, Year: year, Programs: []ProgramStats{}, CentralizedSupport: []SupportRate{}}

	if out.Households, err = s.d.DB.CountHouseholds(ctx, prefix, yearEnd); err != nil {
		return StatsReport{}, err
	}
	totals, err := s.d.DB.ProgramTotalsOf(ctx, prefix, model.StatsMonthStarts(year), yearEnd)
	if err != nil {
		return StatsReport{}, err
	}
	funds, err := s.d.DB.FundTotals(ctx, prefix, year)
	if err != nil {
		return StatsReport{}, err
	}
	for _, prog := range model.Programs {
		ps := ProgramStats{Program: prog.Code, BenefitKind: string(prog.BenefitKind())}
		for _, f := range funds {
			if f.Program == prog.Code {
				ps.ScheduledYearTotal += f.Amount
				ps.PaidYearTotal += f.Paid
			}
		}
		for _, t := range totals {
			if t.Program == prog.Code {
				ps.ApprovedHouseholds, ps.ApprovedPeople = t.Households, t.People
				ps.MonthlyAmountTotal, ps.OneOffTotal, ps.AmountYearTotal = t.MonthlyAmount, t.OneOffAmount, t.YearAmount
			}
		}
		ps.Coverage = model.Ratio(ps.ApprovedHouseholds, out.Households)
		out.Programs = append(out.Programs, ps)
	}

	if out.CentralizedSupport, err = s.supportRates(ctx, region, year, yearEnd); err != nil {
		return StatsReport{}, err
	}
	return out, nil
}

// supportRates is the centralized-support table of region: one row per
// district/county in it, or, for a street or community, one row for the
// region itself, counted in its own subtree and held to its county's kind
// and target.
func (s *Stats) supportRates(ctx context.Context, region model.Region, year int, yearEnd time.Time) ([]SupportRate, error) {
	type row struct {
		code, name, county string
		kind               string
	}
	var rows []row
	switch region.Level {
	case model.LevelCity, model.LevelCounty:
		counties, err := s.d.DB.CountyRegions(ctx, model.RegionPrefix(region.Code))
		if err != nil {
			return nil, err
		}
		for _, c := range counties {
			rows = append(rows, row{code: c.Code, name: c.Name, county: c.Code, kind: model.RegionKind(c.Name)})
		}
	default:
		county, err := s.d.DB.Region(ctx, region.Code[:6])
		if err != nil {
			return nil, notFoundAs(err, "region")
		}
		rows = append(rows, row{code: region.Code, name: region.Name, county: county.Code, kind: model.RegionKind(county.Name)})
	}
	countyPrefix := model.RegionPrefix(region.Code)
	if region.Level != model.LevelCity {
		countyPrefix = region.Code[:6]
	}
	first, err := s.d.DB.FirstTekunApprovals(ctx, countyPrefix, yearEnd)
	if err != nil {
		return nil, err
	}
	totals, err := s.d.DB.SupportTotalsOf(ctx, model.RegionPrefix(region.Code), yearEnd)
	if err != nil {
		return nil, err
	}
	out := make([]SupportRate, 0, len(rows))
	for _, r := range rows {
		firstYear := year
		if t, ok := first[r.county]; ok {
			firstYear = model.StatsYearOf(t)
		}
		sr := SupportRate{RegionCode: r.code, Name: r.name, Kind: r.kind, TargetFirstYear: firstYear,
			Target: model.CentralizedSupportTarget(r.kind, year, firstYear)}
		for _, t := range totals {
			if t.County == r.county {
				sr.TekunPeople, sr.CentralizedPeople, sr.UnrecordedPeople = t.People, t.Centralized, t.Unrecorded
			}
		}
		sr.Rate = model.Ratio(sr.CentralizedPeople, sr.TekunPeople)
		sr.MeetsTarget = model.MeetsTarget(sr.CentralizedPeople, sr.TekunPeople, sr.Target)
		out = append(out, sr)
	}
	return out, nil
}
