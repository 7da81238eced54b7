package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// maxAuditTargetBytes is the width of audit_log.target_id.
const maxAuditTargetBytes = 64

// Workflow is the staff side of an application: the region-scoped queue,
// detail with masking and audited reveal, document review and download,
// the assessment, the approval chain, 低保 standards and the audit trail
// listing. Every query is scoped to the staff member's region subtree in
// SQL; anything outside it is model.KindNotFound.
type Workflow struct {
	d     WorkflowDeps
	audit *Audit
	apps  *Applications
	// OnApproved, when set, runs inside the approve transaction (the
	// vouchers service issues the derived benefits there); its error rolls
	// the approval back.
	OnApproved func(ctx context.Context, applicationID string) error
}

// NewWorkflow builds the staff workflow service over the residents'
// Applications service, whose RecordStep writes each step's timeline entry
// and message.
func NewWorkflow(d WorkflowDeps, audit *Audit, apps *Applications) *Workflow {
	return &Workflow{d: d, audit: audit, apps: apps}
}

// staffIn returns the staff principal in ctx after checking that its role
// holds action (model.KindForbidden otherwise).
func staffIn(ctx context.Context, action model.Action) (model.Principal, error) {
	p, ok := model.PrincipalFrom(ctx)
	if !ok || !p.IsStaff() {
		return p, errStaffOnly
	}
	if !model.Can(p.Role, action) {
		return p, model.Forbidden("not_permitted", "your role may not do this (%s)", action)
	}
	return p, nil
}

// scopeOf is the SQL prefix of the principal's region subtree.
func scopeOf(p model.Principal) string { return model.RegionPrefix(p.RegionCode) }

// notFoundAs maps a storage not-found to the client-facing 404 of what.
func notFoundAs(err error, what string) error {
	if errors.Is(err, model.ErrNotFound) {
		return model.NotFound(what)
	}
	return err
}

