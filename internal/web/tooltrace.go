package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"time"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// NetTools runs the troubleshooting tools on the server, for the device
// context menu: each call emits its output line by line, in the format of
// the command-line tools (vantage ping -style ping, vantage traceroute).
type NetTools interface {
	Ping(ctx context.Context, host string, addr netip.Addr, opt PingOptions, line func(string)) error
	Traceroute(ctx context.Context, host string, addr netip.Addr, opt TraceOptions, line func(string)) error
}

// PingOptions are the options of POST /api/v1/tools/ping.
type PingOptions struct {
	// Count is the number of echoes, 1 to maxPingCount; default 5.
	Count int `json:"count,omitempty"`
}

// TraceOptions are the options of POST /api/v1/tools/traceroute.
type TraceOptions struct {
	// Mode is "udp" (the default) or "icmp".
	Mode string `json:"mode,omitempty"`
	// MaxHops is 1 to 30; default 30.
	MaxHops int `json:"max_hops,omitempty"`
	// Queries is the number of probes per hop, 1 to 5; default 3.
	Queries int `json:"queries,omitempty"`
	// Numeric leaves out reverse DNS names.
	Numeric bool `json:"numeric,omitempty"`
}

// toolTarget names what a tool runs against: a device of a map
// ("map~device", the id the API gives devices) or an explicit address or
// host name.
type toolTarget struct {
	Device  string `json:"device,omitempty"`
	Address string `json:"address,omitempty"`
}

// Tool bounds. A run streams for at most toolRunLimit; at most
// toolConcurrency runs are in progress on the server, so the tools cannot
// be turned into a flood.
const (
	toolRunLimit    = 60 * time.Second
	toolConcurrency = 4
	maxPingCount    = 50
)

// netToolRoutes registers the streaming tools. Any authenticated user may
// run them, against the address of a device on a map or against an
// explicit address or name: they are the diagnostics an operator needs
// for a device that is not on a map yet, and each run is bounded in time,
// packets and concurrency.
func (a *API) netToolRoutes() {
	sem := make(chan struct{}, toolConcurrency)
	a.route("POST /api/v1/tools/ping", "Ping a device or address from the server: {device: \"map~device\" | address, count} → text/plain streamed line by line, ending with min/avg/max/mdev", anyUser, a.pingTool(sem))
	a.route("POST /api/v1/tools/traceroute", "Traceroute to a device or address from the server: {device | address, mode: udp|icmp, max_hops, queries, numeric} → text/plain streamed line by line", anyUser, a.traceTool(sem))
}

// pingTool serves POST /api/v1/tools/ping; sem bounds concurrent runs.
func (a *API) pingTool(sem chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			toolTarget
			PingOptions
		}
		a.runTool(w, r, sem, &req, &req.toolTarget, func() error {
			if req.Count == 0 {
				req.Count = 5
			}
			if req.Count < 1 || req.Count > maxPingCount {
				return fmt.Errorf("count %d: want 1 to %d", req.Count, maxPingCount)
			}
			return nil
		}, func(ctx context.Context, host string, addr netip.Addr, line func(string)) error {
			return a.deps.NetTools.Ping(ctx, host, addr, req.PingOptions, line)
		})
	}
}

// traceTool serves POST /api/v1/tools/traceroute.
func (a *API) traceTool(sem chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			toolTarget
			TraceOptions
		}
		a.runTool(w, r, sem, &req, &req.toolTarget, func() error {
			switch {
			case req.Mode != "" && req.Mode != "udp" && req.Mode != "icmp":
				return fmt.Errorf("mode %q: want udp or icmp", req.Mode)
			case req.MaxHops < 0 || req.MaxHops > 30:
				return fmt.Errorf("max_hops %d: want 1 to 30", req.MaxHops)
			case req.Queries < 0 || req.Queries > 5:
				return fmt.Errorf("queries %d: want 1 to 5", req.Queries)
			}
			return nil
		}, func(ctx context.Context, host string, addr netip.Addr, line func(string)) error {
			return a.deps.NetTools.Traceroute(ctx, host, addr, req.TraceOptions, line)
		})
	}
}

// runTool decodes and checks a tool request, resolves its target, and
// streams the tool's lines as chunked text/plain, flushed line by line.
// Errors found before the first line are HTTP errors; later ones end the
// stream with an "error: " line.
func (a *API) runTool(w http.ResponseWriter, r *http.Request, sem chan struct{}, req any, target *toolTarget,
	check func() error, run func(ctx context.Context, host string, addr netip.Addr, line func(string)) error) {
	if a.deps.NetTools == nil {
		writeError(w, http.StatusNotImplemented, errors.New("network tools are not available on this server"))
		return
	}
	if err := decodeJSON(r, req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := check(); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if code, err := a.allowTarget(r, target.Device, auth.Read); err != nil {
		writeError(w, code, err)
		return
	}
	host, code, err := a.toolHost(*target)
	if err != nil {
		writeError(w, code, err)
		return
	}
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	default:
		writeError(w, http.StatusTooManyRequests, fmt.Errorf("%d tool runs are already in progress; try again when one ends", toolConcurrency))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), toolRunLimit)
	defer cancel()
	addr, err := resolveTool(ctx, host)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	fl, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	line := func(s string) {
		fmt.Fprintln(w, s)
		if fl != nil {
			fl.Flush()
		}
	}
	err = run(ctx, host, addr, line)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		line(fmt.Sprintf("(stopped after %s)", toolRunLimit))
	case err != nil && r.Context().Err() == nil:
		a.deps.Logger.Warn("network tool failed", "path", r.URL.Path, "target", host, "err", err)
		line("error: " + err.Error())
	}
}

// toolHost is the host a tool runs against: the device's address, or the
// address given. The code is the HTTP status of an error.
func (a *API) toolHost(t toolTarget) (string, int, error) {
	switch {
	case t.Device != "" && t.Address != "":
		return "", http.StatusBadRequest, errors.New("give a device or an address, not both")
	case t.Address != "":
		if _, err := netip.ParseAddr(t.Address); err != nil && !hostName.MatchString(t.Address) {
			return "", http.StatusBadRequest, fmt.Errorf("invalid address %q", t.Address)
		}
		return t.Address, 0, nil
	case t.Device != "":
		mapName, dev, err := netmap.ParseDeviceID(t.Device)
		if err != nil {
			return "", http.StatusBadRequest, fmt.Errorf("device %q: %w", t.Device, err)
		}
		m, ok := a.deps.Maps.Get(mapName)
		if !ok {
			return "", http.StatusNotFound, fmt.Errorf("no map named %q", mapName)
		}
		d := m.FindDevice(dev)
		if d == nil {
			return "", http.StatusNotFound, fmt.Errorf("no device %q on map %q", dev, mapName)
		}
		return d.Address, 0, nil
	}
	return "", http.StatusBadRequest, errors.New("give a device (map~device) or an address")
}

// hostName is a DNS name as a tool accepts it: letters, digits, hyphens
// and dots, not starting with a hyphen (which a command line would take
// for an option).
var hostName = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$`)

// resolveTool turns a host into the address to probe, with the system
// resolver.
func resolveTool(ctx context.Context, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap(), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("cannot resolve %q: %v", host, err)
	}
	return addrs[0].Unmap(), nil
}
