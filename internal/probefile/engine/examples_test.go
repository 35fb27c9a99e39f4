package engine

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
	"github.com/vantage-monitor/vantage/internal/status"
)

func TestExampleOIDSingle(t *testing.T) {
	f := example(t, "com.dartware.snmp.oidsingle.txt")
	fake := newFake(vInt("1.3.6.1.2.1.2.1.0", 3), vStr("1.3.6.1.2.1.1.6.0", "Server room"))
	p := newProbe(t, f, Deps{SNMP: fake, Names: names(t)})

	r := poll(p, nil) // defaults: Variable = ifNumber.0
	if got := text(r); got != "  ifNumber.0:  3" {
		t.Errorf("default display %q", got)
	}
	if r.Level != status.OK {
		t.Errorf("level %v %q", r.Level, r.Reason)
	}
	ds, _ := r.Values["datasets"].([]DatasetValue)
	if len(ds) != 1 || ds[0].Value != 3 || ds[0].Tag != "exampletag" {
		t.Errorf("datasets %+v", ds)
	}
	// pdutype = get-request and nomib2: one Get of the one OID.
	if calls := fake.callLog(); len(calls) != 1 || calls[0] != "get 1.3.6.1.2.1.2.1.0" {
		t.Errorf("calls %q", calls)
	}

	r = poll(p, map[string]string{"Variable": "sysLocation.0", "Legend": "Location", "Units": "(room)"})
	if got := text(r); got != "  Location:  Server room (room)" {
		t.Errorf("display %q", got)
	}
}

func TestExampleAPC(t *testing.T) {
	f := example(t, "com.dartware.ups.apc.txt")
	const apc = "1.3.6.1.4.1.318.1.1.1."
	fake := newFake(
		vStr(apc+"1.1.1.0", "Smart-UPS 1500"), vStr(apc+"1.2.1.0", "601.3.I"),
		vUint(apc+"2.1.2.0", snmp.TimeTicks, 0), vUint(apc+"2.2.2.0", snmp.Gauge32, 31),
		vUint(apc+"2.2.1.0", snmp.Gauge32, 100), vUint(apc+"2.2.3.0", snmp.TimeTicks, 372000),
		vStr(apc+"2.1.3.0", "09/12/2023"), vInt(apc+"2.2.4.0", 1),
		vUint(apc+"3.2.1.0", snmp.Gauge32, 230), vUint(apc+"3.2.2.0", snmp.Gauge32, 232), vUint(apc+"3.2.3.0", snmp.Gauge32, 228),
		vUint(apc+"3.2.4.0", snmp.Gauge32, 50),
		vUint(apc+"4.2.3.0", snmp.Gauge32, 27), vUint(apc+"4.2.2.0", snmp.Gauge32, 50), vUint(apc+"4.2.1.0", snmp.Gauge32, 230),
		vUint(apc+"4.2.4.0", snmp.Gauge32, 3), vInt(apc+"2.1.1.0", 2), vInt(apc+"4.1.1.0", 2), vInt(apc+"3.2.5.0", 3),
		vUint(sysUpTime, snmp.TimeTicks, 100),
	)
	p := newProbe(t, f, Deps{SNMP: fake, Names: names(t)})
	r := poll(p, nil)
	if r.Level != status.OK || r.Reason != "" {
		t.Errorf("normal UPS: %v %q", r.Level, r.Reason)
	}
	txt := text(r)
	for _, want := range []string{
		"APC UPS (Single Phase) Information",
		"   Model: Smart-UPS 1500",
		"Firmware: 601.3.I",
		"  Status: On Line (Not On Battery)",
		" Battery: 100 % Charge,   left.", // timeLeft cuts 11 characters from "1:02:00.00"
		"Battery temperature is  31 °C  /  88 °F.",
		"Last replaced on  09/12/2023 and still functioning.",
		"  Output: 27 % Load;  230 Volts;  50 Hz;  3.0 Amps.",
		"   Input: 230 Volts (228-232V over last minute); 50 Hz.",
		"Last input failure was a  Brown Out.",
		"Bugs or Requests? Please contact us. <mailto:upsbundle@intermapper.com>",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("display lacks %q:\n%s", want, txt)
		}
	}
	if v := varsOf(r); v["batTempF"] != 87.8 || v["batUnits"] != "°C" || v["tempRange"] != nil {
		// tempRange reads batUnits, computed after it: defined from the second poll on.
		t.Errorf("vars %v", v)
	}

	// On battery, and too hot in Fahrenheit.
	fake.set(vInt(apc+"4.1.1.0", 3), vUint(apc+"2.1.2.0", snmp.TimeTicks, 12000))
	r = poll(p, nil)
	if r.Level != status.Alarm || r.Reason != "UPS has been running on battery for 0:02:00.00 seconds." {
		t.Errorf("on battery: %v %q", r.Level, r.Reason)
	}
	fake.set(vInt(apc+"4.1.1.0", 4))
	r = poll(p, map[string]string{"Units of Temperature (C / F)": "F", "Warning Threshold - High Temp": "85", "Alarm Threshold - High Temp": "100"})
	if r.Level != status.Warning || r.Reason != "Abnormal Input, Status = On Smart Boost" {
		t.Errorf("smart boost: %v %q", r.Level, r.Reason)
	}
	fake.set(vInt(apc+"4.1.1.0", 2))
	r = poll(p, map[string]string{"Units of Temperature (C / F)": "F", "Warning Threshold - High Temp": "85", "Alarm Threshold - High Temp": "100"})
	if r.Level != status.Warning || r.Reason != "UPS battery temperature Warning: 87.8 °F (Optimal Range: 10-85 °F)" {
		t.Errorf("too warm: %v %q", r.Level, r.Reason)
	}
}

