package probe

// Tests of the generic TCP probe and the helpers the other TCP-family tests
// share: scripted peers on loopback, IPv4 and IPv6.

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// loopbacks are the addresses tests listen on; ::1 is skipped where the
// machine has no IPv6 loopback.
func loopbacks(t *testing.T) []string {
	t.Helper()
	out := []string{"127.0.0.1"}
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		l.Close()
		out = append(out, "::1")
	} else {
		t.Logf("no IPv6 loopback, IPv6 cases skipped: %v", err)
	}
	return out
}

// peer is a scripted TCP server on loopback.
type peer struct {
	host string
	port int
	mu   sync.Mutex
	got  []string // what clients sent, one entry per connection
}

func (p *peer) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}

// servePeer listens on host:0 and runs handle for each connection; the
// listener and connections are closed when the test ends.
func servePeer(t *testing.T, host string, handle func(c net.Conn, p *peer)) *peer {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	p := &peer{host: host, port: l.Addr().(*net.TCPAddr).Port}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				stop := context.AfterFunc(doneCtx(done), func() { c.Close() })
				defer stop()
				handle(c, p)
			}()
		}
	}()
	t.Cleanup(func() {
		close(done)
		l.Close()
		wg.Wait()
	})
	return p
}

// doneCtx is a context cancelled when done closes.
func doneCtx(done <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-done; cancel() }()
	return ctx
}

