package model

import (
	"math"
	"strings"
	"time"
)

// Support modes of a 特困 (tekun) case, recorded with its assessment.
const (
	SupportCentralized = "centralized" // 集中供养: in a welfare institution
	SupportDispersed   = "dispersed"   // 分散供养: at home
)

// Kinds of county-level region: the seed notice sets different
// centralized-support targets for its two districts (区) and three counties (县).
const (
	KindDistrict = "district"
	KindCounty   = "county"
)

// RegionKind says whether a county-level region is a district or a county.
// The region tree records only the level, so the kind is read from the
// official name: a name ending in 区 is a district (吴兴区), any other
// (德清县, and county-level cities 市) is treated as a county.
func RegionKind(name string) string {
	if strings.HasSuffix(name, "区") {
		return KindDistrict
	}
	return KindCounty
}

// CentralizedSupportTarget is the centralized-support rate (集中供养率) a
// district or county must reach in year, after the seed notice: districts
// 60% in the first year and 80% the next; counties 50% in the first year and
// 80% later (the notice asks counties to strive for 80% the next year and
// to reach it by the end of 2005 at the latest; the stricter reading, 80%
// from the second year, is used). The notice dates its targets to 2003, the
// year the system was ordered; since the system starts operating today, the
// ramp is counted from firstYear, the year of the region's first approved
// tekun case (the caller passes the requested year when there is none yet).
// Years up to firstYear get the first-year target. An unknown kind gets the
// county targets.
func CentralizedSupportTarget(kind string, year, firstYear int) float64 {
	if year > firstYear {
		return 0.80
	}
	if kind == KindDistrict {
		return 0.60
	}
	return 0.50
}

// Ratio is num/den rounded to 4 decimals, or nil when den is 0 (a rate of
// nobody is not a number: not 0%, not 100%).
func Ratio(num, den int64) *float64 {
	if den <= 0 {
		return nil
	}
	r := math.Round(float64(num)*10000/float64(den)) / 10000
	return &r
}

// MeetsTarget reports whether centralized of people reach target (a
// fraction such as 0.6), compared exactly in integers rather than in
// floating point so that 3 of 5 meets 60%. It is nil when people is 0:
// with nobody to support there is nothing to meet or miss.
func MeetsTarget(centralized, people int64, target float64) *bool {
	if people <= 0 {
		return nil
	}
	basisPoints := int64(math.Round(target * 10000))
	ok := centralized*10000 >= basisPoints*people
	return &ok
}

// StatsYear is the statistical year in China time: [start, end) in UTC.
// Approvals on 1 January at 00:30 in the city count in that year, not the
// one before as a UTC boundary would have it.
func StatsYear(year int) (start, end time.Time) {
	return time.Date(year, time.January, 1, 0, 0, 0, 0, chinaZone).UTC(),
		time.Date(year+1, time.January, 1, 0, 0, 0, 0, chinaZone).UTC()
}

// StatsMonthStarts are the starts (UTC) of the twelve months of year in
// China time; element k is the start of month k+1.
func StatsMonthStarts(year int) [12]time.Time {
	var out [12]time.Time
	for m := range out {
		out[m] = time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, chinaZone).UTC()
	}
	return out
}

// StatsYearOf is the statistical year (China time) of t.
func StatsYearOf(t time.Time) int { return t.In(chinaZone).Year() }

// PaidMonths is the number of months of year for which a monthly benefit
// approved at decidedAt is paid, under the 2021 national procedure: payment
// starts in the month after the approval decision (从作出确认同意决定之日下月起发放)
// and, as an approximation, runs to December (suspensions and ends within
// the year are not recorded yet). A case approved before the year is paid
// all 12 months; one approved in December, none of that year's. The stats
// query computes the same in SQL; this is its reference.
func PaidMonths(year int, decidedAt time.Time) int {
	starts := StatsMonthStarts(year)
	_, end := StatsYear(year)
	if !decidedAt.Before(end) {
		return 0
	}
	n := 12
	for _, s := range starts {
		if decidedAt.Before(s) {
			return n
		}
		n--
	}
	return 0
}
