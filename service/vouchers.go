package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Vouchers issues education vouchers (教育券) on approval and at the start
// of each term, lets residents show them, lets schools preview and redeem
// them exactly once, and lets the education officer set caps, void and
// reissue.
type Vouchers struct {
	d     VouchersDeps
	audit *Audit
	// guessLimits bound failed lookups (a mistyped, unknown or other
	// school's code), against guessing codes; successful work is not
	// limited, so a busy school desk behind one address is never stopped.
	guessLimits GuessLimits
}

// GuessLimits bound failed voucher lookups within a fixed window: per
// operator and per school. Failures are also audited in aggregate per
// school: one row at the school's first failure in a window, one every
// AuditEvery failures after it, and one when a limit blocks.
type GuessLimits struct {
	Window      time.Duration
	PerOperator int64
	PerSchool   int64
	AuditEvery  int64
}

// DefaultGuessLimits: 20 failed lookups per operator and 60 per school in
// 10 minutes (a school's codes are 1 in ~10^12 guessable: see
// model.NewVoucherCode), an aggregate audit row every 10 failures.
var DefaultGuessLimits = GuessLimits{Window: 10 * time.Minute, PerOperator: 20, PerSchool: 60, AuditEvery: 10}

// NewVouchers builds the voucher service.
func NewVouchers(d VouchersDeps, audit *Audit) *Vouchers {
	return &Vouchers{d: d, audit: audit, guessLimits: DefaultGuessLimits}
}

// VoucherView is a voucher as the resident and the school see it.
type VoucherView struct {
	Code              string          `json:"code"`
	Term              string          `json:"term"`
	Stage             string          `json:"stage"`
	StudentNameMasked string          `json:"student_name_masked"`
	SchoolID          string          `json:"school_id"`
	Items             []model.ItemCap `json:"items"`
	Status            string          `json:"status"`
	IssuedAt          time.Time       `json:"issued_at"`
	TermEndsAt        time.Time       `json:"term_ends_at"`
	VoidReason        *string         `json:"void_reason,omitempty"`
}

// RedemptionResult is the answer to a redemption.
type RedemptionResult struct {
	ID    string `json:"id"`
	Total int64  `json:"total"`
}

// IssueForApplication issues this term's vouchers to every member with a
// school enrolment of the household of an approved dibao, tekun or
// education application. It joins the caller's transaction (the approval),
// is idempotent (one live voucher per student and term) and does nothing
// for other programs or statuses. It returns model.ErrNotFound for an
// unknown application.
func (v *Vouchers) IssueForApplication(ctx context.Context, applicationID string) error {
	return v.d.DB.InTx(ctx, func(ctx context.Context) error {
		app, err := v.d.DB.ApplicationBrief(ctx, applicationID)
		if err != nil {
			return fmt.Errorf("issue vouchers: %w", err)
		}
		if app.Status != model.StatusApproved || !app.Eligible || !isVoucherProgram(app.Program) {
			return nil
		}
		term, err := v.ensureTerm(ctx, model.TermOf(v.d.Clock.Now()))
		if err != nil {
			return err
		}
		_, err = v.issueHousehold(ctx, app.HouseholdID, &app.ID, term.Name)
		return err
	})
}

func isVoucherProgram(program model.ProgramCode) bool {
	for _, p := range model.ProgramsBringing(model.ProgramEducation) {
		if p == program {
			return true
		}
	}
	return false
}

// ensureTerm returns the named term, creating it from its calendar bounds
// when it is not in the table yet.
func (v *Vouchers) ensureTerm(ctx context.Context, name string) (model.Term, error) {
	t, err := v.d.DB.Term(ctx, name)
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, model.ErrNotFound) {
		return t, err
	}
	start, end, ok := model.TermBounds(name)
	if !ok {
		return t, model.Invalid("term", "must name a term such as 2026-autumn or 2027-spring")
	}
	t = model.Term{Name: name, StartsAt: start, EndsAt: end}
	if err := v.d.DB.UpsertTerm(ctx, t); err != nil {
		return t, fmt.Errorf("create term %s: %w", name, err)
	}
	return t, nil
}

