package main

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowserFlows runs tests/ui/flows.test.mjs: playwright-core driving
// Debian's chromium against this binary, through the Flows window and the
// map-page tools wired with it. The server collects NetFlow v5 on a
// loopback port; this test sends it an hour of traffic (a few sessions
// now, one 20 minutes ago and background sessions every two minutes) and
// a map, "Flow Lab", with the exporter's address as a device (with a
// position, for the world view) linked to a network by ifIndex 1. The page
// then checks the top hosts and their bytes, the chart and its drag-to-zoom
// re-query, filtering by a clicked host, the exporters list and its device
// link, the Flows links of the device's and the link's status windows,
// the ping tool, the world view and the discovery dialog (a refused range,
// then a scan of 127.0.0.1/32 only).
//
// The screenshots of every step stay in $SCREENSHOT_DIR/flows, by default
// $TMPDIR/vantage-flows-screenshots; with $FLOWS_DOC_SHOT set (an absolute
// path, e.g. $PWD/docs/flows.png) the Flows window is also saved there.
//
// It needs chromium, node and the npm packages (cd tests/ui && npm ci);
// without them it skips, unless $CI is set.
func TestBrowserFlows(t *testing.T) {
	b := needBrowser(t, "flows")

	// Sessions end after a second without records, so the flows sent are
	// in the store at once.
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "config.yaml"), []byte("flows:\n  sessions: {inactive: 1s, active: 2s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// No starter map (start() sets --starter-map=false): it would ping
	// the real gateway and DNS servers, and this test talks to loopback
	// only.
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

	lat, lon := 48.8566, 2.3522
	in.must("POST", "/api/v1/maps", map[string]any{
		"name": "Flow Lab",
		"devices": []map[string]any{
			{"name": "router", "address": "127.0.0.1", "probe": "tcp", "interval": "1m", "params": map[string]string{"port": "1"},
				"x": 200, "y": 160, "lat": lat, "lon": lon},
		},
		"networks": []map[string]any{{"name": "LAN", "x": 520, "y": 160}},
		"links":    []map[string]any{{"from": "router", "to": "LAN", "from_interface": "1"}},
	}, 201, nil)

	// The traffic: the sessions of TestFlows now; one 20 minutes ago that
	// a zoom into the last minutes leaves out; background sessions of
	// other hosts every two minutes from 58 to 10 minutes ago.
	conn, err := net.Dial("udp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ip := netip.MustParseAddr
	now := time.Now()
	var seq uint32
	var total uint64
	send := func(at time.Time, flows []v5flow) {
		t.Helper()
		if _, err := conn.Write(netflowV5(seq, at, flows)); err != nil {
			t.Fatal(err)
		}
		seq += uint32(len(flows))
		for _, f := range flows {
			total += uint64(f.bytes)
		}
		time.Sleep(5 * time.Millisecond)
	}
	ports := []uint16{443, 53, 22, 80, 3306}
	for i := 0; i < 25; i++ {
		at := now.Add(-time.Duration(58-2*i) * time.Minute)
		client := netip.AddrFrom4([4]byte{10, 1, 0, byte(1 + i%5)})
		server := netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + i%3)})
		b := uint32(4000 + (i*7919)%36000)
		send(at, []v5flow{
			{client, server, uint16(40000 + i), ports[i%len(ports)], 8, b},
			{server, client, ports[i%len(ports)], uint16(40000 + i), 10, 3 * b},
		})
	}
	send(now.Add(-20*time.Minute), []v5flow{{ip("203.0.113.5"), ip("192.0.2.10"), 50500, 80, 20, 20000}})
	send(now, []v5flow{
		{ip("192.0.2.10"), ip("198.51.100.20"), 51000, 443, 10, 9000},  // https client
		{ip("198.51.100.20"), ip("192.0.2.10"), 443, 51000, 12, 60000}, // the answer
		{ip("192.0.2.11"), ip("198.51.100.20"), 52000, 22, 5, 1000},    // ssh
	})
	waitUntil(t, "every session in the store", func() bool {
		var chart struct{ Buckets []struct{ Bytes uint64 } }
		in.must("GET", "/api/v1/flows/chart?from=1h&buckets=60", nil, 200, &chart)
		var sum uint64
		for _, bk := range chart.Buckets {
			sum += bk.Bytes
		}
		return sum+10 >= total
	})

	b.run(t, in, "flows.test.mjs", 5*time.Minute)
}
