package model

import "time"

// Role is a staff role. Each account is bound to one region node (a school
// operator also to one school) and sees only that subtree.
type Role string

// Staff roles.
const (
	RoleCommunityWorker   Role = "community_worker"
	RoleStreetReviewer    Role = "street_reviewer"
	RoleCountyApprover    Role = "county_approver"
	RoleEducationOfficer  Role = "education_officer"
	RoleDepartmentOfficer Role = "department_officer"
	RoleAuditor           Role = "auditor"
	RoleAdmin             Role = "admin"
	RoleSchoolOperator    Role = "school_operator"
	// RoleFinanceOfficer is the county's finance officer: approves
	// payment rolls made by someone else (maker-checker) and records the
	// bank's results.
	RoleFinanceOfficer Role = "finance_officer"
	// RoleStation runs one donation station (社会捐赠工作站点): records the
	// donations it receives and prints their receipts, and sees nothing
	// but its own station's records.
	RoleStation Role = "station"
)

// Roles lists every staff role.
var Roles = []Role{
	RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleEducationOfficer,
	RoleDepartmentOfficer, RoleAuditor, RoleAdmin, RoleSchoolOperator, RoleFinanceOfficer,
	RoleStation,
}

// Staff is a staff account.
type Staff struct {
	ID           string
	Username     string
	PasswordHash string
	Role         Role
	RegionCode   string
	SchoolID     *string
	DisplayName  string
	Disabled     bool
	Demo         bool
	TOTPSecret   *string `gorm:"column:totp_secret"`
	TOTPEnabled  bool    `gorm:"column:totp_enabled"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName is the table of staff accounts.
func (Staff) TableName() string { return "staff" }

// School is a school that redeems education vouchers.
type School struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	// Stages is a comma-separated list of Stage values in the table.
	Stages string `json:"-"`
}

// TableName is the table of schools.
func (School) TableName() string { return "schools" }

// School stages (教育阶段) as in the voucher rules.
const (
	StageCompulsory = "compulsory"
	StageSeniorHigh = "senior_high"
	StageSpecial    = "special"
)

// Hukou types.
const (
	HukouUrban = "urban"
	HukouRural = "rural"
)

// Standard is a county's 低保 standard for one year and hukou type, in fen
// per person per month.
type Standard struct {
	RegionCode    string    `json:"region_code" gorm:"primaryKey"`
	Year          int       `json:"year" gorm:"primaryKey;autoIncrement:false"`
	Hukou         string    `json:"hukou" gorm:"primaryKey"`
	MonthlyAmount int64     `json:"monthly_amount"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     *string   `json:"-"`
}

// TableName is the table of standards.
func (Standard) TableName() string { return "standards" }

// Term is a school term such as "2026-autumn".
type Term struct {
	Name     string    `json:"name" gorm:"primaryKey"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// TableName is the table of terms.
func (Term) TableName() string { return "terms" }

// VoucherCap is the most a voucher of a term and stage waives for one item.
type VoucherCap struct {
	Term      string    `json:"term" gorm:"primaryKey"`
	Stage     string    `json:"stage" gorm:"primaryKey"`
	Item      string    `json:"item" gorm:"primaryKey"`
	Cap       int64     `json:"cap"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy *string   `json:"-"`
}

// TableName is the table of voucher caps.
func (VoucherCap) TableName() string { return "voucher_caps" }

// TermOf names the term a time falls in: spring runs February–July,
// autumn September–January (January belongs to the previous year's autumn),
// and August belongs to the coming autumn term.
func TermOf(t time.Time) string {
	y, m := t.Year(), t.Month()
	switch {
	case m == time.January:
		return itoa(y-1) + "-autumn"
	case m >= time.February && m <= time.July:
		return itoa(y) + "-spring"
	default:
		return itoa(y) + "-autumn"
	}
}

// TermBounds returns the start and end of a named term (UTC, China
// dates), or false if the name is not a term name.
func TermBounds(name string) (start, end time.Time, ok bool) {
	if len(name) < 8 || name[4] != '-' {
		return time.Time{}, time.Time{}, false
	}
	y := 0
	for _, c := range name[:4] {
		if c < '0' || c > '9' {
			return time.Time{}, time.Time{}, false
		}
		y = y*10 + int(c-'0')
	}
	switch name[5:] {
	case "spring":
		return time.Date(y, time.February, 1, 0, 0, 0, 0, time.UTC), time.Date(y, time.August, 1, 0, 0, 0, 0, time.UTC), true
	case "autumn":
		return time.Date(y, time.August, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, time.February, 1, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, time.Time{}, false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// TermWords is a term name in words for print ("2026-autumn" → "2026 年秋季学期");
// a name that is not a term comes back as it is.
func TermWords(name string) string {
	if _, _, ok := TermBounds(name); !ok {
		return name
	}
	season := "春季学期"
	if name[5:] == "autumn" {
		season = "秋季学期"
	}
	return name[:4] + " 年" + season
}
