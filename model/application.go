package model

import (
	"slices"
	"time"
)

// Status is an application's place in the procedure.
type Status string

// Application statuses (the 2021 national 低保 procedure).
const (
	StatusDraft         Status = "draft"
	StatusSubmitted     Status = "submitted"
	StatusAccepted      Status = "accepted"      // 受理
	StatusInvestigating Status = "investigating" // 调查核实
	StatusPublicizing   Status = "publicizing"   // 公示
	StatusApproved      Status = "approved"
	StatusRejected      Status = "rejected"
	StatusReturned      Status = "returned" // 退回补正
	StatusWithdrawn     Status = "withdrawn"
	StatusSuspended     Status = "suspended" // 暂停发放 after approval (复核)
	StatusEnded         Status = "ended"     // 终止 after approval (复核)
)

// Statuses lists every application status.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusAccepted, StatusInvestigating, StatusPublicizing,
	StatusApproved, StatusRejected, StatusReturned, StatusWithdrawn, StatusSuspended, StatusEnded}

// IsStatus reports whether s is one of Statuses.
func IsStatus(s Status) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// IsOpen reports whether an application in status still counts as the
// household's open application of its program (at most one may exist).
// A suspended benefit is open (it may be resumed); an ended one is
// closed.
func IsOpen(status Status) bool {
	switch status {
	case StatusRejected, StatusWithdrawn, StatusEnded:
		return false
	}
	// An approved (or suspended) benefit still holds the household's place
	// for the program: a second application of the same program would pay
	// the household twice. Ending the benefit frees it.
	return true
}

// Step is a workflow action: a resident's or a staff member's step of the
// procedure (API.md).
type Step string

// Workflow actions: resident actions and the staff actions of API.md.
const (
	ActionSubmit      Step = "submit"
	ActionWithdraw    Step = "withdraw"
	ActionAccept      Step = "accept"
	ActionInvestigate Step = "investigate"
	ActionReturn      Step = "return"
	ActionPublicize   Step = "publicize"
	ActionApprove     Step = "approve"
	ActionReject      Step = "reject"
	ActionRecheck     Step = "recheck" // 复核: the approved household still qualifies
	ActionSuspend     Step = "suspend"
	ActionResume      Step = "resume"
	ActionEnd         Step = "end"
	// ActionGradualExit: a re-check found the income above the standard;
	// the benefit is paid for the county's gradual-exit months (渐退) and
	// then ends.
	ActionGradualExit Step = "gradual_exit"
)

// Transition is one allowed step of the workflow: from which statuses, to
// which status, and which permission (model.Permissions) it needs. Resident
// steps have an empty Permission.
type Transition struct {
	From       []Status
	To         Status
	Permission Action
	// PermissionFrom overrides Permission for a step taken from a status:
	// only the county rejects a case whose notice is open, and the street
	// approves an urgent case from investigating.
	PermissionFrom map[Status]Action
	NeedReason     bool
}

// PermissionAt is the permission the step needs from status.
func (t Transition) PermissionAt(status Status) Action {
	if p, ok := t.PermissionFrom[status]; ok {
		return p
	}
	return t.Permission
}

// Permissions lists every permission the step can need.
func (t Transition) Permissions() []Action {
	out := []Action{t.Permission}
	for _, p := range t.PermissionFrom {
		out = append(out, p)
	}
	return out
}

