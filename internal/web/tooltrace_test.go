package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// fakeNetTools records what it was asked to run and prints canned lines.
type fakeNetTools struct {
	host    string
	addr    netip.Addr
	ping    PingOptions
	trace   TraceOptions
	block   chan struct{} // when set, runs wait for it (or their context)
	started chan struct{} // when set, closed as the first run starts
	fail    error
}

func (f *fakeNetTools) Ping(ctx context.Context, host string, addr netip.Addr, opt PingOptions, line func(string)) error {
	f.host, f.addr, f.ping = host, addr, opt
	line("PING " + host)
	if f.started != nil {
		select {
		case <-f.started:
		default:
			close(f.started)
		}
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
		}
	}
	line("rtt min/avg/max/mdev = 0.010/0.020/0.030/0.005 ms")
	return f.fail
}

func (f *fakeNetTools) Traceroute(ctx context.Context, host string, addr netip.Addr, opt TraceOptions, line func(string)) error {
	f.host, f.addr, f.trace = host, addr, opt
	line("traceroute to " + host)
	line(" 1  192.0.2.1  0.100 ms")
	return f.fail
}

func toolAPI(t *testing.T, tools NetTools) *API {
	t.Helper()
	maps, err := netmap.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := maps.Put(&netmap.Map{Name: "Campus", Devices: []netmap.Device{{Name: "gw", Address: "192.0.2.1"}}}); err != nil {
		t.Fatal(err)
	}
	a := &API{deps: Deps{Maps: maps, NetTools: tools}, mux: http.NewServeMux()}
	a.deps.Logger = slog.New(slog.DiscardHandler)
	return a
}

func TestToolStreams(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		code             int
		want             string // substring of the body
		host             string
	}{
		{"ping device", "ping", `{"device":"Campus~gw","count":3}`, 200, "PING 192.0.2.1\nrtt min/avg/max/mdev", "192.0.2.1"},
		{"ping address", "ping", `{"address":"198.18.0.1"}`, 200, "PING 198.18.0.1\n", "198.18.0.1"},
		{"trace device", "traceroute", `{"device":"Campus~gw","mode":"icmp","numeric":true}`, 200, "traceroute to 192.0.2.1\n 1  192.0.2.1  0.100 ms\n", "192.0.2.1"},
		{"both targets", "ping", `{"device":"Campus~gw","address":"192.0.2.9"}`, 400, "not both", ""},
		{"no target", "ping", `{}`, 400, "give a device", ""},
		{"unknown map", "ping", `{"device":"Nowhere~gw"}`, 404, "no map", ""},
		{"unknown device", "traceroute", `{"device":"Campus~db"}`, 404, "no device", ""},
		{"option-like address", "ping", `{"address":"-rf"}`, 400, "invalid address", ""},
		{"count too high", "ping", `{"address":"192.0.2.1","count":1000}`, 400, "count 1000", ""},
		{"bad mode", "traceroute", `{"address":"192.0.2.1","mode":"tcp"}`, 400, "mode", ""},
		{"too many hops", "traceroute", `{"address":"192.0.2.1","max_hops":64}`, 400, "max_hops", ""},
		{"unknown field", "ping", `{"address":"192.0.2.1","ttl":3}`, 400, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeNetTools{}
			a := toolAPI(t, f)
			h := a.pingTool(make(chan struct{}, 1))
			if tc.path == "traceroute" {
				h = a.traceTool(make(chan struct{}, 1))
			}
			w := httptest.NewRecorder()
			h(w, adminRequest("POST", "/api/v1/tools/"+tc.path, strings.NewReader(tc.body)))
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.want) {
				t.Fatalf("%d %q, want %d with %q", w.Code, w.Body.String(), tc.code, tc.want)
			}
			if tc.code == 200 {
				if ct := w.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" || !w.Flushed {
					t.Errorf("content type %q, flushed %v", ct, w.Flushed)
				}
				if f.host != tc.host || f.addr != netip.MustParseAddr(tc.host) {
					t.Errorf("ran against %q %s, want %s", f.host, f.addr, tc.host)
				}
			}
		})
	}
}

func TestToolDefaultsAndErrors(t *testing.T) {
	f := &fakeNetTools{fail: errors.New("engine closed")}
	a := toolAPI(t, f)
	w := httptest.NewRecorder()
	a.pingTool(make(chan struct{}, 1))(w, adminRequest("POST", "/", strings.NewReader(`{"address":"192.0.2.1"}`)))
	if f.ping.Count != 5 || !strings.HasSuffix(w.Body.String(), "error: engine closed\n") {
		t.Errorf("count %d, body %q", f.ping.Count, w.Body.String())
	}
	a.deps.NetTools = nil
	w = httptest.NewRecorder()
	a.pingTool(make(chan struct{}, 1))(w, adminRequest("POST", "/", strings.NewReader(`{"address":"192.0.2.1"}`)))
	if w.Code != http.StatusNotImplemented {
		t.Errorf("without tools: %d", w.Code)
	}
}

// TestToolConcurrency fills the semaphore with one run and checks that the
// next is refused with 429 instead of queueing.
func TestToolConcurrency(t *testing.T) {
	f := &fakeNetTools{block: make(chan struct{}), started: make(chan struct{})}
	a := toolAPI(t, f)
	h := a.pingTool(make(chan struct{}, 1))
	done := make(chan struct{})
	go func() {
		defer close(done)
		h(httptest.NewRecorder(), adminRequest("POST", "/", strings.NewReader(`{"address":"192.0.2.1"}`)))
	}()
	<-f.started
	w := httptest.NewRecorder()
	h(w, adminRequest("POST", "/", strings.NewReader(`{"address":"192.0.2.2"}`)))
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("second run: %d %q, want 429", w.Code, w.Body.String())
	}
	close(f.block)
	<-done
	w = httptest.NewRecorder()
	h(w, adminRequest("POST", "/", strings.NewReader(`{"address":"192.0.2.3"}`)))
	if w.Code != http.StatusOK {
		t.Errorf("after the first run ended: %d", w.Code)
	}
}
