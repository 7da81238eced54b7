package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2, 2, 9}, 2},
	}
	for _, c := range cases {
		in := append([]float64(nil), c.in...)
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Fatalf("Median sorted its argument: %v", c.in)
			}
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestPercentile(t *testing.T) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	for p, want := range map[float64]float64{50: 50, 99: 99, 100: 100, 0: 1, 1: 1} {
		if got := Percentile(xs, p); got != want {
			t.Errorf("Percentile(1..100, %v) = %v, want %v", p, got, want)
		}
	}
	if got := Percentile([]float64{7}, 99); got != 7 {
		t.Errorf("one value: %v", got)
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("empty is not NaN")
	}
}

func TestVerdicts(t *testing.T) {
	cases := []struct {
		name string
		line Line
		want Verdict
		rat  string
	}{
		{"ratio met", Line{Values: []float64{60, 50, 55}, RawValues: []float64{100, 100, 90}, Target: Target{RatioAtLeast, 0.5}}, Met, "0.55×"},
		{"ratio exactly at bound", Line{Values: []float64{50}, RawValues: []float64{100}, Target: Target{RatioAtLeast, 0.5}}, Met, "0.5×"},
		{"ratio missed", Line{Values: []float64{3.4}, RawValues: []float64{100}, Target: Target{RatioAtLeast, 0.5}}, NotMet, "0.034×"},
		{"ratio without raw", Line{Values: []float64{1}, Target: Target{RatioAtLeast, 0.5}}, NotMeasured, "—"},
		{"below met", Line{Values: []float64{10, 49.9, 80}, Target: Target{Below, 50}}, Met, "—"},
		{"below is strict", Line{Values: []float64{50}, Target: Target{Below, 50}}, NotMet, "—"},
		{"every round met", Line{Values: []float64{1000, 1000, 1000}, Target: Target{EveryRound, 1000}}, Met, "—"},
		{"one round off", Line{Values: []float64{1000, 999, 1000}, Target: Target{EveryRound, 1000}}, NotMet, "—"},
		{"score at least met at bound", Line{Values: []float64{100, 99, 100}, Target: Target{AtLeast, 100}}, Met, "—"},
		{"score at least missed", Line{Values: []float64{89, 91, 88}, Target: Target{AtLeast, 90}}, NotMet, "—"},
		{"budget at most met at bound", Line{Values: []float64{150}, Target: Target{AtMost, 150}}, Met, "—"},
		{"budget at most missed", Line{Values: []float64{150.1}, Target: Target{AtMost, 150}}, NotMet, "—"},
		{"info", Line{Values: []float64{1}}, Information, "—"},
		{"error", Line{Err: "boom", Target: Target{Below, 1}}, NotMeasured, "—"},
		{"no values", Line{Target: Target{Below, 1}}, NotMeasured, "—"},
	}
	for _, c := range cases {
		if got := c.line.Verdict(); got != c.want {
			t.Errorf("%s: verdict %q, want %q", c.name, got, c.want)
		}
		if got := c.line.ratioText(); got != c.rat {
			t.Errorf("%s: ratio %q, want %q", c.name, got, c.rat)
		}
	}
}

func TestReportFailed(t *testing.T) {
	r := Report{Lines: []Line{
		{Name: "ok", Values: []float64{1}, RawValues: []float64{1}, Target: Target{RatioAtLeast, 0.5}},
		{Name: "slow", Values: []float64{1}, RawValues: []float64{10}, Target: Target{RatioAtLeast, 0.5}},
		{Name: "info", Values: []float64{1}},
		{Name: "info broken", Err: "x"},
		{Name: "broken", Err: "x", Target: Target{Below, 1}},
	}}
	if got := strings.Join(r.Failed(), ","); got != "slow,broken" {
		t.Errorf("Failed = %s", got)
	}
}

