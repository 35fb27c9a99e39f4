package engine

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/tcpscript"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// FuzzPoll builds probes from arbitrary probe files and polls them (and
// sends them a trap) against a fake agent: nothing may panic, not even
// inside the guard that turns panics into results. Command-line probes are
// left out: a fuzzed file could name any program.
func FuzzPoll(f *testing.F) {
	for _, name := range []string{"com.dartware.snmp.oidsingle.txt", "com.dartware.ups.apc.txt",
		"com.dartware.snmp.trapdisplay.txt", "com.dartware.tcp.http", "com.dartware.snmp.prototype.txt"} {
		if b, err := os.ReadFile(filepath.Join(examplesDir(f), name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<header>
type="custom-snmp" package="a" probe_name="b" human_name="c" version="1"
</header>
<snmp-device-variables>
x, 1.3.6.1.4.1.99.1.0, DEFAULT, "${x:legend}"
y, $x / 0, CALCULATION, "$y"
z, ${Var}+, PER-SECOND, ""
t, $VarbindValue1, TRAPVARIABLE-PER-SECOND, ""
</snmp-device-variables>
<snmp-device-thresholds>
alarm: $x =~ "(" "bad regex ${eval:1/0}"
</snmp-device-thresholds>
<snmp-device-alarmpoints>
P: reset (1) "${P:condition}"
</snmp-device-alarmpoints>
<snmp-device-display>
${chartable:#.##:$x} ${scalable2:$z} ${x:legend} $alarmpointlist
</snmp-device-display>
`))
	fake := newFake(vInt("1.3.6.1.4.1.99.1.0", 5), vStr("1.3.6.1.2.1.1.6.0", "here"),
		vUint(sysUpTime, snmp.TimeTicks, 9), vUint("1.3.6.1.2.1.2.2.1.10.1", snmp.Counter32, 7))
	refuse := func(context.Context, string, string, bool) (tcpscript.Conn, error) {
		return nil, &net.OpError{Op: "dial", Err: errors.New("refused")}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := probefile.Parse("fuzz.txt", data)
		if err != nil || file.Header.Type == probefile.CmdLine {
			return
		}
		info, err := Info(file, Deps{SNMP: fake, Names: names(t), Dial: refuse})
		if err != nil {
			return
		}
		p := info.New()
		target := probe.Target{Address: "192.0.2.1", Timeout: time.Second, Params: map[string]string{"Var": "ifInOctets"}}
		for range 2 {
			if r := p.Poll(context.Background(), target); strings.HasPrefix(r.Reason, "probe failed:") {
				t.Fatalf("poll panicked: %s", r.Reason)
			}
		}
		if h, ok := p.(TrapHandler); ok {
			vbs := []snmp.Value{vInt("1.3.6.1.4.1.99.1.0", 1), vStr("1.3.6.1.4.1.99.2.0", "x")}
			if r := h.HandleTrap(trapVars("1.3.6.1.4.1.99.0.1", vbs), vbs, ""); strings.HasPrefix(r.Reason, "probe failed:") {
				t.Fatalf("trap panicked: %s", r.Reason)
			}
		}
	})
}
