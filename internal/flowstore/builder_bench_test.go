package flowstore

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
)

// BenchmarkBuilderCycling merges records of 100,000 flows, as a busy
// router re-exporting long flows sends them.
func BenchmarkBuilderCycling(b *testing.B) {
	bl, _ := NewBuilder(DefaultBuilderConfig(), nil)
	now := time.Now()
	batch := make([]flow.Record, 1024)
	exp := netip.MustParseAddr("127.0.0.1")
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i += len(batch) {
		for j := range batch {
			k := uint32(n % 100000)
			n++
			batch[j] = flow.Record{Received: now, Exporter: exp, Version: "netflow5", Start: now, End: now,
				SrcAddr: netip.AddrFrom4([4]byte{192, 0, 2, byte(k)}), DstAddr: netip.AddrFrom4([4]byte{198, 51, 100, byte(k >> 8)}),
				SrcPort: uint16(1024 + k%60000), DstPort: 443, Proto: 6, TCPFlags: 0x18, Bytes: 1500, Packets: 10, SamplingRate: 1}
		}
		bl.Records(batch)
		if n%(1<<20) < 1024 {
			bl.Drain()
		}
	}
}

// BenchmarkDuckInsert stores batches of 100,000 sessions, as the builder
// hands them over each second under load.
func BenchmarkDuckInsert(b *testing.B) {
	d, err := OpenDuck(b.TempDir(), DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ss := randomSessions(newRand(1), 100_000, time.Now().Add(-time.Hour), time.Hour)
	b.ResetTimer()
	for range b.N {
		if err := d.Insert(b.Context(), ss); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(ss))/b.Elapsed().Seconds(), "sessions/s")
}
