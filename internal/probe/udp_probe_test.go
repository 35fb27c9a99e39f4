package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

// udpServer answers datagrams on 127.0.0.1 with handle (nil reply: stay
// silent) until the test ends.
func udpServer(t *testing.T, handle func(req []byte) []byte) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := handle(append([]byte(nil), buf[:n]...)); out != nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// closedUDPPort is a loopback port nothing listens on.
func closedUDPPort(t *testing.T) int {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func pollUDP(t *testing.T, p Probe, params map[string]string) status.Result {
	t.Helper()
	return p.Poll(context.Background(), Target{Address: "127.0.0.1", Params: params})
}

func wantResult(t *testing.T, r status.Result, level status.Level, reason string) {
	t.Helper()
	if r.Level != level || !strings.Contains(r.Reason, reason) {
		t.Fatalf("got %s %q, want %s containing %q", r.Level, r.Reason, level, reason)
	}
}

func TestNTPProbeFake(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reply   func(req []byte) []byte
		params  map[string]string
		level   status.Level
		reason  string
		stratum any
	}{
		{name: "in sync", reply: func(q []byte) []byte {
			return ntpServerReply(binary.BigEndian.Uint64(q[40:]), 3, 0, time.Now())
		}, level: status.OK, stratum: 3},
		{name: "offset alarm", reply: func(q []byte) []byte {
			return ntpServerReply(binary.BigEndian.Uint64(q[40:]), 3, 0, time.Now().Add(-5*time.Second))
		}, level: status.Alarm, reason: "clock offset -5", stratum: 3},
		{name: "offset warning", reply: func(q []byte) []byte {
			return ntpServerReply(binary.BigEndian.Uint64(q[40:]), 3, 0, time.Now().Add(time.Minute))
		}, params: map[string]string{"offset_alarm": ""}, level: status.Warning, reason: "warning threshold"},
		{name: "stratum", reply: func(q []byte) []byte {
			return ntpServerReply(binary.BigEndian.Uint64(q[40:]), 9, 0, time.Now())
		}, params: map[string]string{"stratum_warning": "8"}, level: status.Warning, reason: "stratum 9 > 8"},
		{name: "unsynchronised", reply: func(q []byte) []byte {
			return ntpServerReply(binary.BigEndian.Uint64(q[40:]), 16, 3, time.Now())
		}, level: status.Alarm, reason: "not synchronised (stratum 16, leap indicator 3)"},
		{name: "kiss of death", reply: func(q []byte) []byte {
			b := ntpServerReply(binary.BigEndian.Uint64(q[40:]), 0, 3, time.Time{})
			copy(b[12:], "RATE")
			return b
		}, level: status.Alarm, reason: `kiss-o'-death "RATE"`},
		{name: "malformed", reply: func(q []byte) []byte {
			b := ntpServerReply(binary.BigEndian.Uint64(q[40:]), 2, 0, time.Now())
			b[0] = 4<<3 | 1 // symmetric active
			return b
		}, level: status.Alarm, reason: "malformed NTP reply"},
		{name: "stray replies ignored", reply: func(q []byte) []byte {
			return ntpServerReply(12345, 2, 0, time.Now())
		}, params: map[string]string{"timeout": "300ms", "attempts": "2"}, level: status.Down, reason: "no NTP reply on UDP port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := udpServer(t, tc.reply)
			params := map[string]string{"port": fmt.Sprint(port)}
			for k, v := range tc.params {
				params[k] = v
			}
			r := pollUDP(t, ntpProbe{}, params)
			wantResult(t, r, tc.level, tc.reason)
			if tc.stratum != nil && r.Values["stratum"] != tc.stratum {
				t.Fatalf("stratum %v", r.Values["stratum"])
			}
			if tc.level == status.OK {
				if _, ok := r.Values["offset_ms"].(float64); !ok {
					t.Fatalf("no offset_ms in %v", r.Values)
				}
				if _, ok := r.Values["rtt_ms"].(float64); !ok {
					t.Fatalf("no rtt_ms in %v", r.Values)
				}
			}
		})
	}
}

