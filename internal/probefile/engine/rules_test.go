package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

func TestCalculations(t *testing.T) {
	f := snmpFile(t, `<parameters>
	"Interface" = "1"
</parameters>
<snmp-device-variables>
	sysDescr,     1.3.6.1.2.1.1.1.0, DEFAULT, "system description"
	firmware,     "$sysDescr" =~ "^FW ([^,]+), (.+)Hz, (.+) antenna" ;"${1}", CALCULATION, "Firmware"
	frequency,    "${2}", CALCULATION, "Frequency"
	antenna,      "${3}", CALCULATION, "Antenna"
	inOctets,     ifInOctets.$Interface,  INTEGER,     "current value"
	deltaBytes,   $inOctets-$oldInOctets, CALCULATION, ""
	curSysUpTime, sysUpTime.0, INTEGER, "current sysuptime"
	deltaTime,    $curSysUptime - $oldSysUpTime, CALCULATION, ""
	bps,          $deltaBytes * 100 / $deltaTime, CALCULATION, "bytes/s"
	oldInOctets,  $inOctets, CALCULATION,     "old inOctets for next time"
	oldSysUpTime, $curSysUpTime, CALCULATION, "old sysuptime for next time"
	count,        (($count + 4) % 360), CALCULATION, "counts from zero"
	iface,        "if" + $Interface, CALCULATION, "parameters are variables"
	strs,         sprintf("%4.1f", $bps), CALCULATION, "formatted"
	broken,       1 / ($count - $count), CALCULATION, "division by zero"
</snmp-device-variables>
`)
	clk := newClock()
	fake := newFake(vStr("1.3.6.1.2.1.1.1.0", "FW 2.4.1, 5.8GHz, sector antenna"),
		vUint("1.3.6.1.2.1.2.2.1.10.1", snmp.Counter32, 1000), vUint(sysUpTime, snmp.TimeTicks, 10000))
	p := newProbe(t, f, Deps{SNMP: fake, Names: names(t), Now: clk.now})
	r := poll(p, nil)
	v := varsOf(r)
	for name, want := range map[string]any{"firmware": "2.4.1", "frequency": "5.8G", "antenna": "sector",
		"oldInOctets": 1000.0, "count": 4.0, "iface": "if1"} {
		if v[name] != want {
			t.Errorf("poll 1: %s = %#v, want %#v", name, v[name], want)
		}
	}
	for _, name := range []string{"deltaBytes", "deltaTime", "bps", "strs", "broken"} {
		if _, ok := v[name]; ok {
			t.Errorf("poll 1: %s should be undefined, is %v", name, v[name])
		}
	}
	clk.advance(time.Minute)
	fake.set(vUint("1.3.6.1.2.1.2.2.1.10.1", snmp.Counter32, 7000), vUint(sysUpTime, snmp.TimeTicks, 16000))
	r = poll(p, nil)
	v = varsOf(r)
	for name, want := range map[string]any{"deltaBytes": 6000.0, "deltaTime": 6000.0, "bps": 100.0, "strs": "100.0", "count": 8.0} {
		if v[name] != want {
			t.Errorf("poll 2: %s = %#v, want %#v", name, v[name], want)
		}
	}
	errs, _ := r.Values["errors"].([]string)
	if len(errs) != 1 || !strings.Contains(errs[0], "CALCULATION broken") || !strings.Contains(errs[0], "division by zero") {
		t.Errorf("errors %q", errs)
	}
}

func TestThresholds(t *testing.T) {
	const file = `<parameters>
	"High" = "80"
</parameters>
<snmp-device-properties>
	nomib2 = "true"
</snmp-device-properties>
<snmp-device-variables>
	temp,   1.3.6.1.4.1.99.1.0, INTEGER, "Temperature"
	state,  1.3.6.1.4.1.99.2.0, DEFAULT, "State"
	never,  $missing + 1, CALCULATION, "always undefined"
</snmp-device-variables>
<snmp-device-thresholds>
	critical: $never > 0                 "never evaluated"
	down:     "$state" == "dead"         "Device says ${state}"
	critical: $temp > ${High} + 20       "Temp ${temp} > ${eval: ${High} + 20}"
	ALARM:    $temp > ${High}
	warning:  $temp > 50 && defined("state")  "Warm: ${temp:legend} is $temp"
	okay:     $temp < 0                  "Cold"
</snmp-device-thresholds>
`
	for _, tc := range []struct {
		temp   int64
		state  string
		level  status.Level
		reason string
	}{
		{20, "fine", status.OK, ""},
		{-5, "fine", status.OK, "Cold"},
		{60, "fine", status.Warning, "Warm: Temperature is 60"},
		{90, "fine", status.Alarm, "$temp > ${High}"},
		{101, "fine", status.Critical, "Temp 101 > 100"},
		{101, "dead", status.Down, "Device says dead"},
	} {
		t.Run(fmt.Sprintf("%d-%s", tc.temp, tc.state), func(t *testing.T) {
			fake := newFake(vInt("1.3.6.1.4.1.99.1.0", tc.temp), vStr("1.3.6.1.4.1.99.2.0", tc.state))
			r := poll(newProbe(t, snmpFile(t, file), Deps{SNMP: fake}), nil)
			if r.Level != tc.level || r.Reason != tc.reason {
				t.Errorf("got %v %q, want %v %q", r.Level, r.Reason, tc.level, tc.reason)
			}
			if r.NoResponse {
				t.Error("a down threshold is not a missing response")
			}
		})
	}
	t.Run("undefined skipped", func(t *testing.T) {
		fake := newFake() // nothing answers: every rule needs an undefined variable
		r := poll(newProbe(t, snmpFile(t, file), Deps{SNMP: fake}), nil)
		if r.Level != status.OK || r.Reason != "" {
			t.Errorf("got %v %q", r.Level, r.Reason)
		}
	})
}

