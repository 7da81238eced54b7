package model

import (
	"errors"
	"testing"
	"time"
)

func testCalendar(t *testing.T) Calendar {
	t.Helper()
	c, err := NewCalendar([]CalendarYear{
		CalendarInput{Year: 2026, Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}, Workdays: []string{"2026-10-10"}}.Row(time.Now(), nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cst(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, ChinaZone) }

func TestAddWorkingDays(t *testing.T) {
	c := testCalendar(t)
	cases := []struct {
		name string
		from time.Time
		n    int
		want time.Time // start of the day after the last working day, China time
	}{
		{"weekdays", cst(2026, 9, 14, 10), 3, cst(2026, 9, 18, 0)},                                              // Mon → Tue, Wed, Thu
		{"across a weekend", cst(2026, 9, 17, 23), 3, cst(2026, 9, 23, 0)},                                      // Thu → Fri, Mon, Tue
		{"across the holiday", cst(2026, 9, 30, 9), 3, cst(2026, 10, 11, 0)},                                    // Wed → Thu 8th, Fri 9th, Sat 10th (调休)
		{"make-up day counts", cst(2026, 10, 9, 9), 1, cst(2026, 10, 11, 0)},                                    // Fri → Sat 10th (调休)
		{"late evening UTC is next day", time.Date(2026, 9, 17, 17, 0, 0, 0, time.UTC), 1, cst(2026, 9, 22, 0)}, // 01:00 Fri CST → Mon 21st
	}
	for _, tc := range cases {
		got, err := c.AddWorkingDays(tc.from, tc.n)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !got.Equal(tc.want) {
			t.Errorf("%s: got %s, want %s", tc.name, got.In(ChinaZone), tc.want)
		}
	}
}

func TestAddWorkingDaysMissingYear(t *testing.T) {
	c := testCalendar(t)
	_, err := c.AddWorkingDays(cst(2026, 12, 30, 9), 3)
	var me *Error
	if !errors.As(err, &me) || me.Code != "calendar_missing" || me.Kind != KindConflict {
		t.Fatalf("got %v, want calendar_missing", err)
	}
}

func TestDeadlines(t *testing.T) {
	c := testCalendar(t)
	acc := cst(2026, 9, 14, 10)
	inv := cst(2026, 9, 18, 9) // a day late
	got, err := c.Deadlines(CaseClock{AcceptedAt: &acc, InvestigatedAt: &inv}, cst(2026, 9, 18, 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Step != StepInvestigation || !got[0].Overdue || got[1].Step != StepCase || got[1].Overdue {
		t.Fatalf("got %+v", got)
	}
	got, _ = c.Deadlines(CaseClock{AcceptedAt: &acc, Extended: true}, cst(2026, 9, 17, 23))
	if got[0].Overdue || got[1].DueAt.Before(cst(2026, 11, 1, 0)) {
		t.Fatalf("got %+v", got)
	}
	got, _ = c.Deadlines(CaseClock{AcceptedAt: &acc, Closed: true}, cst(2026, 12, 1, 0))
	if got[0].Overdue {
		t.Fatalf("a closed case is not overdue: %+v", got)
	}
}

func TestDueSoon(t *testing.T) {
	c := testCalendar(t)
	due := cst(2026, 9, 23, 0) // the clock runs out at the end of Tue 22nd
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{cst(2026, 9, 18, 9), false}, {cst(2026, 9, 21, 9), true}, {cst(2026, 9, 22, 9), true}, {cst(2026, 9, 23, 9), false}} {
		got, err := c.DueSoon(due, tc.now)
		if err != nil || got != tc.want {
			t.Errorf("now %s: got %v %v, want %v", tc.now, got, err, tc.want)
		}
	}
}

func TestCalendarInputValidate(t *testing.T) {
	for _, in := range []CalendarInput{
		{Year: 1999},
		{Year: 2026, Holidays: []string{"2027-01-01"}},
		{Year: 2026, Holidays: []string{"2026-02-30"}},
		{Year: 2026, Holidays: []string{"2026-10-01", "2026-10-01"}},
		{Year: 2026, Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-01"}},
	} {
		if in.Validate() == nil {
			t.Errorf("%+v: want an error", in)
		}
	}
	if err := (CalendarInput{Year: 2026, Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-10"}}).Validate(); err != nil {
		t.Fatal(err)
	}
}
