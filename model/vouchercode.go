package model

import (
	"fmt"
	"io"
	"strings"
)

// Voucher codes are 16 Crockford base32 digits (80 random bits) and one
// check character, printed as EDU-7K3M-9QXD-2WHP-R. The check character is
// Σ (i+1)·digit[i] mod 37 over the 16 digits, written with Crockford's
// check alphabet (the 32 digits plus *~$=U). Because 37 is prime, every
// weight is distinct and non-zero mod 37 and digit differences are below 37,
// so a single changed character and a swap of two adjacent characters
// (including the last digit and the check character) always change the
// check: a mistyped code is refused before any lookup.
const (
	// VoucherCodePrefix starts every printed code.
	VoucherCodePrefix = "EDU"
	// voucherDigits is the number of random base32 digits (5 bits each).
	voucherDigits = 16
)

// crockfordCheck is the check alphabet: the 32 digits then *~$=U (32–36).
const crockfordCheck = crockford + "*~$=U"

// errVoucherCode is the 422 for a code that is not well formed or whose
// check character does not match.
var errVoucherCode = NewError(KindInvalid, "invalid_voucher_code",
	"this is not a valid voucher code; check it for typing mistakes")

// NewVoucherCode returns a fresh code in printed form from random (at least
// 80 bits from it; crypto/rand when nil). It fails only when the random
// source fails.
func NewVoucherCode(random io.Reader) (string, error) {
	b, err := RandomToken(random, 10)
	if err != nil {
		return "", fmt.Errorf("voucher code: %w", err)
	}
	digits := make([]byte, voucherDigits)
	// 10 bytes = 80 bits = 16 groups of 5 bits.
	var acc uint64
	bits := 0
	j := 0
	for _, x := range b {
		acc = acc<<8 | uint64(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			digits[j] = crockford[(acc>>uint(bits))&31]
			j++
		}
	}
	return formatVoucherCode(string(digits) + string(voucherCheck(string(digits)))), nil
}

// voucherCheck computes the check character of 16 canonical digits.
func voucherCheck(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += (i + 1) * strings.IndexByte(crockford, digits[i])
	}
	return crockfordCheck[sum%37]
}

// formatVoucherCode groups 17 canonical characters as EDU-XXXX-XXXX-XXXX-XXXX-C.
func formatVoucherCode(body string) string {
	var b strings.Builder
	b.WriteString(VoucherCodePrefix)
	for i := 0; i < voucherDigits; i += 4 {
		b.WriteByte('-')
		b.WriteString(body[i : i+4])
	}
	b.WriteByte('-')
	b.WriteByte(body[voucherDigits])
	return b.String()
}

// ParseVoucherCode accepts a code as a person types it: any case, with or
// without dashes and spaces, with or without the EDU prefix, O for 0 and I
// or L for 1 (Crockford's reading of look-alikes), and returns it
// in printed form. It returns a model.KindInvalid error (422) when the code
// is malformed or its check character does not match, so a typing mistake
// never reaches the database.
func ParseVoucherCode(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0' // Crockford: O reads as zero, I and L as one
		case r == 'I' || r == 'L':
			r = '1'
		case r > 127:
			return "", errVoucherCode
		}
		b.WriteRune(r)
	}
	body := b.String()
	if len(body) == len(VoucherCodePrefix)+voucherDigits+1 && strings.HasPrefix(body, VoucherCodePrefix) {
		body = body[len(VoucherCodePrefix):]
	}
	if len(body) != voucherDigits+1 {
		return "", errVoucherCode
	}
	for i := 0; i < voucherDigits; i++ {
		if strings.IndexByte(crockford, body[i]) < 0 {
			return "", errVoucherCode
		}
	}
	if voucherCheck(body[:voucherDigits]) != body[voucherDigits] {
		return "", errVoucherCode
	}
	return formatVoucherCode(body), nil
}
