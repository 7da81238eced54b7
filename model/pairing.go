package model

import (
	"strings"
	"time"
)

// 结对助学 pairing, the family side. A guardian consents, for one school
// child of their household, to the child being offered for pairing; the
// consent is the child's pairing profile. Donors and the bureau see only
// the profile's anonymised view: stage in words, county name and the need
// in words, under the profile's opaque id. Revoking the consent takes the
// profile out of every list at once; a later consent is a new profile with
// a new id.

// Pairing profile statuses.
const (
	PairingActive  = "active"
	PairingRevoked = "revoked"
)

// Pairing stages in words, as donors see them.
const (
	PairingPrimary = "小学"
	PairingJunior  = "初中"
	PairingSenior  = "高中"
)

// PairingProfile is a guardian's consent for one child, and the child's
// anonymised profile. OpenSlot is the member id while active (unique), nil
// once revoked.
type PairingProfile struct {
	ID          string
	MemberID    string
	HouseholdID string
	ResidentID  string
	Need        string
	NeedBy      string // "guardian" or "community_worker"
	Status      string
	OpenSlot    *string
	ConsentedAt time.Time
	RevokedAt   *time.Time
	UpdatedAt   time.Time
	// LettersConsented is the guardian's explicit consent to letters with
	// the donor, apart from the consent to be offered.
	LettersConsented bool
}

// TableName is the table of pairing profiles.
func (PairingProfile) TableName() string { return "pairing_profiles" }

// PairingStage says which stage a school child is in, in words: senior high
// is 高中; in compulsory education the grade the guardian wrote decides
// (初一…初三, 七…九年级 are 初中; 一…六年级 小学), else the age on the
// school-year start (12 or older: 初中); special education goes by age.
func PairingStage(schoolStage, grade, birthDate string, now time.Time) string {
	if schoolStage == StageSeniorHigh {
		return PairingSenior
	}
	g := strings.TrimSpace(grade)
	if schoolStage == StageCompulsory && g != "" {
		switch {
		case strings.HasPrefix(g, "初"), strings.ContainsAny(g, "七八九789"):
			return PairingJunior
		case strings.HasPrefix(g, "高"):
			return PairingSenior
		case strings.HasPrefix(g, "小"), strings.ContainsAny(g, "一二三四五六123456"):
			return PairingPrimary
		}
	}
	age := AgeOn(birthDate, now)
	switch {
	case age >= 0 && age < 12:
		return PairingPrimary
	case schoolStage == StageCompulsory || age < 15:
		return PairingJunior
	}
	return PairingSenior
}
