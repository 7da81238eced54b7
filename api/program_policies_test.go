package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// The demo standard of 吴兴区 (330502) is 1,120.00 元 for both hukou types;
// every amount below is computed by hand from it and model.DefaultFigures.
const ppCommunity = "330502001001"

// ppStaff are the demo officers of 吴兴区 who take a case through the chain.
type ppStaff struct{ community, street, county string }

func ppOfficers(t *testing.T, env *apitest.Env) ppStaff {
	t.Helper()
	return ppStaff{community: wfDemo(t, env, "community").Token, street: wfDemo(t, env, "street").Token, county: wfDemo(t, env, "county").Token}
}

// ppMember is a household member body.
func ppMember(name, birth, relation string, male bool, extra map[string]any) map[string]any {
	m := map[string]any{"name": name, "id_number": makeID(birth, male), "relation": relation}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func ppHousehold(hukou string, members ...map[string]any) map[string]any {
	return map[string]any{"region_code": ppCommunity, "address": "湖州市吴兴区月河街道南门社区5幢302室", "hukou": hukou, "members": members}
}

// ppInvestigated registers the household for a new resident, opens an
// application of program, uploads and submits its required documents, and
// has the community accept, investigate and accept every document.
// It returns the case and the resident's id (open a new session with
// ppResident after the clock moves past the session's life).
func ppInvestigated(t *testing.T, env *apitest.Env, s *ppStaff, program model.ProgramCode, household map[string]any) (id, residentID string) {
	t.Helper()
	token, residentID := ppLogin(t, env)
	apitest.Want(t, env.Put("/api/v1/me/household", token, household), http.StatusOK)
	return ppApply(t, env, s.community, token, program), residentID
}

// ppLogin logs a new resident in by SMS and returns the session token and
// the resident's id.
func ppLogin(t *testing.T, env *apitest.Env) (token, residentID string) {
	t.Helper()
	phone := newPhone()
	r := env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": sendCode(t, env, phone)})
	apitest.Want(t, r, http.StatusCreated)
	var login struct {
		Token    string `json:"token"`
		Resident struct {
			ID string `json:"id"`
		} `json:"resident"`
	}
	r.JSON(t, &login)
	return login.Token, login.Resident.ID
}

// ppResident opens a session for a resident.
func ppResident(env *apitest.Env, id string) string {
	return env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: id})
}

// ppApply takes a resident's new application of program to investigating:
// it uploads and submits the program's required documents, and the
// community worker accepts, investigates and accepts every document. It is
// the one case builder of the HTTP tests.
func ppApply(t *testing.T, env *apitest.Env, community, resident string, program model.ProgramCode) string {
	t.Helper()
	c := submitCase(t, env, resident, program)
	wfReviewed(t, env, community, c)
	return c.ID
}

// ppVisit is the home visit every assessment carries, merged into fields.
func ppVisit(env *apitest.Env, fields map[string]any) map[string]any {
	body := map[string]any{"home_visit": map[string]string{"date": env.Clock.Now().Add(-24 * time.Hour).Format("2006-01-02"), "note": "入户调查，情况属实"}}
	for k, v := range fields {
		body[k] = v
	}
	return body
}

// ppAssessment is the part of the assessment response the tests read.
type ppAssessment struct {
	Eligible         bool   `json:"eligible"`
	IneligibleReason string `json:"ineligible_reason"`
	BenefitKind      string `json:"benefit_kind"`
	Standard         int64  `json:"standard"`
	Declared         int64  `json:"declared_per_capita_income"`
	Verified         int64  `json:"per_capita_income"`
	ComputedAmount   int64  `json:"computed_amount"`
	MonthlyAmount    *int64 `json:"monthly_amount"`
	Amount           *int64 `json:"amount"`
	PersonsCovered   int    `json:"persons_covered"`
}

func ppAssess(t *testing.T, env *apitest.Env, s *ppStaff, id string, fields map[string]any) ppAssessment {
	t.Helper()
	r := env.Put("/api/v1/staff/applications/"+id+"/assessment", s.community, ppVisit(env, fields))
	apitest.Want(t, r, http.StatusOK)
	var a ppAssessment
	r.JSON(t, &a)
	return a
}

