package service

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
)

// staffVoucher loads the voucher with code for an education officer,
// within the officer's region (404 outside it).
func (v *Vouchers) staffVoucher(ctx context.Context, code string) (model.Principal, model.Voucher, error) {
	p, _ := model.PrincipalFrom(ctx)
	code, err := model.ParseVoucherCode(code)
	if err != nil {
		return p, model.Voucher{}, err
	}
	if p.RegionCode == "" {
		return p, model.Voucher{}, model.NotFound("voucher")
	}
	vo, err := v.d.DB.VoucherByCodeInRegion(ctx, code, model.RegionPrefix(p.RegionCode))
	if errors.Is(err, model.ErrNotFound) {
		return p, model.Voucher{}, model.NotFound("voucher")
	}
	return p, vo, err
}

func needReason(reason string) error {
	if utf8.RuneCountInString(reason) < 2 {
		return model.Invalid("reason", "请说明原因（至少 2 个字）")
	}
	return checkText("reason", reason, true)
}

// Void voids an issued voucher (education officer, with a reason, audited),
// so it can no longer be redeemed. Errors: 422 no reason or a mistyped code;
// 404 unknown or outside the officer's region; 409 not issued any more.
func (v *Vouchers) Void(ctx context.Context, code, reason string) (VoucherView, error) {
	p, vo, err := v.staffVoucher(ctx, code)
	if err != nil {
		return VoucherView{}, err
	}
	if err := needReason(reason); err != nil {
		return VoucherView{}, err
	}
	now := v.d.Clock.Now()
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := v.d.DB.VoidVoucher(ctx, vo.ID, reason, p.ID, now); err != nil {
			return err
		}
		return v.audit.Record(ctx, Event{Action: "vouchers.void", TargetType: "voucher", TargetID: vo.ID, RegionCode: vo.RegionCode, Detail: reason})
	})
	if err != nil {
		return VoucherView{}, err
	}
	vo.Status, vo.VoidReason, vo.LiveSlot = model.VoucherVoid, &reason, nil
	return v.view(ctx, vo)
}

// Reissue voids an issued voucher and issues its student a new one for the
// same term at the school of the student's current enrolment (a transfer),
// in one transaction, audited. Errors as Void, and 409 when the student has
// no school enrolment any more.
func (v *Vouchers) Reissue(ctx context.Context, code, reason string) (VoucherView, error) {
	p, vo, err := v.staffVoucher(ctx, code)
	if err != nil {
		return VoucherView{}, err
	}
	if err := needReason(reason); err != nil {
		return VoucherView{}, err
	}
	now := v.d.Clock.Now()
	var fresh model.Voucher
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := v.d.DB.VoidVoucher(ctx, vo.ID, reason, p.ID, now); err != nil {
			return err
		}
		s, err := v.d.DB.MemberEnrolment(ctx, vo.MemberID)
		if err != nil {
			return err
		}
		if s.SchoolID == "" || s.SchoolStage == "" {
			return model.Conflict("student_not_enrolled", "the student has no school enrolment to issue a voucher for")
		}
		if ok, err := v.issueOne(ctx, s, vo.ApplicationID, vo.Term); err != nil {
			return err
		} else if !ok {
			return model.Conflict("voucher_live", "the student already has a live voucher for this term")
		}
		fresh, err = v.d.DB.VoucherByMemberSlot(ctx, model.VoucherLiveSlot(vo.MemberID, vo.Term))
		if err != nil {
			return err
		}
		return v.audit.Record(ctx, Event{Action: "vouchers.reissue", TargetType: "voucher", TargetID: vo.ID, RegionCode: vo.RegionCode,
			Detail: "replaced by " + fresh.ID + ": " + reason})
	})
	if err != nil {
		return VoucherView{}, err
	}
	return v.view(ctx, fresh)
}

// CapsInput sets the caps of one term and stage.
type CapsInput struct {
	Term  string           `json:"term"`
	Stage string           `json:"stage"`
	Items map[string]int64 `json:"items"`
}

// CapsView is the caps of one term and stage after a change.
type CapsView struct {
	Term  string          `json:"term"`
	Stage string          `json:"stage"`
	Items []model.ItemCap `json:"items"`
}

// SetCaps sets, for one term and stage, the cap in fen of each named fee
// item (education officer, audited). Caps hold for every school of the
// city, so only an officer bound to the city may set them. Errors: 403 for
// an officer of a county or below; 422 for an unknown term name or stage,
// an item the stage does not waive, or a negative cap.
func (v *Vouchers) SetCaps(ctx context.Context, in CapsInput) (CapsView, error) {
	if p, _ := model.PrincipalFrom(ctx); model.LevelOfCode(p.RegionCode) != model.LevelCity {
		return CapsView{}, model.Forbidden("city_education_only", "caps apply city-wide; the city's education officer sets them")
	}
	if _, _, ok := model.TermBounds(in.Term); !ok {
		return CapsView{}, model.Invalid("term", "must name a term such as 2026-autumn or 2027-spring")
	}
	if _, ok := model.StageItems[in.Stage]; !ok {
		return CapsView{}, model.Invalid("stage", "must be compulsory, senior_high or special")
	}
	if len(in.Items) == 0 {
		return CapsView{}, model.Invalid("items", "set at least one item's cap")
	}
	names := make([]string, 0, len(in.Items))
	for item, c := range in.Items {
		if !model.StageWaives(in.Stage, item) {
			return CapsView{}, model.Invalid("items."+item, "this stage's vouchers do not waive this item")
		}
		if c < 0 || c > 100_000_000 {
			return CapsView{}, model.Invalid("items."+item, "must be a whole number of fen from 0 to 100000000")
		}
		names = append(names, item)
	}
	sort.Strings(names)
	p, _ := model.PrincipalFrom(ctx)
	now := v.d.Clock.Now()
	out := CapsView{Term: in.Term, Stage: in.Stage}
	err := v.d.DB.InTx(ctx, func(ctx context.Context) error {
		if _, err := v.ensureTerm(ctx, in.Term); err != nil {
			return err
		}
		for _, item := range names {
			by := p.ID
			if err := v.d.DB.UpsertVoucherCap(ctx, model.VoucherCap{Term: in.Term, Stage: in.Stage, Item: item, Cap: in.Items[item], UpdatedAt: now, UpdatedBy: &by}); err != nil {
				return err
			}
		}
		caps, err := v.d.DB.VoucherCaps(ctx, in.Term, in.Stage)
		if err != nil {
			return err
		}
		for _, it := range model.StageItems[in.Stage] {
			if c, ok := caps[it]; ok {
				out.Items = append(out.Items, model.ItemCap{Item: it, Cap: c})
			}
		}
		detail, _ := json.Marshal(in.Items)
		return v.audit.Record(ctx, Event{Action: "voucher_caps.set", TargetType: "voucher_caps", TargetID: in.Term + ":" + in.Stage, Detail: string(detail)})
	})
	if err != nil {
		return CapsView{}, err
	}
	return out, nil
}
