package service

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiuzhu/jiuzhu/model"
)

// Payments makes the monthly payment rolls (社会化发放) of a county and
// program, has them approved by a second person, writes the bank's batch
// file and records the bank's results. Every step is audited; rolls are
// scoped to the staff member's region in SQL.
type Payments struct {
	d     Deps
	audit *Audit
}

// NewPayments builds the payments service.
func NewPayments(d Deps, audit *Audit) *Payments { return &Payments{d: d, audit: audit} }

// RollInput asks for the roll of a county, program and month.
type RollInput struct {
	RegionCode string            `json:"region_code"`
	Program    model.ProgramCode `json:"program"`
	Period     string            `json:"period"`
}

// RollView is a roll with its lines.
type RollView struct {
	model.PaymentRoll
	Lines []model.PaymentLine `json:"lines"`
	// AllowedActions is what the caller may do with the roll now
	// (model.PaymentRoll.AllowedActions).
	AllowedActions []string `json:"allowed_actions"`
}

// newRollView is the view of r with its lines for the caller pr.
func newRollView(pr model.Principal, r model.PaymentRoll, lines []model.PaymentLine) RollView {
	if lines == nil {
		lines = []model.PaymentLine{}
	}
	awaiting := false
	for _, l := range lines {
		awaiting = awaiting || l.Status == model.LineScheduled
	}
	return RollView{PaymentRoll: r, Lines: lines, AllowedActions: r.AllowedActions(pr, awaiting)}
}

// heldReason is why a line without a bank account is not sent to the bank.
const heldReason = "该户未登记银行账户，本月暂缓发放；请社区提醒居民在“我的家庭”中登记银行卡，登记后随下月名册补发"

// CreateRoll makes the draft roll of a county, program and month from the
// benefits in force: every active (or gradually exiting, until its end)
// monthly benefit whose first month is at or before the period, at its amount in force that month; every one-off
// not yet paid, once; and, as arrears, every failed or held line of the
// county's earlier approved rolls not yet paid again. A line whose
// household has no bank account is held with a reason. A second roll of the
// same county, program and period is model.KindConflict roll_exists;
// another county is model.KindNotFound; a program that pays no cash, a
// period more than a month ahead or a region that is not a county is
// model.KindInvalid.
func (p *Payments) CreateRoll(ctx context.Context, in RollInput) (RollView, error) {
	pr, err := staffIn(ctx, model.ActPaymentRollsCreate)
	if err != nil {
		return RollView{}, err
	}
	if model.LevelOfCode(in.RegionCode) != model.LevelCounty {
		return RollView{}, model.Invalid("region_code", "发放名册按县（区）编制，请填写 6 位县（区）代码")
	}
	if !model.InRegion(pr.RegionCode, in.RegionCode) {
		return RollView{}, model.NotFound("region")
	}
	policy, ok := model.PolicyOf(in.Program)
	if !ok || (!policy.Kind().IsMonthly() && !policy.Kind().IsOneOff()) {
		return RollView{}, model.Invalid("program", "只有发放现金的项目编制发放名册")
	}
	if _, err := model.ParsePeriod(in.Period); err != nil {
		return RollView{}, err
	}
	now := p.d.Clock.Now()
	if in.Period > model.AddMonths(model.MonthOf(now), 1) {
		return RollView{}, model.Invalid("period", "最多提前一个月编制发放名册")
	}
	var out RollView
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		lines, err := p.linesOf(ctx, in.RegionCode, in.Program, in.Period)
		if err != nil {
			return err
		}
		r := model.PaymentRoll{ID: p.d.IDs.New(), Number: rollNumber(in), RegionCode: in.RegionCode, Program: in.Program,
			Period: in.Period, Status: model.RollDraft, LineCount: len(lines), MadeBy: pr.ID, CreatedAt: now}
		for i := range lines {
			lines[i].ID, lines[i].RollID, lines[i].Position = p.d.IDs.New(), r.ID, i
			r.Total += lines[i].Amount
		}
		if err := p.d.DB.CreatePaymentRoll(ctx, &r, lines); err != nil {
			if model.KindOf(err) != model.KindConflict {
				return err
			}
			return model.Conflict("roll_exists", "本县（区）该项目 %s 的发放名册已经编制，不能重复编制", in.Period).Wrap(err)
		}
		if err := p.audit.Record(ctx, Event{Action: "payment_roll.create", TargetType: "payment_roll", TargetID: r.ID, RegionCode: r.RegionCode,
			Detail: fmt.Sprintf("%s %s lines=%d total=%d", r.Program, r.Period, r.LineCount, r.Total)}); err != nil {
			return err
		}
		out = newRollView(pr, r, lines)
		return nil
	})
	var me *model.Error
	if errors.As(err, &me) && me.Code == "roll_exists" {
		// The insert may have lost a line (an arrears line) to another roll
		// of this county and program made at the same moment.
		if exists, xerr := p.d.DB.PaymentRollExists(ctx, in.RegionCode, in.Program, in.Period); xerr == nil && !exists {
			return RollView{}, model.Conflict("roll_busy", "本县（区）该项目的另一份发放名册正在编制，请稍后重试").Wrap(err)
		}
	}
	return out, err
}

