package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

const (
	oidX      = "1.3.6.1.4.1.99.1.0"
	ifOper3   = "1.3.6.1.2.1.2.2.1.8.3"
	sysUpTime = "1.3.6.1.2.1.1.3.0"
)

func TestConvert(t *testing.T) {
	n := names(t)
	for _, tc := range []struct {
		typ  string
		v    snmp.Value
		want expr.Value
	}{
		{"DEFAULT", vInt(oidX, -7), expr.Number(-7)},
		{"DEFAULT", vUint(oidX, snmp.Gauge32, 42), expr.Number(42)},
		{"DEFAULT", vStr(oidX, "Dartware"), expr.String("Dartware")},
		{"DEFAULT", vStr(oidX, "\x00\x1a\xff"), expr.String("00 1A FF")},
		{"DEFAULT", vUint(oidX, snmp.TimeTicks, 8640000*2+360000+6000+100+1), expr.String("2 days, 1:01:01.01")},
		{"DEFAULT", snmp.Value{OID: oidX, Type: snmp.ObjectIdentifier, Text: "1.3.6.1.4.1.9"}, expr.String("1.3.6.1.4.1.9")},
		{"DEFAULT", snmp.Value{OID: oidX, Type: snmp.IPAddress, Text: "192.0.2.7"}, expr.String("192.0.2.7")},
		{"DEFAULT", snmp.Value{OID: oidX, Type: snmp.Opaque, Bytes: snmp.OpaqueFloat(1.5)}, expr.Number(1.5)},
		{"INTEGER", vStr(oidX, "78Fred"), expr.Number(78)},
		{"INTEGER", vUint(oidX, snmp.TimeTicks, 12345), expr.Number(12345)},
		{"INTEGER64", vUint(oidX, snmp.Counter64, 1<<40), expr.Number(1 << 40)},
		{"TOTAL-VALUE", vInt(oidX, -1), expr.Number(4294967295)},
		{"TOTAL-VALUE", vUint(oidX, snmp.Counter32, 99), expr.Number(99)},
		{"TOTAL64-VALUE", vUint(oidX, snmp.Counter64, 1<<50), expr.Number(1 << 50)},
		{"HEXADECIMAL", vInt(oidX, -1), expr.String("0xFFFFFFFF")},
		{"HEXADECIMAL", vUint(oidX, snmp.Gauge32, 255), expr.String("0xFF")},
		{"HEXADECIMAL", vStr(oidX, "Dar"), expr.String("44 61 72")},
		{"HEXNUMBER", vStr(oidX, "FE"), expr.Number(254)},
		{"HEXNUMBER", vStr(oidX, "0x1f"), expr.Number(31)},
		{"HEXNUMBER", vStr(oidX, "\x01\x00"), expr.Number(256)},
		{"STRING", vInt(ifOper3, 2), expr.String("down")},
		{"STRING", vInt(oidX, 2), expr.String("2")},
		{"STRING", vUint(oidX, snmp.TimeTicks, 4230), expr.String("0:00:42.30")},
		{"IPADDRESS", vStr(oidX, "\xc0\x00\x02\x01"), expr.String("192.0.2.1")},
		{"IPADDRESS", snmp.Value{OID: oidX, Type: snmp.IPAddress, Text: "10.1.2.3"}, expr.String("10.1.2.3")},
		{"OCTET-STRING", vStr(oidX, "\x01\x02"), expr.String("\x01\x02")},
		{"OID", snmp.Value{OID: oidX, Type: snmp.ObjectIdentifier, Text: "1.3.6"}, expr.String("1.3.6")},
	} {
		t.Run(tc.typ+"/"+tc.want.String(), func(t *testing.T) {
			if got := convert(tc.typ, tc.v, n); got != tc.want {
				t.Errorf("convert(%s, %+v) = %v, want %v", tc.typ, tc.v, got, tc.want)
			}
		})
	}
}

