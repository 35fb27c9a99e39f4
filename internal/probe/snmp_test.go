package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// snmpStep is one poll of a scenario: change the agent, let time pass,
// poll, check.
type snmpStep struct {
	advance time.Duration
	mutate  func(a *snmpFakeAgent)
	check   func(t *testing.T, r status.Result)
}

// snmpWantLevel snmpChecks a result's level and that its reason contains reason.
func snmpWantLevel(l status.Level, reason string) func(*testing.T, status.Result) {
	return func(t *testing.T, r status.Result) {
		t.Helper()
		if r.Level != l || !strings.Contains(r.Reason, reason) {
			t.Errorf("got %s %q, want %s with %q", r.Level, r.Reason, l, reason)
		}
	}
}

func snmpChecks(fs ...func(*testing.T, status.Result)) func(*testing.T, status.Result) {
	return func(t *testing.T, r status.Result) {
		t.Helper()
		for _, f := range fs {
			f(t, r)
		}
	}
}

const snmpGbit = 1_000_000_000

func snmpEth(index int, name string) snmpFakeIface {
	return snmpFakeIface{Index: index, Descr: name, Name: name, Type: 6, MTU: 1500, Speed: snmpGbit, HighSpeed: 1000,
		Admin: 1, Oper: 1, PhysAddress: []byte{0, 0x1a, 0x2b, 0x3c, 0x4d, byte(index)}}
}

// snmpEthHC is a gigabit interface with 64-bit counters.
func snmpEthHC(index int, name string) snmpFakeIface {
	f := snmpEth(index, name)
	f.HC = true
	return f
}

