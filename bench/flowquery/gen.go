package main

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/vantage-monitor/vantage/internal/flowstore"
)

// genConfig describes the synthetic traffic: n sessions over one day,
// clients and servers drawn with Zipf's law (a few hosts carry most
// traffic, as on real networks), IPv4 only so NetFlow v5 can carry them.
type genConfig struct {
	n       int
	seed    uint64
	day     time.Time
	clients uint64 // distinct client hosts
	servers uint64 // distinct server hosts
}

// generate calls fn with batches of sessions in start order. The same
// config always yields the same sessions, so the DuckDB load and the
// NetFlow export see identical traffic without holding it all in memory.
func generate(c genConfig, batch int, fn func([]flowstore.Session) error) error {
	rng := rand.New(rand.NewPCG(c.seed, c.seed*31+7))
	zc := rand.NewZipf(rng, 1.2, 4, c.clients-1)
	zs := rand.NewZipf(rng, 1.3, 2, c.servers-1)
	exporter := netip.MustParseAddr("192.0.2.1")
	ports := []uint16{443, 443, 443, 80, 80, 53, 22, 25, 993, 3389, 8080, 5060}
	protos := []uint8{6, 6, 6, 6, 17, 6, 6, 6, 6, 6, 6, 17}
	step := float64(24*time.Hour) / float64(c.n)
	buf := make([]flowstore.Session, 0, batch)
	for i := range c.n {
		start := c.day.Add(time.Duration(float64(i)*step) / time.Millisecond * time.Millisecond)
		dur := time.Duration(min(rng.ExpFloat64()*20_000, 120_000)) * time.Millisecond
		k := rng.IntN(len(ports))
		cl := uint32(0x0a000000) + uint32(zc.Uint64()) // 10.0.0.0/8
		sv := uint32(0xac100000) + uint32(zs.Uint64()) // 172.16.0.0/12
		// Heavy-tailed volumes: most sessions small, a few very large.
		down := uint64(math.Min(math.Exp(rng.NormFloat64()*2+8), 3e9))
		up := down/8 + uint64(rng.IntN(2000)) + 40
		s := flowstore.Session{
			Start: start, End: start.Add(dur),
			Client: v4(cl), Server: v4(sv), ClientPort: uint16(1024 + rng.IntN(64000)), ServerPort: ports[k], Proto: protos[k],
			BytesCS: up, PacketsCS: up/600 + 1, BytesSC: down, PacketsSC: down/1400 + 1,
			Exporter: exporter, InIf: uint32(1 + rng.IntN(4)), OutIf: uint32(1 + rng.IntN(4)), Flows: 2, Sampling: 1,
		}
		buf = append(buf, s)
		if len(buf) == batch {
			if err := fn(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		return fn(buf)
	}
	return nil
}

func v4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}
