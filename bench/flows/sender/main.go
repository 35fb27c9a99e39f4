// Command sender sends a synthetic NetFlow v5 stream (30 records per
// datagram) to collectors on the loopback interface at a fixed rate, for
// a bounded time and count, and prints what it sent.
//
//	sender -to 127.0.0.1:2055,127.0.0.1:2056 -rate 300000 -duration 5s
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/bench/flows/v5gen"
	"golang.org/x/net/ipv4"
)

const recordsPerDatagram = v5gen.RecordsPerDatagram

func main() {
	to := flag.String("to", "127.0.0.1:2055", "comma-separated loopback destinations; each gets every datagram")
	rate := flag.Int("rate", 100000, "records per second")
	duration := flag.Duration("duration", 5*time.Second, "how long to send (at most 60s)")
	flows := flag.Uint("flows", 0, "distinct flows the records cycle through, as a router re-exporting long flows does (0: every record a new flow)")
	flag.Parse()
	if *duration > time.Minute || *rate <= 0 || *rate > 20_000_000 {
		log.Fatal("sender: duration at most 60s, rate 1..20,000,000")
	}
	var dsts []net.Addr
	for _, s := range strings.Split(*to, ",") {
		ap, err := netip.ParseAddrPort(s)
		if err != nil || !ap.Addr().IsLoopback() {
			log.Fatalf("sender: %q: only loopback destinations are allowed", s)
		}
		dsts = append(dsts, net.UDPAddrFromAddrPort(ap))
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		log.Fatal(err)
	}
	conn.SetWriteBuffer(8 << 20)
	pc := ipv4.NewPacketConn(conn)

	datagramsPerSec := float64(*rate) / recordsPerDatagram
	total := int(datagramsPerSec * duration.Seconds())
	const batch = 32
	msgs := make([]ipv4.Message, 0, batch*len(dsts))
	start := time.Now()
	sent, seq := 0, uint32(0)
	for sent < total {
		n := min(batch, total-sent)
		msgs = msgs[:0]
		for i := range n {
			d := v5gen.Datagram(seq, uint32(sent+i), uint32(*flows), time.Now())
			seq += recordsPerDatagram
			for _, dst := range dsts {
				msgs = append(msgs, ipv4.Message{Buffers: [][]byte{d}, Addr: dst})
			}
		}
		for off := 0; off < len(msgs); {
			k, err := pc.WriteBatch(msgs[off:], 0)
			if err != nil {
				log.Fatalf("sender: %v", err)
			}
			off += k
		}
		sent += n
		// Pace: sleep until the time the next datagram is due.
		if due := start.Add(time.Duration(float64(sent) / datagramsPerSec * float64(time.Second))); time.Until(due) > 0 {
			time.Sleep(time.Until(due))
		}
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stdout, "sent datagrams=%d records=%d seconds=%.2f rate=%.0f\n",
		sent, sent*recordsPerDatagram, el.Seconds(), float64(sent*recordsPerDatagram)/el.Seconds())
}
