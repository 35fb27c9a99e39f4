package probe

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

func TestSNMPHighTraffic(t *testing.T) {
	uplink := snmpEthHC(3, "Gi0/1")
	uplink.Alias = "uplink"
	// load sets an interface's traffic for the next minute, in percent of
	// its gigabit.
	load := func(index int, in, out uint64) func(a *snmpFakeAgent) {
		return func(a *snmpFakeAgent) {
			f := a.iface(index)
			f.InHC += 60 * 125_000_000 * in / 100
			f.OutHC += 60 * 125_000_000 * out / 100
		}
	}
	cases := []struct {
		name   string
		params map[string]string
		ifs    []snmpFakeIface
		mutate func(a *snmpFakeAgent)
		level  status.Level
		reason string
		watch  []int
	}{
		{name: "quiet default interface 1", ifs: []snmpFakeIface{snmpEthHC(1, "eth0")}, mutate: load(1, 10, 20), level: status.OK, watch: []int{1}},
		{name: "inbound over the default alarm", ifs: []snmpFakeIface{snmpEthHC(1, "eth0")}, mutate: load(1, 95, 0),
			level: status.Alarm, reason: "interface eth0 inbound utilisation 95% > 90% alarm threshold", watch: []int{1}},
		{name: "outbound over the default warning", ifs: []snmpFakeIface{snmpEthHC(1, "eth0")}, mutate: load(1, 0, 60),
			level: status.Warning, reason: "interface eth0 outbound utilisation 60% > 50% warning threshold"},
		{name: "both: worst first", ifs: []snmpFakeIface{snmpEthHC(1, "eth0")}, mutate: load(1, 60, 95),
			level: status.Alarm, reason: "interface eth0 outbound utilisation 95% > 90% alarm threshold; interface eth0 inbound utilisation 60% > 50% warning threshold"},
		{name: "own thresholds", params: map[string]string{"in_warning": "10", "in_alarm": "20", "out_alarm": "0"}, ifs: []snmpFakeIface{snmpEthHC(1, "eth0")},
			mutate: load(1, 15, 99), level: status.Warning, reason: "interface eth0 inbound utilisation 15% > 10% warning threshold"},
		{name: "ifOperStatus not up is Down", ifs: []snmpFakeIface{func() snmpFakeIface { f := snmpEthHC(1, "eth0"); f.Oper = 2; return f }()},
			level: status.Down, reason: "interface eth0 is down (ifOperStatus 2)"},
		{name: "even when administratively down", ifs: []snmpFakeIface{func() snmpFakeIface { f := snmpEthHC(1, "eth0"); f.Admin, f.Oper = 2, 2; return f }()},
			level: status.Down, reason: "interface eth0 is down"},
		{name: "dormant is not up", ifs: []snmpFakeIface{func() snmpFakeIface { f := snmpEthHC(1, "eth0"); f.Oper = 5; return f }()},
			level: status.Down, reason: "interface eth0 is dormant (ifOperStatus 5)"},
		{name: "an unwatched interface may be down", params: map[string]string{"interface": "uplink"},
			ifs:   []snmpFakeIface{func() snmpFakeIface { f := snmpEthHC(1, "eth0"); f.Oper = 2; return f }(), uplink},
			level: status.OK, watch: []int{3}},
		{name: "by InterMapper's Port Number", params: map[string]string{"Port Number": "3"}, ifs: []snmpFakeIface{snmpEthHC(1, "eth0"), uplink},
			mutate: load(3, 91, 0), level: status.Alarm, reason: "interface Gi0/1 (uplink) inbound utilisation 91% > 90% alarm threshold", watch: []int{3}},
		{name: "by name, several", params: map[string]string{"interface": "gi0/1, eth0"}, ifs: []snmpFakeIface{snmpEthHC(1, "eth0"), uplink},
			level: status.OK, watch: []int{1, 3}},
		{name: "by regular expression", params: map[string]string{"interface": `Gi0/\d+`}, ifs: []snmpFakeIface{snmpEthHC(1, "eth0"), uplink},
			level: status.OK, watch: []int{3}},
		{name: "nothing matches", params: map[string]string{"interface": "9"}, ifs: []snmpFakeIface{snmpEthHC(1, "eth0")},
			level: status.Alarm, reason: `no interface matches interface="9" (the agent lists 1)`, watch: []int{}},
		{name: "InterMapper's bytes-per-second thresholds", params: map[string]string{"Alarm Threshold": "5000", "Warn Threshold": "1000"},
			ifs: []snmpFakeIface{snmpEthHC(1, "eth0")}, mutate: func(a *snmpFakeAgent) { a.iface(1).OutHC += 60 * 6000 },
			level: status.Alarm, reason: "interface eth0 outbound traffic 6000 bytes/s > 5000 bytes/s alarm threshold"},
		{name: "links elsewhere are not checked", ifs: []snmpFakeIface{snmpEthHC(1, "eth0"), func() snmpFakeIface { f := snmpEthHC(2, "eth1"); f.Oper = 2; return f }()},
			mutate: load(2, 99, 99), level: status.OK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newSNMPFakeAgent(tc.ifs...)
			pr, clk := newTestSNMPProbe(a, nil, true)
			tg := Target{Address: "192.0.2.1", Params: tc.params}
			if r := pr.Poll(context.Background(), tg); r.Level == status.Unknown {
				t.Fatalf("first poll: %s %q", r.Level, r.Reason)
			}
			clk.advance(time.Minute)
			if tc.mutate != nil {
				tc.mutate(a)
			}
			r := pr.Poll(context.Background(), tg)
			if r.Level != tc.level || !strings.HasPrefix(r.Reason, tc.reason) || (tc.reason == "" && r.Reason != "") {
				t.Errorf("got %s %q, want %s %q", r.Level, r.Reason, tc.level, tc.reason)
			}
			if r.NoResponse {
				t.Error("no_response set although the agent answered")
			}
			if tc.watch != nil && fmt.Sprint(r.Values["monitored"]) != fmt.Sprint(tc.watch) {
				t.Errorf("monitored %v, want %v", r.Values["monitored"], tc.watch)
			}
		})
	}
}

