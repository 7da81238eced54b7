package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/jiuzhu/jiuzhu/model"
)

// Checker asks one source (model.CheckSources) about a household. An error
// means the source could not answer; the report then says unavailable.
type Checker interface {
	Source() string
	Check(ctx context.Context, s model.CheckSubject) (status, detail string, err error)
}

// DevChecker is the deterministic demo driver of one source: a person
// whose ID number's sequence code (digits 15–17) is 900 plus the source's
// place in model.CheckSources has a record there that the declaration
// does not show (a mismatch); everyone else matches.
type DevChecker struct{ source string }

// NewDevCheckers returns a demo driver for every source.
func NewDevCheckers() []Checker {
	var out []Checker
	for _, s := range model.CheckSources() {
		out = append(out, DevChecker{source: s})
	}
	return out
}

// Source names the source.
func (c DevChecker) Source() string { return c.source }

var devFindings = map[string]string{
	model.SourcePublicSecurity: "户籍信息与申报不一致",
	model.SourceHumanResources: "有在职工资或养老金记录，每月约 3,200 元，申报中未列明",
	model.SourceRealEstate:     "名下登记有第二套住房",
	model.SourceVehicles:       "名下登记有小型轿车一辆",
	model.SourceHousingFund:    "有正常缴存的住房公积金",
	model.SourceBanks:          "存款余额超过规定标准",
}

// Check answers from the demo rule.
func (c DevChecker) Check(_ context.Context, s model.CheckSubject) (string, string, error) {
	place := 0
	for i, src := range model.CheckSources() {
		if src == c.source {
			place = i
		}
	}
	for _, p := range s.Persons {
		if len(p.IDNumber) == 18 && p.IDNumber[14:17] == strconv.Itoa(900+place) {
			return model.CheckMismatch, p.Name + "：" + devFindings[c.source], nil
		}
	}
	return model.CheckMatch, "与申报一致", nil
}

// unconfigured is a source with no driver: it never answers.
type unconfigured struct{ source string }

// UnconfiguredCheckers are the sources while no platform is configured
// outside dev mode: every check is unavailable.
func UnconfiguredCheckers() []Checker {
	var out []Checker
	for _, s := range model.CheckSources() {
		out = append(out, unconfigured{source: s})
	}
	return out
}

func (u unconfigured) Source() string { return u.source }

func (u unconfigured) Check(context.Context, model.CheckSubject) (string, string, error) {
	return "", "", errors.New("JIUZHU_CHECKS_URL is not set")
}

// HTTPChecker asks the city's data-sharing platform about one source: a
// signed JSON POST to {url}/{source} (X-Jiuzhu-Timestamp and
// X-Jiuzhu-Signature as the SMS webhook, Sign), answered with
// {"status":"match|mismatch","detail"}. Each call has its own timeout, and
// a circuit breaker per source stops asking for a while after repeated
// failures (the report says unavailable at once).
type HTTPChecker struct {
	source  string
	url     string
	secret  []byte
	client  *http.Client
	clock   model.Clock
	breaker *gobreaker.CircuitBreaker[checkAnswer]
}

type checkAnswer struct {
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// NewHTTPCheckers returns the platform driver for every source; timeout
// bounds each call.
func NewHTTPCheckers(url, secret string, timeout time.Duration, clock model.Clock) []Checker {
	var out []Checker
	for _, s := range model.CheckSources() {
		out = append(out, &HTTPChecker{source: s, url: url, secret: []byte(secret), clock: clock,
			client: &http.Client{Timeout: timeout},
			breaker: gobreaker.NewCircuitBreaker[checkAnswer](gobreaker.Settings{Name: "checks:" + s, Timeout: 30 * time.Second,
				ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 }})})
	}
	return out
}

// Source names the source.
func (c *HTTPChecker) Source() string { return c.source }

// Check posts the subject and reads the answer.
func (c *HTTPChecker) Check(ctx context.Context, s model.CheckSubject) (string, string, error) {
	ans, err := c.breaker.Execute(func() (checkAnswer, error) { return c.post(ctx, s) })
	if err != nil {
		return "", "", err
	}
	return ans.Status, ans.Detail, nil
}

