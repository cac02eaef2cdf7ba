package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIDescribesEveryEndpoint keeps docs/openapi.json and the router
// in step: every endpoint is documented, and nothing documented is missing.
func TestOpenAPIDescribesEveryEndpoint(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("docs/openapi.json is not JSON: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			// Endpoints other packages register through Config.Extra
			// (search) are checked where the whole API is assembled.
			var x struct {
				By string `json:"x-broadsheet-registered-by"`
			}
			if json.Unmarshal(op, &x) == nil && x.By != "" {
				continue
			}
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
		}
	}
	served := map[string]bool{}
	for _, p := range New(Config{}).Patterns() {
		served[p] = true
		if !documented[p] {
			t.Errorf("%s is served but not in docs/openapi.json", p)
		}
	}
	var extra []string
	for p := range documented {
		if !served[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	for _, p := range extra {
		t.Errorf("%s is in docs/openapi.json but not served", p)
	}
}
