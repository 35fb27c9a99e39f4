package probe

// The Ping/Echo probe (com.dartware.ping): Count echo requests per poll
// through the shared ICMP engine, with RTT and loss thresholds. Everything
// private here carries a ping prefix: the other probes of this package are
// written alongside and must not collide.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// Pinger is the part of the ICMP engine the ping probe needs
// (consumer-owned interface).
type Pinger interface {
	Ping(ctx context.Context, req icmp.Request) (icmp.Stats, error)
}

// PingInfo describes the Ping/Echo probe, polling through p.
func PingInfo(p Pinger) Info {
	return Info{
		ID:        "com.dartware.ping",
		Name:      "Ping/Echo",
		Aliases:   []string{"ping", "icmp"},
		Params:    pingParams(),
		Shareable: true,
		New:       func() Probe { return &pingProbe{pinger: p, lookup: net.DefaultResolver.LookupNetIP} },
	}
}

func pingParams() []Param {
	return []Param{
		{Name: "count", Default: "3", Help: "echo requests per poll; each waits for its reply or the timeout before the next is sent"},
		{Name: "timeout", Default: "3s", Help: "how long each echo waits for its reply: a duration (3s, 500ms) or plain seconds"},
		{Name: "size", Aliases: []string{"Number of Data Bytes"}, Default: "20", Help: "ICMP data bytes per echo, 16 to 2000"},
		{Name: "pattern", Aliases: []string{"Data Pattern (Hexadecimal)", "Data Pattern"}, Default: "24", Help: "hexadecimal bytes repeated through the data"},
		{Name: "family", Help: `address family when the address is a DNS name: "ip4", "ip6", or empty for either`},
		{Name: "rtt_warning", Help: "Warning when the average round trip exceeds this many milliseconds; empty means no threshold"},
		{Name: "rtt_alarm", Help: "Alarm when the average round trip exceeds this many milliseconds; empty means no threshold"},
		{Name: "rtt_critical", Help: "Critical when the average round trip exceeds this many milliseconds; empty means no threshold"},
		{Name: "loss_warning", Help: "Warning when more than this percentage of echoes is lost; empty means no threshold"},
		{Name: "loss_alarm", Help: "Alarm when more than this percentage of echoes is lost; empty means no threshold"},
		{Name: "loss_critical", Help: "Critical when more than this percentage of echoes is lost; empty means no threshold"},
	}
}

const (
	pingMaxCount   = 100
	pingMaxTimeout = time.Minute
)

// pingConfig is a poll's parsed parameters.
type pingConfig struct {
	count   int
	timeout time.Duration
	size    int
	pattern []byte
	family  string           // "ip", "ip4" or "ip6", as LookupNetIP wants it
	rtt     [3]time.Duration // warning, alarm, critical; 0 is off
	loss    [3]float64       // percent; negative is off
}

var pingLevels = [3]struct {
	level status.Level
	name  string
}{{status.Warning, "warning"}, {status.Alarm, "alarm"}, {status.Critical, "critical"}}

// parsePingConfig reads params (aliases allowed, defaults filled in).
// Errors read `bad parameter rtt_warning="abc": ...`.
func parsePingConfig(params map[string]string) (pingConfig, error) {
	info := Info{Params: pingParams()}
	p := info.WithDefaults(params)
	c := pingConfig{family: "ip"}
	bad := func(name string, err error) error {
		return fmt.Errorf("bad parameter %s=%q: %w", name, p[name], err)
	}
	var err error
	if c.count, err = pingInt(p["count"], 1, pingMaxCount); err != nil {
		return c, bad("count", err)
	}
	if c.timeout, err = pingDuration(p["timeout"], time.Second); err != nil {
		return c, bad("timeout", err)
	}
	if c.timeout <= 0 || c.timeout > pingMaxTimeout {
		return c, bad("timeout", fmt.Errorf("want more than 0 and at most %s", pingMaxTimeout))
	}
	if c.size, err = pingInt(p["size"], icmp.MinSize, icmp.MaxSize); err != nil {
		return c, bad("size", err)
	}
	if c.pattern, err = pingPattern(p["pattern"]); err != nil {
		return c, bad("pattern", err)
	}
	switch f := strings.TrimSpace(p["family"]); f {
	case "":
	case "ip4", "ip6":
		c.family = f
	default:
		return c, bad("family", errors.New(`want "ip4", "ip6" or empty`))
	}
	for i, l := range pingLevels {
		name := "rtt_" + l.name
		if s := strings.TrimSpace(p[name]); s != "" {
			if c.rtt[i], err = pingDuration(s, time.Millisecond); err != nil {
				return c, bad(name, err)
			}
			if c.rtt[i] <= 0 {
				return c, bad(name, errors.New("must be more than 0 ms"))
			}
		}
		name = "loss_" + l.name
		c.loss[i] = -1
		if s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p[name]), "%")); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
				return c, bad(name, errors.New("want a percentage from 0 to 100"))
			}
			c.loss[i] = v
		}
	}
	return c, nil
}

func pingInt(s string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("not a whole number: %w", err)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is out of range %d to %d", v, lo, hi)
	}
	return v, nil
}

// pingDuration reads a Go duration, or a bare number of units (InterMapper
// writes timeouts in seconds and thresholds in milliseconds).
func pingDuration(s string, unit time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(v) || math.Abs(v) > float64(time.Hour/unit) {
			return 0, errors.New("out of range")
		}
		return time.Duration(v * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("neither a number nor a duration like 3s: %w", err)
	}
	return d, nil
}

// pingPattern reads the data pattern: hex digits, optionally 0x-prefixed
// and spaced; an odd count gets a leading zero, as "4" means 0x04.
func pingPattern(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not hexadecimal: %w", err)
	}
	if len(b) > icmp.MaxSize {
		return nil, fmt.Errorf("longer than %d bytes", icmp.MaxSize)
	}
	return b, nil
}

