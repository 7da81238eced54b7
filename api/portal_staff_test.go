package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// psQueueItem is a queue row as these tests read it.
type psQueueItem struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	RegionCode string          `json:"region_code"`
	RegionName string          `json:"region_name"`
	StreetName string          `json:"street_name"`
	Deadline   *model.Deadline `json:"deadline"`
	Overdue    bool            `json:"overdue"`
}

// psQueueRow finds the case id in the staff queue filtered by status.
func psQueueRow(t *testing.T, env *apitest.Env, token, status, id string) psQueueItem {
	t.Helper()
	r := env.Get("/api/v1/staff/applications?limit=100&status="+status, token)
	apitest.Want(t, r, http.StatusOK)
	var page struct {
		Items []psQueueItem `json:"items"`
	}
	r.JSON(t, &page)
	for _, it := range page.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("case %s not in the %s queue", id, status)
	return psQueueItem{}
}

// TestReturnDeadlineOverHolidays: a case returned on Wednesday 23
// September 2026 is due back 10 working days later — past 中秋 and 国庆
// (25–27 September, 1–7 October), with the make-up Saturday 10 October
// counted — at the end of Wednesday 14 October. The resident's case page
// and message say by when and what to bring (nothing once replaced); the
// staff queue shows the community's name, the 补正 deadline and, once it has
// run out, the overdue mark; a running case shows its first clock.
func TestReturnDeadlineOverHolidays(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		apitest.Want(t, env.Put("/api/v1/staff/calendar", wfDemo(t, env, "admin").Token, dlCalendar2026), http.StatusOK)
		env.Clock.Set(dlCST(2026, 9, 23, 10))
		cw := wfDemo(t, env, "community").Token
		tok := login(t, env, newPhone())
		apitest.Want(t, env.Put("/api/v1/me/household", tok, wfHousehold("330502001001", 1)), http.StatusOK)
		c := submitCase(t, env, tok, model.ProgramDibao)
		wfAct(t, env, cw, c.ID, "accept", "", http.StatusOK)

		// A running case: its first clock is the investigation's (3 working
		// days: 24, 28 and 29 September).
		row := psQueueRow(t, env, cw, "accepted", c.ID)
		if row.RegionName != "南门社区" || row.StreetName != "月河街道" || row.RegionCode != "330502001001" {
			t.Errorf("queue names %q %q (code %s)", row.RegionName, row.StreetName, row.RegionCode)
		}
		if row.Deadline == nil || row.Deadline.Step != model.StepInvestigation || row.Overdue {
			t.Fatalf("running case's deadline %+v overdue %v", row.Deadline, row.Overdue)
		}
		dlWantDue(t, "investigation", *row.Deadline, dlCST(2026, 9, 30, 0))

		const docReason = "照片模糊，看不清金额"
		apitest.Want(t, env.Post("/api/v1/staff/documents/"+c.Docs[2]+"/review", cw,
			map[string]string{"decision": "rejected", "reason": docReason}), http.StatusOK)
		env.Clock.Advance(time.Minute)
		wfAct(t, env, cw, c.ID, "return", "收入证明需重新提供", http.StatusOK)
		due := dlCST(2026, 10, 15, 0)

		// The resident's page: by when, and what to bring with the reason.
		r := env.Get("/api/v1/applications/"+c.ID, c.Resident)
		apitest.Want(t, r, http.StatusOK)
		var a struct {
			Status      string          `json:"status"`
			ReturnDueAt *time.Time      `json:"return_due_at"`
			ToBring     []model.ToBring `json:"to_bring"`
		}
		r.JSON(t, &a)
		if a.Status != "returned" || a.ReturnDueAt == nil || !a.ReturnDueAt.Equal(due) {
			t.Fatalf("returned case: status %s, due %v, want %s", a.Status, a.ReturnDueAt, due)
		}
		if len(a.ToBring) != 1 || a.ToBring[0].Kind != model.DocIncomeProof || a.ToBring[0].Reason != docReason || a.ToBring[0].Name == "" {
			t.Fatalf("to_bring %+v", a.ToBring)
		}
		// The list of the resident's cases carries the day too.
		r = env.Get("/api/v1/applications", c.Resident)
		apitest.Want(t, r, http.StatusOK)
		var list struct {
			Items []struct {
				ID          string     `json:"id"`
				ReturnDueAt *time.Time `json:"return_due_at"`
			} `json:"items"`
		}
		r.JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ReturnDueAt == nil || !list.Items[0].ReturnDueAt.Equal(due) {
			t.Fatalf("the resident's list: %+v", list.Items)
		}
		// The message says the last day and what to bring.
		r = env.Get("/api/v1/me/messages", c.Resident)
		apitest.Want(t, r, http.StatusOK)
		var msgs struct {
			Items []struct {
				Text string `json:"text"`
			} `json:"items"`
		}
		r.JSON(t, &msgs)
		found := false
		for _, m := range msgs.Items {
			if strings.Contains(m.Text, "退回补正") {
				found = true
				for _, want := range []string{"2026年10月14日", a.ToBring[0].Name + "（" + docReason + "）", "收入证明需重新提供"} {
					if !strings.Contains(m.Text, want) {
						t.Errorf("return message %q lacks %q", m.Text, want)
					}
				}
			}
		}
		if !found {
			t.Fatalf("no return message in %+v", msgs.Items)
		}

		// Staff: the queue and the detail carry the 补正 deadline.
		row = psQueueRow(t, env, cw, "returned", c.ID)
		if row.Deadline == nil || row.Deadline.Step != model.StepResubmission || !row.Deadline.DueAt.Equal(due) || row.Overdue {
			t.Fatalf("returned case in the queue: %+v overdue %v", row.Deadline, row.Overdue)
		}
		if d := dlDeadlines(t, env, cw, c.ID)[model.StepResubmission]; !d.DueAt.Equal(due) || d.Overdue {
			t.Fatalf("detail's resubmission deadline %+v", d)
		}
		// The resident replaces the document: nothing is left to bring.
		apitest.Want(t, upload(t, env, c.Resident, c.ID, model.DocIncomeProof, "income.jpg", jpegFile), http.StatusCreated)
		r = env.Get("/api/v1/applications/"+c.ID, c.Resident)
		apitest.Want(t, r, http.StatusOK)
		a.ToBring = nil
		r.JSON(t, &a)
		if len(a.ToBring) != 0 || a.ReturnDueAt == nil {
			t.Fatalf("after the replacement: to_bring %+v, due %v", a.ToBring, a.ReturnDueAt)
		}

		// On the last day it still runs; the next morning it has run out.
		env.Clock.Set(dlCST(2026, 10, 14, 23))
		cw = wfDemo(t, env, "community").Token
		if row = psQueueRow(t, env, cw, "returned", c.ID); row.Overdue {
			t.Fatalf("overdue on the last day: %+v", row.Deadline)
		}
		env.Clock.Set(dlCST(2026, 10, 15, 9))
		cw = wfDemo(t, env, "community").Token
		if row = psQueueRow(t, env, cw, "returned", c.ID); !row.Overdue || !row.Deadline.Overdue {
			t.Fatalf("not overdue after the last day: %+v", row.Deadline)
		}
	})
}

