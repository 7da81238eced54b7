// Command jiuzhu is the 救助通 server and its tools.
//
//	jiuzhu serve                 run the HTTP server (migrates and seeds in dev mode)
//	jiuzhu migrate up|status     apply or list database migrations
//	jiuzhu seed                  write the demo data (dev mode)
//	jiuzhu audit verify          check the sealed audit batches and the checkpoint
//	jiuzhu audit seal            seal the unsealed audit rows now
//	jiuzhu vouchers issue-term   issue the current term's education vouchers now (serve also runs it hourly; once per term)
//	jiuzhu healthcheck           GET /healthz on the local server (for container checks)
//	jiuzhu config check          validate the configuration; print it with secrets masked
//	jiuzhu version               version, commit and build time (stamped by the Makefile)
//	jiuzhu help [COMMAND]        usage; `jiuzhu COMMAND -h` too
//
// Every command takes -config FILE; JIUZHU_* environment variables override it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jiuzhu/jiuzhu/app"
	"github.com/jiuzhu/jiuzhu/config"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"go.opentelemetry.io/otel/trace"
	"gopkg.in/yaml.v3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "jiuzhu:", err)
		os.Exit(1)
	}
}

// Stamped by the Makefile (`make build`) with -ldflags "-X main.version=…
// -X main.commit=… -X main.buildTime=…"; the linker can only set package
// variables, so these three are the exception to "no package globals".
// buildInfo falls back to the module's VCS stamp when they are empty.
var (
	version   = ""
	commit    = ""
	buildTime = ""
)

// command is one entry of the CLI: its name, arguments and help text.
type command struct {
	name, args, summary, detail string
}

func commands() []command {
	return []command{
		{"serve", "", "run the HTTP server", "Runs the HTTP server on JIUZHU_HTTP_ADDR until SIGINT/SIGTERM. In dev mode it migrates\nand seeds the demo data first; in production it refuses to start while migrations are\npending or demo accounts are enabled."},
		{"migrate", "up|status", "apply or list database migrations", "up applies every pending migration; status lists them."},
		{"seed", "", "write the demo data (dev mode only)", ""},
		{"audit", "verify|seal", "check the sealed audit batches and the signed checkpoint, or seal now", "verify checks every sealed batch's keyed chain and the signed checkpoint in the blob\nstore, and reports unsealed rows older than the sealing delay; seal seals the\nunsealed rows now (serve does it on its own)."},
		{"vouchers", "issue-term [TERM]", "issue a term's education vouchers", "Issues a term's education vouchers (default: the current term). serve also runs it\nhourly on every instance; it does the work once per term across instances."},
		{"healthcheck", "", "check the local server's /healthz (exit 0 when healthy)", ""},
		{"config", "check", "validate the configuration and print it with secrets masked", "Loads defaults, the -config file and the JIUZHU_* environment, validates them and\nprints the result as YAML with passwords, keys and tokens replaced by ***.\nExit status 1 names the variable to fix. In dev mode without JIUZHU_SECRET_KEY it\ncreates the dev key in the data directory, as serve would."},
		{"version", "", "print the version, commit, build time and Go version", ""},
		{"help", "[COMMAND]", "print this help, or a command's", ""},
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "usage: jiuzhu [-config FILE] COMMAND [ARGS]\n\ncommands:\n")
	for _, c := range commands() {
		name := strings.TrimSpace(c.name + " " + c.args)
		if len(name) > 20 {
			fmt.Fprintf(w, "  %s\n  %-20s %s\n", name, "", c.summary)
			continue
		}
		fmt.Fprintf(w, "  %-20s %s\n", name, c.summary)
	}
	fmt.Fprint(w, "\nWith no command, jiuzhu serves. Every command takes -config FILE (YAML, see\nconfig.example.yaml); JIUZHU_* environment variables override it.\n`jiuzhu COMMAND -h` prints a command's help.\n")
}

func printCommandUsage(w io.Writer, name string) bool {
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		fmt.Fprintf(w, "usage: jiuzhu [-config FILE] %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
		if c.detail != "" {
			fmt.Fprintf(w, "\n%s\n", c.detail)
		}
		return true
	}
	return false
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// buildInfo is what `jiuzhu version` prints and the metrics export.
func buildInfo() app.BuildInfo {
	bi := app.BuildInfo{Version: version, Commit: commit, Time: buildTime, GoVersion: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if bi.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			bi.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && bi.Commit == "":
				bi.Commit = s.Value
			case s.Key == "vcs.time" && bi.Time == "":
				bi.Time = s.Value
			}
		}
	}
	if bi.Version == "" {
		bi.Version = "dev"
	}
	if bi.Commit == "" {
		bi.Commit = "unknown"
	}
	if bi.Time == "" {
		bi.Time = "unknown"
	}
	return bi
}

