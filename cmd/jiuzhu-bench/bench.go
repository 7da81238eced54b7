package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/redis/go-redis/v9"
)

// Bench holds the private services, the server and what the lines share.
type Bench struct {
	opt   Options
	root  string
	tmp   string
	out   io.Writer
	cores float64

	mariadb, redis, s3, server *Proc
	serverBin                  string
	serverEnv                  map[string]string
	s3Access, s3Secret         string

	status *sql.DB // the server's status counters
	raw    *sql.DB // the raw-limit database, one round trip per statement
	rdb    *redis.Client
	minio  *minio.Client
	cl     *Client

	report  Report
	asserts []string

	// rawInsert is the raw INSERT rate per round (create and redemption
	// lines pair with it); rawFsyncs its redo-log fsyncs per second.
	rawInsert []float64
	rawFsyncs float64 // redo-log writes per second of the raw INSERT

	// pool samples the server's database pool while the lines run.
	pool *poolSampler

	residents []*resident
	appsMu    sync.Mutex
	apps      []appRef // created drafts
}

func (b *Bench) appendApp(a appRef) {
	b.appsMu.Lock()
	b.apps = append(b.apps, a)
	b.appsMu.Unlock()
}

type resident struct {
	phone, ip, token string
}

type appRef struct {
	token, id, program string
}

func (b *Bench) logf(format string, args ...any) {
	fmt.Fprintf(b.out, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (b *Bench) stopAll() {
	for _, p := range []*Proc{b.server, b.s3, b.redis, b.mariadb} {
		p.Stop()
	}
	b.server, b.s3, b.redis, b.mariadb = nil, nil, nil, nil
	// Each is checked on its own: a nil *sql.DB in an io.Closer is not nil.
	if b.status != nil {
		_ = b.status.Close()
	}
	if b.raw != nil {
		_ = b.raw.Close()
	}
	if b.rdb != nil {
		_ = b.rdb.Close()
	}
	b.status, b.raw, b.rdb = nil, nil, nil
}

func (b *Bench) runAll(ctx context.Context) error {
	if err := b.build(ctx); err != nil {
		return err
	}
	if err := b.startServices(ctx); err != nil {
		return err
	}
	if err := b.startServer(ctx, "server", b.serverEnv); err != nil {
		return err
	}
	b.cl = newClient("http://" + b.server.Addr)
	b.pool = startPoolSampler(b.serverEnv["JIUZHU_METRICS_ADDR"], 50*time.Millisecond)
	// The RSS line comes before the other uploads, so the server's heap
	// has not already grown for uploads when it is measured.
	lines := []func(context.Context) error{b.setupResidents, b.lineCreate, b.lineUploadRSS, b.lineGet, b.lineUpload, b.lineVouchers, b.lineStaffWrites, b.lineSizes}
	for _, fn := range lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(ctx); err != nil {
			return err
		}
	}
	b.stopAll()
	if b.opt.Embedded {
		if err := b.embeddedLines(ctx); err != nil {
			return err
		}
	}
	if b.opt.GoBench {
		b.goBenchLines(ctx)
	}
	if b.opt.Lighthouse {
		b.lighthouseLines(ctx)
	}
	return nil
}

// build compiles the server (the build cache's usual flags, so a warm cache
// makes it quick; no race detector).
func (b *Bench) build(ctx context.Context) error {
	b.serverBin = filepath.Join(b.tmp, "jiuzhu")
	b.logf("building the server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", b.serverBin, "./cmd/jiuzhu")
	cmd.Dir = b.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/jiuzhu: %v\n%s", err, out)
	}
	goVer, _ := exec.Command("go", "env", "GOVERSION").Output()
	commit, _ := exec.Command("git", "-C", b.root, "rev-parse", "--short", "HEAD").Output()
	b.report.Versions = append(b.report.Versions, "Go: "+strings.TrimSpace(string(goVer)), "jiuzhu commit: "+strings.TrimSpace(string(commit)))
	return nil
}

