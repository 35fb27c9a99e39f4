package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
)

// BenchmarkSamplesWrite measures ingest into the embedded store with the
// roll-ups kept current, in batches as the recorder writes them:
//   - spread: 1000 datasets, five polls of each per batch of 5000 (a busy
//     server whose writer fell behind, where batching pays most);
//   - spread10k: 10,000 datasets, each batch half a poll round, so no
//     dataset has two samples in one batch (the worst case for locality);
//   - backfill: one dataset, 1000 consecutive samples per batch (a spool
//     replay or an import).
//
// go test -run '^$' -bench BenchmarkSamplesWrite -benchtime 200000x ./internal/store/
func BenchmarkSamplesWrite(b *testing.B) {
	for _, mode := range []struct {
		name   string
		series int
	}{{"spread", 1000}, {"spread10k", 10000}, {"backfill", 1}} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			s := openSamples(b)
			const batchSize = 5000
			series := make([]chart.Series, mode.series)
			for i := range series {
				series[i] = chart.Series{Server: "bench", Map: "Campus", Device: fmt.Sprintf("dev%04d", i/10), Dataset: fmt.Sprintf("if.%d.in_bps", i%10)}
			}
			batch := make([]chart.Sample, batchSize)
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for done := 0; done < b.N; done += batchSize {
				for j := range batch {
					k := done + j
					batch[j] = chart.Sample{Series: series[k%len(series)], Time: start.Add(time.Duration(k/len(series)) * 30 * time.Second),
						Value: float64(k % 977), Label: "in", Units: "bit/s", Interface: "eth0"}
				}
				n := min(batchSize, b.N-done)
				if err := s.Write(ctx, batch[:n]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