// Act takes one staff step of the chain (accept, investigate, return,
// publicize, approve, reject) or of the 复核 of an approved benefit
// (recheck, suspend, resume, end) on a case in the staff member's subtree
// and returns the case. Approval and each re-check set the next re-check
// date from the program's policy. The step's permission comes from
// model.Transitions (it can depend on the status: only the county rejects
// during 公示; the street approves an urgent temporary case from
// investigating) and model.Permissions (model.KindForbidden otherwise, also
// when the approver worked on the case); out of region is
// model.KindNotFound; a case in another state, documents not accepted, no
// or an ineligible assessment (not_eligible), a running notice period, an
// open objection or a duplicate hit are model.KindConflict; a missing
// reason model.KindInvalid. The status change is a conditional update, so
// of two concurrent steps exactly one wins. Timeline entry, resident
// message and audit row are written in the same transaction; a refused
// excluded pair is kept as a duplicate hit.
func (w *Workflow) Act(ctx context.Context, id string, action model.Step, reason string) (StaffApplicationView, error) {
	t, ok := model.Transitions[action]
	if !ok || t.Permission == "" {
		return StaffApplicationView{}, model.Invalid("action", "one of accept, investigate, return, publicize, approve, reject, recheck, suspend, resume, end, gradual_exit")
	}
	p, ok := model.PrincipalFrom(ctx)
	if !ok || !p.IsStaff() {
		return StaffApplicationView{}, errStaffOnly
	}
	if !canAny(p.Role, t.Permissions()) {
		return StaffApplicationView{}, w.denied(ctx, action, id, model.Forbidden("wrong_level", "your role may not %s an application", action))
	}
	reason = strings.TrimSpace(reason)
	if t.NeedReason && reason == "" {
		return StaffApplicationView{}, model.Invalid("reason", "required for "+string(action))
	}
	if err := checkText("reason", reason, false); err != nil {
		return StaffApplicationView{}, err
	}
	var out model.Application
	var hits []*model.DuplicateHit
	err := w.d.DB.InTx(ctx, func(ctx context.Context) error {
		hits = nil
		a, err := w.d.DB.LockApplicationInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "application")
		}
		if err := w.mayAct(ctx, p, a, t.PermissionAt(a.Status)); err != nil {
			return err
		}
		if !model.CanTransition(action, a.Status) {
			return model.Conflict("wrong_state", "cannot %s an application that is %s", action, a.Status)
		}
		policy, ok := model.PolicyOf(a.Program)
		if !ok {
			return fmt.Errorf("application %s has unknown program %q", a.ID, a.Program)
		}
		now := w.d.Clock.Now()
		actor := p.ID
		change := storage.StatusChange{At: now}
		switch action {
		case model.ActionAccept:
			// Acceptance is made on the ID card's evidence: it verifies the
			// household's claims of its ID numbers, unless another household
			// holds a verified claim of one of them.
			if err := w.d.DB.VerifyClaims(ctx, a.HouseholdID); err != nil {
				return err
			}
			change.AcceptedBy = &actor
		case model.ActionInvestigate:
			change.InvestigatedBy = &actor
		case model.ActionPublicize:
			if err := w.readyToPublicize(ctx, a); err != nil {
				return err
			}
			change.PublicizedBy = &actor
		case model.ActionApprove:
			if hits, err = w.readyToApprove(ctx, a, p, policy, now); err != nil {
				return err
			}
			if err := w.d.DB.RecordBenefitPersons(ctx, a.ID, a.HouseholdID); err != nil {
				return err
			}
			change.DecidedBy, change.DecidedAt = &actor, &now
			if change.ReviewDueAt, err = w.reviewDue(ctx, a, policy, now); err != nil {
				return err
			}
		case model.ActionReturn:
			// 退回补正: the resident has ReturnDays working days to bring
			// what is missing (calendar_missing when the year is not set).
			cal, err := w.calendar(ctx)
			if err != nil {
				return err
			}
			due, err := cal.AddWorkingDays(now, model.ReturnDays)
			if err != nil {
				return err
			}
			change.ReturnDueAt = &due
		case model.ActionReject:
			change.DecidedBy, change.DecidedAt = &actor, &now
		case model.ActionRecheck:
			change.RecheckedAt, change.ClearChangeReport = &now, true
			if change.ReviewDueAt, err = w.reviewDue(ctx, a, policy, now); err != nil {
				return err
			}
		case model.ActionEnd:
			// Vouchers already issued for the case stay as they are: an
			// unredeemed voucher of the running term was granted while the
			// benefit was in force and remains valid until its term ends;
			// the next term's issue (IssueTerm) only covers approved cases.
			// Suspend and resume leave vouchers alone for the same reason.
			change.EndedAt, change.ClearReviewDue, change.ClearChangeReport = &now, true, true
		}
		if err := w.d.DB.UpdateApplicationStatus(ctx, a.ID, []model.Status{a.Status}, t.To, change); err != nil {
			return err
		}
		if a.Status == model.StatusPublicizing {
			if err := w.d.DB.CloseNotices(ctx, a.ID); err != nil {
				return err
			}
		}
		if t.To == model.StatusPublicizing {
			if err := w.openNotice(ctx, a, now); err != nil {
				return err
			}
		}
		note, text := stepNote(&a, action, reason)
		if action == model.ActionReturn {
			if text, err = w.returnText(ctx, a, reason, *change.ReturnDueAt); err != nil {
				return err
			}
		}
		if err := w.apps.RecordStep(ctx, &a, t.To, string(p.Role), &actor, note, text); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "application." + string(action), TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
			Detail: string(a.Status + "->" + t.To)}); err != nil {
			return err
		}
		if action == model.ActionApprove && a.Status == model.StatusInvestigating {
			// 急难型先行救助: the street approved without 公示; the county is told.
			if err := w.audit.Record(ctx, Event{Action: "application.urgent_approved", TargetType: "application", TargetID: a.ID,
				RegionCode: countyOf(a.RegionCode), Detail: "急难型临时救助由街道先行审批，未经公示，请县级民政部门知悉"}); err != nil {
				return err
			}
		}
		switch action {
		case model.ActionApprove:
			if err := w.makeBenefit(ctx, a, now); err != nil {
				return fmt.Errorf("benefit: %w", err)
			}
		case model.ActionGradualExit:
			if reason, err = w.gradualExit(ctx, a, reason, now); err != nil {
				return err
			}
		default:
			if err := w.followBenefit(ctx, a, t.To, now); err != nil {
				return err
			}
		}
		if action == model.ActionApprove && w.OnApproved != nil {
			if err := w.OnApproved(ctx, a.ID); err != nil {
				return fmt.Errorf("after approval: %w", err)
			}
		}
		out, err = w.d.DB.Application(ctx, a.ID)
		return err
	})
	if len(hits) > 0 {
		// The approval rolled back; the hits it found are kept for the county.
		if _, herr := w.keepHits(ctx, hits); herr != nil {
			return StaffApplicationView{}, herr
		}
	}
	if model.KindOf(err) == model.KindForbidden {
		return StaffApplicationView{}, w.denied(ctx, action, id, err)
	}
	if err != nil {
		return StaffApplicationView{}, err
	}
	return w.viewAfterStep(ctx, out)
}

