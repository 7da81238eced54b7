package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// rcStaff are the demo staff of the 复核 tests, logged in afresh (sessions
// expire while the test clock moves on by months).
type rcStaff struct{ community, street, county, otherCommunity string }

func rcLogin(t *testing.T, env *apitest.Env) rcStaff {
	t.Helper()
	return rcStaff{community: wfDemo(t, env, "community").Token, street: wfDemo(t, env, "street").Token,
		county: wfDemo(t, env, "county").Token, otherCommunity: wfDemo(t, env, "community2").Token}
}

// rcApproved takes a new 低保 case of a household in 330502001001 through
// the whole chain to approved and returns it with its resident's id (so a
// session can be opened for the resident after the clock moved on).
func rcApproved(t *testing.T, env *apitest.Env) (wfCase, string, rcStaff) {
	t.Helper()
	s := rcLogin(t, env)
	c := wfSubmitted(t, env, "330502001001", 1)
	wfInvestigated(t, env, s.community, c)
	wfAct(t, env, s.street, c.ID, "publicize", "", http.StatusOK)
	env.Clock.Advance(env.Config.PublicityPeriod + time.Minute)
	s = rcLogin(t, env)
	r := wfAct(t, env, s.county, c.ID, "approve", "", http.StatusOK)
	if statusOf(t, r) != "approved" {
		t.Fatalf("approve: %s", r.Body)
	}
	a, err := env.Backends.DB.Application(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c, a.ResidentID, s
}

// rcTime reads a date-time field of a response (nil when null or absent).
func rcTime(t *testing.T, r *apitest.Response, field string) *time.Time {
	t.Helper()
	v, ok := r.Map(t)[field].(string)
	if !ok {
		return nil
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t.Fatalf("%s %q: %v", field, v, err)
	}
	return &at
}

// rcNear reports whether two times are within a second of each other
// (databases keep micro- or milliseconds).
func rcNear(a, b time.Time) bool {
	d := a.Sub(b)
	return d < time.Second && d > -time.Second
}

// rcQueueHas reports whether the staff queue at query lists id.
func rcQueueHas(t *testing.T, env *apitest.Env, token, query, id string) bool {
	t.Helper()
	r := env.Get("/api/v1/staff/applications?limit=100&"+query, token)
	apitest.Want(t, r, http.StatusOK)
	var page struct {
		Items []struct {
			ID          string     `json:"id"`
			Status      string     `json:"status"`
			ReviewDueAt *time.Time `json:"review_due_at"`
		} `json:"items"`
	}
	r.JSON(t, &page)
	for _, it := range page.Items {
		if strings.Contains(query, "review_due=true") && (it.Status != "approved" || it.ReviewDueAt == nil || it.ReviewDueAt.After(env.Clock.Now())) {
			t.Errorf("review_due queue lists %+v", it)
		}
		if it.ID == id {
			return true
		}
	}
	return false
}

// rcPublished publishes the 低保 recipients of the community for the
// current month and returns the number of entries.
func rcPublished(t *testing.T, env *apitest.Env, street string) int {
	t.Helper()
	r := env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502001001", "program": "dibao",
		"period": env.Clock.Now().Format("2006-01")})
	apitest.Want(t, r, http.StatusCreated)
	return int(r.Map(t)["entry_count"].(float64))
}

// rcMessages returns the texts of the resident's messages.
func rcMessages(t *testing.T, env *apitest.Env, token string) []string {
	t.Helper()
	r := env.Get("/api/v1/me/messages?limit=100", token)
	apitest.Want(t, r, http.StatusOK)
	var page struct {
		Items []struct {
			Text string `json:"text"`
		} `json:"items"`
	}
	r.JSON(t, &page)
	out := make([]string, 0, len(page.Items))
	for _, m := range page.Items {
		out = append(out, m.Text)
	}
	return out
}

// rcHasMessage reports whether one of msgs contains every part.
func rcHasMessage(msgs []string, parts ...string) bool {
	for _, m := range msgs {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(m, p)
		}
		if all {
			return true
		}
	}
	return false
}

