package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// QueueQuery are the filters of the staff queue.
type QueueQuery struct {
	Status     model.Status
	Program    model.ProgramCode
	RegionCode string
	// ReviewDue keeps only approved cases whose re-check (复核) is due now.
	ReviewDue bool
	// Changed keeps only cases with an open change report.
	Changed bool
}

// QueueItem is one row of the staff queue.
type QueueItem struct {
	ID          string            `json:"id"`
	Number      string            `json:"number"`
	Program     model.ProgramCode `json:"program"`
	Status      model.Status      `json:"status"`
	RegionCode  string            `json:"region_code"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	ReviewDueAt *time.Time        `json:"review_due_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	// ChangeReportedAt and ChangeReport: the resident changed the
	// household of the benefit; what changed, masked, one line each.
	ChangeReportedAt *time.Time `json:"change_reported_at,omitempty"`
	ChangeReport     []string   `json:"change_report,omitempty"`
	// RegionName is the community's name (StreetName its street's), so
	// nobody reads region codes.
	RegionName string `json:"region_name"`
	StreetName string `json:"street_name,omitempty"`
	// Deadline is the case's clock that runs out first (nil when none
	// runs: a case not yet accepted, decided, or when the calendar year is
	// not set); for a returned case the resident's 补正 deadline
	// (step resubmission). Overdue: that clock has run out.
	Deadline *model.Deadline `json:"deadline"`
	Overdue  bool            `json:"overdue"`
}

// changeReport splits a stored change summary into its lines.
func changeReport(a model.Application) []string {
	if a.ChangeSummary == nil || *a.ChangeSummary == "" {
		return nil
	}
	return strings.Split(*a.ChangeSummary, "\n")
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
	f := storage.QueueFilter{RegionPrefix: scopeOf(p), Status: q.Status, Program: q.Program, Changed: q.Changed}
	if q.ReviewDue {
		now := w.d.Clock.Now()
		f.ReviewDueBy = &now
	}
	if q.Status != "" && !model.IsStatus(q.Status) {
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
			RegionCode: a.RegionCode, SubmittedAt: a.SubmittedAt, ReviewDueAt: a.ReviewDueAt, UpdatedAt: a.UpdatedAt,
			ChangeReportedAt: a.ChangeReportedAt, ChangeReport: changeReport(a)})
	}
	if err := w.describeQueue(ctx, page.Items, out.Items); err != nil {
		return model.Page[QueueItem]{}, err
	}
	return out, nil
}

// describeQueue fills in the names of the rows' regions and each row's
// first-running deadline, for the whole page in a fixed number of queries
// (regions, calendar, timelines, notices). A calendar year that is not set
// leaves that row's deadline empty rather than failing the queue.
func (w *Workflow) describeQueue(ctx context.Context, apps []model.Application, items []QueueItem) error {
	codes := make([]string, 0, len(apps))
	var running []string
	for _, a := range apps {
		codes = append(codes, a.RegionCode)
		if slices.Contains(storage.RunningStatuses, a.Status) {
			running = append(running, a.ID)
		}
	}
	regions, err := w.d.DB.RegionsByCode(ctx, codes)
	if err != nil {
		return err
	}
	now := w.d.Clock.Now()
	var cal model.Calendar
	var inputs storage.ClockInputs
	if len(running) > 0 {
		if cal, err = w.calendar(ctx); err != nil {
			return err
		}
		if inputs, err = w.d.DB.ClockInputsOf(ctx, running); err != nil {
			return err
		}
	}
	for i, a := range apps {
		it := &items[i]
		if r, ok := regions[a.RegionCode]; ok {
			it.RegionName = r.Name
			if r.ParentCode != nil {
				it.StreetName = regions[*r.ParentCode].Name
			}
		}
		if d := resubmissionDeadline(a, now); d != nil {
			it.Deadline, it.Overdue = d, d.Overdue
			continue
		}
		if !slices.Contains(running, a.ID) {
			continue
		}
		var end *time.Time
		if t, ok := inputs.NoticeEnds[a.ID]; ok {
			end = &t
		}
		ds, err := cal.Deadlines(caseClockOf(a, inputs.Events[a.ID], end), now)
		if me := (*model.Error)(nil); errors.As(err, &me) && me.Code == "calendar_missing" {
			continue
		}
		if err != nil {
			return err
		}
		if d := model.FirstOpenDeadline(ds); d != nil {
			it.Deadline, it.Overdue = d, d.Overdue
		}
	}
	return nil
}

// resubmissionDeadline is the resident's 补正 clock of a returned case (nil
// for any other case, or one returned before the deadline was kept).
func resubmissionDeadline(a model.Application, now time.Time) *model.Deadline {
	if a.Status != model.StatusReturned || a.ReturnDueAt == nil {
		return nil
	}
	return &model.Deadline{Step: model.StepResubmission, DueAt: *a.ReturnDueAt, Overdue: !now.Before(*a.ReturnDueAt)}
}

