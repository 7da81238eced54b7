package model

import (
	"testing"
	"time"
)

func TestParseIDNumber(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	// 11010519491231002X is the standard's own example.
	cases := []struct {
		in, number, birth, sex string
		ok                     bool
	}{
		{"11010519491231002X", "11010519491231002X", "1949-12-31", SexFemale, true},
		{"11010519491231002x", "11010519491231002X", "1949-12-31", SexFemale, true},
		{" 11010519491231002X ", "11010519491231002X", "1949-12-31", SexFemale, true},
		{"110105194912310021", "", "", "", false}, // wrong check character
		{"11010519491231002", "", "", "", false},  // 17 characters
		{"1101051949123100X2", "", "", "", false}, // X not last
		{"", "", "", "", false},
	}
	for _, c := range cases {
		id, err := ParseIDNumber(c.in, now)
		if (err == nil) != c.ok {
			t.Errorf("%q: err %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && (id.Number != c.number || id.BirthDate != c.birth || id.Sex != c.sex) {
			t.Errorf("%q: %+v", c.in, id)
		}
	}
	withCheck := func(first17 string) string { return first17 + string(IDCheckChar(first17)) }
	for _, c := range []struct {
		name, id string
		ok       bool
	}{
		{"male", withCheck("33050219800101001"), true},
		{"born today in China", withCheck("33050220260501001"), true},
		{"born tomorrow", withCheck("33050220260502001"), false},
		{"30 February", withCheck("33050220000230001"), false},
		{"month 13", withCheck("33050220001301001"), false},
		{"before 1900", withCheck("33050218991231001"), false},
		{"29 February of a leap year", withCheck("33050220000229001"), true},
	} {
		_, err := ParseIDNumber(c.id, now)
		if (err == nil) != c.ok {
			t.Errorf("%s (%s): err %v, want ok=%v", c.name, c.id, err, c.ok)
		}
		if err != nil && KindOf(err) != KindInvalid {
			t.Errorf("%s: kind %v", c.name, KindOf(err))
		}
	}
	if id, _ := ParseIDNumber(withCheck("33050219800101001"), now); id.Sex != SexMale {
		t.Errorf("odd 17th digit: sex %q", id.Sex)
	}
}

// TestAsksWorkAbility: the work ability is asked from the 16th birthday
// on (China time), and when the birth date is not known.
func TestAsksWorkAbility(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC) // 2 December in China
	for _, c := range []struct {
		birth string
		want  bool
	}{
		{"1980-01-01", true},
		{"2010-12-02", true},  // 16 today in China
		{"2010-12-03", false}, // 16 tomorrow
		{"2018-06-01", false},
		{"", true},
	} {
		if got := AsksWorkAbility(c.birth, now); got != c.want {
			t.Errorf("AsksWorkAbility(%q) = %v, want %v", c.birth, got, c.want)
		}
	}
}
