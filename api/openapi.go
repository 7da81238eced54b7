package api

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// The OpenAPI 3 document is hand-written in parts, one file per area
// (api/openapi/*.yaml), merged in file-name order: the first file gives
// openapi/info/servers; every file adds paths and components. A path or
// component defined twice is an error.
//
//go:embed openapi/*.yaml
var specFS embed.FS

// Spec returns the merged OpenAPI document as JSON, validated.
func Spec() ([]byte, error) {
	names, err := fs.Glob(specFS, "openapi/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list spec parts: %w", err)
	}
	sort.Strings(names)
	doc := map[string]any{}
	paths := map[string]any{}
	components := map[string]map[string]any{}
	for i, name := range names {
		b, err := specFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		var part map[string]any
		if err := yaml.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		for k, v := range part {
			switch k {
			case "paths":
				m, _ := v.(map[string]any)
				for p, item := range m {
					if _, dup := paths[p]; dup {
						return nil, fmt.Errorf("%s: path %s defined twice", name, p)
					}
					paths[p] = item
				}
			case "components":
				m, _ := v.(map[string]any)
				for section, entries := range m {
					em, _ := entries.(map[string]any)
					if components[section] == nil {
						components[section] = map[string]any{}
					}
					for n, e := range em {
						if _, dup := components[section][n]; dup {
							return nil, fmt.Errorf("%s: components.%s.%s defined twice", name, section, n)
						}
						components[section][n] = e
					}
				}
			default:
				if i == 0 {
					doc[k] = v
				}
			}
		}
	}
	doc["paths"] = paths
	doc["components"] = components
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode spec: %w", err)
	}
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(out)
	if err != nil {
		return nil, fmt.Errorf("load spec: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("invalid spec: %w", err)
	}
	return out, nil
}
