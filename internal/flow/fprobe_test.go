package flow_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vantage-monitor/vantage/internal/flow"
	"github.com/vantage-monitor/vantage/internal/flowstore"
	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
	"github.com/vantage-monitor/vantage/internal/testsrv"
)

// TestFprobeLiveAgainstNfcapd runs Debian's fprobe as a live NetFlow
// exporter: fprobes for NetFlow v1, v5 and v7 (every version fprobe has),
// and one more v5 with a 1-second active timeout, capture the same veth
// into a test namespace while TCP connections and UDP exchanges of known
// sizes cross it, and each exports to our collector and to nfdump's nfcapd
// at once (fprobe mirrors its datagrams to every collector on its command
// line). Three references must agree with what we decode, per run:
//   - nfdump, over the same datagrams: the same records, with the same
//     bytes, packets and first/last times;
//   - our own packet capture on the veth (AF_PACKET): the IP-level bytes
//     and packets of every 5-tuple, and the TCP flags seen, as fprobe
//     counts them (the IP total length, link header excluded);
//   - the payloads the test sent, as bounds (headers are at least 40 and at
//     most 120 bytes a packet).
//
// The records then go through the session builder: each conversation must
// become exactly one session with the client and server the rules say,
// also when the active timeout cut a long one into several records.
func TestFprobeLiveAgainstNfcapd(t *testing.T) {
	fprobe := testsrv.Need(t, "fprobe", "fprobe")
	nfcapd := testsrv.Need(t, "nfcapd", "nfdump")
	nfdump := testsrv.Need(t, "nfdump", "nfdump")
	ns := netnstest.New(t, "fprobe")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	host, inner := ns.HostAddr(), ns.Addr()

	convs := fprobeConversations()
	startServers(t, ns, convs)
	ref := startCapture(t, ns.HostIf(), host, inner)

	// Every fprobe sees the same packets, so one run of traffic serves
	// them all.
	specs := []struct {
		name    string
		version int    // fprobe -n
		format  string // Record.Version
		perDgrm int    // records a full datagram holds
		active  int    // fprobe -e, seconds
	}{
		{"v1", 1, "netflow1", 24, 60},
		{"v5", 5, "netflow5", 30, 60},
		{"v7", 7, "netflow7", 27, 60},
		// Exporters cut long flows into several records (fprobe: when the
		// flow is older than -e s at a scan); the slow conversation lasts
		// 4 s, so here each of its directions comes in two or three.
		{"v5 active timeout 1s", 5, "netflow5", 30, 1},
	}
	runs := make([]*fprobeRun, len(specs))
	for i, v := range specs {
		runs[i] = startFprobeRun(t, ctx, fprobe, nfcapd, fmt.Sprintf("%d-%d", os.Getpid(), i), ns.HostIf(),
			fmt.Sprintf("ip and host %s and host %s", host, inner), "-n", strconv.Itoa(v.version), "-e", strconv.Itoa(v.active))
	}

	began := time.Now()
	runConversations(t, ctx, ns, convs)
	ended := time.Now()
	// Packets still on their way (the last ACKs) reach every capture
	// within a few milliseconds on a veth.
	time.Sleep(200 * time.Millisecond)
	want := ref.stop(t)
	if n := directions(convs); len(want) != n {
		t.Fatalf("capture has %d flows, want one per direction of each conversation, %d: %v", len(want), n, want)
	}

	// fprobe exports a flow once it has been idle for more than -d 1 s
	// (its scan runs every -s 1 s) and sends a datagram that is not full
	// after 5 s without more flows: within about 8 s of the last packet.
	for _, r := range runs {
		r.waitFor(t, want)
	}
	for _, r := range runs {
		r.finish(t)
	}

	for i, v := range specs {
		r := runs[i]
		t.Run(v.name, func(t *testing.T) {
			recs := r.sink.snapshot()
			got := tallyRecords(recs)
			diffTallies(t, "ours vs the capture", got, want)

			// nfdump over the same datagrams: record for record.
			nf := readNfdump(t, nfdump, r.nfdir)
			if len(nf) != len(recs) {
				t.Errorf("nfdump has %d records, we decoded %d", len(nf), len(recs))
			}
			diffTallies(t, "ours vs nfdump", withoutFlags(got), tallyNfdump(nf))
			ourTimes, nfTimes := recordTimes(recs), nfdumpTimes(nf)
			for k, w := range nfTimes {
				if g := ourTimes[k]; g != w {
					t.Errorf("%v: first/last %v, nfdump %v", k, g, w)
				}
			}
			for _, rec := range recs {
				if rec.Version != v.format || rec.Exporter != netip.MustParseAddr("127.0.0.1") || rec.SamplingRate != 1 {
					t.Errorf("record %+v: want version %s from 127.0.0.1, unsampled", rec, v.format)
				}
				// fprobe stamps flows with the capture's clock (to the
				// millisecond, which it may round down twice): within the
				// traffic's time, give or take the last ACK's way.
				if rec.End.Before(rec.Start) || rec.Start.Before(began.Add(-100*time.Millisecond)) || rec.End.After(ended.Add(100*time.Millisecond)) {
					t.Errorf("%v: %v..%v outside the traffic's %v..%v", keyOf(rec), rec.Start, rec.End, began, ended)
				}
			}
			checkPayloadBounds(t, convs, got)

			es := r.collector.Exporters()
			if len(es) != 1 {
				t.Fatalf("exporters %+v", es)
			}
			e := es[0]
			if e.Records != uint64(len(recs)) || e.Versions[v.format] != uint64(len(recs)) || e.Malformed+e.DecodeErrors != 0 {
				t.Errorf("exporter %+v: want %d %s records, no errors", e, len(recs), v.format)
			}
			for _, f := range e.Formats {
				// A v5/v7 sequence gap would mean we lost or misread a datagram.
				if f.Gaps != 0 || f.Lost != 0 || f.Packets < uint64((len(recs)+v.perDgrm-1)/v.perDgrm) {
					t.Errorf("format %+v: want no gaps, at least %d datagrams", f, (len(recs)+v.perDgrm-1)/v.perDgrm)
				}
			}
			checkSessions(t, convs, recs, want)
			for _, c := range convs {
				if c.pause == 0 || v.active != 1 {
					continue
				}
				for _, k := range []fkey{{c.client, c.server, 6}, {c.server, c.client, 6}} {
					if n := recordsOf(recs, k); n < 2 {
						t.Errorf("%s: %v in %d record(s), want it cut by the active timeout", c.name, k, n)
					}
				}
			}
			var sum uint64
			for _, w := range got {
				sum += w.bytes
			}
			t.Logf("%s: %d records, %d bytes, %d datagrams; nfdump: %d records; capture: %d flows",
				v.format, len(recs), sum, e.Packets, len(nf), len(want))
		})
	}
}

