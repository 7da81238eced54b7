package model

import (
	"strings"
	"testing"
)

func dupInput(held ...HeldBenefit) DuplicateInput {
	return DuplicateInput{ApplicationID: "A", Program: ProgramDibao, HouseholdID: "H1", RegionCode: "330502001001",
		Excludes: []ProgramCode{ProgramTekun}, Held: held}
}

func TestExcludedPairRule(t *testing.T) {
	got := ExcludedPairRule(dupInput(
		HeldBenefit{ApplicationID: "B", Number: "TK-1", Program: ProgramTekun, HouseholdID: "H1", RegionCode: "330502001001"},
		HeldBenefit{ApplicationID: "C", Number: "ED-1", Program: ProgramEducation, HouseholdID: "H1", RegionCode: "330502001001"},
	))
	if len(got) != 1 || got[0].Kind != HitExcludedPair || got[0].OtherApplicationID != "B" || got[0].Detail == "" {
		t.Fatalf("got %+v", got)
	}
	if got := ExcludedPairRule(dupInput(HeldBenefit{ApplicationID: "C", Program: ProgramEducation, HouseholdID: "H1"})); len(got) != 0 {
		t.Fatalf("education does not exclude dibao: %+v", got)
	}
}

func TestSamePersonRule(t *testing.T) {
	got := SamePersonRule(dupInput(
		HeldBenefit{ApplicationID: "B", Number: "DB-1", Program: ProgramDibao, HouseholdID: "H2", RegionCode: "330521001001"},
		HeldBenefit{ApplicationID: "C", Number: "DB-2", Program: ProgramDibao, HouseholdID: "H1", RegionCode: "330502001001"},
		HeldBenefit{ApplicationID: "D", Number: "TK-1", Program: ProgramTekun, HouseholdID: "H3", RegionCode: "330502001001"},
	))
	if len(got) != 1 || got[0].Kind != HitSamePerson || got[0].OtherApplicationID != "B" {
		t.Fatalf("got %+v", got)
	}
	if want := "另一地区（330521001001）"; !strings.Contains(got[0].Detail, want) {
		t.Fatalf("detail %q does not name the other region", got[0].Detail)
	}
}

func TestRunDuplicateRules(t *testing.T) {
	got := RunDuplicateRules(dupInput(
		HeldBenefit{ApplicationID: "B", Program: ProgramTekun, HouseholdID: "H1"},
		HeldBenefit{ApplicationID: "C", Program: ProgramDibao, HouseholdID: "H2"},
	))
	if len(got) != 2 || got[0].Kind != HitExcludedPair || got[1].Kind != HitSamePerson {
		t.Fatalf("got %+v", got)
	}
	if HitKey("A", HitSamePerson, nil) != "A|same_person|" {
		t.Fatal("hit key")
	}
}

func TestIncomeCheckRule(t *testing.T) {
	in := dupInput()
	in.Checks = []CheckResult{
		{Source: SourceHumanResources, Status: CheckMismatch, Detail: "有工资记录"},
		{Source: SourceRealEstate, Status: CheckMismatch, Detail: "有房"},
		{Source: SourceHousingFund, Status: CheckUnavailable},
	}
	got := IncomeCheckRule(in)
	if len(got) != 1 || got[0].Kind != HitIncomeCheck || got[0].OtherApplicationID != "" || !strings.Contains(got[0].Detail, "有工资记录") {
		t.Fatalf("got %+v", got)
	}
	in.Checks = []CheckResult{{Source: SourceHumanResources, Status: CheckMatch}, {Source: SourceHousingFund, Status: CheckUnavailable}}
	if got := IncomeCheckRule(in); len(got) != 0 {
		t.Fatalf("a match or an unavailable source is no finding: %+v", got)
	}
}