// Transitions is the workflow's one table of allowed steps.
var Transitions = map[Step]Transition{
	ActionSubmit:      {From: []Status{StatusDraft, StatusReturned}, To: StatusSubmitted},
	ActionWithdraw:    {From: []Status{StatusDraft, StatusSubmitted, StatusAccepted, StatusInvestigating, StatusReturned, StatusPublicizing}, To: StatusWithdrawn},
	ActionAccept:      {From: []Status{StatusSubmitted}, To: StatusAccepted, Permission: ActApplicationAccept},
	ActionInvestigate: {From: []Status{StatusAccepted}, To: StatusInvestigating, Permission: ActApplicationInvestig},
	ActionReturn:      {From: []Status{StatusSubmitted, StatusAccepted, StatusInvestigating}, To: StatusReturned, Permission: ActApplicationReturn, NeedReason: true},
	ActionPublicize:   {From: []Status{StatusInvestigating}, To: StatusPublicizing, Permission: ActApplicationPublicize},
	ActionApprove: {From: []Status{StatusPublicizing, StatusInvestigating}, To: StatusApproved, Permission: ActApplicationApprove,
		PermissionFrom: map[Status]Action{StatusInvestigating: ActApplicationApproveUrgent}},
	ActionReject: {From: []Status{StatusSubmitted, StatusAccepted, StatusInvestigating, StatusPublicizing}, To: StatusRejected, Permission: ActApplicationReject,
		PermissionFrom: map[Status]Action{StatusPublicizing: ActApplicationRejectPublicized}, NeedReason: true},
	ActionRecheck:     {From: []Status{StatusApproved}, To: StatusApproved, Permission: ActApplicationRecheck},
	ActionSuspend:     {From: []Status{StatusApproved}, To: StatusSuspended, Permission: ActApplicationSuspend, NeedReason: true},
	ActionResume:      {From: []Status{StatusSuspended}, To: StatusApproved, Permission: ActApplicationResume},
	ActionEnd:         {From: []Status{StatusApproved, StatusSuspended}, To: StatusEnded, Permission: ActApplicationEnd, NeedReason: true},
	ActionGradualExit: {From: []Status{StatusApproved}, To: StatusApproved, Permission: ActApplicationGradualExit, NeedReason: true},
}

// ReviewDueAfter is when a case approved or re-checked at t is next due for
// its re-check after months (the program's Policy.RecheckMonths), or nil
// when the program has no schedule.
func ReviewDueAfter(months int, t time.Time) *time.Time {
	if months == 0 {
		return nil
	}
	due := t.AddDate(0, months, 0)
	return &due
}

// CanTransition reports whether action may be taken from status.
func CanTransition(action Step, status Status) bool {
	t, ok := Transitions[action]
	if !ok {
		return false
	}
	for _, f := range t.From {
		if f == status {
			return true
		}
	}
	return false
}