// run is main without the process: it parses args, loads the configuration
// and runs one command until ctx is cancelled. Help and version start
// nothing and read no configuration.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jiuzhu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML configuration file")
	fs.Usage = func() {} // printed below: to stdout for -h, to stderr for a bad flag
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return nil
		}
		printUsage(stderr)
		return err
	}
	cmd := fs.Arg(0)
	rest := fs.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	if cmd == "" {
		cmd = "serve"
	}
	switch {
	case cmd == "help":
		if len(rest) > 0 {
			if !printCommandUsage(stdout, rest[0]) {
				printUsage(stderr)
				return fmt.Errorf("unknown command %q", rest[0])
			}
			return nil
		}
		printUsage(stdout)
		return nil
	case slices.ContainsFunc(rest, isHelpFlag):
		if !printCommandUsage(stdout, cmd) {
			printUsage(stderr)
			return fmt.Errorf("unknown command %q", cmd)
		}
		return nil
	case cmd == "version":
		bi := buildInfo()
		fmt.Fprintf(stdout, "jiuzhu %s\ncommit:     %s\nbuilt:      %s\ngo:         %s\n", bi.Version, bi.Commit, bi.Time, bi.GoVersion)
		return nil
	}
	cfg, err := config.Load(*configPath, getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := newLogger(stdout, cfg.LogLevel)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		return migrate(ctx, cfg, fs.Arg(1), stdout)
	case "seed":
		return seed(ctx, cfg, log, stdout)
	case "audit":
		return auditCmd(ctx, cfg, log, fs.Arg(1), stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "vouchers":
		return vouchersCmd(ctx, cfg, log, fs.Arg(1), fs.Arg(2), stdout)
	case "config":
		return configCmd(cfg, fs.Arg(1), stdout)
	}
	printUsage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

// configCmd: `config check` prints the loaded (and so validated)
// configuration with its secrets masked.
func configCmd(cfg config.Config, sub string, stdout io.Writer) error {
	if sub != "check" {
		return fmt.Errorf("config: want `config check`, got %q", sub)
	}
	b, err := yaml.Marshal(cfg.Redacted())
	if err != nil {
		return fmt.Errorf("config check: %w", err)
	}
	fmt.Fprintf(stdout, "# configuration is valid (secrets masked)\n%s", b)
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	log.Info("starting", "config", cfg)
	b, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		return err
	}
	backendsClosed := false
	defer func() {
		if backendsClosed {
			return
		}
		if err := b.Close(); err != nil {
			log.Warn("closing backends", "error", err.Error())
		}
	}()
	if cfg.IsDev() {
		applied, err := b.DB.MigrateUp(ctx)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			log.Info("migrated", "versions", applied)
		}
	} else {
		pending, err := b.DB.HasPendingMigrations(ctx)
		if err != nil {
			return err
		}
		if pending {
			return errors.New("the database schema is behind this binary: run `jiuzhu migrate up` first")
		}
	}
	tracing, err := app.NewTracing(ctx, cfg, buildInfo())
	if err != nil {
		return err
	}
	defer func() {
		// Flush the last spans, bounded like the rest of the shutdown.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tracing.Shutdown(sctx); err != nil {
			log.Warn("flushing traces", "error", err.Error())
		}
	}()
	var tp trace.TracerProvider
	if cfg.OTelEndpoint != "" {
		tp = tracing.Provider
	}
	built, err := app.Build(cfg, b, log, app.Options{Build: buildInfo(), TracerProvider: tp})
	if err != nil {
		return err
	}
	if cfg.IsDev() {
		if _, err := built.App.Seeder.Seed(ctx); err != nil {
			return err
		}
		printDemo(stdout, cfg)
	} else {
		demo, err := built.App.Seeder.DemoAccountsEnabled(ctx)
		if err != nil {
			return err
		}
		if len(demo) > 0 {
			return fmt.Errorf("refusing to start in production mode while demo accounts are enabled: %s (disable them, or set JIUZHU_DEV=true for a demo)", strings.Join(demo, ", "))
		}
	}

	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	go runSchedule(schedCtx, built.App, built.Jobs, log, time.Hour)
	go runAuditSealer(schedCtx, built.App.Audit, log, built.App.Audit.SealDelay()/6)

	srv := built.Server.HTTPServer(cfg.HTTPAddr)
	// Requests get a context of their own, cancelled when draining runs
	// out of time, so handlers still waiting on a backend give up.
	reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	srv.BaseContext = func(net.Listener) context.Context { return reqCtx }
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("JIUZHU_HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "dev", cfg.IsDev())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(cfg.MetricsAddr, built.Server.MetricsHandler(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	backendsClosed = true
	err = shutdown(srv, cfg.ShutdownTimeout, func() {
		cancelRequests()
		stopSched()
	}, b.Close, log)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("http server: %w", serr))
	}
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// shutdown stops srv and closes the backends within timeout in total. The
// server drains in-flight requests until a reserve before the end (a fifth of
// the timeout, at most a second); requests still running then are abandoned:
// abandon cancels their contexts and the connections are closed. The
// backends get the time that is left; when closing them takes longer, it is
// left running and reported, so the process still exits on time.
func shutdown(srv *http.Server, timeout time.Duration, abandon func(), closeBackends func() error, log *slog.Logger) error {
	deadline := time.Now().Add(timeout)
	drainCtx, cancel := context.WithDeadline(context.Background(), deadline.Add(-min(timeout/5, time.Second)))
	defer cancel()
	var errs []error
	if err := srv.Shutdown(drainCtx); err != nil {
		errs = append(errs, fmt.Errorf("graceful shutdown: %w", err))
		abandon()
		_ = srv.Close()
	} else {
		abandon()
	}
	closed := make(chan error, 1)
	go func() { closed <- closeBackends() }()
	left := time.NewTimer(time.Until(deadline))
	defer left.Stop()
	select {
	case err := <-closed:
		if err != nil {
			log.Warn("closing backends", "error", err.Error())
		}
	case <-left.C:
		errs = append(errs, errors.New("closing the backends did not finish within JIUZHU_SHUTDOWN_TIMEOUT"))
	}
	return errors.Join(errs...)
}

