package flows

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/bench/flows/v5gen"
	"github.com/vantage-monitor/vantage/internal/flow"
	"github.com/vantage-monitor/vantage/internal/flowstore"
)

// benchPipeline decodes the synthetic v5 stream and merges the records
// into sessions, as the collector's workers do, without sockets: the CPU
// one record costs between the socket and the store.
func benchPipeline(b *testing.B, flows uint32) {
	cfg := flow.DefaultConfig()
	cfg.Workers, cfg.Readers = 1, 1
	c, err := flow.New(cfg, flow.Deps{Sink: nopSink{}})
	if err != nil {
		b.Fatal(err)
	}
	bl, err := flowstore.NewBuilder(flowstore.DefaultBuilderConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	from := netip.MustParseAddrPort("192.0.2.1:2055")
	now := time.Now()
	const pool = 4096
	dgs := make([][]byte, pool)
	for i := range dgs {
		dgs[i] = v5gen.Datagram(uint32(i*v5gen.RecordsPerDatagram), uint32(i), flows, now)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	var recs []flow.Record
	for i := range b.N {
		recs, _, _ = c.DecodeAppend(recs[:0], from, now, dgs[i%pool])
		bl.Records(recs)
		n += len(recs)
		if i%pool == pool-1 {
			bl.Drain() // what the store would take
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
}

// BenchmarkPipelineCycling: records of 100,000 long flows, the bench's
// FLOWS=100000 stream.
func BenchmarkPipelineCycling(b *testing.B) { benchPipeline(b, 100_000) }

// BenchmarkPipelineUnique: every record a new flow, the worst case.
func BenchmarkPipelineUnique(b *testing.B) { benchPipeline(b, 0) }
