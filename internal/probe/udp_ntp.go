package probe

// The NTP probe (com.dartware.ntp): one client-mode query, the server's
// stratum, leap indicator and reference, and the clock offset between it
// and this server, with thresholds on offset and stratum.

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

func ntpParams() []Param {
	return append([]Param{
		{Name: "version", Default: "4", Help: "NTP version in the request, 1 to 4"},
		{Name: "offset_warning", Default: "100", Help: "Warning when the clock offset exceeds this many milliseconds either way; empty means no threshold"},
		{Name: "offset_alarm", Default: "1000", Help: "Alarm when the clock offset exceeds this many milliseconds either way; empty means no threshold"},
		{Name: "stratum_warning", Default: "15", Help: "Warning when the server's stratum is above this (1 is a reference clock, 16 unsynchronised)"},
	}, udpParams(123)...)
}

// NTPInfo describes the NTP probe.
func NTPInfo() Info {
	return Info{ID: "com.dartware.ntp", Name: "NTP", Aliases: []string{"ntp"}, Params: ntpParams(),
		New: func() Probe { return ntpProbe{} }}
}

type ntpConfig struct {
	udpCommon
	version        int
	offsetWarning  time.Duration
	offsetAlarm    time.Duration
	stratumWarning int
}

func parseNTPConfig(params map[string]string) (ntpConfig, error) {
	p := resolveParams(ntpParams(), params)
	var c ntpConfig
	var err error
	if c.udpCommon, err = parseUDPCommon(p); err != nil {
		return c, err
	}
	if c.version, err = parseInt(p["version"], 4, 1, 4); err != nil {
		return c, fmt.Errorf("parameter version: %w", err)
	}
	if c.offsetWarning, err = parseMillis(p["offset_warning"]); err != nil {
		return c, fmt.Errorf("parameter offset_warning: %w", err)
	}
	if c.offsetAlarm, err = parseMillis(p["offset_alarm"]); err != nil {
		return c, fmt.Errorf("parameter offset_alarm: %w", err)
	}
	if c.stratumWarning, err = parseInt(p["stratum_warning"], 15, 1, 16); err != nil {
		return c, fmt.Errorf("parameter stratum_warning: %w", err)
	}
	return c, nil
}

type ntpProbe struct{}

func (ntpProbe) CheckParams(params map[string]string) error {
	_, err := parseNTPConfig(params)
	return err
}

func (ntpProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseNTPConfig(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	to, err := udpTarget(ctx, t.Address, c.port)
	if err != nil {
		return udpFailure(ctx, err, "NTP", to, 0, window, "")
	}
	// Each attempt carries its own transmit time, remembered to match
	// the reply (the server echoes it) and to compute the offset.
	sent := map[uint64]time.Time{}
	var lastT1 time.Time
	x := udpExchange{
		to: to, attempts: c.attempts, window: window,
		request: func(int) []byte {
			lastT1 = time.Now()
			xmt := ntpTime(lastT1)
			sent[xmt] = lastT1
			return ntpRequest(c.version, xmt)
		},
		accept: func(b []byte) bool {
			if len(b) < ntpPacketLen {
				return false
			}
			_, ours := sent[binary.BigEndian.Uint64(b[24:])]
			return ours
		},
	}
	rep, err := x.run(ctx)
	t4 := time.Now()
	if err != nil {
		return udpFailure(ctx, err, "NTP", to, rep.sent, window, "")
	}
	r := newResult()
	reply, err := parseNTPReply(rep.data)
	if err != nil {
		raise(&r, status.Alarm, "malformed NTP reply: "+err.Error())
		return finish(&r, rep.rtt, c.rtt)
	}
	r.Values["stratum"] = reply.stratum
	r.Values["leap"] = reply.leap
	r.Values["version"] = reply.version
	switch {
	case reply.stratum == 0:
		raise(&r, status.Alarm, fmt.Sprintf("NTP server sent kiss-o'-death %q (stratum 0): it refuses to serve time", reply.kissCode()))
		return finish(&r, rep.rtt, c.rtt)
	case reply.stratum >= 16 || reply.leap == 3:
		raise(&r, status.Alarm, fmt.Sprintf("NTP server is not synchronised (stratum %d, leap indicator %d)", reply.stratum, reply.leap))
	}
	r.Values["refid"] = reply.refIDString()
	r.Values["root_delay_ms"] = millis(reply.rootDelay)
	r.Values["root_dispersion_ms"] = millis(reply.rootDisp)
	t1 := sent[reply.origin]
	offset, delay := ntpSample(t1, ntpToTime(reply.receive, t1), ntpToTime(reply.transmit, t1), t4)
	r.Values["offset_ms"] = millis(offset)
	r.Values["delay_ms"] = millis(delay)
	abs := time.Duration(math.Abs(float64(offset)))
	switch {
	case c.offsetAlarm > 0 && abs > c.offsetAlarm:
		raise(&r, status.Alarm, fmt.Sprintf("clock offset %s ms > %s ms alarm threshold", fmtMillis(offset), fmtMillis(c.offsetAlarm)))
	case c.offsetWarning > 0 && abs > c.offsetWarning:
		raise(&r, status.Warning, fmt.Sprintf("clock offset %s ms > %s ms warning threshold", fmtMillis(offset), fmtMillis(c.offsetWarning)))
	}
	if reply.stratum > c.stratumWarning && reply.stratum < 16 {
		raise(&r, status.Warning, fmt.Sprintf("stratum %d > %d", reply.stratum, c.stratumWarning))
	}
	return finish(&r, rep.rtt, c.rtt)
}
