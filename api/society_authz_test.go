package api_test

import (
	"context"
	"sync"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// soAuthzTargets are the society targets of the authorization matrix: a
// donation at the demo station (吴兴区, "in") and one at a station of 德清县
// ("out"), whose account is stationOut.
type soAuthzTargets struct {
	donationIn, donationOut string
	stationOut              string
}

var soAuthzCache sync.Map // *authzFixture → *soAuthzTargets

func soTargets(f *authzFixture) *soAuthzTargets {
	if v, ok := soAuthzCache.Load(f); ok {
		return v.(*soAuthzTargets)
	}
	t, env := f.t, f.env
	t.Helper()
	ctx := context.Background()
	give := func(stationID string) string {
		p := model.Principal{Kind: model.PrincipalStaff, ID: stationID, Role: model.RoleStation}
		r, err := env.App.Society.RecordDonation(model.WithPrincipal(ctx, p), service.DonationInput{Kind: model.DonationMoney, Amount: 100000})
		if err != nil {
			t.Fatalf("matrix donation: %v", err)
		}
		return r.ID
	}
	out := &soAuthzTargets{stationOut: "m.station.out"}
	acct := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, out.stationOut, model.RoleStation, "330521001")
	bureau := model.Principal{Kind: model.PrincipalStaff, ID: "matrix-bureau", Role: model.RoleCountyApprover, RegionCode: "330521"}
	if _, err := env.App.Society.CreateStation(model.WithPrincipal(ctx, bureau), service.StationInput{Name: "武康街道捐赠站", StaffUsername: out.stationOut}); err != nil {
		t.Fatalf("matrix station: %v", err)
	}
	out.donationIn, out.donationOut = give(f.principals[string(model.RoleStation)].ID), give(acct.ID)
	soAuthzCache.Store(f, out)
	return out
}
