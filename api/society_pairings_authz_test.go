package api_test

import (
	"context"
	"net/http"
	"sync"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// The authorization matrix rows of the 结对助学 matching routes (see
// api/staff_authz_test.go): a pairing of a child in 吴兴区 ("in") and one in
// 德清县 ("out"), each with a profile that is paired already.
type pmAuthzTargets struct{ profIn, profOut, pairIn, pairOut, donorIn string }

var pmAuthzCache sync.Map // *authzFixture → *pmAuthzTargets

func pmTargets(f *authzFixture) *pmAuthzTargets {
	if v, ok := pmAuthzCache.Load(f); ok {
		return v.(*pmAuthzTargets)
	}
	t, env := f.t, f.env
	t.Helper()
	ctx := context.Background()
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	pair := func(community string) (string, string, string) {
		h := vHousehold(t, env, model.ProgramDibao, community, 80000, [][2]string{{school, model.StageCompulsory}}, false)
		res := model.Principal{Kind: model.PrincipalResident, ID: h.ResidentID}
		prof, err := env.App.Pairing.Consent(model.WithPrincipal(ctx, res), service.ConsentInput{MemberID: h.MemberIDs[1], Need: "需要学习用品", Letters: true})
		if err != nil {
			t.Fatalf("matrix consent: %v", err)
		}
		bureau := model.WithPrincipal(ctx, model.Principal{Kind: model.PrincipalStaff, ID: "matrix-bureau", Role: model.RoleCountyApprover, RegionCode: community[:6]})
		donor, err := env.App.Society.RegisterDonor(bureau, service.DonorInput{Kind: model.DonorCompany, Name: f.next("矩阵助学企业"), Phone: "13900007777"})
		if err != nil {
			t.Fatalf("matrix donor: %v", err)
		}
		p, err := env.App.Society.Match(bureau, service.MatchInput{ProfileID: prof.ID, DonorID: donor.ID, DonorLetters: true})
		if err != nil {
			t.Fatalf("matrix pairing: %v", err)
		}
		return prof.ID, p.ID, donor.ID
	}
	out := &pmAuthzTargets{}
	out.profIn, out.pairIn, out.donorIn = pair("330502001001")
	out.profOut, out.pairOut, _ = pair("330521001001")
	pmAuthzCache.Store(f, out)
	return out
}

func init() {
	rows := map[string]authzRow{
		"GET /api/v1/staff/society/pairings": {roles: mxCounty, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/society/pairings") }},
		// Both children are paired already: 409 in region, 404 out of it.
		"POST /api/v1/staff/society/pairings": {roles: mxCounty, scoped: true, ok: []int{http.StatusConflict},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := pmTargets(f)
				return mxSend(http.MethodPost, "/api/v1/staff/society/pairings", map[string]any{"profile_id": mxPick(in, t.profIn, t.profOut), "donor_id": t.donorIn})
			}},
		"GET /api/v1/staff/society/pairings/:id": {roles: mxCounty, scoped: true, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := pmTargets(f)
				return mxGet("/api/v1/staff/society/pairings/" + mxPick(in, t.pairIn, t.pairOut))
			}},
		"POST /api/v1/staff/society/pairings/:id/payments": {roles: mxCounty, scoped: true, ok: []int{http.StatusUnprocessableEntity},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := pmTargets(f)
				return mxSend(http.MethodPost, "/api/v1/staff/society/pairings/"+mxPick(in, t.pairIn, t.pairOut)+"/payments", map[string]any{"amount": 100})
			}},
		"POST /api/v1/staff/society/pairings/:id/letters/stop": {roles: mxCounty, scoped: true, ok: []int{http.StatusOK, http.StatusConflict},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := pmTargets(f)
				return mxSend(http.MethodPost, "/api/v1/staff/society/pairings/"+mxPick(in, t.pairIn, t.pairOut)+"/letters/stop", map[string]any{"reason": "矩阵测试"})
			}},
		"GET /api/v1/staff/applications/:id/donations": {roles: mxReaders, scoped: true, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request {
				return mxGet("/api/v1/staff/applications/" + mxPick(in, f.appIn, f.appOut) + "/donations")
			}},
	}
	for k, row := range rows {
		staffMatrix[k] = row
	}
}
