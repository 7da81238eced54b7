package model

import "time"

// Application statuses (the 2021 national 低保 procedure).
const (
	StatusDraft         = "draft"
	StatusSubmitted     = "submitted"
	StatusAccepted      = "accepted"      // 受理
	StatusInvestigating = "investigating" // 调查核实
	StatusPublicizing   = "publicizing"   // 公示
	StatusApproved      = "approved"
	StatusRejected      = "rejected"
	StatusReturned      = "returned" // 退回补正
	StatusWithdrawn     = "withdrawn"
)

// IsOpen reports whether an application in status still counts as the
// household's open application of its program (at most one may exist).
func IsOpen(status string) bool {
	switch status {
	case StatusApproved, StatusRejected, StatusWithdrawn:
		return false
	}
	return true
}

// Workflow actions: resident actions and the staff actions of API.md.
const (
	ActionSubmit      = "submit"
	ActionWithdraw    = "withdraw"
	ActionAccept      = "accept"
	ActionInvestigate = "investigate"
	ActionReturn      = "return"
	ActionPublicize   = "publicize"
	ActionApprove     = "approve"
	ActionReject      = "reject"
)

// Transition is one allowed step of the workflow: from which statuses, to
// which status, and which permission (model.Permissions) it needs. Resident
// steps have an empty Permission.
type Transition struct {
	From       []string
	To         string
	Permission string
	NeedReason bool
}

// Transitions is the workflow's one table of allowed steps.
var Transitions = map[string]Transition{
	ActionSubmit:      {From: []string{StatusDraft, StatusReturned}, To: StatusSubmitted},
	ActionWithdraw:    {From: []string{StatusDraft, StatusSubmitted, StatusAccepted, StatusInvestigating, StatusReturned, StatusPublicizing}, To: StatusWithdrawn},
	ActionAccept:      {From: []string{StatusSubmitted}, To: StatusAccepted, Permission: ActApplicationAccept},
	ActionInvestigate: {From: []string{StatusAccepted}, To: StatusInvestigating, Permission: ActApplicationInvestig},
	ActionReturn:      {From: []string{StatusSubmitted, StatusAccepted, StatusInvestigating}, To: StatusReturned, Permission: ActApplicationReturn, NeedReason: true},
	ActionPublicize:   {From: []string{StatusInvestigating}, To: StatusPublicizing, Permission: ActApplicationPublicize},
	ActionApprove:     {From: []string{StatusPublicizing}, To: StatusApproved, Permission: ActApplicationApprove},
	ActionReject:      {From: []string{StatusSubmitted, StatusAccepted, StatusInvestigating, StatusPublicizing}, To: StatusRejected, Permission: ActApplicationReject, NeedReason: true},
}

// CanTransition reports whether action may be taken from status.
func CanTransition(action, status string) bool {
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
	Program         string
	Status          string
	Reason          string
	RegionCode      string
	OpenSlot        *string
	PerCapitaIncome *int64
	MonthlyAmount   *int64
	AmountReason    *string
	SupportMode     *string // tekun only: model.SupportCentralized or model.SupportDispersed
	HomeVisitDate   *string
	HomeVisitNote   *string
	AssessedBy      *string
	AssessedAt      *time.Time
	AcceptedBy      *string
	InvestigatedBy  *string
	PublicizedBy    *string
	DecidedBy       *string
	SubmittedAt     *time.Time
	DecidedAt       *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName is the applications table.
func (Application) TableName() string { return "applications" }

// OpenSlotOf is the value of the unique open_slot column while an
// application is open: one per household and program.
func OpenSlotOf(householdID, program string) string { return householdID + ":" + program }

// ApplicationEvent is one timeline entry.
type ApplicationEvent struct {
	ID            string    `json:"-"`
	ApplicationID string    `json:"-"`
	At            time.Time `json:"at"`
	Status        string    `json:"status"`
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

// Document is an uploaded proof document.
type Document struct {
	ID            string     `json:"id"`
	ApplicationID string     `json:"application_id"`
	Kind          string     `json:"kind"`
	BlobKey       string     `json:"-"`
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