// StaffMemberView is a household member as staff see it: masked unless
// revealed. A masked view carries the age, never the birth date, which with
// the masked ID number would rebuild the whole number.
type StaffMemberView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Relation string `json:"relation"`
	Age      int    `json:"age"`
	// ClaimVerified: staff accepted a case on the ID card; RivalClaims: how
	// many other households claim the same ID number (a conflict to check).
	ClaimVerified bool           `json:"claim_verified"`
	RivalClaims   int64          `json:"rival_claims"`
	BirthDate     string         `json:"birth_date,omitempty"`
	MonthlyIncome int64          `json:"monthly_income"`
	Incomes       []model.Income `json:"incomes"`
	WorkAbility   *string        `json:"work_ability"`
	HasDisability bool           `json:"has_disability"`
	Disability    *string        `json:"disability,omitempty"`
	SchoolID      *string        `json:"school_id,omitempty"`
	SchoolStage   *string        `json:"school_stage,omitempty"`
}

// StaffHouseholdView is the household behind an application.
type StaffHouseholdView struct {
	ID         string            `json:"id"`
	RegionCode string            `json:"region_code"`
	Hukou      string            `json:"hukou"`
	Address    string            `json:"address"`
	Phone      string            `json:"phone"`
	Members    []StaffMemberView `json:"members"`
	// BankAccount is masked ("**** 1234") unless revealed (audited).
	BankAccount *BankAccount `json:"bank_account,omitempty"`
}

// StaffApplicationView is an application's detail for staff.
type StaffApplicationView struct {
	ID          string            `json:"id"`
	Number      string            `json:"number"`
	Program     model.ProgramCode `json:"program"`
	Status      model.Status      `json:"status"`
	Reason      string            `json:"reason"`
	RegionCode  string            `json:"region_code"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	DecidedAt   *time.Time        `json:"decided_at"`
	ReviewDueAt *time.Time        `json:"review_due_at"`
	RecheckedAt *time.Time        `json:"rechecked_at"`
	EndedAt     *time.Time        `json:"ended_at"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Revealed    bool              `json:"revealed"`
	// ChangeReportedAt is set while a change report waits for the re-check.
	ChangeReportedAt *time.Time               `json:"change_reported_at"`
	ChangeReport     []string                 `json:"change_report,omitempty"`
	Household        *StaffHouseholdView      `json:"household"`
	Assessment       *AssessmentView          `json:"assessment"`
	Benefit          *BenefitView             `json:"benefit,omitempty"`
	Documents        []model.Document         `json:"documents"`
	Timeline         []model.ApplicationEvent `json:"timeline"`
	Deadlines        []model.Deadline         `json:"deadlines"`
	// ConflictOfInterest: a member of the household is a close relative
	// some staff member declared; that person cannot act on the case.
	ConflictOfInterest bool       `json:"conflict_of_interest"`
	ExtendedAt         *time.Time `json:"extended_at"`
	// Checks is the cross-department check report (核对), oldest first.
	Checks []model.CheckResult `json:"checks"`
	// ReviewMeetings are the community's 民主评议 records, oldest first.
	ReviewMeetings []model.ReviewMeeting `json:"review_meetings"`
	// AllowedActions is what the caller may do on the case in its state
	// (allowedActions): the portal shows exactly these; the server checks
	// each again, with what can change meanwhile (a notice still running,
	// a duplicate hit).
	AllowedActions []string `json:"allowed_actions"`
}

// Pseudo-actions of allowed_actions besides the workflow steps.
const (
	allowReviewDocuments = "review_documents"
	allowAssess          = "assess"
)

// stepOrder is the order allowed_actions lists the workflow steps in.
var stepOrder = []model.Step{model.ActionAccept, model.ActionInvestigate, model.ActionPublicize, model.ActionApprove, model.ActionReturn,
	model.ActionReject, model.ActionRecheck, model.ActionSuspend, model.ActionResume, model.ActionEnd, model.ActionGradualExit}

// allowedActions is what p may do on a: the steps its role may take from
// a's status (Act's own checks: the permission at the status, the
// transition, the four-eyes rule and the urgent path of an approval),
// reviewing documents and assessing where the role and status allow;
// nothing when p declared a member of the household as a relative; with
// standIn (someone declared one) also the steps the level above may take
// for the level below (model.StandIns).
func allowedActions(p model.Principal, a model.Application, conflicted, standIn bool) []string {
	out := []string{}
	if conflicted || !p.IsStaff() {
		return out
	}
	// may is the role's own permission, or a stand-in's on a case where
	// someone declared a relative (Workflow.mayAct).
	may := func(action model.Action) bool {
		return model.Can(p.Role, action) || (standIn && model.CanStandIn(p.Role, action))
	}
	for _, step := range stepOrder {
		t := model.Transitions[step]
		if !model.CanTransition(step, a.Status) || !may(t.PermissionAt(a.Status)) {
			continue
		}
		if step == model.ActionApprove && (ownWork(p, a) || (a.Status == model.StatusInvestigating && !a.Urgent)) {
			continue
		}
		out = append(out, string(step))
	}
	if may(model.ActDocumentsReview) && slices.Contains(reviewable, a.Status) {
		out = append(out, allowReviewDocuments)
	}
	if may(model.ActApplicationsAssess) && slices.Contains(assessable, a.Status) {
		out = append(out, allowAssess)
	}
	return out
}

