package service

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// StepNotifier tells a resident of a step of their case by a channel beside
// the portal's own messages. NotifyStep runs inside the step's transaction:
// it may read there, and defers anything outside (a call to WeChat) until
// the transaction commits. It never fails the step.
type StepNotifier interface {
	NotifyStep(ctx context.Context, app *model.Application, status model.Status, at time.Time)
}

// WeChatSteps sends each case step to the resident's bound WeChat as a
// subscription message (订阅通知) once the step has committed, on its own
// goroutine bounded by the messenger's timeout, so a slow or failing
// WeChat never holds a transaction or a request. The keywords are plain
// Chinese: the program, the case number, the status in words, the time
// and a hint to open the portal — never a name, an ID number or the
// reason text. Failures are logged (without the openid) and counted by the
// messenger's metrics decorator.
type WeChatSteps struct {
	d          WeChatDeps
	messenger  WeChatMessenger
	templateID string
	timeout    time.Duration
}

var _ StepNotifier = (*WeChatSteps)(nil)

// NewWeChatSteps builds the notifier; each send gets at most timeout.
func NewWeChatSteps(d WeChatDeps, messenger WeChatMessenger, templateID string, timeout time.Duration) *WeChatSteps {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &WeChatSteps{d: d, messenger: messenger, templateID: templateID, timeout: timeout}
}

// The template's keywords (see config.example.yaml).
const (
	wxKeyProgram = "thing1"
	wxKeyNumber  = "character_string2"
	wxKeyStatus  = "thing3"
	wxKeyTime    = "time4"
	wxKeyHint    = "thing5"
)

// NotifyStep reads the resident's binding in the step's transaction and
// sends the message after the commit; a resident without a binding, and
// the opening of a draft, get nothing.
func (s *WeChatSteps) NotifyStep(ctx context.Context, app *model.Application, status model.Status, at time.Time) {
	if status == model.StatusDraft {
		return // the resident just made it; nothing to tell
	}
	b, err := s.d.DB.WeChatBindingOf(ctx, app.ResidentID)
	if errors.Is(err, model.ErrNotFound) {
		return
	}
	if err != nil {
		s.d.Logger.WarnContext(ctx, "wechat message: binding not read", slog.String("error", err.Error()))
		return
	}
	openid, err := s.d.Keys.Open(b.OpenIDSealed)
	if err != nil || openid == "" {
		s.d.Logger.WarnContext(ctx, "wechat message: binding not readable")
		return
	}
	m := SubscribeMessage{ToUser: openid, TemplateID: s.templateID, Data: StepKeywords(app, status, at)}
	if base := strings.TrimRight(s.d.Settings.WeChatPublicURL, "/"); base != "" {
		m.Page = base + "/applications/" + app.ID
	}
	// The request (or job) may end before WeChat answers: the send keeps
	// the context's values (request id, trace) but not its cancellation.
	sendCtx := context.WithoutCancel(ctx)
	s.d.DB.AfterCommit(ctx, func() {
		go s.send(sendCtx, m)
	})
}

func (s *WeChatSteps) send(ctx context.Context, m SubscribeMessage) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.messenger.SendSubscribe(ctx, m); err != nil {
		s.d.Logger.WarnContext(ctx, "wechat message not sent", slog.String("error", err.Error()))
	}
}

// StepKeywords are the template's keywords for a step, in plain Chinese
// and within WeChat's lengths (thing: 20 characters).
func StepKeywords(app *model.Application, status model.Status, at time.Time) map[string]string {
	prog, _ := model.ProgramOf(app.Program)
	name, ok := statusNames[status]
	if !ok {
		name = string(status)
	}
	return map[string]string{
		wxKeyProgram: clipRunes(prog.Name, 20),
		wxKeyNumber:  clipRunes(app.Number, 32),
		wxKeyStatus:  clipRunes(name, 20),
		wxKeyTime:    at.In(model.ChinaZone).Format("2006年01月02日 15:04"),
		wxKeyHint:    "请打开救助通查看详情",
	}
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
