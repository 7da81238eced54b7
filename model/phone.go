package model

import "strings"

// NormalizePhone returns the 11-digit mainland mobile number in s, with
// spaces, dashes and a +86 / 0086 / 86 country prefix removed. Anything else
// is a model.KindInvalid error on the field "phone".
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch r {
		case ' ', '-', '(', ')':
			continue
		}
		b.WriteRune(r)
	}
	p := b.String()
	for _, prefix := range []string{"+86", "0086", "86"} {
		if strings.HasPrefix(p, prefix) && len(p) == len(prefix)+11 {
			p = p[len(prefix):]
			break
		}
	}
	if !IsMobilePhone(p) {
		return "", Invalid("phone", "请填写 11 位手机号，例如 13812345678")
	}
	return p, nil
}

// IsMobilePhone reports whether p is already a normalised mainland mobile
// number: 11 digits starting 13–19.
func IsMobilePhone(p string) bool {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' {
		return false
	}
	for i := 2; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}
