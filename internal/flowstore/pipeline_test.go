package flowstore

import (
	"context"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
)

// TestBuilderIntoDuck runs records through Builder.Run into the DuckDB
// store: a flow reported by two routers counts once in top hosts, and
// twice (once each) in top exporters.
func TestBuilderIntoDuck(t *testing.T) {
	d := openDuck(t, t.TempDir(), DefaultOptions())
	cfg := DefaultBuilderConfig()
	cfg.FlushInterval = time.Millisecond
	b, err := NewBuilder(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx, d); close(done) }()
	recs := []flow.Record{
		rec("192.0.2.1", "10.0.0.1", 40000, "10.0.0.2", 443, 6, 1000, 0, 10),
		rec("192.0.2.1", "10.0.0.2", 443, "10.0.0.1", 40000, 6, 9000, 0, 10),
		rec("192.0.2.2", "10.0.0.1", 40000, "10.0.0.2", 443, 6, 1000, 0, 10),
		rec("192.0.2.2", "10.0.0.2", 443, "10.0.0.1", 40000, 6, 9000, 0, 10),
	}
	b.Records(recs)
	cancel() // Run stores the open sessions on its way out
	<-done
	q := Query{From: t0, To: t0.Add(time.Hour)}
	rows, err := d.Top(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Bytes != 10000 || rows[0].Sessions != 1 {
		t.Errorf("top hosts %+v: want two hosts with 10000 bytes in one session", rows)
	}
	q.By = ByExporter
	rows, err = d.Top(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Bytes != 10000 || rows[1].Bytes != 10000 {
		t.Errorf("top exporters %+v: want each router with its 10000 bytes", rows)
	}
	if st := b.Stats(); st.Sessions != 2 || st.Duplicates != 1 || st.Records != 4 {
		t.Errorf("stats %+v", st)
	}
}
