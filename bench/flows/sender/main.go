// Command sender sends a synthetic NetFlow v5 stream (30 records per
// datagram) to collectors on the loopback interface at a fixed rate, for
// a bounded time and count, and prints what it sent.
//
//	sender -to 127.0.0.1:2055,127.0.0.1:2056 -rate 300000 -duration 5s
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/net/ipv4"
)

const recordsPerDatagram = 30

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
			d := datagram(seq, uint32(sent+i), uint32(*flows))
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

// datagram is a NetFlow v5 datagram of 30 records: distinct flows, or with
// flows > 0, records of flows cycling through that many 5-tuples.
func datagram(seq, n, flows uint32) []byte {
	b := make([]byte, 24+48*recordsPerDatagram)
	be := binary.BigEndian
	be.PutUint16(b[0:], 5)
	be.PutUint16(b[2:], recordsPerDatagram)
	be.PutUint32(b[4:], 3600_000)
	be.PutUint32(b[8:], uint32(time.Now().Unix()))
	be.PutUint32(b[16:], seq)
	for i := range recordsPerDatagram {
		r := b[24+48*i:]
		k := n*recordsPerDatagram + uint32(i)
		if flows > 0 {
			k %= flows
		}
		be.PutUint32(r[0:], 0xc0000200|k&0xff)      // 192.0.2.x
		be.PutUint32(r[4:], 0xc6336400|(k>>8)&0xff) // 198.51.100.x
		be.PutUint16(r[12:], 1)
		be.PutUint16(r[14:], 2)
		be.PutUint32(r[16:], 10)
		be.PutUint32(r[20:], 1500)
		be.PutUint32(r[24:], 3590_000)
		be.PutUint32(r[28:], 3599_000)
		be.PutUint16(r[32:], uint16(1024+k%60000))
		be.PutUint16(r[34:], 443)
		r[37], r[38] = 0x18, 6
	}
	return b
}
