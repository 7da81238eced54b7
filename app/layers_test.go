package app_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// allowedImports is the layer rule of STYLE.md: imports point one way,
// api → service → storage → model; config and model import only the
// standard library (config also its YAML parser); only cmd and app (the
// composition root) import everything; apitest is test support.
var allowedImports = map[string][]string{
	"model":               {},
	"config":              {},
	"storage":             {"model"},
	"storage/storagetest": {"model"},
	"service":             {"model", "storage"},
	"api":                 {"model", "service", "web"},
	"web":                 {},
	"web/e2e":             {"apitest", "model"},
	"app":                 {"model", "config", "storage", "service", "api"},
	"apitest":             {"model", "config", "storage", "storage/storagetest", "service", "api", "app"},
	"cmd/jiuzhu":          {"model", "config", "storage", "service", "api", "app"},
	// The load driver of `make bench`: it seeds vouchers with the test
	// fixtures of apitest, as a second instance of the app would.
	"cmd/jiuzhu-bench": {"model", "config", "service", "app", "apitest"},
	"docker":           {},
	"docs":             {},
}

// thirdParty lists, for packages that must stay small, the only non-standard
// modules they may import.
var thirdParty = map[string][]string{
	"model":  {},
	"config": {"gopkg.in/yaml.v3", "github.com/caarlos0/env"},
	"api": {"github.com/gin-gonic/gin", "github.com/prometheus/client_golang", "github.com/getkin/kin-openapi", "gopkg.in/yaml.v3", "github.com/skip2/go-qrcode", "github.com/xuri/excelize",
		"go.opentelemetry.io/otel", "go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin",
		// brotli for the portal's and the JSON responses' compression (api/compress.go).
		"github.com/andybalholm/brotli"},
}

func TestLayersImportOneWay(t *testing.T) {
	const module = "github.com/jiuzhu/jiuzhu"
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Standard   bool
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		allowed, known := allowedImports[rel]
		if !known {
			t.Errorf("package %s has no place in the layer rule; add it to allowedImports", rel)
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) {
				dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
				if !contains(allowed, dep) {
					t.Errorf("%s imports %s: against the one-way layer rule", rel, dep)
				}
				continue
			}
			if tp, limited := thirdParty[rel]; limited && strings.Contains(strings.Split(imp, "/")[0], ".") {
				ok := false
				for _, prefix := range tp {
					if strings.HasPrefix(imp, prefix) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s imports %s; it may import only the standard library and %v", rel, imp, tp)
				}
			}
			if rel == "api" && (strings.HasPrefix(imp, "gorm.io/") || strings.Contains(imp, "sql")) {
				t.Errorf("api imports %s: the HTTP layer must not touch the database", imp)
			}
		}
	}
	if seen < 6 {
		t.Fatalf("go list saw only %d packages", seen)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
