package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// maxNoteRunes caps free-text reasons and notes.
const maxNoteRunes = 2000

// maxAuditTargetBytes is the width of audit_log.target_id.
const maxAuditTargetBytes = 64

// Workflow is the staff side of an application: the region-scoped queue,
// detail with masking and audited reveal, document review and download,
// the assessment, the approval chain, 低保 standards and the audit trail
// listing. Every query is scoped to the staff member's region subtree in
// SQL; anything outside it is model.KindNotFound.
type Workflow struct {
	d     Deps
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
func NewWorkflow(d Deps, audit *Audit, apps *Applications) *Workflow {
	return &Workflow{d: d, audit: audit, apps: apps}
}

// staffIn returns the staff principal in ctx after checking that its role
// holds action (model.KindForbidden otherwise).
func staffIn(ctx context.Context, action string) (model.Principal, error) {
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

// QueueQuery are the filters of the staff queue.
type QueueQuery struct {
	Status     string
	Program    string
	RegionCode string
	// ReviewDue keeps only approved cases whose re-check (复核) is due now.
	ReviewDue bool
}

// QueueItem is one row of the staff queue.
type QueueItem struct {
	ID          string     `json:"id"`
	Number      string     `json:"number"`
	Program     string     `json:"program"`
	Status      string     `json:"status"`
	RegionCode  string     `json:"region_code"`
	SubmittedAt *time.Time `json:"submitted_at"`
	ReviewDueAt *time.Time `json:"review_due_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Queue pages through the applications in the staff member's subtree. A
// region_code filter narrows it to a sub-subtree, review_due to the
// approved cases whose re-check is due by now; a region outside the staff
// member's region is model.KindNotFound; an unknown status or program
// model.KindInvalid.
func (w *Workflow) Queue(ctx context.Context, q QueueQuery, req model.PageRequest) (model.Page[QueueItem], error) {
	p, err := staffIn(ctx, model.ActApplicationsRead)
	if err != nil {
		return model.Page[QueueItem]{}, err
	}
	f := storage.QueueFilter{RegionPrefix: scopeOf(p), Status: q.Status, Program: q.Program}
	if q.ReviewDue {
		now := w.d.Clock.Now()
		f.ReviewDueBy = &now
	}
	if q.Status != "" && !isStatus(q.Status) {
		return model.Page[QueueItem]{}, model.Invalid("status", "not an application status")
	}
	if q.Program != "" {
		if _, ok := model.ProgramOf(q.Program); !ok {
			return model.Page[QueueItem]{}, model.Invalid("program", "not a program code")
		}
	}
	if q.RegionCode != "" {
		if !model.InRegion(p.RegionCode, q.RegionCode) {
			return model.Page[QueueItem]{}, model.NotFound("region")
		}
		f.RegionPrefix = model.RegionPrefix(q.RegionCode)
	}
	rows, err := w.d.DB.StaffQueue(ctx, f, req)
	if err != nil {
		return model.Page[QueueItem]{}, err
	}
	page := model.NewPage(rows, req, func(a model.Application) string { return a.ID })
	out := model.Page[QueueItem]{Items: make([]QueueItem, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, a := range page.Items {
		out.Items = append(out.Items, QueueItem{ID: a.ID, Number: a.Number, Program: a.Program, Status: a.Status,
			RegionCode: a.RegionCode, SubmittedAt: a.SubmittedAt, ReviewDueAt: a.ReviewDueAt, UpdatedAt: a.UpdatedAt})
	}
	return out, nil
}

func isStatus(s string) bool {
	switch s {
	case model.StatusDraft, model.StatusSubmitted, model.StatusAccepted, model.StatusInvestigating, model.StatusPublicizing,
		model.StatusApproved, model.StatusRejected, model.StatusReturned, model.StatusWithdrawn,
		model.StatusSuspended, model.StatusEnded:
		return true
	}
	return false
}

// StaffMemberView is a household member as staff see it: masked unless
// revealed. A masked view carries the age, never the birth date, which with
// the masked ID number would rebuild the whole number.
type StaffMemberView struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	IDNumber      string  `json:"id_number"`
	Relation      string  `json:"relation"`
	Age           int     `json:"age"`
	BirthDate     string  `json:"birth_date,omitempty"`
	MonthlyIncome int64   `json:"monthly_income"`
	WorkAbility   *string `json:"work_ability"`
	HasDisability bool    `json:"has_disability"`
	Disability    *string `json:"disability,omitempty"`
	SchoolID      *string `json:"school_id,omitempty"`
	SchoolStage   *string `json:"school_stage,omitempty"`
}

// StaffHouseholdView is the household behind an application.
type StaffHouseholdView struct {
	ID         string            `json:"id"`
	RegionCode string            `json:"region_code"`
	Hukou      string            `json:"hukou"`
	Address    string            `json:"address"`
	Phone      string            `json:"phone"`
	Members    []StaffMemberView `json:"members"`
}

// AssessmentView is the recorded assessment of an application.
type AssessmentView struct {
	PerCapitaIncome int64      `json:"per_capita_income"`
	MonthlyAmount   int64      `json:"monthly_amount"`
	ComputedAmount  *int64     `json:"computed_amount,omitempty"`
	Standard        *int64     `json:"standard,omitempty"`
	AmountReason    *string    `json:"amount_reason"`
	SupportMode     *string    `json:"support_mode,omitempty"`
	HomeVisit       HomeVisit  `json:"home_visit"`
	AssessedBy      *string    `json:"assessed_by"`
	AssessedAt      *time.Time `json:"assessed_at"`
}

// HomeVisit is the date and note of the community worker's visit.
type HomeVisit struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

// StaffApplicationView is an application's detail for staff.
type StaffApplicationView struct {
	ID          string                   `json:"id"`
	Number      string                   `json:"number"`
	Program     string                   `json:"program"`
	Status      string                   `json:"status"`
	Reason      string                   `json:"reason"`
	RegionCode  string                   `json:"region_code"`
	SubmittedAt *time.Time               `json:"submitted_at"`
	DecidedAt   *time.Time               `json:"decided_at"`
	ReviewDueAt *time.Time               `json:"review_due_at"`
	RecheckedAt *time.Time               `json:"rechecked_at"`
	EndedAt     *time.Time               `json:"ended_at"`
	CreatedAt   time.Time                `json:"created_at"`
	UpdatedAt   time.Time                `json:"updated_at"`
	Revealed    bool                     `json:"revealed"`
	Household   *StaffHouseholdView      `json:"household"`
	Assessment  *AssessmentView          `json:"assessment"`
	Documents   []model.Document         `json:"documents"`
	Timeline    []model.ApplicationEvent `json:"timeline"`
}

// Detail returns an application in the staff member's subtree with
// personal data masked; with reveal it shows full values (names, ID
// numbers, phone, address, disability) and writes an audit entry first.
// Out of region is model.KindNotFound; reveal without the permission
// model.KindForbidden.
func (w *Workflow) Detail(ctx context.Context, id string, reveal bool) (StaffApplicationView, error) {
	action := model.ActApplicationsRead
	if reveal {
		action = model.ActApplicationsReveal
	}
	p, err := staffIn(ctx, action)
	if err != nil {
		return StaffApplicationView{}, err
	}
	a, err := w.d.DB.ApplicationInRegion(ctx, id, scopeOf(p))
	if err != nil {
		return StaffApplicationView{}, notFoundAs(err, "application")
	}
	if reveal {
		if err := w.audit.RecordAlone(ctx, Event{Action: "application.reveal", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode}); err != nil {
			return StaffApplicationView{}, err
		}
	}
	return w.view(ctx, a, reveal)
}

// view assembles the staff detail of a.
func (w *Workflow) view(ctx context.Context, a model.Application, reveal bool) (StaffApplicationView, error) {
	v := StaffApplicationView{ID: a.ID, Number: a.Number, Program: a.Program, Status: a.Status, Reason: a.Reason,
		RegionCode: a.RegionCode, SubmittedAt: a.SubmittedAt, DecidedAt: a.DecidedAt, ReviewDueAt: a.ReviewDueAt, RecheckedAt: a.RecheckedAt,
		EndedAt: a.EndedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Revealed: reveal}
	hh, err := w.household(ctx, a, reveal)
	if err != nil {
		return v, err
	}
	v.Household = hh
	if a.PerCapitaIncome != nil && a.MonthlyAmount != nil {
		as := &AssessmentView{PerCapitaIncome: *a.PerCapitaIncome, MonthlyAmount: *a.MonthlyAmount, AmountReason: a.AmountReason,
			SupportMode: a.SupportMode, AssessedBy: a.AssessedBy, AssessedAt: a.AssessedAt}
		if a.HomeVisitDate != nil {
			as.HomeVisit.Date = *a.HomeVisitDate
		}
		if a.HomeVisitNote != nil {
			as.HomeVisit.Note = *a.HomeVisitNote
		}
		v.Assessment = as
	}
	if v.Documents, err = w.d.DB.Documents(ctx, a.ID); err != nil {
		return v, err
	}
	if v.Timeline, err = w.d.DB.ApplicationEvents(ctx, a.ID); err != nil {
		return v, err
	}
	if v.Documents == nil {
		v.Documents = []model.Document{}
	}
	if v.Timeline == nil {
		v.Timeline = []model.ApplicationEvent{}
	}
	return v, nil
}

func (w *Workflow) household(ctx context.Context, a model.Application, reveal bool) (*StaffHouseholdView, error) {
	h, err := w.d.DB.Household(ctx, a.HouseholdID)
	if err != nil {
		return nil, err
	}
	ms, err := w.d.DB.Members(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	r, err := w.d.DB.Resident(ctx, a.ResidentID)
	if err != nil {
		return nil, err
	}
	open := func(s string) (string, error) { return w.d.Keys.Open(s) }
	addr, err := open(h.AddressSealed)
	if err != nil {
		return nil, err
	}
	hv := &StaffHouseholdView{ID: h.ID, RegionCode: h.RegionCode, Hukou: h.Hukou, Address: MaskAddress(addr), Phone: r.PhoneMasked, Members: make([]StaffMemberView, 0, len(ms))}
	if reveal {
		hv.Address = addr
		if hv.Phone, err = open(r.PhoneSealed); err != nil {
			return nil, err
		}
	}
	for _, m := range ms {
		mv := StaffMemberView{ID: m.ID, Name: m.NameMasked, IDNumber: m.IDMasked, Relation: m.Relation, Age: model.AgeOn(m.BirthDate, w.d.Clock.Now()),
			MonthlyIncome: m.MonthlyIncome, WorkAbility: m.WorkAbility, HasDisability: m.HasDisability, SchoolID: m.SchoolID, SchoolStage: m.SchoolStage}
		if reveal {
			if mv.Name, err = open(m.NameSealed); err != nil {
				return nil, err
			}
			if mv.IDNumber, err = open(m.IDSealed); err != nil {
				return nil, err
			}
			mv.BirthDate = m.BirthDate
			if m.DisabilitySealed != nil {
				d, err := open(*m.DisabilitySealed)
				if err != nil {
					return nil, err
				}
				mv.Disability = &d
			}
		}
		hv.Members = append(hv.Members, mv)
	}
	return hv, nil
}

// reviewable are the statuses in which documents can be reviewed.
var reviewable = []string{model.StatusSubmitted, model.StatusAccepted, model.StatusInvestigating}

// Review records a decision on a document of an application in review in
// the staff member's subtree. A rejection needs a reason; the decision can
// change until the case is publicized. Out of region is
// model.KindNotFound; a bad decision model.KindInvalid; a case not in
// review or a replaced document model.KindConflict.
func (w *Workflow) Review(ctx context.Context, id, decision, reason string) (model.Document, error) {
	p, err := staffIn(ctx, model.ActDocumentsReview)
	if err != nil {
		return model.Document{}, err
	}
	var out model.Document
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		d, a, err := w.d.DB.DocumentInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "document")
		}
		reason = strings.TrimSpace(reason)
		switch decision {
		case model.DocumentAccepted:
		case model.DocumentRejected:
			if reason == "" {
				return model.Invalid("reason", "say why the document is rejected")
			}
		default:
			return model.Invalid("decision", "accepted or rejected")
		}
		if utf8.RuneCountInString(reason) > maxNoteRunes {
			return model.Invalid("reason", "too long")
		}
		now := w.d.Clock.Now()
		// Lock the case while it is in review, so publicize sees either
		// the old or the new decision, never half of it.
		if err := w.d.DB.LockApplicationIn(ctx, a.ID, reviewable); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("not_in_review", "documents can be reviewed only while the case is in review")
			}
			return err
		}
		var why *string
		if reason != "" {
			why = &reason
		}
		set := map[string]any{"review_reason": why, "reviewed_by": p.ID, "reviewed_at": now}
		if err := w.d.DB.UpdateDocumentStatus(ctx, d.ID, []string{model.DocumentPending, model.DocumentAccepted, model.DocumentRejected}, decision, set); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "document.review", TargetType: "document", TargetID: d.ID, RegionCode: a.RegionCode, Detail: decision}); err != nil {
			return err
		}
		out, err = w.d.DB.Document(ctx, d.ID)
		return err
	})
	return out, err
}

// AssessmentInput is what the community worker records.
type AssessmentInput struct {
	PerCapitaIncome *int64     `json:"per_capita_income"`
	MonthlyAmount   *int64     `json:"monthly_amount"`
	AmountReason    string     `json:"amount_reason"`
	HomeVisit       *HomeVisit `json:"home_visit"`
	SupportMode     *string    `json:"support_mode"` // tekun: centralized or dispersed (model.CheckSupportMode)
}

// assessable are the statuses in which the assessment can be recorded.
var assessable = []string{model.StatusAccepted, model.StatusInvestigating}

// countyOf is the county code of a region code.
func countyOf(code string) string {
	if len(code) < 6 {
		return code
	}
	return code[:6]
}

// ComputeMonthlyAmount is the 低保 formula: (standard − per-capita income)
// × members, never below zero.
func ComputeMonthlyAmount(standard, perCapitaIncome int64, members int) int64 {
	if perCapitaIncome >= standard {
		return 0
	}
	return (standard - perCapitaIncome) * int64(members)
}

// Assess records the per-capita income, the monthly amount and the home
// visit of an accepted or investigated case in the staff member's subtree.
// The amount defaults to the 低保 formula over the county's standard for
// the current year and the household's hukou; a different amount needs
// amount_reason. A tekun case also records its support mode (集中/分散供养,
// model.CheckSupportMode), which no other program has. Out of region is
// model.KindNotFound; bad values model.KindInvalid; a missing standard or a case in another state
// model.KindConflict.
func (w *Workflow) Assess(ctx context.Context, id string, in AssessmentInput) (AssessmentView, error) {
	p, err := staffIn(ctx, model.ActApplicationsAssess)
	if err != nil {
		return AssessmentView{}, err
	}
	var out AssessmentView
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		a, err := w.d.DB.ApplicationInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "application")
		}
		now := w.d.Clock.Now()
		if err := validateAssessment(in, now); err != nil {
			return err
		}
		if err := model.CheckSupportMode(a.Program, in.SupportMode); err != nil {
			return err
		}
		h, err := w.d.DB.Household(ctx, a.HouseholdID)
		if err != nil {
			return err
		}
		ms, err := w.d.DB.Members(ctx, h.ID)
		if err != nil {
			return err
		}
		std, err := w.d.DB.Standard(ctx, countyOf(a.RegionCode), now.Year(), h.Hukou)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.Conflict("standard_missing", "the county has no 低保 standard for %d (%s)", now.Year(), h.Hukou)
			}
			return err
		}
		computed := ComputeMonthlyAmount(std.MonthlyAmount, *in.PerCapitaIncome, len(ms))
		amount := computed
		var reason *string
		if r := strings.TrimSpace(in.AmountReason); r != "" {
			reason = &r
		}
		if in.MonthlyAmount != nil && *in.MonthlyAmount != computed {
			if reason == nil {
				return model.Invalid("amount_reason", "say why the amount differs from the computed "+strconv.FormatInt(computed, 10))
			}
			amount = *in.MonthlyAmount
		}
		as := storage.Assessment{PerCapitaIncome: *in.PerCapitaIncome, MonthlyAmount: amount, AmountReason: reason, SupportMode: in.SupportMode,
			HomeVisitDate: in.HomeVisit.Date, HomeVisitNote: strings.TrimSpace(in.HomeVisit.Note), AssessedBy: p.ID, AssessedAt: now}
		if err := w.d.DB.SetAssessment(ctx, a.ID, assessable, as); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("not_assessable", "an assessment is recorded while the case is accepted or under investigation")
			}
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "application.assess", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
			Detail: "monthly_amount=" + strconv.FormatInt(amount, 10)}); err != nil {
			return err
		}
		by := p.ID
		out = AssessmentView{PerCapitaIncome: as.PerCapitaIncome, MonthlyAmount: amount, ComputedAmount: &computed, Standard: &std.MonthlyAmount,
			AmountReason: reason, SupportMode: in.SupportMode, HomeVisit: HomeVisit{Date: as.HomeVisitDate, Note: as.HomeVisitNote}, AssessedBy: &by, AssessedAt: &now}
		return nil
	})
	return out, err
}

func validateAssessment(in AssessmentInput, now time.Time) error {
	if in.PerCapitaIncome == nil {
		return model.Invalid("per_capita_income", "required, in fen per month")
	}
	if *in.PerCapitaIncome < 0 || *in.PerCapitaIncome > 100_000_000 {
		return model.Invalid("per_capita_income", "between 0 and 100000000 fen")
	}
	if in.MonthlyAmount != nil && (*in.MonthlyAmount < 0 || *in.MonthlyAmount > 100_000_000) {
		return model.Invalid("monthly_amount", "between 0 and 100000000 fen")
	}
	if utf8.RuneCountInString(in.AmountReason) > maxNoteRunes {
		return model.Invalid("amount_reason", "too long")
	}
	if in.HomeVisit == nil {
		return model.Invalid("home_visit", "record the date and a note of the home visit")
	}
	d, err := time.Parse("2006-01-02", in.HomeVisit.Date)
	if err != nil {
		return model.Invalid("home_visit.date", "a date like 2026-03-01")
	}
	if d.After(now.Add(24 * time.Hour)) {
		return model.Invalid("home_visit.date", "cannot be in the future")
	}
	note := strings.TrimSpace(in.HomeVisit.Note)
	if note == "" || utf8.RuneCountInString(note) > maxNoteRunes {
		return model.Invalid("home_visit.note", "required, at most 2000 characters")
	}
	return nil
}

// Act takes one staff step of the chain (accept, investigate, return,
// publicize, approve, reject) or of the 复核 of an approved benefit
// (recheck, suspend, resume, end) on a case in the staff member's subtree
// and returns the case. Approval and each re-check set the next re-check
// date (model.ReviewDueAfter). The step's level comes from model.Transitions and
// model.Permissions (model.KindForbidden otherwise, also when the approver
// investigated the case); out of region is model.KindNotFound; a case in
// another state, documents not accepted, no assessment, a running notice
// period or an open objection are model.KindConflict; a missing reason
// model.KindInvalid. The status change is a conditional update, so of two
// concurrent steps exactly one wins. Timeline entry, resident message and
// audit row are written in the same transaction.
func (w *Workflow) Act(ctx context.Context, id, action, reason string) (StaffApplicationView, error) {
	t, ok := model.Transitions[action]
	if !ok || t.Permission == "" {
		return StaffApplicationView{}, model.Invalid("action", "one of accept, investigate, return, publicize, approve, reject, recheck, suspend, resume, end")
	}
	p, err := staffIn(ctx, t.Permission)
	if err != nil {
		if model.KindOf(err) == model.KindForbidden {
			return StaffApplicationView{}, w.denied(ctx, action, id, model.Forbidden("wrong_level", "your role may not %s an application", action))
		}
		return StaffApplicationView{}, err
	}
	reason = strings.TrimSpace(reason)
	if t.NeedReason && reason == "" {
		return StaffApplicationView{}, model.Invalid("reason", "required for "+action)
	}
	if utf8.RuneCountInString(reason) > maxNoteRunes {
		return StaffApplicationView{}, model.Invalid("reason", "too long")
	}
	var out model.Application
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		a, err := w.d.DB.LockApplicationInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "application")
		}
		if !model.CanTransition(action, a.Status) {
			return model.Conflict("wrong_state", "cannot %s an application that is %s", action, a.Status)
		}
		now := w.d.Clock.Now()
		set := map[string]any{"updated_at": now}
		switch action {
		case model.ActionAccept:
			set["accepted_by"] = p.ID
		case model.ActionInvestigate:
			set["investigated_by"] = p.ID
		case model.ActionPublicize:
			if err := w.readyToPublicize(ctx, a); err != nil {
				return err
			}
			set["publicized_by"] = p.ID
		case model.ActionApprove:
			if err := w.readyToApprove(ctx, a, p, now); err != nil {
				return err
			}
			set["decided_by"], set["decided_at"] = p.ID, now
			set["review_due_at"] = model.ReviewDueAfter(a.Program, now)
		case model.ActionReject:
			set["decided_by"], set["decided_at"] = p.ID, now
		case model.ActionRecheck:
			set["rechecked_at"], set["review_due_at"] = now, model.ReviewDueAfter(a.Program, now)
		case model.ActionEnd:
			// Vouchers already issued for the case stay as they are: an
			// unredeemed voucher of the running term was granted while the
			// benefit was in force and remains valid until its term ends;
			// the next term's issue (IssueTerm) only covers approved cases.
			// Suspend and resume leave vouchers alone for the same reason.
			set["ended_at"], set["review_due_at"] = now, nil
		}
		if err := w.d.DB.UpdateApplicationStatus(ctx, a.ID, []string{a.Status}, t.To, set); err != nil {
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
		actor := p.ID
		note, text := stepNote(&a, action, reason)
		if err := w.apps.RecordStep(ctx, &a, t.To, p.Role, &actor, note, text); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "application." + action, TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
			Detail: a.Status + "->" + t.To}); err != nil {
			return err
		}
		if action == model.ActionApprove && w.OnApproved != nil {
			if err := w.OnApproved(ctx, a.ID); err != nil {
				return fmt.Errorf("after approval: %w", err)
			}
		}
		out, err = w.d.DB.Application(ctx, a.ID)
		return err
	})
	if model.KindOf(err) == model.KindForbidden {
		return StaffApplicationView{}, w.denied(ctx, action, id, err)
	}
	if err != nil {
		return StaffApplicationView{}, err
	}
	return w.view(ctx, out, false)
}

// stepNote is the timeline note and resident message of a step: the
// staff member's reason and StepMessage (an empty text), except for a
// re-check and a resumption, which stay approved and say so.
func stepNote(a *model.Application, action, reason string) (note, text string) {
	prog, _ := model.ProgramOf(a.Program)
	switch action {
	case model.ActionRecheck:
		note = "复核：仍符合条件"
		if reason != "" {
			note += "。" + reason
		}
		return note, fmt.Sprintf("您的%s申请（%s）已完成复核，继续享受救助。", prog.Name, a.Number)
	case model.ActionResume:
		note = "恢复发放"
		if reason != "" {
			note += "。" + reason
		}
		return note, fmt.Sprintf("您的%s申请（%s）已恢复发放。", prog.Name, a.Number)
	}
	return reason, ""
}

// denied records a refused step in the audit trail and returns cause (or
// the audit failure, when the record could not be written).
func (w *Workflow) denied(ctx context.Context, action, id string, cause error) error {
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
	if err := w.audit.RecordAlone(ctx, Event{Action: "application." + action, TargetType: "application", TargetID: id,
		Outcome: model.OutcomeDenied, Detail: code}); err != nil {
		return err
	}
	return cause
}

// readyToPublicize checks that every required document is accepted and an
// assessment is recorded.
func (w *Workflow) readyToPublicize(ctx context.Context, a model.Application) error {
	if a.PerCapitaIncome == nil || a.MonthlyAmount == nil {
		return model.Conflict("assessment_missing", "record the assessment before the public notice")
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
		e := model.Conflict("documents_not_accepted", "every required document must be accepted first: %s", strings.Join(missing, ", "))
		for _, k := range missing {
			e = e.WithField("documents."+k, "not accepted")
		}
		return e
	}
	return nil
}

// readyToApprove checks the four-eyes rule, that the notice period is over
// and that no objection is open.
func (w *Workflow) readyToApprove(ctx context.Context, a model.Application, p model.Principal, now time.Time) error {
	for _, by := range []*string{a.AcceptedBy, a.InvestigatedBy, a.AssessedBy, a.PublicizedBy} {
		if by != nil && *by == p.ID {
			return model.Forbidden("own_work", "you worked on this case; another person must approve it")
		}
	}
	n, err := w.d.DB.OpenNoticeOf(ctx, a.ID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Conflict("notice_missing", "the case has no public notice; publicize it again")
	}
	if err != nil {
		return err
	}
	if now.Before(n.EndsAt) {
		return model.Conflict("publicity_running", "the public notice runs until %s", n.EndsAt.Format(time.RFC3339))
	}
	open, err := w.d.DB.CountOpenObjections(ctx, a.ID)
	if err != nil {
		return err
	}
	if open > 0 {
		return model.Conflict("open_objection", "resolve the open objections first")
	}
	return nil
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
	var amount int64
	if a.MonthlyAmount != nil {
		amount = *a.MonthlyAmount
	}
	return w.d.DB.CreateNotice(ctx, &model.Notice{ID: w.d.IDs.New(), ApplicationID: a.ID, Program: a.Program, NameMasked: name,
		HouseholdSize: len(ms), MonthlyAmount: amount, RegionCode: a.RegionCode, StartsAt: now,
		EndsAt: now.Add(w.d.Settings.PublicityPeriod), Status: model.NoticeOpen})
}

// StandardInput sets one 低保 standard.
type StandardInput struct {
	RegionCode    string `json:"region_code"`
	Year          int    `json:"year"`
	Hukou         string `json:"hukou"`
	MonthlyAmount int64  `json:"monthly_amount"`
}

// SetStandard sets the 低保 standard of the approver's own county for a
// year and hukou type. Another county is model.KindNotFound; bad values
// model.KindInvalid.
func (w *Workflow) SetStandard(ctx context.Context, in StandardInput) (model.Standard, error) {
	p, err := staffIn(ctx, model.ActStandardsSet)
	if err != nil {
		return model.Standard{}, err
	}
	if !model.InRegion(p.RegionCode, in.RegionCode) {
		return model.Standard{}, model.NotFound("region")
	}
	if model.LevelOfCode(in.RegionCode) != model.LevelCounty {
		return model.Standard{}, model.Invalid("region_code", "standards are set per county")
	}
	if in.Year < 2000 || in.Year > 2100 {
		return model.Standard{}, model.Invalid("year", "a year from 2000 to 2100")
	}
	if in.Hukou != model.HukouUrban && in.Hukou != model.HukouRural {
		return model.Standard{}, model.Invalid("hukou", "urban or rural")
	}
	if in.MonthlyAmount <= 0 || in.MonthlyAmount > 10_000_000 {
		return model.Standard{}, model.Invalid("monthly_amount", "fen per person per month, above 0")
	}
	by := p.ID
	s := model.Standard{RegionCode: in.RegionCode, Year: in.Year, Hukou: in.Hukou, MonthlyAmount: in.MonthlyAmount, UpdatedAt: w.d.Clock.Now(), UpdatedBy: &by}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.UpsertStandard(ctx, s); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "standard.set", TargetType: "standard", TargetID: fmt.Sprintf("%s/%d/%s", s.RegionCode, s.Year, s.Hukou),
			RegionCode: s.RegionCode, Detail: "monthly_amount=" + strconv.FormatInt(s.MonthlyAmount, 10)})
	})
	return s, err
}

// AuditQuery are the filters of the audit listing.
type AuditQuery struct {
	RegionCode string
	ActorID    string
	Action     string
	TargetType string
	TargetID   string
}

// AuditLog pages through the audit trail of the auditor's region subtree,
// newest first. A region filter outside it is model.KindNotFound; a cursor
// this server did not issue model.KindInvalid.
func (w *Workflow) AuditLog(ctx context.Context, q AuditQuery, req model.PageRequest) (model.Page[model.AuditEntry], error) {
	p, err := staffIn(ctx, model.ActAuditRead)
	if err != nil {
		return model.Page[model.AuditEntry]{}, err
	}
	prefix := scopeOf(p)
	if q.RegionCode != "" {
		if !model.InRegion(p.RegionCode, q.RegionCode) {
			return model.Page[model.AuditEntry]{}, model.NotFound("region")
		}
		prefix = model.RegionPrefix(q.RegionCode)
	}
	if req.After != "" {
		if _, err := strconv.ParseInt(req.After, 10, 64); err != nil {
			return model.Page[model.AuditEntry]{}, model.Invalid("cursor", "not a cursor this server issued")
		}
	}
	rows, err := w.d.DB.AuditEntries(ctx, storage.AuditFilter{RegionPrefix: prefix, ActorID: q.ActorID, Action: q.Action, TargetType: q.TargetType, TargetID: q.TargetID}, req)
	if err != nil {
		return model.Page[model.AuditEntry]{}, err
	}
	return model.NewPage(rows, req, func(e model.AuditEntry) string { return strconv.FormatInt(e.Seq, 10) }), nil
}