// TestReturnNeedsTheCalendar: a return whose 10 working days reach into a
// year the calendar does not hold is refused with calendar_missing, not
// counted in plain weekdays.
func TestReturnNeedsTheCalendar(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(dlCST(2040, 12, 27, 10))
		cw := wfDemo(t, env, "community").Token
		c := wfSubmitted(t, env, "330502001001", 1)
		r := wfAct(t, env, cw, c.ID, "return", "请补交材料", http.StatusConflict)
		if !strings.Contains(string(r.Body), "calendar_missing") {
			t.Fatalf("return without a calendar: %s", r.Body)
		}
	})
}

// TestRedeemedVoucherShowsItsRedemption: looking up a voucher the school
// already redeemed shows when, which school and how much (items and
// total) — and nothing of who at the school or of the household; another
// school's operator still gets 403 and no details.
func TestRedeemedVoucherShowsItsRedemption(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{vCompulsory}, false)
		v := vMyVouchers(t, env, vResidentToken(env, h))[0]
		school := vSchoolSession(env, "op-ps-1", vCompulsory[0])
		preview := func(token string, want int) map[string]any {
			t.Helper()
			r := env.Post("/api/v1/school/vouchers/preview", token, map[string]string{"code": v.Code})
			apitest.Want(t, r, want)
			return r.Map(t)
		}
		if got := preview(school, http.StatusOK); got["redemption"] != nil {
			t.Fatalf("an issued voucher carries a redemption: %v", got["redemption"])
		}
		at := env.Clock.Now()
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/school/redemptions", Token: school,
			Body: map[string]any{"code": v.Code, "items": map[string]int64{"misc_fee": 12000}}, Header: map[string]string{"Idempotency-Key": "ps-redeem-1"}})
		apitest.Want(t, r, http.StatusCreated)
		env.Clock.Advance(time.Hour)

		got := preview(vSchoolSession(env, "op-ps-2", vCompulsory[0]), http.StatusOK)
		red, ok := got["redemption"].(map[string]any)
		if got["status"] != "redeemed" || !ok {
			t.Fatalf("redeemed voucher preview: %v", got)
		}
		redeemedAt, _ := time.Parse(time.RFC3339Nano, red["redeemed_at"].(string))
		if red["school_id"] != vCompulsory[0] || red["school_name"] == "" || red["total"] != float64(12000) ||
			red["items"].(map[string]any)["misc_fee"] != float64(12000) || redeemedAt.Sub(at).Abs() > time.Second {
			t.Fatalf("redemption %v (redeemed at %s)", red, at)
		}
		for k := range red {
			if !map[string]bool{"redeemed_at": true, "school_id": true, "school_name": true, "items": true, "total": true}[k] {
				t.Errorf("redemption carries %q", k)
			}
		}
		elsewhere := vSchoolSession(env, "op-ps-3", vSeniorHigh[0])
		if got := preview(elsewhere, http.StatusForbidden); got["redemption"] != nil || strings.Contains(fmt.Sprint(got), "12000") {
			t.Fatalf("another school sees %v", got)
		}
	})
}

// TestStaffMeSaysWhetherTOTPIsOn: the portal's enrolment screen reads the
// account; totp_enabled turns true once enrolment is confirmed.
func TestStaffMeSaysWhetherTOTPIsOn(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		tok := wfDemo(t, env, "street").Token
		me := func() map[string]any {
			t.Helper()
			r := env.Get("/api/v1/staff/me", tok)
			apitest.Want(t, r, http.StatusOK)
			return r.Map(t)
		}
		if m := me(); m["username"] != "street" || m["totp_enabled"] != false {
			t.Fatalf("me before enrolment: %v", m)
		}
		r := env.Post("/api/v1/staff/me/totp", tok, nil)
		apitest.Want(t, r, http.StatusCreated)
		code, err := totp.GenerateCode(r.Map(t)["secret"].(string), env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		apitest.Want(t, env.Post("/api/v1/staff/me/totp/confirm", tok, map[string]string{"code": code}), http.StatusOK)
		if m := me(); m["totp_enabled"] != true {
			t.Fatalf("me after enrolment: %v", m)
		}
		apitest.Want(t, env.Get("/api/v1/staff/me", ""), http.StatusUnauthorized)
	})
}
