package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
)

// rvAudit returns the audit rows of one action on one target.
func rvAudit(t *testing.T, env *apitest.Env, action, targetID string) []model.AuditEntry {
	t.Helper()
	rows, err := env.Backends.DB.AuditEntries(context.Background(), storage.AuditFilter{Action: action, TargetID: targetID}, model.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// rvOutcomes counts audit rows by outcome.
func rvOutcomes(rows []model.AuditEntry) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[r.Outcome]++
	}
	return out
}

// rvConcurrently sends n copies of a request at once and counts the
// statuses.
func rvConcurrently(env *apitest.Env, n int, req func(i int) apitest.Request) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := map[int]int{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := env.Do(req(i))
			mu.Lock()
			got[r.Status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return got
}

// An admin of a county manages the accounts of its county only: the city's
// accounts (its parent region) are as unknown to it as another county's.
func TestReviewCountyAdminCannotManageCityAccounts(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		city := wfDemo(t, env, "admin")
		cityAuditor := wfDemo(t, env, "auditor")
		county := wfNewStaff(t, env, city.Token, "rv.countyadmin", model.RoleAdmin, "330502")
		for _, target := range []string{city.ID, cityAuditor.ID} {
			for _, req := range []apitest.Request{
				{Method: http.MethodPost, Path: "/api/v1/staff/accounts/" + target + "/disable"},
				{Method: http.MethodPost, Path: "/api/v1/staff/accounts/" + target + "/enable"},
				{Method: http.MethodPost, Path: "/api/v1/staff/accounts/" + target + "/password", Body: map[string]string{"password": "taken-over-123"}},
				{Method: http.MethodDelete, Path: "/api/v1/staff/accounts/" + target + "/totp"},
			} {
				req.Token = county.Token
				apitest.Want(t, env.Do(req), http.StatusNotFound)
			}
		}
		apitest.Want(t, env.Post("/api/v1/staff/accounts", county.Token, map[string]any{"username": "rv.citymade", "password": wfPassword,
			"role": model.RoleAdmin, "region_code": "330500"}), http.StatusNotFound)
		r := env.Get("/api/v1/staff/accounts?limit=100", county.Token)
		apitest.Want(t, r, http.StatusOK)
		for _, it := range r.Map(t)["items"].([]any) {
			if rc := it.(map[string]any)["region_code"].(string); !strings.HasPrefix(rc, "330502") {
				t.Errorf("county admin lists an account of %s", rc)
			}
		}
		// The city accounts are untouched: they still log in with their password.
		wfDemo(t, env, "admin")
		wfDemo(t, env, "auditor")
	})
}

// Publications: a street reviewer cannot withdraw its county's list (a
// region above its own); of concurrent withdrawals exactly one wins and
// exactly one success row lands on the audit trail.
func TestReviewPublicationWithdrawScopeAndRace(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, nil, false)
		county := wfDemo(t, env, "county").Token
		street := wfDemo(t, env, "street").Token
		r := env.Post("/api/v1/staff/publications", county, map[string]string{"region_code": "330502", "program": "dibao", "period": env.Clock.Now().Format("2006-01")})
		apitest.Want(t, r, http.StatusCreated)
		id := r.Map(t)["id"].(string)
		apitest.Want(t, env.Post("/api/v1/staff/publications/"+id+"/withdraw", street, map[string]string{"reason": "名单有误"}), http.StatusNotFound)

		got := rvConcurrently(env, 8, func(i int) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/publications/" + id + "/withdraw", Token: county, Body: map[string]string{"reason": "名单有误"}}
		})
		if got[http.StatusOK] != 1 || got[http.StatusConflict] != 7 {
			t.Errorf("concurrent withdrawals: %v, want one 200 and seven 409", got)
		}
		if o := rvOutcomes(rvAudit(t, env, string(model.ActPublicationsWithdraw), id)); o[model.OutcomeSuccess] != 1 {
			t.Errorf("withdraw audit rows %v, want exactly one success", o)
		}
	})
}

// Vouchers: an education officer of another county cannot void; of
// concurrent voids exactly one wins, with one success audit row; a
// redemption of the voided voucher is refused and leaves no redemption.
func TestReviewVoucherVoidScopeRaceAndAudit(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		city := wfDemo(t, env, "admin").Token
		education := wfDemo(t, env, "education").Token
		other := wfNewStaff(t, env, city, "rv.edu.deqing", model.RoleEducationOfficer, "330521").Token
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", education, map[string]any{"term": model.TermOf(env.Clock.Now()), "stage": model.StageCompulsory,
			"items": map[string]int64{"misc_fee": 50000}}), http.StatusOK)
		h := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{vCompulsory}, false)
		code := vMyVouchers(t, env, vResidentToken(env, h))[0].Code
		apitest.Want(t, env.Post("/api/v1/staff/vouchers/"+code+"/void", other, map[string]string{"reason": "转学"}), http.StatusNotFound)
		apitest.Want(t, env.Post("/api/v1/staff/vouchers/"+code+"/reissue", other, map[string]string{"reason": "转学"}), http.StatusNotFound)

		got := rvConcurrently(env, 8, func(i int) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/vouchers/" + code + "/void", Token: education, Body: map[string]string{"reason": "重复发放"}}
		})
		if got[http.StatusOK] != 1 || got[http.StatusConflict] != 7 {
			t.Errorf("concurrent voids: %v, want one 200 and seven 409", got)
		}
		canonical, err := model.ParseVoucherCode(code)
		if err != nil {
			t.Fatal(err)
		}
		vo, err := env.Backends.DB.VoucherByCode(context.Background(), canonical)
		if err != nil {
			t.Fatal(err)
		}
		voucherID := vo.ID
		if o := rvOutcomes(rvAudit(t, env, "vouchers.void", voucherID)); o[model.OutcomeSuccess] != 1 {
			t.Errorf("void audit rows %v, want exactly one success", o)
		}
		school := wfDemo(t, env, "school").Token
		r := env.Post("/api/v1/school/vouchers/"+code+"/redemptions", school, map[string]any{"items": map[string]int64{"misc_fee": 100}})
		apitest.Want(t, r, http.StatusConflict)
		if o := rvOutcomes(rvAudit(t, env, "school.vouchers.redeem", voucherID)); o[model.OutcomeSuccess] != 0 || o[model.OutcomeFailure] != 1 {
			t.Errorf("redeem audit rows %v, want one failure and no success", o)
		}
	})
}