// ownWork reports whether p took an earlier step of a (the four-eyes rule:
// they may not approve it).
func ownWork(p model.Principal, a model.Application) bool {
	for _, by := range []*string{a.AcceptedBy, a.InvestigatedBy, a.AssessedBy, a.PublicizedBy} {
		if by != nil && *by == p.ID {
			return true
		}
	}
	return false
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
		EndedAt: a.EndedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Revealed: reveal,
		ChangeReportedAt: a.ChangeReportedAt, ChangeReport: changeReport(a), ExtendedAt: a.ExtendedAt, Deadlines: []model.Deadline{}}
	hh, err := w.household(ctx, a, reveal)
	if err != nil {
		return v, err
	}
	v.Household = hh
	if a.Assessed() {
		as := assessmentViewOf(a)
		v.Assessment = &as
	}
	if v.Benefit, err = benefitOf(ctx, w.d.DB, w.d.Clock.Now(), a); err != nil {
		return v, err
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
	if v.ConflictOfInterest, err = w.d.DB.HouseholdHasDeclaredRelative(ctx, a.HouseholdID, ""); err != nil {
		return v, err
	}
	if v.Checks, err = w.d.DB.CheckResults(ctx, a.ID); err != nil {
		return v, err
	}
	if v.Checks == nil {
		v.Checks = []model.CheckResult{}
	}
	p, _ := model.PrincipalFrom(ctx)
	// The caller can have declared a relative here only when someone did.
	conflicted := false
	if v.ConflictOfInterest {
		if conflicted, err = w.d.DB.HouseholdHasDeclaredRelative(ctx, a.HouseholdID, p.ID); err != nil {
			return v, err
		}
	}
	v.AllowedActions = allowedActions(p, a, conflicted, v.ConflictOfInterest)
	if v.ReviewMeetings, err = w.d.DB.ReviewMeetings(ctx, a.ID); err != nil {
		return v, err
	}
	if v.ReviewMeetings == nil {
		v.ReviewMeetings = []model.ReviewMeeting{}
	}
	// Last, so that a caller who must not fail on a missing calendar year
	// (the view after a step) still has the rest of the view.
	cal, err := w.calendar(ctx)
	if err != nil {
		return v, err
	}
	if v.Deadlines, err = w.deadlinesOf(ctx, cal, a, v.Timeline); err != nil {
		v.Deadlines = []model.Deadline{}
		return v, err
	}
	if d := resubmissionDeadline(a, w.d.Clock.Now()); d != nil {
		v.Deadlines = append(v.Deadlines, *d)
	}
	return v, nil
}

// viewAfterStep is the view returned after a committed change: a calendar
// year that is not set leaves the deadlines empty instead of failing a step
// that already took effect.
func (w *Workflow) viewAfterStep(ctx context.Context, a model.Application) (StaffApplicationView, error) {
	v, err := w.view(ctx, a, false)
	var me *model.Error
	if errors.As(err, &me) && me.Code == "calendar_missing" {
		return v, nil
	}
	return v, err
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
	rivals, err := w.d.DB.ContestedMembers(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	hv := &StaffHouseholdView{ID: h.ID, RegionCode: h.RegionCode, Hukou: h.Hukou, Address: MaskAddress(addr), Phone: r.PhoneMasked, Members: make([]StaffMemberView, 0, len(ms))}
	hv.BankAccount = maskedBankAccount(h)
	if reveal {
		hv.Address = addr
		if hv.Phone, err = open(r.PhoneSealed); err != nil {
			return nil, err
		}
		if h.BankAccountSealed != nil {
			if hv.BankAccount.AccountNumber, err = open(*h.BankAccountSealed); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range ms {
		incomes, err := model.ParseIncomes(m.Incomes)
		if err != nil {
			return nil, err
		}
		if incomes == nil {
			incomes = []model.Income{}
		}
		mv := StaffMemberView{ID: m.ID, Name: m.NameMasked, IDNumber: m.IDMasked, Relation: m.Relation, Age: model.AgeOn(m.BirthDate, w.d.Clock.Now()), Incomes: incomes,
			ClaimVerified: m.ClaimVerified, RivalClaims: rivals[m.ID],
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