func TestVariableTypesPolled(t *testing.T) {
	f := snmpFile(t, `<snmp-device-properties>
	nomib2 = "true"
</snmp-device-properties>
<snmp-device-variables>
	descr,  1.3.6.1.2.1.1.1.0, DEFAULT, "descr"
	oper,   ifOperStatus.3,    STRING,  "oper"
	operN,  ifOperStatus.3,    DEFAULT, "oper number"
	hex,    1.3.6.1.4.1.99.2.0, HEXADECIMAL, "hex"
	addr,   1.3.6.1.4.1.99.3.0, IPADDRESS, "address"
	gone,   1.3.6.1.4.1.99.4.0, DEFAULT, "missing"
</snmp-device-variables>
<snmp-device-display>
$descr $oper $operN $hex $addr [$gone]
</snmp-device-display>
`)
	fake := newFake(vStr("1.3.6.1.2.1.1.1.0", "Linux box"), vInt(ifOper3, 1),
		vStr("1.3.6.1.4.1.99.2.0", "\x00\x0a"), vStr("1.3.6.1.4.1.99.3.0", "\x0a\x00\x00\x01"))
	p := newProbe(t, f, Deps{SNMP: fake, Names: names(t)})
	r := poll(p, nil)
	want := map[string]any{"descr": "Linux box", "oper": "up", "operN": 1.0, "hex": "00 0A", "addr": "10.0.0.1", "gone": "[noSuchName]"}
	if got := varsOf(r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("vars = %v, want %v", got, want)
	}
	if got := text(r); got != "Linux box up 1 00 0A 10.0.0.1 [[noSuchName]]" {
		t.Errorf("display %q", got)
	}
	if r.Level != status.OK || r.Reason != "" {
		t.Errorf("level %v reason %q", r.Level, r.Reason)
	}
	if calls := fake.callLog(); len(calls) != 1 || strings.Contains(calls[0], sysUpTime) {
		t.Errorf("nomib2: calls %q", calls)
	}
}

func TestRates(t *testing.T) {
	f := snmpFile(t, `<snmp-device-variables>
	inOctets,  1.3.6.1.2.1.2.2.1.10.1, DEFAULT,    "bytes/s"
	errs,      1.3.6.1.2.1.2.2.1.14.1, PER-MINUTE, "errors/min"
	big,       1.3.6.1.2.1.31.1.1.1.6.1, PER-SECOND, "HC bytes/s"
	gauge,     1.3.6.1.4.1.99.5.0, PER-SECOND, "gauge change/s"
</snmp-device-variables>
<snmp-device-thresholds>
	warning: $inOctets > 1000 "Busy: ${inOctets} B/s"
</snmp-device-thresholds>
`)
	clk := newClock()
	fake := newFake(
		vUint(sysUpTime, snmp.TimeTicks, 1000),
		vUint("1.3.6.1.2.1.2.2.1.10.1", snmp.Counter32, 4294967000),
		vUint("1.3.6.1.2.1.2.2.1.14.1", snmp.Counter32, 10),
		vUint("1.3.6.1.2.1.31.1.1.1.6.1", snmp.Counter64, 1<<62),
		vUint("1.3.6.1.4.1.99.5.0", snmp.Gauge32, 100),
	)
	p := newProbe(t, f, Deps{SNMP: fake, Now: clk.now})
	r := poll(p, nil)
	if v := varsOf(r); len(v) != 0 {
		t.Errorf("first poll: rates should be undefined, got %v", v)
	}
	if calls := fake.callLog(); !strings.HasPrefix(calls[0], "get "+sysUpTime+" ") {
		t.Errorf("sysUpTime not read with the variables: %q", calls)
	}

	clk.advance(10 * time.Second)
	fake.set(
		vUint(sysUpTime, snmp.TimeTicks, 2000),
		vUint("1.3.6.1.2.1.2.2.1.10.1", snmp.Counter32, 20000-296), // wrapped: +20000
		vUint("1.3.6.1.2.1.2.2.1.14.1", snmp.Counter32, 15),
		vUint("1.3.6.1.2.1.31.1.1.1.6.1", snmp.Counter64, 1<<62+50),
		vUint("1.3.6.1.4.1.99.5.0", snmp.Gauge32, 80),
	)
	r = poll(p, nil)
	want := map[string]any{"inOctets": 2000.0, "errs": 30.0, "big": 5.0, "gauge": -2.0}
	if got := varsOf(r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second poll vars = %v, want %v", got, want)
	}
	if r.Level != status.Warning || r.Reason != "Busy: 2000 B/s" {
		t.Errorf("level %v reason %q", r.Level, r.Reason)
	}

	// The agent restarted: sysUpTime went back, so no rates this time.
	clk.advance(10 * time.Second)
	fake.set(vUint(sysUpTime, snmp.TimeTicks, 50), vUint("1.3.6.1.2.1.2.2.1.10.1", snmp.Counter32, 5))
	if got := varsOf(poll(p, nil)); len(got) != 0 {
		t.Errorf("after a restart: %v", got)
	}
}

