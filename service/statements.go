package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// Statements are the money views after redemption: a school's statement of
// the vouchers it redeemed, the education officer's reimbursement sheet of
// every school in region, and the county's medical contribution list.
type Statements struct {
	d     Deps
	audit *Audit
}

// NewStatements builds the statements service.
func NewStatements(d Deps, audit *Audit) *Statements {
	return &Statements{d: d, audit: audit}
}

// StatementItem is one redemption on a school's statement.
type StatementItem struct {
	Code       string           `json:"code"`
	RedeemedAt time.Time        `json:"redeemed_at"`
	Items      map[string]int64 `json:"items"`
	Total      int64            `json:"total"`
}

// SchoolStatement is a school's redemptions of one term with the total to
// be reimbursed.
type SchoolStatement struct {
	Term       string          `json:"term"`
	SchoolID   string          `json:"school_id"`
	SchoolName string          `json:"school_name"`
	Items      []StatementItem `json:"items"`
	Total      int64           `json:"total"`
}

// termOrCurrent validates a term name, defaulting to the current term.
func (s *Statements) termOrCurrent(term string) (string, error) {
	if term == "" {
		return model.TermOf(s.d.Clock.Now()), nil
	}
	if _, _, ok := model.TermBounds(term); !ok {
		return "", model.Invalid("term", "must name a term such as 2026-autumn or 2027-spring")
	}
	return term, nil
}

// School returns the statement of the school operator's own school for a
// term (the current one when empty). Errors: 422 for a malformed term; 403
// for a caller not bound to a school.
func (s *Statements) School(ctx context.Context, term string) (SchoolStatement, error) {
	p, _ := model.PrincipalFrom(ctx)
	if !p.IsStaff() || !model.Can(p.Role, model.ActSchoolStatementsRead) || p.SchoolID == nil {
		return SchoolStatement{}, errNotSchool
	}
	term, err := s.termOrCurrent(term)
	if err != nil {
		return SchoolStatement{}, err
	}
	school, err := s.d.DB.School(ctx, *p.SchoolID)
	if err != nil {
		return SchoolStatement{}, fmt.Errorf("statement school: %w", err)
	}
	lines, err := s.d.DB.StatementLines(ctx, term, school.ID, "")
	if err != nil {
		return SchoolStatement{}, err
	}
	st := SchoolStatement{Term: term, SchoolID: school.ID, SchoolName: school.Name, Items: make([]StatementItem, 0, len(lines))}
	for _, l := range lines {
		st.Items = append(st.Items, StatementItem{Code: l.Code, RedeemedAt: l.RedeemedAt, Items: model.Redemption{Items: l.Items}.ItemAmounts(), Total: l.Total})
		st.Total += l.Total
	}
	return st, nil
}

// SchoolTotal is one school's line on the reimbursement sheet.
type SchoolTotal struct {
	SchoolID   string           `json:"school_id"`
	SchoolName string           `json:"school_name"`
	Count      int              `json:"count"`
	Items      map[string]int64 `json:"items"`
	Total      int64            `json:"total"`
}

// RegionStatement is the reimbursement sheet of every school in a region
// subtree for one term.
type RegionStatement struct {
	Term       string        `json:"term"`
	RegionCode string        `json:"region_code"`
	Schools    []SchoolTotal `json:"schools"`
	Count      int           `json:"count"`
	Total      int64         `json:"total"`
}

// Region returns the reimbursement sheet of every school in the caller's
// region subtree for a term (the current one when empty): per school the
// number of redemptions, the sum per fee item and the total. Errors: 422
// for a malformed term.
func (s *Statements) Region(ctx context.Context, term string) (RegionStatement, error) {
	p, _ := model.PrincipalFrom(ctx)
	term, err := s.termOrCurrent(term)
	if err != nil {
		return RegionStatement{}, err
	}
	lines, err := s.d.DB.StatementLines(ctx, term, "", model.RegionPrefix(p.RegionCode))
	if err != nil {
		return RegionStatement{}, err
	}
	st := RegionStatement{Term: term, RegionCode: p.RegionCode, Schools: []SchoolTotal{}}
	for _, l := range lines {
		if n := len(st.Schools); n == 0 || st.Schools[n-1].SchoolID != l.SchoolID {
			st.Schools = append(st.Schools, SchoolTotal{SchoolID: l.SchoolID, SchoolName: l.SchoolName, Items: map[string]int64{}})
		}
		sc := &st.Schools[len(st.Schools)-1]
		for item, amount := range (model.Redemption{Items: l.Items}).ItemAmounts() {
			sc.Items[item] += amount
		}
		sc.Count++
		sc.Total += l.Total
		st.Count++
		st.Total += l.Total
	}
	return st, nil
}

// Medical contribution bases: why the county pays a member's contribution.
const (
	BasisDibao      = "dibao"
	BasisTekun      = "tekun"
	BasisDisability = "disability" // 特困残疾人
)

// MedicalEntry is one person on the medical contribution list.
type MedicalEntry struct {
	MemberID   string   `json:"member_id"`
	NameMasked string   `json:"name_masked"`
	IDMasked   string   `json:"id_masked"`
	Name       string   `json:"name,omitempty"`
	IDNumber   string   `json:"id_number,omitempty"`
	RegionCode string   `json:"region_code"`
	Basis      []string `json:"basis"`
	// Contribution is the individual coop-medical contribution the county
	// pays for the person (policy figures of the county and year), fen.
	Contribution int64 `json:"contribution"`
}

