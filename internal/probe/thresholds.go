package probe

// Parameter parsing, RTT thresholds and result helpers shared by the TCP,
// HTTP and banner probes. Parameters arrive as strings from map files and
// from InterMapper imports, so the parsers accept the spellings people
// actually write ("10", "10s", "1.5") and reject the rest with a message that
// names the parameter.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

const (
	defaultTimeout = 10 * time.Second
	// maxTimeout stops a typo ("3000" meant as ms) from parking a poller
	// goroutine for most of a day.
	maxTimeout = time.Hour
)

// commonParams are accepted by every probe in this family.
func commonParams() []Param {
	return []Param{
		{Name: "timeout", Default: "10s", Help: "how long the whole poll may take: a duration (10s, 1500ms) or plain seconds"},
		{Name: "rtt_warning", Help: "Warning when the response time exceeds this many milliseconds; empty means no threshold"},
		{Name: "rtt_alarm", Help: "Alarm when the response time exceeds this many milliseconds; empty means no threshold"},
		{Name: "rtt_critical", Help: "Critical when the response time exceeds this many milliseconds; empty means no threshold"},
	}
}

// resolveParams fills in defaults and maps InterMapper's parameter names to
// ours. The poller may already have done it; doing it again is harmless and
// lets a probe be polled directly (tests, `vantage probe`).
func resolveParams(defs []Param, in map[string]string) map[string]string {
	info := Info{Params: defs}
	return info.WithDefaults(in)
}

// common holds the parsed common parameters.
type common struct {
	timeout time.Duration
	rtt     rttThresholds
}

func parseCommon(p map[string]string) (common, error) {
	var c common
	var err error
	if c.timeout, err = parseTimeout(p["timeout"]); err != nil {
		return c, fmt.Errorf("parameter timeout: %w", err)
	}
	for _, th := range []struct {
		name string
		dst  *time.Duration
	}{{"rtt_warning", &c.rtt.warning}, {"rtt_alarm", &c.rtt.alarm}, {"rtt_critical", &c.rtt.critical}} {
		if *th.dst, err = parseMillis(p[th.name]); err != nil {
			return c, fmt.Errorf("parameter %s: %w", th.name, err)
		}
	}
	return c, nil
}

// parseTimeout reads a duration; a bare number is seconds, as in
// InterMapper's "Seconds to wait". Empty means the default.
func parseTimeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultTimeout, nil
	}
	d, err := parseDuration(s, time.Second)
	if err != nil {
		return 0, err
	}
	if d <= 0 || d > maxTimeout {
		return 0, fmt.Errorf("%q is out of range (want more than 0 and at most %s)", s, maxTimeout)
	}
	return d, nil
}

// parseMillis reads an RTT threshold: a bare number is milliseconds, a Go
// duration is accepted too. Empty or zero disables the threshold.
func parseMillis(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	d, err := parseDuration(s, time.Millisecond)
	if err != nil {
		return 0, err
	}
	if d < 0 || d > maxTimeout {
		return 0, fmt.Errorf("%q is out of range (want 0 to %s)", s, maxTimeout)
	}
	return d, nil
}

// parseDuration reads a Go duration or a bare number of units.
func parseDuration(s string, unit time.Duration) (time.Duration, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > float64(maxTimeout/unit) {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		return time.Duration(v * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a number nor a duration like 10s: %w", s, err)
	}
	return d, nil
}

// parseInt reads an integer in [lo, hi]; empty means def.
func parseInt(s string, def, lo, hi int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number: %w", s, err)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is out of range (want %d to %d)", v, lo, hi)
	}
	return v, nil
}

// parsePort reads a TCP port; def 0 makes the port required.
func parsePort(s string, def int) (int, error) {
	if strings.TrimSpace(s) == "" && def == 0 {
		return 0, errors.New("a port is required")
	}
	return parseInt(s, def, 1, 65535)
}

