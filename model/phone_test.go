package model

import "testing"

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{"+86 138 1234 5678", "13812345678"},
		{"0086-138-1234-5678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"19912345678", "19912345678"},
		{"12812345678", ""},
		{"1381234567", ""},
		{"138123456789", ""},
		{"1381234567x", ""},
		{"+1 202 555 0123", ""},
		{"", ""},
	} {
		got, err := NormalizePhone(c.in)
		if c.want == "" {
			if err == nil || KindOf(err) != KindInvalid {
				t.Errorf("%q: got %q, err %v; want a KindInvalid error", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
