package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
	"github.com/vantage-monitor/vantage/internal/status"
)

// snmprecDir holds the shared snmpsim recordings, read in place.
func snmprecDir(t testing.TB) string {
	dir := os.Getenv("VANTAGE_SNMPREC")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "testdata", "snmprec")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("snmpsim recordings not found (set VANTAGE_SNMPREC): %v", err)
	}
	return dir
}

// Cisco IP SLA (CISCO-RTTMON-MIB) columns the cisco-ip-sla example reads.
const (
	rttAdmin   = "1.3.6.1.4.1.9.9.42.1.2."         // rttMonCtrlAdmin / EchoAdmin
	rttJitter  = "1.3.6.1.4.1.9.9.42.1.5.2.1."     // rttMonLatestJitterOperEntry
	rttStats   = "1.3.6.1.4.1.9.9.42.1.3.5.1."     // rttMonJitterStatsEntry
	cpuTotal1m = "1.3.6.1.4.1.9.9.109.1.1.1.1.4.1" // cpmCPUTotal1min.1
)

// ipslaRecording writes a small recording of a Cisco IP SLA jitter
// operation (index 250), because none of the shared recordings has one:
// ciscoios1900.snmprec holds only the rttMonAppl scalars (…9.9.42.1.1).
// The file goes to a world-readable temporary folder (snmpsim runs as
// nobody), never into the repository.
func ipslaRecording(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vantage-ipsla-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const i = ".250"
	lines := []string{
		"1.3.6.1.2.1.1.1.0|4|Cisco IOS Software, C1900 Software",
		"1.3.6.1.2.1.1.3.0|67|1381881322",
		rttAdmin + "1.1.6" + i + "|2|60",   // rttMonCtrlAdminFrequency
		rttAdmin + "2.1.3" + i + "|2|172",  // rttMonEchoAdminPktDataRequestSize
		rttAdmin + "2.1.17" + i + "|2|20",  // rttMonEchoAdminInterval
		rttAdmin + "2.1.18" + i + "|2|100", // rttMonEchoAdminNumPackets
		rttStats + "9" + i + "|66|212",     // StatsRTTMax
		rttStats + "11" + i + "|66|17",     // StatsMaxofPositivesSD
		rttStats + "17" + i + "|66|16",     // StatsMaxofNegativesSD
		rttStats + "23" + i + "|66|15",     // StatsMaxofPositivesDS
		rttStats + "29" + i + "|66|14",     // StatsMaxofNegativesDS
		rttStats + "34" + i + "|65|3",      // StatsPacketLossSD
		rttStats + "35" + i + "|65|2",      // StatsPacketLossDS
		rttJitter + "1" + i + "|66|98",     // NumOfRTT
		rttJitter + "2" + i + "|66|11760",  // RTTSum
		rttJitter + "3" + i + "|66|1447600",
		rttJitter + "4" + i + "|66|101", // RTTMin
		rttJitter + "5" + i + "|66|180", // RTTMax
		rttJitter + "6" + i + "|66|1", rttJitter + "7" + i + "|66|9", rttJitter + "8" + i + "|66|40",
		rttJitter + "9" + i + "|66|120", rttJitter + "10" + i + "|66|600",
		rttJitter + "11" + i + "|66|2", rttJitter + "12" + i + "|66|8", rttJitter + "13" + i + "|66|41",
		rttJitter + "14" + i + "|66|110", rttJitter + "15" + i + "|66|500",
		rttJitter + "16" + i + "|66|1", rttJitter + "17" + i + "|66|7", rttJitter + "18" + i + "|66|39",
		rttJitter + "19" + i + "|66|100", rttJitter + "20" + i + "|66|450",
		rttJitter + "21" + i + "|66|3", rttJitter + "22" + i + "|66|6", rttJitter + "23" + i + "|66|42",
		rttJitter + "24" + i + "|66|130", rttJitter + "25" + i + "|66|480",
		rttJitter + "26" + i + "|66|0", rttJitter + "27" + i + "|66|0", // PacketLossSD, DS
		rttJitter + "28" + i + "|66|1", rttJitter + "29" + i + "|66|0", rttJitter + "30" + i + "|66|2",
		rttJitter + "33" + i + "|66|9800", rttJitter + "34" + i + "|66|990000", // OWSumSD, OWSum2SD
		rttJitter + "35" + i + "|66|80", rttJitter + "36" + i + "|66|140", // OWMinSD, OWMaxSD
		rttJitter + "37" + i + "|66|11760", rttJitter + "38" + i + "|66|1420000", // OWSumDS, OWSum2DS
		rttJitter + "39" + i + "|66|95", rttJitter + "40" + i + "|66|150", // OWMinDS, OWMaxDS
		rttJitter + "41" + i + "|66|98", // NumOfOW
		cpuTotal1m + "|66|12",
	}
	// snmpsim wants the lines in OID order.
	slices.SortFunc(lines, func(a, b string) int {
		oa, _, _ := strings.Cut(a, "|")
		ob, _, _ := strings.Cut(b, "|")
		return snmp.CompareOID(oa, ob)
	})
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	path := filepath.Join(dir, "ipsla-jitter.snmprec")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// recorded reads a recording's values the way a probe's display shows
// them: strings as text, numbers as integers (the display rounds).
type recorded map[string]snmp.Value

func loadRecording(t testing.TB, path string) recorded {
	t.Helper()
	vals, err := snmptest.ParseSnmprec(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r := recorded{}
	for _, v := range vals {
		r[strings.TrimPrefix(v.OID, ".")] = v
	}
	return r
}

// v is the displayed value at oid; the test fails when the recording lacks it.
func (r recorded) v(t testing.TB, oid string) string {
	t.Helper()
	val, ok := r[oid]
	if !ok {
		t.Fatalf("recording has no %s", oid)
	}
	switch val.Type {
	case snmp.OctetString:
		return string(val.Bytes)
	case snmp.Integer:
		return strconv.FormatInt(val.Int, 10)
	case snmp.Counter32, snmp.Gauge32, snmp.TimeTicks, snmp.Counter64:
		return strconv.FormatUint(val.Uint, 10)
	}
	t.Fatalf("%s: unexpected type %v", oid, val.Type)
	return ""
}

// num is the number at oid.
func (r recorded) num(t testing.TB, oid string) float64 {
	t.Helper()
	n, err := strconv.ParseFloat(r.v(t, oid), 64)
	if err != nil {
		t.Fatalf("%s: %v", oid, err)
	}
	return n
}

// enum is the INTEGER at oid as the MIB names it (how STRING shows it).
func (r recorded) enum(t testing.TB, oid string) string {
	t.Helper()
	val, ok := r[oid]
	if !ok || val.Type != snmp.Integer {
		t.Fatalf("recording has no INTEGER %s", oid)
	}
	label, ok := names(t).Enum(oid, val.Int)
	if !ok {
		t.Fatalf("no MIB label for %s = %d", oid, val.Int)
	}
	return label
}

// TestExampleSNMPProbesAgainstAgents polls the custom-snmp examples against
// snmpsim serving real devices' recordings, twice (rates need two polls;
// the injected clock moves a minute between them), and checks the status
// the thresholds imply and that the display shows, for every variable read
// from the agent and shown (not rates: the recordings are static, nor
// calculations), the value the recording holds.
//
// Recordings and parameters:
//   - traffic-util: ciscoios1900, whose ifTable has 6 rows. Port 4 is up
//     with an ifAlias and a 1984000 ifSpeed (serial link): OK. Port 2 is
//     down (ifOperStatus 2): Down "Link is down", the label from IF-MIB.
//     edgecore-es3528m is a second vendor's ifTable: port 28 is up, port 1
//     lowerLayerDown (7), whose IF-MIB label the reason shows.
//   - cisco-ip-sla: no shared recording has an IP SLA operation
//     (ciscoios1900 has only the rttMonAppl scalars and cpmCPUTotal1min),
//     so with the default index 100 against ciscoios1900 only the CPU is
//     shown and the rest is [noSuchName], OK. A small recording written at
//     test time (ipslaRecording, index 250) checks the values and the
//     latency warning: average latency (9800+11760)/(98*2) = 110 ms > 100.
//   - prototype: edgecore-es3528m, whose system group is filled in
//     (ciscoios1900's sysDescr is "1" and sysContact empty). Uptime is
//     159915 minutes: OK by default; RebootWarn/RebootAlarm above it give
//     the warning and the alarm.
//   - oidsingle: ciscoios1900 ifNumber.0 (default) and edgecore sysLocation.0.
//   - ups.apc: no recording has the APC PowerNet MIB (1.3.6.1.4.1.318), so
//     its values stay checked by TestExampleAPC's fake agent; here it only
//     must poll a non-APC agent without errors, showing [noSuchName].
func TestExampleSNMPProbesAgainstAgents(t *testing.T) {
	if testing.Short() {
		t.Skip("starts snmpsim")
	}
	dir := snmprecDir(t)
	cisco, edgecore := filepath.Join(dir, "ciscoios1900.snmprec"), filepath.Join(dir, "edgecore-es3528m.snmprec")
	ipsla := ipslaRecording(t)
	addr, port := snmptest.StartSnmpsim(t, cisco, edgecore, ipsla)
	recs := map[string]recorded{"ciscoios1900": loadRecording(t, cisco),
		"edgecore-es3528m": loadRecording(t, edgecore), "ipsla-jitter": loadRecording(t, ipsla)}

	client, err := snmp.New(snmp.DefaultConfig(), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	const ifEntry, ifXEntry = "1.3.6.1.2.1.2.2.1.", "1.3.6.1.2.1.31.1.1.1."
	trafficUtil := func(port string) func(t *testing.T, r recorded) []string {
		return func(t *testing.T, r recorded) []string {
			speed := r.v(t, ifEntry+"5."+port)
			return []string{
				// The text loses the space that ends a line when ifAlias is empty.
				strings.TrimRight("High Utilization Probe on interface: ("+port+") "+r.v(t, ifXEntry+"18."+port), " "),
				"Received Traffic: 0 bytes/second    Bandwidth: " + speed,
				"Transmitted Traffic: 0 bytes/second    Bandwidth: " + speed,
				"Link is: " + r.enum(t, ifEntry+"8."+port) + " 1=up; 2=down; 3=testing",
				"Warn/Alarm set on: 75 / 90",
				"Received Util %: 0 %",
			}
		}
	}
	prototype := func(t *testing.T, r recorded) []string {
		ticks := r.num(t, "1.3.6.1.2.1.1.3.0")
		return []string{
			"    sysDescr:  " + r.v(t, "1.3.6.1.2.1.1.1.0"),
			"  sysContact:  " + r.v(t, "1.3.6.1.2.1.1.4.0"),
			"     sysName:  " + r.v(t, "1.3.6.1.2.1.1.5.0"),
			" sysLocation:  " + r.v(t, "1.3.6.1.2.1.1.6.0"),
			fmt.Sprintf("   sysUpTime:  %.0f minutes (%s  hundredths of seconds)", ticks/6000, r.v(t, "1.3.6.1.2.1.1.3.0")),
			"Num. of Intf:  " + r.v(t, "1.3.6.1.2.1.2.1.0") + " (expected 3)",
		}
	}
	ipslaShown := func(idx string) func(t *testing.T, r recorded) []string {
		return func(t *testing.T, r recorded) []string {
			j := func(col string) string { return r.v(t, rttJitter+col+"."+idx) }
			s := func(col string) string { return r.v(t, rttStats+col+"."+idx) }
			jitter := func(label, first string) string {
				n, _ := strconv.Atoi(first)
				return fmt.Sprintf("%s #:%s, Min:%sms, Max:%sms, Sum:%sms", label, j(first),
					j(strconv.Itoa(n-2)), j(strconv.Itoa(n-1)), j(strconv.Itoa(n+1)))
			}
			return []string{
				"IP SLA Agent Avg. CPU Percent over 1 min:" + r.v(t, cpuTotal1m) + "%",
				"Send " + r.v(t, rttAdmin+"2.1.18."+idx) + " " + r.v(t, rttAdmin+"2.1.3."+idx) +
					"-byte packets spaced " + r.v(t, rttAdmin+"2.1.17."+idx) + "ms apart every " +
					r.v(t, rttAdmin+"1.1.6."+idx) + " seconds",
				"SNMP index:" + idx,
				"Number of Round Trips:" + j("1") + ", Min:" + j("4") + "ms, Max:" + j("5") + "ms, Sum:" + j("2") + "ms",
				"SD Packets Lost:" + j("26") + ", DS Packets Lost:" + j("27"),
				"Out of Sequence:" + j("28") + ", Late Arrival:" + j("30"),
				jitter("SD +Jitter Values", "8"), jitter("SD -Jitter Values", "13"),
				jitter("DS +Jitter Values", "18"), jitter("DS -Jitter Values", "23"),
				"SD Packets Sent #:" + j("41") + ", Min:" + j("35") + "ms, Max:" + j("36") + "ms, Sum:" + j("33") + "ms",
				"DS Packets Rcvd #:" + j("41") + ", Min:" + j("39") + "ms, Max:" + j("40") + "ms, Sum:" + j("37") + "ms",
				"60min Max Round Trip Time:" + s("9") + "ms",
				"60min Max SD +Jitter Value:" + s("11") + "ms, -Jitter, Value:" + s("17") + "ms",
				"60min Max DS +Jitter Value:" + s("23") + "ms, -Jitter, Value:" + s("29") + "ms",
			}
		}
	}

	cases := []struct {
		name, file, recording string
		params                map[string]string
		level                 status.Level
		reason                string
		shown                 func(t *testing.T, r recorded) []string
		missing               bool // variables the recording lacks show [noSuchName]
	}{
		{name: "traffic-util/up", file: "com.dartware.snmp.traffic-util.txt", recording: "ciscoios1900",
			params: map[string]string{"Port Number": "4"}, level: status.OK, shown: trafficUtil("4")},
		{name: "traffic-util/down", file: "com.dartware.snmp.traffic-util.txt", recording: "ciscoios1900",
			params: map[string]string{"Port Number": "2"}, level: status.Down, reason: "Link is down", shown: trafficUtil("2")},
		{name: "traffic-util/edgecore-up", file: "com.dartware.snmp.traffic-util.txt", recording: "edgecore-es3528m",
			params: map[string]string{"Port Number": "28"}, level: status.OK, shown: trafficUtil("28")},
		{name: "traffic-util/edgecore-lowerLayerDown", file: "com.dartware.snmp.traffic-util.txt", recording: "edgecore-es3528m",
			params: map[string]string{"Port Number": "1"}, level: status.Down, reason: "Link is lowerLayerDown", shown: trafficUtil("1")},
		{name: "cisco-ip-sla/no-operation", file: "com.dartware.snmp.cisco-ip-sla.txt", recording: "ciscoios1900",
			level: status.OK, missing: true, shown: func(t *testing.T, r recorded) []string {
				return []string{"IP SLA Agent Avg. CPU Percent over 1 min:" + r.v(t, cpuTotal1m) + "%",
					"Number of Round Trips:[noSuchName], Min:[noSuchName]ms", "SNMP index:100"}
			}},
		{name: "cisco-ip-sla/jitter", file: "com.dartware.snmp.cisco-ip-sla.txt", recording: "ipsla-jitter",
			params: map[string]string{"SNMP Index": "250"}, level: status.Warning,
			reason: "${AvgLatency} > ${Latency Warning Threshold}", // the rule has no message: its condition
			shown:  ipslaShown("250")},
		{name: "prototype", file: "com.dartware.snmp.prototype.txt", recording: "edgecore-es3528m",
			level: status.OK, shown: prototype},
		{name: "prototype/warning", file: "com.dartware.snmp.prototype.txt", recording: "edgecore-es3528m",
			params: map[string]string{"RebootWarn": "200000"}, level: status.Warning,
			reason: "Rebooted less than 200000 minutes ago", shown: prototype},
		{name: "prototype/alarm", file: "com.dartware.snmp.prototype.txt", recording: "edgecore-es3528m",
			params: map[string]string{"RebootAlarm": "160000", "RebootWarn": "200000"}, level: status.Alarm,
			reason: "Rebooted less than 160000 minutes ago", shown: prototype},
		{name: "oidsingle/default", file: "com.dartware.snmp.oidsingle.txt", recording: "ciscoios1900",
			level: status.OK, shown: func(t *testing.T, r recorded) []string {
				return []string{"  ifNumber.0:  " + r.v(t, "1.3.6.1.2.1.2.1.0")}
			}},
		{name: "oidsingle/sysLocation", file: "com.dartware.snmp.oidsingle.txt", recording: "edgecore-es3528m",
			params: map[string]string{"Variable": "sysLocation.0", "Legend": "Location", "Units": "(room)"},
			level:  status.OK, shown: func(t *testing.T, r recorded) []string {
				return []string{"  Location:  " + r.v(t, "1.3.6.1.2.1.1.6.0") + " (room)"}
			}},
		{name: "ups.apc/not-an-apc", file: "com.dartware.ups.apc.txt", recording: "edgecore-es3528m",
			level: status.OK, missing: true, shown: func(*testing.T, recorded) []string {
				return []string{"   Model: [noSuchName]", "Firmware: [noSuchName]"}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newClock()
			p := newProbe(t, example(t, c.file), Deps{SNMP: client, Names: names(t), Now: clk.now})
			target := probe.Target{Address: addr, Timeout: 10 * time.Second, Params: c.params,
				SNMP: snmp.Credentials{Version: "2c", Community: c.recording, Port: port}}
			var r status.Result
			for i := range 2 {
				if i > 0 {
					clk.advance(time.Minute)
				}
				r = p.Poll(context.Background(), target)
				if errs, _ := r.Values["errors"].([]string); len(errs) > 0 {
					t.Errorf("poll %d: file problems %q", i+1, errs)
				}
				if r.NoResponse {
					t.Fatalf("poll %d: no response: %v %q", i+1, r.Level, r.Reason)
				}
			}
			if r.Level != c.level || r.Reason != c.reason {
				t.Errorf("status %v %q, want %v %q", r.Level, r.Reason, c.level, c.reason)
			}
			txt := text(r)
			for _, want := range c.shown(t, recs[c.recording]) {
				if !strings.Contains(txt, want) {
					t.Errorf("display lacks %q:\n%s", want, txt)
				}
			}
			if !c.missing && strings.Contains(txt, labelNoSuchName) {
				t.Errorf("display shows %s:\n%s", labelNoSuchName, txt)
			}
		})
	}
}
