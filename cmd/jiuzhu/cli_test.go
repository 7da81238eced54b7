package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/jiuzhu/jiuzhu/config"
)

// runFast runs the CLI with vars as its environment and fails when it has
// not returned within a few seconds (a server started instead).
func runFast(t *testing.T, args []string, vars map[string]string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(k string) string { return vars[k] }, &out, &errOut) }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		t.Fatalf("jiuzhu %s did not return: it started something", strings.Join(args, " "))
	}
	return out.String(), errOut.String(), err
}

// TestHelpStartsNothing: help in every spelling prints usage to stdout and
// returns nil without reading the configuration (which here is invalid and
// would fail any command that loads it) or starting a server.
func TestHelpStartsNothing(t *testing.T) {
	t.Parallel()
	bad := map[string]string{"JIUZHU_DB_DRIVER": "oracle", "JIUZHU_HTTP_ADDR": "127.0.0.1:1"}
	cases := map[string]string{
		"-h":                   "usage: jiuzhu [-config FILE] COMMAND",
		"--help":               "usage: jiuzhu [-config FILE] COMMAND",
		"help":                 "usage: jiuzhu [-config FILE] COMMAND",
		"serve -h":             "usage: jiuzhu [-config FILE] serve",
		"serve --help":         "usage: jiuzhu [-config FILE] serve",
		"help serve":           "usage: jiuzhu [-config FILE] serve",
		"migrate up -h":        "usage: jiuzhu [-config FILE] migrate up|status",
		"config check -h":      "usage: jiuzhu [-config FILE] config check",
		"vouchers -h":          "usage: jiuzhu [-config FILE] vouchers issue-term [TERM]",
		"-config x.yaml -help": "usage: jiuzhu [-config FILE] COMMAND",
	}
	for args, want := range cases {
		stdout, stderr, err := runFast(t, strings.Fields(args), bad)
		if err != nil || !strings.Contains(stdout, want) || stderr != "" {
			t.Errorf("jiuzhu %s: err %v, stdout %.200q, stderr %.200q; want usage %q on stdout only", args, err, stdout, stderr, want)
		}
	}
	// The configuration really is invalid: a command that loads it fails.
	if _, _, err := runFast(t, []string{"config", "check"}, bad); err == nil || !strings.Contains(err.Error(), "JIUZHU_DB_DRIVER") {
		t.Errorf("config check with a bad driver: %v, want an error naming JIUZHU_DB_DRIVER", err)
	}
	if _, stderr, err := runFast(t, []string{"frobnicate", "-h"}, bad); err == nil || !strings.Contains(stderr, "usage:") {
		t.Errorf("unknown command: %v, stderr %q", err, stderr)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, _, err := runFast(t, []string{"version"}, map[string]string{"JIUZHU_DB_DRIVER": "oracle"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"jiuzhu ", "commit:", "built:", "go:         go1."} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestConfigCheck: a valid production configuration prints as YAML with
// every secret masked; the output is itself a loadable configuration.
func TestConfigCheck(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"JIUZHU_SECRET_KEY":         "3f1c9a7e5b2d4f6081a3c5e7092b4d6f8a1c3e5f7092b4d6e8f0a2c4e6081b3d",
		"JIUZHU_REDIS_PASSWORD":     "redis-pw-Zq81",
		"JIUZHU_S3_ACCESS_KEY":      "AKIAEXAMPLEKEY77",
		"JIUZHU_S3_SECRET_KEY":      "s3-sk-9d8c7b6a5f4e3d2c1b0a",
		"JIUZHU_SMS_WEBHOOK_SECRET": "sms-webhook-key-4411aa",
		"JIUZHU_METRICS_TOKEN":      "9b8a7c6d5e4f30211a2b3c4d5e6f7081",
		// Regression: checks_secret was printed in clear.
		"JIUZHU_CHECKS_SECRET": "checks-platform-key-77aa66bb",
		"JIUZHU_WECHAT_SECRET": "wx-app-secret-5c4b3a2918f7e6d5",
		"JIUZHU_DB_DSN":        "jiuzhu:db-pass-Kk22@tcp(127.0.0.1:3306)/jiuzhu?parseTime=true",
	}
	vars := map[string]string{"JIUZHU_DATA_DIR": t.TempDir(),
		"JIUZHU_WECHAT_APP_ID": "wx0123456789abcdef", "JIUZHU_WECHAT_PUBLIC_URL": "https://jz.example.gov.cn"}
	for k, v := range secrets {
		vars[k] = v
	}
	stdout, stderr, err := runFast(t, []string{"-config", "../../config.example.yaml", "config", "check"}, vars)
	if err != nil {
		t.Fatalf("config check of config.example.yaml: %v\n%s%s", err, stdout, stderr)
	}
	for k, v := range secrets {
		secret := v
		if k == "JIUZHU_DB_DSN" {
			secret = "db-pass-Kk22"
		}
		if strings.Contains(stdout, secret) {
			t.Errorf("config check prints %s in clear:\n%s", k, stdout)
		}
	}
	if strings.Count(stdout, "'***'") < 6 || !strings.Contains(stdout, "jiuzhu:***@tcp") {
		t.Errorf("config check masks too little:\n%s", stdout)
	}
	var printed config.Config
	if err := yaml.Unmarshal([]byte(stdout), &printed); err != nil {
		t.Fatalf("config check output is not a configuration: %v", err)
	}
	if printed.DBDriver != "mysql" || printed.RedisAddr != "redis.internal:6379" || printed.StaffIdleTTL != 30*time.Minute {
		t.Errorf("config check printed %+v, want the example file's values", printed.Redacted())
	}
}

// TestConfigExampleNamesEveryKey: config.example.yaml shows (set or
// commented out) every key the configuration reads.
func TestConfigExampleNamesEveryKey(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := yaml.Marshal(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := yaml.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for k := range keys {
		if !strings.Contains(string(example), "\n"+k+":") && !strings.Contains(string(example), "\n# "+k+":") {
			t.Errorf("config.example.yaml does not show %s", k)
		}
	}
	if len(keys) < 40 {
		t.Fatalf("read only %d keys", len(keys))
	}
}

// TestServeMetricsJobAndBuild: serve's scheduled voucher issue reports its
// success time, and the build info names this binary, on the separate
// metrics listener.
func TestServeMetricsJobAndBuild(t *testing.T) {
	metricsAddr := freePort(t)
	_, stop, out := startServe(t, map[string]string{"JIUZHU_DATA_DIR": t.TempDir(), "JIUZHU_METRICS_ADDR": metricsAddr})
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v\n%s", err, out.String())
		}
	}()
	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		if strings.Contains(body, `jiuzhu_job_last_success_timestamp_seconds{job="voucher_issue_term"}`) {
			break
		}
	}
	for _, want := range []string{
		`jiuzhu_job_last_success_timestamp_seconds{job="voucher_issue_term"}`,
		`goversion="` + runtime.Version() + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
