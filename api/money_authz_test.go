package api_test

import (
	"context"
	"sync"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// mnAuthzTargets are the payment rolls of the authorization matrix: one in
// the matrix staff's county (330502) and one elsewhere (330521), both made
// by a county approver of that county.
type mnAuthzTargets struct{ rollIn, rollOut string }

var mnAuthzCache sync.Map // *authzFixture → *mnAuthzTargets

func mnTargets(f *authzFixture) *mnAuthzTargets {
	if v, ok := mnAuthzCache.Load(f); ok {
		return v.(*mnAuthzTargets)
	}
	t, env := f.t, f.env
	t.Helper()
	mk := func(county string) string {
		p := model.Principal{Kind: model.PrincipalStaff, ID: "matrix-maker", Role: model.RoleCountyApprover, RegionCode: county}
		v, err := env.App.Payments.CreateRoll(model.WithPrincipal(context.Background(), p),
			service.RollInput{RegionCode: county, Program: model.ProgramTemporary, Period: model.MonthOf(env.Clock.Now())})
		if err != nil {
			t.Fatalf("matrix roll: %v", err)
		}
		return v.ID
	}
	out := &mnAuthzTargets{rollIn: mk("330502"), rollOut: mk("330521")}
	mnAuthzCache.Store(f, out)
	return out
}
