package model

import (
	"encoding/json"
	"sort"
	"time"
)

// Voucher statuses. Expired is never stored: an issued voucher whose term
// has ended is shown as expired (VoucherStatusAt).
const (
	VoucherIssued   = "issued"
	VoucherRedeemed = "redeemed"
	VoucherVoid     = "void"
	VoucherExpired  = "expired"
)

// Voucher is one education voucher (教育券): one student, one term.
type Voucher struct {
	ID                string
	Code              string
	MemberID          string
	HouseholdID       string
	ApplicationID     *string
	Term              string
	Stage             string
	SchoolID          string
	RegionCode        string
	StudentNameMasked string
	Status            string
	LiveSlot          *string
	IssuedAt          time.Time
	VoidReason        *string
	VoidedAt          *time.Time
	VoidedBy          *string
}

// TableName is the vouchers table.
func (Voucher) TableName() string { return "vouchers" }

// VoucherLiveSlot is the value of the unique live_slot column while a
// voucher is issued or redeemed: one live voucher per student and term.
func VoucherLiveSlot(memberID, term string) string { return memberID + ":" + term }

// VoucherStatusAt is the status a voucher shows at now: an issued voucher
// whose term ended at termEnd is expired.
func VoucherStatusAt(status string, termEnd, now time.Time) string {
	if status == VoucherIssued && !termEnd.IsZero() && !now.Before(termEnd) {
		return VoucherExpired
	}
	return status
}

// Redemption is a school's one redemption of a voucher.
type Redemption struct {
	ID         string
	VoucherID  string
	SchoolID   string
	OperatorID string
	Term       string
	Items      string // JSON object item → fen
	Total      int64
	RedeemedAt time.Time
}

// TableName is the redemptions table.
func (Redemption) TableName() string { return "redemptions" }

// ItemAmounts decodes the stored items of a redemption.
func (r Redemption) ItemAmounts() map[string]int64 {
	m := map[string]int64{}
	_ = json.Unmarshal([]byte(r.Items), &m)
	return m
}

// ItemCap is one fee item of a voucher and its cap in fen.
type ItemCap struct {
	Item string `json:"item"`
	Cap  int64  `json:"cap"`
}

// CheckRedemption validates the amounts a school claims against the caps of
// the voucher's term and stage and returns the total. An empty claim, an
// item the stage does not waive or that has no cap, a negative amount or
// one above its cap is a model.KindInvalid error naming the item.
func CheckRedemption(stage string, caps map[string]int64, items map[string]int64) (int64, error) {
	if len(items) == 0 {
		return 0, Invalid("items", "name at least one fee item and its amount")
	}
	names := make([]string, 0, len(items))
	for k := range items {
		names = append(names, k)
	}
	sort.Strings(names)
	var total int64
	for _, item := range names {
		amount := items[item]
		field := "items." + item
		if !StageWaives(stage, item) {
			return 0, Invalid(field, "this stage's vouchers do not waive this item")
		}
		limit, ok := caps[item]
		if !ok {
			return 0, Invalid(field, "no cap is set for this item in this term")
		}
		switch {
		case amount <= 0:
			return 0, Invalid(field, "must be a positive amount in fen")
		case amount > limit:
			return 0, Invalid(field, "above the cap of this item")
		}
		total += amount
	}
	return total, nil
}