// conversation is one exchange of the test traffic between the host end
// of the veth and the namespace. TCP: the client writes up[0], up[1] …
// (pause apart), then the server answers down[0] bytes. UDP: one datagram
// of up[i] bytes, answered by down[i] bytes (0: no answer).
type conversation struct {
	name  string
	proto uint8
	// hostServes puts the server on the host and the client in the
	// namespace; otherwise the namespace serves.
	hostServes bool
	serverPort uint16 // 0: any free port (host server only)
	clientPort uint16 // 0: an ephemeral port; the server's + 1 when the host serves
	up, down   []int
	pause      time.Duration

	client, server netip.AddrPort // filled in as the exchange runs
}

// fprobeConversations is the traffic: enough conversations to need two
// datagrams in every version, and roles that each rule decides.
func fprobeConversations() []*conversation {
	convs := []*conversation{
		// Rule "listed server port" and "lower port" agree.
		{name: "http download", proto: 6, serverPort: 80, up: []int{300}, down: []int{1 << 20}},
		{name: "http upload", proto: 6, serverPort: 80, up: []int{300_000}, down: []int{200}},
		// The client's port is lower, but 5432 is a listed server port.
		{name: "postgresql from a low port", proto: 6, serverPort: 5432, clientPort: 1100, up: []int{5_000}, down: []int{20_000}},
		// Neither port listed: the lower one is the server (the client
		// takes the port above the host's ephemeral listener's).
		{name: "host serves the namespace", proto: 6, hostServes: true, up: []int{1_000}, down: []int{64_000}},
		{name: "dns", proto: 17, serverPort: 53, up: []int{40, 45, 50}, down: []int{120, 130, 140}},
		{name: "one-way udp", proto: 17, serverPort: 9000, up: []int{1_000, 1_000, 1_000, 1_000, 1_000}, down: []int{0, 0, 0, 0, 0}},
	}
	for i := range 12 {
		convs = append(convs, &conversation{name: fmt.Sprintf("small http %d", i), proto: 6, serverPort: 80,
			up: []int{100 + i}, down: []int{1_000 * (i + 1)}})
	}
	// 16 writes 250 ms apart: 4 s, long enough for fprobe -e 1 to cut.
	slow := &conversation{name: "slow upload", proto: 6, serverPort: 80, down: []int{3_000}, pause: 250 * time.Millisecond}
	for range 16 {
		slow.up = append(slow.up, 400)
	}
	return append(convs, slow)
}

