package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

const trapHeader = `<header>
	type = "custom-snmp-trap"
	package = "com.example"
	probe_name = "traps"
	human_name = "Trap test"
	version = "1.0"
</header>
`

// trapVars builds the special variables of a v2c trap with vbs, as the
// trap receiver does.
func trapVars(trapOID string, vbs []snmp.Value) map[string]string {
	m := map[string]string{"$GenericTrap": "6", "$SpecificTrap": "0", "$TimeStamp": "4567890",
		"$TrapOID": trapOID, "$SnmpVersion": "1", "$CommunityString": "public",
		"$AgentAddress": "192.0.2.9", "$SenderAddress": "192.0.2.9", "$VarbindCount": strconv.Itoa(len(vbs))}
	for i, v := range vbs[:min(len(vbs), 50)] {
		n := strconv.Itoa(i + 1)
		m["$VarbindValue"+n], m["$VarbindType"+n], m["$VarbindOID"+n] = v.AsString(), v.Type.String(), v.OID
	}
	return m
}

func TestTrapProbe(t *testing.T) {
	f := parse(t, trapHeader+`<parameters>
	"Limit" = "90"
</parameters>
<snmp-device-variables>
	generic,  $GenericTrap,       TRAPVARIABLE, "Generic"
	last,     $VarbindValue50,    TRAPVARIABLE, "Fiftieth"
	lastType, $VarbindType50,     TRAPVARIABLE-STRING, "Fiftieth type"
	temp,     1.3.6.1.4.1.99.2.1.0, TRAPVARIABLE, "Temperature"
	crash,    1.3.6.1.4.1.99.0.7?:sysUpTime.0, TRAPVARIABLE, "Uptime at crash"
	status,   1.3.6.1.4.1.99.2.2.0, TRAPVARIABLE-STRING, "Status"
	hot,      $temp > ${Limit}, CALCULATION, ""
</snmp-device-variables>
<snmp-device-thresholds>
	critical: $crash > 0            "Crashed after ${crash} ticks"
	alarm:    $hot                  "Hot: $temp"
	warning:  $last = 50            "Fifty varbinds, the last is $lastType"
	okay:     "$status" == "fine"   "Status fine"
</snmp-device-thresholds>
<snmp-device-display>
temp=$temp status=$status generic=$generic
</snmp-device-display>
`)
	clk := newClock()
	info, err := Info(f, Deps{Names: names(t), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if info.Shareable {
		t.Error("trap probes are per device")
	}
	p := info.New()
	h, ok := p.(TrapHandler)
	if !ok {
		t.Fatal("trap probe does not implement TrapHandler")
	}
	if r := poll(p, nil); r.Level != status.Unknown || r.Reason != "waiting for traps" {
		t.Fatalf("before any trap: %v %q", r.Level, r.Reason)
	}

	send := func(trapOID string, vbs ...snmp.Value) status.Result {
		return h.HandleTrap(trapVars(trapOID, vbs), vbs, trapOID)
	}
	// A trap with only the temperature: rules needing other trap variables
	// are skipped.
	r := send("1.3.6.1.4.1.99.0.1", vInt("1.3.6.1.4.1.99.2.1.0", 95))
	if r.Level != status.Alarm || r.Reason != "Hot: 95" {
		t.Errorf("hot trap: %v %q", r.Level, r.Reason)
	}
	if got := text(r); got != "temp=95 status= generic=6" {
		t.Errorf("display %q", got)
	}
	// The state stays until the next trap; polling does no I/O.
	clk.advance(time.Minute)
	if r := poll(p, nil); r.Level != status.Alarm || r.Reason != "Hot: 95" || !r.Time.Equal(clk.now()) {
		t.Errorf("poll after trap: %v %q %v", r.Level, r.Reason, r.Time)
	}

	// Fifty varbinds: $VarbindValue50 is typed from the varbind.
	vbs := make([]snmp.Value, 50)
	for i := range vbs {
		vbs[i] = vInt(fmt.Sprintf("1.3.6.1.4.1.99.3.%d.0", i+1), int64(i+1))
	}
	r = send("1.3.6.1.4.1.99.0.2", vbs...)
	if r.Level != status.Warning || r.Reason != "Fifty varbinds, the last is INTEGER" {
		t.Errorf("fifty varbinds: %v %q (vars %v)", r.Level, r.Reason, varsOf(r))
	}
	if v := varsOf(r); v["temp"] != nil || v["last"] != 50.0 {
		t.Errorf("a variable the trap did not carry must be undefined: %v", v)
	}

	// The conditional form is set only by its trap OID.
	up := snmp.Value{OID: sysUpTime, Type: snmp.TimeTicks, Uint: 4242}
	if r := send("1.3.6.1.4.1.99.0.8", up); r.Level != status.OK || r.Reason != "" {
		t.Errorf("other trap OID: %v %q %v", r.Level, r.Reason, varsOf(r))
	}
	if r := send("1.3.6.1.4.1.99.0.7", up); r.Level != status.Critical || r.Reason != "Crashed after 0:00:42.42 ticks" {
		t.Errorf("crash trap: %v %q", r.Level, r.Reason)
	}
	r = send("1.3.6.1.4.1.99.0.3", vStr("1.3.6.1.4.1.99.2.2.0", "fine"))
	if r.Level != status.OK || r.Reason != "Status fine" {
		t.Errorf("status trap: %v %q", r.Level, r.Reason)
	}
}

func TestTrapVariablesOnSNMPProbe(t *testing.T) {
	f := snmpFile(t, `<snmp-device-variables>
	load,   1.3.6.1.4.1.99.1.0, INTEGER, "Load"
	event,  $VarbindValue1, TRAPVARIABLE-STRING, "Event"
	count,  $VarbindValue2, TRAPVARIABLE-PER-MINUTE, "Events per minute"
</snmp-device-variables>
<snmp-device-thresholds>
	alarm:   "$event" == "fault" "Fault reported (load $load)"
	warning: $count > 10 "Trap storm: $count/min"
</snmp-device-thresholds>
`)
	clk := newClock()
	fake := newFake(vInt("1.3.6.1.4.1.99.1.0", 3), vUint(sysUpTime, snmp.TimeTicks, 10))
	p := newProbe(t, f, Deps{SNMP: fake, Now: clk.now})
	h, ok := p.(TrapHandler)
	if !ok {
		t.Fatal("a custom-snmp probe with TRAPVARIABLEs must take traps")
	}
	if r := poll(p, nil); r.Level != status.OK {
		t.Fatalf("poll: %v %q", r.Level, r.Reason)
	}
	vbs := []snmp.Value{vStr("1.3.6.1.4.1.99.9.1", "fault"), vUint("1.3.6.1.4.1.99.9.2", snmp.Counter32, 100)}
	if r := h.HandleTrap(trapVars("1.3.6.1.4.1.99.0.1", vbs), vbs, ""); r.Level != status.Alarm || r.Reason != "Fault reported (load 3)" {
		t.Errorf("trap: %v %q", r.Level, r.Reason)
	}
	clk.advance(30 * time.Second)
	vbs = []snmp.Value{vStr("1.3.6.1.4.1.99.9.1", "info"), vUint("1.3.6.1.4.1.99.9.2", snmp.Counter32, 110)}
	if r := h.HandleTrap(trapVars("1.3.6.1.4.1.99.0.1", vbs), vbs, ""); r.Level != status.Warning || r.Reason != "Trap storm: 20/min" {
		t.Errorf("second trap: %v %q", r.Level, r.Reason)
	}
	// A probe without TRAPVARIABLEs does not take traps.
	plainProbe := newProbe(t, snmpFile(t, "<snmp-device-variables>\n x, 1.3.6.1.4.1.1.0, DEFAULT, \"\"\n</snmp-device-variables>\n"), Deps{SNMP: fake})
	if _, ok := plainProbe.(TrapHandler); ok {
		t.Error("a probe without trap variables should not be a TrapHandler")
	}
}

func TestTrapViewerExample(t *testing.T) {
	f := example(t, "com.dartware.snmp.trapdisplay.txt")
	p := newProbe(t, f, Deps{Names: names(t)})
	h := p.(TrapHandler)
	vbs := []snmp.Value{
		vStr("1.3.6.1.4.1.6306.2.1.1.0", "05/08 23:26:35"), vStr("1.3.6.1.4.1.6306.2.1.2.0", "Critical"),
		vStr("1.3.6.1.4.1.6306.2.1.3.0", "Big Router"), vStr("1.3.6.1.4.1.6306.2.1.4.0", "Critical: High Traffic"),
	}
	vars := trapVars("1.3.6.1.4.1.6306.0.123", vbs)
	vars["$GenericTrap"], vars["$SpecificTrap"], vars["$Enterprise"], vars["$SnmpVersion"] = "6", "123", "1.3.6.1.4.1.6306", "0"
	delete(vars, "$TrapOID")
	r := h.HandleTrap(vars, vbs, "")
	txt := text(r)
	for _, want := range []string{
		"CommunityString:  public", "TimeStamp:  4567890", "SpecificTrap:  123 (v1 only)",
		"Enterprise:  1.3.6.1.4.1.6306 (v1 only)", "SnmpVersion:  0 (0=SNMPv1; 1=SNMPv2c)", "VarbindCount:  4",
		"Device Status:  Critical", "Condition String:  Critical: High Traffic",
		"VarBindList #2:  Critical / STRING / 1.3.6.1.4.1.6306.2.1.2.0",
		"VarBindList #5:   /  /", // no fifth varbind: empty
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("display lacks %q:\n%s", want, txt)
		}
	}
	if r.Level != status.OK {
		t.Errorf("level %v %q", r.Level, r.Reason)
	}
}

func TestConcurrentPollAndTraps(t *testing.T) {
	f := snmpFile(t, `<snmp-device-variables>
	load,  1.3.6.1.4.1.99.1.0, PER-SECOND, "Load"
	event, $VarbindValue1, TRAPVARIABLE, "Event"
	sum,   $load + $event, CALCULATION, ""
</snmp-device-variables>
<snmp-device-thresholds>
	alarm: $sum > 5 "sum $sum"
</snmp-device-thresholds>
<snmp-device-display>
$load $event $sum
</snmp-device-display>
`)
	fake := newFake(vUint("1.3.6.1.4.1.99.1.0", snmp.Counter32, 1), vUint(sysUpTime, snmp.TimeTicks, 10))
	p := newProbe(t, f, Deps{SNMP: fake})
	h := p.(TrapHandler)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			vbs := []snmp.Value{vInt("1.3.6.1.4.1.99.9.1", int64(i))}
			h.HandleTrap(trapVars("1.3.6.1.4.1.99.0.1", vbs), vbs, "")
		}
	}()
	for i := range 200 {
		fake.set(vUint("1.3.6.1.4.1.99.1.0", snmp.Counter32, uint64(i*10)))
		if r := poll(p, nil); strings.HasPrefix(r.Reason, "probe failed") {
			t.Fatal(r.Reason)
		}
	}
	<-done
}
