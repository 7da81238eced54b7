package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/app"
	"github.com/jiuzhu/jiuzhu/config"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

func jsonID(body []byte) (string, error) {
	var v struct{ ID string }
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("no id in %.200s", body)
	}
	return v.ID, nil
}

// voucherFixture writes n approved dibao households with one pupil each
// at the demo county's primary school straight to the database (the test
// fixture apitest.Env.InsertHousehold, as a second instance of the app
// over the same backends would) and issues their vouchers through
// Vouchers.IssueForApplication, the approval's own path. It returns the
// codes.
func (b *Bench) voucherFixture(ctx context.Context, n int) ([]string, error) {
	cfg, err := config.Load("", func(k string) string { return b.serverEnv[k] })
	if err != nil {
		return nil, err
	}
	backends, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer backends.Close()
	clock := &apitest.Clock{}
	clock.Set(time.Now().UTC().Add(-time.Minute))
	built, err := app.Build(cfg, backends, slog.New(slog.DiscardHandler), app.Options{Clock: clock})
	if err != nil {
		return nil, err
	}
	env := &apitest.Env{Config: cfg, Clock: clock, Backends: backends}
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	parents := time.Date(1975, 1, 1, 0, 0, 0, 0, time.UTC)
	pupils := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	err = parallel(ctx, n, 4, func(ctx context.Context, i int) error {
		ids, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: "330502001001", Phone: fmt.Sprintf("137%08d", 10_000_000+i),
			Address: "湖州市吴兴区月河街道南门社区5幢101室", Program: model.ProgramDibao, MonthlyAmount: 30000,
			Members: []apitest.FixtureMember{
				{Name: "李四", IDNumber: idNumber(i, parents), Relation: "self"},
				{Name: "李小四", IDNumber: idNumber(i, pupils), Relation: "child", SchoolID: school, Stage: model.StageCompulsory},
			}})
		if err != nil {
			return fmt.Errorf("voucher fixture: %w", err)
		}
		return built.App.Vouchers.IssueForApplication(ctx, ids.ApplicationID)
	})
	if err != nil {
		return nil, err
	}
	rows, err := b.status.QueryContext(ctx, "SELECT code FROM jiuzhu.vouchers WHERE status = 'issued' AND school_id = ? ORDER BY id", school)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	if len(codes) != n {
		return nil, fmt.Errorf("voucher fixture: %d codes issued, want %d", len(codes), n)
	}
	return codes, rows.Err()
}

// lineVouchers: each round, V vouchers × 10 racing redemption attempts
// (the attempts of one voucher are next to each other in the queue, so the
// clients race on it); exactly V must succeed, one per voucher.
func (b *Bench) lineVouchers(ctx context.Context) error {
	v := b.opt.Vouchers
	b.logf("issuing %d vouchers (fixture households, IssueForApplication)", v*b.opt.Rounds)
	codes, err := b.voucherFixture(ctx, v*b.opt.Rounds)
	if err != nil {
		return err
	}
	tokens := make([]string, b.opt.Clients)
	for i := range tokens {
		if tokens[i], err = b.loginStaff(ctx, "school"); err != nil {
			return err
		}
	}
	const attempts = 10
	count := Line{Name: fmt.Sprintf("redemptions of %d vouchers × %d attempts", v, attempts), Unit: "redemptions", Target: Target{EveryRound, float64(v)}}
	line := Line{Name: "redeem voucher (10 racing attempts each)", Unit: "redemptions/s", RawName: "autocommit INSERT", Target: Target{RatioAtLeast, 0.5}}
	var cost Cost
	for r := range b.opt.Rounds {
		round := codes[r*v : (r+1)*v]
		wins := make([]atomic.Int32, v)
		var conflicts atomic.Int64
		var next atomic.Int64
		var mu sync.Mutex
		other := map[int]int{}
		res := b.measured(ctx, &cost, func() RunResult {
			return closedLoop(ctx, b.opt.Clients, time.Hour, func(ctx context.Context, w int) error {
				j := int(next.Add(1) - 1)
				if j >= v*attempts {
					return errExhausted
				}
				k := j / attempts
				st, body, err := b.cl.Do(ctx, Call{Method: http.MethodPost, Path: "/api/v1/school/redemptions", Token: tokens[w],
					Header: map[string]string{"Idempotency-Key": randomHex(12)},
					JSON:   map[string]any{"code": round[k], "items": map[string]int64{model.ItemMiscFee: 10000}}})
				if err != nil {
					return err
				}
				switch {
				case st == http.StatusCreated:
					wins[k].Add(1)
					return nil
				case st == http.StatusConflict && strings.Contains(string(body), "voucher_already_redeemed"):
					conflicts.Add(1)
					return errLost
				}
				mu.Lock()
				other[st]++
				mu.Unlock()
				return statusError{st, string(body)}
			})
		})
		total, bad := 0, 0
		for k := range wins {
			n := int(wins[k].Load())
			total += n
			if n != 1 {
				bad++
			}
		}
		rate := float64(total) / res.Elapsed.Seconds()
		b.logf("redeem round %d: %d redemptions of %d vouchers in %s (%s/s), %d lost races (409), other answers %v",
			r+1, total, v, res.Elapsed.Round(time.Millisecond), trimFloat(rate), conflicts.Load(), other)
		if total != v || bad != 0 {
			b.asserts = append(b.asserts, fmt.Sprintf("round %d: %d redemptions of %d vouchers, %d vouchers without exactly one", r+1, total, v, bad))
		}
		count.Values = append(count.Values, float64(total))
		line.Values = append(line.Values, rate)
	}
	// Every attempt is a request; the cost per redemption is what
	// matters, so count per successful redemption (10 attempts each).
	line.RawValues = b.rawInsert
	line.Evidence = append(cost.Evidence(b.cores, b.rawFsyncs), "the per-request figures count per successful redemption; each includes its 9 lost races (409)")
	b.report.Lines = append(b.report.Lines, count, line)
	return nil
}

// errLost is a lost race: the expected answer for 9 of 10 attempts; it is
// not a failure, but not a redemption either.
var errLost = errNotCounted("lost race")

type errNotCounted string

func (e errNotCounted) Error() string { return string(e) }