// directions counts the one-way flows of the conversations: both ways,
// unless the server never answers.
func directions(convs []*conversation) int {
	n := 0
	for _, c := range convs {
		n++
		for _, d := range c.down {
			if d > 0 {
				n++
				break
			}
		}
	}
	return n
}

// The test protocol: the first bytes of what the client sends say how
// much the server answers (4 bytes in TCP, 2 in UDP); the rest is filler.
func request(size, answer, header int) []byte {
	b := make([]byte, size)
	if header == 4 {
		binary.BigEndian.PutUint32(b, uint32(answer))
	} else {
		binary.BigEndian.PutUint16(b, uint16(answer))
	}
	return b
}

// startServers listens for every conversation: TCP and UDP servers in the
// namespace on the listed ports, and a TCP server on the host's end.
func startServers(t *testing.T, ns *netnstest.NS, convs []*conversation) {
	t.Helper()
	tcp, udp := map[uint16]bool{}, map[uint16]bool{}
	for _, c := range convs {
		switch {
		case c.hostServes:
			// Any free port but the last, so the client's can be above it.
			var ln net.Listener
			for range 3 {
				l, err := net.Listen("tcp", netip.AddrPortFrom(ns.HostAddr(), 0).String())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				if l.Addr().(*net.TCPAddr).Port < 65535 {
					ln = l
					break
				}
			}
			go serveTCP(ln)
			c.server = ln.Addr().(*net.TCPAddr).AddrPort()
			c.clientPort = c.server.Port() + 1
		case c.proto == 6:
			c.server = netip.AddrPortFrom(ns.Addr(), c.serverPort)
			if tcp[c.serverPort] {
				continue
			}
			tcp[c.serverPort] = true
			var ln net.Listener
			if err := ns.Do(func() (err error) { ln, err = net.Listen("tcp", c.server.String()); return err }); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go serveTCP(ln)
		default:
			c.server = netip.AddrPortFrom(ns.Addr(), c.serverPort)
			if udp[c.serverPort] {
				continue
			}
			udp[c.serverPort] = true
			var pc net.PacketConn
			if err := ns.Do(func() (err error) { pc, err = net.ListenPacket("udp", c.server.String()); return err }); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pc.Close() })
			go serveUDP(pc.(*net.UDPConn))
		}
	}
}