// Silence and ICMP port unreachable are both Down, told apart.
func TestUDPNoService(t *testing.T) {
	for _, info := range UDPInfos() {
		t.Run(info.ID, func(t *testing.T) {
			params := map[string]string{"port": fmt.Sprint(closedUDPPort(t)), "timeout": "2s", "secret": "s", "user": "u", "file": "f", "name": "www.example.test",
				"giaddr": "127.0.0.1", "local_port": fmt.Sprint(closedUDPPort(t))}
			r := info.New().Poll(context.Background(), Target{Address: "127.0.0.1", Params: params})
			if r.Level != status.Down || !r.NoResponse {
				t.Fatalf("closed port: %s %q", r.Level, r.Reason)
			}
			if info.ID != "vantage.tftp" && !strings.Contains(r.Reason, "unreachable") {
				t.Fatalf("closed port reason %q, want port unreachable", r.Reason)
			}
			silent := udpServer(t, func([]byte) []byte { return nil })
			params["port"], params["timeout"] = fmt.Sprint(silent), "300ms"
			r = info.New().Poll(context.Background(), Target{Address: "127.0.0.1", Params: params})
			if r.Level != status.Down || !r.NoResponse || !strings.Contains(r.Reason, "within 300ms") {
				t.Fatalf("silent server: %s %q", r.Level, r.Reason)
			}
		})
	}
}

func TestUDPEchoFake(t *testing.T) {
	port := udpServer(t, func(q []byte) []byte { return q })
	r := pollUDP(t, echoProbe{}, map[string]string{"port": fmt.Sprint(port)})
	wantResult(t, r, status.OK, "")
	if _, ok := r.Values["rtt_ms"]; !ok {
		t.Fatalf("no rtt_ms: %v", r.Values)
	}
	bad := udpServer(t, func(q []byte) []byte { return append([]byte("X"), q...) })
	wantResult(t, pollUDP(t, echoProbe{}, map[string]string{"port": fmt.Sprint(bad)}), status.Alarm, "echo differs")
}

func TestRADIUSProbeFake(t *testing.T) {
	const secret = "testing123"
	serve := func(code byte, signWith string) func([]byte) []byte {
		return func(q []byte) []byte {
			var req radiusRequest
			req.id = q[1]
			copy(req.authenticator[:], q[4:20])
			return radiusServerReply(req, signWith, code)
		}
	}
	for _, tc := range []struct {
		name   string
		handle func([]byte) []byte
		expect string
		level  status.Level
		reason string
	}{
		{"accept", serve(radiusAccessAccept, secret), "", status.OK, ""},
		{"reject", serve(radiusAccessReject, secret), "", status.Alarm, `Access-Reject for user "bob"`},
		{"reject expected", serve(radiusAccessReject, secret), "reject", status.OK, ""},
		{"accept unexpected", serve(radiusAccessAccept, secret), "reject", status.Alarm, "which should be rejected"},
		{"challenge", serve(radiusAccessChallenge, secret), "", status.Warning, "Access-Challenge"},
		{"wrong secret", serve(radiusAccessAccept, "other"), "", status.Alarm, "shared secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := udpServer(t, tc.handle)
			r := pollUDP(t, radiusProbe{}, map[string]string{"port": fmt.Sprint(port), "secret": secret, "user": "bob", "password": "pw", "expect": tc.expect})
			wantResult(t, r, tc.level, tc.reason)
		})
	}
}

func TestUDPParamsRefused(t *testing.T) {
	for _, tc := range []struct {
		info   Info
		params map[string]string
		want   string
	}{
		{RADIUSInfo(), map[string]string{"user": "u"}, "parameter secret"},
		{RADIUSInfo(), map[string]string{"secret": "s"}, "parameter user"},
		{RADIUSInfo(), map[string]string{"secret": "s", "user": "u", "expect": "maybe"}, "parameter expect"},
		{TFTPInfo(), map[string]string{}, "parameter file"},
		{DHCPInfo(), map[string]string{"message_type": "DHCPREQUEST"}, "parameter message_type"},
		{DHCPInfo(), map[string]string{"hwaddr": "zz"}, "parameter hwaddr"},
		{NTPInfo(), map[string]string{"version": "5"}, "parameter version"},
		{DNSInfo(), map[string]string{"name": "printer"}, `"printer" is not fully qualified; write printer.example.com`},
		{DNSInfo(), map[string]string{"name": "www.example.com", "type": "BOGUS"}, "parameter type"},
		{UDPEchoInfo(), map[string]string{"attempts": "0"}, "parameter attempts"},
	} {
		t.Run(tc.info.ID+" "+tc.want, func(t *testing.T) {
			err := tc.info.CheckParams(tc.params)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			r := tc.info.New().Poll(context.Background(), Target{Address: "127.0.0.1", Params: tc.params})
			if r.Level != status.Unknown {
				t.Fatalf("poll with bad params: %s %q", r.Level, r.Reason)
			}
		})
	}
}
