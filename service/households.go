package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Households registers and shows a resident's household. Names, ID
// numbers, the address and disability details are sealed at rest; ID
// numbers are also kept as blind indexes so one ID number belongs to one
// household. Views show masked values only.
type Households struct {
	d     HouseholdsDeps
	audit *Audit
	// apps records the timeline entry and message of a change report.
	apps *Applications
}

// HouseholdInput is the body of PUT /me/household.
type HouseholdInput struct {
	RegionCode string        `json:"region_code"`
	Address    string        `json:"address"`
	Hukou      string        `json:"hukou"`
	Members    []MemberInput `json:"members"`
	// BankAccount is where payments go; absent keeps the one stored.
	BankAccount *BankAccount `json:"bank_account,omitempty"`
}

// BankAccount is the household's bank account: in a save the full number;
// in a view the number masked ("**** 1234").
type BankAccount struct {
	Bank          string `json:"bank"`
	AccountNumber string `json:"account_number"`
}

// MemberInput is one member in HouseholdInput. ID names a member already
// stored; its name and ID number may then be left empty or sent back
// masked as GET showed them, to keep the stored values.
type MemberInput struct {
	ID              string          `json:"id,omitempty"`
	Name            string          `json:"name"`
	IDNumber        string          `json:"id_number"`
	Relation        string          `json:"relation"`
	MonthlyIncome   int64           `json:"monthly_income"`
	Incomes         []model.Income  `json:"incomes,omitempty"`
	WorkAbility     *string         `json:"work_ability,omitempty"`
	DisabilityLevel json.RawMessage `json:"disability_level,omitempty"`
	School          *SchoolInput    `json:"school,omitempty"`
}

// SchoolInput is a member's school enrolment.
type SchoolInput struct {
	SchoolID string `json:"school_id"`
	Stage    string `json:"stage"`
	Grade    string `json:"grade"`
}

