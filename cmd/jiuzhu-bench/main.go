// Command jiuzhu-bench is `make bench`: it starts its own private MariaDB,
// Redis and S3 server (versitygw) on free loopback ports, builds and starts
// `jiuzhu serve` over them with the demo data, drives the HTTP API as the
// portal does, measures each line against the machine's raw limit in the
// same run (median of the rounds), prints every line with its ratio and
// target, and writes docs/BENCHMARKS.md. It never touches the machine's
// own MariaDB (3306) or Redis (6379).
//
//	go run ./cmd/jiuzhu-bench [-rounds 3] [-duration 3s] [-clients 16] [-vouchers 1000] [-quick]
//
// The exit status is 1 when a redemption count is wrong (exactly one
// success per voucher is asserted) or the bench cannot run; a missed
// throughput target is reported, not fatal.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Options are the bench's flags.
type Options struct {
	Rounds    int
	Duration  time.Duration
	Clients   int
	Vouchers  int
	Residents int
	UploadKiB int
	Out       string
	Embedded  bool
	GoBench   bool
	Keep      bool
	// Lighthouse runs the portal's Lighthouse lines (mobile performance
	// and accessibility, first-load bytes); Only names the one part to run
	// ("lighthouse"), whose lines then replace theirs in the report.
	Lighthouse bool
	Only       string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jiuzhu-bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (Options, error) {
	fs := flag.NewFlagSet("jiuzhu-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.IntVar(&o.Rounds, "rounds", 3, "rounds per line (the median is reported)")
	fs.DurationVar(&o.Duration, "duration", 3*time.Second, "length of each timed round")
	fs.IntVar(&o.Clients, "clients", 16, "concurrent clients")
	fs.IntVar(&o.Vouchers, "vouchers", 1000, "vouchers per redemption round (10 racing attempts each)")
	fs.IntVar(&o.Residents, "residents", 900, "residents registered through the API (7 applications each at most)")
	fs.IntVar(&o.UploadKiB, "upload-kib", 1024, "size of each upload in the upload line (KiB)")
	fs.StringVar(&o.Out, "out", "docs/BENCHMARKS.md", "report to write (empty: none)")
	fs.BoolVar(&o.Embedded, "embedded", true, "also measure the embedded default (SQLite) create and GET lines")
	fs.BoolVar(&o.GoBench, "gobench", true, "also run the 50,000-row publication and payment-roll Go benchmarks")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (logs, data)")
	fs.BoolVar(&o.Lighthouse, "lighthouse", true, "also run Lighthouse on the portal (web/node_modules, /usr/bin/chromium)")
	fs.StringVar(&o.Only, "only", "", "run only this part and update its lines in the report: lighthouse")
	quick := fs.Bool("quick", false, "small counts for development: 1 round of 1s, 100 vouchers, 120 residents, no Go benchmarks")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *quick {
		o.Rounds, o.Duration, o.Vouchers, o.Residents, o.GoBench = 1, time.Second, 100, 120, false
	}
	if o.Only != "" && o.Only != "lighthouse" {
		return o, fmt.Errorf("-only %q: the parts are: lighthouse", o.Only)
	}
	if o.Rounds < 1 || o.Clients < 1 || o.Vouchers < 1 || o.Residents < 20 || o.UploadKiB < 1 {
		return o, fmt.Errorf("rounds, clients, vouchers ≥ 1, residents ≥ 20, upload-kib ≥ 1")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	opt, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "jiuzhu-bench-")
	if err != nil {
		return err
	}
	b := &Bench{opt: opt, root: root, tmp: tmp, out: stdout, cores: float64(numCPU())}
	defer func() {
		b.stopAll()
		if opt.Keep {
			fmt.Fprintf(stdout, "kept %s\n", tmp)
			return
		}
		_ = os.RemoveAll(tmp)
	}()
	began := time.Now()
	b.report.Date = began.UTC().Format("2006-01-02 15:04 UTC")
	b.report.Machine = append(machine(), "load average at start: "+loadAverage()+" (the machine is shared; other work competes for the cores)")
	if opt.Only == "lighthouse" {
		return b.runOnly(ctx, stdout)
	}
	if err := b.runAll(ctx); err != nil {
		return err
	}
	b.report.Machine = append(b.report.Machine, "load average at end: "+loadAverage(), fmt.Sprintf("bench wall time: %s", time.Since(began).Round(time.Second)))
	fmt.Fprintln(stdout, "\n== results (median of rounds) ==")
	for _, l := range b.report.Lines {
		fmt.Fprintln(stdout, l.Summary())
	}
	if opt.Out != "" {
		path := opt.Out
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if old, err := os.ReadFile(path); err == nil {
			b.report.Notes = KeptNotes(string(old))
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := WriteMarkdown(f, b.report); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", path)
	}
	if missed := b.report.Failed(); len(missed) > 0 {
		fmt.Fprintf(stdout, "targets not met: %s\n", strings.Join(missed, "; "))
	}
	if len(b.asserts) > 0 {
		return fmt.Errorf("assertion failed: %s", strings.Join(b.asserts, "; "))
	}
	return nil
}

// runOnly runs one part of the bench (-only) and replaces its lines in the
// existing report, keeping every other line as the last full run wrote it.
func (b *Bench) runOnly(ctx context.Context, stdout io.Writer) error {
	if err := b.build(ctx); err != nil {
		return err
	}
	b.lighthouseLines(ctx)
	fmt.Fprintln(stdout, "\n== results (median of rounds) ==")
	for _, l := range b.report.Lines {
		fmt.Fprintln(stdout, l.Summary())
	}
	if b.opt.Out == "" {
		return nil
	}
	path := b.opt.Out
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.root, path)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("-only updates an existing report: %w", err)
	}
	merged, ok := MergeLines(string(old), b.report.Lines, fmt.Sprintf("-only %s run: %s, load average %s", b.opt.Only, b.report.Date, loadAverage()))
	if !ok {
		return fmt.Errorf("%s is not a report of this driver: run the whole bench once", path)
	}
	if err := os.WriteFile(path, []byte(merged), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "updated %s\n", path)
	if missed := b.report.Failed(); len(missed) > 0 {
		fmt.Fprintf(stdout, "targets not met: %s\n", strings.Join(missed, "; "))
	}
	return nil
}

func numCPU() int { return runtime.NumCPU() }

// repoRoot is the module's directory (make bench runs from it).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: run from the repository", dir)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
