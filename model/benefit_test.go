package model

import (
	"testing"
	"time"
)

func TestRollReminderKind(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, monthZone)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		period, now    string
		made, approved bool
		want           string
	}{
		{"2027-03", "2027-02-19 23:59", false, false, ""},
		{"2027-03", "2027-02-20 00:00", false, false, ReminderDueSoon},
		{"2027-03", "2027-02-28 12:00", true, false, ""},
		{"2027-03", "2027-03-01 00:00", true, false, ReminderOverdue},
		{"2027-03", "2027-03-01 00:00", false, false, ReminderOverdue},
		{"2027-03", "2027-03-15 00:00", true, true, ""},
		{"2027-04", "2027-02-25 00:00", false, false, ""}, // two months ahead
		{"2027-03", "2027-02-20 00:00", true, true, ""},
	} {
		if got := RollReminderKind(c.period, at(c.now), c.made, c.approved); got != c.want {
			t.Errorf("RollReminderKind(%s at %s, made %v, approved %v) = %q, want %q", c.period, c.now, c.made, c.approved, got, c.want)
		}
	}
}
