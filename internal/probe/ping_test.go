package probe

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// The engine is what the server hands PingInfo.
var _ Pinger = (*icmp.Engine)(nil)

// fakePinger answers with canned statistics and remembers the request.
type fakePinger struct {
	st  icmp.Stats
	err error
	req icmp.Request
}

func (f *fakePinger) Ping(_ context.Context, req icmp.Request) (icmp.Stats, error) {
	f.req = req
	st := f.st
	st.Addr = req.Addr
	return st, f.err
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// replies makes the statistics of sent echoes answered in the given times.
func replies(sent int, rtts ...time.Duration) icmp.Stats {
	st := icmp.Stats{Sent: sent, Received: len(rtts), RTTs: rtts, TTL: 61}
	if len(rtts) > 0 {
		st.Min, st.Max = rtts[0], rtts[0]
		var sum time.Duration
		for _, r := range rtts {
			st.Min, st.Max, sum = min(st.Min, r), max(st.Max, r), sum+r
		}
		st.Avg = sum / time.Duration(len(rtts))
	}
	return st
}

// fakeLookup resolves names ending in .test without any DNS traffic.
func fakeLookup(_ context.Context, network, host string) ([]netip.Addr, error) {
	switch host {
	case "dual.test":
		if network == "ip6" {
			return []netip.Addr{netip.MustParseAddr("2001:db8::7")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")}, nil
	case "empty.test":
		return nil, nil
	}
	return nil, errors.New("no such host")
}

func TestPingProbe(t *testing.T) {
	for _, tc := range []struct {
		name       string
		address    string
		params     map[string]string
		st         icmp.Stats
		err        error
		level      status.Level
		reason     string // exact, or a prefix when it ends in "..."
		noResponse bool
		check      func(t *testing.T, r status.Result, req icmp.Request)
	}{
		{name: "all answered", st: replies(3, ms(1), ms(2), ms(3)), level: status.OK,
			check: func(t *testing.T, r status.Result, req icmp.Request) {
				want := map[string]any{"address": "192.0.2.1", "sent": 3, "received": 3, "loss_pct": 0.0, "ttl": 61,
					"rtt_ms": 2.0, "rtt_min_ms": 1.0, "rtt_max_ms": 3.0}
				for k, v := range want {
					if r.Values[k] != v {
						t.Errorf("value %s = %v (%T), want %v (%T)", k, r.Values[k], r.Values[k], v, v)
					}
				}
				if r.RTT != ms(2) || r.Time.IsZero() {
					t.Errorf("RTT %s, time %v", r.RTT, r.Time)
				}
				wantReq := icmp.Request{Addr: netip.MustParseAddr("192.0.2.1"), Count: 3, Timeout: 3 * time.Second, Size: 20, Pattern: []byte{0x24}}
				if req.Addr != wantReq.Addr || req.Count != wantReq.Count || req.Timeout != wantReq.Timeout || req.Size != wantReq.Size || !bytes.Equal(req.Pattern, wantReq.Pattern) {
					t.Errorf("request %+v, want %+v", req, wantReq)
				}
			}},
		{name: "rtt warning", params: map[string]string{"rtt_warning": "300"}, st: replies(3, ms(412), ms(412), ms(412)),
			level: status.Warning, reason: "RTT 412 ms > 300 ms warning threshold"},
		{name: "rtt worst threshold wins", params: map[string]string{"rtt_warning": "100", "rtt_alarm": "300", "rtt_critical": "500"},
			st: replies(3, ms(412), ms(412), ms(412)), level: status.Alarm, reason: "RTT 412 ms > 300 ms alarm threshold"},
		{name: "rtt critical", params: map[string]string{"rtt_alarm": "300", "rtt_critical": "400ms"},
			st: replies(3, ms(412), ms(412), ms(412)), level: status.Critical, reason: "RTT 412 ms > 400 ms critical threshold"},
		{name: "rtt just over", params: map[string]string{"rtt_warning": "300"}, st: replies(1, ms(300.4)),
			level: status.Warning, reason: "RTT 300.4 ms > 300 ms warning threshold"},
		{name: "rtt at threshold is ok", params: map[string]string{"rtt_warning": "300"}, st: replies(1, ms(300)), level: status.OK},
		{name: "loss alarm", params: map[string]string{"loss_warning": "10", "loss_alarm": "20"}, st: replies(3, ms(1), ms(1)),
			level: status.Alarm, reason: "loss 33% > 20% alarm threshold",
			check: func(t *testing.T, r status.Result, _ icmp.Request) {
				if r.Values["loss_pct"] != 33.333 || r.NoResponse {
					t.Errorf("loss_pct %v, no response %v", r.Values["loss_pct"], r.NoResponse)
				}
			}},
		{name: "loss critical", params: map[string]string{"loss_warning": "10", "loss_critical": "50%"}, st: replies(3, ms(1)),
			level: status.Critical, reason: "loss 67% > 50% critical threshold"},
		{name: "loss at threshold is ok", params: map[string]string{"loss_warning": "50"}, st: replies(2, ms(1)), level: status.OK},
		{name: "loss and rtt", params: map[string]string{"rtt_warning": "300", "loss_alarm": "20"}, st: replies(3, ms(412), ms(412)),
			level: status.Alarm, reason: "loss 33% > 20% alarm threshold; RTT 412 ms > 300 ms warning threshold"},
		{name: "all lost", params: map[string]string{"rtt_warning": "1", "loss_warning": "1"}, st: replies(3),
			level: status.Down, noResponse: true, reason: "no reply to 3 pings",
			check: func(t *testing.T, r status.Result, _ icmp.Request) {
				if r.Values["loss_pct"] != 100.0 || r.Values["rtt_ms"] != nil {
					t.Errorf("values %v", r.Values)
				}
			}},
		{name: "one ping lost", params: map[string]string{"count": "1"}, st: replies(1), level: status.Down, noResponse: true, reason: "no reply to 1 ping"},
		{name: "send refused", st: icmp.Stats{Sent: 3, SendErr: syscall.ENETUNREACH}, level: status.Down, noResponse: true,
			reason: "no reply to 3 pings: network is unreachable"},
		{name: "dns failure", address: "nosuch.test", level: status.Down, noResponse: true, reason: "cannot resolve nosuch.test: no such host"},
		{name: "dns without addresses", address: "empty.test", level: status.Down, noResponse: true, reason: "cannot resolve empty.test: no addresses"},
		{name: "no address", address: " ", level: status.Down, noResponse: true, reason: "cannot ping: the device has no address"},
		{name: "dns name", address: "dual.test", st: replies(1, ms(1)), level: status.OK,
			check: func(t *testing.T, r status.Result, req icmp.Request) {
				if req.Addr != netip.MustParseAddr("192.0.2.7") || r.Values["address"] != "192.0.2.7" {
					t.Errorf("pinged %s, address value %v", req.Addr, r.Values["address"])
				}
			}},
		{name: "dns name ipv6 only", address: "dual.test", params: map[string]string{"family": "ip6"}, st: replies(1, ms(1)), level: status.OK,
			check: func(t *testing.T, _ status.Result, req icmp.Request) {
				if req.Addr != netip.MustParseAddr("2001:db8::7") {
					t.Errorf("pinged %s", req.Addr)
				}
			}},
		{name: "ipv6 literal with zone", address: "[fe80::1%eth0]", st: replies(1, ms(1)), level: status.OK,
			check: func(t *testing.T, _ status.Result, req icmp.Request) {
				if req.Addr != netip.MustParseAddr("fe80::1%eth0") {
					t.Errorf("pinged %s", req.Addr)
				}
			}},
		{name: "intermapper parameter names", params: map[string]string{"Number of Data Bytes": "1472", "Data Pattern (Hexadecimal)": "DEAD beef", "timeout": "1.5", "count": "5"},
			st: replies(5, ms(1)), level: status.OK,
			check: func(t *testing.T, _ status.Result, req icmp.Request) {
				if req.Size != 1472 || !bytes.Equal(req.Pattern, []byte{0xde, 0xad, 0xbe, 0xef}) || req.Timeout != 1500*time.Millisecond || req.Count != 5 {
					t.Errorf("request %+v", req)
				}
			}},
		{name: "engine error", st: icmp.Stats{}, err: icmp.ErrFamilyUnavailable, level: status.Unknown, reason: "cannot ping 192.0.2.1: address family unavailable"},
		{name: "time ran out", st: replies(3, ms(1), ms(1)), err: context.DeadlineExceeded,
			params: map[string]string{"loss_warning": "10"}, level: status.Warning, reason: "loss 33% > 10% warning threshold"},
		{name: "cancelled", err: context.Canceled, level: status.Unknown, reason: "poll cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.address == "" {
				tc.address = "192.0.2.1"
			}
			fp := &fakePinger{st: tc.st, err: tc.err}
			p := &pingProbe{pinger: fp, lookup: fakeLookup}
			r := p.Poll(context.Background(), Target{Address: tc.address, Params: tc.params})
			if r.Level != tc.level || r.NoResponse != tc.noResponse {
				t.Errorf("level %s, no response %v (%q); want %s, %v", r.Level, r.NoResponse, r.Reason, tc.level, tc.noResponse)
			}
			if r.Reason != tc.reason {
				t.Errorf("reason %q\nwant   %q", r.Reason, tc.reason)
			}
			if tc.check != nil {
				tc.check(t, r, fp.req)
			}
		})
	}
}

func TestPingProbeBadParams(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"rtt_warning", "abc", `bad parameter rtt_warning="abc": `},
		{"rtt_alarm", "-5", `bad parameter rtt_alarm="-5": must be more than 0 ms`},
		{"loss_critical", "150", `bad parameter loss_critical="150": want a percentage from 0 to 100`},
		{"loss_warning", "lots", `bad parameter loss_warning="lots": `},
		{"count", "0", `bad parameter count="0": 0 is out of range 1 to 100`},
		{"count", "three", `bad parameter count="three": not a whole number`},
		{"timeout", "0", `bad parameter timeout="0": want more than 0`},
		{"timeout", "soon", `bad parameter timeout="soon": `},
		{"size", "15", `bad parameter size="15": 15 is out of range 16 to 2000`},
		{"Number of Data Bytes", "2001", `bad parameter size="2001": 2001 is out of range 16 to 2000`},
		{"pattern", "xyz", `bad parameter pattern="xyz": not hexadecimal`},
		{"family", "ip5", `bad parameter family="ip5": want "ip4", "ip6" or empty`},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			fp := &fakePinger{st: replies(3, ms(1), ms(1), ms(1))}
			p := &pingProbe{pinger: fp, lookup: fakeLookup}
			params := map[string]string{tc.name: tc.value}
			r := p.Poll(context.Background(), Target{Address: "192.0.2.1", Params: params})
			if r.Level != status.Unknown || r.NoResponse || !strings.HasPrefix(r.Reason, tc.want) {
				t.Errorf("got %s %q, want unknown %q...", r.Level, r.Reason, tc.want)
			}
			if fp.req.Count != 0 {
				t.Error("pinged despite a bad parameter")
			}
			if err := p.CheckParams(params); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("CheckParams = %v", err)
			}
		})
	}
	if err := (&pingProbe{}).CheckParams(map[string]string{"rtt_warning": "250", "loss_alarm": "20%", "family": "ip4"}); err != nil {
		t.Errorf("CheckParams on good parameters: %v", err)
	}
}

