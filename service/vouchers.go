package service

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	// Redemption is how a redeemed voucher was used, shown to the school
	// that redeemed it (Preview): when, by which school, how much.
	Redemption *RedemptionView `json:"redemption,omitempty"`
}

// RedemptionView is a redemption as the redeeming school sees it: no
// operator, no household, only what the school's own statement holds.
type RedemptionView struct {
	RedeemedAt time.Time        `json:"redeemed_at"`
	SchoolID   string           `json:"school_id"`
	SchoolName string           `json:"school_name"`
	Items      map[string]int64 `json:"items"`
	Total      int64            `json:"total"`
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
