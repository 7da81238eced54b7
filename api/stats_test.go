package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// stOfficers are the staff of one county who take a case through the chain.
type stOfficers struct {
	communityCode string
	community     string
	street        string
	countyUser    string
	countyPass    string
}

// stCase opens an application of program for a new household of size
// members in the officers' community, and takes it through acceptance,
// document review, the assessment (with monthly amount and, when given,
// support mode) and the public notice.
func stCase(t *testing.T, env *apitest.Env, o stOfficers, program model.ProgramCode, size int, amount int64, mode string) string {
	t.Helper()
	tok := login(t, env, newPhone())
	h := wfHousehold(o.communityCode, size)
	if program == model.ProgramTekun {
		h = tekunHousehold(o.communityCode, size)
	}
	apitest.Want(t, env.Put("/api/v1/me/household", tok, h), http.StatusOK)
	id := ppApply(t, env, o.community, tok, program)
	body := stAssessment(env, amount)
	if mode != "" {
		body["support_mode"], body["care_level"] = mode, model.CareSelf
	}
	r := env.Put("/api/v1/staff/applications/"+id+"/assessment", o.community, body)
	apitest.Want(t, r, http.StatusOK)
	if got, _ := r.Map(t)["support_mode"].(string); got != mode {
		t.Fatalf("assessment support_mode %q, want %q", got, mode)
	}
	wfAct(t, env, o.street, id, "publicize", "", http.StatusOK)
	return id
}

// tekunHousehold is a household of size members none of whom can work or
// has an income: every one of them is a 特困 person.
func tekunHousehold(community string, size int) map[string]any {
	h := wfHousehold(community, size)
	for _, m := range h["members"].([]map[string]any) {
		m["monthly_income"], m["work_ability"] = 0, model.WorkAbilityNone
	}
	return h
}

// stAssessment is an assessment dated by the test clock with a set amount.
func stAssessment(env *apitest.Env, amount int64) map[string]any {
	return map[string]any{"per_capita_income": 20000, "monthly_amount": amount, "amount_reason": "按核定金额",
		"home_visit": map[string]string{"date": env.Clock.Now().Add(-24 * time.Hour).Format("2006-01-02"), "note": "入户核实"}}
}

type stProgram struct {
	Program            string   `json:"program"`
	ApprovedHouseholds int64    `json:"approved_households"`
	ApprovedPeople     int64    `json:"approved_people"`
	Coverage           *float64 `json:"coverage"`
	MonthlyAmountTotal int64    `json:"monthly_amount_total"`
	AmountYearTotal    int64    `json:"amount_year_total"`
}

type stRate struct {
	RegionCode        string   `json:"region_code"`
	Name              string   `json:"name"`
	Kind              string   `json:"kind"`
	TekunPeople       int64    `json:"tekun_people"`
	CentralizedPeople int64    `json:"centralized_people"`
	UnrecordedPeople  int64    `json:"unrecorded_people"`
	Rate              *float64 `json:"rate"`
	Target            float64  `json:"target"`
	TargetFirstYear   int      `json:"target_first_year"`
	MeetsTarget       *bool    `json:"meets_target"`
}

type stReport struct {
	RegionCode         string      `json:"region_code"`
	Year               int         `json:"year"`
	Households         int64       `json:"households"`
	Programs           []stProgram `json:"programs"`
	CentralizedSupport []stRate    `json:"centralized_support"`
}

func stGet(t *testing.T, env *apitest.Env, token, query string) stReport {
	t.Helper()
	r := env.Get("/api/v1/staff/stats"+query, token)
	apitest.Want(t, r, http.StatusOK)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("stats without Cache-Control: no-store")
	}
	var out stReport
	r.JSON(t, &out)
	return out
}

func (r stReport) program(t *testing.T, code string) stProgram {
	t.Helper()
	for _, p := range r.Programs {
		if p.Program == code {
			return p
		}
	}
	t.Fatalf("program %s missing from %+v", code, r.Programs)
	return stProgram{}
}

func (r stReport) rate(t *testing.T, code string) stRate {
	t.Helper()
	for _, s := range r.CentralizedSupport {
		if s.RegionCode == code {
			return s
		}
	}
	t.Fatalf("region %s missing from %+v", code, r.CentralizedSupport)
	return stRate{}
}

func fptr(f float64) *float64 { return &f }
func bptr(b bool) *bool       { return &b }

