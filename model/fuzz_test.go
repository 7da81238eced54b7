package model

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// wantInvalid fails unless err is a model error of the 422 kind.
func wantInvalid(t *testing.T, input string, err error) {
	t.Helper()
	var me *Error
	if !errors.As(err, &me) || me.Kind != KindInvalid {
		t.Fatalf("%q: error %v is not a model invalid error", input, err)
	}
}

// FuzzParseIDNumber: any input is either a valid ID number whose
// normalised form re-parses to itself and carries a matching check
// character and birth date, or a 422 that does not repeat the number.
func FuzzParseIDNumber(f *testing.F) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"11010519491231002X", "11010519491231002x", " 110105194912310021 ", "110105194912310020",
		"330502201602290014", "330502201502290011", "33050219000101001X", "", "X", strings.Repeat("9", 18), "11010519491231002XX"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIDNumber(s, now)
		if err != nil {
			wantInvalid(t, s, err)
			if n := strings.TrimSpace(s); len(n) >= 6 && strings.Contains(err.Error(), n) {
				t.Fatalf("the error repeats the number: %v", err)
			}
			return
		}
		if len(id.Number) != 18 || IDCheckChar(id.Number[:17]) != id.Number[17] {
			t.Fatalf("%q parsed to %q with a wrong check character", s, id.Number)
		}
		if strings.ReplaceAll(id.BirthDate, "-", "") != id.Number[6:14] {
			t.Fatalf("%q: birth date %s does not match the number", s, id.BirthDate)
		}
		again, err := ParseIDNumber(id.Number, now)
		if err != nil || again != id {
			t.Fatalf("%q: normalised %q does not round-trip: %+v, %v", s, id.Number, again, err)
		}
	})
}

// FuzzParseVoucherCode: any input is either a code whose printed form
// re-parses to itself (also in lower case, without dashes), or a 422.
func FuzzParseVoucherCode(f *testing.F) {
	for i := range 4 {
		code, err := NewVoucherCode(bytes.NewReader(bytes.Repeat([]byte{byte(i * 37)}, 64)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(code)
		f.Add(strings.ToLower(strings.ReplaceAll(code, "-", "")))
	}
	for _, s := range []string{"", "EDU-", "EDU-7K3M-9QXD-2WHP-R", "edu 0000 0000 0000 0000 0", "ÉDU-0000", "EDU-OIL0-0000-0000-0000-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseVoucherCode(s)
		if err != nil {
			wantInvalid(t, s, err)
			return
		}
		for _, form := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", "")} {
			again, err := ParseVoucherCode(form)
			if err != nil || again != code {
				t.Fatalf("%q parsed to %q, but %q parses to %q, %v", s, code, form, again, err)
			}
		}
	})
}
