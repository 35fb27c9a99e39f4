package trap

import (
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/mib"
)

// benchTrap is a typical v2c trap: linkDown with three varbinds.
func benchTrap(b *testing.B) []byte {
	return v2cPacket(b, false, 123456, "1.3.6.1.6.3.1.1.5.3",
		gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.2.2.1.1.3", Type: gosnmp.Integer, Value: 3},
		gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.2.2.1.7.3", Type: gosnmp.Integer, Value: 1},
		gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.2.2.1.8.3", Type: gosnmp.Integer, Value: 2})
}

func BenchmarkDecodeV2c(b *testing.B) {
	d := testDecoder(b)
	pkt := benchTrap(b)
	buf := make([]byte, len(pkt))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, pkt)
		if _, _, err := d.decode(buf, sender, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandle is a worker's whole job for one trap: decode, dispatch
// to one device, name OIDs with the built-in MIBs, write the event log.
func BenchmarkHandle(b *testing.B) {
	names, err := mib.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	log, err := eventlog.Open(b.TempDir(), eventlog.Config{MaxSize: 1 << 30, Keep: 1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	cfg := DefaultConfig()
	cfg.Verbose = true
	s, err := New(cfg, Deps{Directory: fakeDir{sender.Addr(): {{"Campus", "sw1"}}}, Deliver: func(DeviceRef, Trap) {},
		Events: log, Names: names, Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	d := newDecoder(s.usm, cfg.MaxDatagram)
	pkt := benchTrap(b)
	b.ReportAllocs()
	for b.Loop() {
		s.handle(d, packet{b: append([]byte(nil), pkt...), from: sender, at: time.Now()})
	}
}
