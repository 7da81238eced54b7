package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/api"
)

// specOperation is what the operation checks read of one operation.
type specOperation struct {
	OperationID string                     `json:"operationId"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// wantSecurity is the scheme an operation on path must name, or "" for a
// public one. It follows the route groups in routes_*.go.
func wantSecurity(method, path string) string {
	switch {
	case path == "/metrics":
		return "metricsBearer"
	case method == "post" && (path == "/api/v1/staff/sessions" || path == "/api/v1/auth/sessions" || path == "/api/v1/auth/sms-codes"):
		return ""
	case strings.HasPrefix(path, "/api/v1/staff/"):
		return "staffBearer"
	case strings.HasPrefix(path, "/api/v1/school/"):
		return "schoolBearer"
	case strings.HasPrefix(path, "/api/v1/me/"), strings.HasPrefix(path, "/api/v1/applications"), path == "/api/v1/auth/sessions/current",
		strings.HasPrefix(path, "/api/v1/volunteer/"), strings.HasPrefix(path, "/api/v1/resident/"):
		return "residentBearer"
	}
	return ""
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// suggestOperationID is the name the existing operations follow:
// method + path words, parameters as "By<Name>" (GET
// /api/v1/staff/applications/{id} → getStaffApplicationsById).
func suggestOperationID(method, path string) string {
	out := method
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "api" || seg == "v1" {
			continue
		}
		if strings.HasPrefix(seg, "{") {
			seg = "by_" + strings.TrimPrefix(seg, "{")
		}
		for _, w := range nonWord.Split(seg, -1) {
			if w != "" {
				out += strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return out
}

// TestSpecOperationsNamedAndSecured fails, naming each operation and the
// line to add, when an operation has no operationId, no security (`[]` when
// public), the wrong scheme for its route group, or no 4xx response.
func TestSpecOperationsNamedAndSecured(t *testing.T) {
	t.Parallel()
	raw, err := api.Spec()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"residentBearer", "staffBearer", "schoolBearer", "metricsBearer"} {
		if _, ok := doc.Components.SecuritySchemes[s]; !ok {
			t.Errorf("components.securitySchemes.%s is not declared", s)
		}
	}
	var problems []string
	ids := map[string]string{}
	count := 0
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			switch method {
			case "get", "put", "post", "delete", "patch":
			default:
				continue
			}
			count++
			name := strings.ToUpper(method) + " " + path
			var op specOperation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if op.OperationID == "" {
				problems = append(problems, fmt.Sprintf("%s: no operationId (add `operationId: %s`)", name, suggestOperationID(method, path)))
			} else if other, dup := ids[op.OperationID]; dup {
				problems = append(problems, fmt.Sprintf("%s: operationId %s is also used by %s", name, op.OperationID, other))
			} else {
				ids[op.OperationID] = name
			}
			want := wantSecurity(method, path)
			line := "security: []"
			if want != "" {
				line = "security: [{" + want + ": []}]"
			}
			switch {
			case op.Security == nil:
				problems = append(problems, fmt.Sprintf("%s: no security (add `%s`)", name, line))
			case want == "" && len(*op.Security) != 0:
				problems = append(problems, fmt.Sprintf("%s: public route but security names a scheme (want `%s`)", name, line))
			case want != "":
				found := false
				for _, req := range *op.Security {
					_, found = req[want]
				}
				if !found {
					problems = append(problems, fmt.Sprintf("%s: security does not name %s (want `%s`)", name, want, line))
				}
			}
			has4xx := false
			for code := range op.Responses {
				has4xx = has4xx || strings.HasPrefix(code, "4")
			}
			if !has4xx {
				problems = append(problems, fmt.Sprintf("%s: no 4xx response", name))
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if count < 70 {
		t.Fatalf("only %d operations read: the check reads the wrong document", count)
	}
}

// TestSpecRedoclyLint runs Redocly CLI (pinned in web/package.json, run by
// node from web/node_modules; `npm ci` in web/ installs it, and
// scripts/test-services.sh runs that) with its recommended rules on the
// served document and fails on any error. Without node or the package it
// skips locally and fails under CI=true.
func TestSpecRedoclyLint(t *testing.T) {
	t.Parallel()
	cli, err := filepath.Abs("../web/node_modules/@redocly/cli/bin/cli.js")
	if err != nil {
		t.Fatal(err)
	}
	node, nodeErr := exec.LookPath("node")
	_, cliErr := os.Stat(cli)
	if nodeErr != nil || cliErr != nil {
		msg := fmt.Sprintf("Redocly CLI not runnable (node: %v; %s: %v): run `npm ci` in web/", nodeErr, cli, cliErr)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	raw, err := api.Spec()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, cli, "lint", "--extends", "recommended", "--format", "json", "--max-problems", "1000", spec)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var report struct {
		Totals struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
		} `json:"totals"`
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("redocly lint: %v (run error %v)\nstdout: %.2000s\nstderr: %.2000s", err, runErr, stdout.String(), stderr.String())
	}
	for _, p := range report.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		if p.Severity == "error" {
			t.Errorf("redocly %s at %s: %s", p.RuleID, where, p.Message)
		} else {
			t.Logf("redocly warning %s at %s: %s", p.RuleID, where, p.Message)
		}
	}
	if report.Totals.Errors > 0 || (runErr != nil && !t.Failed()) {
		t.Fatalf("redocly lint: %d errors, %d warnings (exit: %v)", report.Totals.Errors, report.Totals.Warnings, runErr)
	}
}
