package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jiuzhu/jiuzhu/model"
)

// DemoPassword is the password of every demo account. Production start is
// refused while any demo account is enabled.
const DemoPassword = "jiuzhu-demo"

// DemoAccount describes one seeded staff account.
type DemoAccount struct {
	Username   string
	Role       model.Role
	RegionCode string
	SchoolID   string
}

// Seeder writes the demo data: the region tree of the seed notice's city,
// schools, 低保 standards, terms, voucher caps and the demo staff accounts.
// Seeding twice changes nothing.
type Seeder struct {
	d SeederDeps
}

type demoRegion struct {
	code, name string
	children   []demoRegion
}

// demoCity is a prefecture city with two districts and three counties, as in
// the 2003 notice (the codes are Huzhou's).
var demoCity = demoRegion{"330500", "湖州市", []demoRegion{
	{"330502", "吴兴区", []demoRegion{
		{"330502001", "月河街道", []demoRegion{{"330502001001", "南门社区", nil}, {"330502001002", "馆驿河头社区", nil}, {"330502001003", "天宁社区", nil}}},
		{"330502002", "朝阳街道", []demoRegion{{"330502002001", "红旗路社区", nil}, {"330502002002", "清源门社区", nil}}},
		{"330502003", "爱山街道", []demoRegion{{"330502003001", "人民路社区", nil}, {"330502003002", "骆驼桥社区", nil}}},
	}},
	{"330503", "南浔区", []demoRegion{
		{"330503001", "南浔镇", []demoRegion{{"330503001001", "百间楼社区", nil}, {"330503001002", "适园社区", nil}}},
		{"330503002", "双林镇", []demoRegion{{"330503002001", "双林社区", nil}, {"330503002002", "向阳村", nil}}},
	}},
	{"330521", "德清县", []demoRegion{
		{"330521001", "武康街道", []demoRegion{{"330521001001", "城东社区", nil}, {"330521001002", "永安社区", nil}}},
		{"330521002", "舞阳街道", []demoRegion{{"330521002001", "舞阳社区", nil}, {"330521002002", "塔山村", nil}}},
	}},
	{"330522", "长兴县", []demoRegion{
		{"330522001", "雉城街道", []demoRegion{{"330522001001", "雉州社区", nil}, {"330522001002", "长中社区", nil}}},
		{"330522002", "画溪街道", []demoRegion{{"330522002001", "画溪社区", nil}, {"330522002002", "金陵村", nil}}},
	}},
	{"330523", "安吉县", []demoRegion{
		{"330523001", "递铺街道", []demoRegion{{"330523001001", "玉华社区", nil}, {"330523001002", "古城村", nil}}},
		{"330523002", "昌硕街道", []demoRegion{{"330523002001", "昌硕社区", nil}, {"330523002002", "胜利社区", nil}, {"330523002003", "双一村", nil}}},
	}},
}}

// DemoSchoolID is the id of the demo school of a county and stage, e.g.
// "SCH-330502-compulsory".
func DemoSchoolID(county, stage string) string { return "SCH-" + county + "-" + stage }

// DemoAccounts are the staff accounts the seed creates, all with
// DemoPassword.
func DemoAccounts() []DemoAccount {
	return []DemoAccount{
		{"admin", model.RoleAdmin, "330500", ""},
		// A second admin confirms the first one's privileged grants.
		{"admin2", model.RoleAdmin, "330500", ""},
		{"auditor", model.RoleAuditor, "330500", ""},
		{"education", model.RoleEducationOfficer, "330500", ""},
		{"county", model.RoleCountyApprover, "330502", ""},
		// The county's finance officer approves the payment rolls the
		// county approver makes (maker-checker).
		{"finance", model.RoleFinanceOfficer, "330502", ""},
		{"street", model.RoleStreetReviewer, "330502001", ""},
		{"community", model.RoleCommunityWorker, "330502001001", ""},
		{"community2", model.RoleCommunityWorker, "330502002001", ""},
		{"school", model.RoleSchoolOperator, "330502", DemoSchoolID("330502", model.StageCompulsory)},
		// The demo donation station's account (社会捐赠工作站点, 月河街道).
		{"station", model.RoleStation, "330502001", ""},
	}
}

// DemoStationName is the name of the demo donation station, run by the
// demo account `station`.
const DemoStationName = "月河街道社会捐赠工作站"