type pingProbe struct {
	pinger Pinger
	// lookup resolves DNS names; tests replace it so that they never send a
	// query off the machine.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckParams reports whether params are valid for this probe, so that a
// map with a bad threshold is refused when loaded rather than at each poll.
func (p *pingProbe) CheckParams(params map[string]string) error {
	_, err := parsePingConfig(params)
	return err
}

// Poll sends the configured echoes and grades the answers.
func (p *pingProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer func() {
		if v := recover(); v != nil {
			res = pingResult(status.Unknown, false, fmt.Sprintf("internal error in ping probe: %v", v))
		}
	}()
	cfg, err := parsePingConfig(t.Params)
	if err != nil {
		return pingResult(status.Unknown, false, err.Error())
	}
	if t.Timeout > 0 { // the poller's bound on the whole poll
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	addr, err := p.resolve(ctx, t.Address, cfg.family)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return pingResult(status.Unknown, false, "poll cancelled")
		}
		return pingResult(status.Down, true, err.Error())
	}
	st, err := p.pinger.Ping(ctx, icmp.Request{Addr: addr, Count: cfg.count, Timeout: cfg.timeout, Size: cfg.size, Pattern: cfg.pattern})
	switch {
	case errors.Is(err, context.Canceled):
		return pingResult(status.Unknown, false, "poll cancelled")
	case errors.Is(err, context.DeadlineExceeded) && st.Sent > 0:
		// The poll's time ran out: grade what came back, the echo still
		// outstanding counting as lost.
	case err != nil:
		return pingResult(status.Unknown, false, fmt.Sprintf("cannot ping %s: %v", addr, err))
	}
	return pingGrade(cfg, st)
}

// resolve turns the target's address into an IP; IP literals (zones
// included) need no lookup.
func (p *pingProbe) resolve(ctx context.Context, host, family string) (netip.Addr, error) {
	host = strings.TrimSpace(host)
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return a, nil
	}
	if host == "" {
		return netip.Addr{}, errors.New("cannot ping: the device has no address")
	}
	addrs, err := p.lookup(ctx, family, host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("cannot resolve %s: %w", host, err)
	}
	return addrs[0].Unmap(), nil
}

// pingGrade turns the ping statistics into a status: Down when nothing came
// back, else the worst threshold crossed by the average RTT or the loss.
func pingGrade(cfg pingConfig, st icmp.Stats) status.Result {
	loss := st.LossPct()
	res := pingResult(status.OK, false, "")
	res.Values = map[string]any{
		"address":  st.Addr.String(),
		"sent":     st.Sent,
		"received": st.Received,
		"loss_pct": math.Round(loss*1000) / 1000,
	}
	if st.TTL > 0 {
		res.Values["ttl"] = st.TTL
	}
	if st.Received == 0 {
		res.Level, res.NoResponse = status.Down, true
		res.Reason = fmt.Sprintf("no reply to %d ping%s", st.Sent, pingPlural(st.Sent))
		if st.SendErr != nil {
			res.Reason += ": " + st.SendErr.Error()
		}
		return res
	}
	res.RTT = st.Avg
	res.Values["rtt_ms"] = pingMillis(st.Avg)
	res.Values["rtt_min_ms"] = pingMillis(st.Min)
	res.Values["rtt_max_ms"] = pingMillis(st.Max)

	// The worst crossed threshold of each kind, worst kind first.
	type crossed struct {
		level  status.Level
		reason string
	}
	var found []crossed
	for i := len(pingLevels) - 1; i >= 0; i-- {
		if th := cfg.rtt[i]; th > 0 && st.Avg > th {
			found = append(found, crossed{pingLevels[i].level,
				fmt.Sprintf("RTT %s ms > %s ms %s threshold", pingMs(st.Avg, th), pingThreshold(float64(th)/float64(time.Millisecond)), pingLevels[i].name)})
			break
		}
	}
	for i := len(pingLevels) - 1; i >= 0; i-- {
		if th := cfg.loss[i]; th >= 0 && loss > th {
			found = append(found, crossed{pingLevels[i].level,
				fmt.Sprintf("loss %s%% > %s%% %s threshold", pingReading(loss, th), pingThreshold(th), pingLevels[i].name)})
			break
		}
	}
	if len(found) == 2 && found[1].level > found[0].level {
		found[0], found[1] = found[1], found[0]
	}
	var reasons []string
	for _, f := range found {
		res.Level = status.Worst(res.Level, f.level)
		reasons = append(reasons, f.reason)
	}
	res.Reason = strings.Join(reasons, "; ")
	return res
}

func pingResult(l status.Level, noResponse bool, reason string) status.Result {
	return status.Result{Level: l, NoResponse: noResponse, Reason: reason, Values: map[string]any{}, Time: time.Now()}
}

func pingPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// pingMillis is a value in milliseconds with microsecond precision.
func pingMillis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// pingMs prints a reading in milliseconds against its threshold.
func pingMs(d, threshold time.Duration) string {
	return pingReading(float64(d)/float64(time.Millisecond), float64(threshold)/float64(time.Millisecond))
}

// pingReading prints v in whole units, with decimals only where rounding
// would make it read no more than its threshold ("300.4 ms > 300 ms", never
// "300 ms > 300 ms").
func pingReading(v, threshold float64) string {
	for _, p := range []float64{1, 10, 100} {
		if r := math.Round(v*p) / p; r > threshold {
			return strconv.FormatFloat(r, 'f', -1, 64)
		}
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// pingThreshold prints a threshold as written, to a tenth.
func pingThreshold(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}
