package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jiuzhu/jiuzhu/model"
)

// smallDoc is a multipart body of a 30 KiB JPEG of kind.
func smallDoc(kind string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", "proof.jpg")
	_, _ = fw.Write([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0})
	_, _ = fw.Write(bytes.Repeat([]byte{0x55}, 30<<10))
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// lineStaffWrites: the community worker's document reviews (an audited
// write in a transaction that locks the case) at 1, 4 and 16 clients.
func (b *Bench) lineStaffWrites(ctx context.Context) error {
	b.logf("submitting %d applications with their documents for review", staffApps)
	var docs [][]string // per application, its document ids
	for _, a := range b.apps[:staffApps] {
		prog, _ := model.ProgramOf(model.ProgramCode(a.program))
		var ids []string
		for _, k := range prog.RequiredDocuments {
			body, ct := smallDoc(k.Kind)
			st, resp, err := b.cl.Do(ctx, Call{Method: http.MethodPost, Path: "/api/v1/applications/" + a.id + "/documents", Token: a.token,
				Body: bytes.NewReader(body), ContentType: ct})
			if err != nil || st != http.StatusCreated {
				return fmt.Errorf("upload for review: %d %v %.200s", st, err, resp)
			}
			id, err := jsonID(resp)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := b.cl.JSONCall(ctx, Call{Method: http.MethodPost, Path: "/api/v1/applications/" + a.id + "/submit", Token: a.token,
			Header: map[string]string{"Idempotency-Key": randomHex(12)}}, http.StatusOK, nil); err != nil {
			return err
		}
		docs = append(docs, ids)
	}
	// Document-major order: consecutive reviews are of different cases.
	var order []string
	for i := 0; ; i++ {
		added := false
		for _, ids := range docs {
			if i < len(ids) {
				order = append(order, ids[i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	levels := []int{1, 4, 16}
	tokens := make([]string, 16)
	for i := range tokens {
		var err error
		if tokens[i], err = b.loginStaff(ctx, "community"); err != nil {
			return err
		}
	}
	var byLevel []Line
	for _, c := range levels {
		line := Line{Name: fmt.Sprintf("audited staff writes (document review), %d client(s)", c), Unit: "req/s", Target: Target{Info, 0}}
		var cost Cost
		for r := range b.opt.Rounds {
			var next atomic.Int64
			res := b.measured(ctx, &cost, func() RunResult {
				return closedLoop(ctx, c, b.opt.Duration, func(ctx context.Context, w int) error {
					id := order[int(next.Add(1)-1)%len(order)]
					st, body, err := b.cl.Do(ctx, Call{Method: http.MethodPost, Path: "/api/v1/staff/documents/" + id + "/review", Token: tokens[w],
						JSON: map[string]string{"decision": "accepted"}})
					if err != nil {
						return err
					}
					if st != http.StatusOK {
						return statusError{st, string(body)}
					}
					return nil
				})
			})
			b.logRound(line.Name, r, res, "req/s", res.Rate())
			line.Values = append(line.Values, res.Rate())
		}
		line.Evidence = cost.Evidence(b.cores, b.rawFsyncs)
		byLevel = append(byLevel, line)
	}
	last := &byLevel[len(byLevel)-1]
	last.Name = "audited staff writes, 16 clients vs 1"
	last.RawName = "the same at 1 client"
	last.RawValues = byLevel[0].Values
	last.Target = Target{RatioAtLeast, 2}
	b.report.Lines = append(b.report.Lines, byLevel...)
	return nil
}

// embeddedLines measures create and GET on the embedded default (SQLite,
// in-process sessions, local documents), as information.
func (b *Bench) embeddedLines(ctx context.Context) error {
	env := map[string]string{"JIUZHU_DEV": "true", "JIUZHU_SECRET_KEY": randomHex(32), "JIUZHU_DATA_DIR": filepath.Join(b.tmp, "embedded")}
	for _, o := range benchOverrides() {
		env[o.Key] = o.Value
	}
	if err := b.startServer(ctx, "embedded-server", env); err != nil {
		return err
	}
	defer func() { b.server.Stop(); b.server = nil }()
	b.cl = newClient("http://" + b.server.Addr)
	full, fullApps := b.residents, b.apps
	defer func() { b.residents, b.apps = full, fullApps }()
	if err := b.setupResidents(ctx); err != nil {
		return err
	}
	b.apps = nil
	per := len(b.residents) * len(programs) / b.opt.Rounds
	create := Line{Name: "embedded (SQLite): create application", Unit: "req/s", Target: Target{Info, 0}}
	get := Line{Name: "embedded (SQLite): GET application", Unit: "req/s", Target: Target{Info, 0}}
	var cc, gc Cost
	for r := range b.opt.Rounds {
		res := b.measured(ctx, &cc, func() RunResult { return b.createRound(ctx, r, per) })
		b.logRound(create.Name, r, res, "req/s", res.Rate())
		create.Values = append(create.Values, res.Rate())
		var next atomic.Int64
		res = b.measured(ctx, &gc, func() RunResult {
			return closedLoop(ctx, b.opt.Clients, b.opt.Duration, func(ctx context.Context, _ int) error {
				return b.getApp(ctx, b.apps[int(next.Add(1))%len(b.apps)])
			})
		})
		b.logRound(get.Name, r, res, "req/s", res.Rate())
		get.Values = append(get.Values, res.Rate())
	}
	create.Evidence, get.Evidence = cc.Evidence(b.cores, 0), gc.Evidence(b.cores, 0)
	b.report.Lines = append(b.report.Lines, create, get)
	return nil
}

// goBenchLines runs the Go benchmarks of the 50,000-row publication and
// payment roll (their own fixtures, embedded backends, in the test
// process) and reads their reported metrics.
func (b *Bench) goBenchLines(ctx context.Context) {
	type metric struct{ bench, unit, name, lineUnit string }
	metrics := []metric{
		{"BenchmarkPublication50k", "s/publication", "50,000-row publication + Excel: time", "s"},
		{"BenchmarkPublication50k", "peak-rss-growth-MiB", "50,000-row publication + Excel: peak RSS growth", "MiB"},
		{"BenchmarkPaymentRoll50k", "s/roll", "50,000-line payment roll + bank file: time", "s"},
		{"BenchmarkPaymentRoll50k", "peak-rss-growth-MiB", "50,000-line payment roll + bank file: peak RSS growth", "MiB"},
	}
	values := map[string][]float64{}
	failures := map[string]string{}
	// One `go test` per benchmark and round: a failure of one cannot hide
	// the other, and each round starts in a fresh process (a heap grown by
	// an earlier round would hide the next one's RSS growth).
	for _, name := range []string{"BenchmarkPublication50k", "BenchmarkPaymentRoll50k"} {
		b.logf("running the Go benchmark %s (%d rounds, a process each)", name, b.opt.Rounds)
		for range b.opt.Rounds {
			cmd := exec.CommandContext(ctx, "go", "test", "-count", "1", "-run", "^$", "-bench", "^"+name+"$", "-benchtime", "1x", "./api/")
			cmd.Dir = b.root
			out, err := cmd.CombinedOutput()
			for k, v := range parseBenchOutput(out) {
				values[k] = append(values[k], v...)
			}
			if err != nil {
				failures[name] = fmt.Sprintf("go test: %v: %s", err, failureText(out))
				b.logf("%s failed: %s", name, failures[name])
				break
			}
		}
	}
	for _, m := range metrics {
		limit := 10.0
		if m.lineUnit == "MiB" {
			limit = 256
		}
		l := Line{Name: m.name, Unit: m.lineUnit, Target: Target{Below, limit}, Values: values[m.bench+" "+m.unit]}
		if f := failures[m.bench]; f != "" {
			// A round over its target fails the benchmark and reports no
			// figures: the line shows the failure.
			l.Err = f
		} else if len(l.Values) == 0 {
			l.Err = "the Go benchmark reported nothing"
		}
		l.Evidence = []string{"measured by the Go benchmark " + m.bench + " (api/, embedded backends, in the test process; `make bench` runs it through this driver): wall time to make and export, and the test process's peak RSS growth over the run"}
		b.report.Lines = append(b.report.Lines, l)
	}
}

// failureText is what a failed `go test` said about why: the --- FAIL
// lines and the messages under them (the last few when there are many).
func failureText(out []byte) string {
	var keep []string
	in := false
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "--- FAIL"):
			in = true
			keep = append(keep, strings.TrimSpace(l))
		case in && strings.HasPrefix(l, "    "):
			keep = append(keep, strings.TrimSpace(l))
		default:
			in = false
		}
	}
	if len(keep) == 0 {
		return lastLines(string(out), 5)
	}
	return lastLines(strings.Join(keep, "\n"), 6)
}

var benchLine = regexp.MustCompile(`^(Benchmark\w+)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseBenchOutput collects every "value unit" pair of each benchmark
// result line, keyed "BenchmarkName unit".
func parseBenchOutput(out []byte) map[string][]float64 {
	m := map[string][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		g := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if g == nil {
			continue
		}
		f := strings.Fields(g[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			m[g[1]+" "+f[i+1]] = append(m[g[1]+" "+f[i+1]], v)
		}
	}
	return m
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, " / ")
}
