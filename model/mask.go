package model

import "strings"

// MaskName shows the family name and stars for the rest: 张三 → 张*,
// 欧阳修文 → 欧阳**. Two-character compound surnames are recognised from a
// short list; a one-character name stays a single star.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	keep := 1
	if len(r) >= 3 && compoundSurnames[string(r[:2])] {
		keep = 2
	}
	if len(r) == 1 {
		return "*"
	}
	return string(r[:keep]) + strings.Repeat("*", len(r)-keep)
}

var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "上官": true, "诸葛": true, "东方": true, "皇甫": true, "尉迟": true,
	"公孙": true, "慕容": true, "长孙": true, "宇文": true, "司徒": true, "夏侯": true, "令狐": true,
	"端木": true, "澹台": true, "呼延": true, "独孤": true, "南宫": true, "万俟": true, "闻人": true,
}

// MaskID shows the first 2 and last 2 characters of an ID number:
// 33**************2X. Four characters are as much as may show: with the
// county codes, the check character and a birth date the rest of an 18-digit
// number can be rebuilt, so a masked ID never travels beside a birth date
// (an age in whole years is fine, see AgeOn).
func MaskID(id string) string {
	if len(id) <= 4 {
		return strings.Repeat("*", len(id))
	}
	return id[:2] + strings.Repeat("*", len(id)-4) + id[len(id)-2:]
}

// MaskPhone shows the first 3 and last 4 digits: 138****5678.
func MaskPhone(phone string) string {
	if len(phone) < 8 {
		return strings.Repeat("*", len(phone))
	}
	return phone[:3] + strings.Repeat("*", len(phone)-7) + phone[len(phone)-4:]
}