// MedicalList is a county's coop-medical contribution list for a year.
type MedicalList struct {
	RegionCode string         `json:"region_code"`
	Year       int            `json:"year"`
	Items      []MedicalEntry `json:"items"`
	Count      int            `json:"count"`
	Total      int64          `json:"total"`
}

// MedicalListInput selects a medical list; Reveal asks for full names and
// ID numbers (audited).
type MedicalListInput struct {
	RegionCode string
	Year       string
	Reveal     bool
}

// MedicalList returns, for a county (or any region in the caller's
// subtree) and year, the rows of the county's finance office: every rural
// (新农合) member of a household with an eligible dibao or tekun approval
// before the end of that year, and every rural member with a registered
// disability in a household with any eligible approval (特困残疾人) — the
// people whose coop-medical contribution the county pays — each with the
// contribution of the county's policy figures for the year, and the total.
// A county whose contribution is zero lists nobody.
// Names and ID numbers are masked unless Reveal, which is audited. Errors:
// 422 for a malformed year or region; 404 for a region outside the
// caller's.
func (s *Statements) MedicalList(ctx context.Context, in MedicalListInput) (MedicalList, error) {
	p, _ := model.PrincipalFrom(ctx)
	year, err := strconv.Atoi(in.Year)
	if in.Year == "" {
		year, err = s.d.Clock.Now().Year(), nil
	}
	if err != nil || year < 2000 || year > 2200 {
		return MedicalList{}, model.Invalid("year", "must be a year such as 2026")
	}
	region := in.RegionCode
	if region == "" {
		region = p.RegionCode
	}
	if model.LevelOfCode(region) == "" {
		return MedicalList{}, model.Invalid("region_code", "not a region code")
	}
	if !model.InRegion(p.RegionCode, region) {
		return MedicalList{}, model.NotFound("region")
	}
	if _, err := s.d.DB.Region(ctx, region); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return MedicalList{}, model.NotFound("region")
		}
		return MedicalList{}, err
	}
	yearEnd := time.Date(year+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	approved, err := s.d.DB.ApprovedHouseholds(ctx, model.RegionPrefix(region), yearEnd)
	if err != nil {
		return MedicalList{}, err
	}
	programs := map[string]map[string]bool{}
	var ids []string
	for _, a := range approved {
		if programs[a.HouseholdID] == nil {
			programs[a.HouseholdID] = map[string]bool{}
			ids = append(ids, a.HouseholdID)
		}
		programs[a.HouseholdID][a.Program] = true
	}
	members, err := s.d.DB.MembersOfHouseholds(ctx, ids)
	if err != nil {
		return MedicalList{}, err
	}
	list := MedicalList{RegionCode: region, Year: year, Items: []MedicalEntry{}}
	figures := map[string]model.Figures{}
	for _, m := range members {
		// The coop-medical scheme (新农合) covers the rural population; an
		// urban member is not on the county's contribution list.
		if m.Hukou != model.HukouRural {
			continue
		}
		county := countyOf(m.RegionCode)
		f, ok := figures[county]
		if !ok {
			if f, err = loadFigures(ctx, s.d.DB, county, year); err != nil {
				return MedicalList{}, err
			}
			figures[county] = f
		}
		if f.MedicalContribution == 0 {
			continue
		}
		var basis []string
		for _, b := range []string{BasisDibao, BasisTekun} {
			if programs[m.HouseholdID][b] {
				basis = append(basis, b)
			}
		}
		if m.HasDisability {
			basis = append(basis, BasisDisability)
		}
		if len(basis) == 0 {
			continue
		}
		sort.Strings(basis)
		e := MedicalEntry{MemberID: m.ID, NameMasked: m.NameMasked, IDMasked: m.IDMasked, RegionCode: m.RegionCode, Basis: basis,
			Contribution: f.MedicalContribution}
		list.Total += e.Contribution
		if in.Reveal {
			if e.Name, err = s.d.Keys.Open(m.NameSealed); err != nil {
				return MedicalList{}, fmt.Errorf("open member name: %w", err)
			}
			if e.IDNumber, err = s.d.Keys.Open(m.IDSealed); err != nil {
				return MedicalList{}, fmt.Errorf("open member id number: %w", err)
			}
		}
		list.Items = append(list.Items, e)
	}
	list.Count = len(list.Items)
	if in.Reveal {
		if err := s.audit.RecordAlone(ctx, Event{Action: string(model.ActMedicalListRead), TargetType: "medical_list", TargetID: region + ":" + strconv.Itoa(year),
			RegionCode: region, Detail: "full names and ID numbers of " + strconv.Itoa(list.Count) + " people"}); err != nil {
			return MedicalList{}, err
		}
	}
	return list, nil
}

// SchoolExport is School for the Excel file; every export is on the audit
// trail.
func (s *Statements) SchoolExport(ctx context.Context, term string) (SchoolStatement, error) {
	st, err := s.School(ctx, term)
	if err != nil {
		return st, err
	}
	return st, s.recordExport(ctx, "school_statement", st.SchoolID+":"+st.Term)
}

// RegionExport is Region for the reimbursement sheet; every export is on
// the audit trail.
func (s *Statements) RegionExport(ctx context.Context, term string) (RegionStatement, error) {
	st, err := s.Region(ctx, term)
	if err != nil {
		return st, err
	}
	return st, s.recordExport(ctx, "region_statement", st.RegionCode+":"+st.Term)
}

func (s *Statements) recordExport(ctx context.Context, targetType, targetID string) error {
	if err := s.audit.RecordAlone(ctx, Event{Action: "statements.export", TargetType: targetType, TargetID: targetID}); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	return nil
}