func printDemo(w io.Writer, cfg config.Config) {
	fmt.Fprintf(w, "\n救助通 dev mode — data in %s\n", cfg.DataDir)
	fmt.Fprintf(w, "demo staff accounts (password %q):\n", service.DemoPassword)
	for _, a := range service.DemoAccounts() {
		fmt.Fprintf(w, "  %-11s %-19s region %s\n", a.Username, a.Role, a.RegionCode)
	}
	fmt.Fprintf(w, "SMS codes for resident login: GET /api/v1/dev/outbox?phone=…\n\n")
}

func migrate(ctx context.Context, cfg config.Config, sub string, stdout io.Writer) error {
	b, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	switch sub {
	case "up", "":
		applied, err := b.DB.MigrateUp(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s) %v\n", len(applied), applied)
		return nil
	case "status":
		st, err := b.DB.MigrationStatuses(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%05d  %-40s %s\n", s.Version, s.Name, state)
		}
		return nil
	}
	return fmt.Errorf("unknown migrate command %q (want up or status)", sub)
}

func seed(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if !cfg.IsDev() {
		return errors.New("seed writes demo accounts and runs only in dev mode (JIUZHU_DEV=true)")
	}
	b, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	if _, err := b.DB.MigrateUp(ctx); err != nil {
		return err
	}
	built, err := app.Build(cfg, b, log, app.Options{Build: buildInfo()})
	if err != nil {
		return err
	}
	created, err := built.App.Seeder.Seed(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data in place; %d new staff account(s)\n", len(created))
	printDemo(stdout, cfg)
	return nil
}

func healthcheck(ctx context.Context, cfg config.Config) error {
	_, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("JIUZHU_HTTP_ADDR: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthz: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: status %d", resp.StatusCode)
	}
	return nil
}

// errAuditBroken makes `jiuzhu audit verify` exit non-zero on a broken chain.
var errAuditBroken = errors.New("audit chain broken")

func auditCmd(ctx context.Context, cfg config.Config, log *slog.Logger, sub string, stdout io.Writer) error {
	if sub != "verify" && sub != "seal" {
		return fmt.Errorf("unknown audit command %q (want verify or seal)", sub)
	}
	built, closeApp, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeApp()
	if sub == "seal" {
		res, err := built.App.Audit.Seal(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "audit sealed: %d rows in %d batches (head batch %d)\n", res.Rows, res.Batches, res.Head)
		return nil
	}
	res, err := built.App.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	if !res.OK {
		fmt.Fprintf(stdout, "audit chain BROKEN at batch %d row seq=%d id=%s: %s (%d sealed rows in %d batches read)\n",
			res.BadBatch, res.BadSeq, res.BadID, res.Problem, res.Rows, res.Batches)
		return errAuditBroken
	}
	fmt.Fprintf(stdout, "audit chain OK: %d rows in %d batches, checkpoint at batch %d\n", res.Rows, res.Batches, res.Checkpoint)
	return nil
}