// Seed writes the demo data and returns the usernames it created now.
func (s *Seeder) Seed(ctx context.Context) ([]string, error) {
	db := s.d.DB
	now := s.d.Clock.Now()
	err := db.InTx(ctx, func(ctx context.Context) error {
		var walk func(r demoRegion, parent *string) error
		walk = func(r demoRegion, parent *string) error {
			if err := db.UpsertRegion(ctx, model.Region{Code: r.code, Name: r.name, Level: model.LevelOfCode(r.code), ParentCode: parent}); err != nil {
				return err
			}
			code := r.code
			for _, c := range r.children {
				if err := walk(c, &code); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(demoCity, nil); err != nil {
			return err
		}
		for _, county := range demoCity.children {
			district := strings.HasSuffix(county.name, "区")
			schools := []struct{ stage, name string }{
				{model.StageCompulsory, county.name + "实验小学"},
				{model.StageCompulsory + "-2", county.name + "第一初级中学"},
				{model.StageSeniorHigh, county.name + "高级中学"},
				{model.StageSpecial, county.name + "特殊教育学校"},
			}
			for _, sc := range schools {
				stage, _, _ := strings.Cut(sc.stage, "-")
				if err := db.UpsertSchool(ctx, model.School{ID: DemoSchoolID(county.code, sc.stage), Name: sc.name, RegionCode: county.children[0].code, Stages: stage}); err != nil {
					return err
				}
			}
			urban, rural := int64(105000), int64(105000)
			if district {
				urban, rural = 112000, 112000
			}
			// This year's standard and, so that demo cases straddling New
			// Year still assess, next year's at the same level.
			for _, year := range []int{now.Year(), now.Year() + 1} {
				for hukou, amount := range map[string]int64{model.HukouUrban: urban, model.HukouRural: rural} {
					if err := db.InsertIfAbsent(ctx, &model.Standard{RegionCode: county.code, Year: year, Hukou: hukou, MonthlyAmount: amount, UpdatedAt: now}); err != nil {
						return err
					}
				}
			}
		}
		if err := s.seedCalendar(ctx, now); err != nil {
			return err
		}
		current := model.TermOf(now)
		for _, term := range []string{current, nextTerm(current)} {
			start, end, _ := model.TermBounds(term)
			if err := db.InsertIfAbsent(ctx, &model.Term{Name: term, StartsAt: start, EndsAt: end}); err != nil {
				return err
			}
		}
		caps := map[string]int64{
			model.ItemMiscFee: 30000, model.ItemCustodyFee: 50000, model.ItemBoardingFee: 60000,
			model.ItemTransferFee: 40000, model.ItemTuition: 120000, model.ItemNurseryFee: 50000,
		}
		for _, term := range []string{current, nextTerm(current)} {
			for stage, items := range model.StageItems {
				for _, item := range items {
					if err := db.InsertIfAbsent(ctx, &model.VoucherCap{Term: term, Stage: stage, Item: item, Cap: caps[item], UpdatedAt: now}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed reference data: %w", err)
	}
	var created []string
	// One hash serves every demo account: they share the published demo
	// password anyway, production refuses to start while any exists, and
	// argon2id is deliberately slow.
	hash, err := HashPassword(DemoPassword, s.d.Random)
	if err != nil {
		return nil, err
	}
	for _, a := range DemoAccounts() {
		st := model.Staff{ID: s.d.IDs.New(), Username: a.Username, PasswordHash: hash, Role: a.Role, RegionCode: a.RegionCode,
			DisplayName: a.Username, Demo: true, CreatedAt: now, UpdatedAt: now}
		if a.SchoolID != "" {
			id := a.SchoolID
			st.SchoolID = &id
		}
		ok, err := db.CreateStaffIfAbsent(ctx, st)
		if err != nil {
			return nil, fmt.Errorf("seed staff: %w", err)
		}
		if ok {
			created = append(created, a.Username)
		}
	}
	if err := s.seedStation(ctx); err != nil {
		return nil, err
	}
	return created, nil
}

// seedStation opens the demo donation station for the demo account
// `station` unless it runs one already.
func (s *Seeder) seedStation(ctx context.Context) error {
	db := s.d.DB
	acct, err := db.StaffByUsername(ctx, "station")
	if err != nil {
		return fmt.Errorf("seed station: %w", err)
	}
	if _, err := db.StationOfStaff(ctx, acct.ID); err == nil {
		return nil
	} else if !errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("seed station: %w", err)
	}
	st := model.DonationStation{ID: s.d.IDs.New(), Name: DemoStationName, RegionCode: acct.RegionCode, Address: "湖州市吴兴区月河街道办事处一楼",
		StaffID: acct.ID, CreatedBy: acct.ID, CreatedAt: s.d.Clock.Now()}
	if err := db.CreateStation(ctx, &st); err != nil {
		return fmt.Errorf("seed station: %w", err)
	}
	return nil
}

// nextTerm names the term after name ("2026-autumn" → "2027-spring").
func nextTerm(name string) string {
	_, end, ok := model.TermBounds(name)
	if !ok {
		return name
	}
	return model.TermOf(end)
}

// DemoAccountsEnabled lists demo accounts that are still enabled; a
// production start refuses to run while there are any.
func (s *Seeder) DemoAccountsEnabled(ctx context.Context) ([]string, error) {
	return s.d.DB.DemoStaffUsernames(ctx)
}
