package snmptest

import (
	"errors"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// FakeAgent is a small SNMPv1/v2c agent on 127.0.0.1 serving a map of
// OID → Value, with knobs for the ways real agents go wrong. Packets are
// decoded and encoded with gosnmp. Set the knobs before Start; values may
// change at any time with Set and Delete.
type FakeAgent struct {
	// Community is the only one answered (others time out); default "public".
	Community string
	// BrokenMultiGetNext answers a GetNext or GetBulk of several OIDs with
	// the answer to the first OID in every variable, as some agents do.
	BrokenMultiGetNext bool
	// TruncateMulti answers a GetNext or GetBulk of several OIDs with the
	// answer to the first OID only (fewer variables than asked for).
	TruncateMulti bool
	// Delay holds every answer back this long.
	Delay time.Duration
	// DropEvery drops every n-th request unanswered (0: none).
	DropEvery int
	// LoopAt makes the agent non-increasing: whatever would come after
	// this OID, it answers this OID again.
	LoopAt string
	// Endless makes walks below this OID never end: after Endless.N comes
	// Endless.N+1, forever (Gauge32 N).
	Endless string
	// Mangle, when set, rewrites each encoded answer before it is sent,
	// to test malformed packets.
	Mangle func(answer []byte) []byte

	mu     sync.Mutex
	values map[string]snmp.Value
	sorted []string // OIDs of values, in SNMP order; nil when stale
	stats  FakeStats
}

// FakeStats counts what a FakeAgent received.
type FakeStats struct {
	Requests, Get, GetNext, GetBulk, Dropped int
	// MultiOID counts GetNext and GetBulk requests with several OIDs.
	MultiOID int
}

// NewFakeAgent returns an agent serving values (for example from
// ParseSnmprec); call Start.
func NewFakeAgent(values []snmp.Value) *FakeAgent {
	a := &FakeAgent{Community: Community, values: map[string]snmp.Value{}}
	for _, v := range values {
		a.values[v.OID] = v
	}
	return a
}

// Start serves on 127.0.0.1 at a free port until the test ends, and returns
// the address (without port) and the port.
func (a *FakeAgent) Start(t testing.TB) (addr string, port int) {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done, stop := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		a.serve(c, stop)
	}()
	t.Cleanup(func() { close(stop); _ = c.Close(); <-done })
	return "127.0.0.1", c.LocalAddr().(*net.UDPAddr).Port
}

// Set adds or replaces values.
func (a *FakeAgent) Set(values ...snmp.Value) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range values {
		if _, ok := a.values[v.OID]; !ok {
			a.sorted = nil
		}
		a.values[v.OID] = v
	}
}

// Delete removes values.
func (a *FakeAgent) Delete(oids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range oids {
		delete(a.values, o)
	}
	a.sorted = nil
}

// Stats returns what the agent received so far.
func (a *FakeAgent) Stats() FakeStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

func (a *FakeAgent) serve(c net.PacketConn, stop <-chan struct{}) {
	var wg sync.WaitGroup
	defer wg.Wait()
	buf := make([]byte, 65535)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		pkt := append([]byte(nil), buf[:n]...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out := a.answer(pkt); out != nil {
				if a.Mangle != nil {
					out = a.Mangle(out)
				}
				if a.Delay > 0 {
					select {
					case <-time.After(a.Delay):
					case <-stop:
						return
					}
				}
				_, _ = c.WriteTo(out, from)
			}
		}()
	}
}

