package service

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// BenefitView is what an approved case gives, as API.md shows it on the
// resident's and the staff's application detail; Text says it in words.
type BenefitView struct {
	Kind          model.BenefitKind `json:"kind"`
	MonthlyAmount *int64            `json:"monthly_amount,omitempty"`
	Amount        *int64            `json:"amount,omitempty"`
	Starts        string            `json:"starts"`
	Status        string            `json:"status"`
	// Ends is the last month paid of a benefit in gradual exit (渐退).
	Ends string `json:"ends,omitempty"`
	Text string `json:"text"`
	// WaitingListPosition is the place on the 廉租住房 waiting list of a
	// housing case decided for the list.
	WaitingListPosition *int64 `json:"waiting_list_position,omitempty"`
	// Versions are a monthly benefit's amounts, each with its first month.
	Versions []AmountVersion `json:"amount_versions,omitempty"`
}

// Benefit statuses.
const (
	BenefitActive    = model.BenefitStatusActive
	BenefitSuspended = model.BenefitStatusSuspended
	BenefitEnded     = model.BenefitStatusEnded
)

// chinaZone is the zone months of benefits are counted in.
var chinaZone = time.FixedZone("CST", 8*3600)

// benefitOf is the benefit of an approved, suspended or ended eligible case
// (nil otherwise), from its benefit record when it has one. A monthly benefit starts the month after approval; a
// one-off is paid in the month it was decided.
func benefitOf(ctx context.Context, db *storage.DB, now time.Time, a model.Application) (*BenefitView, error) {
	if !a.IsEligible() || a.DecidedAt == nil {
		return nil, nil
	}
	if v, err := benefitRecord(ctx, db, now, a); v != nil || err != nil {
		return inWords(v, a), err
	}
	v := &BenefitView{}
	switch a.Status {
	case model.StatusApproved:
		v.Status = BenefitActive
	case model.StatusSuspended:
		v.Status = BenefitSuspended
	case model.StatusEnded:
		v.Status = BenefitEnded
	default:
		return nil, nil
	}
	kind, amount := a.Benefit()
	v.Kind = kind
	v.MonthlyAmount, v.Amount = model.AmountFields(kind, amount)
	decided := a.DecidedAt.In(chinaZone)
	start := decided
	if kind.IsMonthly() {
		start = time.Date(decided.Year(), decided.Month()+1, 1, 0, 0, 0, 0, chinaZone)
	}
	v.Starts = start.Format("2006-01")
	switch {
	case kind.IsMonthly():
		v.Text = fmt.Sprintf("每月 %s 元，自 %d 年 %d 月起", model.Yuan(amount), start.Year(), start.Month())
	case kind.IsOneOff():
		v.Text = fmt.Sprintf("一次性 %s 元", model.Yuan(amount))
	case kind == model.BenefitVoucher:
		v.Text = "教育券：在校学生每学期一张，凭券到学校减免费用"
	case a.HousingMode != nil && *a.HousingMode == model.HousingWaitingList:
		pos, err := db.WaitingListPosition(ctx, countyOf(a.RegionCode), a.ID)
		if err != nil {
			return nil, err
		}
		v.WaitingListPosition = &pos
		v.Text = fmt.Sprintf("已列入廉租住房轮候名单，目前排第 %d 位", pos)
	default:
		v.Text = "就业援助：登记、培训和岗位推荐服务"
	}
	return inWords(v, a), nil
}

// inWords adds to a cash benefit's text how it is paid and, for a monthly
// one, when the case is next re-checked (复核), so the resident reads the
// whole decision in one sentence.
func inWords(v *BenefitView, a model.Application) *BenefitView {
	if v == nil {
		return nil
	}
	switch {
	case v.Kind.IsMonthly():
		v.Text += "，每月由银行发放到您登记的银行卡"
		if a.ReviewDueAt != nil && v.Status == BenefitActive {
			due := a.ReviewDueAt.In(chinaZone)
			v.Text += fmt.Sprintf("；下次复核在 %d 年 %d 月前后，届时社区工作人员会联系您", due.Year(), due.Month())
		}
	case v.Kind.IsOneOff():
		v.Text += "，由银行一次性发放到您登记的银行卡"
	}
	return v
}