func serveTCP(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			var hdr [4]byte
			if _, err := io.ReadFull(c, hdr[:]); err != nil {
				return
			}
			// Read the whole request (to the client's FIN) before answering.
			if _, err := io.Copy(io.Discard, c); err != nil {
				return
			}
			c.Write(make([]byte, binary.BigEndian.Uint32(hdr[:])))
		}()
	}
}

func serveUDP(c *net.UDPConn) {
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if n >= 2 {
			if answer := binary.BigEndian.Uint16(buf); answer > 0 {
				c.WriteToUDPAddrPort(make([]byte, answer), from)
			}
		}
	}
}

// runConversations plays the traffic, one conversation after the other.
func runConversations(t *testing.T, ctx context.Context, ns *netnstest.NS, convs []*conversation) {
	t.Helper()
	deadline, _ := ctx.Deadline()
	for _, c := range convs {
		local := ns.HostAddr()
		if c.hostServes {
			local = ns.Addr()
		}
		laddr := netip.AddrPortFrom(local, c.clientPort)
		var conn net.Conn
		dial := func() (err error) {
			d := net.Dialer{Timeout: 5 * time.Second}
			if c.proto == 6 {
				d.LocalAddr = net.TCPAddrFromAddrPort(laddr)
				conn, err = d.DialContext(ctx, "tcp", c.server.String())
			} else {
				d.LocalAddr = net.UDPAddrFromAddrPort(laddr)
				conn, err = d.DialContext(ctx, "udp", c.server.String())
			}
			return err
		}
		var err error
		if c.hostServes {
			err = ns.Do(dial)
		} else {
			err = dial()
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		conn.SetDeadline(deadline)
		c.client = netip.MustParseAddrPort(conn.LocalAddr().String())
		if err := exchange(conn, c); err != nil {
			conn.Close()
			t.Fatalf("%s (%v -> %v): %v", c.name, c.client, c.server, err)
		}
		conn.Close()
	}
}

func exchange(conn net.Conn, c *conversation) error {
	if c.proto == 6 {
		for i, size := range c.up {
			b := make([]byte, size)
			if i == 0 {
				b = request(size, c.down[0], 4)
			} else {
				time.Sleep(c.pause)
			}
			if _, err := conn.Write(b); err != nil {
				return err
			}
		}
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, conn)
		if err != nil {
			return err
		}
		if int(n) != c.down[0] {
			return fmt.Errorf("answer of %d bytes, want %d", n, c.down[0])
		}
		return nil
	}
	buf := make([]byte, 65536)
	for i, size := range c.up {
		if _, err := conn.Write(request(size, c.down[i], 2)); err != nil {
			return err
		}
		if c.down[i] == 0 {
			continue
		}
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			return err
		}
		if n != c.down[i] {
			return fmt.Errorf("answer %d: %d bytes, want %d", i, n, c.down[i])
		}
	}
	return nil
}

// fkey is a flow's 5-tuple in one direction.
type fkey struct {
	src, dst netip.AddrPort
	proto    uint8
}

// counts is what a flow carried, as fprobe counts it.
type counts struct {
	bytes, packets uint64
	flags          uint8 // TCP flags, or-ed
}

func keyOf(r flow.Record) fkey {
	return fkey{netip.AddrPortFrom(r.SrcAddr, r.SrcPort), netip.AddrPortFrom(r.DstAddr, r.DstPort), r.Proto}
}

// tallyRecords adds up records per 5-tuple. An exporter may report a flow
// in several records, and fprobe does so even without its active timeout:
// libpcap hands it packets up to a second late (TPACKET_V3 blocks retire
// after the 1000 ms read timeout fprobe opens the capture with), so with
// -d 1 its scan can find a flow whose packets are 250 ms apart two
// seconds idle, and export it in pieces.
func tallyRecords(recs []flow.Record) map[fkey]counts {
	out := map[fkey]counts{}
	for _, r := range recs {
		k := keyOf(r)
		c := out[k]
		out[k] = counts{c.bytes + r.Bytes, c.packets + r.Packets, c.flags | r.TCPFlags}
	}
	return out
}