// rollNumber is the printed number of a roll, one per county, program and
// period.
func rollNumber(in RollInput) string {
	return fmt.Sprintf("FF-%s-%s-%s", in.RegionCode, strings.ToUpper(string(in.Program)), strings.ReplaceAll(in.Period, "-", ""))
}

// linesOf computes the lines of a roll (without ids).
func (p *Payments) linesOf(ctx context.Context, county string, program model.ProgramCode, period string) ([]model.PaymentLine, error) {
	bs, err := p.d.DB.BenefitsOf(ctx, county, program, []string{model.BenefitStatusActive, model.BenefitStatusGradualExit})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(bs))
	slots := make([]string, 0, len(bs))
	for _, b := range bs {
		ids = append(ids, b.ID)
		slots = append(slots, paySlot(b, period))
	}
	taken, err := p.d.DB.TakenPaySlots(ctx, slots)
	if err != nil {
		return nil, err
	}
	versions, err := p.d.DB.BenefitAmounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	var lines []model.PaymentLine
	households := map[string]bool{}
	for i, b := range bs {
		if b.FirstMonth > period || taken[slots[i]] || (b.EndMonth != nil && period >= *b.EndMonth) {
			continue
		}
		l := model.PaymentLine{BenefitID: b.ID, ApplicationID: b.ApplicationID, ApplicationNumber: b.ApplicationNumber, NameMasked: b.NameMasked,
			ForMonth: period, Kind: model.LineMonthly, Status: model.LineScheduled}
		if b.Kind.IsOneOff() {
			l.Kind, l.ForMonth = model.LineOneOff, b.FirstMonth
		}
		amount, ok := model.AmountIn(versions[b.ID], l.ForMonth)
		if !ok || amount <= 0 {
			continue
		}
		slot := slots[i]
		l.Amount, l.PaySlot = amount, &slot
		lines = append(lines, l)
		households[b.HouseholdID] = true
	}
	byBenefit := make(map[string]string, len(bs))
	for _, b := range bs {
		byBenefit[b.ID] = b.HouseholdID
	}
	missed, err := p.missedMonths(ctx, bs, versions, county, program, period)
	if err != nil {
		return nil, err
	}
	for _, l := range missed {
		lines = append(lines, l)
		households[byBenefit[l.BenefitID]] = true
	}
	unpaid, err := p.d.DB.UnpaidLines(ctx, county, program)
	if err != nil {
		return nil, err
	}
	for _, u := range unpaid {
		if _, ok := byBenefit[u.BenefitID]; !ok {
			b, err := p.d.DB.BenefitOfApplication(ctx, u.ApplicationID)
			if err != nil {
				return nil, err
			}
			byBenefit[b.ID] = b.HouseholdID
		}
		of := u.ID
		lines = append(lines, model.PaymentLine{BenefitID: u.BenefitID, ApplicationID: u.ApplicationID, ApplicationNumber: u.ApplicationNumber,
			NameMasked: u.NameMasked, ForMonth: u.ForMonth, Amount: u.Amount, Kind: model.LineArrears, Status: model.LineScheduled, ArrearsOf: &of})
		households[byBenefit[u.BenefitID]] = true
	}
	hhIDs := make([]string, 0, len(households))
	for id := range households {
		hhIDs = append(hhIDs, id)
	}
	payees, err := p.d.DB.Payees(ctx, hhIDs)
	if err != nil {
		return nil, err
	}
	for i := range lines {
		payee := payees[byBenefit[lines[i].BenefitID]]
		if payee.BankAccountSealed == nil {
			reason := heldReason
			lines[i].Status, lines[i].Reason = model.LineHeld, &reason
			continue
		}
		lines[i].BankName, lines[i].AccountSealed, lines[i].HolderSealed = payee.BankName, payee.BankAccountSealed, payee.HolderSealed
	}
	return lines, nil
}

