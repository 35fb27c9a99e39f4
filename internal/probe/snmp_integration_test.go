package probe

// The SNMP probes against real agents: Debian's snmpd serving this host's
// interfaces, and snmpsim serving recordings of real devices, whose
// expected values are derived from the recording files themselves. Both
// are skipped when the agent is not installed, unless CI is set.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
	"github.com/vantage-monitor/vantage/internal/status"
)

func snmpRealClient(t *testing.T) *snmp.Client {
	t.Helper()
	c, err := snmp.New(snmp.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func snmpInterfaces(t *testing.T, r status.Result) []SNMPInterface {
	t.Helper()
	ifs, ok := r.Values["interfaces"].([]SNMPInterface)
	if !ok {
		t.Fatalf("no interfaces: %s %q %v", r.Level, r.Reason, r.Values)
	}
	return ifs
}

func TestSNMPTrafficSnmpd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts snmpd")
	}
	addr, port := snmptest.StartSnmpd(t, "sysName vantage-probe-test\nsysLocation lab rack 2\nsysContact noc@example.net")
	client := snmpRealClient(t)
	v2 := snmp.Credentials{Version: "2c", Community: snmptest.Community, Port: port}
	target := Target{Address: addr, SNMP: v2, Timeout: 20 * time.Second}

	pr := newSNMPProbe(client, nil, false)
	first := pr.Poll(context.Background(), target)
	if first.NoResponse || first.Level == status.Unknown || first.Level == status.Down {
		t.Fatalf("first poll: %s %q", first.Level, first.Reason)
	}
	for k, want := range map[string]any{"sys_name": "vantage-probe-test", "sys_location": "lab rack 2", "sys_contact": "noc@example.net"} {
		if first.Values[k] != want {
			t.Errorf("%s = %#v, want %#v", k, first.Values[k], want)
		}
	}
	if !strings.HasPrefix(first.Values["sys_object_id"].(string), "1.3.6.1.4.1.8072.") || first.Values["sys_descr"] == "" {
		t.Errorf("system group: %v", first.Values)
	}

	// The host's interfaces, as the kernel lists them, are the agent's.
	ifs := snmpInterfaces(t, first)
	kernel, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kernel {
		i := slices.IndexFunc(ifs, func(s SNMPInterface) bool { return s.Index == k.Index })
		if i < 0 {
			t.Errorf("kernel interface %d %s missing from %+v", k.Index, k.Name, ifs)
			continue
		}
		if ifs[i].Descr != k.Name || ifs[i].Name != k.Name || ifs[i].MTU != k.MTU {
			t.Errorf("interface %d: got %+v, kernel says %s mtu %d", k.Index, ifs[i], k.Name, k.MTU)
		}
	}
	lo := ifs[slices.IndexFunc(ifs, func(s SNMPInterface) bool { return s.Name == "lo" })]
	if lo.Type != 24 || lo.TypeName != "softwareLoopback" || lo.OperStatus != "up" || lo.AdminStatus != "up" || !lo.HC {
		t.Errorf("lo: %+v", lo)
	}

	// Loopback traffic shows as a rate at the next poll. net-snmp
	// refreshes its interface cache every few seconds, and its first
	// snapshot after start has 0 unicast packets: the jump from there is
	// no rate, so it takes a poll to settle.
	time.Sleep(3500 * time.Millisecond)
	settle := pr.Poll(context.Background(), target)
	for _, i := range snmpInterfaces(t, settle) {
		if i.Name == "lo" && i.InPps != nil && i.SpeedBps > 0 && *i.InPps*snmpMinFrameBits > float64(i.SpeedBps)*1.1 {
			t.Errorf("lo: a spike of %s pps from net-snmp's first snapshot", snmpFval(i.InPps))
		}
	}
	conn, err := net.Dial("udp", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	payload := make([]byte, 1000)
	for range 2000 {
		_, _ = conn.Write(payload)
	}
	time.Sleep(3500 * time.Millisecond)
	second := pr.Poll(context.Background(), target)
	for _, i := range snmpInterfaces(t, second) {
		if i.Name != "lo" {
			continue
		}
		t.Logf("lo: in %s B/s, %s pps, hc=%v", snmpFval(i.InBytesPerSec), snmpFval(i.InPps), i.HC)
		// 2,000 datagrams of 1,000 bytes over about four seconds.
		if i.InBytesPerSec == nil || *i.InBytesPerSec < 100_000 || i.InPps == nil || *i.InPps < 100 {
			t.Errorf("lo rates: in %s B/s, %s pps", snmpFval(i.InBytesPerSec), snmpFval(i.InPps))
		}
		if i.InUtilPct != nil && lo.SpeedBps == 0 {
			t.Errorf("utilisation %s%% on a link without speed", snmpFval(i.InUtilPct))
		}
	}
	if len(second.Events) != 0 {
		t.Errorf("events %v", second.Events)
	}

	t.Run("v3", func(t *testing.T) {
		v3 := snmp.Credentials{Version: "3", User: snmptest.PrivUser, Auth: "SHA", AuthKey: snmptest.AuthKey, Priv: "AES", PrivKey: snmptest.PrivKey, Port: port}
		r := newSNMPProbe(client, nil, false).Poll(context.Background(), Target{Address: addr, SNMP: v3, Timeout: 20 * time.Second})
		if r.Values["sys_name"] != "vantage-probe-test" {
			t.Errorf("authPriv: %s %q %v", r.Level, r.Reason, r.Values["sys_name"])
		}
		v3.AuthKey = "not-the-right-key"
		r = newSNMPProbe(client, nil, false).Poll(context.Background(), Target{Address: addr, SNMP: v3, Timeout: 20 * time.Second})
		if r.Level != status.Alarm || r.NoResponse || !strings.HasPrefix(r.Reason, "SNMPv3 authentication failed: ") {
			t.Errorf("wrong key: %s no_response=%v %q", r.Level, r.NoResponse, r.Reason)
		}
	})
	t.Run("silent agent falls back to ping", func(t *testing.T) {
		silent := v2
		silent.Community = "not-served" // snmpd ignores it: a timeout
		p := &snmpFakePinger{stats: icmp.Stats{Sent: 2, Received: 2, Avg: 300 * time.Microsecond}}
		r := newSNMPProbe(client, p, false).Poll(context.Background(), Target{Address: addr, SNMP: silent, Timeout: 8 * time.Second})
		if r.Level != status.Alarm || r.NoResponse || r.Reason != "SNMP agent not responding (device answers ping, RTT 0.3 ms)" {
			t.Errorf("got %s no_response=%v %q", r.Level, r.NoResponse, r.Reason)
		}
	})
	t.Run("high traffic on lo", func(t *testing.T) {
		hp := newSNMPProbe(client, nil, true)
		r := hp.Poll(context.Background(), Target{Address: addr, SNMP: v2, Timeout: 20 * time.Second, Params: map[string]string{"interface": "lo"}})
		if r.Level != status.OK || r.Values["monitored"].([]int)[0] != lo.Index {
			t.Errorf("got %s %q monitored %v", r.Level, r.Reason, r.Values["monitored"])
		}
	})
}

// snmprecDir holds the recordings; tests read them in place.
const snmprecDir = "../../../shared/testdata/snmprec"

// snmprecExpect is what a recording says the probe must report.
type snmprecExpect struct {
	sys map[string]string // Values key → text
	ifs map[int]SNMPInterface
}

// snmprecText is how an OctetString reads in the probe's values: printable
// UTF-8 trimmed of NULs and blanks, else net-snmp's hex.
func snmprecText(v snmp.Value) string {
	if v.Type != snmp.OctetString {
		return v.AsString()
	}
	b := bytes.TrimRight(v.Bytes, "\x00")
	printable := utf8.Valid(b)
	for _, r := range string(b) {
		printable = printable && (unicode.IsPrint(r) || unicode.IsSpace(r))
	}
	if printable {
		return strings.TrimSpace(string(b))
	}
	hexes := make([]string, len(v.Bytes))
	for i, c := range v.Bytes {
		hexes[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(hexes, " ")
}

// snmprecExpectation derives the expected system group and interfaces
// from a recording's variables.
func snmprecExpectation(vals []snmp.Value) snmprecExpect {
	e := snmprecExpect{sys: map[string]string{}, ifs: map[int]SNMPInterface{}}
	sysKeys := map[string]string{"1.3.6.1.2.1.1.1.0": "sys_descr", "1.3.6.1.2.1.1.2.0": "sys_object_id",
		"1.3.6.1.2.1.1.4.0": "sys_contact", "1.3.6.1.2.1.1.5.0": "sys_name", "1.3.6.1.2.1.1.6.0": "sys_location"}
	for _, k := range sysKeys {
		e.sys[k] = ""
	}
	highSpeed := map[int]uint64{}
	for _, v := range vals {
		if k, ok := sysKeys[v.OID]; ok {
			e.sys[k] = snmprecText(v)
			continue
		}
		var table string
		switch {
		case strings.HasPrefix(v.OID, "1.3.6.1.2.1.2.2.1."):
			table = "if"
		case strings.HasPrefix(v.OID, "1.3.6.1.2.1.31.1.1.1."):
			table = "ifx"
		default:
			continue
		}
		parts := strings.Split(v.OID, ".")
		col, _ := strconv.Atoi(parts[len(parts)-2])
		idx, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil || len(parts) != 11 && table == "if" || len(parts) != 12 && table == "ifx" {
			continue
		}
		i := e.ifs[idx]
		i.Index = idx
		switch {
		case table == "if" && col == 2:
			i.Descr = snmprecText(v)
		case table == "if" && col == 3:
			i.Type = int(v.Int)
		case table == "if" && col == 5:
			i.SpeedBps = v.Uint
		case table == "if" && col == 7:
			i.AdminStatus = map[int64]string{1: "up", 2: "down", 3: "testing"}[v.Int]
		case table == "if" && col == 8:
			i.OperStatus = map[int64]string{1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent", 7: "lowerLayerDown"}[v.Int]
		case table == "ifx" && col == 1:
			i.Name = snmprecText(v)
		case table == "ifx" && col == 15:
			highSpeed[idx] = v.Uint
		case table == "ifx" && col == 18:
			i.Alias = snmprecText(v)
		}
		e.ifs[idx] = i
	}
	for idx, i := range e.ifs {
		if hs := highSpeed[idx]; hs > 0 {
			i.SpeedBps = hs * 1_000_000
		}
		if i.Name == "" {
			i.Name = i.Descr
		}
		e.ifs[idx] = i
	}
	return e
}

func TestSNMPTrafficSnmprec(t *testing.T) {
	if testing.Short() {
		t.Skip("starts snmpsim")
	}
	files, err := filepath.Glob(filepath.Join(snmprecDir, "*.snmprec"))
	if err != nil || len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("no recordings in %s: %v", snmprecDir, err)
		}
		t.Skipf("no recordings in %s", snmprecDir)
	}
	addr, port := snmptest.StartSnmpsim(t, files...)
	client := snmpRealClient(t)
	for _, f := range files {
		community := strings.TrimSuffix(filepath.Base(f), ".snmprec")
		t.Run(community, func(t *testing.T) {
			vals, err := snmptest.ParseSnmprec(f)
			if err != nil {
				t.Fatal(err)
			}
			want := snmprecExpectation(vals)
			creds := snmp.Credentials{Version: "2c", Community: community, Port: port}
			r := newSNMPProbe(client, nil, false).Poll(context.Background(), Target{Address: addr, SNMP: creds, Timeout: time.Minute})
			if r.NoResponse || r.Level == status.Unknown || r.Level == status.Down {
				t.Fatalf("poll: %s %q", r.Level, r.Reason)
			}
			for k, v := range want.sys {
				if r.Values[k] != v {
					t.Errorf("%s = %q, recording says %q", k, r.Values[k], v)
				}
			}
			got := snmpInterfaces(t, r)
			if len(got) != len(want.ifs) {
				t.Errorf("%d interfaces, recording has %d", len(got), len(want.ifs))
			}
			for _, g := range got {
				w, ok := want.ifs[g.Index]
				if !ok {
					t.Errorf("interface %d not in the recording", g.Index)
					continue
				}
				if g.Name != w.Name || g.Descr != w.Descr || g.Alias != w.Alias || g.Type != w.Type || g.SpeedBps != w.SpeedBps ||
					g.AdminStatus != w.AdminStatus || g.OperStatus != w.OperStatus {
					t.Errorf("interface %d:\n got %+v\nwant %+v", g.Index, g, w)
				}
			}
		})
	}
}