func diffTallies(t *testing.T, what string, got, want map[fkey]counts) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: %v missing (want %+v)", what, k, w)
		} else if g != w {
			t.Errorf("%s: %v is %+v, want %+v", what, k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected flow %v %+v", what, k, g)
		}
	}
}

// checkPayloadBounds ties the counts to what the test sent: IP-level
// bytes are the payload plus 40 to 120 header bytes per packet (IPv4 and
// TCP or UDP headers with or without options).
func checkPayloadBounds(t *testing.T, convs []*conversation, got map[fkey]counts) {
	t.Helper()
	for _, c := range convs {
		proto := c.proto
		for _, dir := range []struct {
			k       fkey
			payload []int
		}{{fkey{c.client, c.server, proto}, c.up}, {fkey{c.server, c.client, proto}, c.down}} {
			var payload, datagrams uint64
			for _, p := range dir.payload {
				payload += uint64(p)
				if p > 0 {
					datagrams++
				}
			}
			g := got[dir.k]
			if proto == 17 {
				// UDP: one packet per datagram, 28 bytes of headers each.
				if w := (counts{payload + 28*datagrams, datagrams, 0}); g != w {
					t.Errorf("%s: %v is %+v, want %+v", c.name, dir.k, g, w)
				}
				continue
			}
			if g.packets == 0 || g.bytes < payload+40*g.packets || g.bytes > payload+120*g.packets {
				t.Errorf("%s: %v carried %d payload bytes, but the flow has %d bytes in %d packets",
					c.name, dir.k, payload, g.bytes, g.packets)
			}
		}
	}
}

// checkSessions builds sessions from one version's records: every
// conversation is one bidirectional session, its client and server as the
// rules say, with both directions' counts.
func checkSessions(t *testing.T, convs []*conversation, recs []flow.Record, want map[fkey]counts) {
	t.Helper()
	b, err := flowstore.NewBuilder(flowstore.DefaultBuilderConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Records(recs)
	b.FlushAll()
	sessions := b.Drain()
	if len(sessions) != len(convs) {
		t.Errorf("%d sessions from %d conversations", len(sessions), len(convs))
	}
	type skey struct {
		client, server netip.AddrPort
		proto          uint8
	}
	byKey := map[skey]flowstore.Session{}
	for _, s := range sessions {
		byKey[skey{netip.AddrPortFrom(s.Client, s.ClientPort), netip.AddrPortFrom(s.Server, s.ServerPort), s.Proto}] = s
	}
	for _, c := range convs {
		s, ok := byKey[skey{c.client, c.server, c.proto}]
		if !ok {
			t.Errorf("%s: no session with client %v and server %v", c.name, c.client, c.server)
			continue
		}
		cs, sc := want[fkey{c.client, c.server, c.proto}], want[fkey{c.server, c.client, c.proto}]
		flows := uint32(recordsOf(recs, fkey{c.client, c.server, c.proto}) + recordsOf(recs, fkey{c.server, c.client, c.proto}))
		if s.BytesCS != cs.bytes || s.PacketsCS != cs.packets || s.BytesSC != sc.bytes || s.PacketsSC != sc.packets ||
			s.Flows != flows || s.Duplicate || s.Continued || s.Exporter != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("%s: session %+v; want client->server %+v, server->client %+v in %d flows", c.name, s, cs, sc, flows)
		}
	}
	if st := b.Stats(); st.Records != uint64(len(recs)) || st.Sessions != uint64(len(sessions)) {
		t.Errorf("builder stats %+v for %d records", st, len(recs))
	}
}

func recordsOf(recs []flow.Record, k fkey) int {
	n := 0
	for _, r := range recs {
		if keyOf(r) == k {
			n++
		}
	}
	return n
}

// recordSink keeps copies of the records (the collector reuses batches).
type recordSink struct {
	mu   sync.Mutex
	recs []flow.Record
}