func (b *Bench) startServices(ctx context.Context) error {
	var err error
	b.logf("starting a private MariaDB, Redis and versitygw")
	dbDir := filepath.Join(b.tmp, "mariadb")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return err
	}
	var serverDSN string
	if b.mariadb, serverDSN, err = startMariaDB(dbDir); err != nil {
		return err
	}
	redisDir := filepath.Join(b.tmp, "redis")
	if err := os.MkdirAll(redisDir, 0o700); err != nil {
		return err
	}
	if b.redis, err = startRedis(redisDir); err != nil {
		return err
	}
	b.s3Access, b.s3Secret = "bench"+randomHex(6), randomHex(20)
	if b.s3, err = startVersityGW(b.tmp, b.s3Access, b.s3Secret); err != nil {
		return err
	}
	if b.status, err = sql.Open("mysql", serverDSN+"?interpolateParams=true"); err != nil {
		return err
	}
	b.status.SetMaxOpenConns(2)
	for _, stmt := range []string{
		"CREATE DATABASE jiuzhu CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
		"CREATE DATABASE bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
		// The raw-limit table: a row about the size of an application's.
		"CREATE TABLE bench.raw_rows (id BIGINT AUTO_INCREMENT PRIMARY KEY, ref VARCHAR(26) NOT NULL, region_code VARCHAR(12) NOT NULL, status VARCHAR(16) NOT NULL, payload VARCHAR(255) NOT NULL, created_at DATETIME(6) NOT NULL) ENGINE=InnoDB",
	} {
		if _, err := b.status.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if b.raw, err = sql.Open("mysql", serverDSN+"bench?interpolateParams=true&parseTime=true"); err != nil {
		return err
	}
	b.raw.SetMaxOpenConns(b.opt.Clients)
	b.raw.SetMaxIdleConns(b.opt.Clients)
	b.rdb = redis.NewClient(&redis.Options{Addr: b.redis.Addr})
	if b.minio, err = minio.New(b.s3.Addr, &minio.Options{Creds: credentials.NewStaticV4(b.s3Access, b.s3Secret, ""), Secure: false}); err != nil {
		return err
	}
	if err := b.minio.MakeBucket(ctx, "bench-raw", minio.MakeBucketOptions{}); err != nil {
		return fmt.Errorf("make bucket: %w", err)
	}
	var mver string
	_ = b.status.QueryRowContext(ctx, "SELECT VERSION()").Scan(&mver)
	rinfo, _ := b.rdb.Info(ctx, "server").Result()
	rver := "?"
	for _, l := range strings.Split(rinfo, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "redis_version:"); ok {
			rver = v
		}
	}
	vgw, _ := exec.Command(mustFind("versitygw"), "--version").Output()
	b.report.Versions = append(b.report.Versions, "MariaDB: "+mver, "Redis: "+rver, "versitygw: "+firstLine(string(vgw)))
	b.report.Setup = append(b.report.Setup,
		"private mariadbd on a free loopback port (fresh data directory, durability defaults: innodb_flush_log_at_trx_commit=1; buffer pool 256 MiB), private redis-server (no persistence), private versitygw (posix backend on the same disk); the machine's own MariaDB and Redis are not used",
		fmt.Sprintf("%d concurrent clients unless a line says otherwise; timed rounds of %s; %d rounds per line, the median reported", b.opt.Clients, b.opt.Duration, b.opt.Rounds),
		"raw limits: go-sql-driver with interpolateParams=true (one round trip per statement), autocommit single-row INSERT and primary-key SELECT on a table of the application row's size; minio-go PutObject of the same bytes with an unsigned payload",
	)
	secret := randomHex(32)
	b.serverEnv = map[string]string{
		"JIUZHU_DEV":           "true",
		"JIUZHU_SECRET_KEY":    secret,
		"JIUZHU_DATA_DIR":      filepath.Join(b.tmp, "data"),
		"JIUZHU_DB_DRIVER":     "mysql",
		"JIUZHU_DB_DSN":        serverDSN + "jiuzhu",
		"JIUZHU_REDIS_ADDR":    b.redis.Addr,
		"JIUZHU_S3_ENDPOINT":   b.s3.Addr,
		"JIUZHU_S3_ACCESS_KEY": b.s3Access,
		"JIUZHU_S3_SECRET_KEY": b.s3Secret,
		"JIUZHU_S3_USE_SSL":    "false",
	}
	metricsPort, err := freePort()
	if err != nil {
		return err
	}
	b.serverEnv["JIUZHU_METRICS_ADDR"] = fmt.Sprintf("127.0.0.1:%d", metricsPort)
	b.report.Setup = append(b.report.Setup, "the server: `jiuzhu serve` built from this checkout, dev mode (demo data and accounts, the dev SMS outbox), over the private services")
	for _, o := range benchOverrides() {
		b.serverEnv[o.Key] = o.Value
		b.logf("server setting changed for the bench: %s=%s (%s)", o.Key, o.Value, o.Why)
		b.report.Setup = append(b.report.Setup, fmt.Sprintf("changed for the bench: `%s=%s`: %s", o.Key, o.Value, o.Why))
	}
	return nil
}