// missedMonths are the catch-up lines (kind arrears, no earlier line) of
// the monthly benefits among bs for the months before period whose roll
// was made before the benefit was approved: a case approved on the 25th
// after the next month's roll was made on the 20th is paid that month in
// the following roll. A month missed while a benefit was suspended is not
// paid later (the benefit was approved before that roll), and the pay slot
// keeps a month from being paid twice (also a benefit approved at the
// instant its roll was made, which that roll may already pay).
func (p *Payments) missedMonths(ctx context.Context, bs []model.Benefit, versions map[string][]model.BenefitAmount,
	county string, program model.ProgramCode, period string) ([]model.PaymentLine, error) {
	rolls, err := p.d.DB.RollsBefore(ctx, county, program, period)
	if err != nil || len(rolls) == 0 {
		return nil, err
	}
	var lines []model.PaymentLine
	var slots []string
	for _, b := range bs {
		if !b.Kind.IsMonthly() {
			continue
		}
		for _, r := range rolls {
			if r.Period < b.FirstMonth || b.ApprovedAt.Before(r.CreatedAt) || (b.EndMonth != nil && r.Period >= *b.EndMonth) {
				continue
			}
			amount, ok := model.AmountIn(versions[b.ID], r.Period)
			if !ok || amount <= 0 {
				continue
			}
			slot := paySlot(b, r.Period)
			slots = append(slots, slot)
			lines = append(lines, model.PaymentLine{BenefitID: b.ID, ApplicationID: b.ApplicationID, ApplicationNumber: b.ApplicationNumber,
				NameMasked: b.NameMasked, ForMonth: r.Period, Amount: amount, Kind: model.LineArrears, Status: model.LineScheduled, PaySlot: &slot})
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	taken, err := p.d.DB.TakenPaySlots(ctx, slots)
	if err != nil {
		return nil, err
	}
	out := lines[:0]
	for _, l := range lines {
		if !taken[*l.PaySlot] {
			out = append(out, l)
		}
	}
	return out, nil
}

// paySlot names the one payment a benefit may receive for a period: the
// month for a monthly benefit, "once" for a one-off.
func paySlot(b model.Benefit, period string) string {
	if b.Kind.IsOneOff() {
		return b.ID + ":once"
	}
	return b.ID + ":" + period
}

// Roll returns a roll in the staff member's region with its lines.
func (p *Payments) Roll(ctx context.Context, id string) (RollView, error) {
	pr, err := staffIn(ctx, model.ActPaymentRollsRead)
	if err != nil {
		return RollView{}, err
	}
	return p.rollView(ctx, id, pr)
}

func (p *Payments) rollView(ctx context.Context, id string, pr model.Principal) (RollView, error) {
	r, err := p.d.DB.PaymentRollInRegion(ctx, id, scopeOf(pr), false)
	if err != nil {
		return RollView{}, notFoundAs(err, "payment_roll")
	}
	lines, err := p.d.DB.PaymentLines(ctx, r.ID)
	if err != nil {
		return RollView{}, err
	}
	return newRollView(pr, r, lines), nil
}

// Rolls pages through the rolls in the staff member's region, newest first.
func (p *Payments) Rolls(ctx context.Context, req model.PageRequest) (model.Page[model.PaymentRoll], error) {
	pr, err := staffIn(ctx, model.ActPaymentRollsRead)
	if err != nil {
		return model.Page[model.PaymentRoll]{}, err
	}
	rows, err := p.d.DB.PaymentRollsInRegion(ctx, scopeOf(pr), req)
	if err != nil {
		return model.Page[model.PaymentRoll]{}, err
	}
	return model.NewPage(rows, req, func(r model.PaymentRoll) string { return r.ID }), nil
}

// Approve approves a draft roll (maker-checker): the approver holds the
// payment permission and is not the maker (model.KindForbidden own_roll,
// audited). A roll already approved is model.KindConflict.
func (p *Payments) Approve(ctx context.Context, id string) (RollView, error) {
	pr, err := staffIn(ctx, model.ActPaymentRollsApprove)
	if err != nil {
		return RollView{}, err
	}
	now := p.d.Clock.Now()
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		r, err := p.d.DB.PaymentRollInRegion(ctx, id, scopeOf(pr), true)
		if err != nil {
			return notFoundAs(err, "payment_roll")
		}
		if r.MadeBy == pr.ID {
			return model.Forbidden("own_roll", "发放名册须由编制人以外的另一位有发放权限的人员审核")
		}
		if r.Status != model.RollDraft {
			return model.Conflict("roll_approved", "该发放名册已审核，不能再改")
		}
		if err := p.d.DB.ApprovePaymentRoll(ctx, r.ID, pr.ID, now); err != nil {
			return err
		}
		return p.audit.Record(ctx, Event{Action: "payment_roll.approve", TargetType: "payment_roll", TargetID: r.ID, RegionCode: r.RegionCode,
			Detail: fmt.Sprintf("lines=%d total=%d", r.LineCount, r.Total)})
	})
	if model.KindOf(err) == model.KindForbidden {
		if aerr := p.audit.RecordAlone(ctx, Event{Action: "payment_roll.approve", TargetType: "payment_roll", TargetID: clipID(id),
			Outcome: model.OutcomeDenied, Detail: "own_roll"}); aerr != nil {
			return RollView{}, aerr
		}
	}
	if err != nil {
		return RollView{}, err
	}
	return p.rollView(ctx, id, pr)
}

