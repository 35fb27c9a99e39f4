package main

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
	"strings"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/flowstore"
)

type nfResult struct {
	flows int
	size  int64
	times []time.Duration
	top   []string
}

// runNfdump starts nfcapd on 127.0.0.1, sends it the generated flows as
// NetFlow v5, stops it (which writes its last file) and times nfdump's
// top 10 IP addresses by bytes.
func runNfdump(ctx context.Context, gen genConfig, dir string, port int, rate float64, runs int) (nfResult, error) {
	var res nfResult
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	if port == 0 {
		p, err := freeUDPPort()
		if err != nil {
			return res, err
		}
		port = p
	}
	capd := exec.CommandContext(ctx, "nfcapd", "-b", "127.0.0.1", "-p", fmt.Sprint(port), "-w", dir, "-t", "3600", "-B", "8000000")
	var capLog bytes.Buffer
	capd.Stdout, capd.Stderr = &capLog, &capLog
	if err := capd.Start(); err != nil {
		return res, fmt.Errorf("start nfcapd (apt-get install nfdump): %w", err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			capd.Process.Signal(syscall.SIGTERM)
			capd.Wait()
		}
	}
	defer stop()
	time.Sleep(500 * time.Millisecond) // let it bind
	boot := gen.day.Add(-time.Hour)
	snd, err := newV5Sender(port, boot, rate)
	if err != nil {
		return res, err
	}
	began := time.Now()
	err = generate(gen, 30_000, func(ss []flowstore.Session) error { return snd.send(ctx, ss) })
	if err == nil {
		err = snd.flush(ctx)
	}
	snd.conn.Close()
	if err != nil {
		return res, err
	}
	fmt.Printf("sent %d NetFlow v5 records to nfcapd in %v\n", snd.sent, time.Since(began).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // let it drain its socket
	stop()
	files, _ := filepath.Glob(filepath.Join(dir, "nfcapd.*"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			res.size += st.Size()
		}
	}
	for i := range runs {
		cmd := exec.CommandContext(ctx, "nfdump", "-R", dir, "-s", "ip/bytes", "-n", "10", "-q")
		if i == 0 {
			cmd = exec.CommandContext(ctx, "nfdump", "-R", dir, "-s", "ip/bytes", "-n", "10")
		}
		began := time.Now()
		out, err := cmd.CombinedOutput()
		el := time.Since(began)
		if err != nil {
			return res, fmt.Errorf("nfdump: %w\n%s", err, out)
		}
		res.times = append(res.times, el)
		if i == 0 {
			res.top, res.flows = parseNfdump(out)
		}
	}
	return res, nil
}

// parseNfdump takes the addresses of a -s ip/bytes answer, in order, and
// the total flow count of its summary line.
func parseNfdump(out []byte) (top []string, flows int) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Summary:") {
			// Summary: total flows: 12600000, total bytes: …
			if i := strings.Index(line, "total flows: "); i >= 0 {
				fmt.Sscan(strings.TrimSuffix(strings.Fields(line[i+13:])[0], ","), &flows)
			}
			continue
		}
		for _, f := range strings.Fields(line) {
			if a, err := netip.ParseAddr(f); err == nil {
				top = append(top, a.String())
				break
			}
		}
	}
	return top, flows
}

func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