// ppApproved publicizes the case, lets the notice run out and approves it.
func ppApproved(t *testing.T, env *apitest.Env, s *ppStaff, id string) {
	t.Helper()
	wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
	ppNoticeOver(t, env, s)
	wfAct(t, env, s.county, id, "approve", "", http.StatusOK)
}

// ppNoticeOver moves the clock past the notice period; the staff log in
// again (their sessions expired meanwhile).
func ppNoticeOver(t *testing.T, env *apitest.Env, s *ppStaff) {
	t.Helper()
	env.Clock.Advance(7*24*time.Hour + time.Hour)
	*s = ppOfficers(t, env)
}

// ppBenefit is the benefit of the resident's view of a case.
type ppBenefit struct {
	Kind                string `json:"kind"`
	MonthlyAmount       *int64 `json:"monthly_amount"`
	Amount              *int64 `json:"amount"`
	Starts              string `json:"starts"`
	Status              string `json:"status"`
	Text                string `json:"text"`
	WaitingListPosition *int64 `json:"waiting_list_position"`
}

func ppResidentBenefit(t *testing.T, env *apitest.Env, residentID, id string) ppBenefit {
	t.Helper()
	r := env.Get("/api/v1/applications/"+id, ppResident(env, residentID))
	apitest.Want(t, r, http.StatusOK)
	var v struct {
		Benefit *ppBenefit `json:"benefit"`
	}
	r.JSON(t, &v)
	if v.Benefit == nil {
		t.Fatalf("no benefit on the approved case: %s", r.Body)
	}
	return *v.Benefit
}

func i64p(v int64) *int64 { return &v }

