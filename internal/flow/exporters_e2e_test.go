package flow

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSoftflowdAgainstNfcapd exports the same generated capture with
// Debian's softflowd in NetFlow v1, v5, v9 and IPFIX, through a UDP tee on
// 127.0.0.1, to our collector and to nfdump's nfcapd; every flow and its
// byte and packet counts must match nfdump's and the capture's own.
func TestSoftflowdAgainstNfcapd(t *testing.T) {
	for _, tool := range []string{"softflowd", "softflowctl", "nfcapd", "nfdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian packages softflowd, nfdump): %v", tool, err)
		}
	}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "flows.pcap")
	convs := testConversations()
	if err := writePcap(pcap, convs, time.Unix(1704067200, 0)); err != nil {
		t.Fatal(err)
	}
	packets := 0
	for _, c := range convs {
		packets += len(c.sizes)
	}
	truth := totals(convs)
	for _, version := range []string{"1", "5", "9", "10"} {
		t.Run("v"+version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c, sink := startCollector(t)
			ours, err := c.ListenUDP(ctx, "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			nfdir := filepath.Join(dir, "nfcapd-v"+version)
			os.MkdirAll(nfdir, 0o755)
			nfPort := freeUDPPort(t)
			nfcapd := exec.CommandContext(ctx, "nfcapd", "-b", "127.0.0.1", "-p", strconv.Itoa(nfPort), "-w", nfdir, "-t", "3600")
			var nfLog bytes.Buffer
			nfcapd.Stdout, nfcapd.Stderr = &nfLog, &nfLog
			if err := nfcapd.Start(); err != nil {
				t.Fatal(err)
			}
			tee, sent := udpTee(t, ctx, netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", nfPort)), ours)

			runSoftflowd(t, ctx, dir, pcap, version, tee, packets)
			recs := waitRecords(t, sink, len(truth))
			// Give nfcapd the same datagrams' time to arrive, then let it
			// write its file.
			waitFor(t, func() bool { return atomic.LoadInt64(sent) > 0 })
			time.Sleep(200 * time.Millisecond)
			nfcapd.Process.Signal(syscall.SIGTERM)
			nfcapd.Wait()
			ref := nfdumpFlows(t, nfdir)
			if len(ref) != len(truth) {
				t.Fatalf("nfdump has %d flows, the capture %d\n%s", len(ref), len(truth), nfLog.String())
			}
			var ourBytes, refBytes uint64
			for _, r := range recs {
				k := flowKey{netip.AddrPortFrom(r.SrcAddr, r.SrcPort), netip.AddrPortFrom(r.DstAddr, r.DstPort), r.Proto}
				got := [2]uint64{r.Bytes, r.Packets}
				if got != ref[k] {
					t.Errorf("%v: ours %v, nfdump %v", k, got, ref[k])
				}
				if got != truth[k] {
					t.Errorf("%v: ours %v, capture %v", k, got, truth[k])
				}
				ourBytes += r.Bytes
			}
			for _, v := range ref {
				refBytes += v[0]
			}
			want(t, ourBytes, refBytes)
			e := c.Exporters()[0]
			want(t, e.Records, uint64(len(truth)))
			want(t, e.Malformed+e.DecodeErrors, uint64(0))
			t.Logf("v%s: %d flows, %d bytes, identical to nfdump; formats %+v", version, len(recs), ourBytes, e.Formats)
		})
	}
}

// runSoftflowd exports the capture and ends softflowd. softflowd 1.1 reads
// the file only once its control socket has served a request, and exports
// the remaining flows at shutdown, so it is driven with softflowctl.
func runSoftflowd(t *testing.T, ctx context.Context, dir, pcap, version string, to netip.AddrPort, packets int) {
	t.Helper()
	ctl := filepath.Join(dir, "softflowd-v"+version+".ctl")
	cmd := exec.CommandContext(ctx, "softflowd", "-r", pcap, "-n", to.String(), "-v", version, "-d",
		"-c", ctl, "-p", filepath.Join(dir, "softflowd.pid"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Packets processed: %d", packets)
	waitFor(t, func() bool {
		o, _ := exec.CommandContext(ctx, "softflowctl", "-c", ctl, "statistics").CombinedOutput()
		return strings.Contains(string(o), want)
	})
	// At the end of the file softflowd may already be flushing and
	// exiting on its own; then the shutdown request finds no socket.
	o, err := exec.CommandContext(ctx, "softflowctl", "-c", ctl, "shutdown").CombinedOutput()
	if werr := cmd.Wait(); werr != nil {
		t.Fatalf("softflowd: %v\n%s\nsoftflowctl: %v %s", werr, out.String(), err, o)
	}
	t.Logf("softflowd: %s", lastLines(out.String(), 12))
}

// udpTee receives on 127.0.0.1 and copies each datagram to both targets.
func udpTee(t *testing.T, ctx context.Context, a, b netip.AddrPort) (netip.AddrPort, *int64) {
	t.Helper()
	in, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	out, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	go func() {
		<-ctx.Done()
		in.Close()
		out.Close()
	}()
	t.Cleanup(func() { in.Close(); out.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			k, _, err := in.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			out.WriteToUDPAddrPort(buf[:k], a)
			out.WriteToUDPAddrPort(buf[:k], b)
			atomic.AddInt64(&n, 1)
		}
	}()
	return in.LocalAddr().(*net.UDPAddr).AddrPort(), &n
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// nfdumpFlows reads every flow nfcapd stored, with plain numbers.
func nfdumpFlows(t *testing.T, dir string) map[flowKey][2]uint64 {
	t.Helper()
	out, err := exec.Command("nfdump", "-R", dir, "-q", "-N", "-o", "fmt:%sa %da %sp %dp %pr %byt %pkt").Output()
	if err != nil {
		t.Fatalf("nfdump: %v", err)
	}
	flows := map[flowKey][2]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 7 {
			continue
		}
		sp, _ := strconv.Atoi(f[2])
		dp, _ := strconv.Atoi(f[3])
		proto, _ := strconv.Atoi(f[4])
		by, _ := strconv.ParseUint(f[5], 10, 64)
		pk, _ := strconv.ParseUint(f[6], 10, 64)
		k := flowKey{netip.AddrPortFrom(netip.MustParseAddr(f[0]), uint16(sp)), netip.AddrPortFrom(netip.MustParseAddr(f[1]), uint16(dp)), uint8(proto)}
		v := flows[k]
		flows[k] = [2]uint64{v[0] + by, v[1] + pk}
	}
	return flows
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