func TestOIDs(t *testing.T) {
	f := snmpFile(t, `<parameters>
	"if" = "2"
	"Variable" = "sysLocation.0"
</parameters>
<snmp-device-properties>
	nomib2 = "true"
	maxvars = "2"
</snmp-device-properties>
<snmp-device-variables>
	inOct,   ifInOctets.$if,           TOTAL-VALUE, "in ${if}"
	loc,     $Variable,                DEFAULT,     "whole OID from a parameter"
	up,      SNMPv2-MIB::sysUpTime.0,  INTEGER,     "scoped"
	rel,     system.sysName.0,         DEFAULT,     "relative"
	first,   ifDescr+,                 DEFAULT,     "first row"
	after,   ifDescr.2+,               DEFAULT,     "row after 2"
	past,    ifDescr.3+,               DEFAULT,     "past the column"
	ext,     NET-SNMP-EXTEND-MIB::nsExtendOutput1Line."LOG", DEFAULT, "string index"
	bad,     noSuchThing.0,            DEFAULT,     "unknown"
</snmp-device-variables>
<snmp-device-display>
${inOct:legend}: $inOct; $loc; $up; $rel; $first $after [$past] $ext $bad
</snmp-device-display>
`)
	fake := newFake(
		vUint("1.3.6.1.2.1.2.2.1.10.2", snmp.Counter32, 777),
		vStr("1.3.6.1.2.1.1.6.0", "rack 7"), vStr("1.3.6.1.2.1.1.4.0", "ops"),
		vUint(sysUpTime, snmp.TimeTicks, 123), vStr("1.3.6.1.2.1.1.5.0", "gw"),
		vStr("1.3.6.1.2.1.2.2.1.2.1", "lo"), vStr("1.3.6.1.2.1.2.2.1.2.3", "eth1"),
		vInt("1.3.6.1.2.1.2.2.1.3.1", 24),
		vStr("1.3.6.1.4.1.8072.1.3.2.3.1.1.3.76.79.71", "log ok"),
	)
	p := newProbe(t, f, Deps{SNMP: fake, Names: names(t)})
	r := poll(p, nil)
	if got, want := text(r), "in 2: 777; rack 7; 123; gw; lo eth1 [[noSuchName]] log ok [bad OID]"; got != want {
		t.Errorf("display\n got %q\nwant %q", got, want)
	}
	errs, _ := r.Values["errors"].([]string)
	if len(errs) != 1 || !strings.Contains(errs[0], `unknown MIB name in OID "noSuchThing.0"`) {
		t.Errorf("errors %q", errs)
	}
	// maxvars = 2: the 5 exact OIDs in 3 Gets, the 3 "+" OIDs in 2 GetNexts.
	var gets, nexts int
	for _, c := range fake.callLog() {
		if strings.HasPrefix(c, "getnext") {
			nexts++
		} else {
			gets++
		}
		if len(strings.Fields(c)) > 3 {
			t.Errorf("more than maxvars OIDs in %q", c)
		}
	}
	if gets != 3 || nexts != 2 {
		t.Errorf("%d gets and %d getnexts: %q", gets, nexts, fake.callLog())
	}

	// A parameter changes the OID at the next poll.
	r = poll(p, map[string]string{"Variable": "sysContact.0", "if": "9"})
	if v := varsOf(r); v["loc"] != "ops" || v["inOct"] != "[noSuchName]" {
		t.Errorf("with parameters: %v", v)
	}
}

