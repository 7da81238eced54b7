package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

var (
	errNotSchool       = model.Forbidden("not_a_school_operator", "only a school operator bound to a school may do this")
	errOtherSchool     = model.Forbidden("voucher_of_another_school", "this voucher belongs to another school")
	errVoucherRedeemed = model.Conflict("voucher_already_redeemed", "this voucher has already been redeemed")
	errVoucherVoid     = model.Conflict("voucher_void", "this voucher was voided")
	errVoucherExpired  = model.Conflict("voucher_expired", "this voucher's term has ended")
)

// schoolVoucher is the common start of preview and redeem: it checks the
// caller holds the school permission of the action within the rate limits, that the code passes
// its check, that the voucher exists and belongs to the caller's school.
func (v *Vouchers) schoolVoucher(ctx context.Context, action model.Action, code string) (model.Principal, model.Voucher, error) {
	p, _ := model.PrincipalFrom(ctx)
	if !p.IsStaff() || !model.Can(p.Role, action) || p.SchoolID == nil {
		return p, model.Voucher{}, errNotSchool
	}
	if err := v.guessBlocked(ctx, p); err != nil {
		return p, model.Voucher{}, err
	}
	code, err := model.ParseVoucherCode(code)
	if err != nil {
		return p, model.Voucher{}, err
	}
	vo, err := v.d.DB.VoucherByCode(ctx, code)
	if errors.Is(err, model.ErrNotFound) {
		return p, vo, model.NotFound("voucher")
	}
	if err != nil {
		return p, vo, err
	}
	if vo.SchoolID != *p.SchoolID {
		return p, vo, errOtherSchool
	}
	return p, vo, nil
}

func guessBlockKeys(p model.Principal) [2]string {
	return [2]string{"voucher:guess-block:op:" + p.ID, "voucher:guess-block:school:" + *p.SchoolID}
}

// guessBlocked answers 429 while the operator or the school is over its
// failed-lookup limit. It is the only cost on the success path: two KV
// reads, no writes.
func (v *Vouchers) guessBlocked(ctx context.Context, p model.Principal) error {
	for _, key := range guessBlockKeys(p) {
		until, err := v.d.KV.Get(ctx, key)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		t, perr := time.Parse(time.RFC3339Nano, string(until))
		wait := t.Sub(v.d.Clock.Now())
		if perr != nil || wait < time.Second {
			wait = time.Second
		}
		return model.RateLimited(wait)
	}
	return nil
}

// isGuess says whether a lookup failure is what guessing codes produces.
func isGuess(err error) bool {
	switch model.KindOf(err) {
	case model.KindInvalid, model.KindNotFound:
		return true
	}
	return errors.Is(err, errOtherSchool)
}

// auditFailure counts a failed preview or redemption and records it in
// aggregate (see GuessLimits); guessing failures also count towards the
// operator's and the school's limits, and blocks them past it. The code
// itself is never written, only the voucher id when one was found.
func (v *Vouchers) auditFailure(ctx context.Context, action string, vo model.Voucher, err error) {
	p, _ := model.PrincipalFrom(ctx)
	if model.KindOf(err) == model.KindRateLimited || p.SchoolID == nil {
		return // already counted; or not a school operator (403 before any lookup)
	}
	ctx = context.WithoutCancel(ctx)
	gl := v.guessLimits
	code := string(model.KindOf(err))
	var me *model.Error
	if errors.As(err, &me) && me.Code != "" {
		code = me.Code
	}
	n, _, cerr := v.d.KV.IncrWindow(ctx, "voucher:fail:school:"+*p.SchoolID, gl.Window)
	if cerr != nil {
		v.d.Logger.Warn("voucher failure not counted", "error", cerr.Error())
		n = 1
	}
	blocked := ""
	if isGuess(err) {
		keys := guessBlockKeys(p)
		for i, c := range []struct {
			key   string
			limit int64
		}{{"voucher:guess:op:" + p.ID, gl.PerOperator}, {"voucher:guess:school:" + *p.SchoolID, gl.PerSchool}} {
			g, resetIn, gerr := v.d.KV.IncrWindow(ctx, c.key, gl.Window)
			if gerr != nil {
				v.d.Logger.Warn("voucher guess not counted", "error", gerr.Error())
				continue
			}
			if g >= c.limit {
				until := v.d.Clock.Now().Add(resetIn).UTC().Format(time.RFC3339Nano)
				if ok, serr := v.d.KV.SetNX(ctx, keys[i], []byte(until), resetIn); serr == nil && ok {
					blocked = []string{"operator", "school"}[i]
				}
			}
		}
	}
	if n != 1 && n%gl.AuditEvery != 0 && blocked == "" {
		return
	}
	outcome := model.OutcomeFailure
	if model.KindOf(err) == model.KindForbidden {
		outcome = model.OutcomeDenied
	}
	detail := fmt.Sprintf("failed lookups at this school in the current %s window: %d (last: %s, by this operator)", gl.Window, n, code)
	if blocked != "" {
		detail += "; the " + blocked + " is blocked for the rest of the window"
	}
	if aerr := v.audit.RecordAlone(ctx, Event{Action: action, TargetType: "voucher", TargetID: vo.ID, RegionCode: vo.RegionCode, Outcome: outcome, Detail: detail}); aerr != nil {
		v.d.Logger.Warn("audit of a voucher failure not recorded", "action", action, "error", aerr.Error())
	}
}