// A school operator sees and redeems only its own school's vouchers, and
// its statement holds only its own redemptions.
func TestReviewSchoolOperatorOwnSchoolOnly(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		education := wfDemo(t, env, "education").Token
		term := model.TermOf(env.Clock.Now())
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", education, map[string]any{"term": term, "stage": model.StageCompulsory,
			"items": map[string]int64{"misc_fee": 50000}}), http.StatusOK)
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", education, map[string]any{"term": term, "stage": model.StageSeniorHigh,
			"items": map[string]int64{"tuition": 50000}}), http.StatusOK)
		h := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{vCompulsory, vSeniorHigh}, false)
		vs := vMyVouchers(t, env, vResidentToken(env, h))
		own, foreign := vVoucherOf(t, vs, model.StageCompulsory), vVoucherOf(t, vs, model.StageSeniorHigh)
		school := wfDemo(t, env, "school").Token
		apitest.Want(t, env.Get("/api/v1/school/vouchers/"+foreign.Code, school), http.StatusForbidden)
		apitest.Want(t, env.Post("/api/v1/school/vouchers/"+foreign.Code+"/redemptions", school, map[string]any{"items": map[string]int64{"tuition": 100}}), http.StatusForbidden)
		apitest.Want(t, env.Post("/api/v1/school/vouchers/"+own.Code+"/redemptions", school, map[string]any{"items": map[string]int64{"misc_fee": 100}}), http.StatusCreated)
		high := vSchoolSession(env, "rv-high-operator", vSeniorHigh[0])
		apitest.Want(t, env.Post("/api/v1/school/vouchers/"+foreign.Code+"/redemptions", high, map[string]any{"items": map[string]int64{"tuition": 200}}), http.StatusCreated)

		r := env.Get("/api/v1/school/statements?term="+term, school)
		apitest.Want(t, r, http.StatusOK)
		var st service.SchoolStatement
		r.JSON(t, &st)
		if st.SchoolID != vCompulsory[0] || len(st.Items) != 1 || st.Items[0].Code != own.Code || st.Total != 100 {
			t.Errorf("statement of the compulsory school: %+v", st)
		}
	})
}

// Region checks of the other staff reads: a county auditor asking for the
// city's audit trail, a county approver asking for the city's medical list.
func TestReviewParentRegionIsOutOfScope(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		city := wfDemo(t, env, "admin").Token
		auditor := wfNewStaff(t, env, city, "rv.auditor", model.RoleAuditor, "330502").Token
		county := wfDemo(t, env, "county").Token
		apitest.Want(t, env.Get("/api/v1/staff/audit?region_code=330500", auditor), http.StatusNotFound)
		apitest.Want(t, env.Get("/api/v1/staff/medical-list?region_code=330500", county), http.StatusNotFound)
		apitest.Want(t, env.Get("/api/v1/staff/medical-list.xlsx?region_code=330500", county), http.StatusNotFound)
		r := env.Get("/api/v1/staff/audit?limit=100", auditor)
		apitest.Want(t, r, http.StatusOK)
		for _, it := range r.Map(t)["items"].([]any) {
			if rc := it.(map[string]any)["region_code"].(string); !strings.HasPrefix(rc, "330502") {
				t.Errorf("county auditor reads an audit row of %s", rc)
			}
		}
	})
}

// A step refused for its level is audited as denied even when the id in
// the path is longer than any id (it used to fail the audit insert on
// MariaDB and answer 500).
func TestReviewDeniedStepWithOverlongIDIsAudited(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community := wfDemo(t, env, "community").Token
		id := strings.Repeat("A", 300)
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/applications/" + id + "/actions", Token: community,
			Body: map[string]string{"action": "approve"}, NoCheck: true})
		apitest.Want(t, r, http.StatusForbidden)
		rows := rvAudit(t, env, "application.approve", id[:64])
		if o := rvOutcomes(rows); o[model.OutcomeDenied] != 1 {
			t.Errorf("denied approve audit rows %v, want one denied", o)
		}
	})
}

// Voucher caps hold for every school of the city: an education officer of
// one county may not change them for all the others.
func TestReviewVoucherCapsAreCityWide(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		city := wfDemo(t, env, "admin").Token
		cityEdu := wfDemo(t, env, "education").Token
		countyEdu := wfNewStaff(t, env, city, "rv.edu.wuxing", model.RoleEducationOfficer, "330502").Token
		term := model.TermOf(env.Clock.Now())
		body := func(fen int64) map[string]any {
			return map[string]any{"term": term, "stage": model.StageSpecial, "items": map[string]int64{"nursery_fee": fen}}
		}
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", cityEdu, body(50000)), http.StatusOK)
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", countyEdu, body(1)), http.StatusForbidden)
		caps, err := env.Backends.DB.VoucherCaps(context.Background(), term, model.StageSpecial)
		if err != nil {
			t.Fatal(err)
		}
		if caps[model.ItemNurseryFee] != 50000 {
			t.Errorf("nursery fee cap %d after a county officer's attempt, want 50000", caps[model.ItemNurseryFee])
		}
	})
}
