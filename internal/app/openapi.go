package app

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// The OpenAPI 3.1 document is kept by hand, one fragment per feature in
// openapi/ (base.json holds the shared parts), merged at start. A test fails
// when a registered route has no entry, so every feature keeps it complete.
//
//go:embed openapi/*.json
var openapiFS embed.FS

var (
	openapiOnce sync.Once
	openapiDoc  []byte
	openapiErr  error
)

// OpenAPI returns the merged document.
func OpenAPI() ([]byte, error) {
	openapiOnce.Do(func() { openapiDoc, openapiErr = mergeOpenAPI(openapiFS) })
	return openapiDoc, openapiErr
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	base := map[string]any{}
	raw, err := fs.ReadFile(fsys, "openapi/base.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &base); err != nil {
		return nil, fmt.Errorf("openapi/base.json: %w", err)
	}
	paths := ensureMap(base, "paths")
	schemas := ensureMap(ensureMap(base, "components"), "schemas")
	files, _ := fs.Glob(fsys, "openapi/*.json")
	sort.Strings(files)
	for _, f := range files {
		if f == "openapi/base.json" {
			continue
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var frag struct {
			Paths      map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for p, ops := range frag.Paths {
			cur, _ := paths[p].(map[string]any)
			if cur == nil {
				cur = map[string]any{}
				paths[p] = cur
			}
			for m, op := range ops {
				if _, dup := cur[m]; dup {
					return nil, fmt.Errorf("%s: %s %s is described twice", f, strings.ToUpper(m), p)
				}
				cur[m] = op
			}
		}
		for n, s := range frag.Components.Schemas {
			if _, dup := schemas[n]; dup {
				return nil, fmt.Errorf("%s: schema %s is described twice", f, n)
			}
			schemas[n] = s
		}
	}
	return json.MarshalIndent(base, "", "  ")
}

func ensureMap(m map[string]any, k string) map[string]any {
	v, ok := m[k].(map[string]any)
	if !ok {
		v = map[string]any{}
		m[k] = v
	}
	return v
}

func (a *App) handleOpenAPI(c echo.Context) error {
	doc, err := OpenAPI()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}
