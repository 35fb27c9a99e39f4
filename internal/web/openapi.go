package web

import (
	"net/http"
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// openapi describes the API from the route table, so the description can
// never miss an endpoint.
func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		if !strings.HasPrefix(rt.path, "/api/") {
			continue
		}
		op := map[string]any{
			"summary":   rt.summary,
			"responses": map[string]any{"200": map[string]string{"description": "success"}, "4XX": map[string]string{"description": `{"error": "reason"}`}},
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.access == publicAccess {
			op["security"] = []any{}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]string{"title": "Vantage API", "version": "1"},
		"components": map[string]any{"securitySchemes": map[string]any{
			"basic":  map[string]string{"type": "http", "scheme": "basic"},
			"bearer": map[string]string{"type": "http", "scheme": "bearer"},
		}},
		"security": []any{map[string]any{"basic": []string{}}, map[string]any{"bearer": []string{}}},
		"paths":    paths,
	})
}
