package model

import (
	"encoding/json"
	"time"
)

// Notice statuses: a notice is open while its application is publicized and
// closed once the case moves on (approved, rejected, withdrawn, or sent back
// to investigation by an upheld objection).
const (
	NoticeOpen   = "open"
	NoticeClosed = "closed"
)

// Notice is one 公示 entry: only the fields PRODUCT.md allows the public to
// see (masked name, household size, proposed amount, community, dates).
type Notice struct {
	ID            string      `json:"id"`
	ApplicationID string      `json:"-"`
	Program       ProgramCode `json:"program"`
	NameMasked    string      `json:"name_masked"`
	HouseholdSize int         `json:"household_size"`
	BenefitKind   BenefitKind `json:"benefit_kind"`
	// MonthlyAmount is the proposed amount: monthly for a monthly benefit,
	// once for a one-off (the API shows it as amount then).
	MonthlyAmount int64     `json:"-"`
	RegionCode    string    `json:"region_code"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	Status        string    `json:"-"`
}

// TableName is the notices table.
func (Notice) TableName() string { return "notices" }

// MarshalJSON shows the proposed amount as what it is: monthly_amount for
// a monthly benefit (null otherwise) and amount for a one-off, so a one-off
// is never read as a monthly payment.
func (n Notice) MarshalJSON() ([]byte, error) {
	monthly, once := AmountFields(n.BenefitKind, n.MonthlyAmount)
	return json.Marshal(struct {
		ID            string      `json:"id"`
		Program       ProgramCode `json:"program"`
		NameMasked    string      `json:"name_masked"`
		HouseholdSize int         `json:"household_size"`
		BenefitKind   BenefitKind `json:"benefit_kind"`
		MonthlyAmount *int64      `json:"monthly_amount"`
		Amount        *int64      `json:"amount,omitempty"`
		RegionCode    string      `json:"region_code"`
		StartsAt      time.Time   `json:"starts_at"`
		EndsAt        time.Time   `json:"ends_at"`
	}{n.ID, n.Program, n.NameMasked, n.HouseholdSize, n.BenefitKind, monthly, once, n.RegionCode, n.StartsAt, n.EndsAt})
}

// AmountFields splits an amount of a benefit kind into the monthly_amount
// and amount fields of a response: one of them set, the other nil.
func AmountFields(kind BenefitKind, amount int64) (monthly, once *int64) {
	switch {
	case kind.IsOneOff():
		return nil, &amount
	case kind.IsMonthly():
		return &amount, nil
	}
	return nil, nil
}

// Objection statuses.
const (
	ObjectionOpen     = "open"
	ObjectionResolved = "resolved"
)

// MaxObjectionRunes caps the length of an objection's content.
const MaxObjectionRunes = 2000

// Objection is a member of the public's objection to a notice. The contact
// the objector leaves is sealed.
type Objection struct {
	ID            string
	NoticeID      string
	ApplicationID string
	RegionCode    string
	Content       string
	ContactSealed *string
	Status        string
	Resolution    *string
	Upheld        *bool
	ResolvedBy    *string
	ResolvedAt    *time.Time
	CreatedAt     time.Time
}

// TableName is the objections table.
func (Objection) TableName() string { return "objections" }