// canAny reports whether role holds one of the permissions, or may stand
// in for one (model.StandIns; mayAct decides on the case).
func canAny(role model.Role, permissions []model.Action) bool {
	for _, p := range permissions {
		if model.Can(role, p) || model.CanStandIn(role, p) {
			return true
		}
	}
	return false
}

// reviewDue is the next 复核 date of a case approved or re-checked at now,
// from the program's interval for its household (nil: no schedule).
func (w *Workflow) reviewDue(ctx context.Context, a model.Application, policy model.Policy, now time.Time) (*time.Time, error) {
	people, err := w.people(ctx, a.HouseholdID, now)
	if err != nil {
		return nil, err
	}
	return model.ReviewDueAfter(policy.RecheckMonths(model.Case{Program: a.Program, Members: people}), now), nil
}

// people are the members of a household as decisions see them.
func (w *Workflow) people(ctx context.Context, householdID string, now time.Time) ([]model.Person, error) {
	ms, err := w.d.DB.Members(ctx, householdID)
	if err != nil {
		return nil, err
	}
	out := make([]model.Person, 0, len(ms))
	for _, m := range ms {
		p, err := w.personOf(m, now)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// stepNote is the timeline note and resident message of a step: the
// staff member's reason and StepMessage (an empty text), except for a
// re-check and a resumption, which stay approved and say so.
func stepNote(a *model.Application, action model.Step, reason string) (note, text string) {
	prog, _ := model.ProgramOf(a.Program)
	switch action {
	case model.ActionRecheck:
		note = "复核：仍符合条件"
		if reason != "" {
			note += "。" + reason
		}
		return note, fmt.Sprintf("您的%s申请（%s）已完成复核，继续享受救助。", prog.Name, a.Number)
	case model.ActionGradualExit:
		return "渐退：" + reason, fmt.Sprintf("经复核，您家庭的收入已超过救助标准。按规定，您的%s（%s）%s", prog.Name, a.Number, reason)
	case model.ActionResume:
		note = "恢复发放"
		if reason != "" {
			note += "。" + reason
		}
		return note, fmt.Sprintf("您的%s申请（%s）已恢复发放。", prog.Name, a.Number)
	}
	return reason, ""
}

// returnText is the message of a return (退回补正): why, what to bring (the
// documents staff did not accept, with their reasons, and the required ones
// missing) and by which day.
func (w *Workflow) returnText(ctx context.Context, a model.Application, reason string, due time.Time) (string, error) {
	docs, err := w.d.DB.Documents(ctx, a.ID)
	if err != nil {
		return "", err
	}
	prog, _ := model.ProgramOf(a.Program)
	text := fmt.Sprintf("您的%s申请（%s）被退回补正。原因：%s。", prog.Name, a.Number, strings.TrimRight(reason, "。"))
	if items := prog.ToBring(docs); len(items) > 0 {
		text += "请补交：" + model.ToBringText(items) + "。"
	}
	return text + fmt.Sprintf("请在 %s 前补齐后重新提交，逾期未补正的，可能影响办理。", model.LastDayBefore(due)), nil
}

// denied records a refused step in the audit trail and returns cause (or
// the audit failure, when the record could not be written).
func (w *Workflow) denied(ctx context.Context, action model.Step, id string, cause error) error {
	code := "forbidden"
	var me *model.Error
	if errors.As(cause, &me) {
		code = me.Code
	}
	// The id comes from the request and may be anything: keep what fits
	// the audit column instead of failing the record.
	if len(id) > maxAuditTargetBytes {
		id = strings.ToValidUTF8(id[:maxAuditTargetBytes], "")
	}
	if err := w.audit.RecordAlone(ctx, Event{Action: "application." + string(action), TargetType: "application", TargetID: id,
		Outcome: model.OutcomeDenied, Detail: code}); err != nil {
		return err
	}
	return cause
}

// readyToPublicize checks that an eligible assessment is recorded and
// every required document is accepted.
func (w *Workflow) readyToPublicize(ctx context.Context, a model.Application) error {
	if !a.Assessed() {
		return model.Conflict("assessment_missing", "请先录入入户调查评估，再进行公示")
	}
	if !a.IsEligible() {
		return notEligible(a)
	}
	prog, ok := model.ProgramOf(a.Program)
	if !ok {
		return fmt.Errorf("application %s has unknown program %q", a.ID, a.Program)
	}
	docs, err := w.d.DB.Documents(ctx, a.ID)
	if err != nil {
		return err
	}
	accepted := map[string]bool{}
	for _, d := range docs {
		if d.Status == model.DocumentAccepted {
			accepted[d.Kind] = true
		}
	}
	if missing := prog.MissingDocuments(accepted); len(missing) > 0 {
		e := model.Conflict("documents_not_accepted", "这些必需材料还没有审核通过：%s。请先审核全部必需材料。", model.DocumentNames(missing))
		for _, d := range missing {
			e = e.WithField("documents."+d.Kind, d.Name+"未审核通过")
		}
		return e
	}
	return nil
}

// notEligible is the 409 of a step that needs an eligible assessment.
func notEligible(a model.Application) error {
	why := "评估结论为不符合条件"
	if a.IneligibleReason != nil {
		why += "：" + *a.IneligibleReason
	}
	return model.Conflict("not_eligible", "%s，不能公示或批准；可重新评估或作出不予批准的决定", why)
}

// readyToApprove checks the four-eyes rule, an eligible assessment, that no
// duplicate rule finds a double payment (model.DuplicateRules; the hits are
// returned to be kept) and no duplicate hit is open, and that the
// notice period is over with no objection open — or, for an urgent
// temporary case approved from investigating, that its documents are
// accepted.
func (w *Workflow) readyToApprove(ctx context.Context, a model.Application, p model.Principal, policy model.Policy, now time.Time) ([]*model.DuplicateHit, error) {
	if ownWork(p, a) {
		return nil, model.Forbidden("own_work", "you worked on this case; another person must approve it")
	}
	if !a.Assessed() {
		return nil, model.Conflict("assessment_missing", "请先录入入户调查评估")
	}
	if !a.IsEligible() {
		return nil, notEligible(a)
	}
	if hits, err := w.findHits(ctx, a, policy, now); err != nil || len(hits) > 0 {
		if err == nil {
			err = model.Conflict("duplicate_hit", "%s；请先核实，由县级审批人员处理（确认无误后说明理由放行，或更正后再审批）", hits[0].Detail)
		}
		return hits, err
	}
	if n, err := w.d.DB.CountOpenHits(ctx, a.ID); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, model.Conflict("duplicate_hit", "本案有未处理的重复享受（多头）提示，请先处理")
	}
	if a.Status == model.StatusInvestigating {
		if !a.Urgent {
			return nil, model.Conflict("wrong_state", "只有急难型临时救助可以不经公示先行审批")
		}
		return nil, w.readyToPublicize(ctx, a)
	}
	n, err := w.d.DB.OpenNoticeOf(ctx, a.ID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, model.Conflict("notice_missing", "the case has no public notice; publicize it again")
	}
	if err != nil {
		return nil, err
	}
	if now.Before(n.EndsAt) {
		return nil, model.Conflict("publicity_running", "the public notice runs until %s", n.EndsAt.Format(time.RFC3339))
	}
	open, err := w.d.DB.CountOpenObjections(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if open > 0 {
		return nil, model.Conflict("open_objection", "resolve the open objections first")
	}
	return nil, nil
}

// openNotice publishes the 公示 entry of a case.
func (w *Workflow) openNotice(ctx context.Context, a model.Application, now time.Time) error {
	ms, err := w.d.DB.Members(ctx, a.HouseholdID)
	if err != nil {
		return err
	}
	name := ""
	for _, m := range ms {
		if m.Relation == model.RelationSelf || name == "" {
			name = m.NameMasked
		}
		if m.Relation == model.RelationSelf {
			break
		}
	}
	kind, amount := a.Benefit()
	return w.d.DB.CreateNotice(ctx, &model.Notice{ID: w.d.IDs.New(), ApplicationID: a.ID, Program: a.Program, NameMasked: name,
		HouseholdSize: len(ms), BenefitKind: kind, MonthlyAmount: amount, RegionCode: a.RegionCode, StartsAt: now,
		EndsAt: now.Add(w.d.Settings.PublicityPeriod), Status: model.NoticeOpen})
}
