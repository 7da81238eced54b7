package api_test

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// The authorization matrix rows of the society-people staff routes (see
// api/staff_authz_test.go): targets in the matrix staff's community
// (330502001001) and in another county's (330521001001).
type spAuthzTargets struct{ actIn, actOut, profIn, profOut string }

var spAuthzCache sync.Map // *authzFixture → *spAuthzTargets

func spTargets(f *authzFixture) *spAuthzTargets {
	if v, ok := spAuthzCache.Load(f); ok {
		return v.(*spAuthzTargets)
	}
	t, env := f.t, f.env
	t.Helper()
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	activity := func(community string) string {
		p := model.Principal{Kind: model.PrincipalStaff, ID: "matrix-worker", Role: model.RoleCommunityWorker, RegionCode: community}
		start := env.Clock.Now().Add(24 * time.Hour) // not started: logging hours answers 409
		v, err := env.App.Volunteers.PostActivity(model.WithPrincipal(context.Background(), p), service.ActivityInput{RegionCode: community,
			Kind: model.ActivityFormHelp, Title: "帮助填表", Place: "社区服务中心", StartsAt: start, EndsAt: start.Add(time.Hour), Slots: 3})
		if err != nil {
			t.Fatalf("matrix activity: %v", err)
		}
		return v.ID
	}
	profile := func(community string) string {
		h := vHousehold(t, env, model.ProgramDibao, community, 80000, [][2]string{{school, model.StageCompulsory}}, false)
		p := model.Principal{Kind: model.PrincipalResident, ID: h.ResidentID}
		v, err := env.App.Pairing.Consent(model.WithPrincipal(context.Background(), p), service.ConsentInput{MemberID: h.MemberIDs[1], Need: "需要学习用品"})
		if err != nil {
			t.Fatalf("matrix consent: %v", err)
		}
		return v.ID
	}
	out := &spAuthzTargets{actIn: activity("330502001001"), actOut: activity("330521001001"), profIn: profile("330502001001"), profOut: profile("330521001001")}
	spAuthzCache.Store(f, out)
	return out
}

var (
	mxActivityReaders = []model.Role{model.RoleCommunityWorker, model.RoleStreetReviewer, model.RoleCountyApprover, model.RoleAuditor}
	mxPairingReaders  = []model.Role{model.RoleCountyApprover, model.RoleEducationOfficer}
)

func init() {
	rows := map[string]authzRow{
		"GET /api/v1/staff/volunteer-activities": {roles: mxActivityReaders, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/volunteer-activities") }},
		"POST /api/v1/staff/volunteer-activities": {roles: mxCommunity, ok: []int{http.StatusCreated},
			req: func(f *authzFixture, in bool) apitest.Request {
				start := f.env.Clock.Now().Add(48 * time.Hour)
				return mxSend(http.MethodPost, "/api/v1/staff/volunteer-activities", map[string]any{"region_code": "330502001001", "kind": "other",
					"title": "社区服务", "place": "社区服务中心", "starts_at": start, "ends_at": start.Add(time.Hour), "slots": 2})
			}},
		"GET /api/v1/staff/volunteer-activities/:id": {roles: mxActivityReaders, scoped: true, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := spTargets(f)
				return mxGet("/api/v1/staff/volunteer-activities/" + mxPick(in, t.actIn, t.actOut))
			}},
		"POST /api/v1/staff/volunteer-activities/:id/hours": {roles: mxCommunity, scoped: true, ok: []int{http.StatusConflict},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := spTargets(f)
				return mxSend(http.MethodPost, "/api/v1/staff/volunteer-activities/"+mxPick(in, t.actIn, t.actOut)+"/hours",
					map[string]any{"volunteer_id": "nobody", "hours": 1})
			}},
		"GET /api/v1/staff/pairing-profiles": {roles: mxPairingReaders, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/pairing-profiles") }},
		"PUT /api/v1/staff/pairing-profiles/:id/need": {roles: mxCommunity, scoped: true, ok: []int{http.StatusOK},
			req: func(f *authzFixture, in bool) apitest.Request {
				t := spTargets(f)
				return mxSend(http.MethodPut, "/api/v1/staff/pairing-profiles/"+mxPick(in, t.profIn, t.profOut)+"/need", map[string]any{"need": "需要学习用品和冬衣"})
			}},
	}
	for k, row := range rows {
		staffMatrix[k] = row
	}
}