func TestTrimFloat(t *testing.T) {
	for v, want := range map[float64]string{1234.5: "1234", 12.34: "12.3", 1.5: "1.5", 2: "2", 0.0344: "0.034", 0: "0", 0.5: "0.5"} {
		if got := trimFloat(v); got != want {
			t.Errorf("trimFloat(%v) = %q, want %q", v, got, want)
		}
	}
	if trimFloat(math.NaN()) != "—" {
		t.Error("NaN")
	}
}

func TestWriteMarkdown(t *testing.T) {
	r := Report{
		Date:     "2026-12-02 06:00 UTC",
		Machine:  []string{"cores: 2", "memory: 23.5 GiB"},
		Versions: []string{"Go: go1.26", "MariaDB: 10.11.6"},
		Setup:    []string{"raised: X"},
		Lines: []Line{
			{Name: "create application", Unit: "req/s", Values: []float64{100, 120, 110}, RawName: "autocommit INSERT", RawValues: []float64{1000, 1100, 1200},
				Target: Target{RatioAtLeast, 0.5}, Evidence: []string{"per request: 9 statements", "bound: commits"}},
			{Name: "GET p99 | tail", Unit: "ms", Values: []float64{12}, Target: Target{Below, 50}},
			{Name: "roll", Err: "go test failed", Target: Target{Below, 10}},
		},
		Notes: []string{"Hand-written analysis.\n"},
	}
	var sb strings.Builder
	if err := WriteMarkdown(&sb, r); err != nil {
		t.Fatal(err)
	}
	md := sb.String()
	for _, want := range []string{
		"Run: 2026-12-02 06:00 UTC",
		"- cores: 2",
		"- MariaDB: 10.11.6",
		"| create application | 110 req/s | 100, 120, 110 | 1100 req/s (autocommit INSERT; rounds 1000, 1100, 1200) | 0.1× | ≥ 0.5× | NOT met |",
		"| GET p99 \\| tail | 12 ms | 12 | — | — | < 50 | met |",
		"| roll | — | — | — | — | < 10 | not measured: go test failed |",
		"### create application — NOT met\n- per request: 9 statements\n- bound: commits\n",
		"## Reading the numbers\nHand-written analysis.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// A later run keeps the hand-written section.
	if got := KeptNotes(md); len(got) != 1 || got[0] != "Hand-written analysis." {
		t.Errorf("KeptNotes = %q", got)
	}
	if got := KeptNotes("# Benchmarks\n## Reading the numbers\n(none yet)\n"); got != nil {
		t.Errorf("KeptNotes of an empty section = %q", got)
	}
}

func TestCostEvidenceAndBound(t *testing.T) {
	at := time.Unix(0, 0)
	before := Snapshot{At: at, DB: map[string]float64{"Questions": 100, "Com_insert": 10, "Innodb_log_writes": 5}, RedisCmds: 50,
		CPU: map[string]float64{"server": 1, "mariadbd": 2}, MachineBusy: 10}
	after := Snapshot{At: at.Add(2 * time.Second), DB: map[string]float64{"Questions": 1100, "Com_insert": 310, "Innodb_log_writes": 205}, RedisCmds: 350,
		CPU: map[string]float64{"server": 2, "mariadbd": 2.5}, MachineBusy: 12}
	var c Cost
	c.Add(before, after, 100)
	if got := c.perRequest("Questions"); got != 10 {
		t.Errorf("statements per request = %v", got)
	}
	if got := c.Cores("server"); got != 0.5 {
		t.Errorf("server cores = %v", got)
	}
	if got := c.LogWritesPerSecond(); got != 100 {
		t.Errorf("log writes/s = %v", got)
	}
	if got := c.MachineCores(); got != 1 {
		t.Errorf("machine cores = %v", got)
	}
	ev := strings.Join(c.Evidence(2, 110), "\n")
	for _, want := range []string{"per request: 10 statements", "3 INSERT", "3 Redis commands", "mariadbd 0.25, server 0.5; ours 0.75, the whole machine 1", "(raw INSERT: 110/s)",
		"bound: commits: 100 redo-log writes/s"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if b := c.Bound(2, 1000); !strings.HasPrefix(b, "waiting, not CPU") {
		t.Errorf("idle machine, few fsyncs: %s", b)
	}
	if b := c.Bound(1.1, 1000); !strings.HasPrefix(b, "CPU: 1 of 1.1 cores busy (ours 0.75, most in server: 0.5;") {
		t.Errorf("busy machine: %s", b)
	}
}

func TestParseBenchOutput(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkPublication50k-2   	       1	1523000000 ns/op	   2.50 MB/s	         1.523 s/publication	       122.0 peak-rss-growth-MiB
BenchmarkPublication50k-2   	       1	1423000000 ns/op	         1.423 s/publication	       120.5 peak-rss-growth-MiB
BenchmarkPaymentRoll50k 	       1	4000000000 ns/op	         4.0 s/roll
PASS
`)
	m := parseBenchOutput(out)
	if got := m["BenchmarkPublication50k s/publication"]; len(got) != 2 || got[0] != 1.523 || got[1] != 1.423 {
		t.Errorf("publication seconds = %v", got)
	}
	if got := m["BenchmarkPublication50k peak-rss-growth-MiB"]; len(got) != 2 || got[1] != 120.5 {
		t.Errorf("publication RSS = %v", got)
	}
	if got := m["BenchmarkPaymentRoll50k s/roll"]; len(got) != 1 || got[0] != 4 {
		t.Errorf("roll = %v", got)
	}
}

func TestOptionsAndHelpers(t *testing.T) {
	o, err := parseFlags([]string{"-quick"}, &strings.Builder{})
	if err != nil || o.Rounds != 1 || o.GoBench || o.Vouchers != 100 {
		t.Errorf("quick: %+v %v", o, err)
	}
	if _, err := parseFlags([]string{"-rounds", "0"}, &strings.Builder{}); err == nil {
		t.Error("0 rounds accepted")
	}
	if o, err := parseFlags([]string{"-only", "lighthouse"}, &strings.Builder{}); err != nil || o.Only != "lighthouse" || !o.Lighthouse {
		t.Errorf("-only lighthouse: %+v %v", o, err)
	}
	if _, err := parseFlags([]string{"-only", "vouchers"}, &strings.Builder{}); err == nil {
		t.Error("-only of a part that has no -only run accepted")
	}
	if got := residentIP(0); got != "198.18.0.1" {
		t.Errorf("residentIP(0) = %s", got)
	}
	if got := residentIP(65535); got != "198.19.0.0" {
		t.Errorf("residentIP(65535) = %s", got)
	}
	seen := map[string]bool{}
	for i := range 3000 {
		id := idNumber(i, time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC))
		if len(id) != 18 || seen[id] {
			t.Fatalf("idNumber(%d) = %s (duplicate or malformed)", i, id)
		}
		seen[id] = true
	}
}

func TestFailureText(t *testing.T) {
	out := []byte("goos: linux\nBenchmarkPublication50k-2 1 5 ns/op\n--- FAIL: BenchmarkPublication50k-2\n    publication_bench_test.go:70: a publication took 11s, over the 10s target\nFAIL\nexit status 1\n")
	if got := failureText(out); got != "--- FAIL: BenchmarkPublication50k-2 / publication_bench_test.go:70: a publication took 11s, over the 10s target" {
		t.Errorf("failureText = %q", got)
	}
	if got := failureText([]byte("a\nb\n")); got != "a / b" {
		t.Errorf("without FAIL lines: %q", got)
	}
}

// TestMergeLines: an -only run replaces its own rows and evidence blocks
// and keeps every other line, the notes and the machine list (with the
// run noted); a file that is no report is refused.
func TestMergeLines(t *testing.T) {
	t.Parallel()
	old := Report{
		Date:    "then",
		Machine: []string{"cores: 2"},
		Lines: []Line{
			{Name: "create", Unit: "req/s", Values: []float64{10}, Target: Target{Info, 0}, Evidence: []string{"create costs"}},
			{Name: "portal: score", Unit: "score", Values: []float64{70}, Target: Target{AtLeast, 90}, Evidence: []string{"old evidence"}},
			{Name: "roll", Unit: "s", Values: []float64{4}, Target: Target{Below, 10}},
		},
		Notes: []string{"hand-written notes"},
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, old); err != nil {
		t.Fatal(err)
	}
	fresh := []Line{
		{Name: "portal: score", Unit: "score", Values: []float64{98}, Target: Target{AtLeast, 90}, Evidence: []string{"new evidence"}},
		{Name: "portal: bytes", Unit: "KiB", Values: []float64{100}, Target: Target{AtMost, 150}},
	}
	got, ok := MergeLines(b.String(), fresh, "-only run now")
	if !ok {
		t.Fatalf("a report was refused:\n%s", b.String())
	}
	for _, want := range []string{"| create | 10 req/s", "| roll | 4 s", "| portal: score | 98 score | 98 | — | — | ≥ 90 | met |",
		"| portal: bytes | 100 KiB | 100 | — | — | ≤ 150 | met |", "### portal: score — met\n- new evidence", "create costs",
		"hand-written notes", "- cores: 2\n- -only run now\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("merged report lacks %q:\n%s", want, got)
		}
	}
	for _, gone := range []string{"70 score", "old evidence", "NOT met"} {
		if strings.Contains(got, gone) {
			t.Errorf("merged report still has %q:\n%s", gone, got)
		}
	}
	if strings.Index(got, "| roll |") > strings.Index(got, "| portal: bytes |") {
		t.Errorf("new rows not at the end of the table:\n%s", got)
	}
	if _, ok := MergeLines("# something else\n", fresh, ""); ok {
		t.Error("a file that is no report was merged into")
	}
}

// TestParseLighthouse reads the scores, the bytes and the failing audits
// of a Lighthouse JSON report, and refuses one with a runtime error.
func TestParseLighthouse(t *testing.T) {
	t.Parallel()
	report := `{"lighthouseVersion":"12.2.3",
	 "categories":{"performance":{"score":0.97,"auditRefs":[{"id":"first-contentful-paint","weight":10},{"id":"unused-css-rules","weight":0}]},
	               "accessibility":{"score":1,"auditRefs":[{"id":"color-contrast","weight":7}]}},
	 "audits":{"first-contentful-paint":{"title":"First Contentful Paint","score":0.88,"numericValue":1800,"displayValue":"1.8 s"},
	           "unused-css-rules":{"title":"Reduce unused CSS","score":0,"displayValue":"Potential savings of 26 KiB"},
	           "color-contrast":{"title":"Contrast","score":1},
	           "total-byte-weight":{"title":"Total size","score":1,"numericValue":102400}}}`
	got, err := parseLighthouse([]byte(report))
	if err != nil {
		t.Fatal(err)
	}
	if got.Performance != 97 || got.Accessibility != 100 || got.BytesKiB != 100 || got.Version != "12.2.3" {
		t.Errorf("parsed %+v", got)
	}
	if len(got.Failing) != 2 || !strings.Contains(got.Failing[0], "First Contentful Paint") || !strings.Contains(got.Failing[1], "unused CSS") {
		t.Errorf("failing audits %q", got.Failing)
	}
	if len(got.Metrics) != 1 || got.Metrics[0] != "First Contentful Paint 1.8 s" {
		t.Errorf("metrics %q", got.Metrics)
	}
	for _, bad := range []string{`{"runtimeError":{"code":"NO_FCP","message":"no paint"}}`, `{"categories":{}}`, `not json`} {
		if _, err := parseLighthouse([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