// Application is a household's application for one program.
type Application struct {
	ID              string
	Number          string
	HouseholdID     string
	ResidentID      string
	Program         ProgramCode
	Status          Status
	Reason          string
	RegionCode      string
	OpenSlot        *string
	PerCapitaIncome *int64
	MonthlyAmount   *int64
	AmountReason    *string
	SupportMode     *string // tekun only: model.SupportCentralized or model.SupportDispersed
	// The program's decision at assessment (Policy.Decide).
	BenefitKind      *BenefitKind
	Eligible         *bool
	IneligibleReason *string
	Amount           *int64 // a one-off amount (MonthlyAmount holds a monthly one)
	ComputedAmount   *int64 // what the program's rule gave (the amount differs only with a reason)
	PersonsCovered   *int
	DeclaredIncome   *int64 // declared per-capita income
	IncomeReason     *string
	CareLevel        *string
	HousingMode      *string
	Urgent           bool
	BillsTotal       *int64
	InsurancePaid    *int64
	StandardAmount   *int64 // the 低保 standard in force at assessment
	HomeVisitDate    *string
	HomeVisitNote    *string
	AssessedBy       *string
	AssessedAt       *time.Time
	AcceptedBy       *string
	InvestigatedBy   *string
	PublicizedBy     *string
	DecidedBy        *string
	SubmittedAt      *time.Time
	DecidedAt        *time.Time
	ReviewDueAt      *time.Time // next 复核 of an approved case (RecheckMonths)
	RecheckedAt      *time.Time
	EndedAt          *time.Time
	// ChangeReportedAt is set when the resident changed the household of an
	// active benefit; ChangeSummary says what changed (masked, one line per
	// change). Both clear when the re-check decides.
	ChangeReportedAt *time.Time
	ChangeSummary    *string
	// ReviewNotifiedAt is when the resident was told the re-check is due.
	ReviewNotifiedAt *time.Time
	ExtendedAt       *time.Time // the county extended the case to 45 working days
	ExtendedBy       *string
	ExtensionReason  *string
	// ReturnDueAt is the 补正 deadline of the last return: the first
	// instant after the resident's last working day to bring what is
	// missing (ReturnDays).
	ReturnDueAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName is the applications table.
func (Application) TableName() string { return "applications" }

// Assessed reports whether an assessment is recorded.
func (a Application) Assessed() bool { return a.AssessedAt != nil && a.BenefitKind != nil }

// Benefit is the kind of the recorded decision and its amount (monthly or
// once, by kind; 0 for vouchers and services).
func (a Application) Benefit() (BenefitKind, int64) {
	kind := BenefitMonthlyCash
	if a.BenefitKind != nil {
		kind = *a.BenefitKind
	}
	switch {
	case kind.IsMonthly() && a.MonthlyAmount != nil:
		return kind, *a.MonthlyAmount
	case kind.IsOneOff() && a.Amount != nil:
		return kind, *a.Amount
	}
	return kind, 0
}

// IsEligible reports whether the recorded assessment found the case
// eligible.
func (a Application) IsEligible() bool { return a.Eligible != nil && *a.Eligible }

// OpenSlotOf is the value of the unique open_slot column while an
// application is open: one per household and program.
func OpenSlotOf(householdID string, program ProgramCode) string {
	return householdID + ":" + string(program)
}

// ApplicationEvent is one timeline entry.
type ApplicationEvent struct {
	ID            string    `json:"-"`
	ApplicationID string    `json:"-"`
	At            time.Time `json:"at"`
	Status        Status    `json:"status"`
	ActorRole     string    `json:"actor_role"`
	ActorID       *string   `json:"-"`
	Note          string    `json:"note"`
}

// TableName is the timeline table.
func (ApplicationEvent) TableName() string { return "application_events" }

// Document statuses.
const (
	DocumentPending  = "pending"
	DocumentAccepted = "accepted"
	DocumentRejected = "rejected"
	DocumentReplaced = "replaced"
)

// DocumentDeletableStatuses are the statuses of a document its resident may
// delete: not yet reviewed, or rejected. An accepted one is the community's
// evidence; a replaced one is the case's history.
var DocumentDeletableStatuses = []string{DocumentPending, DocumentRejected}

// ResidentMayDeleteDocument says whether the resident may delete a document
// in docStatus of an application in appStatus: while the application takes
// documents (a draft, or returned for more) and the document is not
// accepted. The resident's application view carries the answer per document
// (deletable), so the portal never copies this rule.
func ResidentMayDeleteDocument(appStatus Status, docStatus string) bool {
	return CanTransition(ActionSubmit, appStatus) && slices.Contains(DocumentDeletableStatuses, docStatus)
}

// Document is an uploaded proof document.
type Document struct {
	ID            string     `json:"id"`
	ApplicationID string     `json:"application_id"`
	Kind          string     `json:"kind"`
	BlobKey       string     `json:"-"`
	SealedKey     string     `json:"-"` // the object's data key, sealed; "" for a document stored in clear
	Size          int64      `json:"size"`
	SHA256        string     `json:"sha256" gorm:"column:sha256"`
	ContentType   string     `json:"content_type"`
	Status        string     `json:"status"`
	ReviewReason  *string    `json:"review_reason,omitempty"`
	ReviewedBy    *string    `json:"-"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// TableName is the documents table.
func (Document) TableName() string { return "documents" }

// Message is a status message to a resident.
type Message struct {
	ID            string     `json:"id"`
	ResidentID    string     `json:"-"`
	ApplicationID *string    `json:"application_id"`
	Text          string     `json:"text"`
	CreatedAt     time.Time  `json:"created_at"`
	ReadAt        *time.Time `json:"read_at"`
}

// TableName is the messages table.
func (Message) TableName() string { return "messages" }
