package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
)

// dlCST is a time in China.
func dlCST(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, model.ChinaZone)
}

// dlCalendar2026 is the State Council's 2026 arrangement, set by the admin
// so the test does not depend on the year the demo data was seeded in.
var dlCalendar2026 = map[string]any{"year": 2026,
	"holidays": []string{"2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
		"2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23", "2026-04-04", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-02",
		"2026-05-03", "2026-05-04", "2026-05-05", "2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25", "2026-09-26", "2026-09-27",
		"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
	"workdays": []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}}

// dlDeadlines reads the deadlines of the staff detail by step.
func dlDeadlines(t *testing.T, env *apitest.Env, token, id string) map[string]model.Deadline {
	t.Helper()
	r := env.Get("/api/v1/staff/applications/"+id, token)
	apitest.Want(t, r, http.StatusOK)
	var v struct {
		Deadlines []model.Deadline `json:"deadlines"`
	}
	r.JSON(t, &v)
	out := map[string]model.Deadline{}
	for _, d := range v.Deadlines {
		out[d.Step] = d
	}
	return out
}

func dlWantDue(t *testing.T, what string, d model.Deadline, want time.Time) {
	t.Helper()
	if !d.DueAt.Equal(want) {
		t.Errorf("%s due %s, want %s", what, d.DueAt.In(model.ChinaZone), want)
	}
}

func TestDeadlinesCalendar(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		admin := wfDemo(t, env, "admin").Token
		// Bad input: a date of another year, a day listed as both.
		for _, body := range []map[string]any{
			{"year": 2026, "holidays": []string{"2027-01-01"}, "workdays": []string{}},
			{"year": 2026, "holidays": []string{"2026-10-10"}, "workdays": []string{"2026-10-10"}},
		} {
			apitest.Want(t, env.Put("/api/v1/staff/calendar", admin, body), http.StatusUnprocessableEntity)
		}
		apitest.Want(t, env.Put("/api/v1/staff/calendar", admin, dlCalendar2026), http.StatusOK)
		apitest.Want(t, env.Put("/api/v1/staff/calendar", wfDemo(t, env, "county").Token, dlCalendar2026), http.StatusForbidden)
		entries, err := env.Backends.DB.AuditEntries(context.Background(), storage.AuditFilter{Action: "calendar.set"}, model.PageRequest{Limit: 10})
		if err != nil || len(entries) != 2 || entries[1].TargetID != "2026" || entries[1].Outcome != model.OutcomeSuccess || entries[0].Outcome != model.OutcomeDenied {
			t.Fatalf("calendar.set audit: %v %+v", err, entries)
		}

		// Accepted on Thursday 17 September 2026: Friday, the make-up
		// Sunday 20th and Monday are the 3 working days of the investigation.
		env.Clock.Set(dlCST(2026, 9, 17, 10))
		c := wfSubmitted(t, env, "330502001001", 1)
		community := wfDemo(t, env, "community").Token
		wfAct(t, env, community, c.ID, "accept", "", http.StatusOK)
		ds := dlDeadlines(t, env, community, c.ID)
		dlWantDue(t, "investigation", ds[model.StepInvestigation], dlCST(2026, 9, 22, 0))
		// 30 working days across 中秋 and 国庆 with the make-up Saturday 10 October.
		dlWantDue(t, "case", ds[model.StepCase], dlCST(2026, 11, 5, 0))
		if _, ok := ds[model.StepDecision]; ok || ds[model.StepInvestigation].Overdue || ds[model.StepInvestigation].MetAt != nil {
			t.Fatalf("deadlines: %+v", ds)
		}

		// Accepted on Wednesday 30 September: the holiday runs to 7
		// October, then Thursday, Friday and the make-up Saturday.
		c2 := wfSubmitted(t, env, "330502001001", 1)
		env.Clock.Set(dlCST(2026, 9, 30, 10))
		community = wfDemo(t, env, "community").Token
		wfAct(t, env, community, c2.ID, "accept", "", http.StatusOK)
		dlWantDue(t, "investigation after the holiday", dlDeadlines(t, env, community, c2.ID)[model.StepInvestigation], dlCST(2026, 10, 11, 0))

		// The first case was not investigated in time: overdue, and listed.
		ds = dlDeadlines(t, env, community, c.ID)
		if !ds[model.StepInvestigation].Overdue || ds[model.StepCase].Overdue {
			t.Fatalf("deadlines at 30 September: %+v", ds)
		}
		r := env.Get("/api/v1/staff/overdue", community)
		apitest.Want(t, r, http.StatusOK)
		var list struct {
			Items []service.OverdueCase `json:"items"`
		}
		r.JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ApplicationID != c.ID || list.Items[0].Deadlines[0].Step != model.StepInvestigation {
			t.Fatalf("overdue: %s", r.Body)
		}
		apitest.Want(t, env.Get("/api/v1/staff/overdue?region_code=330521", community), http.StatusNotFound)

		// Investigating late keeps the clock met but overdue; the county
		// extends the case to 45 working days with a reason.
		wfAct(t, env, community, c.ID, "investigate", "", http.StatusOK)
		ds = dlDeadlines(t, env, community, c.ID)
		if ds[model.StepInvestigation].MetAt == nil || !ds[model.StepInvestigation].Overdue {
			t.Fatalf("late investigation: %+v", ds)
		}
		county := wfDemo(t, env, "county").Token
		apitest.Want(t, env.Post("/api/v1/staff/applications/"+c.ID+"/extend", county, map[string]string{"reason": " "}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/applications/"+c.ID+"/extend", county, map[string]string{"reason": "需要补充核对异地房产"}), http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/staff/applications/"+c.ID+"/extend", county, map[string]string{"reason": "再次延期"}), http.StatusConflict)
		dlWantDue(t, "extended case", dlDeadlines(t, env, county, c.ID)[model.StepCase], dlCST(2026, 11, 26, 0))
		r = env.Get("/api/v1/staff/overdue", community)
		r.JSON(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("investigated: nothing overdue, got %s", r.Body)
		}
	})
}

