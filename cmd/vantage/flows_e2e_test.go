package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// netflowV5 builds one NetFlow v5 datagram (Cisco's layout) carrying the
// given flows, all from the exporter's uptime 10 s to 12 s.
func netflowV5(seq uint32, now time.Time, flows []v5flow) []byte {
	b := make([]byte, 24+48*len(flows))
	binary.BigEndian.PutUint16(b[0:], 5)
	binary.BigEndian.PutUint16(b[2:], uint16(len(flows)))
	binary.BigEndian.PutUint32(b[4:], 20000) // sysUptime ms
	binary.BigEndian.PutUint32(b[8:], uint32(now.Unix()))
	binary.BigEndian.PutUint32(b[16:], seq)
	for i, f := range flows {
		r := b[24+48*i:]
		copy(r[0:4], f.src.AsSlice())
		copy(r[4:8], f.dst.AsSlice())
		binary.BigEndian.PutUint16(r[12:], 1) // input ifIndex
		binary.BigEndian.PutUint16(r[14:], 2) // output ifIndex
		binary.BigEndian.PutUint32(r[16:], f.packets)
		binary.BigEndian.PutUint32(r[20:], f.bytes)
		binary.BigEndian.PutUint32(r[24:], 10000) // first
		binary.BigEndian.PutUint32(r[28:], 12000) // last
		binary.BigEndian.PutUint16(r[32:], f.sport)
		binary.BigEndian.PutUint16(r[34:], f.dport)
		r[37] = 0x18 // PSH ACK
		r[38] = 6    // TCP
	}
	return b
}

type v5flow struct {
	src, dst       netip.Addr
	sport, dport   uint16
	packets, bytes uint32
}

