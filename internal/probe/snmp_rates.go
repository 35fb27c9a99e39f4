package probe

// Rates from successive counter readings. The rules, in order:
//   - sysUpTime went back (and this is not its own 497-day wrap): the agent
//     restarted; every counter restarted too, so no rate this poll and a
//     REBOOT event;
//   - ifCounterDiscontinuityTime changed: that interface's counters were
//     reset; no rate for it this poll;
//   - a Counter64 that went back is a discontinuity (it cannot wrap in a
//     human lifetime): no rate;
//   - a Counter32 that went back wrapped, once: delta = new + 2³² − old;
//     when the interface speed says such a rate is impossible the "wrap" was
//     a reset, and there is no rate rather than a spike;
//   - a counter that changed width (HC appeared or vanished): no rate;
//   - a counter that was 0 and jumped beyond what the link can carry was
//     not yet counting: no rate.

import (
	"fmt"
	"math"
	"time"
)

// snmpSample is what the probe keeps from one poll for the next.
type snmpSample struct {
	at     time.Time
	uptime snmpCounter // sysUpTime in ticks (hundredths of a second)
	ifs    map[int]snmpIfSample
}

// snmpIfSample is one interface's counters at a sample.
type snmpIfSample struct {
	cnt  [snmpSlots]snmpCounter
	disc snmpCounter
}

// newSNMPSample records the counters of a poll's interfaces.
func newSNMPSample(at time.Time, uptime snmpCounter, ifs []snmpIfReading) *snmpSample {
	s := &snmpSample{at: at, uptime: uptime, ifs: make(map[int]snmpIfSample, len(ifs))}
	for _, r := range ifs {
		s.ifs[r.Index] = snmpIfSample{cnt: r.cnt, disc: r.disc}
	}
	return s
}

const (
	snmpTicksPerSecond = 100
	snmpTickWrap       = 1 << 32 // TimeTicks wrap after 497 days
)

// snmpRebooted reports whether sysUpTime went back between prev and cur,
// telling a restart from the TimeTicks wrap by the time that went by.
func snmpRebooted(prev, cur snmpCounter, elapsed time.Duration) bool {
	if !prev.ok || !cur.ok || cur.v >= prev.v {
		return false
	}
	if elapsed > 0 && prev.v < snmpTickWrap && cur.v < snmpTickWrap {
		ticks := uint64(elapsed.Seconds() * snmpTicksPerSecond)
		if expected := prev.v + ticks; expected >= snmpTickWrap {
			slack := max(ticks/10, 60*snmpTicksPerSecond)
			got := cur.v + snmpTickWrap
			if got+slack >= expected && got <= expected+slack {
				return false
			}
		}
	}
	return true
}

// snmpDelta is how much a counter grew from prev to cur, and whether it
// wrapped; ok is false when the readings cannot be compared.
func snmpDelta(prev, cur snmpCounter) (delta uint64, wrapped, ok bool) {
	switch {
	case !prev.ok || !cur.ok || prev.hc != cur.hc:
		return 0, false, false
	case cur.v >= prev.v:
		return cur.v - prev.v, false, true
	case cur.hc, prev.v > math.MaxUint32, cur.v > math.MaxUint32:
		return 0, false, false
	}
	return cur.v + (1 << 32) - prev.v, true, true
}

// snmpMinFrameBits bounds packet rates: no frame is shorter than 64 bytes,
// so a link of speed S cannot carry more than S/512 packets a second.
const snmpMinFrameBits = 64 * 8

// snmpRate is a counter's growth per second, or false. limit is the
// highest believable rate (0 for none). Only two kinds of reading are held
// to it: a wrapped 32-bit counter, since that is where a reset
// masquerades as a wrap, and a counter that was 0, since agents report 0
// for counters they have not read yet (net-snmp's first snapshot of a
// Linux interface has 0 unicast packets). Other rates are believed even
// above the speed, which virtual interfaces often understate.
func snmpRate(prev, cur snmpCounter, secs, limit float64) (float64, bool) {
	d, wrapped, ok := snmpDelta(prev, cur)
	if !ok {
		return 0, false
	}
	r := float64(d) / secs
	if (wrapped || prev.v == 0) && limit > 0 && r > limit {
		return 0, false
	}
	return r, true
}

// snmpApplyRates fills the rate fields of cur from prev, secs apart.
func snmpApplyRates(cur *snmpIfReading, prev snmpIfSample, secs float64) {
	if secs <= 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return
	}
	if prev.disc.ok && cur.disc.ok && prev.disc.v != cur.disc.v {
		return // the agent says this interface's counters were reset
	}
	speed := float64(cur.SpeedBps)
	byteLimit, pktLimit := 0.0, 0.0
	if speed > 0 {
		byteLimit = speed * 1.1 / 8
		pktLimit = speed * 1.1 / snmpMinFrameBits
	}
	rate := func(slot int, limit float64) (float64, bool) {
		return snmpRate(prev.cnt[slot], cur.cnt[slot], secs, limit)
	}
	octets := func(slot int, bps, bytesPerSec, util **float64) {
		r, ok := rate(slot, byteLimit)
		if !ok {
			return
		}
		*bytesPerSec = snmpRound(r)
		*bps = snmpRound(r * 8)
		if speed > 0 {
			*util = snmpRound(r * 8 * 100 / speed)
		}
	}
	octets(snmpInOctets, &cur.InBps, &cur.InBytesPerSec, &cur.InUtilPct)
	octets(snmpOutOctets, &cur.OutBps, &cur.OutBytesPerSec, &cur.OutUtilPct)

	// Packets: unicast plus multicast plus broadcast. A part the agent
	// never gives counts as zero; a part that cannot be compared spoils
	// the sum.
	packets := func(slots ...int) *float64 {
		sum := 0.0
		for i, slot := range slots {
			p, c := prev.cnt[slot], cur.cnt[slot]
			if i > 0 && !p.ok && !c.ok {
				continue
			}
			r, ok := rate(slot, pktLimit)
			if !ok {
				return nil
			}
			sum += r
		}
		return snmpRound(sum)
	}
	cur.InPps = packets(snmpInUcast, snmpInMcast, snmpInBcast)
	cur.OutPps = packets(snmpOutUcast, snmpOutMcast, snmpOutBcast)

	perMin := func(slot int) *float64 {
		if r, ok := rate(slot, pktLimit); ok {
			return snmpRound(r * 60)
		}
		return nil
	}
	cur.InErrorsPerMin = perMin(snmpInErrors)
	cur.OutErrorsPerMin = perMin(snmpOutErrors)
	cur.InDiscardsPerMin = perMin(snmpInDiscards)
	cur.OutDiscardsPerMin = perMin(snmpOutDiscards)
}

// snmpRound keeps two decimals, enough for a status window and a chart.
func snmpRound(v float64) *float64 {
	r := math.Round(v*100) / 100
	return &r
}

// snmpUptimeText prints TimeTicks the way net-snmp does, without the
// hundredths: "00:01:05" under a day, "12 days, 3:04:05" beyond.
func snmpUptimeText(ticks uint64) string {
	s := ticks / snmpTicksPerSecond
	d, h, m, sec := s/86400, s%86400/3600, s%3600/60, s%60
	switch d {
	case 0:
		return fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
	case 1:
		return fmt.Sprintf("1 day, %d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d days, %d:%02d:%02d", d, h, m, sec)
}