func eqI64(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestProgramsDecideTheirOwnBenefit runs one application of each program to
// its decision and checks the benefit kind and amount against hand-computed
// figures, as the resident sees them.
func TestProgramsDecideTheirOwnBenefit(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		sp := &s
		cases := []struct {
			name          string
			program       model.ProgramCode
			household     map[string]any
			assessment    map[string]any
			eligible      bool
			kind          string
			monthly, once *int64
			persons       int
			text          string
		}{
			// (1120 − (800 counted of 800 wage + 200 transfer) / 2 = 400) × 2 = 1440 元, + 100 元 for the minor.
			{"dibao", model.ProgramDibao, ppHousehold(model.HukouUrban,
				ppMember("王建国", "19800101", "self", true, map[string]any{"incomes": []map[string]any{{"kind": "wage", "monthly_amount": 80000}, {"kind": "transfer", "monthly_amount": 20000}}}),
				ppMember("王小明", "20150601", "child", true, nil)),
				map[string]any{"per_capita_income": 40000}, true, "monthly_cash", i64p(154000), nil, 2, "每月 1,540.00 元"},
			// ceil(1120 × 1.3) = 1456 元 + full care 600 元.
			{"tekun", model.ProgramTekun, ppHousehold(model.HukouRural,
				ppMember("李大爷", "19500301", "self", true, map[string]any{"work_ability": "none", "monthly_income": 0})),
				map[string]any{"support_mode": "dispersed", "care_level": "full_care"}, true, "monthly_cash", i64p(205600), nil, 1, "每月 2,056.00 元"},
			// A one-off of 2,000 元, within 6 months × 1120 元 × 1 person.
			{"temporary", model.ProgramTemporary, ppHousehold(model.HukouUrban, ppMember("张三", "19850505", "self", true, map[string]any{"monthly_income": 50000})),
				map[string]any{"amount": 200000}, true, "one_off_cash", nil, i64p(200000), 1, "一次性 2,000.00 元"},
			// Catastrophic: (30,000 − 5,000) × 50% = 12,500 元 once.
			{"medical", model.ProgramMedical, ppHousehold(model.HukouUrban, ppMember("赵四", "19700707", "self", true, map[string]any{"monthly_income": 90000})),
				map[string]any{"bills_total": 3_000_000, "insurance_paid": 500_000}, true, "one_off_cash", nil, i64p(1_250_000), 1, "一次性 12,500.00 元"},
			// Verified 500 元 < 1120 元, urban: the rent subsidy of 400 元 a month.
			{"housing", model.ProgramHousing, ppHousehold(model.HukouUrban, ppMember("钱五", "19750808", "self", true, map[string]any{"monthly_income": 50000})),
				map[string]any{"mode": "rent_subsidy"}, true, "monthly_cash", i64p(40000), nil, 1, "每月 400.00 元"},
			{"education", model.ProgramEducation, ppHousehold(model.HukouUrban,
				ppMember("孙六", "19820202", "self", true, map[string]any{"monthly_income": 60000}),
				ppMember("孙小六", "20140909", "child", false, map[string]any{"school": map[string]any{"school_id": service.DemoSchoolID("330502", model.StageCompulsory), "stage": model.StageCompulsory, "grade": "三年级"}})),
				map[string]any{}, true, "voucher", nil, nil, 1, "教育券"},
			{"employment", model.ProgramEmployment, ppHousehold(model.HukouUrban, ppMember("周七", "19900303", "self", true, map[string]any{"work_ability": "full", "monthly_income": 0})),
				map[string]any{}, true, "service", nil, nil, 1, "就业援助"},
		}
		var pupil string
		for _, c := range cases {
			id, resident := ppInvestigated(t, env, sp, c.program, c.household)
			if c.program == model.ProgramEducation {
				pupil = resident
			}
			a := ppAssess(t, env, sp, id, c.assessment)
			if a.Eligible != c.eligible || a.BenefitKind != c.kind || a.PersonsCovered != c.persons || a.Standard != 112000 ||
				!eqI64(a.MonthlyAmount, c.monthly) || !eqI64(a.Amount, c.once) {
				t.Errorf("%s: assessment %+v (monthly %v once %v)", c.name, a, a.MonthlyAmount, a.Amount)
				continue
			}
			ppApproved(t, env, sp, id)
			b := ppResidentBenefit(t, env, resident, id)
			if b.Kind != c.kind || b.Status != "active" || !eqI64(b.MonthlyAmount, c.monthly) || !eqI64(b.Amount, c.once) || !strings.Contains(b.Text, c.text) {
				t.Errorf("%s: benefit %+v", c.name, b)
			}
			if c.monthly != nil {
				start := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 1, 0)
				if want := fmt.Sprintf("自 %d 年 %d 月起", start.Year(), start.Month()); b.Starts != start.Format("2006-01") || !strings.Contains(b.Text, want) {
					t.Errorf("%s: a monthly benefit starts the month after approval: %+v", c.name, b)
				}
			}
		}
		// The education approval issued the pupil's voucher.
		if n := len(vMyVouchers(t, env, ppResident(env, pupil))); n != 1 {
			t.Errorf("the education approval issued %d vouchers, want 1", n)
		}
	})
}

