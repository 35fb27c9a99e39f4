package web

import (
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/vantage-monitor/vantage/internal/auth"
)

// adminRequest is a request from an administrator, for tests that call
// handlers directly, past the authentication and authorization layers.
func adminRequest(method, target string, body io.Reader) *http.Request {
	return withIdentity(httptest.NewRequest(method, target, body), auth.Identity{Name: "admin", Groups: []string{auth.AdminGroup}, Source: auth.SourceLocal})
}