func TestStaffRecheckSuspendResumeEnd(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		c, residentID, s := rcApproved(t, env)

		// Approval schedules the first 复核 twelve months after the decision.
		r := env.Get("/api/v1/staff/applications/"+c.ID, s.county)
		apitest.Want(t, r, http.StatusOK)
		decided, due := rcTime(t, r, "decided_at"), rcTime(t, r, "review_due_at")
		if decided == nil || due == nil || !rcNear(*due, decided.AddDate(0, 12, 0)) {
			t.Fatalf("decided_at %v review_due_at %v", decided, due)
		}
		if rcQueueHas(t, env, s.community, "review_due=true", c.ID) {
			t.Fatal("a case approved just now is already due for its re-check")
		}
		if !rcQueueHas(t, env, s.community, "review_due=false&status=approved", c.ID) {
			t.Fatal("the approved case is missing from the queue")
		}
		apitest.Want(t, env.Get("/api/v1/staff/applications?review_due=maybe", s.community), http.StatusUnprocessableEntity)
		base := rcPublished(t, env, s.street)
		if base < 1 {
			t.Fatalf("the approved case is not published: %d entries", base)
		}

		// Thirteen months on the case is due, for its own region only.
		env.Clock.Set(decided.AddDate(0, 13, 0))
		s = rcLogin(t, env)
		resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
		if !rcQueueHas(t, env, s.community, "review_due=true", c.ID) || !rcQueueHas(t, env, s.county, "review_due=true&program=dibao", c.ID) {
			t.Fatal("the due case is missing from the review_due queue")
		}
		if rcQueueHas(t, env, s.otherCommunity, "review_due=true", c.ID) || rcQueueHas(t, env, s.county, "review_due=true&program=tekun", c.ID) {
			t.Fatal("the review_due queue ignores region or program")
		}

		// Wrong level: 403 for every new action; out of region: 404.
		for _, tc := range []struct{ token, action string }{
			{s.street, "recheck"}, {s.county, "recheck"},
			{s.community, "suspend"}, {s.street, "suspend"},
			{s.community, "resume"}, {s.street, "resume"},
			{s.community, "end"}, {s.street, "end"},
		} {
			r := wfAct(t, env, tc.token, c.ID, tc.action, "理由", http.StatusForbidden)
			if r.ErrorCode() != "wrong_level" {
				t.Errorf("%s: code %q", tc.action, r.ErrorCode())
			}
		}
		wfAct(t, env, s.otherCommunity, c.ID, "recheck", "", http.StatusNotFound)
		// Wrong state: an approved case cannot be resumed.
		wfAct(t, env, s.county, c.ID, "resume", "", http.StatusConflict)

		// 复核: still qualifies; the due date moves on by twelve months.
		r = wfAct(t, env, s.community, c.ID, "recheck", "入户复核，收入未变", http.StatusOK)
		now := env.Clock.Now()
		if statusOf(t, r) != "approved" {
			t.Fatalf("recheck: %s", r.Body)
		}
		if at, due := rcTime(t, r, "rechecked_at"), rcTime(t, r, "review_due_at"); at == nil || due == nil ||
			!rcNear(*at, now) || !rcNear(*due, now.AddDate(0, 12, 0)) {
			t.Fatalf("rechecked_at %v review_due_at %v", at, due)
		}
		if rcQueueHas(t, env, s.community, "review_due=true", c.ID) {
			t.Fatal("the re-checked case is still due")
		}
		if !rcHasMessage(rcMessages(t, env, resident), "复核") {
			t.Fatal("no message about the re-check")
		}

		// Suspend: reason required; the resident sees it; not published.
		wfAct(t, env, s.county, c.ID, "suspend", "  ", http.StatusUnprocessableEntity)
		r = wfAct(t, env, s.county, c.ID, "suspend", "家庭收入增加，待核实", http.StatusOK)
		if statusOf(t, r) != "suspended" {
			t.Fatalf("suspend: %s", r.Body)
		}
		wfAct(t, env, s.county, c.ID, "suspend", "再次", http.StatusConflict)
		wfAct(t, env, s.community, c.ID, "recheck", "", http.StatusConflict)
		r = env.Get("/api/v1/applications/"+c.ID, resident)
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["status"] != "suspended" {
			t.Fatalf("the resident sees %s", r.Body)
		}
		if !rcHasMessage(rcMessages(t, env, resident), "暂停", "家庭收入增加，待核实") {
			t.Fatalf("no suspension message with the reason: %v", rcMessages(t, env, resident))
		}
		if n := rcPublished(t, env, s.street); n != base-1 {
			t.Fatalf("publication while suspended: %d entries, want %d", n, base-1)
		}
		if !rcQueueHas(t, env, s.county, "status=suspended", c.ID) {
			t.Fatal("the status=suspended queue lacks the case")
		}

		// Resume: approved again and published again.
		r = wfAct(t, env, s.county, c.ID, "resume", "", http.StatusOK)
		if statusOf(t, r) != "approved" {
			t.Fatalf("resume: %s", r.Body)
		}
		if n := rcPublished(t, env, s.street); n != base {
			t.Fatalf("publication after resume: %d entries, want %d", n, base)
		}

		// While the benefit runs the household cannot apply for it again
		// (it would be paid twice).
		r = env.Post("/api/v1/applications", resident, map[string]string{"program": "dibao", "reason": "再次申请"})
		apitest.Want(t, r, http.StatusConflict)

		// End: reason required; closed for good; the household may apply again.
		wfAct(t, env, s.county, c.ID, "end", "", http.StatusUnprocessableEntity)
		r = wfAct(t, env, s.county, c.ID, "end", "家庭收入已超过低保标准", http.StatusOK)
		if statusOf(t, r) != "ended" || rcTime(t, r, "ended_at") == nil || rcTime(t, r, "review_due_at") != nil {
			t.Fatalf("end: %s", r.Body)
		}
		for _, tc := range []struct{ token, action, reason string }{
			{s.county, "end", "再次"}, {s.county, "resume", ""}, {s.county, "suspend", "理由"}, {s.community, "recheck", ""},
		} {
			wfAct(t, env, tc.token, c.ID, tc.action, tc.reason, http.StatusConflict)
		}
		if n := rcPublished(t, env, s.street); n != base-1 {
			t.Fatalf("publication after end: %d entries, want %d", n, base-1)
		}
		if !rcHasMessage(rcMessages(t, env, resident), "终止", "家庭收入已超过低保标准") {
			t.Fatal("no end message with the reason")
		}
		createApp(t, env, resident, "dibao")

		// The timeline and the audit trail record every step.
		r = env.Get("/api/v1/applications/"+c.ID, resident)
		apitest.Want(t, r, http.StatusOK)
		var app struct {
			Timeline []struct {
				Status string `json:"status"`
				Note   string `json:"note"`
			} `json:"timeline"`
		}
		r.JSON(t, &app)
		steps := map[string]int{}
		for _, e := range app.Timeline {
			steps[e.Status]++
		}
		if steps["approved"] != 3 || steps["suspended"] != 1 || steps["ended"] != 1 {
			t.Fatalf("timeline %v", steps)
		}
		aud := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "aud.rc", "auditor", "330502")
		r = env.Get("/api/v1/staff/audit?target_id="+c.ID+"&limit=100", aud.Token)
		apitest.Want(t, r, http.StatusOK)
		var page struct {
			Items []struct {
				Action  string `json:"action"`
				Outcome string `json:"outcome"`
			} `json:"items"`
		}
		r.JSON(t, &page)
		got := map[string]int{}
		for _, e := range page.Items {
			got[e.Action+"/"+e.Outcome]++
		}
		for _, want := range []string{"application.recheck", "application.suspend", "application.resume", "application.end"} {
			if got[want+"/success"] != 1 || got[want+"/denied"] != 2 {
				t.Errorf("audit %s: %v", want, got)
			}
		}
	})
}
