package icmp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
)

var modes = []string{ModeRaw, ModeDgram}

func TestPingLoopback(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			e := openForTest(t, mode)
			if e.Mode() != mode {
				t.Fatalf("Mode() = %q, want %q", e.Mode(), mode)
			}
			for _, tc := range []struct {
				addr    string
				count   int
				size    int
				pattern []byte
			}{
				{"127.0.0.1", 3, 0, nil},
				{"127.1.2.3", 1, MinSize, nil},
				{"::ffff:127.0.0.1", 2, 100, []byte{0xde, 0xad}},
				{"::1", 3, MaxSize, []byte{0x24}},
			} {
				t.Run(tc.addr, func(t *testing.T) {
					addr := netip.MustParseAddr(tc.addr)
					st, err := e.Ping(context.Background(), Request{Addr: addr, Count: tc.count, Size: tc.size, Pattern: tc.pattern, Timeout: 2 * time.Second})
					if errors.Is(err, ErrFamilyUnavailable) {
						t.Skipf("no IPv6 on this host: %v", err)
					}
					if err != nil {
						t.Fatalf("Ping: %v", err)
					}
					if st.Addr != addr.Unmap() || st.Sent != tc.count || st.Received != tc.count || len(st.RTTs) != tc.count {
						t.Fatalf("stats = %+v, want %d sent and received for %s", st, tc.count, addr.Unmap())
					}
					if st.LossPct() != 0 || st.TTL <= 0 || st.Min <= 0 || st.Min > st.Avg || st.Avg > st.Max || st.Max > time.Second {
						t.Fatalf("implausible stats %+v", st)
					}
				})
			}
			if c := e.Counters(); c.Sent < 6 || c.Received < 6 || c.Invalid != 0 || c.Timeouts != 0 {
				t.Errorf("counters = %+v", c)
			}
		})
	}
}

