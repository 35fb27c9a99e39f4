// Package flows benchmarks the flow collector: decode throughput per core
// here, ingest beside nfcapd in run.sh.
package flows

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/flow"
)

const captures = "../../../shared/testdata/flows"

type nopSink struct{}

func (nopSink) Records([]flow.Record) {}

func payload(b *testing.B, name string) []byte {
	p, err := os.ReadFile(filepath.Join(captures, name))
	if err != nil {
		b.Skipf("capture %s: %v", name, err)
	}
	return p
}

// benchDecode decodes data over and over (after the setup datagrams, which
// carry templates) and reports records per second on one core.
func benchDecode(b *testing.B, setup []string, data string) {
	cfg := flow.DefaultConfig()
	cfg.Workers, cfg.Readers = 1, 1
	c, err := flow.New(cfg, flow.Deps{Sink: nopSink{}})
	if err != nil {
		b.Fatal(err)
	}
	from := netip.MustParseAddrPort("192.0.2.1:2055")
	at := time.Unix(1700000000, 0)
	for _, s := range setup {
		c.Decode(from, at, payload(b, s))
	}
	p := payload(b, data)
	recs, _, err := c.Decode(from, at, p)
	if err != nil || len(recs) == 0 {
		b.Fatalf("%s: %d records, %v", data, len(recs), err)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for range b.N {
		r, _, _ := c.Decode(from, at, p)
		n += len(r)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

const (
	lgs = "logstash-plugins__logstash-codec-netflow__spec__codecs__"
	tlg = "influxdata__telegraf__plugins__inputs__netflow__testcases__"
)

func BenchmarkDecodeNetFlowV5(b *testing.B) { benchDecode(b, nil, lgs+"netflow5_test_microtik.dat") }

func BenchmarkDecodeNetFlowV9(b *testing.B) {
	// The Telegraf datagram carries its template: it is refreshed each time.
	benchDecode(b, nil, tlg+"netflow_v9_example__netflow_v9.bin")
}

func BenchmarkDecodeIPFIX(b *testing.B) {
	benchDecode(b, []string{lgs + "ipfix_test_mikrotik_tpl.dat"}, lgs+"ipfix_test_mikrotik_data258.dat")
}

func BenchmarkDecodeSFlowV5(b *testing.B) { benchDecode(b, nil, tlg+"sflow_issue_15918__message.bin") }