func (c *HTTPChecker) post(ctx context.Context, s model.CheckSubject) (checkAnswer, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return checkAnswer{}, fmt.Errorf("encode check: %w", err)
	}
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/"+c.source, bytes.NewReader(body))
	if err != nil {
		return checkAnswer{}, fmt.Errorf("check request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Jiuzhu-Timestamp", ts)
	req.Header.Set("X-Jiuzhu-Signature", Sign(c.secret, ts, body))
	resp, err := c.client.Do(req)
	if err != nil {
		return checkAnswer{}, fmt.Errorf("check %s: %w", c.source, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return checkAnswer{}, fmt.Errorf("check %s: read: %w", c.source, err)
	}
	if resp.StatusCode/100 != 2 {
		return checkAnswer{}, fmt.Errorf("check %s: status %d", c.source, resp.StatusCode)
	}
	var ans checkAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return checkAnswer{}, fmt.Errorf("check %s: answer: %w", c.source, err)
	}
	if ans.Status != model.CheckMatch && ans.Status != model.CheckMismatch {
		return checkAnswer{}, fmt.Errorf("check %s: unknown status %q", c.source, ans.Status)
	}
	return ans, nil
}

// RunChecks asks every source about the household of a case in the
// caller's subtree and keeps the report on the case (audited). A source
// that fails or times out is unavailable, which never counts as a match.
// Errors: 404 out of region; 403 conflict_of_interest.
func (w *Workflow) RunChecks(ctx context.Context, id string) ([]model.CheckResult, error) {
	p, err := staffIn(ctx, model.ActChecksRun)
	if err != nil {
		return nil, err
	}
	a, err := w.d.DB.ApplicationInRegion(ctx, id, scopeOf(p))
	if err != nil {
		return nil, notFoundAs(err, "application")
	}
	if err := w.noConflict(ctx, p, a); err != nil {
		return nil, err
	}
	if err := w.hasConsent(ctx, a); err != nil {
		return nil, err
	}
	ms, err := w.d.DB.Members(ctx, a.HouseholdID)
	if err != nil {
		return nil, err
	}
	subject := model.CheckSubject{ApplicationID: a.ID}
	for _, m := range ms {
		idn, err := w.d.Keys.Open(m.IDSealed)
		if err != nil {
			return nil, err
		}
		name, err := w.d.Keys.Open(m.NameSealed)
		if err != nil {
			return nil, err
		}
		subject.Persons = append(subject.Persons, model.CheckPerson{IDNumber: idn, Name: name, MonthlyIncome: m.MonthlyIncome})
	}
	now := w.d.Clock.Now()
	// The sources are asked at once; each call has its own timeout.
	out := make([]model.CheckResult, len(w.d.Checkers))
	var wg sync.WaitGroup
	for i, c := range w.d.Checkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, detail, err := c.Check(ctx, subject)
			switch {
			case errors.Is(err, gobreaker.ErrOpenState):
				status, detail = model.CheckUnavailable, "数据源连续查询失败，已暂停查询，请稍后重新核对；未核对的项目不能视为一致"
			case err != nil:
				w.d.Logger.Warn("check source unavailable", "source", c.Source(), "error", err.Error())
				status, detail = model.CheckUnavailable, "数据源暂时无法查询，请稍后重新核对；未核对的项目不能视为一致"
			}
			out[i] = model.CheckResult{ID: w.d.IDs.New(), ApplicationID: a.ID, Source: c.Source(), Status: status, Detail: detail, CheckedAt: now, CheckedBy: p.ID}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, model.Unavailable("checks", ctx.Err())
	}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.CreateCheckResults(ctx, out); err != nil {
			return err
		}
		summary := ""
		for _, r := range out {
			summary += r.Source + "=" + r.Status + " "
		}
		return w.audit.Record(ctx, Event{Action: "application.checks", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode, Detail: summary})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hasConsent refuses checks on a case without the applicant's signed
// consent to them (model.DocConsent, uploaded and not rejected): 409
// consent_missing.
func (w *Workflow) hasConsent(ctx context.Context, a model.Application) error {
	docs, err := w.d.DB.Documents(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.Kind == model.DocConsent && d.Status != model.DocumentRejected {
			return nil
		}
	}
	return model.Conflict("consent_missing", "核对家庭经济状况须有申请人签字的《家庭经济状况核对授权书》：请申请人上传授权书（代办的由社区上传）后再核对")
}
