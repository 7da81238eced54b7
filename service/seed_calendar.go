package service

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// span lists the dates from first to last (YYYY-MM-DD, inclusive).
func span(first, last string) []string {
	a, _ := time.Parse(time.DateOnly, first)
	b, _ := time.Parse(time.DateOnly, last)
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// demoCalendars are the working-day calendars the demo data carries.
// 2026: the State Council's arrangement (国办发明电〔2025〕7号). 2027: the
// statutory holidays on their dates (全国年节及纪念日放假办法, 2025) without
// 调休, as the arrangement was not yet published when this was written; the
// admin replaces it with PUT /api/v1/staff/calendar once it is.
func demoCalendars() []model.CalendarInput {
	return []model.CalendarInput{
		{Year: 2026,
			Holidays: concat(span("2026-01-01", "2026-01-03"), span("2026-02-15", "2026-02-23"), span("2026-04-04", "2026-04-06"),
				span("2026-05-01", "2026-05-05"), span("2026-06-19", "2026-06-21"), span("2026-09-25", "2026-09-27"), span("2026-10-01", "2026-10-07")),
			Workdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}},
		{Year: 2027,
			Holidays: concat([]string{"2027-01-01"}, span("2027-02-05", "2027-02-08"), []string{"2027-04-05"}, span("2027-05-01", "2027-05-02"),
				[]string{"2027-06-09", "2027-09-15"}, span("2027-10-01", "2027-10-03")),
			Workdays: []string{}},
	}
}

// seedCalendar stores the demo calendars for the current and next year
// where it has them, leaving a year an admin already set alone.
func (s *Seeder) seedCalendar(ctx context.Context, now time.Time) error {
	year := now.In(model.ChinaZone).Year()
	for _, in := range demoCalendars() {
		if in.Year != year && in.Year != year+1 {
			continue
		}
		row := in.Row(now, nil)
		if err := s.d.DB.InsertIfAbsent(ctx, &row); err != nil {
			return err
		}
	}
	return nil
}