func TestDeadlineCalendarMissing(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		admin := wfDemo(t, env, "admin").Token
		apitest.Want(t, env.Put("/api/v1/staff/calendar", admin, map[string]any{"year": 2030, "holidays": []string{"2030-01-01"}, "workdays": []string{}}), http.StatusOK)
		// Accepted on Monday 23 December 2030: the case clock runs into
		// 2031, which nobody set. The step itself succeeds; the detail and
		// the overdue list say what is missing.
		env.Clock.Set(dlCST(2030, 12, 23, 10))
		c := wfSubmitted(t, env, "330502001001", 1)
		community := wfDemo(t, env, "community").Token
		wfAct(t, env, community, c.ID, "accept", "", http.StatusOK)
		for _, path := range []string{"/api/v1/staff/applications/" + c.ID, "/api/v1/staff/overdue"} {
			r := env.Get(path, community)
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "calendar_missing" {
				t.Fatalf("%s: %s", path, r.Body)
			}
		}
		admin = wfDemo(t, env, "admin").Token
		apitest.Want(t, env.Put("/api/v1/staff/calendar", admin, map[string]any{"year": 2031, "holidays": []string{"2031-01-01"}, "workdays": []string{}}), http.StatusOK)
		apitest.Want(t, env.Get("/api/v1/staff/applications/"+c.ID, community), http.StatusOK)
	})
}

func TestDeadlineRemindersOnceAcrossInstances(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		apitest.Want(t, env.Put("/api/v1/staff/calendar", wfDemo(t, env, "admin").Token, dlCalendar2026), http.StatusOK)
		env.Clock.Set(dlCST(2026, 9, 17, 10))
		c := wfSubmitted(t, env, "330502001001", 1)
		wfAct(t, env, wfDemo(t, env, "community").Token, c.ID, "accept", "", http.StatusOK)
		second := env.Instance()
		ctx := context.Background()
		// run runs the job on both instances at once and returns what was
		// sent in total.
		run := func() int {
			var mu sync.Mutex
			var wg sync.WaitGroup
			sent := 0
			for _, a := range []*service.App{env.App, second} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := a.Workflow.RemindDeadlines(ctx)
					if err != nil {
						t.Errorf("remind: %v", err)
					}
					mu.Lock()
					sent += res.Sent
					mu.Unlock()
				}()
			}
			wg.Wait()
			return sent
		}
		// Friday 18th: the investigation runs out on Monday 21st, after the
		// make-up Sunday: not yet the day before.
		env.Clock.Set(dlCST(2026, 9, 18, 9))
		if n := run(); n != 0 {
			t.Fatalf("Friday: %d reminders", n)
		}
		// The make-up Sunday 20th is the working day before: one reminder
		// to the community, however many instances run.
		env.Clock.Set(dlCST(2026, 9, 20, 9))
		if n := run(); n != 1 {
			t.Fatalf("Sunday 20th: %d reminders, want 1", n)
		}
		if n := run(); n != 0 {
			t.Fatalf("again on the 20th: %d reminders", n)
		}
		// Tuesday 22nd: the clock ran out.
		env.Clock.Set(dlCST(2026, 9, 22, 9))
		if n := run(); n != 1 {
			t.Fatalf("Tuesday 22nd: %d reminders, want 1", n)
		}
		community := wfDemo(t, env, "community").Token
		r := env.Get("/api/v1/staff/deadline-reminders", community)
		apitest.Want(t, r, http.StatusOK)
		var page struct {
			Items []model.DeadlineReminder `json:"items"`
		}
		r.JSON(t, &page)
		kinds := map[string]bool{}
		for _, it := range page.Items {
			kinds[it.Kind] = true
			if it.ApplicationID != c.ID || it.Step != model.StepInvestigation || it.RegionCode != "330502001001" || it.Text == "" {
				t.Fatalf("reminder: %+v", it)
			}
		}
		if len(page.Items) != 2 || !kinds[model.ReminderOverdue] || !kinds[model.ReminderDueSoon] {
			t.Fatalf("reminders: %s", r.Body)
		}
		// Another community sees none of them.
		r = env.Get("/api/v1/staff/deadline-reminders", wfDemo(t, env, "community2").Token)
		r.JSON(t, &page)
		if len(page.Items) != 0 {
			t.Fatalf("community2 sees %s", r.Body)
		}
	})
}
