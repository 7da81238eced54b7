package model

import "time"

// Cross-department check (核对) sources and result statuses.
const (
	SourcePublicSecurity = "public_security" // 公安: household registration, deaths
	SourceHumanResources = "human_resources" // 人社: wages, pensions, social insurance
	SourceRealEstate     = "real_estate"     // 不动产
	SourceVehicles       = "vehicles"        // 车辆
	SourceHousingFund    = "housing_fund"    // 公积金
	SourceBanks          = "banks"           // 银行存款

	CheckMatch       = "match"
	CheckMismatch    = "mismatch"
	CheckUnavailable = "unavailable" // the source did not answer: never a match
)

// CheckSources lists every source in the order a report shows them.
func CheckSources() []string {
	return []string{SourcePublicSecurity, SourceHumanResources, SourceRealEstate, SourceVehicles, SourceHousingFund, SourceBanks}
}

// CheckPerson is a member as a source is asked about them (in memory only).
type CheckPerson struct {
	IDNumber      string `json:"id_number"`
	Name          string `json:"name"`
	MonthlyIncome int64  `json:"declared_monthly_income"`
}

// CheckSubject is what the sources are asked about: the household's members.
type CheckSubject struct {
	ApplicationID string        `json:"application_id"`
	Persons       []CheckPerson `json:"persons"`
}

// CheckResult is one source's answer, kept on the case.
type CheckResult struct {
	ID            string    `json:"-"`
	ApplicationID string    `json:"-"`
	Source        string    `json:"source"`
	Status        string    `json:"status"`
	Detail        string    `json:"detail"`
	CheckedAt     time.Time `json:"checked_at"`
	CheckedBy     string    `json:"-"`
}

// TableName is the check results table.
func (CheckResult) TableName() string { return "check_results" }
