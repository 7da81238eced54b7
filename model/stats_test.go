package model

import (
	"testing"
	"time"
)

func TestCentralizedSupportTarget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind            string
		year, firstYear int
		want            float64
	}{
		{KindDistrict, 2026, 2026, 0.60},
		{KindCounty, 2026, 2026, 0.50},
		{KindDistrict, 2027, 2026, 0.80},
		{KindCounty, 2027, 2026, 0.80},
		{KindCounty, 2030, 2026, 0.80},
		{KindDistrict, 2025, 2026, 0.60}, // before the first year: still the first-year target
		{"", 2026, 2026, 0.50},
	} {
		if got := CentralizedSupportTarget(c.kind, c.year, c.firstYear); got != c.want {
			t.Errorf("CentralizedSupportTarget(%q, %d, %d) = %v, want %v", c.kind, c.year, c.firstYear, got, c.want)
		}
	}
}

func TestRegionKind(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"吴兴区": KindDistrict, "南浔区": KindDistrict, "德清县": KindCounty, "长兴县": KindCounty, "某某市": KindCounty} {
		if got := RegionKind(name); got != want {
			t.Errorf("RegionKind(%s) = %s, want %s", name, got, want)
		}
	}
}

func TestRatioAndMeetsTarget(t *testing.T) {
	t.Parallel()
	if Ratio(1, 0) != nil || MeetsTarget(0, 0, 0.6) != nil {
		t.Error("a rate of nobody must be null")
	}
	for _, c := range []struct {
		num, den int64
		ratio    float64
		target   float64
		meets    bool
	}{
		{3, 5, 0.6, 0.6, true},  // exactly on target meets it
		{7, 10, 0.7, 0.7, true}, // 0.7 is not exact in binary floating point
		{59, 100, 0.59, 0.6, false},
		{1, 3, 0.3333, 0.5, false},
		{2, 3, 0.6667, 0.6, true},
		{1, 2, 0.5, 0.5, true},
		{4, 5, 0.8, 0.8, true},
	} {
		if r := Ratio(c.num, c.den); r == nil || *r != c.ratio {
			t.Errorf("Ratio(%d, %d) = %v, want %v", c.num, c.den, r, c.ratio)
		}
		if m := MeetsTarget(c.num, c.den, c.target); m == nil || *m != c.meets {
			t.Errorf("MeetsTarget(%d, %d, %v) = %v, want %v", c.num, c.den, c.target, m, c.meets)
		}
	}
}

func TestPaidMonthsAndStatsYear(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2025, 12, 15, 0, 0, 0, 0, cst), 12},  // approved last year: paid all year
		{time.Date(2026, 1, 1, 0, 30, 0, 0, cst), 11},   // 1 January in the city (still 31 December UTC)
		{time.Date(2026, 3, 17, 10, 0, 0, 0, cst), 9},   // paid April to December
		{time.Date(2026, 11, 30, 23, 59, 0, 0, cst), 1}, // paid December
		{time.Date(2026, 12, 1, 0, 0, 0, 0, cst), 0},    // paid from next January
		{time.Date(2027, 1, 1, 0, 0, 0, 0, cst), 0},     // after the year
	} {
		if got := PaidMonths(2026, c.at.UTC()); got != c.want {
			t.Errorf("PaidMonths(2026, %s) = %d, want %d", c.at, got, c.want)
		}
	}
	start, end := StatsYear(2026)
	if !start.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("StatsYear(2026) = %s, %s", start, end)
	}
	if StatsYearOf(time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC)) != 2026 {
		t.Error("17:00 UTC on 31 December is already the new year in the city")
	}
}