func eqF(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqB(a, b *bool) bool    { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func fmtF(f *float64) string {
	if f == nil {
		return "null"
	}
	return fmt.Sprint(*f)
}

func fmtB(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

// TestStaffStats builds approved 低保 and 特困 cases through the whole HTTP
// chain in a district (吴兴区) and a county (德清县) and checks every number
// of the statistics: coverage, people, money for the year, and the
// centralized-support rate against the seed's first-year and later targets.
func TestStaffStats(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		cst := time.FixedZone("CST", 8*3600)
		year := time.Now().In(cst).Year()
		// 10 March, so approvals (after the 7-day notice) fall in March and
		// are paid April to December: 9 months of the year.
		env.Clock.Set(time.Date(year, time.March, 10, 10, 0, 0, 0, cst))

		city := wfDemo(t, env, "admin").Token
		wx := stOfficers{communityCode: "330502001001", community: wfDemo(t, env, "community").Token, street: wfDemo(t, env, "street").Token,
			countyUser: "county", countyPass: "jiuzhu-demo"}
		dq := stOfficers{communityCode: "330521001001",
			community:  wfNewStaff(t, env, city, "dq.community", model.RoleCommunityWorker, "330521001001").Token,
			street:     wfNewStaff(t, env, city, "dq.street", model.RoleStreetReviewer, "330521001").Token,
			countyUser: "dq.county", countyPass: wfPassword}
		wfNewStaff(t, env, city, "dq.county", model.RoleCountyApprover, "330521")

		// The support mode is the tekun assessment's, and only its.
		t.Run("support mode on the assessment", func(t *testing.T) {
			tok := login(t, env, newPhone())
			apitest.Want(t, env.Put("/api/v1/me/household", tok, tekunHousehold(wx.communityCode, 1)), http.StatusOK)
			tk := createApp(t, env, tok, "tekun")
			for _, d := range []string{"id_card", "hukou_book", "income_proof", "work_ability_proof", "consent"} {
				apitest.Want(t, upload(t, env, tok, tk, d, d+".jpg", jpegFile), http.StatusCreated)
			}
			apitest.Want(t, env.Post("/api/v1/applications/"+tk+"/submit", tok, nil), http.StatusOK)
			wfAct(t, env, wx.community, tk, "accept", "", http.StatusOK)
			dibao := wfSubmitted(t, env, wx.communityCode, 1)
			wfAct(t, env, wx.community, dibao.ID, "accept", "", http.StatusOK)
			for _, c := range []struct {
				name, id string
				mode     any
				noCheck  bool
			}{
				{"tekun without a mode", tk, nil, false},
				{"tekun with another mode", tk, "home", true},
				{"dibao with a mode", dibao.ID, model.SupportCentralized, false},
			} {
				body := stAssessment(env, 50000)
				if c.mode != nil {
					body["support_mode"] = c.mode
				}
				r := env.Do(apitest.Request{Method: http.MethodPut, Path: "/api/v1/staff/applications/" + c.id + "/assessment", Token: wx.community, Body: body, NoCheck: c.noCheck})
				apitest.Want(t, r, http.StatusUnprocessableEntity)
				fields, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
				if _, ok := fields["support_mode"]; !ok {
					t.Errorf("%s: error %s does not name support_mode", c.name, r.Body)
				}
			}
			r := env.Put("/api/v1/staff/applications/"+tk+"/assessment", wx.community, map[string]any{"per_capita_income": 0,
				"support_mode": model.SupportDispersed, "care_level": model.CarePartial, "home_visit": stAssessment(env, 0)["home_visit"]})
			apitest.Want(t, r, http.StatusOK)
			r = env.Get("/api/v1/staff/applications/"+tk, wx.community)
			apitest.Want(t, r, http.StatusOK)
			if got := r.Map(t)["assessment"].(map[string]any)["support_mode"]; got != model.SupportDispersed {
				t.Errorf("detail support_mode %v", got)
			}
		})

		// 吴兴区 (a district): 1 低保 household of 3 people; 特困 households of
		// 1 (centralized), 2 (dispersed) and 2 (centralized): 3 of 5 people
		// in institutions, exactly the first-year target of 60%. The test
		// above left two more households there (not approved).
		// 德清县 (a county): 特困 of 1 centralized and 1 dispersed: 50%, its
		// first-year target.
		approve := map[stOfficers][]string{}
		approve[wx] = append(approve[wx],
			stCase(t, env, wx, "dibao", 3, 150000, ""),
			stCase(t, env, wx, "tekun", 1, 80000, model.SupportCentralized),
			stCase(t, env, wx, "tekun", 2, 90000, model.SupportDispersed),
			stCase(t, env, wx, "tekun", 2, 100000, model.SupportCentralized))
		approve[dq] = append(approve[dq],
			stCase(t, env, dq, "tekun", 1, 70000, model.SupportCentralized),
			stCase(t, env, dq, "tekun", 1, 60000, model.SupportDispersed))
		env.Clock.Advance(7*24*time.Hour + time.Hour)
		for o, ids := range approve {
			county := wfLogin(t, env, o.countyUser, o.countyPass).Token
			for _, id := range ids {
				wfAct(t, env, county, id, "approve", "", http.StatusOK)
			}
		}

		city = wfDemo(t, env, "admin").Token
		county := wfDemo(t, env, "county").Token

		t.Run("city, this year", func(t *testing.T) {
			r := stGet(t, env, city, "")
			if r.RegionCode != "330500" || r.Year != year || r.Households != 8 {
				t.Fatalf("report %s/%d households %d, want 330500/%d 8", r.RegionCode, r.Year, r.Households, year)
			}
			if len(r.Programs) != len(model.Programs) {
				t.Errorf("%d programs, want every program of the catalog", len(r.Programs))
			}
			want := []stProgram{
				{Program: "dibao", ApprovedHouseholds: 1, ApprovedPeople: 3, Coverage: fptr(0.125), MonthlyAmountTotal: 150000, AmountYearTotal: 150000 * 9},
				{Program: "tekun", ApprovedHouseholds: 5, ApprovedPeople: 7, Coverage: fptr(0.625), MonthlyAmountTotal: 400000, AmountYearTotal: 400000 * 9},
				{Program: "medical", Coverage: fptr(0)},
			}
			for _, w := range want {
				got := r.program(t, w.Program)
				if got.ApprovedHouseholds != w.ApprovedHouseholds || got.ApprovedPeople != w.ApprovedPeople || !eqF(got.Coverage, w.Coverage) ||
					got.MonthlyAmountTotal != w.MonthlyAmountTotal || got.AmountYearTotal != w.AmountYearTotal {
					t.Errorf("%s: got %+v coverage %s, want %+v coverage %s", w.Program, got, fmtF(got.Coverage), w, fmtF(w.Coverage))
				}
			}
			rates := []stRate{
				{RegionCode: "330502", Name: "吴兴区", Kind: "district", TekunPeople: 5, CentralizedPeople: 3, Rate: fptr(0.6), Target: 0.6, TargetFirstYear: year, MeetsTarget: bptr(true)},
				{RegionCode: "330503", Name: "南浔区", Kind: "district", Target: 0.6, TargetFirstYear: year},
				{RegionCode: "330521", Name: "德清县", Kind: "county", TekunPeople: 2, CentralizedPeople: 1, Rate: fptr(0.5), Target: 0.5, TargetFirstYear: year, MeetsTarget: bptr(true)},
				{RegionCode: "330522", Name: "长兴县", Kind: "county", Target: 0.5, TargetFirstYear: year},
				{RegionCode: "330523", Name: "安吉县", Kind: "county", Target: 0.5, TargetFirstYear: year},
			}
			stCheckRates(t, r, rates)
		})

		t.Run("next year: the 80% target", func(t *testing.T) {
			r := stGet(t, env, city, fmt.Sprintf("?year=%d", year+1))
			if r.Year != year+1 || r.Households != 8 {
				t.Fatalf("year %d households %d", r.Year, r.Households)
			}
			if p := r.program(t, "tekun"); p.AmountYearTotal != 400000*12 || p.MonthlyAmountTotal != 400000 {
				t.Errorf("tekun next year %+v, want a full year of 400000", p)
			}
			stCheckRates(t, r, []stRate{
				{RegionCode: "330502", Name: "吴兴区", Kind: "district", TekunPeople: 5, CentralizedPeople: 3, Rate: fptr(0.6), Target: 0.8, TargetFirstYear: year, MeetsTarget: bptr(false)},
				{RegionCode: "330503", Name: "南浔区", Kind: "district", Target: 0.6, TargetFirstYear: year + 1},
				{RegionCode: "330521", Name: "德清县", Kind: "county", TekunPeople: 2, CentralizedPeople: 1, Rate: fptr(0.5), Target: 0.8, TargetFirstYear: year, MeetsTarget: bptr(false)},
				{RegionCode: "330522", Name: "长兴县", Kind: "county", Target: 0.5, TargetFirstYear: year + 1},
				{RegionCode: "330523", Name: "安吉县", Kind: "county", Target: 0.5, TargetFirstYear: year + 1},
			})
		})

		t.Run("last year: nothing yet", func(t *testing.T) {
			r := stGet(t, env, city, fmt.Sprintf("?year=%d", year-1))
			if r.Households != 0 {
				t.Errorf("households %d before any registered", r.Households)
			}
			for _, p := range r.Programs {
				if p.ApprovedHouseholds != 0 || p.ApprovedPeople != 0 || p.Coverage != nil || p.MonthlyAmountTotal != 0 || p.AmountYearTotal != 0 {
					t.Errorf("%+v coverage %s, want zeros and a null coverage", p, fmtF(p.Coverage))
				}
			}
			if got := r.rate(t, "330502"); got.TekunPeople != 0 || got.Rate != nil || got.MeetsTarget != nil || got.Target != 0.6 {
				t.Errorf("吴兴区 last year %+v", got)
			}
		})

		t.Run("district approver: own district by default, a street, not another county", func(t *testing.T) {
			r := stGet(t, env, county, "")
			if r.RegionCode != "330502" || r.Households != 6 || len(r.CentralizedSupport) != 1 {
				t.Fatalf("report %+v", r)
			}
			if p := r.program(t, "tekun"); p.ApprovedHouseholds != 3 || p.ApprovedPeople != 5 || !eqF(p.Coverage, fptr(0.5)) || p.MonthlyAmountTotal != 270000 {
				t.Errorf("tekun in 吴兴区 %+v coverage %s", p, fmtF(p.Coverage))
			}
			r = stGet(t, env, county, "?region_code=330502001")
			stCheckRates(t, r, []stRate{{RegionCode: "330502001", Name: "月河街道", Kind: "district", TekunPeople: 5, CentralizedPeople: 3,
				Rate: fptr(0.6), Target: 0.6, TargetFirstYear: year, MeetsTarget: bptr(true)}})
			r2 := stGet(t, env, county, "?region_code=330502002")
			if r2.Households != 0 || r2.rate(t, "330502002").TekunPeople != 0 {
				t.Errorf("朝阳街道 has no cases: %+v", r2)
			}
			apitest.Want(t, env.Get("/api/v1/staff/stats?region_code=330521", county), http.StatusNotFound)
			apitest.Want(t, env.Get("/api/v1/staff/stats?region_code=330500", county), http.StatusNotFound)
		})

		// A tekun case approved without a recorded mode (written before the
		// column existed) is in the denominator and reported, never silently
		// taken as centralized.
		t.Run("unrecorded support mode", func(t *testing.T) {
			vHousehold(t, env, "tekun", "330503001001", 50000, nil, false)
			got := stGet(t, env, city, "?region_code=330503").rate(t, "330503")
			if got.TekunPeople != 1 || got.CentralizedPeople != 0 || got.UnrecordedPeople != 1 || !eqF(got.Rate, fptr(0)) || !eqB(got.MeetsTarget, bptr(false)) {
				t.Errorf("南浔区 %+v rate %s meets %s", got, fmtF(got.Rate), fmtB(got.MeetsTarget))
			}
		})

		t.Run("bad input", func(t *testing.T) {
			for _, q := range []string{"?year=abc", "?year=1999", "?region_code=12", "?region_code=33050"} {
				apitest.Want(t, env.Get("/api/v1/staff/stats"+q, city), http.StatusUnprocessableEntity)
			}
			apitest.Want(t, env.Get("/api/v1/staff/stats?region_code=330599", city), http.StatusNotFound)
			apitest.Want(t, env.Get("/api/v1/staff/stats", wfDemo(t, env, "community").Token), http.StatusForbidden)
		})
	})
}

func stCheckRates(t *testing.T, r stReport, want []stRate) {
	t.Helper()
	if len(r.CentralizedSupport) != len(want) {
		t.Errorf("%d centralized-support rows, want %d: %+v", len(r.CentralizedSupport), len(want), r.CentralizedSupport)
	}
	for _, w := range want {
		got := r.rate(t, w.RegionCode)
		if got.Name != w.Name || got.Kind != w.Kind || got.TekunPeople != w.TekunPeople || got.CentralizedPeople != w.CentralizedPeople ||
			got.UnrecordedPeople != w.UnrecordedPeople || !eqF(got.Rate, w.Rate) || got.Target != w.Target || got.TargetFirstYear != w.TargetFirstYear ||
			!eqB(got.MeetsTarget, w.MeetsTarget) {
			t.Errorf("%s: got %+v rate %s meets %s, want %+v rate %s meets %s", w.RegionCode, got, fmtF(got.Rate), fmtB(got.MeetsTarget),
				w, fmtF(w.Rate), fmtB(w.MeetsTarget))
		}
	}
}