// record stores everything the client sends until it closes or goes quiet.
func record(c net.Conn, p *peer) {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var sb strings.Builder
	buf := make([]byte, 1024)
	for {
		n, err := c.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	p.mu.Lock()
	p.got = append(p.got, sb.String())
	p.mu.Unlock()
}

// stall keeps the connection open and silent until the client goes.
func stall(c net.Conn, _ *peer) {
	_, _ = bufio.NewReader(c).ReadString(0)
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// want is what a test expects of a result; an empty reason pattern means
// the reason must be empty.
type want struct {
	level      status.Level
	noResponse bool
	reason     string // regular expression, anchored
	values     map[string]any
}

func checkResult(t *testing.T, got status.Result, w want) {
	t.Helper()
	if got.Level != w.level || got.NoResponse != w.noResponse {
		t.Errorf("level %v noResponse %v, want %v %v (reason %q)", got.Level, got.NoResponse, w.level, w.noResponse, got.Reason)
	}
	if !regexp.MustCompile("^(?:" + w.reason + ")$").MatchString(got.Reason) {
		t.Errorf("reason %q does not match %q", got.Reason, w.reason)
	}
	for k, v := range w.values {
		if got.Values[k] != v {
			t.Errorf("value %s = %#v, want %#v", k, got.Values[k], v)
		}
	}
	if got.Time.IsZero() {
		t.Error("result has no time")
	}
	if got.Level == status.OK && got.RTT <= 0 {
		t.Error("OK result without RTT")
	}
}

func poll(t *testing.T, p Probe, addr string, params map[string]string) status.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Poll(ctx, Target{Address: addr, Params: params, Timeout: 5 * time.Second})
}

func TestCustomTCP(t *testing.T) {
	for _, host := range loopbacks(t) {
		pong := servePeer(t, host, func(c net.Conn, p *peer) {
			line, _ := bufio.NewReader(c).ReadString('\n')
			if line == "PING\r\n" {
				c.Write([]byte("PONG ready\r\n"))
			} else {
				c.Write([]byte("NOPE\r\n"))
			}
		})
		slow := servePeer(t, host, func(c net.Conn, p *peer) {
			time.Sleep(40 * time.Millisecond)
			c.Write([]byte("hello\r\n"))
		})
		closer := servePeer(t, host, func(net.Conn, *peer) {})
		silent := servePeer(t, host, stall)
		refused := closedPort(t, host)
		port := func(p int) string { return strconv.Itoa(p) }

		tests := []struct {
			name   string
			params map[string]string
			want   want
		}{
			{"connect only", map[string]string{"port": port(pong.port)}, want{level: status.OK}},
			{"send and expect", map[string]string{"port": port(pong.port), "send": "PING", "expect": "PONG"},
				want{level: status.OK, values: map[string]any{"response": "PONG ready"}}},
			{"InterMapper names", map[string]string{"port": port(pong.port), "String to send": "PING", "OK Response": "PONG", "Seconds to wait": "5"},
				want{level: status.OK}},
			{"expect missing", map[string]string{"port": port(pong.port), "send": "PANG", "expect": "PONG"},
				want{level: status.Alarm, reason: `"PONG" not found in response "NOPE"`}},
			{"closed without response", map[string]string{"port": port(closer.port), "expect": "x"},
				want{level: status.Alarm, reason: `connection closed on port \d+ without a response`}},
			{"silent", map[string]string{"port": port(silent.port), "expect": "x", "timeout": "300ms"},
				want{level: status.Down, noResponse: true, reason: `no answer on port \d+ within 300ms \(connected, no response\)`}},
			{"refused", map[string]string{"port": port(refused)},
				want{level: status.Down, noResponse: true, reason: `connection refused on port ` + port(refused)}},
			{"rtt warning", map[string]string{"port": port(slow.port), "expect": "hello", "rtt_warning": "10"},
				want{level: status.Warning, reason: `RTT [\d.]+ ms > 10 ms warning threshold`}},
			{"rtt critical beats warning", map[string]string{"port": port(slow.port), "expect": "hello", "rtt_warning": "5", "rtt_critical": "10ms"},
				want{level: status.Critical, reason: `RTT [\d.]+ ms > 10 ms critical threshold`}},
			{"no port", map[string]string{}, want{level: status.Unknown, reason: `invalid probe parameters: parameter port: a port is required`}},
			{"bad timeout", map[string]string{"port": "1", "timeout": "soon"}, want{level: status.Unknown, reason: `invalid probe parameters: parameter timeout: .*`}},
		}
		for _, tc := range tests {
			t.Run(host+"/"+tc.name, func(t *testing.T) {
				checkResult(t, poll(t, customProbe{}, host, tc.params), tc.want)
			})
		}
	}
}

func TestCustomTCPAddresses(t *testing.T) {
	for _, host := range loopbacks(t) {
		p := servePeer(t, host, func(net.Conn, *peer) {})
		addrs := []string{host}
		if strings.Contains(host, ":") {
			addrs = append(addrs, "["+host+"]")
		} else {
			addrs = append(addrs, "localhost")
		}
		for _, a := range addrs {
			t.Run(a, func(t *testing.T) {
				r := poll(t, customProbe{}, a, map[string]string{"port": strconv.Itoa(p.port)})
				if a == "localhost" && r.Level == status.Down {
					t.Skipf("localhost does not resolve to %s here: %s", host, r.Reason)
				}
				checkResult(t, r, want{level: status.OK})
			})
		}
	}
	t.Run("no address", func(t *testing.T) {
		checkResult(t, poll(t, customProbe{}, " ", map[string]string{"port": "80"}), want{level: status.Unknown, reason: "device has no address"})
	})
}

// TestDeadlines checks that the target's timeout, the caller's deadline and
// the caller's cancellation all end a poll on time, with the right words.
func TestDeadlines(t *testing.T) {
	silent := servePeer(t, "127.0.0.1", stall)
	params := map[string]string{"port": strconv.Itoa(silent.port), "expect": "x", "timeout": "10s"}

	t.Run("target timeout", func(t *testing.T) {
		start := time.Now()
		r := customProbe{}.Poll(context.Background(), Target{Address: "127.0.0.1", Params: params, Timeout: 200 * time.Millisecond})
		checkResult(t, r, want{level: status.Down, noResponse: true, reason: `no answer on port \d+ within 200ms \(connected, no response\)`})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("poll took %v", d)
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		r := customProbe{}.Poll(ctx, Target{Address: "127.0.0.1", Params: params})
		checkResult(t, r, want{level: status.Down, noResponse: true, reason: `no answer on port \d+ within [23]\d\dms \(connected, no response\)`})
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		r := customProbe{}.Poll(ctx, Target{Address: "127.0.0.1", Params: params})
		checkResult(t, r, want{level: status.Unknown, reason: "poll cancelled"})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("cancelled poll took %v", d)
		}
	})
}

