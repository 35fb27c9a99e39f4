package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// checkFlowAccess runs the flow views as every kind of user against a
// server whose one exporter (127.0.0.1) is device router on map F: the
// whole network's flows need an administrator or read on every map ("*");
// others see only exporters that are devices on maps they may read, and
// only those maps' devices.
func checkFlowAccess(t *testing.T, in *instance) {
	t.Helper()
	in.must("POST", "/api/v1/maps", map[string]any{"name": "Elsewhere"}, 201, nil)
	in.must("POST", "/api/v1/groups", map[string]string{"name": "noc", "description": "sees every map"}, 201, nil)
	users := []struct {
		name   string
		groups []string
	}{{"f-reader", nil}, {"other-reader", nil}, {"nobody", nil}, {"noc-member", []string{"noc"}}}
	for _, u := range users {
		in.must("POST", "/api/v1/users", map[string]any{"name": u.name, "password": "pw-" + u.name + "-flows", "groups": u.groups}, 201, nil)
	}
	in.must("PUT", "/api/v1/maps/F/access", map[string]any{"users": map[string]string{"f-reader": "read"}}, 200, nil)
	in.must("PUT", "/api/v1/maps/Elsewhere/access", map[string]any{"users": map[string]string{"other-reader": "read"}}, 200, nil)
	in.must("PUT", "/api/v1/maps/*/access", map[string]any{"groups": map[string]string{"noc": "read"}}, 200, nil)

	const (
		global   = "/api/v1/flows/top?by=host&from=1h"
		chart    = "/api/v1/flows/chart?from=1h&buckets=10"
		scoped   = "/api/v1/flows/top?by=host&from=1h&exporter=127.0.0.1"
		scopedCh = "/api/v1/flows/chart?from=1h&buckets=10&exporter=127.0.0.1"
		about    = "/api/v1/flows/about"
		list     = "/api/v1/flows/exporters"
	)
	for _, tc := range []struct {
		user string
		// want are the statuses of global, chart, scoped, scopedCh, about.
		want    [5]int
		devices []string // the exporter list: the one exporter's devices; nil: no exporter listed
	}{
		{"admin", [5]int{200, 200, 200, 200, 200}, []string{"F~router"}},
		{"noc-member", [5]int{200, 200, 200, 200, 200}, []string{"F~router"}},
		{"f-reader", [5]int{403, 403, 200, 200, 403}, []string{"F~router"}},
		{"other-reader", [5]int{403, 403, 403, 403, 403}, nil},
		{"nobody", [5]int{403, 403, 403, 403, 403}, nil},
	} {
		t.Run("flows as "+tc.user, func(t *testing.T) {
			pw := "pw-" + tc.user + "-flows"
			if tc.user == "admin" {
				pw = adminPassword
			}
			for i, p := range []string{global, chart, scoped, scopedCh, about} {
				code, body := in.doAs(tc.user, pw, "GET", p, nil)
				if code != tc.want[i] {
					t.Errorf("GET %s: %d, want %d: %s", p, code, tc.want[i], body)
				}
				if code == 403 && p == global && !strings.Contains(body, "every map") {
					t.Errorf("GET %s: the refusal does not say what is needed: %s", p, body)
				}
			}
			code, body := in.doAs(tc.user, pw, "GET", list, nil)
			var ex []struct {
				Address string
				Devices []string
			}
			if err := json.Unmarshal([]byte(body), &ex); code != 200 || err != nil {
				t.Fatalf("exporters: %d %s", code, body)
			}
			switch {
			case tc.devices == nil && len(ex) != 0:
				t.Errorf("exporters listed to a user who may not see them: %+v", ex)
			case tc.devices != nil && (len(ex) != 1 || strings.Join(ex[0].Devices, ",") != strings.Join(tc.devices, ",")):
				t.Errorf("exporters %+v, want 127.0.0.1 with devices %v", ex, tc.devices)
			}
		})
	}
}
