package main

import (
	"flag"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gosnmp/gosnmp"
	"golang.org/x/net/ipv4"

	"github.com/vantage-monitor/vantage/bench/procstat"
)

// runSend sends a bounded burst of SNMPv2c traps at a fixed rate.
func runSend(args []string) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	to := fs.String("to", "127.0.0.1:1162", "receiver address")
	rate := fs.Int("rate", 20000, "traps per second")
	n := fs.Int("n", 40000, "traps to send (at most 10,000,000)")
	pid := fs.String("pid", "", "receiver process to measure")
	settle := fs.Duration("settle", time.Second, "wait after the burst before measuring the receiver")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate < 1 || *n < 1 || *n > 10_000_000 {
		return fmt.Errorf("-rate and -n must be positive, -n at most 10,000,000")
	}
	raddr, err := net.ResolveUDPAddr("udp4", *to)
	if err != nil {
		return err
	}
	pkts, err := marshalTraps(1000)
	if err != nil {
		return err
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetWriteBuffer(4 << 20)
	pc := ipv4.NewPacketConn(c)

	var cpu0 time.Duration
	if *pid != "" {
		if cpu0, err = procstat.CPU(*pid); err != nil {
			return err
		}
	}
	self0, _ := procstat.CPU("self")
	const tick = time.Millisecond
	batch := make([]ipv4.Message, 0, 1024)
	sent, failed := 0, 0
	start := time.Now()
	deadline := start.Add(time.Duration(float64(*n)/float64(*rate)*float64(time.Second)) + 10*time.Second)
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for sent < *n {
		now := time.Now()
		if now.After(deadline) {
			return fmt.Errorf("could not send %d traps in time (sent %d)", *n, sent)
		}
		// Send what is due by now, so the average rate holds even when
		// ticks come late.
		due := min(*n, int(now.Sub(start).Seconds()*float64(*rate))+1)
		for sent < due {
			batch = batch[:0]
			for k := 0; k < cap(batch) && sent+k < due; k++ {
				batch = append(batch, ipv4.Message{Buffers: [][]byte{pkts[(sent+k)%len(pkts)]}, Addr: raddr})
			}
			w, err := pc.WriteBatch(batch, 0)
			if err != nil {
				failed++
				if failed > 1000 {
					return fmt.Errorf("sending: %w", err)
				}
				time.Sleep(100 * time.Microsecond) // loopback buffer full: retry the rest
			}
			sent += w
		}
		<-tk.C
	}
	elapsed := time.Since(start)
	self1, _ := procstat.CPU("self")
	fmt.Printf("sent=%d rate=%d seconds=%.2f achieved_rate=%.0f sender_cpu=%.2f", sent, *rate, elapsed.Seconds(),
		float64(sent)/elapsed.Seconds(), (self1 - self0).Seconds())
	if *pid != "" {
		time.Sleep(*settle)
		cpu1, err := procstat.CPU(*pid)
		if err != nil {
			return err
		}
		_, hwm := procstat.Mem(*pid)
		fmt.Printf(" receiver_cpu=%.2f receiver_hwm_mb=%.1f", (cpu1 - cpu0).Seconds(), hwm)
	}
	fmt.Println()
	return nil
}

// marshalTraps builds k distinct linkDown traps (request ID, uptime and
// ifIndex vary), about 120 bytes each.
func marshalTraps(k int) ([][]byte, error) {
	out := make([][]byte, k)
	for i := range out {
		idx := i%48 + 1
		p := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "public", PDUType: gosnmp.SNMPv2Trap,
			RequestID: uint32(i + 1), Variables: []gosnmp.SnmpPDU{
				{Name: ".1.3.6.1.2.1.1.3.0", Type: gosnmp.TimeTicks, Value: uint32(100000 + i)},
				{Name: ".1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.6.3.1.1.5.3"},
				{Name: ".1.3.6.1.2.1.2.2.1.1." + strconv.Itoa(idx), Type: gosnmp.Integer, Value: idx},
				{Name: ".1.3.6.1.2.1.2.2.1.7." + strconv.Itoa(idx), Type: gosnmp.Integer, Value: 1},
				{Name: ".1.3.6.1.2.1.2.2.1.8." + strconv.Itoa(idx), Type: gosnmp.Integer, Value: 2},
			}}
		b, err := p.MarshalMsg()
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