func TestSNMPTrafficScenarios(t *testing.T) {
	hc10g := snmpEth(1, "Te1/1")
	hc10g.HC, hc10g.HighSpeed, hc10g.Speed = true, 10000, 4294967295
	hc10g.InHC, hc10g.OutHC = 1_000_000_000_000, 5_000_000
	hc10g.In, hc10g.Out = 123, 456 // the 32-bit counters disagree and must be ignored

	plain := snmpEth(2, "eth0")
	plain.NoIfX, plain.Speed = true, 10_000_000
	plain.In, plain.Out = 1000, 2000

	cases := []struct {
		name   string
		params map[string]string
		ifs    []snmpFakeIface
		steps  []snmpStep
	}{
		{
			name: "HC counters preferred; first poll has no rates",
			ifs:  []snmpFakeIface{hc10g},
			steps: []snmpStep{
				{check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 1)
					snmpWantRate(t, "in_bps", i.InBps, -1)
					if !i.HC || i.SpeedBps != 10*snmpGbit {
						t.Errorf("hc=%v speed=%d, want HC at 10G", i.HC, i.SpeedBps)
					}
				}},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) {
					f := a.iface(1)
					f.InHC += 7_500_000_000 // 1 Gbit/s for a minute
					f.OutHC += 750_000_000
					f.In, f.Out = 5, 7 // "went back": ignored, HC is used
					a.uptime += 6000
				}, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 1)
					snmpWantRate(t, "in_bps", i.InBps, snmpGbit)
					snmpWantRate(t, "in_bytes_per_sec", i.InBytesPerSec, 125_000_000)
					snmpWantRate(t, "in_util_pct", i.InUtilPct, 10)
					snmpWantRate(t, "out_util_pct", i.OutUtilPct, 1)
				}},
			},
		},
		{
			name: "32-bit counters without ifXTable; ifSpeed gives the speed",
			ifs:  []snmpFakeIface{plain},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(2).In += 60_000; a.iface(2).Out += 600 }, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 2)
					if i.HC || i.SpeedBps != 10_000_000 || i.Name != "eth0" {
						t.Errorf("got %+v", i)
					}
					snmpWantRate(t, "in_bps", i.InBps, 8000)
					snmpWantRate(t, "in_util_pct", i.InUtilPct, 0.08)
					snmpWantRate(t, "out_bytes_per_sec", i.OutBytesPerSec, 10)
				}},
			},
		},
		{
			name: "32-bit wrap counted once",
			ifs:  []snmpFakeIface{func() snmpFakeIface { f := plain; f.In = 1<<32 - 1000; return f }()},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(2).In = 59_000 }, check: func(t *testing.T, r status.Result) {
					snmpWantRate(t, "in_bytes_per_sec", snmpIfaceOf(t, r, 2).InBytesPerSec, 1000)
				}},
			},
		},
		{
			name: "32-bit 'wrap' faster than the link is a reset, not a spike",
			ifs:  []snmpFakeIface{func() snmpFakeIface { f := plain; f.In = 4_000_000_000; return f }()},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(2).In = 1000; a.iface(2).Out += 60 }, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 2)
					snmpWantRate(t, "in_bps", i.InBps, -1)
					snmpWantRate(t, "out_bytes_per_sec", i.OutBytesPerSec, 1)
				}},
			},
		},
		{
			name: "Counter64 going back is a discontinuity",
			ifs:  []snmpFakeIface{hc10g},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(1).InHC = 10; a.iface(1).OutHC += 60 }, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 1)
					snmpWantRate(t, "in_bps", i.InBps, -1)
					snmpWantRate(t, "out_bytes_per_sec", i.OutBytesPerSec, 1)
				}},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(1).InHC += 600 }, check: func(t *testing.T, r status.Result) {
					snmpWantRate(t, "in_bytes_per_sec", snmpIfaceOf(t, r, 1).InBytesPerSec, 10)
				}},
			},
		},
		{
			name: "agent restart: REBOOT event and no spike",
			ifs:  []snmpFakeIface{hc10g, plain},
			steps: []snmpStep{
				{check: func(t *testing.T, r status.Result) {
					if len(r.Events) != 0 || r.Values["sys_uptime_text"] != "12 days, 3:04:05" {
						t.Errorf("events %v uptime %v", r.Events, r.Values["sys_uptime_text"])
					}
				}},
				{advance: 2 * time.Minute, mutate: func(a *snmpFakeAgent) {
					a.uptime = 6500
					a.iface(1).InHC, a.iface(2).In = 5000, 3000 // counters restarted from zero
				}, check: func(t *testing.T, r status.Result) {
					want := []status.Event{{Kind: "REBOOT", Message: "agent restarted (sysUpTime 00:01:05 < 12 days, 3:04:05)"}}
					if fmt.Sprint(r.Events) != fmt.Sprint(want) {
						t.Errorf("events %v, want %v", r.Events, want)
					}
					snmpWantRate(t, "in_bps 1", snmpIfaceOf(t, r, 1).InBps, -1)
					snmpWantRate(t, "in_bps 2", snmpIfaceOf(t, r, 2).InBps, -1)
					if r.Level != status.OK || r.Values["sys_uptime"] != uint64(65) {
						t.Errorf("got %s %q uptime %v", r.Level, r.Reason, r.Values["sys_uptime"])
					}
				}},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.uptime += 6000; a.iface(2).In += 600 }, check: func(t *testing.T, r status.Result) {
					if len(r.Events) != 0 {
						t.Errorf("events %v after the restart", r.Events)
					}
					snmpWantRate(t, "in_bytes_per_sec", snmpIfaceOf(t, r, 2).InBytesPerSec, 10)
				}},
			},
		},
		{
			name: "sysUpTime wrapping after 497 days is no restart",
			ifs:  []snmpFakeIface{plain},
			steps: []snmpStep{
				{mutate: func(a *snmpFakeAgent) { a.uptime = 1<<32 - 3000 }},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.uptime = 3000; a.iface(2).In += 60 }, check: func(t *testing.T, r status.Result) {
					if len(r.Events) != 0 {
						t.Errorf("events %v", r.Events)
					}
					snmpWantRate(t, "in_bytes_per_sec", snmpIfaceOf(t, r, 2).InBytesPerSec, 1)
				}},
			},
		},
		{
			name: "a counter leaving 0 faster than the link is no rate (net-snmp's first snapshot)",
			ifs:  []snmpFakeIface{func() snmpFakeIface { f := snmpEthHC(1, "eth0"); f.InHC = 5000; return f }()},
			steps: []snmpStep{
				{},
				{advance: 4 * time.Second, mutate: func(a *snmpFakeAgent) { a.iface(1).InUcastHC = 12_383_981; a.iface(1).InHC += 4000 }, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 1)
					snmpWantRate(t, "in_pps", i.InPps, -1)
					snmpWantRate(t, "in_bytes_per_sec", i.InBytesPerSec, 1000)
				}},
				{advance: 4 * time.Second, mutate: func(a *snmpFakeAgent) { a.iface(1).InUcastHC += 400 }, check: func(t *testing.T, r status.Result) {
					snmpWantRate(t, "in_pps", snmpIfaceOf(t, r, 1).InPps, 100)
				}},
			},
		},
		{
			name: "speed 0: rates but no utilisation",
			ifs:  []snmpFakeIface{func() snmpFakeIface { f := plain; f.Speed = 0; return f }()},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(2).In += 60 }, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 2)
					snmpWantRate(t, "in_bps", i.InBps, 8)
					snmpWantRate(t, "in_util_pct", i.InUtilPct, -1)
				}},
			},
		},
		{
			name: "ifHighSpeed wins over ifSpeed only when non-zero",
			ifs: []snmpFakeIface{
				func() snmpFakeIface { f := snmpEth(1, "a"); f.Speed, f.HighSpeed = 4294967295, 25000; return f }(),
				func() snmpFakeIface { f := snmpEth(2, "b"); f.Speed, f.HighSpeed = 100_000_000, 0; return f }(),
			},
			steps: []snmpStep{{check: func(t *testing.T, r status.Result) {
				if s := snmpIfaceOf(t, r, 1).SpeedBps; s != 25*snmpGbit {
					t.Errorf("speed 1 = %d", s)
				}
				if s := snmpIfaceOf(t, r, 2).SpeedBps; s != 100_000_000 {
					t.Errorf("speed 2 = %d", s)
				}
			}}},
		},
		{
			name:  "admin up, oper down: Alarm naming the interface",
			ifs:   []snmpFakeIface{func() snmpFakeIface { f := snmpEth(3, "Gi0/1"); f.Alias, f.Oper = "uplink", 2; return f }(), snmpEth(4, "Gi0/2")},
			steps: []snmpStep{{check: snmpWantLevel(status.Alarm, "interface Gi0/1 (uplink) is down")}},
		},
		{
			name:   "link_critical makes a down link Critical",
			params: map[string]string{"LINKCRITICAL": "yes"},
			ifs:    []snmpFakeIface{func() snmpFakeIface { f := snmpEth(3, "Gi0/1"); f.Oper = 7; return f }()},
			steps:  []snmpStep{{check: snmpWantLevel(status.Critical, "interface Gi0/1 is down (lowerLayerDown)")}},
		},
		{
			name:  "admin down is not a problem",
			ifs:   []snmpFakeIface{func() snmpFakeIface { f := snmpEth(3, "Gi0/1"); f.Admin, f.Oper = 2, 2; return f }()},
			steps: []snmpStep{{check: snmpWantLevel(status.OK, "")}},
		},
		{
			name:   "ignore_interfaces by index, name and regex",
			params: map[string]string{"ignore_interfaces": "3, UNUSED-PORT ,vlan.*"},
			ifs: []snmpFakeIface{
				func() snmpFakeIface { f := snmpEth(3, "Gi0/1"); f.Oper = 2; return f }(),
				func() snmpFakeIface { f := snmpEth(4, "Gi0/2"); f.Alias, f.Oper = "unused-port", 2; return f }(),
				func() snmpFakeIface { f := snmpEth(5, "vlan100"); f.Oper = 2; return f }(),
				snmpEth(6, "Gi0/4"),
			},
			steps: []snmpStep{{check: func(t *testing.T, r status.Result) {
				snmpWantLevel(status.OK, "")(t, r)
				if !snmpIfaceOf(t, r, 5).Ignored || snmpIfaceOf(t, r, 6).Ignored {
					t.Errorf("ignored flags wrong: %+v", r.Values["interfaces"])
				}
			}}},
		},
		{
			name:   "utilisation and error thresholds: worst first, each named",
			params: map[string]string{"util_warning": "50", "util_alarm": "80%", "errors_warning": "10"},
			ifs:    []snmpFakeIface{snmpEthHC(1, "eth0"), snmpEthHC(2, "eth1")},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) {
					a.iface(1).OutHC += 60 * 125_000_000 * 55 / 100 // 55 %
					a.iface(1).OutErr += 12
					a.iface(2).InHC += 60 * 125_000_000 * 85 / 100 // 85 %
				}, check: snmpChecks(
					snmpWantLevel(status.Alarm, "interface eth1 inbound utilisation 85% > 80% alarm threshold; interface eth0 outbound utilisation 55% > 50% warning threshold; interface eth0 outbound errors 12/min > 10/min warning threshold"),
				)},
			},
		},
		{
			name: "many down links: three named, the rest counted",
			ifs: func() []snmpFakeIface {
				var ifs []snmpFakeIface
				for i := 1; i <= 6; i++ {
					f := snmpEth(i, fmt.Sprintf("p%d", i))
					f.Oper = 2
					ifs = append(ifs, f)
				}
				return ifs
			}(),
			steps: []snmpStep{{check: snmpWantLevel(status.Alarm, "interface p1 is down; interface p2 is down; interface p3 is down; and 3 more")}},
		},
		{
			name: "packets, errors and discards per unit of time",
			ifs:  []snmpFakeIface{snmpEth(1, "eth0")},
			steps: []snmpStep{
				{},
				{advance: 30 * time.Second, mutate: func(a *snmpFakeAgent) {
					f := a.iface(1)
					f.InUcast, f.InMcast, f.InBcast, f.OutUcast = 300, 60, 30, 150
					f.InErr, f.OutErr, f.InDisc, f.OutDisc = 5, 1, 2, 0
				}, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 1)
					snmpWantRate(t, "in_pps", i.InPps, 13)
					snmpWantRate(t, "out_pps", i.OutPps, 5)
					snmpWantRate(t, "in_errors_per_min", i.InErrorsPerMin, 10)
					snmpWantRate(t, "out_errors_per_min", i.OutErrorsPerMin, 2)
					snmpWantRate(t, "in_discards_per_min", i.InDiscardsPerMin, 4)
					snmpWantRate(t, "out_discards_per_min", i.OutDiscardsPerMin, 0)
				}},
			},
		},
		{
			name: "HC columns stuck at zero: the 32-bit counters are used",
			ifs:  []snmpFakeIface{func() snmpFakeIface { f := snmpEth(1, "eth0"); f.HC = true; f.In = 100; return f }()},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(1).In += 120 }, check: func(t *testing.T, r status.Result) {
					i := snmpIfaceOf(t, r, 1)
					if i.HC {
						t.Error("hc set for zero HC counters")
					}
					snmpWantRate(t, "in_bytes_per_sec", i.InBytesPerSec, 2)
				}},
			},
		},
		{
			name: "ifCounterDiscontinuityTime change: no rate",
			ifs:  []snmpFakeIface{hc10g},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(1).InHC += 60; a.iface(1).Discontinuity = 99 }, check: func(t *testing.T, r status.Result) {
					snmpWantRate(t, "in_bps", snmpIfaceOf(t, r, 1).InBps, -1)
				}},
			},
		},
		{
			name: "counters changing width: no rate that poll",
			ifs:  []snmpFakeIface{plain},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) {
					f := a.iface(2)
					f.NoIfX, f.HC, f.InHC, f.OutHC = false, true, f.In+60, f.Out
				}, check: func(t *testing.T, r status.Result) {
					snmpWantRate(t, "in_bps", snmpIfaceOf(t, r, 2).InBps, -1)
				}},
			},
		},
		{
			name: "ifXTable failing: the 32-bit counters carry on",
			ifs:  []snmpFakeIface{snmpEth(1, "eth0")},
			steps: []snmpStep{
				{mutate: func(a *snmpFakeAgent) { a.ifxErr = errors.New("genErr") }},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.iface(1).In += 60 }, check: func(t *testing.T, r status.Result) {
					snmpWantLevel(status.OK, "")(t, r)
					snmpWantRate(t, "in_bytes_per_sec", snmpIfaceOf(t, r, 1).InBytesPerSec, 1)
					if r.Values["ifx_error"] != "genErr" {
						t.Errorf("ifx_error = %v", r.Values["ifx_error"])
					}
				}},
			},
		},
		{
			name: "ifTable failing after the system group answered: Alarm, readings kept",
			ifs:  []snmpFakeIface{snmpEth(1, "eth0")},
			steps: []snmpStep{
				{},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.tableErr = fmt.Errorf("walk: %w", snmp.ErrTimeout) }, check: func(t *testing.T, r status.Result) {
					snmpWantLevel(status.Alarm, "cannot read the interface table")(t, r)
					if r.NoResponse || r.Values["sys_name"] != "sw1" {
						t.Errorf("no_response %v values %v", r.NoResponse, r.Values)
					}
				}},
				{advance: time.Minute, mutate: func(a *snmpFakeAgent) { a.tableErr = nil; a.iface(1).In += 120 }, check: func(t *testing.T, r status.Result) {
					// The rate spans both minutes.
					snmpWantRate(t, "in_bytes_per_sec", snmpIfaceOf(t, r, 1).InBytesPerSec, 1)
				}},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newSNMPFakeAgent(tc.ifs...)
			pr, clk := newTestSNMPProbe(a, nil, false)
			for n, st := range tc.steps {
				clk.advance(st.advance)
				if st.mutate != nil {
					st.mutate(a)
				}
				r := pr.Poll(context.Background(), Target{Address: "192.0.2.1", Params: tc.params})
				if st.check != nil {
					t.Run(fmt.Sprint("poll", n+1), func(t *testing.T) { st.check(t, r) })
				} else if r.Level == status.Unknown {
					t.Fatalf("poll %d: %s %q", n+1, r.Level, r.Reason)
				}
			}
		})
	}
}

