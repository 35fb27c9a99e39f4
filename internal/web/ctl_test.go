package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/ctl"
)

func TestCtlHandler(t *testing.T) {
	a := &API{deps: Deps{Ctl: ctl.NewFake()}}
	a.deps.Logger = New(Deps{}).deps.Logger
	for _, tc := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"status", `{"command":"status","args":["Lab~web"]}`, 200, "status:    down"},
		{"maps", `{"command":"maps"}`, 200, "Lab"},
		{"unknown device", `{"command":"status","args":["Lab~nope"]}`, 404, `no device \"nope\" on map \"Lab\"`},
		{"unknown command", `{"command":"reboot"}`, 400, "unknown command"},
		{"quit", `{"command":"quit"}`, 400, "only ends a console session"},
		{"bad body", `{"cmd":"maps"}`, 400, "cmd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			a.ctl(rec, httptest.NewRequest(http.MethodPost, "/api/v1/ctl", strings.NewReader(tc.body)))
			if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d %s; want %d with %q", rec.Code, rec.Body, tc.code, tc.want)
			}
		})
	}
}
