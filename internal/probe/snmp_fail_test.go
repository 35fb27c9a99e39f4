package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

func TestSNMPAgentFailures(t *testing.T) {
	timeout := fmt.Errorf("192.0.2.1: %w", snmp.ErrTimeout)
	answers := icmp.Stats{Sent: 2, Received: 2, Avg: 400 * time.Microsecond}
	cases := []struct {
		name       string
		getErr     error
		pinger     *snmpFakePinger
		params     map[string]string
		level      status.Level
		noResponse bool
		reason     string
	}{
		{"timeout, device answers ping", timeout, &snmpFakePinger{stats: answers}, nil, status.Alarm, false,
			"SNMP agent not responding (device answers ping, RTT 0.4 ms)"},
		{"timeout, no ping either", timeout, &snmpFakePinger{stats: icmp.Stats{Sent: 2}}, nil, status.Down, true, "no answer to SNMP or ping"},
		{"timeout, ping impossible", timeout, &snmpFakePinger{err: errors.New("operation not permitted")}, nil, status.Down, true,
			"no answer to SNMP; cannot ping: operation not permitted"},
		{"timeout, fallback off", timeout, &snmpFakePinger{stats: answers}, map[string]string{"icmp_fallback": "false"}, status.Down, true, "no answer to SNMP"},
		{"timeout, no pinger", timeout, nil, nil, status.Down, true, "no answer to SNMP"},
		{"v3 authentication", fmt.Errorf("192.0.2.1: %w: unknown user name", snmp.ErrAuth), &snmpFakePinger{stats: answers}, nil, status.Alarm, false,
			"SNMPv3 authentication failed: 192.0.2.1: "},
		{"other error", errors.New("read udp: connection refused"), &snmpFakePinger{stats: answers}, nil, status.Alarm, false,
			"SNMP request failed: read udp: connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newSNMPFakeAgent(snmpEth(1, "eth0"))
			a.getErr = tc.getErr
			var p Pinger
			if tc.pinger != nil {
				p = tc.pinger
			}
			pr, _ := newTestSNMPProbe(a, p, false)
			r := pr.Poll(context.Background(), Target{Address: "router.example", Params: tc.params, Timeout: 4 * time.Second})
			if r.Level != tc.level || r.NoResponse != tc.noResponse || !strings.HasPrefix(r.Reason, tc.reason) {
				t.Errorf("got %s no_response=%v %q, want %s no_response=%v %q", r.Level, r.NoResponse, r.Reason, tc.level, tc.noResponse, tc.reason)
			}
			if tc.pinger != nil && len(tc.pinger.reqs) == 1 && tc.pinger.reqs[0].Addr.String() != "127.0.0.1" {
				t.Errorf("pinged %v", tc.pinger.reqs[0].Addr)
			}
		})
	}
}

func TestSNMPPollBounds(t *testing.T) {
	t.Run("slow agent: SNMP gets three quarters of the window, then ping", func(t *testing.T) {
		a := newSNMPFakeAgent()
		a.getDelay = time.Hour
		p := &snmpFakePinger{stats: icmp.Stats{Sent: 2, Received: 1, Avg: time.Millisecond}}
		pr, _ := newTestSNMPProbe(a, p, false)
		start := time.Now()
		r := pr.Poll(context.Background(), Target{Address: "127.0.0.1", Timeout: 400 * time.Millisecond})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("poll took %s", d)
		}
		if r.Level != status.Alarm || len(p.reqs) != 1 || p.reqs[0].Timeout <= 0 {
			t.Errorf("got %s %q, pings %+v", r.Level, r.Reason, p.reqs)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		a := newSNMPFakeAgent()
		a.getDelay = time.Hour
		pr, _ := newTestSNMPProbe(a, &snmpFakePinger{}, false)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		if r := pr.Poll(ctx, Target{Address: "127.0.0.1"}); r.Level != status.Unknown || r.Reason != "poll cancelled" {
			t.Errorf("got %s %q", r.Level, r.Reason)
		}
	})
	t.Run("bad parameters and credentials are Unknown", func(t *testing.T) {
		pr, _ := newTestSNMPProbe(newSNMPFakeAgent(), nil, false)
		if r := pr.Poll(context.Background(), Target{Address: "127.0.0.1", Params: map[string]string{"util_alarm": "x"}}); r.Level != status.Unknown || !strings.Contains(r.Reason, "util_alarm") {
			t.Errorf("got %s %q", r.Level, r.Reason)
		}
		if r := pr.Poll(context.Background(), Target{Address: "127.0.0.1", SNMP: snmp.Credentials{Version: "3"}}); r.Level != status.Unknown || !strings.Contains(r.Reason, "snmp.user") {
			t.Errorf("got %s %q", r.Level, r.Reason)
		}
	})
	t.Run("concurrent polls of one instance", func(t *testing.T) {
		a := newSNMPFakeAgent(snmpEth(1, "eth0"), snmpEth(2, "eth1"))
		pr, clk := newTestSNMPProbe(a, nil, false)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					clk.advance(time.Second)
					if r := pr.Poll(context.Background(), Target{Address: "127.0.0.1"}); r.Level != status.OK {
						t.Errorf("got %s %q", r.Level, r.Reason)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
}
