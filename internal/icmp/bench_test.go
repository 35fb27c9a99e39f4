package icmp

import (
	"context"
	"net/netip"
	"sync"
	"testing"
)

// BenchmarkSweep1000 pings 1,000 loopback addresses at once, once each, the
// way the poller sweeps a large map; one iteration is one sweep.
func BenchmarkSweep1000(b *testing.B) {
	e := openForTest(b, ModeAuto)
	hosts := make([]netip.Addr, 1000)
	a := netip.MustParseAddr("127.1.0.0")
	for i := range hosts {
		a = a.Next()
		hosts[i] = a
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, h := range hosts {
			wg.Go(func() {
				st, err := e.Ping(ctx, Request{Addr: h})
				if err != nil || st.Received != 1 {
					b.Errorf("ping %s: %+v, %v", h, st, err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(hosts)), "ns/ping")
}