// answer decodes a request and encodes the response, or returns nil to
// stay silent.
func (a *FakeAgent) answer(raw []byte) []byte {
	dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: a.Community}
	req, err := dec.SnmpDecodePacket(raw)
	if err != nil || req.Version == gosnmp.Version3 || req.Community != a.Community {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Requests++
	if a.DropEvery > 0 && a.stats.Requests%a.DropEvery == 0 {
		a.stats.Dropped++
		return nil
	}
	names := make([]string, len(req.Variables))
	for i, v := range req.Variables {
		names[i] = trimDot(v.Name)
	}
	resp := &gosnmp.SnmpPacket{Version: req.Version, Community: req.Community, PDUType: gosnmp.GetResponse, RequestID: req.RequestID}
	v1 := req.Version == gosnmp.Version1
	var vals []snmp.Value
	switch req.PDUType {
	case gosnmp.GetRequest:
		a.stats.Get++
		for i, o := range names {
			v, ok := a.values[o]
			if !ok {
				if v1 {
					return a.v1Error(resp, req, i)
				}
				v = snmp.Value{OID: o, Type: snmp.NoSuchObject}
			}
			vals = append(vals, v)
		}
	case gosnmp.GetNextRequest:
		a.stats.GetNext++
		if len(names) > 1 {
			a.stats.MultiOID++
		}
		for i, o := range names {
			v := a.next(o)
			if v.Type == snmp.EndOfMibView && v1 {
				return a.v1Error(resp, req, i)
			}
			vals = append(vals, v)
		}
		vals = a.breakMulti(vals)
	case gosnmp.GetBulkRequest:
		a.stats.GetBulk++
		if len(names) > 1 {
			a.stats.MultiOID++
		}
		vals = a.bulk(names, int(req.NonRepeaters), int(req.MaxRepetitions))
	default:
		return nil
	}
	for _, v := range vals {
		resp.Variables = append(resp.Variables, snmp.ToPDU(v))
	}
	out, err := resp.MarshalMsg()
	if err != nil {
		return nil
	}
	return out
}

func (a *FakeAgent) v1Error(resp, req *gosnmp.SnmpPacket, i int) []byte {
	resp.Error, resp.ErrorIndex = gosnmp.NoSuchName, uint8(i+1)
	resp.Variables = req.Variables
	out, _ := resp.MarshalMsg()
	return out
}

func (a *FakeAgent) bulk(names []string, nonRep, reps int) []snmp.Value {
	nonRep = min(max(nonRep, 0), len(names))
	var out []snmp.Value
	for _, o := range names[:nonRep] {
		out = append(out, a.next(o))
	}
	cursors := append([]string(nil), names[nonRep:]...)
	for r := 0; r < reps && len(cursors) > 0 && len(out) < 1000; r++ {
		row := make([]snmp.Value, len(cursors))
		for i, o := range cursors {
			row[i] = a.next(o)
			cursors[i] = row[i].OID
		}
		if len(cursors) > 1 {
			row = a.breakMulti(row)
		}
		out = append(out, row...)
	}
	return out
}

// breakMulti applies BrokenMultiGetNext and TruncateMulti to one answer.
func (a *FakeAgent) breakMulti(vals []snmp.Value) []snmp.Value {
	switch {
	case len(vals) < 2:
	case a.TruncateMulti:
		return vals[:1]
	case a.BrokenMultiGetNext:
		for i := range vals {
			vals[i] = vals[0]
		}
	}
	return vals
}

// next returns the variable after oid, or EndOfMibView named oid.
func (a *FakeAgent) next(oid string) snmp.Value {
	if a.LoopAt != "" && snmp.CompareOID(oid, a.LoopAt) >= 0 {
		if v, ok := a.values[a.LoopAt]; ok {
			return v
		}
		return snmp.Value{OID: a.LoopAt, Type: snmp.Integer}
	}
	if a.Endless != "" && (snmp.CompareOID(oid, a.Endless) < 0 || snmp.InSubtree(oid, a.Endless)) {
		n := uint64(0)
		if s := snmp.Suffix(oid, a.Endless); s != "" {
			first, _, _ := strings.Cut(s, ".")
			n, _ = strconv.ParseUint(first, 10, 32)
			n++
		}
		return snmp.Value{OID: a.Endless + "." + strconv.FormatUint(n, 10), Type: snmp.Gauge32, Uint: n}
	}
	if a.sorted == nil {
		a.sorted = make([]string, 0, len(a.values))
		for o := range a.values {
			a.sorted = append(a.sorted, o)
		}
		sort.Slice(a.sorted, func(i, j int) bool { return snmp.CompareOID(a.sorted[i], a.sorted[j]) < 0 })
	}
	i := sort.Search(len(a.sorted), func(i int) bool { return snmp.CompareOID(a.sorted[i], oid) > 0 })
	if i == len(a.sorted) {
		return snmp.Value{OID: oid, Type: snmp.EndOfMibView}
	}
	return a.values[a.sorted[i]]
}

func trimDot(s string) string { return strings.TrimPrefix(s, ".") }