// clipID keeps what of a request's id fits the audit column.
func clipID(id string) string { return clipBytes(id, maxAuditTargetBytes) }

// clipBytes keeps at most max bytes of s, never half a character.
func clipBytes(s string, max int) string {
	if len(s) > max {
		return strings.ToValidUTF8(s[:max], "")
	}
	return s
}

// LineResult is the bank's result for one line.
type LineResult struct {
	LineID string `json:"line_id"`
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// RecordResults records the bank's results on an approved roll's lines: paid
// or failed (a failed line is paid as arrears in the next roll). A line
// that has a result already, or was held, is model.KindConflict; a line of
// another roll model.KindInvalid; a draft roll model.KindConflict.
func (p *Payments) RecordResults(ctx context.Context, id string, results []LineResult) (RollView, error) {
	pr, err := staffIn(ctx, model.ActPaymentResultsRecord)
	if err != nil {
		return RollView{}, err
	}
	if len(results) == 0 || len(results) > 50_000 {
		return RollView{}, model.Invalid("results", "请提交 1 到 50000 条银行回盘结果")
	}
	for i, res := range results {
		field := "results[" + strconv.Itoa(i) + "]"
		if res.Status != model.LinePaid && res.Status != model.LineFailed {
			return RollView{}, model.Invalid(field+".status", "paid 或 failed")
		}
		if err := checkText(field+".reason", res.Reason, false); err != nil {
			return RollView{}, err
		}
	}
	now := p.d.Clock.Now()
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		r, err := p.d.DB.PaymentRollInRegion(ctx, id, scopeOf(pr), true)
		if err != nil {
			return notFoundAs(err, "payment_roll")
		}
		if r.Status != model.RollApproved {
			return model.Conflict("roll_not_approved", "发放名册审核后才能登记银行结果")
		}
		var paid, failed int
		for i, res := range results {
			reason := nonEmpty(strings.TrimSpace(res.Reason))
			if err := p.d.DB.SetPaymentLineResult(ctx, r.ID, res.LineID, res.Status, reason, now); err != nil {
				if errors.Is(err, model.ErrNotFound) {
					return model.Invalid("results["+strconv.Itoa(i)+"].line_id", "不是本名册的发放明细")
				}
				return err
			}
			if res.Status == model.LinePaid {
				paid++
			} else {
				failed++
			}
		}
		return p.audit.Record(ctx, Event{Action: "payment_roll.results", TargetType: "payment_roll", TargetID: r.ID, RegionCode: r.RegionCode,
			Detail: fmt.Sprintf("paid=%d failed=%d", paid, failed)})
	})
	if err != nil {
		return RollView{}, err
	}
	return p.rollView(ctx, id, pr)
}