// TestProgramRulesRefuse covers what the programs refuse: an ineligible
// dibao case cannot be publicized or approved; a verified income below the
// declared one needs a reason; tekun over an active dibao of the same
// person is a duplicate hit; only the county rejects during 公示; an urgent
// temporary case is approved by the street without 公示.
func TestProgramRulesRefuse(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		sp := &s

		t.Run("ineligible dibao", func(t *testing.T) {
			id, _ := ppInvestigated(t, env, sp, model.ProgramDibao, ppHousehold(model.HukouUrban,
				ppMember("吴富", "19790101", "self", true, map[string]any{"monthly_income": 150000})))
			r := env.Put("/api/v1/staff/applications/"+id+"/assessment", s.community, ppVisit(env, map[string]any{"per_capita_income": 100000}))
			apitest.Want(t, r, http.StatusUnprocessableEntity)
			if fields, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any); fields["income_reason"] == nil {
				t.Errorf("a lower verified income without a reason must name income_reason: %s", r.Body)
			}
			a := ppAssess(t, env, sp, id, map[string]any{"per_capita_income": 150000})
			if a.Eligible || a.IneligibleReason == "" || a.Declared != 150000 || a.MonthlyAmount == nil || *a.MonthlyAmount != 0 {
				t.Fatalf("assessment %+v", a)
			}
			if r := wfAct(t, env, s.street, id, "publicize", "", http.StatusConflict); r.ErrorCode() != "not_eligible" {
				t.Errorf("publicize: %s", r.Body)
			}
			if r := wfAct(t, env, s.county, id, "approve", "", http.StatusConflict); r.ErrorCode() != "not_eligible" && r.ErrorCode() != "wrong_state" {
				t.Errorf("approve: %s", r.Body)
			}
			// With a reason the lower verified income stands and the case qualifies.
			a = ppAssess(t, env, sp, id, map[string]any{"per_capita_income": 100000, "income_reason": "申报的收入含已终止的临时工资"})
			if !a.Eligible || *a.MonthlyAmount != 12000 {
				t.Errorf("reassessed %+v, want eligible at (1120 − 1000) × 1 = 120 元", a)
			}
		})

		t.Run("only the county rejects during the notice", func(t *testing.T) {
			id, _ := ppInvestigated(t, env, sp, model.ProgramDibao, ppHousehold(model.HukouUrban, ppMember("郑八", "19810101", "self", true, map[string]any{"monthly_income": 30000})))
			ppAssess(t, env, sp, id, map[string]any{"per_capita_income": 30000})
			wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
			wfAct(t, env, s.street, id, "reject", "邻居反映有隐瞒收入", http.StatusForbidden)
			wfAct(t, env, s.county, id, "reject", "核实有隐瞒收入", http.StatusOK)
		})

		t.Run("urgent temporary aid by the street", func(t *testing.T) {
			id, resident := ppInvestigated(t, env, sp, model.ProgramTemporary, ppHousehold(model.HukouUrban, ppMember("冯九", "19880808", "self", true, nil)))
			// Not urgent: the street cannot skip the notice.
			ppAssess(t, env, sp, id, map[string]any{"amount": 300000})
			wfAct(t, env, s.street, id, "approve", "", http.StatusConflict)
			ppAssess(t, env, sp, id, map[string]any{"amount": 300000, "urgent": true})
			wfAct(t, env, s.community, id, "approve", "", http.StatusForbidden)
			wfAct(t, env, s.street, id, "approve", "", http.StatusOK)
			if b := ppResidentBenefit(t, env, resident, id); b.Kind != "one_off_cash" || b.Amount == nil || *b.Amount != 300000 || b.MonthlyAmount != nil {
				t.Errorf("benefit %+v", b)
			}
			entries, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter("application.urgent_approved"), model.PageRequest{Limit: 10})
			if err != nil || len(entries) != 1 || entries[0].RegionCode != "330502" {
				t.Errorf("the county is told of the urgent approval: %+v %v", entries, err)
			}
			if n := wfNotices(t, env, ppCommunity); len(n) != 0 {
				t.Errorf("an urgent case has no notice: %v", n)
			}

			// A one-off is never monthly: not in the published list's monthly
			// column, not in the monthly statistics.
			period := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
			r := env.Post("/api/v1/staff/publications", s.street, map[string]string{"region_code": "330502001", "program": "temporary", "period": period})
			apitest.Want(t, r, http.StatusCreated)
			var pub struct {
				BenefitKind string `json:"benefit_kind"`
				Entries     []struct {
					MonthlyAmount *int64 `json:"monthly_amount"`
					Amount        *int64 `json:"amount"`
				} `json:"entries"`
			}
			r.JSON(t, &pub)
			if pub.BenefitKind != "one_off_cash" || len(pub.Entries) != 1 || pub.Entries[0].MonthlyAmount != nil || pub.Entries[0].Amount == nil || *pub.Entries[0].Amount != 300000 {
				t.Errorf("publication %s", r.Body)
			}
			html := env.Get(fmt.Sprintf("/api/v1/public/publications/%s.html", r.Map(t)["id"]), "")
			apitest.Want(t, html, http.StatusOK)
			if strings.Contains(string(html.Body), "月救助金额") || !strings.Contains(string(html.Body), "一次性救助金额") {
				t.Errorf("the printed list of one-offs heads its amounts as monthly")
			}
			st := stGet(t, env, s.county, "")
			temp := st.program(t, "temporary")
			if temp.MonthlyAmountTotal != 0 || temp.AmountYearTotal != 300000 {
				t.Errorf("temporary in the statistics %+v", temp)
			}
		})

		t.Run("tekun over an active dibao", func(t *testing.T) {
			h := vHousehold(t, env, model.ProgramDibao, ppCommunity, 50000, nil, false)
			resident := vResidentToken(env, h)
			body := ppHousehold(model.HukouUrban, map[string]any{"id": h.MemberIDs[0], "relation": "self", "work_ability": "none", "monthly_income": 0})
			apitest.Want(t, env.Put("/api/v1/me/household", resident, body), http.StatusOK)
			id := ppApply(t, env, sp.community, resident, model.ProgramTekun)
			if a := ppAssess(t, env, sp, id, map[string]any{"support_mode": "centralized", "care_level": "self_care"}); !a.Eligible {
				t.Fatalf("tekun assessment %+v", a)
			}
			wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
			ppNoticeOver(t, env, sp)
			for i := 0; i < 2; i++ {
				if r := wfAct(t, env, s.county, id, "approve", "", http.StatusConflict); r.ErrorCode() != "duplicate_hit" {
					t.Fatalf("approve: %s", r.Body)
				}
			}
			r := env.Get("/api/v1/staff/duplicate-hits?status=open", s.county)
			apitest.Want(t, r, http.StatusOK)
			var hits struct {
				Items []struct {
					Kind, Status  string
					ApplicationID string `json:"application_id"`
				}
			}
			r.JSON(t, &hits)
			if len(hits.Items) != 1 || hits.Items[0].ApplicationID != id || hits.Items[0].Kind != "excluded_pair" {
				t.Errorf("hits %s", r.Body)
			}
		})
	})
}

