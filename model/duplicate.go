package model

import (
	"fmt"
	"time"
)

// Duplicate-hit kinds (多头) and statuses.
const (
	HitExcludedPair = "excluded_pair"       // a person would hold two programs that exclude each other
	HitSamePerson   = "same_person"         // a person is covered by the same program in another household or region
	HitIncomeCheck  = "income_contradicted" // the declared income is contradicted by a cross-department check
	HitOpen         = "open"
	HitOverridden   = "overridden"
	HitResolved     = "resolved"

	ResolutionOverride  = "override"  // the county keeps both benefits, with a reason
	ResolutionCorrected = "corrected" // the case or the other benefit was corrected
)

// DuplicateHit is a finding that a benefit may be paid twice; while open it
// blocks the approval of its case.
type DuplicateHit struct {
	ID                 string     `json:"id"`
	Kind               string     `json:"kind"`
	ApplicationID      string     `json:"application_id"`
	OtherApplicationID *string    `json:"other_application_id"`
	RegionCode         string     `json:"region_code"`
	Detail             string     `json:"detail"`
	Status             string     `json:"status"`
	Resolution         *string    `json:"resolution"`
	ResolutionReason   *string    `json:"resolution_reason"`
	ResolvedBy         *string    `json:"-"`
	ResolvedAt         *time.Time `json:"resolved_at"`
	CreatedAt          time.Time  `json:"created_at"`
	// OpenKey is unique among open hits (case, kind, other case) and NULL
	// once the hit is resolved.
	OpenKey *string `json:"-"`
}

// TableName is the duplicate hits table.
func (DuplicateHit) TableName() string { return "duplicate_hits" }

// HitKey is the identity of a finding: its case, kind and other case.
func HitKey(applicationID, kind string, other *string) string {
	o := ""
	if other != nil {
		o = *other
	}
	return applicationID + "|" + kind + "|" + o
}

// HeldBenefit is an active benefit (approved or suspended) covering a
// person of the household a rule looks at: by the person's membership now,
// or by the persons recorded when it was approved.
type HeldBenefit struct {
	ApplicationID string
	Number        string
	Program       ProgramCode
	HouseholdID   string
	RegionCode    string
}

// DuplicateInput is what the duplicate rules look at for one case.
type DuplicateInput struct {
	ApplicationID string
	Program       ProgramCode
	HouseholdID   string
	RegionCode    string
	Excludes      []ProgramCode // the programs the case's program excludes (Policy.Excludes)
	Held          []HeldBenefit // active benefits covering a person of the case's household, other than the case
	Checks        []CheckResult // the latest result of each source checked for the case (核对)
}

// Finding is one rule's result: a possible double payment. OtherApplicationID
// is empty when the finding is about the case alone.
type Finding struct {
	Kind               string
	OtherApplicationID string
	Detail             string
}

// DuplicateRule is one rule of the duplicate check (多头).
type DuplicateRule func(DuplicateInput) []Finding

// DuplicateRules are the rules run on approve and in the nightly scan.
func DuplicateRules() []DuplicateRule {
	return []DuplicateRule{ExcludedPairRule, SamePersonRule, IncomeCheckRule}
}

// ExcludedPairRule: a person of the household holds a program the case's
// program excludes (e.g. 低保 and 特困).
func ExcludedPairRule(in DuplicateInput) []Finding {
	var out []Finding
	mine, _ := ProgramOf(in.Program)
	for _, h := range in.Held {
		for _, ex := range in.Excludes {
			if h.Program != ex {
				continue
			}
			other, _ := ProgramOf(h.Program)
			out = append(out, Finding{Kind: HitExcludedPair, OtherApplicationID: h.ApplicationID,
				Detail: fmt.Sprintf("本案家庭成员已享受%s（%s），与%s不能同时享受", other.Name, h.Number, mine.Name)})
		}
	}
	return out
}

// SamePersonRule: a person of the household is already covered by the
// same program through another household (possibly in another region).
func SamePersonRule(in DuplicateInput) []Finding {
	var out []Finding
	mine, _ := ProgramOf(in.Program)
	for _, h := range in.Held {
		if h.Program != in.Program || h.HouseholdID == in.HouseholdID {
			continue
		}
		where := "另一户家庭"
		if h.RegionCode != in.RegionCode {
			where = "另一地区（" + h.RegionCode + "）的家庭"
		}
		out = append(out, Finding{Kind: HitSamePerson, OtherApplicationID: h.ApplicationID,
			Detail: fmt.Sprintf("本案家庭成员已作为%s成员享受%s（%s），不能重复享受", where, mine.Name, h.Number)})
	}
	return out
}

// incomeSources are the check sources whose records show income.
var incomeSources = map[string]string{SourceHumanResources: "人社", SourceHousingFund: "公积金"}

// IncomeCheckRule: the latest check of a source that shows income
// (human resources, housing fund) contradicts the declaration. An
// unavailable source is no finding either way (and never a match).
func IncomeCheckRule(in DuplicateInput) []Finding {
	var out []Finding
	for _, c := range in.Checks {
		if name, ok := incomeSources[c.Source]; ok && c.Status == CheckMismatch {
			out = append(out, Finding{Kind: HitIncomeCheck, Detail: "申报收入与" + name + "核对结果不一致：" + c.Detail})
		}
	}
	return out
}

// RunDuplicateRules runs every rule over in.
func RunDuplicateRules(in DuplicateInput) []Finding {
	var out []Finding
	for _, r := range DuplicateRules() {
		out = append(out, r(in)...)
	}
	return out
}
