package api_test

import (
	"context"
	"sync"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// vAuthzTargets are the issue-5 targets of the authorization matrix: a
// publication and a voucher inside 吴兴区 (330502) and outside it (德清县,
// 330521). They are made once per matrix fixture, on first use.
type vAuthzTargets struct {
	pubIn, pubOut         string
	voucherIn, voucherOut string
}

// vAuthzCache holds the targets per fixture (the two backend runs each
// have their own).
var vAuthzCache sync.Map // *authzFixture → *vAuthzTargets

func vTargets(f *authzFixture) *vAuthzTargets {
	if v, ok := vAuthzCache.Load(f); ok {
		return v.(*vAuthzTargets)
	}
	t, env := f.t, f.env
	t.Helper()
	ctx := context.Background()
	out := &vAuthzTargets{}
	publish := func(region string) string {
		p := model.Principal{Kind: model.PrincipalStaff, ID: "matrix", Role: model.RoleStreetReviewer, RegionCode: region}
		view, err := env.App.Publications.Create(model.WithPrincipal(ctx, p), service.PublicationInput{RegionCode: region, Program: model.ProgramDibao, Period: env.Clock.Now().Format("2006-01")})
		if err != nil {
			t.Fatalf("matrix publication: %v", err)
		}
		return view.ID
	}
	out.pubIn, out.pubOut = publish("330502001"), publish("330521001")
	code := func(community, county string) string {
		h := vHousehold(t, env, model.ProgramDibao, community, 50000, [][2]string{{service.DemoSchoolID(county, model.StageCompulsory), model.StageCompulsory}}, false)
		vs, err := env.App.Vouchers.Mine(model.WithPrincipal(ctx, model.Principal{Kind: model.PrincipalResident, ID: h.ResidentID}))
		if err != nil || len(vs) != 1 {
			t.Fatalf("matrix voucher: %v %v", vs, err)
		}
		return vs[0].Code
	}
	out.voucherIn, out.voucherOut = code("330502001001", "330502"), code("330521001001", "330521")
	v, _ := vAuthzCache.LoadOrStore(f, out)
	return v.(*vAuthzTargets)
}
