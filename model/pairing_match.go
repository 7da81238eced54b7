package model

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// 结对助学 pairing, the donor side. The bureau pairs a registered donor with
// a consenting child's profile; the donor reads the pairing (the child's
// anonymised profile, the payments, the letters) with the pairing's number
// and a code printed for them, and never learns who the child is. A
// revoked consent ends the pairing: no further payments or letters.

// Pairing statuses.
const (
	PairingOpen  = "active"
	PairingEnded = "ended"
)

// Letter senders.
const (
	LetterFromDonor  = "donor"
	LetterFromFamily = "family"
)

// Pairing is a donor paired with a child's profile. OpenSlot is the
// profile id while the pairing stands (one live pairing per child).
// DonorLetters is the donor's opt-in to letters; DonorNamed the donor's
// agreement to be named to the family.
type Pairing struct {
	ID                string
	Number            string
	ProfileID         string
	DonorID           string
	RegionCode        string
	Status            string
	OpenSlot          *string
	CodeHash          string
	DonorLetters      bool
	DonorNamed        bool
	LettersStoppedAt  *time.Time
	LettersStopReason string
	CreatedBy         string
	CreatedAt         time.Time
	EndedAt           *time.Time
}

// TableName is the table of pairings.
func (Pairing) TableName() string { return "pairings" }

// LettersOpen reports whether letters may pass: the pairing stands, both
// sides consented and the bureau has not stopped them.
func (p Pairing) LettersOpen(profile PairingProfile) bool {
	return p.Status == PairingOpen && profile.Status == PairingActive && profile.LettersConsented && p.DonorLetters && p.LettersStoppedAt == nil
}

// PairingLetter is one letter between a donor and a family, sealed at
// rest.
type PairingLetter struct {
	ID         string
	PairingID  string
	Sender     string
	BodySealed string
	CreatedAt  time.Time
}

// TableName is the table of letters.
func (PairingLetter) TableName() string { return "pairing_letters" }

// MaxLetterRunes bounds a letter.
const MaxLetterRunes = 1000

// Why a letter is refused, in words the writer reads: the rule protects
// the child.
var (
	ErrLetterEmpty   = Invalid("body", "请写下信的内容（不超过 1000 个字）")
	ErrLetterPhone   = Invalid("body", "为了保护孩子，信中不能写电话号码、微信或QQ号等联系方式，请删去后再寄出；需要联系时请通过民政部门")
	ErrLetterID      = Invalid("body", "为了保护孩子，信中不能写身份证号码，请删去后再寄出")
	ErrLetterAddress = Invalid("body", "为了保护孩子，信中不能写住址、门牌号或学校地址，请删去后再寄出")
	ErrLetterName    = Invalid("body", "为了保护孩子，信中不能写孩子或家人的姓名、学校名称，请删去后再寄出")
)

// Address-like text: a building, unit, room or lane number; a road,
// street or lane followed by a number; a named residential compound. A
// bare "3号" is a date ("12月3号") as often as a house number, so it
// counts only after a road.
var (
	letterAddressNumbered = regexp.MustCompile(`[0-9０-９一二三四五六七八九十百零〇两]+\s*(号楼|号院|栋|幢|单元|室|弄)`)
	letterAddressRoad     = regexp.MustCompile(`\p{Han}(路|街|巷|大道)\s*[0-9０-９一二三四五六七八九十百零〇两]`)
	letterAddressPlace    = regexp.MustCompile(`\p{Han}(小区|新村|家园)`)
	letterContact         = regexp.MustCompile(`(?i)(微信|vx|wx|wechat|qq|扣扣|电话|手机|联系方式|邮箱|@|https?://|www\.)`)
)

// chineseDigits are digits written as characters, which also spell phone
// numbers.
const chineseDigits = "零〇一二三四五六七八九幺两"

// CheckLetter screens a letter for what would identify or locate the child:
// a phone or ID number (a run of 7 or more digits, Arabic, full-width or
// Chinese, spaces and dashes between them ignored; 18 characters ending in
// X), contact handles, and address-like text. It returns the trimmed body
// or an invalid-field error saying why.
func CheckLetter(body string) (string, error) {
	b := strings.TrimSpace(body)
	if b == "" || len([]rune(b)) > MaxLetterRunes {
		return "", ErrLetterEmpty
	}
	run, sawX := 0, false
	longest := 0
	rs := []rune(b)
	for i, r := range rs {
		switch {
		case unicode.IsDigit(r) || strings.ContainsRune(chineseDigits, r):
			run++
		case (r == 'X' || r == 'x') && run >= 14:
			sawX = true
			run++
		case (r == ' ' || r == '-' || r == '－') && run > 0 && i+1 < len(rs):
			continue
		default:
			run = 0
		}
		if run > longest {
			longest = run
		}
	}
	switch {
	case sawX && longest >= 15, longest >= 15:
		return "", ErrLetterID
	case longest >= 7:
		return "", ErrLetterPhone
	}
	if letterContact.MatchString(b) {
		return "", ErrLetterPhone
	}
	if letterAddressNumbered.MatchString(b) || letterAddressRoad.MatchString(b) || letterAddressPlace.MatchString(b) {
		return "", ErrLetterAddress
	}
	return b, nil
}