// TestEmploymentServiceRecords: an approved employment case keeps its
// service records; three suitable offers refused without reason let the
// county reduce dibao; other cases have no service records.
func TestEmploymentServiceRecords(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		sp := &s
		id, _ := ppInvestigated(t, env, sp, model.ProgramEmployment, ppHousehold(model.HukouUrban,
			ppMember("吴十", "19920202", "self", true, map[string]any{"work_ability": "full", "monthly_income": 0})))
		path := "/api/v1/staff/applications/" + id + "/service-records"
		record := func(kind string, without bool, want int) map[string]any {
			t.Helper()
			r := env.Post(path, sp.community, map[string]any{"kind": kind, "note": "社区就业服务站记录", "without_reason": without})
			apitest.Want(t, r, want)
			return r.Map(t)
		}
		record(model.ServiceRegistration, false, http.StatusConflict) // not approved yet
		ppAssess(t, env, sp, id, map[string]any{})
		ppApproved(t, env, sp, id)
		record(model.ServiceRegistration, false, http.StatusCreated)
		record(model.ServiceReferral, false, http.StatusCreated)
		record(model.ServiceReferral, true, http.StatusUnprocessableEntity) // without_reason only on a refusal
		record(model.ServiceOfferRefused, false, http.StatusCreated)        // refused with a reason: not counted
		var last map[string]any
		for i := 0; i < model.RefusedOffersLimit; i++ {
			if got := record(model.ServiceOfferRefused, true, http.StatusCreated); got["may_reduce_dibao"] != (i == model.RefusedOffersLimit-1) {
				t.Fatalf("after %d refusals without reason: %v", i+1, got)
			} else {
				last = got
			}
		}
		if last["refused_without_reason"].(float64) != model.RefusedOffersLimit || len(last["items"].([]any)) != 3+model.RefusedOffersLimit {
			t.Errorf("records %v", last)
		}
		r := env.Get(path, sp.street)
		apitest.Want(t, r, http.StatusOK)
		// The street reads; it does not record.
		apitest.Want(t, env.Post(path, sp.street, map[string]any{"kind": "training", "note": "x"}), http.StatusForbidden)
		// A dibao case has no service records.
		other, _ := ppInvestigated(t, env, sp, model.ProgramDibao, ppHousehold(model.HukouUrban, ppMember("钱十一", "19850101", "self", true, map[string]any{"monthly_income": 0})))
		apitest.Want(t, env.Get("/api/v1/staff/applications/"+other+"/service-records", sp.community), http.StatusConflict)
	})
}