// runAuditSealer seals the audit trail every interval until ctx ends.
// Every instance runs it; sealers take turns on a row only they lock, so
// each row is sealed once.
func runAuditSealer(ctx context.Context, audit *service.Audit, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sctx, cancel := context.WithTimeout(ctx, interval+30*time.Second)
		res, err := audit.Seal(sctx)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("audit sealing failed", "error", err.Error())
		case err == nil && res.Batches > 0:
			log.Debug("audit sealed", "rows", res.Rows, "batches", res.Batches, "head", res.Head)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// vouchersCmd runs the scheduled voucher job: `jiuzhu vouchers issue-term
// [TERM]` issues a term's vouchers once it has started. A KV lock per term
// makes it run once across instances, so cron may start it everywhere.
func vouchersCmd(ctx context.Context, cfg config.Config, log *slog.Logger, sub, term string, stdout io.Writer) error {
	if sub != "issue-term" {
		return fmt.Errorf("unknown vouchers command %q (want issue-term)", sub)
	}
	built, closeApp, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeApp()
	var res service.IssueTermResult
	if term == "" {
		res, err = built.App.Vouchers.IssueCurrentTerm(ctx)
	} else {
		res, err = built.App.Vouchers.IssueTerm(ctx, term)
	}
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(stdout, "term %s: already issued (or being issued) by another run\n", res.Term)
		return nil
	}
	fmt.Fprintf(stdout, "term %s: %d voucher(s) issued\n", res.Term, res.Issued)
	return nil
}

// runSchedule runs the periodic jobs until ctx ends: at start and then every
// interval it issues the current term's vouchers, sweeps the stored
// documents (retention, orphans, spool files), tells residents whose
// re-check (复核) fell due, ends the benefits whose gradual exit (渐退) is
// over, leaves the day's deadline reminders and runs the day's duplicate
// scan. Every instance runs it; locks in the KV store (per term, per
// period, per day) make the shared work happen once.
func runSchedule(ctx context.Context, a *service.App, jobs *app.Jobs, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := a.Vouchers.IssueTerm(ctx, model.TermOf(time.Now().UTC()))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("scheduled voucher issue failed", "error", err.Error())
		case err == nil && !res.Skipped:
			log.Info("scheduled voucher issue", "term", res.Term, "issued", res.Issued)
		}
		if err == nil {
			jobs.Succeeded("voucher_issue_term", time.Now())
		}
		if n, err := a.Workflow.NotifyReviewsDue(ctx); err != nil && ctx.Err() == nil {
			log.Warn("scheduled re-check notices failed", "error", err.Error())
		} else if n > 0 {
			log.Info("scheduled re-check notices", "told", n)
		}
		rr, err := a.Payments.RemindRolls(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("scheduled roll reminders failed", "error", err.Error())
		case err == nil && !rr.Skipped:
			log.Info("scheduled roll reminders", "day", rr.Day, "sent", rr.Sent)
		}
		bf, err := a.Workflow.BackfillBenefits(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("scheduled benefit backfill failed", "error", err.Error())
		case err == nil && bf.Recorded+bf.Failed > 0:
			log.Info("scheduled benefit backfill", "recorded", bf.Recorded, "failed", bf.Failed)
		}
		if n, err := a.Workflow.EndGradualExits(ctx); err != nil && ctx.Err() == nil {
			log.Warn("scheduled end of gradual exits failed", "error", err.Error())
		} else if n > 0 {
			log.Info("scheduled end of gradual exits", "ended", n)
		}
		sw, err := a.Documents.Sweep(ctx, interval)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("scheduled document sweep failed", "error", err.Error())
		case err == nil && sw.Purged+sw.Orphans+sw.SpoolFiles > 0:
			log.Info("scheduled document sweep", "purged", sw.Purged, "orphans", sw.Orphans, "spool_files", sw.SpoolFiles)
		}
		rem, err := a.Workflow.RemindDeadlines(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("scheduled deadline reminders failed", "error", err.Error())
		case err == nil && !rem.Skipped:
			log.Info("scheduled deadline reminders", "day", rem.Day, "sent", rem.Sent)
		}
		scan, err := a.Workflow.ScanDuplicates(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("nightly duplicate scan failed", "error", err.Error())
		case err == nil && !scan.Skipped:
			log.Info("nightly duplicate scan", "day", scan.Day, "scanned", scan.Scanned, "hits", scan.Hits)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// openApp opens the configured backends and wires the application for a
// one-shot command; the returned function closes the backends.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app.Built, func(), error) {
	b, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	built, err := app.Build(cfg, b, log, app.Options{Build: buildInfo()})
	if err != nil {
		_ = b.Close()
		return nil, nil, err
	}
	return built, func() { _ = b.Close() }, nil
}

// serveMetrics serves /metrics on its own listener (JIUZHU_METRICS_ADDR),
// away from the public app port; the returned function closes it.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("JIUZHU_METRICS_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("metrics listener", "error", err.Error())
		}
	}()
	return func() { _ = srv.Close() }, nil
}