func TestNoResponse(t *testing.T) {
	const body = `<snmp-device-variables>
	x, 1.3.6.1.4.1.99.1.0, INTEGER, "x"
</snmp-device-variables>
`
	for _, tc := range []struct {
		name       string
		flags      string
		pinger     probe.Pinger
		level      status.Level
		noResponse bool
	}{
		{"no pinger", "", nil, status.Down, true},
		{"answers ping", "", fakePinger{alive: true}, status.Alarm, false},
		{"silent", "", fakePinger{alive: false}, status.Down, true},
		{"NOICMPFALLBACK", "NOICMPFALLBACK", fakePinger{alive: true}, status.Down, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := snmpFile(t, body)
			if tc.flags != "" {
				f.Header.Flags = append(f.Header.Flags, tc.flags)
			}
			fake := newFake()
			fake.err = fmt.Errorf("snmp 192.0.2.1:161: %w", snmp.ErrTimeout)
			r := poll(newProbe(t, f, Deps{SNMP: fake, Pinger: tc.pinger}), nil)
			if r.Level != tc.level || r.NoResponse != tc.noResponse || !strings.HasPrefix(r.Reason, "No SNMP Response.") {
				t.Errorf("got %v noResponse=%v %q", r.Level, r.NoResponse, r.Reason)
			}
		})
	}
	t.Run("auth", func(t *testing.T) {
		fake := newFake()
		fake.err = fmt.Errorf("snmp 192.0.2.1:161: %w", snmp.ErrAuth)
		r := poll(newProbe(t, snmpFile(t, body), Deps{SNMP: fake}), nil)
		if r.Level != status.Alarm || r.NoResponse || !strings.Contains(r.Reason, "authentication") {
			t.Errorf("got %v %q", r.Level, r.Reason)
		}
	})
	t.Run("agent error", func(t *testing.T) {
		fake := newFake()
		fake.err = fmt.Errorf("snmp 192.0.2.1:161: %w: genErr", snmp.ErrAgentStatus)
		r := poll(newProbe(t, snmpFile(t, body), Deps{SNMP: fake}), nil)
		if r.Level != status.OK || varsOf(r)["x"] != "[N/A]" {
			t.Errorf("got %v %q %v", r.Level, r.Reason, varsOf(r))
		}
	})
}

func TestPollNeverPanics(t *testing.T) {
	fake := newFake()
	fake.panic = true
	p := newProbe(t, snmpFile(t, "<snmp-device-variables>\n x, 1.3.6.1.4.1.1.0, DEFAULT, \"\"\n</snmp-device-variables>\n"), Deps{SNMP: fake})
	r := p.Poll(context.Background(), probe.Target{Address: "192.0.2.1"})
	if r.Level != status.Unknown || !strings.Contains(r.Reason, "fake agent exploded") {
		t.Errorf("got %v %q", r.Level, r.Reason)
	}
}

func TestInfo(t *testing.T) {
	f := snmpFile(t, `<parameters>
	"Community*" = "secret"
	"Mode[fast,slow]" = "fast"
	"Enabled[true,false]" = "true"
	"Plain" = "x"
</parameters>
`)
	info, err := Info(f, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "com.example.test" || info.Name != "Test" || !info.Shareable || len(info.Params) != 4 {
		t.Fatalf("info %+v", info)
	}
	got := fmt.Sprint(info.Params)
	want := "[{Community [Community*] secret password (masked) password []} {Mode [Mode[fast,slow]] fast one of: fast, slow dropdown [fast slow]} " +
		"{Enabled [Enabled[true,false]] true checkbox: true or false checkbox [true false]} {Plain [] x   []}]"
	if got != want {
		t.Errorf("params\n got %s\nwant %s", got, want)
	}
	if _, err := Info(example(t, "com.dartware.ping"), Deps{}); err == nil {
		t.Error("a built-in probe file should not be run by the engine")
	}
}
