package api_test

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// BenchmarkPaymentRoll50k makes, approves and exports the bank file of a
// roll of 50,000 lines. Targets: under 10 s and under 256 MiB of resident
// set growth for the whole run.
func BenchmarkPaymentRoll50k(b *testing.B) {
	const (
		lines      = 50_000
		households = 200
		timeLimit  = 10 * time.Second
		memLimit   = 256 << 20
	)
	env := apitest.New(b, "embedded")
	ctx := context.Background()
	month := model.MonthOf(env.Clock.Now())
	hh := benchHouseholds(b, env, households, 1)
	county := model.Principal{Kind: model.PrincipalStaff, ID: "bench-maker", Role: model.RoleCountyApprover, RegionCode: "330502"}
	finance := model.Principal{Kind: model.PrincipalStaff, ID: "bench-checker", Role: model.RoleFinanceOfficer, RegionCode: "330502"}
	var run peakRun
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Each round pays another month (one roll per county, program and
		// month), so each round adds its own 50,000 benefits starting then.
		period := model.AddMonths(month, -i)
		fs := make([]apitest.FixtureBenefit, lines)
		for j := range fs {
			h := hh[j%households]
			h.ApplicationID = ""
			fs[j] = apitest.FixtureBenefit{IDs: h, Program: model.ProgramTemporary, RegionCode: "330502001001", FirstMonth: period,
				Versions: map[string]int64{period: 10000 + int64(j%5000)}}
		}
		if _, err := env.InsertBenefits(ctx, fs); err != nil {
			b.Fatal(err)
		}
		fs = nil
		run.measure(b, func() int64 {
			roll, err := env.App.Payments.CreateRoll(model.WithPrincipal(ctx, county), service.RollInput{RegionCode: "330502", Program: model.ProgramTemporary, Period: period})
			if err != nil {
				b.Fatal(err)
			}
			if roll.LineCount != lines {
				b.Fatalf("roll of %d lines, want %d", roll.LineCount, lines)
			}
			id := roll.ID
			roll = service.RollView{}
			if _, err := env.App.Payments.Approve(model.WithPrincipal(ctx, finance), id); err != nil {
				b.Fatal(err)
			}
			var out countingWriter
			if err := env.App.Payments.ExportCSV(model.WithPrincipal(ctx, finance), id, &out); err != nil {
				b.Fatal(err)
			}
			return out.n
		})
		b.StartTimer()
	}
	run.report(b, "s/roll", fmt.Sprintf("a roll of %d lines (make, approve, export)", lines), timeLimit, memLimit)
}

// benchHouseholds inserts n approved dibao households of one member with a
// bank account in a community of Wuxing (fixtures, straight to the database).
func benchHouseholds(b *testing.B, env *apitest.Env, n int, monthly int64) []apitest.FixtureIDs {
	b.Helper()
	hh := make([]apitest.FixtureIDs, 0, n)
	for i := 0; i < n; i++ {
		ids, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: newPhone(), Address: "某街道1号",
			Program: model.ProgramDibao, MonthlyAmount: monthly, BankAccount: fmt.Sprintf("62220000%010d", i),
			Members: []apitest.FixtureMember{{Name: "王五", IDNumber: makeID(fmt.Sprintf("1970%02d%02d", 1+i%12, 1+i/12), true), Relation: "self"}}})
		if err != nil {
			b.Fatal(err)
		}
		hh = append(hh, ids)
	}
	return hh
}

// peakRun is the worst of a benchmark's timed runs: wall time and how far
// the resident set's peak rose above the RSS before the run.
type peakRun struct {
	worst  time.Duration
	growth float64
}

// measure times one run of fn with the benchmark timer on (it is off
// around it); fn returns the bytes it produced.
func (p *peakRun) measure(b *testing.B, fn func() int64) {
	b.Helper()
	// Return the fixtures' garbage to the OS first: a heap already grown by
	// them would absorb the run and hide its growth.
	debug.FreeOSMemory()
	resetPeakRSS()
	before := procStatus(b, "VmRSS")
	b.StartTimer()
	began := time.Now()
	n := fn()
	took := time.Since(began)
	b.StopTimer()
	p.worst = max(p.worst, took)
	p.growth = max(p.growth, float64(procStatus(b, "VmHWM")-before))
	b.SetBytes(n)
}

// report reports the worst time (as unit) and the peak RSS growth, and
// fails the benchmark past the targets.
func (p peakRun) report(b *testing.B, unit, what string, timeLimit time.Duration, memLimit int64) {
	b.Helper()
	b.ReportMetric(p.worst.Seconds(), unit)
	b.ReportMetric(p.growth/(1<<20), "peak-rss-growth-MiB")
	if p.worst > timeLimit {
		b.Errorf("%s took %s, over the %s target", what, p.worst, timeLimit)
	}
	if p.growth > float64(memLimit) {
		b.Errorf("%s: resident set grew by %.1f MiB, over the %d MiB target", what, p.growth/(1<<20), memLimit>>20)
	}
}