// issueHousehold issues a voucher of term to every enrolled member of the
// household that has no live one yet, and returns how many it issued.
func (v *Vouchers) issueHousehold(ctx context.Context, householdID string, applicationID *string, term string) (int, error) {
	students, err := v.d.DB.SchoolStudents(ctx, householdID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range students {
		ok, err := v.issueOne(ctx, s, applicationID, term)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (v *Vouchers) issueOne(ctx context.Context, s storage.VoucherStudent, applicationID *string, term string) (bool, error) {
	code, err := model.NewVoucherCode(v.d.Random)
	if err != nil {
		return false, err
	}
	slot := model.VoucherLiveSlot(s.MemberID, term)
	vo := model.Voucher{
		ID: v.d.IDs.New(), Code: code, MemberID: s.MemberID, HouseholdID: s.HouseholdID, ApplicationID: applicationID,
		Term: term, Stage: s.SchoolStage, SchoolID: s.SchoolID, RegionCode: s.RegionCode,
		StudentNameMasked: s.NameMasked, Status: model.VoucherIssued, LiveSlot: &slot, IssuedAt: v.d.Clock.Now(),
	}
	ok, err := v.d.DB.InsertVoucherIfNone(ctx, &vo)
	if err != nil {
		return false, fmt.Errorf("issue voucher: %w", err)
	}
	return ok, nil
}

// IssueTermResult says what a term run did.
type IssueTermResult struct {
	Term   string
	Issued int
	// Skipped is true when another instance already ran (or is running)
	// the issue for this term.
	Skipped bool
}

// IssueTerm issues the vouchers of a term to the enrolled members of every
// household with an approved dibao, tekun or education application. It runs
// once across instances: a KV lock per term (SetNX, held until the term
// ends) makes every other caller skip; a failed run releases the lock so the
// next run retries, and issuing stays idempotent either way. It returns
// model.KindInvalid for a malformed term name.
func (v *Vouchers) IssueTerm(ctx context.Context, term string) (IssueTermResult, error) {
	res := IssueTermResult{Term: term}
	start, end, ok := model.TermBounds(term)
	if !ok {
		return res, model.Invalid("term", "must name a term such as 2026-autumn or 2027-spring")
	}
	now := v.d.Clock.Now()
	if now.Before(start) {
		return res, model.Invalid("term", "this term has not started yet")
	}
	ttl := end.Sub(now)
	if ttl <= 0 {
		return res, model.Invalid("term", "this term has ended")
	}
	lock := "vouchers:issue-term:" + term
	got, err := v.d.KV.SetNX(ctx, lock, []byte(now.Format(time.RFC3339)), ttl)
	if err != nil {
		return res, fmt.Errorf("issue-term lock: %w", err)
	}
	if !got {
		res.Skipped = true
		return res, nil
	}
	err = v.issueTerm(ctx, term, &res)
	if err != nil {
		_ = v.d.KV.Delete(context.WithoutCancel(ctx), lock)
	}
	return res, err
}

func (v *Vouchers) issueTerm(ctx context.Context, term string, res *IssueTermResult) error {
	if err := v.d.DB.InTx(ctx, func(ctx context.Context) error {
		_, err := v.ensureTerm(ctx, term)
		return err
	}); err != nil {
		return err
	}
	households, err := v.d.DB.VoucherEligibleHouseholds(ctx, model.ProgramsBringing(model.ProgramEducation))
	if err != nil {
		return err
	}
	for _, h := range households {
		appID := h.ApplicationID
		err := v.d.DB.InTx(ctx, func(ctx context.Context) error {
			n, err := v.issueHousehold(ctx, h.HouseholdID, &appID, term)
			res.Issued += n
			return err
		})
		if err != nil {
			return fmt.Errorf("issue term %s: %w", term, err)
		}
	}
	return nil
}

// IssueCurrentTerm runs IssueTerm for the term the clock is in: the
// scheduled job (`jiuzhu vouchers issue-term`, run daily by cron or a
// timer on every instance) that issues a new term's vouchers once it starts.
func (v *Vouchers) IssueCurrentTerm(ctx context.Context) (IssueTermResult, error) {
	return v.IssueTerm(ctx, model.TermOf(v.d.Clock.Now()))
}

// view builds the view of a voucher with the caps of its term and stage.
func (v *Vouchers) view(ctx context.Context, vo model.Voucher) (VoucherView, error) {
	term, err := v.d.DB.Term(ctx, vo.Term)
	if err != nil {
		return VoucherView{}, fmt.Errorf("voucher term: %w", err)
	}
	caps, err := v.d.DB.VoucherCaps(ctx, vo.Term, vo.Stage)
	if err != nil {
		return VoucherView{}, err
	}
	items := []model.ItemCap{}
	for _, it := range model.StageItems[vo.Stage] {
		if c, ok := caps[it]; ok {
			items = append(items, model.ItemCap{Item: it, Cap: c})
		}
	}
	return VoucherView{
		Code: vo.Code, Term: vo.Term, Stage: vo.Stage, StudentNameMasked: vo.StudentNameMasked, SchoolID: vo.SchoolID,
		Items: items, Status: model.VoucherStatusAt(vo.Status, term.EndsAt, v.d.Clock.Now()),
		IssuedAt: vo.IssuedAt, TermEndsAt: term.EndsAt, VoidReason: vo.VoidReason,
	}, nil
}

// Mine lists the vouchers of the resident in ctx, newest first; an issued
// voucher whose term has ended shows as expired.
func (v *Vouchers) Mine(ctx context.Context) ([]VoucherView, error) {
	p, ok := model.PrincipalFrom(ctx)
	if !ok || p.Kind != model.PrincipalResident {
		return nil, model.ErrUnauthenticated
	}
	vs, err := v.d.DB.VouchersOfResident(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := make([]VoucherView, 0, len(vs))
	for _, vo := range vs {
		view, err := v.view(ctx, vo)
		if err != nil {
			return nil, err
		}
		out = append(out, view)
	}
	return out, nil
}

// MineByCode returns one voucher of the resident in ctx by its code:
// model.KindInvalid (422) for a mistyped code, model.ErrNotFound (404) when
// no voucher of the resident has it.
func (v *Vouchers) MineByCode(ctx context.Context, code string) (VoucherView, error) {
	p, ok := model.PrincipalFrom(ctx)
	if !ok || p.Kind != model.PrincipalResident {
		return VoucherView{}, model.ErrUnauthenticated
	}
	code, err := model.ParseVoucherCode(code)
	if err != nil {
		return VoucherView{}, err
	}
	vs, err := v.d.DB.VouchersOfResident(ctx, p.ID)
	if err != nil {
		return VoucherView{}, err
	}
	for _, vo := range vs {
		if vo.Code == code {
			return v.view(ctx, vo)
		}
	}
	return VoucherView{}, model.NotFound("voucher")
}

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
// name, stage, term, items with caps and status. Errors: 422 for a mistyped
// code, 404 for an unknown one, 403 for another school's voucher, 429 past
// the rate limits. Failures are audited.
func (v *Vouchers) Preview(ctx context.Context, code string) (VoucherView, error) {
	_, vo, err := v.schoolVoucher(ctx, model.ActSchoolVouchersPreview, code)
	if err == nil {
		var view VoucherView
		view, err = v.view(ctx, vo)
		if err == nil {
			return view, nil
		}
	}
	v.auditFailure(ctx, "school.vouchers.preview", vo, err)
	return VoucherView{}, err
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