func TestTCPInfos(t *testing.T) {
	reg := NewRegistry()
	ids := map[string]bool{}
	for _, info := range TCPInfos() {
		if err := reg.Register(info); err != nil {
			t.Fatal(err)
		}
		ids[info.ID] = true
		if info.Shareable || info.New == nil || info.Name == "" {
			t.Errorf("%s: shareable %v, New %v, name %q", info.ID, info.Shareable, info.New != nil, info.Name)
		}
		// Defaults must parse: a device that only names the probe works.
		params := map[string]string{}
		if info.ID == "com.dartware.tcp.custom" {
			params["port"] = "7"
		}
		chk, ok := info.New().(interface{ CheckParams(map[string]string) error })
		if !ok {
			t.Errorf("%s has no CheckParams", info.ID)
		} else if err := chk.CheckParams(info.WithDefaults(params)); err != nil {
			t.Errorf("%s: defaults do not parse: %v", info.ID, err)
		}
	}
	for _, id := range []string{"tcp", "http", "https", "smtp", "pop3", "imap", "ftp", "ssh"} {
		if _, ok := reg.Lookup(id); !ok {
			t.Errorf("alias %q not registered", id)
		}
	}
	for _, id := range []string{"com.dartware.tcp.custom", "com.dartware.tcp.http", "com.dartware.tcp.https",
		"com.dartware.tcp.smtp", "com.dartware.tcp.pop3", "com.dartware.tcp.imap4", "com.dartware.tcp.ftp", "com.dartware.tcp.ssh"} {
		if !ids[id] {
			t.Errorf("probe %s missing", id)
		}
	}
}

// TestConnectFailure covers the connect errors loopback cannot produce
// (a silent host, an unknown name, no route) with the errors Go returns.
func TestConnectFailure(t *testing.T) {
	op := func(err error) error {
		return fmt.Errorf("connect to h port 25: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)})
	}
	cancelledCtx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		err    error
		level  status.Level
		reason string
	}{
		{"refused", context.Background(), op(syscall.ECONNREFUSED), status.Down, "connection refused on port 25"},
		{"silent host", context.Background(), fmt.Errorf("connect: %w", context.DeadlineExceeded), status.Down, "no answer on port 25 within 3s"},
		{"socket timeout", context.Background(), op(os.ErrDeadlineExceeded), status.Down, "no answer on port 25 within 3s"},
		{"unknown name", context.Background(), &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}, status.Down, `cannot resolve "nowhere.invalid": no such host`},
		{"no route", context.Background(), op(syscall.EHOSTUNREACH), status.Down, "cannot connect to port 25: no route to host"},
		{"shutdown", cancelledCtx, op(context.Canceled), status.Unknown, "poll cancelled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := connectFailure(tc.ctx, tc.err, 25, 3*time.Second)
			if r.Level != tc.level || r.Reason != tc.reason || r.NoResponse != (tc.level == status.Down) {
				t.Errorf("got %v %q noResponse %v; want %v %q", r.Level, r.Reason, r.NoResponse, tc.level, tc.reason)
			}
		})
	}
}

// waitListening waits until something accepts connections on host:port.
func waitListening(t *testing.T, host string, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s port %d: %v", host, port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startCommand runs a server for the rest of the test.
func startCommand(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
}

func withParams(p map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range p {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
