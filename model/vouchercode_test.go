package model

import (
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var printedCode = regexp.MustCompile(`^EDU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z*~$=U]$`)

// compact is the 17 characters a person might type: digits and check.
func compact(code string) string {
	return strings.ReplaceAll(strings.TrimPrefix(code, VoucherCodePrefix+"-"), "-", "")
}

func TestVoucherCodeProperties(t *testing.T) {
	t.Parallel()
	const n = 3000
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		code, err := NewVoucherCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !printedCode.MatchString(code) {
			t.Fatalf("code %q is not in the printed form", code)
		}
		if seen[code] {
			t.Fatalf("code %q generated twice", code)
		}
		seen[code] = true
		// Every generated code verifies, in any case, with or without dashes and prefix.
		body := compact(code)
		for _, typed := range []string{code, strings.ToLower(code), body, strings.ToLower(body), "edu" + body, " " + code[:9] + " " + code[9:]} {
			got, err := ParseVoucherCode(typed)
			if err != nil || got != code {
				t.Fatalf("ParseVoucherCode(%q) = %q, %v; want %q", typed, got, err, code)
			}
		}
		// Every single-character change is refused.
		for pos := 0; pos < len(body); pos++ {
			for _, r := range crockfordCheck {
				if byte(r) == body[pos] {
					continue
				}
				typo := body[:pos] + string(r) + body[pos+1:]
				if _, err := ParseVoucherCode(typo); !errors.Is(err, ErrInvalid) {
					t.Fatalf("code %s: changing position %d to %c is accepted (%v)", code, pos, r, err)
				}
			}
		}
		// Every swap of two adjacent, different characters is refused.
		for pos := 0; pos+1 < len(body); pos++ {
			if body[pos] == body[pos+1] {
				continue
			}
			swapped := body[:pos] + string(body[pos+1]) + string(body[pos]) + body[pos+2:]
			if _, err := ParseVoucherCode(swapped); !errors.Is(err, ErrInvalid) {
				t.Fatalf("code %s: swapping positions %d and %d is accepted", code, pos, pos+1)
			}
		}
	}
}

// TestVoucherCheckExhaustive proves the check scheme over every digit pair
// instead of sampling: for every position a substitution of any digit by any
// other, and for every adjacent pair of positions a swap of any two
// different digits, changes the check character.
func TestVoucherCheckExhaustive(t *testing.T) {
	t.Parallel()
	base := []byte(strings.Repeat("0", voucherDigits))
	for pos := 0; pos < voucherDigits; pos++ {
		for a := 0; a < 32; a++ {
			for b := 0; b < 32; b++ {
				if a == b {
					continue
				}
				x := append([]byte(nil), base...)
				y := append([]byte(nil), base...)
				x[pos], y[pos] = crockford[a], crockford[b]
				if voucherCheck(string(x)) == voucherCheck(string(y)) {
					t.Fatalf("substitution at %d of %c by %c keeps the check", pos, crockford[a], crockford[b])
				}
				if pos+1 < voucherDigits {
					x[pos+1], y[pos+1] = crockford[b], crockford[a]
					if voucherCheck(string(x)) == voucherCheck(string(y)) {
						t.Fatalf("swap at %d of %c%c keeps the check", pos, crockford[a], crockford[b])
					}
				}
			}
		}
	}
	// Last digit ↔ check character: for every last digit d and every check
	// value c that some code with last digit d has, the swapped code fails.
	reached := map[[2]int]bool{}
	for d := 0; d < 32; d++ {
		for first := 0; first < 32; first++ {
			for second := 0; second < 32; second++ {
				x := []byte(strings.Repeat("0", voucherDigits))
				x[0], x[1], x[voucherDigits-1] = crockford[first], crockford[second], crockford[d]
				c := strings.IndexByte(crockfordCheck, voucherCheck(string(x)))
				reached[[2]int{d, c}] = true
				if c == d {
					continue
				}
				swapped := string(x[:voucherDigits-1]) + string(crockfordCheck[c]) + string(crockford[d])
				if _, err := ParseVoucherCode(swapped); !errors.Is(err, ErrInvalid) {
					t.Fatalf("swap of last digit %c and check %c is accepted", crockford[d], crockfordCheck[c])
				}
			}
		}
	}
	if len(reached) != 32*37 {
		t.Fatalf("the swap check covered %d of %d (digit, check) pairs", len(reached), 32*37)
	}
}

func TestParseVoucherCodeRejects(t *testing.T) {
	t.Parallel()
	code, err := NewVoucherCode(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "EDU", code[:len(code)-1], code + "X", "EDU-" + code, "汉字", strings.Repeat("0", 17) + "0"} {
		if _, err := ParseVoucherCode(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseVoucherCode(%q) = %v, want invalid", bad, err)
		}
	}
	// Crockford look-alikes read as the digits they resemble.
	if got, err := ParseVoucherCode(strings.ReplaceAll(strings.ReplaceAll(code, "0", "o"), "1", "l")); err != nil || got != code {
		t.Errorf("look-alikes: %q, %v", got, err)
	}
}
