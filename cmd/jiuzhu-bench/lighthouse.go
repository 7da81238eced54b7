package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// chromePath is the browser Lighthouse drives: the machine's own Chromium
// (no tool downloads a browser of its own).
const chromePath = "/usr/bin/chromium"

// lighthousePage is the page audited: where a resident lands on a first
// visit ("/" sends a visitor without a session there).
const lighthousePage = "/login"

// lighthouseReport is the part of Lighthouse's JSON report the bench reads.
type lighthouseReport struct {
	LighthouseVersion string `json:"lighthouseVersion"`
	Categories        map[string]struct {
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title        string   `json:"title"`
		Score        *float64 `json:"score"`
		NumericValue float64  `json:"numericValue"`
		DisplayValue string   `json:"displayValue"`
	} `json:"audits"`
	RuntimeError *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"runtimeError"`
}

// lighthouseRound is what one Lighthouse run measured.
type lighthouseRound struct {
	Performance, Accessibility float64 // 0–100
	BytesKiB                   float64 // total-byte-weight: every byte the load transferred
	Metrics                    []string
	Failing                    []string // audits of either category that did not pass
	Version                    string
}

// parseLighthouse reads a Lighthouse JSON report.
func parseLighthouse(b []byte) (lighthouseRound, error) {
	var r lighthouseReport
	if err := json.Unmarshal(b, &r); err != nil {
		return lighthouseRound{}, fmt.Errorf("read the Lighthouse report: %w", err)
	}
	if r.RuntimeError != nil && r.RuntimeError.Code != "" && r.RuntimeError.Code != "NO_ERROR" {
		return lighthouseRound{}, fmt.Errorf("lighthouse: %s: %s", r.RuntimeError.Code, r.RuntimeError.Message)
	}
	out := lighthouseRound{Version: r.LighthouseVersion}
	for name, dst := range map[string]*float64{"performance": &out.Performance, "accessibility": &out.Accessibility} {
		c, ok := r.Categories[name]
		if !ok || c.Score == nil {
			return lighthouseRound{}, fmt.Errorf("the Lighthouse report has no %s score", name)
		}
		*dst = *c.Score * 100
		for _, ref := range c.AuditRefs {
			a, ok := r.Audits[ref.ID]
			if ok && a.Score != nil && *a.Score < 0.9 && (ref.Weight > 0 || name == "performance") {
				out.Failing = append(out.Failing, fmt.Sprintf("%s: %s (%s)", name, a.Title, strings.TrimSpace(a.DisplayValue+" score "+trimFloat(*a.Score))))
			}
		}
	}
	w, ok := r.Audits["total-byte-weight"]
	if !ok {
		return lighthouseRound{}, fmt.Errorf("the Lighthouse report has no total-byte-weight")
	}
	out.BytesKiB = w.NumericValue / 1024
	for _, id := range []string{"first-contentful-paint", "largest-contentful-paint", "speed-index", "total-blocking-time", "cumulative-layout-shift", "interactive"} {
		if a, ok := r.Audits[id]; ok && a.DisplayValue != "" {
			out.Metrics = append(out.Metrics, a.Title+" "+a.DisplayValue)
		}
	}
	slices.Sort(out.Failing)
	return out, nil
}

// lighthouseLines serves the portal (embedded backends: the page needs no
// database load) and runs Lighthouse on it once per round with mobile
// settings (its default: a mid-range phone on slow 4G, simulated). The
// pinned Lighthouse is web/node_modules' (`cd web && npm ci`), driving
// /usr/bin/chromium through CHROME_PATH. Brotli is asked for explicitly:
// Chromium advertises it only over HTTPS, and the bench serves plain HTTP
// on loopback.
func (b *Bench) lighthouseLines(ctx context.Context) {
	perf := Line{Name: "portal: Lighthouse performance (mobile, " + lighthousePage + ")", Unit: "score", Target: Target{AtLeast, 90}}
	a11y := Line{Name: "portal: Lighthouse accessibility (mobile, " + lighthousePage + ")", Unit: "score", Target: Target{AtLeast, 100}}
	bytes := Line{Name: "portal: first load transferred, brotli (" + lighthousePage + ")", Unit: "KiB", Target: Target{AtMost, 150}}
	defer func() { b.report.Lines = append(b.report.Lines, perf, a11y, bytes) }()
	fail := func(err error) {
		perf.Err, a11y.Err, bytes.Err = err.Error(), err.Error(), err.Error()
		b.logf("lighthouse: %v", err)
	}
	bin := filepath.Join(b.root, "web", "node_modules", ".bin", "lighthouse")
	if _, err := os.Stat(bin); err != nil {
		fail(fmt.Errorf("%s is missing: run `cd web && npm ci` (lighthouse is pinned in web/package.json)", bin))
		return
	}
	if _, err := os.Stat(chromePath); err != nil {
		fail(fmt.Errorf("%s is missing: apt-get install chromium", chromePath))
		return
	}
	env := map[string]string{"JIUZHU_DEV": "true", "JIUZHU_SECRET_KEY": randomHex(32), "JIUZHU_DATA_DIR": filepath.Join(b.tmp, "lighthouse")}
	if err := b.startServer(ctx, "lighthouse-server", env); err != nil {
		fail(err)
		return
	}
	defer func() { b.server.Stop(); b.server = nil }()
	url := "http://" + b.server.Addr + lighthousePage
	var failing []string
	var metrics []string
	for r := range b.opt.Rounds {
		if ctx.Err() != nil {
			fail(ctx.Err())
			return
		}
		out := filepath.Join(b.tmp, fmt.Sprintf("lighthouse-%d.json", r))
		cmd := exec.CommandContext(ctx, bin, url,
			"--form-factor=mobile", "--only-categories=performance,accessibility",
			"--output=json", "--output-path="+out, "--quiet",
			`--extra-headers={"Accept-Encoding":"br, gzip"}`,
			"--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="+filepath.Join(b.tmp, fmt.Sprintf("lighthouse-profile-%d", r)),
		)
		cmd.Env = append(os.Environ(), "CHROME_PATH="+chromePath)
		if msg, err := cmd.CombinedOutput(); err != nil {
			fail(fmt.Errorf("lighthouse: %v: %s", err, lastLines(string(msg), 5)))
			return
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			fail(err)
			return
		}
		res, err := parseLighthouse(raw)
		if err != nil {
			fail(err)
			return
		}
		if r == 0 {
			b.report.Versions = append(b.report.Versions, "Lighthouse: "+res.Version+" (web/package.json), Chromium: "+chromiumVersion())
		}
		b.logf("lighthouse round %d: performance %s, accessibility %s, %s KiB", r+1, trimFloat(res.Performance), trimFloat(res.Accessibility), trimFloat(res.BytesKiB))
		perf.Values = append(perf.Values, res.Performance)
		a11y.Values = append(a11y.Values, res.Accessibility)
		bytes.Values = append(bytes.Values, res.BytesKiB)
		metrics = res.Metrics
		for _, f := range res.Failing {
			if !slices.Contains(failing, f) {
				failing = append(failing, f)
			}
		}
	}
	perf.Evidence = append(perf.Evidence, "last round: "+strings.Join(metrics, ", ")+" (Lighthouse's simulated slow 4G and 4× CPU slowdown on this machine's cores)")
	if len(failing) > 0 {
		perf.Evidence = append(perf.Evidence, "audits below 0.9 in some round: "+strings.Join(failing, "; "))
	}
	bytes.Evidence = append(bytes.Evidence, "Lighthouse's total-byte-weight: every response of the page load with its headers, as transferred (brotli asked for with --extra-headers)")
}

func chromiumVersion() string {
	out, err := exec.Command(chromePath, "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