// Preview shows a school operator the voucher with code: masked student
// name, stage, term, items with caps and status, and for a redeemed voucher
// its redemption (when, the school, the amounts) — only ever the caller's
// own school's, since another school's voucher is refused. Errors: 422 for
// a mistyped code, 404 for an unknown one, 403 for another school's
// voucher, 429 past the rate limits. Failures are audited.
func (v *Vouchers) Preview(ctx context.Context, code string) (VoucherView, error) {
	p, vo, err := v.schoolVoucher(ctx, model.ActSchoolVouchersPreview, code)
	if err == nil {
		var view VoucherView
		view, err = v.view(ctx, vo)
		if err == nil && vo.Status == model.VoucherRedeemed {
			view.Redemption, err = v.redemptionFor(ctx, *p.SchoolID, vo)
		}
		if err == nil {
			return view, nil
		}
	}
	v.auditFailure(ctx, "school.vouchers.preview", vo, err)
	return VoucherView{}, err
}

// redemptionFor is the redemption of vo when school made it (nil for a
// redeemed voucher with no row, or one another school redeemed).
func (v *Vouchers) redemptionFor(ctx context.Context, school string, vo model.Voucher) (*RedemptionView, error) {
	r, err := v.d.DB.RedemptionOfVoucher(ctx, vo.ID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil || r.SchoolID != school {
		return nil, err
	}
	s, err := v.d.DB.School(ctx, r.SchoolID)
	if err != nil {
		return nil, fmt.Errorf("redeeming school: %w", err)
	}
	return &RedemptionView{RedeemedAt: r.RedeemedAt, SchoolID: r.SchoolID, SchoolName: s.Name, Items: r.ItemAmounts(), Total: r.Total}, nil
}

// Redeem records the school's one redemption of the voucher with code for
// the given items (fen). Exactly once under any concurrency: a conditional
// update from issued plus the unique redemption per voucher. Errors: 422
// for a mistyped code, an item the stage does not waive or an amount over
// its cap; 404 unknown code; 403 another school's voucher; 409 already
// redeemed, void or expired; 429 past the rate limits. Failures are audited.
func (v *Vouchers) Redeem(ctx context.Context, code string, items map[string]int64) (RedemptionResult, error) {
	p, vo, err := v.schoolVoucher(ctx, model.ActSchoolVouchersRedeem, code)
	var res RedemptionResult
	if err == nil {
		res, err = v.redeem(ctx, p, vo, items)
	}
	if err != nil {
		v.auditFailure(ctx, "school.vouchers.redeem", vo, err)
		return RedemptionResult{}, err
	}
	return res, nil
}

func (v *Vouchers) redeem(ctx context.Context, p model.Principal, vo model.Voucher, items map[string]int64) (RedemptionResult, error) {
	term, err := v.d.DB.Term(ctx, vo.Term)
	if err != nil {
		return RedemptionResult{}, fmt.Errorf("voucher term: %w", err)
	}
	now := v.d.Clock.Now()
	switch model.VoucherStatusAt(vo.Status, term.EndsAt, now) {
	case model.VoucherRedeemed:
		return RedemptionResult{}, errVoucherRedeemed
	case model.VoucherVoid:
		return RedemptionResult{}, errVoucherVoid
	case model.VoucherExpired:
		return RedemptionResult{}, errVoucherExpired
	}
	caps, err := v.d.DB.VoucherCaps(ctx, vo.Term, vo.Stage)
	if err != nil {
		return RedemptionResult{}, err
	}
	total, err := model.CheckRedemption(vo.Stage, caps, items)
	if err != nil {
		return RedemptionResult{}, err
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return RedemptionResult{}, fmt.Errorf("encode items: %w", err)
	}
	r := model.Redemption{ID: v.d.IDs.New(), VoucherID: vo.ID, SchoolID: vo.SchoolID, OperatorID: p.ID, Term: vo.Term,
		Items: string(raw), Total: total, RedeemedAt: now}
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := v.d.DB.MarkVoucherRedeemed(ctx, vo.ID); err != nil {
			return err
		}
		if err := v.d.DB.CreateRedemption(ctx, &r); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return errVoucherRedeemed.Wrap(err)
			}
			return err
		}
		return v.audit.Record(ctx, Event{Action: "school.vouchers.redeem", TargetType: "voucher", TargetID: vo.ID, RegionCode: vo.RegionCode,
			Detail: fmt.Sprintf("redemption %s total %d", r.ID, total)})
	})
	if err != nil {
		return RedemptionResult{}, err
	}
	return RedemptionResult{ID: r.ID, Total: total}, nil
}
