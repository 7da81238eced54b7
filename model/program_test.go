package model

import "testing"

func TestProgramCatalog(t *testing.T) {
	t.Parallel()
	if len(Programs) != 7 {
		t.Fatalf("%d programs, want the seven of PRODUCT.md", len(Programs))
	}
	prefixes := map[string]bool{}
	for _, p := range Programs {
		if prefixes[p.NumberPrefix] {
			t.Errorf("number prefix %s used twice", p.NumberPrefix)
		}
		prefixes[p.NumberPrefix] = true
		if len(p.RequiredDocuments) == 0 {
			t.Errorf("%s requires no documents", p.Code)
		}
		for _, d := range p.RequiredDocuments {
			if !IsDocumentKind(d.Kind) || d.Name == "" {
				t.Errorf("%s: unknown kind %+v", p.Code, d)
			}
		}
	}
	dibao, _ := ProgramOf(ProgramDibao)
	missing := dibao.MissingDocuments(map[string]bool{DocIDCard: true})
	if len(missing) != 3 || missing[0].Kind != DocHukouBook || missing[1].Kind != DocIncomeProof || DocumentNames(missing) != "户口本、收入证明、家庭经济状况核对授权书" {
		t.Fatalf("missing %v", missing)
	}
	edu, _ := ProgramOf(ProgramEducation)
	if len(edu.MissingDocuments(map[string]bool{DocIDCard: true, DocHukouBook: true, DocIncomeProof: true, DocConsent: true})) != 1 {
		t.Fatal("education must also require the enrolment proof")
	}
	if _, ok := ProgramOf("lottery"); ok {
		t.Fatal("unknown program found")
	}
}

func TestDocumentKinds(t *testing.T) {
	t.Parallel()
	if !IsDocumentKind(DocOther) || IsDocumentKind("selfie") {
		t.Fatal("document kinds")
	}
}
