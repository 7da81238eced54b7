package model

import (
	"strings"
	"time"
)

// Sexes derived from an ID number.
const (
	SexMale   = "M"
	SexFemale = "F"
)

// IDNumber is a checked citizen ID number (GB 11643-1999) with what it
// encodes.
type IDNumber struct {
	// Number is the normalised 18 characters (a final x upper-cased).
	Number string
	// BirthDate is the encoded date of birth, "YYYY-MM-DD".
	BirthDate string
	// Sex is SexMale or SexFemale (the parity of the 17th digit).
	Sex string
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckChar returns the MOD 11-2 check character of the first 17 digits
// of an ID number, or 0 when first17 is not 17 digits.
func IDCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// chinaZone is UTC+8, the zone the birth dates in ID numbers are written in.
var chinaZone = time.FixedZone("CST", 8*3600)

// ParseIDNumber checks s as an 18-character ID number: 17 digits and a
// check character that matches (MOD 11-2), a birth date that exists, lies
// after 1900 and is not after today (now, in China time). A lower-case x is
// accepted and normalised. Failures are model.KindInvalid errors on the
// field "id_number" that never repeat the number.
func ParseIDNumber(s string, now time.Time) (IDNumber, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	if len(n) != 18 {
		return IDNumber{}, Invalid("id_number", "应为 18 位，请对照身份证重新填写")
	}
	check := IDCheckChar(n[:17])
	if check == 0 {
		return IDNumber{}, Invalid("id_number", "前 17 位应为数字，最后一位是数字或 X")
	}
	if n[17] != check {
		return IDNumber{}, Invalid("id_number", "校验不通过，可能有一位填错了，请对照身份证逐位核对")
	}
	birth, err := time.ParseInLocation("20060102", n[6:14], chinaZone)
	if err != nil || birth.Format("20060102") != n[6:14] {
		return IDNumber{}, Invalid("id_number", "其中的出生日期不存在，请核对")
	}
	today := now.In(chinaZone)
	if birth.Year() < 1900 || birth.After(today) {
		return IDNumber{}, Invalid("id_number", "其中的出生日期不对，请核对")
	}
	sex := SexFemale
	if (n[16]-'0')%2 == 1 {
		sex = SexMale
	}
	return IDNumber{Number: n, BirthDate: birth.Format("2006-01-02"), Sex: sex}, nil
}

// WorkingAge is the age from which the household form asks a member's
// work ability (劳动能力): the legal minimum working age. A younger child
// is not asked (what the policies make of a child's missing work ability
// is theirs to say).
const WorkingAge = 16

// AsksWorkAbility says whether the household form asks about the work
// ability of a member born on birthDate ("YYYY-MM-DD") on the day now:
// from WorkingAge on, and when the birth date is not known.
func AsksWorkAbility(birthDate string, now time.Time) bool {
	age := AgeOn(birthDate, now)
	return age < 0 || age >= WorkingAge
}

// AgeOn is the age in whole years on the day now (in China's zone) of
// someone born on birthDate ("YYYY-MM-DD"); -1 when the date is not one.
// An age may stand beside a masked ID number where the birth date may not.
func AgeOn(birthDate string, now time.Time) int {
	b, err := time.ParseInLocation("2006-01-02", birthDate, chinaZone)
	if err != nil {
		return -1
	}
	n := now.In(chinaZone)
	age := n.Year() - b.Year()
	if n.Month() < b.Month() || (n.Month() == b.Month() && n.Day() < b.Day()) {
		age--
	}
	if age < 0 {
		return 0
	}
	return age
}