func TestSNMPCheckParams(t *testing.T) {
	infos := map[string]Info{}
	for _, i := range SNMPInfos(newSNMPFakeAgent(), nil) {
		infos[i.ID] = i
	}
	cases := []struct {
		probe  string
		params map[string]string
		err    string // "" when valid
	}{
		{SNMPTrafficID, nil, ""},
		{SNMPTrafficID, map[string]string{"util_warning": "50", "util_alarm": "80%", "util_critical": "95", "errors_alarm": "10.5", "link_critical": "on"}, ""},
		{SNMPTrafficID, map[string]string{"ignore_interfaces": "1, 2, Gi0/1 (uplink), vlan.*"}, ""},
		{SNMPTrafficID, map[string]string{"util_warning": "lots"}, "parameter util_warning"},
		{SNMPTrafficID, map[string]string{"util_warning": "95", "util_alarm": "90"}, "util_warning (95) is above util_alarm (90)"},
		{SNMPTrafficID, map[string]string{"errors_warning": "-1"}, "parameter errors_warning"},
		{SNMPTrafficID, map[string]string{"util_alarm": "NaN"}, "parameter util_alarm"},
		{SNMPTrafficID, map[string]string{"ignore_interfaces": "eth(0"}, "parameter ignore_interfaces"},
		{SNMPTrafficID, map[string]string{"ignore_interfaces": "0"}, "parameter ignore_interfaces"},
		{SNMPTrafficID, map[string]string{"LINKCRITICAL": "maybe"}, "parameter link_critical"},
		{SNMPTrafficID, map[string]string{"icmp_fallback": "2"}, "parameter icmp_fallback"},
		{SNMPHighTrafficID, nil, ""},
		{SNMPHighTrafficID, map[string]string{"Port Number": "12", "Alarm Threshold": "5000", "Warn Threshold": "1000"}, ""},
		{SNMPHighTrafficID, map[string]string{"interface": ""}, "parameter interface"},
		{SNMPHighTrafficID, map[string]string{"interface": " , "}, "parameter interface"},
		{SNMPHighTrafficID, map[string]string{"in_alarm": "-5"}, "parameter in_alarm"},
		{SNMPHighTrafficID, map[string]string{"out_warning": "95"}, "out_warning (95) is above out_alarm (90)"},
		{SNMPHighTrafficID, map[string]string{"Warn Threshold": "9000", "Alarm Threshold": "5000"}, "bytes_warning (9000) is above bytes_alarm (5000)"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.probe, tc.params), func(t *testing.T) {
			info := infos[tc.probe]
			err := info.CheckParams(tc.params)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one with %q", err, tc.err)
			}
		})
	}
}

func TestSNMPInfos(t *testing.T) {
	r := NewRegistry()
	infos := append(append([]Info{PingInfo(nil)}, TCPInfos()...), SNMPInfos(newSNMPFakeAgent(), nil)...)
	for _, i := range infos {
		if err := r.Register(i); err != nil {
			t.Fatal(err)
		}
	}
	for alias, id := range map[string]string{"snmp": SNMPTrafficID, "snmp-hightraffic": SNMPHighTrafficID} {
		info, ok := r.Lookup(alias)
		if !ok || info.ID != id || !info.Shareable {
			t.Fatalf("%s: %+v", alias, info)
		}
		if _, ok := info.New().(ParamChecker); !ok {
			t.Errorf("%s has no CheckParams", id)
		}
	}
	info, _ := r.Lookup(SNMPHighTrafficID)
	if got := info.WithDefaults(map[string]string{"Port Number": "4"}); got["interface"] != "4" || got["in_alarm"] != "90" {
		t.Errorf("defaults %v", got)
	}
	// Two instances keep separate counters.
	a, b := info.New().(*snmpProbe), info.New().(*snmpProbe)
	if a == b {
		t.Error("New returned a shared instance")
	}
}

func TestSNMPFigures(t *testing.T) {
	for _, tc := range []struct {
		v, th float64
		want  string
	}{{95, 90, "95"}, {90.04, 90, "90.04"}, {90.4, 90, "90.4"}, {90.0004, 90, "90.000"}, {12, 10, "12"}} {
		if got := snmpFigure(tc.v, tc.th); got != tc.want {
			t.Errorf("snmpFigure(%g, %g) = %q, want %q", tc.v, tc.th, got, tc.want)
		}
	}
}