// parseBool accepts the usual spellings, including yes/no and on/off.
func parseBool(s string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, nil
	case "1", "t", "true", "yes", "y", "on":
		return true, nil
	case "0", "f", "false", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// rttThresholds turn a response time into a level; zero disables one.
type rttThresholds struct {
	warning, alarm, critical time.Duration
}

// check returns the level of rtt and, when not OK, a reason in the style
// "RTT 412 ms > 300 ms warning threshold". The worst crossed threshold wins.
func (t rttThresholds) check(rtt time.Duration) (status.Level, string) {
	for _, th := range []struct {
		limit time.Duration
		level status.Level
		name  string
	}{{t.critical, status.Critical, "critical"}, {t.alarm, status.Alarm, "alarm"}, {t.warning, status.Warning, "warning"}} {
		if th.limit > 0 && rtt > th.limit {
			return th.level, fmt.Sprintf("RTT %s ms > %s ms %s threshold", fmtMillis(rtt), fmtMillis(th.limit), th.name)
		}
	}
	return status.OK, ""
}

// fmtMillis prints whole milliseconds when they are whole and one decimal
// otherwise, so that "RTT 300.4 ms > 300 ms" never reads "300 > 300".
func fmtMillis(d time.Duration) string {
	ms := math.Round(float64(d)/float64(time.Millisecond)*10) / 10
	return strconv.FormatFloat(ms, 'f', -1, 64)
}

// millis is the rtt_ms value: milliseconds with microsecond precision, as in
// status.Result's JSON.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// newResult starts a poll's result at OK with an empty value map.
func newResult() status.Result {
	return status.Result{Level: status.OK, Values: map[string]any{}}
}

// raise records a problem: the worst level wins and its reason comes first,
// lesser problems follow so that none is hidden.
func raise(r *status.Result, l status.Level, reason string) {
	if l <= status.OK || reason == "" {
		return
	}
	switch {
	case r.Reason == "" || r.Level <= status.OK:
		r.Reason = reason
	case l > r.Level:
		r.Reason = reason + "; " + r.Reason
	default:
		r.Reason += "; " + reason
	}
	r.Level = status.Worst(r.Level, l)
}

// finish records the response time, applies the RTT thresholds and stamps
// the result. Thresholds are not applied to a target that is already down.
func finish(r *status.Result, rtt time.Duration, th rttThresholds) status.Result {
	if rtt > 0 {
		r.RTT = rtt
		r.Values["rtt_ms"] = millis(rtt)
		if r.Level < status.Down {
			l, why := th.check(rtt)
			raise(r, l, why)
		}
	}
	r.Time = time.Now()
	return *r
}

// failed builds a result for a poll that ended early.
func failed(l status.Level, noResponse bool, reason string) status.Result {
	return status.Result{Level: l, NoResponse: noResponse, Reason: reason, Values: map[string]any{}, Time: time.Now()}
}

// badParams is the result of a poll whose parameters do not parse. Unknown,
// not Alarm: the device's state is not known, and the map file is at fault.
func badParams(err error) status.Result {
	return failed(status.Unknown, false, "invalid probe parameters: "+err.Error())
}

// guard turns a panic in a probe into an Unknown result, so that one odd
// answer cannot take the poller down.
func guard(r *status.Result) {
	if v := recover(); v != nil {
		*r = failed(status.Unknown, false, fmt.Sprintf("internal error in probe: %v", v))
	}
}

// pollWindow is how long one poll may take: the probe's timeout, bounded by
// the target's and by the caller's deadline. The caller's deadline is only
// used when clearly shorter, so that messages say "within 10s" rather than
// "within 9.999s".
func pollWindow(ctx context.Context, t Target, timeout time.Duration) time.Duration {
	d := timeout
	if t.Timeout > 0 && t.Timeout < d {
		d = t.Timeout
	}
	if dl, ok := ctx.Deadline(); ok {
		if rem := time.Until(dl); rem < d-50*time.Millisecond {
			d = max(rem.Round(time.Millisecond), time.Millisecond)
		}
	}
	return d
}

// cancelled reports whether the caller gave up on the poll (shutdown, map
// removed), as opposed to the poll timing out.
func cancelled(parent context.Context) bool {
	return errors.Is(parent.Err(), context.Canceled)
}

func cancelledResult() status.Result {
	return failed(status.Unknown, false, "poll cancelled")
}

// codeRange is an inclusive range of HTTP status codes.
type codeRange struct{ lo, hi int }

// codeRanges is a parsed `status` parameter: "200-399", "200,301 302",
// "2xx,304".
type codeRanges []codeRange

func parseCodeRanges(s string) (codeRanges, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\t' })
	if len(fields) == 0 {
		return nil, errors.New("no status codes given (want e.g. 200-399)")
	}
	var out codeRanges
	for _, f := range fields {
		var r codeRange
		var err error
		switch lo, hi, isRange := strings.Cut(f, "-"); {
		case isRange:
			r.lo, err = parseCode(lo)
			if err == nil {
				r.hi, err = parseCode(hi)
			}
			if err == nil && r.lo > r.hi {
				err = fmt.Errorf("range %q runs backwards", f)
			}
		case len(f) == 3 && strings.EqualFold(f[1:], "xx") && f[0] >= '1' && f[0] <= '5':
			r.lo = int(f[0]-'0') * 100
			r.hi = r.lo + 99
		default:
			r.lo, err = parseCode(f)
			r.hi = r.lo
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseCode(s string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 100 || v > 599 {
		return 0, fmt.Errorf("%q is not an HTTP status code (100 to 599)", s)
	}
	return v, nil
}

func (c codeRanges) contains(code int) bool {
	for _, r := range c {
		if code >= r.lo && code <= r.hi {
			return true
		}
	}
	return false
}

// String is the canonical spelling used in reasons: "200-399,401".
func (c codeRanges) String() string {
	parts := make([]string, len(c))
	for i, r := range c {
		parts[i] = strconv.Itoa(r.lo)
		if r.hi != r.lo {
			parts[i] += "-" + strconv.Itoa(r.hi)
		}
	}
	return strings.Join(parts, ",")
}