func TestDisplay(t *testing.T) {
	f := snmpFile(t, `<snmp-device-properties>
	nomib2 = "true"
</snmp-device-properties>
<snmp-device-variables>
	pi,      1.3.6.1.4.1.99.1.0, DEFAULT, "Pi ($unit)"
	big,     1.3.6.1.4.1.99.2.0, TOTAL-VALUE, "Bytes"
	unit,    "rad", CALCULATION, ""
	half,    4.5 + 0.25, CALCULATION, ""
	pending, 1.3.6.1.4.1.99.3.0, PER-SECOND, "Rate"
</snmp-device-variables>
<snmp-device-alarmpoints>
	Heat: critical ($pi > 3) "too hot at $pi"
	Heat: minor    ($pi > 1) "warm"
	_Hidden: major ($pi > 100) "never"
</snmp-device-alarmpoints>
<snmp-device-display>
<!-- a comment the status window never shows -->
\B5\Test Probe\0P\
  \4\${pi:legend}:\0\ $pi, ${chartable:#.##:$pi}, ${chartable:"%6.3f":$pi} $unit
  half=$half rate=[$pending] ${scalable10:$big}B ${scalable2:#.#:$big}B
  eval=${eval:$half * 2} heat=${Heat} (${Heat:condition}) hidden=${_Hidden}
$alarmpointlist
  undefined $nosuch stays
</snmp-device-display>
`)
	opaque := snmp.Value{OID: "1.3.6.1.4.1.99.1.0", Type: snmp.Opaque, Bytes: snmp.OpaqueDouble(3.14159)}
	fake := newFake(opaque, vUint("1.3.6.1.4.1.99.2.0", snmp.Gauge32, 12304), vUint("1.3.6.1.4.1.99.3.0", snmp.Counter32, 5))
	r := poll(newProbe(t, f, Deps{SNMP: fake}), nil)
	want := "Test Probe\n" +
		"  Pi (rad): 3, 3.14,  3.142 rad\n" +
		"  half=5 rate=[] 12.30 kB 12.0 kB\n" +
		"  eval=9.5 heat=CRIT  (too hot at 3.14159) hidden=CLEAR\n" +
		"CRIT  Heat: too hot at 3.14159\n" +
		"  undefined $nosuch stays"
	if got := text(r); got != want {
		t.Errorf("display text\n got %q\nwant %q", got, want)
	}
	html, _ := r.Values["display_html"].(string)
	if !strings.Contains(html, `<span style="font-weight:bold;color:#2e7d32">Test Probe</span>`) {
		t.Errorf("display html %q", html)
	}
	if r.Level != status.Critical || r.Reason != "Heat: too hot at 3.14159" {
		t.Errorf("alarm point level: %v %q", r.Level, r.Reason)
	}
	pts, _ := r.Values["alarm_points"].([]AlarmPoint)
	if fmt.Sprint(pts) != "[{Heat critical too hot at 3.14159}]" {
		t.Errorf("alarm points %v", pts)
	}
}

func TestAlarmPoints(t *testing.T) {
	const file = `<snmp-device-properties>
	nomib2 = "true"
</snmp-device-properties>
<snmp-device-variables>
	temp,  1.3.6.1.4.1.99.1.0, INTEGER, "Temperature"
	door,  1.3.6.1.4.1.99.2.0, INTEGER, "Door"
</snmp-device-variables>
<snmp-device-thresholds>
	warning: $temp > 30 "Warm"
</snmp-device-thresholds>
<snmp-device-alarmpoints>
	Power: reset  ($temp < -100) "Power cycle"
	Site:  break  ($door = 9) ""
	Temp:  critical ($temp > 60) "VERY_HIGH_TEMP" => PageFred
	Temp:  major    ($temp > 40) "HIGH_TEMP"
	_Door: minor    ($door = 1) "Door open"
	Gone:  down     ($undefinedVar = 1) "never"
</snmp-device-alarmpoints>
`
	for _, tc := range []struct {
		temp, door int64
		level      status.Level
		reason     string
		points     string
	}{
		{20, 0, status.OK, "", "[{Temp clear } {Gone clear }]"},
		{35, 1, status.Warning, "Warm", "[{Temp clear } {_Door minor Door open} {Gone clear }]"},
		{45, 0, status.Alarm, "Temp: HIGH_TEMP", "[{Temp major HIGH_TEMP} {Gone clear }]"},
		{70, 1, status.Critical, "Temp: VERY_HIGH_TEMP", "[{Temp critical VERY_HIGH_TEMP} {_Door minor Door open} {Gone clear }]"},
		{70, 9, status.Warning, "Warm", "[{Temp clear } {Gone clear }]"},
		{-200, 1, status.Unknown, "Power cycle", "[{Temp clear } {Gone clear }]"},
	} {
		t.Run(fmt.Sprintf("%d-%d", tc.temp, tc.door), func(t *testing.T) {
			fake := newFake(vInt("1.3.6.1.4.1.99.1.0", tc.temp), vInt("1.3.6.1.4.1.99.2.0", tc.door))
			r := poll(newProbe(t, snmpFile(t, file), Deps{SNMP: fake}), nil)
			pts, _ := r.Values["alarm_points"].([]AlarmPoint)
			if r.Level != tc.level || r.Reason != tc.reason || fmt.Sprint(pts) != tc.points {
				t.Errorf("got %v %q %v, want %v %q %s", r.Level, r.Reason, pts, tc.level, tc.reason, tc.points)
			}
		})
	}
}