// TestExampleOIDSingleSnmpd polls a real net-snmp agent.
func TestExampleOIDSingleSnmpd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts snmpd")
	}
	addr, port := snmptest.StartSnmpd(t, "sysLocation Lab rack 7\nsysContact noc@example.test\n")
	client, err := snmp.New(snmp.DefaultConfig(), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	f := example(t, "com.dartware.snmp.oidsingle.txt")
	p := newProbe(t, f, Deps{SNMP: client, Names: names(t)})
	target := probe.Target{Address: addr, Timeout: 10 * time.Second,
		SNMP:   snmp.Credentials{Version: "2c", Community: snmptest.Community, Port: port},
		Params: map[string]string{"Variable": "sysLocation.0", "Legend": "Location"}}
	r := p.Poll(context.Background(), target)
	if r.Level != status.OK || text(r) != "  Location:  Lab rack 7" {
		t.Errorf("sysLocation: %v %q %q", r.Level, r.Reason, text(r))
	}
	if html, _ := r.Values["display_html"].(string); !strings.Contains(html, "Lab rack 7") {
		t.Errorf("html %q", html)
	}

	// A full custom-snmp probe: MIB-II counters as rates, an enum label.
	f = snmpFile(t, `<snmp-device-variables>
	contact, SNMPv2-MIB::sysContact.0, DEFAULT, "Contact"
	loOper,  ifOperStatus.1, STRING, "Loopback"
	loIn,    ifInOctets.1, PER-SECOND, "Loopback in"
	ifs,     ifNumber.0, DEFAULT, "Interfaces"
</snmp-device-variables>
<snmp-device-thresholds>
	warning: "$loOper" != "up" "loopback is $loOper"
</snmp-device-thresholds>
<snmp-device-display>
$contact $loOper $ifs
</snmp-device-display>
`)
	p = newProbe(t, f, Deps{SNMP: client, Names: names(t)})
	target.Params = nil
	r = p.Poll(context.Background(), target)
	if r.Level != status.OK || !strings.HasPrefix(text(r), "noc@example.test up ") {
		t.Errorf("mib-2 probe: %v %q %q", r.Level, r.Reason, text(r))
	}
	if v := varsOf(r); v["loOper"] != "up" || v["ifs"] == nil {
		t.Errorf("vars %v", v)
	}

	// A silent port: no response, and no pinger to fall back on.
	target.SNMP.Community = "wrong"
	cfg := snmp.DefaultConfig()
	cfg.Timeout, cfg.Retries = 200*time.Millisecond, 0
	client2, err := snmp.New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client2.Close()
	r = newProbe(t, f, Deps{SNMP: client2, Names: names(t)}).Poll(context.Background(), target)
	if r.Level != status.Down || !r.NoResponse || r.Reason != "No SNMP Response." {
		t.Errorf("wrong community: %v %v %q", r.Level, r.NoResponse, r.Reason)
	}
}
