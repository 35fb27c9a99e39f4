package probe

// The UDP probes against real Debian servers, each on 127.0.0.1 or inside
// a network namespace made for the test: chrony (NTP), FreeRADIUS,
// tftpd-hpa and dnsmasq (DHCP). A missing server skips its test, or fails
// it when CI=true (`make test-deps` installs them).

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/testsrv"

	"github.com/vantage-monitor/vantage/internal/icmp/netnstest"
	"github.com/vantage-monitor/vantage/internal/status"
)

// pollUntil polls until the result is not Down (the server has started),
// at most 50 times; the last result is returned either way.
func pollUntil(t *testing.T, p Probe, target Target) status.Result {
	t.Helper()
	var r status.Result
	for range 50 {
		if r = p.Poll(context.Background(), target); r.Level != status.Down {
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
	return r
}

func TestNTPChrony(t *testing.T) {
	bin := testsrv.Need(t, "chronyd", "chrony")
	dir := t.TempDir()
	port := closedUDPPort(t)
	conf := fmt.Sprintf("port %d\nbindaddress 127.0.0.1\ncmdport 0\nlocal stratum 8\nallow 127.0.0.1\npidfile %s/chronyd.pid\n", port, dir)
	if err := os.WriteFile(filepath.Join(dir, "chrony.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// -x: never touch the system clock; -d: foreground, log to stderr.
	testsrv.Start(t, bin, "-d", "-x", "-u", "root", "-f", filepath.Join(dir, "chrony.conf"))
	target := Target{Address: "127.0.0.1", Params: map[string]string{"port": fmt.Sprint(port), "timeout": "1s"}}
	r := pollUntil(t, NTPInfo().New(), target)
	wantResult(t, r, status.OK, "")
	if r.Values["stratum"] != 8 || r.Values["refid"] != "127.127.1.1" {
		t.Fatalf("values %v, want stratum 8 from the local reference", r.Values)
	}
	// The server is this machine's clock: any offset is measurement noise.
	if off := r.Values["offset_ms"].(float64); off < -100 || off > 100 {
		t.Fatalf("offset %v ms against our own clock", off)
	}
	target.Params["stratum_warning"] = "7"
	wantResult(t, NTPInfo().New().Poll(context.Background(), target), status.Warning, "stratum 8 > 7")
}

func TestRADIUSFreeRADIUS(t *testing.T) {
	port, _ := testsrv.FreeRADIUS(t, "vantage Cleartext-Password := \"probe-pass\"")

	params := func(kv ...string) Target {
		p := map[string]string{"port": fmt.Sprint(port), "Shared Secret": "testing123", "User Name": "vantage", "Password": "probe-pass", "timeout": "2s", "attempts": "2"}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return Target{Address: "127.0.0.1", Params: p}
	}
	r := pollUntil(t, RADIUSInfo().New(), params())
	wantResult(t, r, status.OK, "")
	if r.Values["result"] != "accept" {
		t.Fatalf("result %v", r.Values["result"])
	}
	for _, tc := range []struct {
		name   string
		target Target
		level  status.Level
		reason string
	}{
		{"wrong password", params("Password", "wrong"), status.Alarm, `Access-Reject for user "vantage"`},
		{"reject expected", params("Password", "wrong", "expect", "reject"), status.OK, ""},
		{"long password", params("Password", strings.Repeat("x", 40)), status.Alarm, "Access-Reject"},
		// FreeRADIUS drops a request whose Message-Authenticator does not
		// verify: a wrong secret is silence.
		{"wrong secret", params("Shared Secret", "not-the-secret", "timeout", "600ms"), status.Down, "wrong shared secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantResult(t, RADIUSInfo().New().Poll(context.Background(), tc.target), tc.level, tc.reason)
		})
	}
}

func TestTFTPHPA(t *testing.T) {
	bin := testsrv.Need(t, "in.tftpd", "tftpd-hpa")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "boot.cfg"), []byte(strings.Repeat("x", 700)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := closedUDPPort(t)
	testsrv.Start(t, bin, "-L", "-u", "root", "-a", fmt.Sprintf("127.0.0.1:%d", port), "-s", dir)
	target := func(file string) Target {
		return Target{Address: "127.0.0.1", Params: map[string]string{"port": fmt.Sprint(port), "file": file, "timeout": "1s"}}
	}
	r := pollUntil(t, TFTPInfo().New(), target("boot.cfg"))
	wantResult(t, r, status.OK, "")
	if r.Values["first_block_bytes"] != 512 {
		t.Fatalf("values %v", r.Values)
	}
	wantResult(t, TFTPInfo().New().Poll(context.Background(), target("missing.cfg")), status.Alarm, `TFTP error 1 for "missing.cfg": File not found`)
}

// TestDHCPDnsmasq runs dnsmasq as a DHCP server inside a namespace and
// polls it from the host as a relay agent: the DISCOVER goes by unicast
// over the veth with giaddr = the host's end, and the OFFER comes back by
// unicast to that address, port 67. Nothing is broadcast anywhere.
func TestDHCPDnsmasq(t *testing.T) {
	bin := testsrv.Need(t, "dnsmasq", "dnsmasq-base")
	ns := netnstest.New(t, "dhcp")
	host := ns.HostAddr().As4()
	// The pool sits in the /24 around giaddr (dnsmasq picks a relayed
	// request's range by giaddr); it is only ever offered, never used.
	lo, hi := host, host
	lo[3], hi[3] = 200, 210
	if host[3] >= 200 {
		lo[3], hi[3] = 10, 20
	}
	dir := t.TempDir()
	testsrv.Start(t, "ip", "netns", "exec", ns.Name(), bin, "--keep-in-foreground", "--conf-file=/dev/null", "--user=root", "--pid-file=",
		"--port=0", "--no-ping", "--log-dhcp", "--log-facility=-", "--dhcp-leasefile="+filepath.Join(dir, "leases"),
		fmt.Sprintf("--dhcp-range=%s,%s,255.255.255.0,1h", netip.AddrFrom4(lo), netip.AddrFrom4(hi)),
		"--dhcp-option=option:router,"+ns.HostAddr().String())
	target := Target{Address: ns.Addr().String(), Params: map[string]string{"timeout": "1s", "DHCP Client ID": "vantage-test"}}
	r := pollUntil(t, DHCPInfo().New(), target)
	wantResult(t, r, status.OK, "")
	if r.Values["reply"] != "DHCPOFFER" || r.Values["server_id"] != ns.Addr().String() || r.Values["lease_s"] != int64(3600) {
		t.Fatalf("values %v", r.Values)
	}
	if a, err := netip.ParseAddr(fmt.Sprint(r.Values["offered_address"])); err != nil || a.Compare(netip.AddrFrom4(lo)) < 0 || a.Compare(netip.AddrFrom4(hi)) > 0 {
		t.Fatalf("offered %v, want one in %s-%s", r.Values["offered_address"], netip.AddrFrom4(lo), netip.AddrFrom4(hi))
	}
	if r.Values["router"] != ns.HostAddr().String() {
		t.Fatalf("router %v", r.Values["router"])
	}
	target.Params["DHCP Router Address"] = "198.51.100.1"
	wantResult(t, DHCPInfo().New().Poll(context.Background(), target), status.Alarm, "router "+ns.HostAddr().String()+", expected 198.51.100.1")
	delete(target.Params, "DHCP Router Address")
	target.Params["message_type"] = "DHCPINFORM"
	r = DHCPInfo().New().Poll(context.Background(), target)
	wantResult(t, r, status.OK, "")
	if r.Values["reply"] != "DHCPACK" {
		t.Fatalf("INFORM values %v", r.Values)
	}
}