func TestPingConcurrent(t *testing.T) {
	e := openForTest(t, ModeAuto)
	const n = 2000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		addr := netip.AddrFrom4([4]byte{127, 1, byte(i >> 8), byte(i)})
		wg.Go(func() {
			st, err := e.Ping(context.Background(), Request{Addr: addr, Timeout: 5 * time.Second})
			if err == nil && (st.Received != 1 || st.Addr != addr) {
				err = fmt.Errorf("%s: %+v", addr, st)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c := e.Counters(); c.Sent != n || c.Received != n || c.Stray != 0 {
		t.Errorf("counters = %+v, want %d sent and received, no strays", c, n)
	}
}

// TestPingInterval checks both pacing rules: back to back without an
// interval, fping's period with one.
func TestPingInterval(t *testing.T) {
	e := openForTest(t, ModeAuto)
	for _, tc := range []struct {
		interval, timeout time.Duration
		count             int
		atLeast, upTo     time.Duration
	}{
		{0, 0, 5, 0, 2 * time.Second},
		{50 * time.Millisecond, 0, 4, 150 * time.Millisecond, 2 * time.Second},
		// More echoes than buffer slots (timeout/interval + 2): slots
		// are reused.
		{10 * time.Millisecond, 20 * time.Millisecond, 8, 70 * time.Millisecond, 2 * time.Second},
	} {
		t.Run(tc.interval.String(), func(t *testing.T) {
			start := time.Now()
			st, err := e.Ping(context.Background(), Request{Addr: netip.MustParseAddr("127.0.0.1"), Count: tc.count, Interval: tc.interval, Timeout: tc.timeout})
			took := time.Since(start)
			if err != nil || st.Received != tc.count {
				t.Fatalf("Ping = %+v, %v", st, err)
			}
			if took < tc.atLeast || took > tc.upTo {
				t.Errorf("took %s, want %s to %s", took, tc.atLeast, tc.upTo)
			}
		})
	}
}

func TestRequestErrors(t *testing.T) {
	e := openForTest(t, ModeAuto)
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"no address", Request{}},
		{"size too small", Request{Addr: lo, Size: MinSize - 1}},
		{"size too large", Request{Addr: lo, Size: MaxSize + 1}},
		{"negative count", Request{Addr: lo, Count: -1}},
		{"negative timeout", Request{Addr: lo, Timeout: -time.Second}},
		{"negative interval", Request{Addr: lo, Interval: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, err := e.Ping(context.Background(), tc.req); err == nil || st.Sent != 0 {
				t.Fatalf("Ping(%+v) = %+v, %v; want an error and nothing sent", tc.req, st, err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Ping(ctx, Request{Addr: lo}); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestStrayReplies runs two raw engines side by side: each socket sees the
// other's replies (same process, same ident) and must ignore them.
func TestStrayReplies(t *testing.T) {
	a := openForTest(t, ModeRaw)
	b := openForTest(t, ModeRaw)
	for range 5 {
		if st, err := a.Ping(context.Background(), Request{Addr: netip.MustParseAddr("127.0.0.1")}); err != nil || st.Received != 1 {
			t.Fatalf("Ping = %+v, %v", st, err)
		}
	}
	// b's receive loop runs concurrently: give it a moment.
	deadline := time.Now().Add(2 * time.Second)
	for b.Counters().Stray < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c := b.Counters(); c.Stray != 5 || c.Received != 0 {
		t.Errorf("other engine's counters = %+v, want 5 strays", c)
	}
	if c := a.Counters(); c.Stray != 0 || c.Received != 5 {
		t.Errorf("pinging engine's counters = %+v, want 5 received", c)
	}
}

func TestCloseIdempotent(t *testing.T) {
	e := openForTest(t, ModeAuto)
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := e.Ping(context.Background(), Request{Addr: netip.MustParseAddr("127.0.0.1")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ping after Close: %v, want ErrClosed", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		ok  bool
	}{
		{DefaultConfig(), true},
		{Config{}, true},
		{Config{Mode: ModeRaw, ReadBuffer: 1 << 20}, true},
		{Config{Mode: "icmp"}, false},
		{Config{ReadBuffer: -1}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tc.cfg, err, tc.ok)
		}
	}
	if _, err := Open(Config{Mode: "bogus"}, nil); err == nil {
		t.Error("Open with a bad mode succeeded")
	}
}

// TestCounters makes the counters not moved by the other tests move: send
// errors, invalid packets and kernel drops.
func TestCounters(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) { testCounters(t, mode) })
	}
}

func testCounters(t *testing.T, mode string) {
	// The broadcast address of a namespace's /30: the engine's sockets
	// refuse broadcasts, and were that broken, the echo would still stay
	// on the veth link.
	ns := netnstest.New(t, t.Name())
	bcast := ns.Addr().Next()
	e := openForTest(t, mode)
	st, err := e.Ping(context.Background(), Request{Addr: bcast, Count: 2, Timeout: time.Second})
	if err != nil || st.Sent != 2 || st.Received != 0 || !errors.Is(st.SendErr, syscall.EACCES) {
		t.Fatalf("Ping(%s) = %+v, %v; want 2 sent, lost, refused with EACCES", bcast, st, err)
	}
	if want := "send to " + bcast.String() + ": permission denied (broadcast addresses are not pinged)"; st.SendErr.Error() != want {
		t.Errorf("send error %q, want %q", st.SendErr, want)
	}
	if c := e.Counters(); c.SendErrors != 2 || c.Timeouts != 0 || c.Sent != 2 {
		t.Errorf("counters = %+v, want 2 sent, both refused", c)
	}
	src := netip.MustParseAddr("127.0.0.1")
	e.handle(e.v4, packet{src: src, data: []byte{0x45, 0, 1}}, e.now())
	reply := echoReply(false, mode == ModeRaw, e.ident, 1, 1, 20) // with testNonce, not e.nonce
	e.handle(e.v4, packet{src: src, data: reply, truncated: true}, e.now())
	e.handle(e.v4, packet{src: src, data: reply}, e.now())
	e.handle(e.v4, packet{src: src, drops: 7, hasDrops: true}, e.now())
	e.handle(e.v4, packet{src: src, drops: 3, hasDrops: true}, e.now()) // counts never go back
	if c := e.Counters(); c.Invalid != 4 || c.Stray != 1 || c.Dropped != 7 {
		t.Errorf("counters = %+v, want 4 invalid, 1 stray, 7 dropped", c)
	}
}
