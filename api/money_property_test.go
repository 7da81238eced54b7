package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// TestMoneyRollsPayAmountsInForce is the property of the payment rolls: for
// random monthly benefits with random amount versions, the lines of a
// year's rolls sum, per benefit and in all, to the amounts in force in
// each month from the benefit's first month.
func TestMoneyRollsPayAmountsInForce(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		seed := time.Now().UnixNano()
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		ctx := context.Background()
		start := model.MonthOf(env.Clock.Now())
		county := model.Principal{Kind: model.PrincipalStaff, ID: "prop-maker", Role: model.RoleCountyApprover, RegionCode: "330502"}
		finance := model.Principal{Kind: model.PrincipalStaff, ID: "prop-checker", Role: model.RoleFinanceOfficer, RegionCode: "330502"}

		want := map[string]int64{} // benefit → the amounts in force, summed
		for i := 0; i < 6+rng.IntN(6); i++ {
			ids, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: "330502001001", Phone: newPhone(), Address: "某街道1号",
				Program: model.ProgramDibao, MonthlyAmount: 1, BankAccount: fmt.Sprintf("62220000%010d", i),
				Members: []apitest.FixtureMember{{Name: "王五", IDNumber: makeID("19700101", true), Relation: "self"}}})
			if err != nil {
				t.Fatal(err)
			}
			first := model.AddMonths(start, 1+rng.IntN(12))
			versions := map[string]int64{first: 1 + rng.Int64N(300000)}
			for j := rng.IntN(4); j > 0; j-- {
				versions[model.AddMonths(first, rng.IntN(14))] = 1 + rng.Int64N(300000)
			}
			id, err := env.InsertBenefit(ctx, apitest.FixtureBenefit{IDs: ids, Program: model.ProgramDibao, RegionCode: "330502001001", FirstMonth: first, Versions: versions})
			if err != nil {
				t.Fatal(err)
			}
			var vs []model.BenefitAmount
			for from, amount := range versions {
				vs = append(vs, model.BenefitAmount{FromMonth: from, Amount: amount})
			}
			for m := first; m <= model.AddMonths(start, 12); m = model.AddMonths(m, 1) {
				a, _ := model.AmountIn(vs, m)
				want[id] += a
			}
		}

		got := map[string]int64{}
		var total, rollTotals int64
		for k := 1; k <= 12; k++ {
			period := model.AddMonths(start, k)
			env.Clock.Set(mnMonthStart(t, period))
			roll, err := env.App.Payments.CreateRoll(model.WithPrincipal(ctx, county), service.RollInput{RegionCode: "330502", Program: model.ProgramDibao, Period: period})
			if err != nil {
				t.Fatalf("roll %s: %v", period, err)
			}
			if _, err := env.App.Payments.Approve(model.WithPrincipal(ctx, finance), roll.ID); err != nil {
				t.Fatalf("approve %s: %v", period, err)
			}
			var results []service.LineResult
			for _, l := range roll.Lines {
				if l.Kind != model.LineMonthly || l.ForMonth != period || l.Status != model.LineScheduled {
					t.Fatalf("line %+v in the roll of %s", l, period)
				}
				got[l.BenefitID] += l.Amount
				total += l.Amount
				results = append(results, service.LineResult{LineID: l.ID, Status: model.LinePaid})
			}
			rollTotals += roll.Total
			if len(results) > 0 {
				if _, err := env.App.Payments.RecordResults(model.WithPrincipal(ctx, finance), roll.ID, results); err != nil {
					t.Fatalf("results %s: %v", period, err)
				}
			}
		}
		var wantTotal int64
		for id, w := range want {
			wantTotal += w
			if got[id] != w {
				t.Errorf("benefit %s: lines %d, amounts in force %d", id, got[id], w)
			}
		}
		if total != wantTotal || rollTotals != wantTotal {
			t.Errorf("lines %d, roll totals %d, amounts in force %d", total, rollTotals, wantTotal)
		}
	})
}