func (s *recordSink) Records(b []flow.Record) {
	s.mu.Lock()
	s.recs = append(s.recs, b...)
	s.mu.Unlock()
}

func (s *recordSink) snapshot() []flow.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]flow.Record(nil), s.recs...)
}

// fprobeRun is one fprobe exporting to our collector and to an nfcapd.
type fprobeRun struct {
	options   string
	collector *flow.Collector
	sink      *recordSink
	nfdir     string
	fprobe    *process
	nfcapd    *process
}

// startFprobeRun starts our collector, an nfcapd, and an fprobe capturing
// on ifname and exporting to both; options are fprobe's -n and -e.
func startFprobeRun(t *testing.T, ctx context.Context, fprobe, nfcapd, id, ifname, filter string, options ...string) *fprobeRun {
	t.Helper()
	r := &fprobeRun{options: strings.Join(options, " "), sink: &recordSink{}, nfdir: t.TempDir()}
	cfg := flow.DefaultConfig()
	cfg.Workers, cfg.Readers = 1, 1
	c, err := flow.New(cfg, flow.Deps{Sink: r.sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	r.collector = c
	ours, err := c.ListenUDP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nfPort := testsrv.FreePort(t, "udp")
	r.nfcapd = startProcess(t, nfcapd, "-b", "127.0.0.1", "-p", strconv.Itoa(nfPort), "-w", r.nfdir, "-t", "3600")
	// fprobe sends as soon as flows expire; nfcapd must be bound by then.
	waitUntil(t, "nfcapd listening", 10*time.Second, func() bool {
		if r.nfcapd.exited() {
			t.Fatalf("nfcapd ended: %v\n%s", r.nfcapd.err, r.nfcapd.out.String())
		}
		return udpBound(nfPort)
	})

	// -l 2 keeps fprobe in the foreground logging to stdout (any other
	// destination forks a daemon); the id after the colon names its pid
	// file, /var/run/fprobe[id].pid, apart from other runs'.
	id = "vantage-" + id
	t.Cleanup(func() { os.Remove("/var/run/fprobe[" + id + "].pid") })
	args := append([]string{"-l", "2:" + id, "-i", ifname, "-p", "-f", filter, "-s", "1", "-d", "1", "-q", "10000"}, options...)
	r.fprobe = startProcess(t, fprobe, append(args, ours.String(), fmt.Sprintf("127.0.0.1:%d", nfPort))...)
	// It logs its collectors once the capture is open and filtered.
	waitUntil(t, "fprobe capturing", 10*time.Second, func() bool {
		if r.fprobe.exited() {
			t.Fatalf("fprobe ended: %v\n%s", r.fprobe.err, r.fprobe.out.String())
		}
		return strings.Contains(r.fprobe.out.String(), "collector #2")
	})
	return r
}

// waitFor waits until our collector has every flow of the capture with
// its counts: fprobe has exported them all. When it does not come to that,
// the subtests report what differs.
func (r *fprobeRun) waitFor(t *testing.T, want map[fkey]counts) {
	t.Helper()
	complete := func() bool {
		got := tallyRecords(r.sink.snapshot())
		for k, w := range want {
			if got[k].bytes < w.bytes {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(30 * time.Second); !complete(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("fprobe %s: not every flow exported in 30 s", r.options)
			return
		}
	}
}

// finish ends fprobe (SIGTERM: it exports what it still holds, which
// must be nothing), then nfcapd, which writes its file on SIGTERM.
func (r *fprobeRun) finish(t *testing.T) {
	t.Helper()
	r.fprobe.terminate(t, 15*time.Second)
	// nfcapd and our collector get fprobe's last datagrams over loopback
	// at the same time.
	time.Sleep(300 * time.Millisecond)
	r.nfcapd.terminate(t, 10*time.Second)
}

// udpBound says whether a UDP socket is bound to 127.0.0.1:port.
func udpBound(port int) bool {
	b, err := os.ReadFile("/proc/net/udp")
	return err == nil && bytes.Contains(b, fmt.Appendf(nil, " 0100007F:%04X ", port))
}

// process is a program the test runs, ended by terminate or at cleanup.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *testsrv.Output
	done chan struct{}
	err  error
}

func startProcess(t *testing.T, name string, args ...string) *process {
	t.Helper()
	p := &process{name: filepath.Base(name), cmd: exec.Command(name, args...), out: &testsrv.Output{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s %s:\n%s", p.name, strings.Join(args, " "), lastLines(p.out.String(), 30))
		}
	})
	return p
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// terminate sends SIGTERM and waits for a clean exit.
func (p *process) terminate(t *testing.T, limit time.Duration) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited: %v\n%s", p.name, p.err, lastLines(p.out.String(), 20))
		}
	case <-time.After(limit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("%s did not end within %v of SIGTERM\n%s", p.name, limit, lastLines(p.out.String(), 20))
	}
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// capture counts IPv4 packets between two addresses on an interface, in
// both directions, from an AF_PACKET socket: the reference the exporters
// are held to.
type capture struct {
	fd      int
	a, b    netip.Addr
	stopped atomic.Bool
	done    chan struct{}
	flows   map[fkey]counts
	bad     int
}

func startCapture(t *testing.T, ifname string, a, b netip.Addr) *capture {
	t.Helper()
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		t.Fatal(err)
	}
	// Protocol 0 receives nothing until bind names the interface, so no
	// packet of another interface slips in. Bound to one protocol, a
	// packet socket only sees packets coming in; ETH_P_ALL sees those
	// going out too (as libpcap does), and run keeps the IPv4 ones.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("packet socket: %v", err)
	}
	c := &capture{fd: fd, a: a, b: b, done: make(chan struct{}), flows: map[fkey]counts{}}
	t.Cleanup(func() {
		if !c.stopped.Load() {
			c.stopped.Store(true)
			<-c.done
		}
	})
	for _, err := range []error{
		// The kernel charges whole packets (64 KB with segmentation
		// offload) to the buffer however few bytes are read: a buffer
		// past rmem_max (root may) keeps a busy moment from dropping any.
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 64<<20),
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 100_000}),
		unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}),
	} {
		if err != nil {
			unix.Close(fd)
			t.Fatalf("packet socket on %s: %v", ifname, err)
		}
	}
	go c.run()
	return c
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (c *capture) run() {
	defer close(c.done)
	defer unix.Close(c.fd)
	// The headers are enough; the kernel truncates the rest.
	buf := make([]byte, 128)
	for !c.stopped.Load() {
		n, from, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			c.bad++
			return
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Protocol == htons(unix.ETH_P_IP) {
			c.add(buf[:n])
		}
	}
}