// ExportCSV writes the bank's batch file of an approved roll to w: a header
// and one row per line sent to the bank (held lines are not), with the
// account holder, the full account number, the amount in yuan with two
// decimals, the bank, the line id (for the results) and the case number,
// in the configured character set (GBK, or UTF-8 with a BOM). The read of
// the full account numbers is audited. A draft roll is model.KindConflict.
func (p *Payments) ExportCSV(ctx context.Context, id string, w io.Writer) error {
	pr, err := staffIn(ctx, model.ActPaymentRollsExport)
	if err != nil {
		return err
	}
	r, err := p.d.DB.PaymentRollInRegion(ctx, id, scopeOf(pr), false)
	if err != nil {
		return notFoundAs(err, "payment_roll")
	}
	if r.Status != model.RollApproved {
		return model.Conflict("roll_not_approved", "发放名册审核后才能导出银行批量文件")
	}
	if err := p.audit.RecordAlone(ctx, Event{Action: "payment_roll.export", TargetType: "payment_roll", TargetID: r.ID, RegionCode: r.RegionCode,
		Detail: "bank file " + p.d.Settings.BankCSVEncoding}); err != nil {
		return err
	}
	return writeBankCSV(ctx, p.d, r.ID, w)
}

// writeBankCSV streams the rows of a roll's bank file.
func writeBankCSV(ctx context.Context, d Deps, rollID string, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var out io.Writer = bw
	if d.Settings.BankCSVEncoding == "utf8-bom" {
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return err
		}
	} else {
		out = simplifiedchinese.GBK.NewEncoder().Writer(bw)
	}
	cw := csv.NewWriter(out)
	if err := cw.Write([]string{"序号", "户名", "账号", "金额（元）", "开户行", "明细编号", "案号"}); err != nil {
		return err
	}
	n := 0
	err := d.DB.EachPaymentLine(ctx, rollID, func(l model.PaymentLine) error {
		if l.AccountSealed == nil {
			return nil
		}
		account, err := d.Keys.Open(*l.AccountSealed)
		if err != nil {
			return fmt.Errorf("open account: %w", err)
		}
		holder := ""
		if l.HolderSealed != nil {
			if holder, err = d.Keys.Open(*l.HolderSealed); err != nil {
				return fmt.Errorf("open holder: %w", err)
			}
		}
		n++
		return cw.Write([]string{strconv.Itoa(n), holder, account, yuanPlain(l.Amount), deref(l.BankName), l.ID, l.ApplicationNumber})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// yuanPlain is fen as yuan with two decimals and no separators, as bank
// files want it: 194000 → "1940.00".
func yuanPlain(fen int64) string {
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// FundItem is one program and month of the public fund totals.
type FundItem struct {
	Program    model.ProgramCode `json:"program"`
	Period     string            `json:"period"`
	Recipients int               `json:"recipients"`
	Amount     int64             `json:"amount"`
	Paid       int64             `json:"paid"`
	// Donated is the donated money allocated to the program in the month
	// (society's donations, their own source).
	Donated int64 `json:"donated"`
}

// Funds publishes, without names, the totals of the approved rolls in a
// region subtree for a year per program and month (资金监管).
func (p *Payments) Funds(ctx context.Context, regionCode string, year int) ([]FundItem, error) {
	if regionCode == "" {
		regionCode = p.d.Settings.CityRegionCode
	}
	if _, err := p.d.DB.Region(ctx, regionCode); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid("region_code", "没有这个地区")
		}
		return nil, err
	}
	year, err := p.yearOrNow(year)
	if err != nil {
		return nil, err
	}
	rows, err := p.d.DB.FundTotals(ctx, model.RegionPrefix(regionCode), year)
	if err != nil {
		return nil, err
	}
	out := make([]FundItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, FundItem(r))
	}
	return out, nil
}

