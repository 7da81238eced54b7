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

// Applications is the resident side of the workflow: create a draft, read,
// list, submit and withdraw, and the one way every state change is written
// down (RecordStep), which the staff workflow uses too.
type Applications struct {
	d     ApplicationsDeps
	audit *Audit
}

// ApplicationInput is the body of POST /applications.
type ApplicationInput struct {
	Program model.ProgramCode `json:"program"`
	Reason  string            `json:"reason"`
}

// ApplicationSummary is an application in a list.
type ApplicationSummary struct {
	ID          string            `json:"id"`
	Number      string            `json:"number"`
	Program     model.ProgramCode `json:"program"`
	ProgramName string            `json:"program_name"`
	Status      model.Status      `json:"status"`
	RegionCode  string            `json:"region_code"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	DecidedAt   *time.Time        `json:"decided_at"`
	// ReturnDueAt, while the case is returned (退回补正): the first instant
	// after the last day to bring what is missing.
	ReturnDueAt *time.Time `json:"return_due_at,omitempty"`
}

// ApplicationView is one application with its timeline and documents.
type ApplicationView struct {
	ApplicationSummary
	Reason            string                   `json:"reason"`
	MonthlyAmount     *int64                   `json:"monthly_amount"`
	Benefit           *BenefitView             `json:"benefit,omitempty"`
	RequiredDocuments []model.DocumentKind     `json:"required_documents"`
	Timeline          []model.ApplicationEvent `json:"timeline"`
	Documents         []ResidentDocument       `json:"documents"`
	// ToBring, while the case is returned (退回补正): what is still to be
	// brought — documents not accepted, with the reasons, and required ones
	// missing (by ReturnDueAt).
	ToBring []model.ToBring `json:"to_bring,omitempty"`
	// NextSteps, while the case runs (submitted up to 公示): what happens
	// next and by when (model.NextSteps); NextStepsEstimated when the
	// dates count from the submission because it is not yet accepted.
	NextSteps          []model.NextStep `json:"next_steps,omitempty"`
	NextStepsEstimated bool             `json:"next_steps_estimated,omitempty"`
}

func summaryOf(a model.Application) ApplicationSummary {
	p, _ := model.ProgramOf(a.Program)
	out := ApplicationSummary{ID: a.ID, Number: a.Number, Program: a.Program, ProgramName: p.Name, Status: a.Status,
		RegionCode: a.RegionCode, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, SubmittedAt: a.SubmittedAt, DecidedAt: a.DecidedAt}
	if a.Status == model.StatusReturned {
		out.ReturnDueAt = a.ReturnDueAt
	}
	return out
}

// Create opens a draft application of the resident's household for a
// program, numbered like DB-330502-2026-000123. It returns a
// model.KindInvalid error for an unknown program or an overlong reason, a
// model.KindConflict error "household_required" before the household is
// registered, and "application_open" while the household has an open
// application of the program (enforced by the database, so of two
// concurrent creates one fails).
func (s *Applications) Create(ctx context.Context, in ApplicationInput) (ApplicationView, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return ApplicationView{}, err
	}
	app, first, err := s.create(ctx, p.ID, in, model.PrincipalResident, &p.ID, "created")
	if err != nil {
		return ApplicationView{}, err
	}
	// Nothing to read back: a new draft has this one timeline entry, no
	// documents and no benefit.
	return viewOf(app, []model.ApplicationEvent{first}, nil, nil), nil
}

// create opens a draft application for residentID's household: the one
// validation and numbering of a new application. The timeline entry names
// actorRole/actorID with note (and is returned); the audit row whoever is
// in ctx.
func (s *Applications) create(ctx context.Context, residentID string, in ApplicationInput, actorRole string, actorID *string, note string) (model.Application, model.ApplicationEvent, error) {
	p := model.Principal{ID: residentID}
	var first model.ApplicationEvent
	prog, ok := model.ProgramOf(in.Program)
	if !ok {
		return model.Application{}, first, model.Invalid("program", "unknown program; see GET /api/v1/programs")
	}
	reason := strings.TrimSpace(in.Reason)
	if err := checkText("reason", reason, false); err != nil {
		return model.Application{}, first, err
	}
	hh, err := s.d.DB.HouseholdOfResident(ctx, p.ID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Application{}, first, model.Conflict("household_required", "register your household (PUT /api/v1/me/household) first")
	}
	if err != nil {
		return model.Application{}, first, err
	}
	now := s.d.Clock.Now()
	// The number comes from its own one-statement allocation, so creates in
	// a county do not queue on the counter row for their whole transaction;
	// a create that then fails leaves a gap in the numbers.
	series := fmt.Sprintf("%s-%s-%d", prog.NumberPrefix, hh.RegionCode[:6], now.In(time.FixedZone("CST", 8*3600)).Year())
	seq, err := s.d.DB.AllocateNumber(ctx, "application:"+series)
	if err != nil {
		return model.Application{}, first, err
	}
	var app model.Application
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		slot := model.OpenSlotOf(hh.ID, prog.Code)
		app = model.Application{
			ID: s.d.IDs.New(), Number: fmt.Sprintf("%s-%06d", series, seq), HouseholdID: hh.ID, ResidentID: p.ID,
			Program: prog.Code, Status: model.StatusDraft, Reason: reason, RegionCode: hh.RegionCode, OpenSlot: &slot,
			CreatedAt: now, UpdatedAt: now,
		}
		if err := s.d.DB.CreateApplication(ctx, &app); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("application_open", "your household already has an open application for this program").Wrap(err)
			}
			return err
		}
		// The application was inserted just now: no earlier step to order after.
		if first, err = s.recordStep(ctx, &app, model.StatusDraft, actorRole, actorID, note, "", true); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: "application.create", TargetType: "application", TargetID: app.ID, RegionCode: app.RegionCode})
	})
	return app, first, err
}

// List returns the resident's applications, newest first.
func (s *Applications) List(ctx context.Context, req model.PageRequest) (model.Page[ApplicationSummary], error) {
	p, err := residentOf(ctx)
	if err != nil {
		return model.Page[ApplicationSummary]{}, err
	}
	rows, err := s.d.DB.ApplicationsOfResident(ctx, p.ID, req)
	if err != nil {
		return model.Page[ApplicationSummary]{}, err
	}
	page := model.NewPage(rows, req, func(a model.Application) string { return a.ID })
	out := model.Page[ApplicationSummary]{Items: make([]ApplicationSummary, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, a := range page.Items {
		out.Items = append(out.Items, summaryOf(a))
	}
	return out, nil
}

// Get returns one of the resident's applications with its timeline and
// documents; another resident's id is model.KindNotFound.
func (s *Applications) Get(ctx context.Context, id string) (ApplicationView, error) {
	app, err := s.mine(ctx, id)
	if err != nil {
		return ApplicationView{}, err
	}
	return s.view(ctx, app)
}

// mine loads an application of the resident in ctx (404 for anyone else's).
func (s *Applications) mine(ctx context.Context, id string) (model.Application, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return model.Application{}, err
	}
	app, err := s.d.DB.ApplicationOfResident(ctx, id, p.ID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Application{}, model.NotFound("application")
	}
	return app, err
}

func (s *Applications) view(ctx context.Context, app model.Application) (ApplicationView, error) {
	events, err := s.d.DB.ApplicationEvents(ctx, app.ID)
	if err != nil {
		return ApplicationView{}, err
	}
	docs, err := s.d.DB.Documents(ctx, app.ID)
	if err != nil {
		return ApplicationView{}, err
	}
	benefit, err := benefitOf(ctx, s.d.DB, s.d.Clock.Now(), app)
	if err != nil {
		return ApplicationView{}, err
	}
	v := viewOf(app, events, docs, benefit)
	if v.NextSteps, v.NextStepsEstimated, err = s.nextSteps(ctx, app, events); err != nil {
		return ApplicationView{}, err
	}
	return v, nil
}

// nextSteps are the steps ahead of a running case with their dates from
// the working-day calendar (read only for a running case; a year the
// calendar lacks leaves the dates out).
func (s *Applications) nextSteps(ctx context.Context, app model.Application, events []model.ApplicationEvent) ([]model.NextStep, bool, error) {
	if !model.HasStepsAhead(app.Status) {
		return nil, false, nil
	}
	rows, err := s.d.DB.CalendarYears(ctx)
	if err != nil {
		return nil, false, err
	}
	cal, err := model.NewCalendar(rows)
	if err != nil {
		return nil, false, err
	}
	return model.NextSteps(app.Status, caseClockOf(app, events, nil), app.SubmittedAt, cal, s.d.Clock.Now())
}

// ResidentDocument is a document as its resident sees it: with whether
// they may delete it now (model.ResidentMayDeleteDocument), so the portal
// offers 删除 only where the server allows it.
type ResidentDocument struct {
	model.Document
	Deletable bool `json:"deletable"`
}

// viewOf puts an application's view together from what was loaded.
func viewOf(app model.Application, events []model.ApplicationEvent, docs []model.Document, benefit *BenefitView) ApplicationView {
	prog, _ := model.ProgramOf(app.Program)
	v := ApplicationView{ApplicationSummary: summaryOf(app), Reason: app.Reason, RequiredDocuments: prog.RequiredDocuments,
		Timeline: events, Documents: make([]ResidentDocument, 0, len(docs)), Benefit: benefit}
	for _, d := range docs {
		v.Documents = append(v.Documents, ResidentDocument{Document: d, Deletable: model.ResidentMayDeleteDocument(app.Status, d.Status)})
	}
	if app.Status == model.StatusApproved || app.Status == model.StatusPublicizing {
		v.MonthlyAmount = app.MonthlyAmount
	}
	if v.Timeline == nil {
		v.Timeline = []model.ApplicationEvent{}
	}
	if app.Status == model.StatusReturned {
		v.ToBring = prog.ToBring(docs)
	}
	return v
}

// Submit sends a draft (or a returned application) to the community for
// review. It returns a model.KindInvalid error "documents_missing" whose
// fields name each required document kind not uploaded (or rejected), and a
// model.KindConflict error when the application is in another status.
func (s *Applications) Submit(ctx context.Context, id string) (ApplicationView, error) {
	app, err := s.mine(ctx, id)
	if err != nil {
		return ApplicationView{}, err
	}
	t := model.Transitions[model.ActionSubmit]
	if !model.CanTransition(model.ActionSubmit, app.Status) {
		return ApplicationView{}, model.Conflict("wrong_status", "an application in status %s cannot be submitted", app.Status)
	}
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		// A household save running now either lands before the submit or
		// sees the application in review and is refused (household_locked).
		if _, err := s.d.DB.LockHouseholdOfResident(ctx, app.ResidentID); err != nil {
			return err
		}
		// A page being deleted now (Documents.Delete locks this row too)
		// is either gone from the documents read below or refused once
		// the case is submitted: never submitted without it.
		if err := s.d.DB.LockApplicationIn(ctx, app.ID, t.From); err != nil {
			return err
		}
		docs, err := s.d.DB.Documents(ctx, app.ID)
		if err != nil {
			return err
		}
		present := map[string]bool{}
		for _, d := range docs {
			if d.Status == model.DocumentPending || d.Status == model.DocumentAccepted {
				present[d.Kind] = true
			}
		}
		prog, _ := model.ProgramOf(app.Program)
		if missing := prog.MissingDocuments(present); len(missing) > 0 {
			e := &model.Error{Kind: model.KindInvalid, Code: "documents_missing",
				Message: "还缺少这些材料：" + model.DocumentNames(missing) + "。请上传后再提交。", Fields: map[string]string{}}
			for _, d := range missing {
				e.Fields[d.Kind] = "请上传" + d.Name
			}
			return e
		}
		now := s.d.Clock.Now()
		if err := s.d.DB.UpdateApplicationStatus(ctx, app.ID, t.From, t.To, storage.StatusChange{At: now, SubmittedAt: &now}); err != nil {
			return err
		}
		note := "submitted"
		if app.Status == model.StatusReturned {
			note = "resubmitted"
		}
		app.Status, app.SubmittedAt, app.UpdatedAt = t.To, &now, now
		if err := s.RecordStep(ctx, &app, t.To, model.PrincipalResident, &app.ResidentID, note, ""); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: "application.submit", TargetType: "application", TargetID: app.ID, RegionCode: app.RegionCode})
	})
	if err != nil {
		return ApplicationView{}, err
	}
	return s.view(ctx, app)
}

// Withdraw ends the resident's application before a decision. It returns
// a model.KindInvalid error for an overlong reason and a
// model.KindConflict error once the application is decided or withdrawn.
func (s *Applications) Withdraw(ctx context.Context, id, reason string) (ApplicationView, error) {
	app, err := s.mine(ctx, id)
	if err != nil {
		return ApplicationView{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, false); err != nil {
		return ApplicationView{}, err
	}
	t := model.Transitions[model.ActionWithdraw]
	if !model.CanTransition(model.ActionWithdraw, app.Status) {
		return ApplicationView{}, model.Conflict("wrong_status", "an application in status %s cannot be withdrawn", app.Status)
	}
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		if err := s.d.DB.UpdateApplicationStatus(ctx, app.ID, t.From, t.To, storage.StatusChange{At: now, DecidedAt: &now}); err != nil {
			return err
		}
		app.Status, app.DecidedAt, app.UpdatedAt, app.OpenSlot = t.To, &now, now, nil
		note := "withdrawn by the resident"
		if reason != "" {
			note = reason
		}
		if err := s.RecordStep(ctx, &app, t.To, model.PrincipalResident, &app.ResidentID, note, ""); err != nil {
			return err
		}
		// A case withdrawn during its 公示 leaves the public notice board.
		if err := s.d.DB.CloseNotices(ctx, app.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: "application.withdraw", TargetType: "application", TargetID: app.ID, RegionCode: app.RegionCode})
	})
	if err != nil {
		return ApplicationView{}, err
	}
	return s.view(ctx, app)
}

// statusNames are the Chinese names of the statuses in messages.
var statusNames = map[model.Status]string{
	model.StatusDraft: "已创建草稿", model.StatusSubmitted: "已提交，等待社区受理", model.StatusAccepted: "已受理",
	model.StatusInvestigating: "正在调查核实", model.StatusPublicizing: "正在公示", model.StatusApproved: "已审批通过",
	model.StatusRejected: "未获批准", model.StatusReturned: "被退回补正", model.StatusWithdrawn: "已撤回",
	model.StatusSuspended: "已暂停发放", model.StatusEnded: "已终止救助",
}

// StepMessage is the default message to the resident when their
// application reaches status; a note (a reason) is appended.
func StepMessage(app *model.Application, status model.Status, note string) string {
	prog, _ := model.ProgramOf(app.Program)
	name, ok := statusNames[status]
	if !ok {
		name = string(status)
	}
	text := fmt.Sprintf("您的%s申请（%s）%s。", prog.Name, app.Number, name)
	if note != "" && (status == model.StatusReturned || status == model.StatusRejected ||
		status == model.StatusSuspended || status == model.StatusEnded) {
		text += "原因：" + note
	}
	return text
}

// RecordStep writes down one state change of app: a timeline entry (time,
// status, actor role, note) and a message to the resident (messageText, or
// StepMessage when empty), and in dev mode a copy of the message in the
// outbox; a resident with a bound WeChat also gets it as a subscription
// message once the transaction commits (ApplicationsDeps.Steps). It joins
// the caller's transaction; call it in the same transaction as the status
// update. Database failures come back wrapped.
func (s *Applications) RecordStep(ctx context.Context, app *model.Application, status model.Status, actorRole string, actorID *string, note, messageText string) error {
	_, err := s.recordStep(ctx, app, status, actorRole, actorID, note, messageText, false)
	return err
}

// recordStep is RecordStep returning the timeline entry; first says the
// application was inserted in this transaction, so it has no earlier entry
// to order after (one SELECT fewer).
func (s *Applications) recordStep(ctx context.Context, app *model.Application, status model.Status, actorRole string, actorID *string, note, messageText string, first bool) (model.ApplicationEvent, error) {
	// Whole milliseconds, as every database keeps them: a time finer than
	// the column would be cut on the way in, and two steps could tie.
	now := s.d.Clock.Now().Truncate(time.Millisecond)
	if messageText == "" {
		messageText = StepMessage(app, status, note)
	}
	var ev model.ApplicationEvent
	err := s.d.DB.InTx(ctx, func(ctx context.Context) error {
		// Keep the timeline in order even when clocks of two instances
		// disagree or a step follows within the same millisecond.
		if !first {
			last, err := s.d.DB.LastApplicationEventAt(ctx, app.ID)
			if err != nil {
				return fmt.Errorf("record step %s: %w", status, err)
			}
			if !now.After(last) {
				now = last.Add(time.Millisecond)
			}
		}
		ev = model.ApplicationEvent{ID: s.d.IDs.New(), ApplicationID: app.ID, At: now, Status: status, ActorRole: actorRole, ActorID: actorID, Note: note}
		if err := s.d.DB.AppendApplicationEvent(ctx, &ev); err != nil {
			return fmt.Errorf("record step %s: %w", status, err)
		}
		appID := app.ID
		msg := model.Message{ID: s.d.IDs.New(), ResidentID: app.ResidentID, ApplicationID: &appID, Text: messageText, CreatedAt: now}
		if err := s.d.DB.CreateMessage(ctx, &msg); err != nil {
			return fmt.Errorf("record step %s: %w", status, err)
		}
		if s.d.Steps != nil {
			s.d.Steps.NotifyStep(ctx, app, status, now)
		}
		if s.d.StepTexts != nil {
			res, err := s.d.DB.Resident(ctx, app.ResidentID)
			if err != nil {
				return fmt.Errorf("record step %s: %w", status, err)
			}
			phone, err := s.d.Keys.Open(res.PhoneSealed)
			if err != nil {
				return fmt.Errorf("record step %s: %w", status, err)
			}
			if err := s.d.StepTexts.Send(ctx, phone, messageText, ""); err != nil {
				return fmt.Errorf("record step %s: %w", status, err)
			}
		}
		return nil
	})
	return ev, err
}

// MessagePage is a page of the resident's messages with the number still
// unread (for the badge on the phone).
type MessagePage struct {
	model.Page[model.Message]
	Unread int64 `json:"unread"`
}

// Messages lists the resident's status messages, newest first.
func (s *Applications) Messages(ctx context.Context, req model.PageRequest) (MessagePage, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return MessagePage{}, err
	}
	rows, err := s.d.DB.MessagesOfResident(ctx, p.ID, req)
	if err != nil {
		return MessagePage{}, err
	}
	unread, err := s.d.DB.UnreadMessages(ctx, p.ID)
	if err != nil {
		return MessagePage{}, err
	}
	return MessagePage{Page: model.NewPage(rows, req, func(m model.Message) string { return m.ID }), Unread: unread}, nil
}

// MarkMessagesRead marks the resident's messages up to and including
// upTo as read (what the phone has shown) and returns the unread count
// left. An empty or over-long id is a 422; ids of other residents simply
// mark nothing of theirs.
func (s *Applications) MarkMessagesRead(ctx context.Context, upTo string) (int64, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return 0, err
	}
	if upTo == "" || len(upTo) > 64 {
		return 0, model.Invalid("up_to", "the id of the newest message shown")
	}
	if _, err := s.d.DB.MarkMessagesRead(ctx, p.ID, upTo, s.d.Clock.Now()); err != nil {
		return 0, err
	}
	return s.d.DB.UnreadMessages(ctx, p.ID)
}

// Programs returns the catalog with each program's required documents.
func (s *Applications) Programs() []model.Program {
	return append([]model.Program(nil), model.Programs...)
}