// add counts one IPv4 packet as fprobe does: the IP total length, the
// ports from the first fragment, the TCP flags byte.
func (c *capture) add(p []byte) {
	if len(p) < 20 || p[0]>>4 != 4 {
		return
	}
	src, dst := netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
	if !(src == c.a && dst == c.b || src == c.b && dst == c.a) {
		return
	}
	ihl := int(p[0]&0x0f) * 4
	k := fkey{netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0), p[9]}
	var flags uint8
	if off := binary.BigEndian.Uint16(p[6:]) & 0x1fff; off != 0 || binary.BigEndian.Uint16(p[6:])&0x2000 != 0 {
		c.bad++ // the test sends nothing fragmented
		return
	}
	if (k.proto == 6 || k.proto == 17) && len(p) >= ihl+4 {
		k.src = netip.AddrPortFrom(src, binary.BigEndian.Uint16(p[ihl:]))
		k.dst = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(p[ihl+2:]))
	}
	if k.proto == 6 && len(p) >= ihl+14 {
		flags = p[ihl+13]
	}
	v := c.flows[k]
	c.flows[k] = counts{v.bytes + uint64(binary.BigEndian.Uint16(p[2:])), v.packets + 1, v.flags | flags}
}

// stop ends the capture and returns its flows; a packet the kernel dropped
// would make them wrong, so drops fail the test.
func (c *capture) stop(t *testing.T) map[fkey]counts {
	t.Helper()
	st, err := unix.GetsockoptTpacketStats(c.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	c.stopped.Store(true)
	<-c.done
	if err != nil || st.Drops != 0 || c.bad != 0 {
		t.Fatalf("capture: stats %+v (%v), %d unexpected packets or errors", st, err, c.bad)
	}
	return c.flows
}

// nfRecord is one record as nfdump prints it.
type nfRecord struct {
	k           fkey
	c           counts
	first, last int64 // ms since the epoch
}

// readNfdump lists every record nfcapd stored, with plain numbers.
func readNfdump(t *testing.T, nfdump, dir string) []nfRecord {
	t.Helper()
	// The times are read as printed for people, in UTC: nfdump 1.7.1's raw
	// %ter gets the milliseconds wrong (it prints a flow that ended at
	// 34.101 s, which its own %te shows, as 34.001).
	cmd := exec.Command(nfdump, "-R", dir, "-q", "-N", "-o", "fmt:%sa %da %sp %dp %pr %byt %pkt %ts %te")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nfdump: %v\n%s", err, out)
	}
	var recs []nfRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 {
			t.Fatalf("nfdump line %q", sc.Text())
		}
		num := func(s string) uint64 {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				t.Fatalf("nfdump line %q: %v", sc.Text(), err)
			}
			return v
		}
		ms := func(date, clock string) int64 {
			v, err := time.Parse("2006-01-02 15:04:05.000", date+" "+clock)
			if err != nil {
				t.Fatalf("nfdump line %q: %v", sc.Text(), err)
			}
			return v.UnixMilli()
		}
		proto := map[string]uint8{"TCP": 6, "UDP": 17}[f[4]]
		if proto == 0 {
			proto = uint8(num(f[4]))
		}
		recs = append(recs, nfRecord{
			k: fkey{netip.AddrPortFrom(netip.MustParseAddr(f[0]), uint16(num(f[2]))),
				netip.AddrPortFrom(netip.MustParseAddr(f[1]), uint16(num(f[3]))), proto},
			c:     counts{bytes: num(f[5]), packets: num(f[6])},
			first: ms(f[7], f[8]), last: ms(f[9], f[10]),
		})
	}
	return recs
}