// TestFlows: NetFlow v5 sent to the collector on loopback becomes
// sessions that the API ranks by host and charts over time; the exporter
// is listed with its records and the map device at its address.
func TestFlows(t *testing.T) {
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "config.yaml"), []byte("flows:\n  sessions: {inactive: 1s, active: 2s}\n"), 0o644)
	in := start(t, buildBinary(t), data, "--netflow", "127.0.0.1:0")
	var info struct {
		Listeners []struct{ Name, Address, State string }
	}
	in.must("GET", "/api/v1/server", nil, 200, &info)
	port := ""
	for _, l := range info.Listeners {
		if l.Name == "netflow" && l.State == "listening" {
			_, port, _ = net.SplitHostPort(l.Address)
		}
	}
	if port == "" {
		t.Fatalf("netflow not listening: %+v", info.Listeners)
	}
	in.must("POST", "/api/v1/maps", map[string]any{"name": "F", "devices": []map[string]any{
		{"name": "router", "address": "127.0.0.1", "probe": "tcp", "interval": "1m", "params": map[string]string{"port": "1"}},
	}}, 201, nil)

	conn, err := net.Dial("udp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	a, b, c := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("198.51.100.20"), netip.MustParseAddr("192.0.2.11")
	flows := []v5flow{
		{a, b, 51000, 443, 10, 9000},  // a → b: https client
		{b, a, 443, 51000, 12, 60000}, // b → a: the answer
		{c, b, 52000, 22, 5, 1000},    // c → b: ssh
	}
	if _, err := conn.Write(netflowV5(1, time.Now(), flows)); err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("not a flow export")) // counted, never a crash

	var ex []struct {
		Address  string
		Versions map[string]uint64
		Records  uint64
		Devices  []string
	}
	waitUntil(t, "the exporter", func() bool {
		in.must("GET", "/api/v1/flows/exporters", nil, 200, &ex)
		return len(ex) == 1 && ex[0].Records == 3
	})
	if ex[0].Address != "127.0.0.1" || ex[0].Versions["netflow5"] != 3 || len(ex[0].Devices) != 1 || ex[0].Devices[0] != "F~router" {
		t.Fatalf("exporters %+v", ex)
	}
	var top []struct {
		Host                     string
		Bytes, Packets, Sessions uint64
	}
	waitUntil(t, "sessions in the store", func() bool {
		in.must("GET", "/api/v1/flows/top?by=host&from=1h&limit=5", nil, 200, &top)
		return len(top) == 3
	})
	if top[0].Host != "198.51.100.20" || top[0].Bytes != 70000 || top[0].Sessions != 2 || top[1].Host != "192.0.2.10" || top[1].Bytes != 69000 {
		t.Fatalf("top hosts %+v", top)
	}
	var apps []struct {
		Application string
		Bytes       uint64
	}
	in.must("GET", "/api/v1/flows/top?by=application&from=1h", nil, 200, &apps)
	if len(apps) != 2 || !strings.Contains(apps[0].Application, "https") {
		t.Fatalf("applications %+v", apps)
	}
	var chart struct {
		Buckets []struct{ Bytes uint64 }
		Settled time.Time
	}
	in.must("GET", "/api/v1/flows/chart?from=1h&buckets=60", nil, 200, &chart)
	// A range ending now says from when its traffic may still grow: the
	// builder's piece length (active: 2s here) and a flush (1 s).
	if lag := time.Since(chart.Settled); lag < 3*time.Second || lag > 30*time.Second {
		t.Fatalf("live chart settled %v (%v ago), want 3 s before it was asked", chart.Settled, lag)
	}
	var past struct{ Settled *time.Time }
	in.must("GET", "/api/v1/flows/chart?from=3h&to=2h", nil, 200, &past)
	if past.Settled != nil {
		t.Fatalf("a chart of the past says it is still settling: %v", past.Settled)
	}
	var sum uint64
	for _, bk := range chart.Buckets {
		sum += bk.Bytes
	}
	if len(chart.Buckets) != 60 || sum < 69990 || sum > 70010 {
		t.Fatalf("chart: %d buckets, %d bytes", len(chart.Buckets), sum)
	}
	var about struct {
		Exporters int
		Collector struct{ Malformed uint64 }
		Backend   string
	}
	in.must("GET", "/api/v1/flows/about", nil, 200, &about)
	if about.Exporters != 1 || about.Collector.Malformed != 1 || about.Backend != "embedded" {
		t.Fatalf("about %+v", about)
	}
	checkFlowAccess(t, in)
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(adminPassword), 0o600)
	out, err := exec.Command(in.cmd.Path, "flows", "top", "--by", "host", "--since", "1h", "--url", in.url, "--password-file", pw).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "198.51.100.20") || !strings.Contains(string(out), "70.0 kB") {
		t.Fatalf("vantage flows top: %v\n%s", err, out)
	}
	var apiErr struct{ Error string }
	if code := in.do("GET", "/api/v1/flows/top?by=nonsense", nil, &apiErr); code != 400 {
		t.Fatalf("bad by: %d %s", code, apiErr.Error)
	}

	// A main server shows the flows of this one, a separate collector,
	// through its API with a token.
	var tok struct{ Token string }
	in.must("POST", "/api/v1/tokens", map[string]string{"label": "main server"}, 201, &tok)
	mainData := t.TempDir()
	os.WriteFile(filepath.Join(mainData, "config.yaml"), []byte(fmt.Sprintf("flows:\n  remote: {url: %q, token: %q}\n", in.url, tok.Token)), 0o644)
	main := start(t, in.cmd.Path, mainData)
	var viaMain []struct {
		Host  string
		Bytes uint64
	}
	main.must("GET", "/api/v1/flows/top?by=host&from=1h&limit=5", nil, 200, &viaMain)
	if len(viaMain) != 3 || viaMain[0].Host != "198.51.100.20" || viaMain[0].Bytes != 70000 {
		t.Fatalf("top hosts through the main server %+v", viaMain)
	}
	main.must("GET", "/api/v1/flows/exporters", nil, 200, &ex)
	if len(ex) != 1 || ex[0].Records != 3 {
		t.Fatalf("exporters through the main server %+v", ex)
	}
	if code := main.do("GET", "/api/v1/flows/top?by=nonsense", nil, &apiErr); code != 400 {
		t.Fatalf("bad query through the main server: %d %s", code, apiErr.Error)
	}
	in.stop()
	if code := main.do("GET", "/api/v1/flows/top?by=host", nil, &apiErr); code != 502 || !strings.Contains(apiErr.Error, "flow collector") {
		t.Fatalf("collector gone: %d %q", code, apiErr.Error)
	}
	main.stop()
}