// BudgetInput sets a county's budget for a program and month.
type BudgetInput struct {
	RegionCode string            `json:"region_code"`
	Program    model.ProgramCode `json:"program"`
	Period     string            `json:"period"`
	Amount     int64             `json:"amount"`
}

// SetBudget sets the budget of the fund ledger for a county (in the
// caller's region), program and month; audited. Another county is
// model.KindNotFound; bad values model.KindInvalid.
func (p *Payments) SetBudget(ctx context.Context, in BudgetInput) (model.FundBudget, error) {
	pr, err := staffIn(ctx, model.ActFundBudgetSet)
	if err != nil {
		return model.FundBudget{}, err
	}
	if model.LevelOfCode(in.RegionCode) != model.LevelCounty {
		return model.FundBudget{}, model.Invalid("region_code", "预算按县（区）设定，请填写 6 位县（区）代码")
	}
	if !model.InRegion(pr.RegionCode, in.RegionCode) {
		return model.FundBudget{}, model.NotFound("region")
	}
	if _, ok := model.ProgramOf(in.Program); !ok {
		return model.FundBudget{}, model.Invalid("program", "没有这个救助项目")
	}
	if _, err := model.ParsePeriod(in.Period); err != nil {
		return model.FundBudget{}, err
	}
	if in.Amount < 0 || in.Amount > 1_000_000_000_000 {
		return model.FundBudget{}, model.Invalid("amount", "请填写预算金额（单位：分，不小于 0）")
	}
	b := model.FundBudget{RegionCode: in.RegionCode, Program: in.Program, Period: in.Period, Amount: in.Amount, UpdatedBy: pr.ID, UpdatedAt: p.d.Clock.Now()}
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := p.d.DB.PutFundBudget(ctx, b); err != nil {
			return err
		}
		return p.audit.Record(ctx, Event{Action: "fund_budget.set", TargetType: "fund_budget", TargetID: b.RegionCode + "/" + string(b.Program) + "/" + b.Period,
			RegionCode: b.RegionCode, Detail: "amount=" + strconv.FormatInt(b.Amount, 10)})
	})
	return b, err
}

// LedgerItem is one county, program and month of the fund ledger.
type LedgerItem struct {
	RegionCode string            `json:"region_code"`
	Program    model.ProgramCode `json:"program"`
	Period     string            `json:"period"`
	Budget     int64             `json:"budget"`
	Scheduled  int64             `json:"scheduled"`
	Paid       int64             `json:"paid"`
	Failed     int64             `json:"failed"`
	Held       int64             `json:"held"`
	// Donated is the donated money allocated to the county and program in
	// the month (society's donations, their own source).
	Donated int64 `json:"donated"`
}

// Ledger is the fund ledger of the counties in the caller's region (or a
// county under it) for a year: budget, and from the approved rolls the
// amounts scheduled, paid, failed and held. A region outside the caller's
// is model.KindNotFound.
func (p *Payments) Ledger(ctx context.Context, regionCode string, year int) ([]LedgerItem, error) {
	pr, err := staffIn(ctx, model.ActFundLedgerRead)
	if err != nil {
		return nil, err
	}
	if regionCode == "" {
		regionCode = pr.RegionCode
	}
	if !model.InRegion(pr.RegionCode, regionCode) {
		return nil, model.NotFound("region")
	}
	year, err = p.yearOrNow(year)
	if err != nil {
		return nil, err
	}
	rows, err := p.d.DB.FundLedger(ctx, model.RegionPrefix(regionCode), year)
	if err != nil {
		return nil, err
	}
	out := make([]LedgerItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, LedgerItem(r))
	}
	return out, nil
}

// yearOrNow is year, or the current year in China when it is 0; a year
// outside 2000–2100 is model.KindInvalid.
func (p *Payments) yearOrNow(year int) (int, error) {
	if year == 0 {
		year = p.d.Clock.Now().In(chinaZone).Year()
	}
	if year < 2000 || year > 2100 {
		return 0, model.Invalid("year", "请填写 2000 到 2100 之间的年份")
	}
	return year, nil
}