func TestSNMPValues(t *testing.T) {
	f := snmpEth(7, "Gi0/7")
	f.Alias, f.Descr, f.LastChangeTicks = "to core", "GigabitEthernet0/7", 4200
	a := newSNMPFakeAgent(f)
	pr, _ := newTestSNMPProbe(a, nil, false)
	r := pr.Poll(context.Background(), Target{Address: "192.0.2.1"})
	if a.lastCreds.Version != "2c" || a.lastCreds.Community != "public" {
		t.Errorf("credentials without a version were not defaulted: %v", a.lastCreds)
	}
	for k, want := range map[string]any{
		"sys_descr": "Linux sw1 6.1.0 #1 SMP x86_64", "sys_name": "sw1", "sys_object_id": "1.3.6.1.4.1.8072.3.2.10",
		"sys_contact": "noc@example.net", "sys_location": "rack 4", "sys_uptime": uint64(1047845), "sys_uptime_text": "12 days, 3:04:05",
	} {
		if r.Values[k] != want {
			t.Errorf("%s = %#v, want %#v", k, r.Values[k], want)
		}
	}
	if _, ok := r.Values["rtt_ms"].(float64); !ok {
		t.Errorf("rtt_ms = %#v", r.Values["rtt_ms"])
	}
	b, err := json.Marshal(r.Values["interfaces"])
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"index":7,"name":"Gi0/7","descr":"GigabitEthernet0/7","alias":"to core","type":6,"type_name":"ethernetCsmacd","mtu":1500,"speed_bps":1000000000,"mac":"00:1a:2b:3c:4d:07","admin_status":"up","oper_status":"up","last_change_s":42,"hc":false}]`
	if string(b) != want {
		t.Errorf("interfaces JSON\n got %s\nwant %s", b, want)
	}
}