// tallyNfdump adds up nfdump's records per 5-tuple, without TCP flags
// (those are checked against the capture).
func tallyNfdump(recs []nfRecord) map[fkey]counts {
	out := map[fkey]counts{}
	for _, r := range recs {
		c := out[r.k]
		out[r.k] = counts{c.bytes + r.c.bytes, c.packets + r.c.packets, 0}
	}
	return out
}

func withoutFlags(m map[fkey]counts) map[fkey]counts {
	out := make(map[fkey]counts, len(m))
	for k, c := range m {
		out[k] = counts{c.bytes, c.packets, 0}
	}
	return out
}

// span is the first and last millisecond of a flow's records.
type span struct{ first, last int64 }

func recordTimes(recs []flow.Record) map[fkey]span {
	out := map[fkey]span{}
	for _, r := range recs {
		out[keyOf(r)] = widen(out[keyOf(r)], r.Start.UnixMilli(), r.End.UnixMilli())
	}
	return out
}

func nfdumpTimes(recs []nfRecord) map[fkey]span {
	out := map[fkey]span{}
	for _, r := range recs {
		out[r.k] = widen(out[r.k], r.first, r.last)
	}
	return out
}

func widen(s span, first, last int64) span {
	if s == (span{}) {
		return span{first, last}
	}
	return span{min(s.first, first), max(s.last, last)}
}
