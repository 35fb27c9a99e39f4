package trap

import (
	"context"
	"errors"
	"github.com/vantage-monitor/vantage/internal/udpsock"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func send(t *testing.T, to netip.AddrPort, b []byte) {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestBadDatagramsCounted sends malformed, truncated, oversized and
// non-trap datagrams: each is counted under its reason (in Stats and in
// Prometheus), and a good trap after them is still received.
func TestBadDatagramsCounted(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.MaxDatagram = 1000
	reg := prometheus.NewRegistry()
	k := newSink()
	s, err := New(cfg, Deps{Events: k, Observe: k.observe, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	addr := s.Addrs()[0]
	good := v2cPacket(t, false, 1, "1.3.6.1.4.1.9.0.1")
	get, _ := (&gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.GetRequest}).MarshalMsg()
	bad := map[string][]byte{
		"malformed": []byte("\x30\x03\x04\x01\x09"),
		"truncated": good[:len(good)-4],
		"oversized": make([]byte, 1001),
		"not_trap":  get,
		"version":   []byte{0x30, 0x03, 0x02, 0x01, 0x07},
	}
	for _, b := range bad {
		send(t, addr, b)
	}
	send(t, addr, []byte{}) // an empty datagram
	waitStats(t, s, "rejections", func(st Stats) bool {
		return st.Errors["malformed"] == 1 && st.Errors["truncated"] == 2 && st.Errors["oversized"] == 1 &&
			st.Errors["not_trap"] == 1 && st.Errors["version"] == 1
	})
	send(t, addr, good)
	k.waitRecords(t, 1)
	for reason, want := range map[string]float64{"malformed": 1, "truncated": 2, "oversized": 1, "not_trap": 1, "version": 1, "auth": 0} {
		if got := testutil.ToFloat64(s.m.promErrors.WithLabelValues(reason)); got != want {
			t.Errorf("vantage_trap_rejected_total{reason=%q} = %v, want %v", reason, got, want)
		}
	}
	for name, want := range map[string]float64{"datagrams": 7, "unmatched": 1} {
		c := map[string]prometheus.Counter{"datagrams": s.m.promDatagrams, "unmatched": s.m.promUnmatched}[name]
		if got := testutil.ToFloat64(c); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := testutil.ToFloat64(s.m.promTraps.WithLabelValues("2c")); got != 1 {
		t.Errorf("received_total{version=2c} = %v", got)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n == 0 {
		t.Errorf("gather: %d %v", n, err)
	}
	s.Stop()
	s.Stop() // idempotent
	if n, _ := testutil.GatherAndCount(reg); n != 0 {
		t.Errorf("%d metrics left registered after Stop", n)
	}
}

// TestQueueFullDrops: with a one-slot queue and a stuck worker, further
// datagrams are dropped and counted; the reader never blocks.
func TestQueueFullDrops(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.QueueSize, cfg.Workers = 1, 1
	release := make(chan struct{})
	s, err := New(cfg, Deps{Directory: fakeDir{loopback: {{"m", "d"}}}, Deliver: func(DeviceRef, Trap) { <-release }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	defer close(release)
	pkt := v2cPacket(t, false, 1, "1.3.6.1.4.1.9.0.1")
	for range 20 {
		send(t, s.Addrs()[0], pkt)
	}
	st := waitStats(t, s, "20 datagrams", func(st Stats) bool { return st.Datagrams == 20 })
	if st.Dropped < 15 {
		t.Errorf("dropped %d of 20 with a one-slot queue", st.Dropped)
	}
}

// TestRecentThroughService: Recent filters by device and unmatched, and
// records carry no community.
func TestRecentThroughService(t *testing.T) {
	dir := fakeDir{loopback: {{"Campus", "a"}, {"Lab", "b"}}}
	s, k, addr := startService(t, DefaultConfig(), dir)
	for i := range 3 {
		send(t, addr, v2cPacket(t, false, uint32(i), "1.3.6.1.4.1.9.0.1"))
	}
	k.waitRecords(t, 3)
	if got := s.Recent(Query{Map: "Lab", Device: "b"}); len(got) != 3 || got[0].Uptime != 0 || got[2].ID != 3 {
		t.Errorf("device filter: %+v", got)
	}
	if got := s.Recent(Query{Unmatched: true}); len(got) != 0 {
		t.Errorf("unmatched: %+v", got)
	}
	if got := s.Recent(Query{Limit: 1}); len(got) != 1 || got[0].ID != 3 {
		t.Errorf("latest: %+v", got)
	}
	if got := s.Recent(Query{AfterID: 1}); len(got) != 2 || got[0].ID != 2 {
		t.Errorf("after: %+v", got)
	}
}

func TestBindError(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0", c.LocalAddr().String()}
	s, err := New(cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Start(context.Background())
	var be *BindError
	if !errors.As(err, &be) || be.Addr != c.LocalAddr().String() || be.Privileged() {
		t.Fatalf("err %v", err)
	}
	if len(s.Addrs()) != 0 {
		t.Error("an address stayed bound")
	}
	// What an unprivileged user sees on :162.
	priv := &BindError{Addr: ":162", Err: &net.OpError{Op: "listen", Net: "udp", Err: os.NewSyscallError("bind", syscall.EACCES)}}
	if got, want := priv.Error(), "traps on :162 need root or CAP_NET_BIND_SERVICE; use --traps :1162"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if os.Geteuid() != 0 {
		s, _ := New(DefaultConfig(), Deps{})
		if err := s.Start(context.Background()); err == nil {
			s.Stop()
		} else if !strings.Contains(err.Error(), "CAP_NET_BIND_SERVICE") {
			t.Errorf("unprivileged :162: %v", err)
		}
	}
}

// TestStopByContext: cancelling Start's context stops the receiver.
func TestStopByContext(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0", "[::1]:0"}
	s, err := New(cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	addrs := s.Addrs()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addrs[0]))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("socket still bound after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Stop()
}

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.Listen = nil }, "traps.listen: at least one"},
		{func(c *Config) { c.Listen = []string{"162"} }, "traps.listen[0]"},
		{func(c *Config) { c.Listen = []string{"host.example:162"} }, "must be an IP address"},
		{func(c *Config) { c.Listen = []string{":162", ":162"} }, "listed twice"},
		{func(c *Config) { c.Listen = []string{":99999"} }, "port"},
		{func(c *Config) { c.QueueSize = 0 }, "traps.queue_size"},
		{func(c *Config) { c.MaxDatagram = 100 }, "traps.max_datagram"},
		{func(c *Config) { c.EngineID = "80zz" }, "traps.engine_id"},
		{func(c *Config) { c.EngineID = "0x8000" }, "5 to 32 octets"},
		{func(c *Config) { c.Users = []V3User{{User: "u", Auth: "SHA", AuthKey: "short"}} }, "traps.users[0]: auth_key"},
		{func(c *Config) { c.Users = []V3User{{User: "u", Auth: "SHA1X", AuthKey: "long enough"}} }, "traps.users[0]: auth"},
		{func(c *Config) { c.Users = []V3User{{User: "u", Priv: "AES", PrivKey: "long enough"}} }, "privacy needs authentication"},
		{func(c *Config) {
			c.Users = []V3User{{User: "u", Auth: "SHA", AuthKey: "12345678"}, {User: "u", Auth: "SHA", AuthKey: "12345678"}}
		}, "listed twice"},
		{func(c *Config) {
			c.Users = []V3User{{User: "u", Auth: "SHA", AuthKey: "12345678", EngineIDs: []string{"xyz"}}}
		}, "engine_ids[0]"},
	} {
		cfg := DefaultConfig()
		c.change(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", cfg, err, c.want)
		}
	}
	u := V3User{User: "u", Auth: "SHA", AuthKey: "topsecret1", Priv: "AES", PrivKey: "topsecret2"}
	if strings.Contains(u.String(), "topsecret") {
		t.Error("V3User.String shows a key")
	}
}

// TestKernelDrops: datagrams overflowing an unread socket's buffer are
// seen in /proc/net/udp.
func TestKernelDrops(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadBuffer(4096)
	if _, ok := udpsock.KernelDrops(c); !ok {
		t.Skip("no /proc/net/udp drops here")
	}
	to := c.LocalAddr().(*net.UDPAddr).AddrPort()
	for range 200 {
		send(t, to, make([]byte, 1000))
	}
	if n, _ := udpsock.KernelDrops(c); n == 0 {
		t.Error("no kernel drops counted after overflowing a 4 KiB buffer")
	}
}