func TestPingInfo(t *testing.T) {
	info := PingInfo(&fakePinger{})
	if info.ID != "com.dartware.ping" || info.Name != "Ping/Echo" || !info.Shareable || info.New == nil {
		t.Fatalf("info %+v", info)
	}
	r := NewRegistry()
	if err := r.Register(info); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ping", "icmp", "com.dartware.ping"} {
		if got, ok := r.Canonical(name); !ok || got != info.ID {
			t.Errorf("Canonical(%q) = %q, %v", name, got, ok)
		}
	}
	got := info.WithDefaults(map[string]string{"Number of Data Bytes": "64"})
	if got["size"] != "64" || got["count"] != "3" || got["timeout"] != "3s" || got["pattern"] != "24" || got["rtt_warning"] != "" {
		t.Errorf("WithDefaults = %v", got)
	}
}

// TestPingProbeLoopback polls 127.0.0.1 through the real engine.
func TestPingProbeLoopback(t *testing.T) {
	e, err := icmp.Open(icmp.DefaultConfig(), nil)
	if errors.Is(err, icmp.ErrPermission) {
		t.Skipf("no ICMP sockets here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := PingInfo(e).New()
	r := p.Poll(context.Background(), Target{Address: "127.0.0.1", Params: map[string]string{"count": "2", "rtt_warning": "1000"}, Timeout: 10 * time.Second})
	if r.Level != status.OK || r.Reason != "" || r.NoResponse {
		t.Fatalf("result %+v", r)
	}
	if r.Values["received"] != 2 || r.Values["address"] != "127.0.0.1" || r.RTT <= 0 || r.Values["ttl"] != 64 {
		t.Errorf("values %v, RTT %s", r.Values, r.RTT)
	}
}
