package model

import "testing"

func TestTermWords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"2026-autumn": "2026 年秋季学期", "2027-spring": "2027 年春季学期", "2026-winter": "2026-winter", "": ""} {
		if got := TermWords(in); got != want {
			t.Errorf("TermWords(%q) = %q, want %q", in, got, want)
		}
	}
}
