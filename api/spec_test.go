package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/api"
	"github.com/jiuzhu/jiuzhu/apitest"
)

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// specSuffix matches a path that ends in a parameter with a file suffix
// ("{id}.xlsx"): the router serves it through the parameter's own route.
var specSuffix = regexp.MustCompile(`(\{[a-z_]+\})\.[a-z]+$`)

// TestSpecMatchesRoutes fails when a registered route is missing from the
// OpenAPI document or the document names a route that does not exist.
func TestSpecMatchesRoutes(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	raw, err := api.Spec()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	inSpec := map[string]bool{}
	for path, item := range doc.Paths {
		p := specSuffix.ReplaceAllString(path, "$1")
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch":
				inSpec[strings.ToUpper(method)+" "+p] = true
			}
		}
	}
	routed := map[string]bool{}
	for _, r := range env.Server.Routes() {
		p := ginParam.ReplaceAllString(r.Path, "{$1}")
		routed[r.Method+" "+p] = true
	}
	var missing, phantom []string
	for k := range routed {
		if !inSpec[k] {
			missing = append(missing, k)
		}
	}
	for k := range inSpec {
		if !routed[k] {
			phantom = append(phantom, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(phantom)
	for _, k := range missing {
		t.Errorf("route %s is registered but missing from the OpenAPI document", k)
	}
	for _, k := range phantom {
		t.Errorf("the OpenAPI document names %s, which no route serves", k)
	}
}

func TestSpecIsServed(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	r := env.Get("/api/v1/openapi.json", "")
	apitest.Want(t, r, http.StatusOK)
	m := r.Map(t)
	if v, _ := m["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi version %v", m["openapi"])
	}
}
