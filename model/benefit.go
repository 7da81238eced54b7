package model

import (
	"fmt"
	"time"
)

// Benefit statuses (API.md: active, suspended, ended).
const (
	BenefitStatusActive    = "active"
	BenefitStatusSuspended = "suspended"
	BenefitStatusEnded     = "ended"
	// BenefitStatusGradualExit (渐退): paid until EndMonth, then ended.
	BenefitStatusGradualExit = "gradual_exit"
)

// Benefit is what an approval gives a household, kept apart from the case:
// its amount versions (BenefitAmount) say what it pays from which month,
// and the household as assessed is kept sealed (SnapshotSealed), so a
// resident's later change to the household never changes it silently.
type Benefit struct {
	ID                string
	ApplicationID     string
	ApplicationNumber string
	HouseholdID       string
	Program           ProgramCode
	RegionCode        string // the household's community at approval
	CountyCode        string
	Hukou             string
	Kind              BenefitKind
	PersonsCovered    int
	// FollowsStandard is set when the amount was the rule's own (no staff
	// override) computed from the 低保 standard: a new standard re-rates it.
	FollowsStandard bool
	Status          string
	FirstMonth      string  // YYYY-MM: the first month paid (one-off: the month decided)
	EndMonth        *string // YYYY-MM: the first month no longer paid
	NameMasked      string  // the applicant as assessed, masked
	HouseholdSize   int
	SnapshotSealed  string // sealed JSON of BenefitSnapshot
	ApprovedAt      time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName is the benefits table.
func (Benefit) TableName() string { return "benefits" }

// BenefitSnapshot is the household and assessment a benefit was decided on:
// enough to compute its amount again under a new standard.
type BenefitSnapshot struct {
	Case  Case            `json:"case"`
	Input AssessmentInput `json:"input"`
}

// BenefitAmount is one amount version: the amount paid from FromMonth on,
// until a later version starts.
type BenefitAmount struct {
	ID        string
	BenefitID string
	FromMonth string
	Amount    int64
	Reason    string // approval, rerate, recheck
	CreatedAt time.Time
}

// TableName is the benefit amount versions table.
func (BenefitAmount) TableName() string { return "benefit_amounts" }

// AmountIn is the amount in force in month (YYYY-MM) among versions, and
// whether one is (versions in any order).
func AmountIn(versions []BenefitAmount, month string) (int64, bool) {
	best := ""
	var amount int64
	for _, v := range versions {
		if v.FromMonth <= month && v.FromMonth > best {
			best, amount = v.FromMonth, v.Amount
		}
	}
	return amount, best != ""
}

// Month is a calendar month as YYYY-MM, counted in China time.
var monthZone = time.FixedZone("CST", 8*3600)

// MonthOf is the month (YYYY-MM, China time) of t.
func MonthOf(t time.Time) string { return t.In(monthZone).Format("2006-01") }

// AddMonths is the month n months after month (YYYY-MM); month must be valid.
func AddMonths(month string, n int) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		panic(fmt.Sprintf("AddMonths(%q): %v", month, err))
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// Payment roll statuses.
const (
	RollDraft    = "draft"
	RollApproved = "approved"
)

// Payment line kinds (API.md).
const (
	LineMonthly = "monthly"
	LineOneOff  = "one_off"
	LineArrears = "arrears"
)

// Payment line statuses: scheduled in a roll, held (no bank account: not
// sent to the bank, paid as arrears once there is one), then paid or failed
// from the bank's results.
const (
	LineScheduled = "scheduled"
	LineHeld      = "held"
	LinePaid      = "paid"
	LineFailed    = "failed"
)

// PaymentRoll is the payment of one program in one county for one month
// (社会化发放). Made by one person, approved by another (maker-checker);
// once approved it never changes, except for the bank's results on its
// lines. Total is always the sum of its lines.
type PaymentRoll struct {
	ID         string      `json:"id"`
	Number     string      `json:"number"`
	RegionCode string      `json:"region_code"`
	Program    ProgramCode `json:"program"`
	Period     string      `json:"period"`
	Status     string      `json:"status"`
	LineCount  int         `json:"line_count"`
	Total      int64       `json:"total"`
	MadeBy     string      `json:"-"`
	ApprovedBy *string     `json:"-"`
	ApprovedAt *time.Time  `json:"approved_at"`
	CreatedAt  time.Time   `json:"created_at"`
}

// TableName is the payment rolls table.
func (PaymentRoll) TableName() string { return "payment_rolls" }

// PaymentLine is one payment of a roll. PaySlot ("benefit:month", or
// "benefit:once" for a one-off) is unique, so no month of a benefit is
// ever put in two rolls; ArrearsOf (the failed or held line it pays again)
// is unique, so a failed line comes back once.
type PaymentLine struct {
	ID                string     `json:"id"`
	RollID            string     `json:"-"`
	Position          int        `json:"-"`
	BenefitID         string     `json:"-"`
	ApplicationID     string     `json:"-"`
	ApplicationNumber string     `json:"application_number"`
	NameMasked        string     `json:"name_masked"`
	ForMonth          string     `json:"for_month"`
	Amount            int64      `json:"amount"`
	Kind              string     `json:"kind"`
	Status            string     `json:"status"`
	Reason            *string    `json:"reason,omitempty"`
	BankName          *string    `json:"-"`
	AccountSealed     *string    `json:"-"`
	HolderSealed      *string    `json:"-"`
	PaySlot           *string    `json:"-"`
	ArrearsOf         *string    `json:"-"`
	ResultAt          *time.Time `json:"result_at,omitempty"`
}

// TableName is the payment lines table.
func (PaymentLine) TableName() string { return "payment_lines" }

// MaskAccount shows a bank account number as "**** 1234".
func MaskAccount(number string) string {
	if len(number) <= 4 {
		return "****"
	}
	return "**** " + number[len(number)-4:]
}

// FundBudget is what a county sets aside for a program in a month.
type FundBudget struct {
	RegionCode string      `json:"region_code" gorm:"primaryKey"`
	Program    ProgramCode `json:"program" gorm:"primaryKey"`
	Period     string      `json:"period" gorm:"primaryKey"`
	Amount     int64       `json:"amount"`
	UpdatedBy  string      `json:"-"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// TableName is the fund budgets table.
func (FundBudget) TableName() string { return "fund_budgets" }

// RollPrepareFromDay is the day of the month before a roll's month from
// which the county is reminded to make that roll while it is not made.
const RollPrepareFromDay = 20

// RollReminder is a message the roll-preparation job left for a county:
// the roll of a program and month is due (due_soon: not made by the 20th of
// the month before) or late (overdue: not approved when its month began).
type RollReminder struct {
	ID         string      `json:"id"`
	RegionCode string      `json:"region_code"`
	Program    ProgramCode `json:"program"`
	Period     string      `json:"period"`
	Kind       string      `json:"kind"`
	Text       string      `json:"text"`
	CreatedAt  time.Time   `json:"created_at"`
}

// TableName is the roll reminders table.
func (RollReminder) TableName() string { return "roll_reminders" }

// RollReminderKind is the reminder the roll of period needs at now (China
// time), given whether it is made and approved: ReminderDueSoon from
// RollPrepareFromDay of the month before while it is not made,
// ReminderOverdue from the first of its month while it is not approved, ""
// when none is needed.
func RollReminderKind(period string, now time.Time, made, approved bool) string {
	month := MonthOf(now)
	switch {
	case approved:
		return ""
	case month >= period:
		return ReminderOverdue
	case made:
		return ""
	case AddMonths(month, 1) == period && now.In(monthZone).Day() >= RollPrepareFromDay:
		return ReminderDueSoon
	}
	return ""
}

// Roll actions a staff member may take on a roll (allowed_actions).
const (
	RollActionApprove       = "approve"
	RollActionExport        = "export"
	RollActionRecordResults = "record_results"
)

// AllowedActions is what p may do with r now: approve a draft made by
// someone else, export an approved roll's bank file, and record the bank's
// results while a line awaits one (awaiting). The portal shows exactly
// these; the server checks each again when it is done.
func (r PaymentRoll) AllowedActions(p Principal, awaiting bool) []string {
	out := []string{}
	switch {
	case r.Status == RollDraft && Can(p.Role, ActPaymentRollsApprove) && r.MadeBy != p.ID:
		out = append(out, RollActionApprove)
	case r.Status == RollApproved:
		if Can(p.Role, ActPaymentRollsExport) {
			out = append(out, RollActionExport)
		}
		if awaiting && Can(p.Role, ActPaymentResultsRecord) {
			out = append(out, RollActionRecordResults)
		}
	}
	return out
}