// HouseholdView is the household as its resident sees it: the members'
// names in full (the resident typed them), ID numbers, the address and the
// bank account masked.
type HouseholdView struct {
	ID         string       `json:"id"`
	RegionCode string       `json:"region_code"`
	Address    string       `json:"address"`
	Hukou      string       `json:"hukou"`
	Members    []MemberView `json:"members"`
	// BankAccount is masked; staff see the number only through the audited
	// reveal.
	BankAccount *BankAccount `json:"bank_account,omitempty"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// MemberView is a member as the resident sees it: the name in full, the
// ID number masked. AsksWorkAbility says whether the form asks the
// member's work ability (model.AsksWorkAbility: not for a child under
// model.WorkingAge).
type MemberView struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	IDNumber      string         `json:"id_number"`
	BirthDate     string         `json:"birth_date"`
	Sex           string         `json:"sex"`
	Relation      string         `json:"relation"`
	MonthlyIncome int64          `json:"monthly_income"`
	Incomes       []model.Income `json:"incomes"`
	WorkAbility   *string        `json:"work_ability"`
	HasDisability bool           `json:"has_disability"`
	School        *SchoolInput   `json:"school"`
	// AsksWorkAbility is false for a child below the working age.
	AsksWorkAbility bool `json:"asks_work_ability"`
}

// Household saves allowed per resident and per client address: enough for
// a family filling the form in, not for trying ID numbers.
var (
	householdSaveLimit   = storage.Limit{Rate: 60, Period: time.Hour, Burst: 30}
	householdSaveIPLimit = storage.Limit{Rate: 1000, Period: time.Hour, Burst: 200}
)

// Limits of a household registration.
const (
	maxMembers      = 20
	maxNameRunes    = 32
	maxAddressRunes = 200
)

// statusesLockingHousehold are the statuses in which staff are reviewing
// the household's data, so the resident may not change it.
var statusesLockingHousehold = []model.Status{model.StatusSubmitted, model.StatusAccepted, model.StatusInvestigating, model.StatusPublicizing}

// Get returns the resident's household (model.KindNotFound before the first
// PUT).
func (h *Households) Get(ctx context.Context) (HouseholdView, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return HouseholdView{}, err
	}
	hh, err := h.d.DB.HouseholdOfResident(ctx, p.ID)
	if errors.Is(err, model.ErrNotFound) {
		return HouseholdView{}, model.NotFound("household")
	}
	if err != nil {
		return HouseholdView{}, err
	}
	members, err := h.d.DB.Members(ctx, hh.ID)
	if err != nil {
		return HouseholdView{}, err
	}
	return h.view(hh, members)
}

// view is the household as its resident sees it (HouseholdView).
func (h *Households) view(hh model.Household, members []model.Member) (HouseholdView, error) {
	now := h.d.Clock.Now()
	addr, err := h.d.Keys.Open(hh.AddressSealed)
	if err != nil {
		return HouseholdView{}, fmt.Errorf("open address: %w", err)
	}
	v := HouseholdView{ID: hh.ID, RegionCode: hh.RegionCode, Address: MaskAddress(addr), Hukou: hh.Hukou, UpdatedAt: hh.UpdatedAt, Members: []MemberView{},
		BankAccount: maskedBankAccount(hh)}
	for _, m := range members {
		incomes, err := model.ParseIncomes(m.Incomes)
		if err != nil {
			return HouseholdView{}, err
		}
		if incomes == nil {
			incomes = []model.Income{}
		}
		name, err := h.d.Keys.Open(m.NameSealed)
		if err != nil {
			return HouseholdView{}, fmt.Errorf("open name: %w", err)
		}
		mv := MemberView{ID: m.ID, Name: name, IDNumber: m.IDMasked, BirthDate: m.BirthDate, Sex: m.Sex,
			Relation: m.Relation, MonthlyIncome: m.MonthlyIncome, Incomes: incomes, WorkAbility: m.WorkAbility, HasDisability: m.HasDisability,
			AsksWorkAbility: model.AsksWorkAbility(m.BirthDate, now)}
		if m.SchoolID != nil {
			mv.School = &SchoolInput{SchoolID: *m.SchoolID, Stage: deref(m.SchoolStage), Grade: deref(m.SchoolGrade)}
		}
		v.Members = append(v.Members, mv)
	}
	return v, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// MaskAddress shows the first six characters of an address (the district
// at most) and stars for the rest.
func MaskAddress(addr string) string {
	r := []rune(addr)
	keep := min(6, len(r)/2)
	return string(r[:keep]) + strings.Repeat("*", min(len(r)-keep, 8))
}

// Put registers or replaces the resident's household and returns it. It
// returns a model.KindInvalid error naming the first bad field (an ID
// number failing GB 11643 among them), "household_locked" while an
// application is being reviewed, and model.KindRateLimited past a few saves
// a minute per resident and per address. An ID number another household
// already claims is saved like any other (the answer says nothing of
// anyone else's registration): a claim is provisional until staff accept a
// case on the ID card's evidence, the community worker sees the rival
// claims, and the verified claim wins (storage.VerifyClaims).
func (h *Households) Put(ctx context.Context, in HouseholdInput) (HouseholdView, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return HouseholdView{}, err
	}
	if err := allow(ctx, h.d.Limiter, "household:resident:"+p.ID, householdSaveLimit); err != nil {
		return HouseholdView{}, err
	}
	if err := allow(ctx, h.d.Limiter, "household:ip:"+model.RequestMetaFrom(ctx).ClientIP, householdSaveIPLimit); err != nil {
		return HouseholdView{}, err
	}
	return h.save(ctx, model.Principal{ID: p.ID}, in)
}

// save registers or updates the household of resident p.ID (the resident's
// own Put, or a community worker's assisted application): the one
// validation and storage of a household. The audit row names whoever is in
// ctx.
func (h *Households) save(ctx context.Context, p model.Principal, in HouseholdInput) (HouseholdView, error) {
	if err := h.validateHead(ctx, in); err != nil {
		return HouseholdView{}, err
	}
	now := h.d.Clock.Now()
	var view HouseholdView
	err := h.d.DB.InTx(ctx, func(ctx context.Context) error {
		// Locked, so a concurrent save of this household (a double tap)
		// waits and then updates what this one wrote.
		hh, err := h.d.DB.LockHouseholdOfResident(ctx, p.ID)
		create := errors.Is(err, model.ErrNotFound)
		if err != nil && !create {
			return err
		}
		stored := map[string]model.Member{}
		if create {
			hh = model.Household{ID: h.d.IDs.New(), ResidentID: p.ID, CreatedAt: now}
		} else {
			n, err := h.d.DB.CountApplicationsOfHousehold(ctx, hh.ID, statusesLockingHousehold)
			if err != nil {
				return err
			}
			if n > 0 {
				return model.Conflict("household_locked", "the household cannot change while an application is being reviewed")
			}
			ms, err := h.d.DB.Members(ctx, hh.ID)
			if err != nil {
				return err
			}
			for _, m := range ms {
				stored[m.ID] = m
			}
		}
		before := hh
		addr := strings.TrimSpace(in.Address)
		if strings.Contains(addr, "*") && !create {
			old, err := h.d.Keys.Open(hh.AddressSealed)
			if err != nil {
				return fmt.Errorf("open address: %w", err)
			}
			if addr != MaskAddress(old) {
				return model.Invalid("address", "请填写完整的家庭住址")
			}
			addr = old
		}
		if hh.AddressSealed, err = h.d.Keys.Seal(addr); err != nil {
			return fmt.Errorf("seal address: %w", err)
		}
		hh.RegionCode, hh.Hukou, hh.UpdatedAt = in.RegionCode, in.Hukou, now
		if err := h.setBankAccount(&hh, in.BankAccount); err != nil {
			return err
		}
		members, err := h.members(ctx, in.Members, stored, now)
		if err != nil {
			return aboutMember(err, in.Members)
		}
		if err := h.d.DB.SaveHousehold(ctx, &hh, create, members); err != nil {
			switch model.KindOf(err) {
			case model.KindInvalid:
				return model.Conflict("member_in_use", "a member who holds vouchers or other records cannot be removed").Wrap(err)
			}
			return err
		}
		if err := h.audit.Record(ctx, Event{Action: "household.save", TargetType: "household", TargetID: hh.ID, RegionCode: hh.RegionCode,
			Detail: "members=" + strconv.Itoa(len(members))}); err != nil {
			return err
		}
		if !create {
			changes, err := h.householdChanges(ctx, before, stored, hh, members)
			if err != nil {
				return err
			}
			if err := h.reportChanges(ctx, hh, p.ID, changes, now); err != nil {
				return err
			}
		}
		view, err = h.view(hh, members)
		return err
	})
	return view, err
}

// validateHead checks the household fields other than the members.
func (h *Households) validateHead(ctx context.Context, in HouseholdInput) error {
	if model.LevelOfCode(in.RegionCode) != model.LevelCommunity {
		return model.Invalid("region_code", "请选择所在的社区")
	}
	if _, err := h.d.DB.Region(ctx, in.RegionCode); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("region_code", "没有这个社区，请重新选择")
		}
		return err
	}
	addr := strings.TrimSpace(in.Address)
	if addr == "" || utf8.RuneCountInString(addr) > maxAddressRunes {
		return model.Invalid("address", "请填写家庭住址（不超过 200 个字）")
	}
	if in.Hukou != model.HukouUrban && in.Hukou != model.HukouRural {
		return model.Invalid("hukou", "请选择城镇户口或农村户口")
	}
	if len(in.Members) == 0 || len(in.Members) > maxMembers {
		return model.Invalid("members", "请填写 1 到 20 位家庭成员")
	}
	return nil
}

// members validates the member inputs and builds the rows to store,
// matching stored members by id or ID number.
func (h *Households) members(ctx context.Context, in []MemberInput, stored map[string]model.Member, now time.Time) ([]model.Member, error) {
	byIndex := map[string]model.Member{}
	for _, m := range stored {
		byIndex[m.IDIndex] = m
	}
	seen := map[string]bool{}
	selfCount := 0
	out := make([]model.Member, 0, len(in))
	for i, mi := range in {
		field := func(name string) string { return "members[" + strconv.Itoa(i) + "]." + name }
		var prev *model.Member
		if mi.ID != "" {
			m, ok := stored[mi.ID]
			if !ok {
				return nil, model.Invalid(field("id"), "不是本家庭的成员，请刷新页面后重新填写")
			}
			prev = &m
		}
		m := model.Member{Position: i, CreatedAt: now, UpdatedAt: now}
		// ID number: new, or kept from the stored member.
		idRaw := strings.TrimSpace(mi.IDNumber)
		if prev != nil && (idRaw == "" || idRaw == prev.IDMasked) {
			m.IDSealed, m.IDIndex, m.IDMasked, m.BirthDate, m.Sex = prev.IDSealed, prev.IDIndex, prev.IDMasked, prev.BirthDate, prev.Sex
			m.ClaimVerified = prev.ClaimVerified
		} else {
			id, err := model.ParseIDNumber(idRaw, now)
			if err != nil {
				return nil, invalidAt(err, field("id_number"))
			}
			m.IDIndex = h.d.Keys.BlindIndex("id", id.Number)
			if m.IDSealed, err = h.d.Keys.Seal(id.Number); err != nil {
				return nil, fmt.Errorf("seal id number: %w", err)
			}
			m.IDMasked, m.BirthDate, m.Sex = model.MaskID(id.Number), id.BirthDate, id.Sex
		}
		if seen[m.IDIndex] {
			return nil, model.Invalid(field("id_number"), "重复填写了，同一个人只填一次")
		}
		seen[m.IDIndex] = true
		switch {
		case prev != nil:
			m.ID, m.CreatedAt = prev.ID, prev.CreatedAt
			if prev.IDIndex == m.IDIndex {
				m.ClaimVerified = prev.ClaimVerified
			}
		default:
			if old, ok := byIndex[m.IDIndex]; ok {
				m.ID, m.CreatedAt, m.ClaimVerified = old.ID, old.CreatedAt, old.ClaimVerified
			} else {
				m.ID = h.d.IDs.New()
			}
		}
		// Name.
		name := strings.TrimSpace(mi.Name)
		same, err := h.sameName(prev, name)
		if err != nil {
			return nil, err
		}
		if same {
			m.NameSealed, m.NameMasked = prev.NameSealed, prev.NameMasked
		} else {
			if name == "" || utf8.RuneCountInString(name) > maxNameRunes || strings.ContainsAny(name, "*<>") {
				return nil, model.Invalid(field("name"), "请填写姓名（不超过 32 个字，不含 * < > 符号）")
			}
			sealed, err := h.d.Keys.Seal(name)
			if err != nil {
				return nil, fmt.Errorf("seal name: %w", err)
			}
			m.NameSealed, m.NameMasked = sealed, model.MaskName(name)
		}
		switch mi.Relation {
		case model.RelationSelf:
			selfCount++
		case model.RelationSpouse, model.RelationChild, model.RelationParent, model.RelationOther:
		default:
			return nil, model.Invalid(field("relation"), "请选择与申请人的关系")
		}
		m.Relation = mi.Relation
		if mi.MonthlyIncome < 0 || mi.MonthlyIncome > model.MaxAmount {
			return nil, model.Invalid(field("monthly_income"), "请填写不小于 0 的金额")
		}
		m.MonthlyIncome = mi.MonthlyIncome
		if mi.Incomes != nil {
			sum, stored, err := incomesOf(mi.Incomes, field)
			if err != nil {
				return nil, err
			}
			if mi.MonthlyIncome != 0 && mi.MonthlyIncome != sum {
				return nil, model.Invalid(field("monthly_income"), "应等于各项收入之和（"+model.Yuan(sum)+" 元），或不填")
			}
			m.MonthlyIncome, m.Incomes = sum, stored
		}
		if mi.WorkAbility != nil {
			switch *mi.WorkAbility {
			case model.WorkAbilityFull, model.WorkAbilityPartial, model.WorkAbilityNone:
				wa := *mi.WorkAbility
				m.WorkAbility = &wa
			default:
				return nil, model.Invalid(field("work_ability"), "请选择完全、部分或无劳动能力")
			}
		}
		level, err := disabilityLevel(mi.DisabilityLevel)
		if err != nil {
			return nil, invalidAt(err, field("disability_level"))
		}
		// The household view shows only whether a member has a disability,
		// never the level; a stored member sent back without the field keeps
		// it (null clears it).
		if prev != nil && len(mi.DisabilityLevel) == 0 {
			m.DisabilitySealed, m.HasDisability = prev.DisabilitySealed, prev.HasDisability
		} else if level != "" {
			sealed, err := h.d.Keys.Seal(level)
			if err != nil {
				return nil, fmt.Errorf("seal disability: %w", err)
			}
			m.DisabilitySealed, m.HasDisability = &sealed, true
		}
		if mi.School != nil {
			if err := h.checkSchool(ctx, *mi.School, field("school")); err != nil {
				return nil, err
			}
			sid, stage, grade := mi.School.SchoolID, mi.School.Stage, strings.TrimSpace(mi.School.Grade)
			m.SchoolID, m.SchoolStage, m.SchoolGrade = &sid, &stage, &grade
		}
		out = append(out, m)
	}
	if selfCount != 1 {
		return nil, model.Invalid("members", "家庭成员中要有且只有一位是申请人本人")
	}
	return out, nil
}

// sameName says whether name keeps the stored member prev's name: empty,
// the masked name (as earlier views showed it) or the name in full (as the
// view shows it now), so a save sends it back without sealing it again.
func (h *Households) sameName(prev *model.Member, name string) (bool, error) {
	if prev == nil {
		return false, nil
	}
	if name == "" || name == prev.NameMasked {
		return true, nil
	}
	old, err := h.d.Keys.Open(prev.NameSealed)
	if err != nil {
		return false, fmt.Errorf("open name: %w", err)
	}
	return name == old, nil
}

// maxIncomes caps the incomes a member declares.
const maxIncomes = 10

// incomesOf validates a member's incomes by kind and returns their sum and
// their stored form (one entry per kind).
func incomesOf(in []model.Income, field func(string) string) (int64, *string, error) {
	if len(in) > maxIncomes {
		return 0, nil, model.Invalid(field("incomes"), "最多填写 10 项收入")
	}
	seen := map[model.IncomeKind]bool{}
	var sum int64
	for j, x := range in {
		at := field("incomes[" + strconv.Itoa(j) + "]")
		if !model.IsIncomeKind(x.Kind) {
			return 0, nil, model.Invalid(at+".kind", "请选择收入类别")
		}
		if seen[x.Kind] {
			return 0, nil, model.Invalid(at+".kind", "同一类收入只填一次，请合并")
		}
		seen[x.Kind] = true
		if x.MonthlyAmount < 0 || x.MonthlyAmount > model.MaxAmount {
			return 0, nil, model.Invalid(at+".monthly_amount", "请填写不小于 0 的金额")
		}
		sum += x.MonthlyAmount
	}
	if sum > model.MaxAmount {
		return 0, nil, model.Invalid(field("incomes"), "各项收入加起来太多了，请核对")
	}
	b, err := json.Marshal(in)
	if err != nil {
		return 0, nil, fmt.Errorf("encode incomes: %w", err)
	}
	stored := string(b)
	return sum, &stored, nil
}

// aboutMember names the member a field error is about (members[i].…) with
// the name the caller typed for that member, so the message can say
// 成员 2（李建国）的身份证号…; a masked name sent back is not a name.
func aboutMember(err error, in []MemberInput) error {
	var me *model.Error
	if !errors.As(err, &me) {
		return err
	}
	for field := range me.Fields {
		var i int
		if _, scanErr := fmt.Sscanf(field, "members[%d]", &i); scanErr != nil || i < 0 || i >= len(in) {
			continue
		}
		name := strings.TrimSpace(in[i].Name)
		if name == "" || strings.Contains(name, "*") || utf8.RuneCountInString(name) > maxNameRunes {
			return err
		}
		named := *me
		named.Subject = name
		return &named
	}
	return err
}

// invalidAt renames the field of a model.KindInvalid error.
func invalidAt(err error, field string) error {
	var me *model.Error
	if errors.As(err, &me) && me.Kind == model.KindInvalid {
		why := ""
		for _, v := range me.Fields {
			why = v
		}
		return model.Invalid(field, why)
	}
	return err
}

// disabilityLevel reads a disability level (残疾等级 1–4) given as a number
// or a string; null or absent means none.
func disabilityLevel(raw json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return "", nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", model.Invalid("disability_level", "残疾等级应为 1 到 4 级")
	}
	var level string
	switch t := v.(type) {
	case float64:
		level = strconv.FormatFloat(t, 'f', -1, 64)
	case string:
		level = strings.TrimSpace(t)
	}
	switch level {
	case "1", "2", "3", "4":
		return level, nil
	}
	return "", model.Invalid("disability_level", "残疾等级应为 1 到 4 级")
}

// checkSchool validates an enrolment against the schools of
// /api/v1/schools: the school must exist and teach the stage.
func (h *Households) checkSchool(ctx context.Context, s SchoolInput, field string) error {
	switch s.Stage {
	case model.StageCompulsory, model.StageSeniorHigh, model.StageSpecial:
	default:
		return model.Invalid(field+".stage", "请选择学段")
	}
	if g := strings.TrimSpace(s.Grade); g == "" || utf8.RuneCountInString(g) > 16 {
		return model.Invalid(field+".grade", "请填写年级（不超过 16 个字）")
	}
	school, err := h.d.DB.School(ctx, s.SchoolID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Invalid(field+".school_id", "没有这所学校，请重新选择")
	}
	if err != nil {
		return err
	}
	for _, st := range strings.Split(school.Stages, ",") {
		if st == s.Stage {
			return nil
		}
	}
	return model.Invalid(field+".stage", "这所学校没有这个学段，请重新选择")
}

// maxBankNameRunes bounds the bank's name.
const maxBankNameRunes = 32

// setBankAccount seals a new bank account onto the household (nil keeps
// the stored one). The number is 12 to 30 digits (spaces are dropped); a
// number sent back masked as GET showed it keeps the stored number.
func (h *Households) setBankAccount(hh *model.Household, in *BankAccount) error {
	if in == nil {
		return nil
	}
	bank := strings.TrimSpace(in.Bank)
	if bank == "" || utf8.RuneCountInString(bank) > maxBankNameRunes {
		return model.Invalid("bank_account.bank", "请填写开户银行名称（不超过 32 个字）")
	}
	number := strings.ReplaceAll(strings.TrimSpace(in.AccountNumber), " ", "")
	if strings.HasPrefix(number, "****") && hh.BankAccountMasked != nil && "**** "+strings.TrimPrefix(number, "****") == *hh.BankAccountMasked {
		hh.BankName = &bank
		return nil
	}
	if len(number) < 12 || len(number) > 30 || strings.Trim(number, "0123456789") != "" {
		return model.Invalid("bank_account.account_number", "请填写 12 到 30 位数字的银行卡号")
	}
	sealed, err := h.d.Keys.Seal(number)
	if err != nil {
		return fmt.Errorf("seal bank account: %w", err)
	}
	masked := model.MaskAccount(number)
	hh.BankName, hh.BankAccountSealed, hh.BankAccountMasked = &bank, &sealed, &masked
	return nil
}

// maskedBankAccount is the household's bank account as views show it.
func maskedBankAccount(hh model.Household) *BankAccount {
	if hh.BankAccountMasked == nil {
		return nil
	}
	return &BankAccount{Bank: deref(hh.BankName), AccountNumber: *hh.BankAccountMasked}
}
