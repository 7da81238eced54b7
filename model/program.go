package model

import (
	"encoding/json"
	"strings"
)

// Document kinds a resident can upload as proof.
const (
	DocIDCard            = "id_card"            // 身份证
	DocHukouBook         = "hukou_book"         // 户口本
	DocIncomeProof       = "income_proof"       // 收入证明
	DocWorkAbilityProof  = "work_ability_proof" // 劳动能力鉴定或残疾证
	DocMedicalBills      = "medical_bills"      // 医疗费用票据
	DocEnrolmentProof    = "enrolment_proof"    // 在学证明
	DocHousingProof      = "housing_proof"      // 住房情况证明
	DocUnemploymentProof = "unemployment_proof" // 失业登记证明
	DocHardshipProof     = "hardship_proof"     // 困难情况说明
	// DocConsent is the applicant's signed consent to the checks of the
	// household's economic situation with other departments (核对授权书):
	// required where checks run, and checks refuse to run without one.
	DocConsent = "consent"
	DocOther   = "other" // 其他材料
)

// DocumentKind is one kind of proof document with its display name.
type DocumentKind struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// DocumentKinds lists every kind a document may have, in display order.
var DocumentKinds = []DocumentKind{
	{DocIDCard, "身份证"},
	{DocHukouBook, "户口本"},
	{DocIncomeProof, "收入证明"},
	{DocWorkAbilityProof, "劳动能力鉴定或残疾证"},
	{DocMedicalBills, "医疗费用票据"},
	{DocEnrolmentProof, "在学证明"},
	{DocHousingProof, "住房情况证明"},
	{DocUnemploymentProof, "失业登记证明"},
	{DocHardshipProof, "困难情况说明"},
	{DocConsent, "家庭经济状况核对授权书"},
	{DocOther, "其他材料"},
}

// IsDocumentKind reports whether kind is one of DocumentKinds.
func IsDocumentKind(kind string) bool {
	_, ok := documentKindName(kind)
	return ok
}

func documentKindName(kind string) (string, bool) {
	for _, k := range DocumentKinds {
		if k.Kind == kind {
			return k.Name, true
		}
	}
	return "", false
}

// ProgramCode names an assistance program.
type ProgramCode string

// Program codes (PRODUCT.md).
const (
	ProgramDibao      ProgramCode = "dibao"
	ProgramTekun      ProgramCode = "tekun"
	ProgramMedical    ProgramCode = "medical"
	ProgramEducation  ProgramCode = "education"
	ProgramHousing    ProgramCode = "housing"
	ProgramEmployment ProgramCode = "employment"
	ProgramTemporary  ProgramCode = "temporary"
)

// Program is one assistance program of the catalog: its code, name,
// number prefix, the documents an application must carry and its Policy
// (the program's own rules, in program_<code>.go).
type Program struct {
	Code ProgramCode `json:"code"`
	Name string      `json:"name"`
	// NumberPrefix starts the program's application numbers
	// (DB-330502-2026-000123).
	NumberPrefix      string         `json:"number_prefix"`
	RequiredDocuments []DocumentKind `json:"required_documents"`
	Policy            Policy         `json:"-"`
}

// BenefitKind is what an approval of the program gives.
func (p Program) BenefitKind() BenefitKind { return p.Policy.Kind() }

func kinds(ks ...string) []DocumentKind {
	out := make([]DocumentKind, 0, len(ks))
	for _, k := range ks {
		name, _ := documentKindName(k)
		out = append(out, DocumentKind{Kind: k, Name: name})
	}
	return out
}

// Programs is the catalog: the seven programs of the 2003 notice with the
// documents an application must carry before it can be submitted. The
// means-tested programs, whose household's economy is checked with other
// departments, require the consent to those checks (DocConsent).
var Programs = []Program{
	{ProgramDibao, "最低生活保障", "DB", kinds(DocIDCard, DocHukouBook, DocIncomeProof, DocConsent), dibao{}},
	{ProgramTekun, "特困人员供养（农村五保、城镇三无）", "TK", kinds(DocIDCard, DocHukouBook, DocIncomeProof, DocWorkAbilityProof, DocConsent), tekun{}},
	{ProgramMedical, "医疗救助", "YL", kinds(DocIDCard, DocHukouBook, DocIncomeProof, DocMedicalBills, DocConsent), medical{}},
	{ProgramEducation, "教育救助（教育券）", "JY", kinds(DocIDCard, DocHukouBook, DocIncomeProof, DocEnrolmentProof, DocConsent), education{}},
	{ProgramHousing, "住房救助（廉租住房）", "ZF", kinds(DocIDCard, DocHukouBook, DocIncomeProof, DocHousingProof, DocConsent), housing{}},
	{ProgramEmployment, "就业援助", "JC", kinds(DocIDCard, DocHukouBook, DocUnemploymentProof), employment{}},
	{ProgramTemporary, "临时救助", "LS", kinds(DocIDCard, DocHardshipProof), temporary{}},
}

// ProgramsBringing lists the programs whose eligible approval brings
// derived, and derived itself (e.g. education vouchers: dibao, tekun and
// education).
func ProgramsBringing(derived ProgramCode) []ProgramCode {
	var out []ProgramCode
	for _, p := range Programs {
		if p.Code == derived {
			out = append(out, p.Code)
			continue
		}
		for _, d := range p.Policy.Derived() {
			if d == derived {
				out = append(out, p.Code)
			}
		}
	}
	return out
}

// ProgramOf returns the catalog entry of code.
func ProgramOf(code ProgramCode) (Program, bool) {
	for _, p := range Programs {
		if p.Code == code {
			return p, true
		}
	}
	return Program{}, false
}

// MissingDocuments returns the required documents of p whose kinds are not
// among present, with their names for the person who must bring them.
func (p Program) MissingDocuments(present map[string]bool) []DocumentKind {
	var missing []DocumentKind
	for _, d := range p.RequiredDocuments {
		if !present[d.Kind] {
			missing = append(missing, d)
		}
	}
	return missing
}

// DocumentNames joins the names of docs for a sentence: 身份证、户口簿.
func DocumentNames(docs []DocumentKind) string {
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Name
	}
	return strings.Join(names, "、")
}

// MarshalJSON adds what the policy says of the program to the catalog
// entry: its benefit kind and the programs it excludes.
func (p Program) MarshalJSON() ([]byte, error) {
	excludes := p.Policy.Excludes()
	if excludes == nil {
		excludes = []ProgramCode{}
	}
	return json.Marshal(struct {
		Code              ProgramCode    `json:"code"`
		Name              string         `json:"name"`
		NumberPrefix      string         `json:"number_prefix"`
		RequiredDocuments []DocumentKind `json:"required_documents"`
		BenefitKind       BenefitKind    `json:"benefit_kind"`
		Excludes          []ProgramCode  `json:"excludes"`
	}{p.Code, p.Name, p.NumberPrefix, p.RequiredDocuments, p.Policy.Kind(), excludes})
}
