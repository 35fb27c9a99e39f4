package probe

import (
	"math"
	"testing"
	"time"
)

func TestSNMPDelta(t *testing.T) {
	c32 := func(v uint64) snmpCounter { return snmpCounter{v: v, ok: true} }
	c64 := func(v uint64) snmpCounter { return snmpCounter{v: v, hc: true, ok: true} }
	cases := []struct {
		name      string
		prev, cur snmpCounter
		delta     uint64
		wrapped   bool
		ok        bool
	}{
		{"32-bit growth", c32(10), c32(25), 15, false, true},
		{"32-bit unchanged", c32(10), c32(10), 0, false, true},
		{"32-bit wrap", c32(math.MaxUint32 - 4), c32(5), 10, true, true},
		{"32-bit wrap from the top", c32(math.MaxUint32), c32(0), 1, true, true},
		{"64-bit growth", c64(1 << 40), c64(1<<40 + 7), 7, false, true},
		{"64-bit back", c64(1 << 40), c64(5), 0, false, false},
		{"64-bit at the top", c64(math.MaxUint64 - 1), c64(math.MaxUint64), 1, false, true},
		{"width changed", c32(5), c64(10), 0, false, false},
		{"missing before", snmpCounter{}, c32(10), 0, false, false},
		{"missing now", c32(10), snmpCounter{}, 0, false, false},
		{"'32-bit' over 32 bits going back", c32(1 << 40), c32(5), 0, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, w, ok := snmpDelta(tc.prev, tc.cur)
			if d != tc.delta || w != tc.wrapped || ok != tc.ok {
				t.Errorf("got %d %v %v, want %d %v %v", d, w, ok, tc.delta, tc.wrapped, tc.ok)
			}
		})
	}
}

func TestSNMPRebooted(t *testing.T) {
	up := func(v uint64) snmpCounter { return snmpCounter{v: v, ok: true} }
	const wrap = 1 << 32
	cases := []struct {
		name      string
		prev, cur snmpCounter
		elapsed   time.Duration
		want      bool
	}{
		{"uptime moved on", up(1000), up(7000), time.Minute, false},
		{"uptime stood still", up(1000), up(1000), time.Minute, false},
		{"uptime went back", up(100_000), up(500), time.Minute, true},
		{"TimeTicks wrapped", up(wrap - 3000), up(3000), time.Minute, false},
		{"wrapped, agent clock a bit slow", up(wrap - 3000), up(2500), time.Minute, false},
		{"near the wrap but restarted", up(wrap - 3000), up(100_000_000), time.Minute, true},
		{"not near the wrap", up(wrap / 2), up(3000), time.Minute, true},
		{"no uptime before", snmpCounter{}, up(5), time.Minute, false},
		{"no uptime now", up(5), snmpCounter{}, time.Minute, false},
		{"clock went back", up(wrap - 3000), up(3000), -time.Minute, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := snmpRebooted(tc.prev, tc.cur, tc.elapsed); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSNMPUptimeText(t *testing.T) {
	for ticks, want := range map[uint64]string{
		0:                                    "00:00:00",
		6599:                                 "00:01:05",
		(3600*23 + 59) * 100:                 "23:00:59",
		86400 * 100:                          "1 day, 0:00:00",
		(12*86400 + 3*3600 + 4*60 + 5) * 100: "12 days, 3:04:05",
		math.MaxUint32:                       "497 days, 2:27:52",
	} {
		if got := snmpUptimeText(ticks); got != want {
			t.Errorf("snmpUptimeText(%d) = %q, want %q", ticks, got, want)
		}
	}
}

func TestSNMPApplyRatesGuards(t *testing.T) {
	prev := snmpIfSample{}
	prev.cnt[snmpInOctets] = snmpCounter{v: 0, ok: true}
	for _, secs := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		cur := snmpIfReading{}
		cur.cnt[snmpInOctets] = snmpCounter{v: 100, ok: true}
		snmpApplyRates(&cur, prev, secs)
		if cur.InBps != nil {
			t.Errorf("secs %v gave a rate %v", secs, *cur.InBps)
		}
	}
}