// Override is a setting the bench changes from the defaults so the load
// can run, with the reason; each is printed and written to the report.
type Override struct{ Key, Value, Why string }

// benchOverrides are the settings changed for every server the bench
// starts (besides the backends, the key and dev mode).
func benchOverrides() []Override {
	return []Override{
		{"JIUZHU_TRUSTED_PROXIES", "127.0.0.1", "every simulated resident sends its own address (198.18.0.0/15) in X-Forwarded-For, so the per-address SMS and login limits see many people, as they would; no limit is raised for it"},
		{"JIUZHU_DOCUMENT_UPLOADS_PER_HOUR", "1000000", "raised from 60: one bench resident uploads far more than a person does"},
		{"JIUZHU_DOCUMENT_QUOTA_BYTES", strconv.Itoa(64 << 30), "raised from 100 MiB per resident, for the same reason"},
		{"JIUZHU_DOCUMENT_QUOTA_COUNT", "1000000", "raised from 100 per resident, for the same reason"},
		{"JIUZHU_OUTBOX_SIZE", "20000", "the dev outbox keeps more messages, so concurrent logins find their codes"},
		{"JIUZHU_LOG_LEVEL", "warn", "no request log lines on the shared disk"},
	}
}

func mustFind(name string) string {
	p, err := findBinary(name)
	if err != nil {
		return name
	}
	return p
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// startServer starts `jiuzhu serve` with env on a free port and waits
// until /readyz answers 200.
func (b *Bench) startServer(ctx context.Context, name string, env map[string]string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(b.serverBin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + b.tmp, "JIUZHU_HTTP_ADDR=" + addr}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b.logf("starting %s (jiuzhu serve on %s)", name, addr)
	hc := &http.Client{Timeout: 2 * time.Second}
	p, err := startProc(name, cmd, filepath.Join(b.tmp, name+".log"), 3*time.Minute, func() bool {
		resp, err := hc.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if err != nil {
		return err
	}
	p.Addr = addr
	b.server = p
	return nil
}

// snapshot reads the counters and the CPU time of every process.
func (b *Bench) snapshot(ctx context.Context) Snapshot {
	s := Snapshot{At: time.Now(), DB: map[string]float64{}, CPU: map[string]float64{}}
	if b.status != nil {
		rows, err := b.status.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN ('"+strings.Join(dbCounters, "','")+"')")
		if err == nil {
			for rows.Next() {
				var k, v string
				if rows.Scan(&k, &v) == nil {
					f, _ := strconv.ParseFloat(v, 64)
					s.DB[k] = f
				}
			}
			rows.Close()
		}
	}
	if b.rdb != nil {
		if info, err := b.rdb.Info(ctx, "stats").Result(); err == nil {
			for _, l := range strings.Split(info, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), "total_commands_processed:"); ok {
					s.RedisCmds, _ = strconv.ParseFloat(v, 64)
				}
			}
		}
	}
	for _, p := range []*Proc{b.server, b.mariadb, b.redis, b.s3} {
		if p != nil {
			s.CPU[p.Name] = cpuSeconds(p.Pid())
		}
	}
	s.CPU["bench driver"] = cpuSeconds(os.Getpid())
	s.MachineBusy = machineBusySeconds()
	return s
}

// measured runs one round of fn between two snapshots and adds the
// difference to cost.
func (b *Bench) measured(ctx context.Context, cost *Cost, fn func() RunResult) RunResult {
	before := b.snapshot(ctx)
	res := fn()
	after := b.snapshot(ctx)
	// The SHOW STATUS of the snapshot itself is one question.
	if len(after.DB) > 0 {
		after.DB["Questions"]--
		after.DB["Com_select"]--
	}
	cost.Add(before, after, res.OK)
	return res
}

func (b *Bench) logRound(what string, r int, res RunResult, unit string, value float64) {
	msg := fmt.Sprintf("%s round %d: %s %s (%d ok in %s", what, r+1, trimFloat(value), unit, res.OK, res.Elapsed.Round(time.Millisecond))
	if res.Failed > 0 {
		msg += fmt.Sprintf(", %d failed %v, first: %s", res.Failed, res.Statuses, res.FirstError)
	}
	b.logf("%s)", msg)
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns
// the first error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
