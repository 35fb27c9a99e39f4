package testsrv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FreeRADIUS starts Debian's freeradius from a copy of its configuration,
// running as root with its run and log folders inside the copy, listening
// on loopback only on free ports, with users (lines of the "files" module's
// authorize file, e.g. `carol Cleartext-Password := "pw"`) placed before
// the stock entries. The shared secret is the stock "testing123". It
// returns the authentication port (UDP, 127.0.0.1) and a stop function
// (also run at cleanup).
func FreeRADIUS(t testing.TB, users string) (port int, stop func()) {
	t.Helper()
	bin := Need(t, "freeradius", "freeradius")
	dir := filepath.Join(t.TempDir(), "raddb")
	if out, err := exec.Command("cp", "-a", "/etc/freeradius/3.0", dir).CombinedOutput(); err != nil {
		t.Skipf("no FreeRADIUS configuration to copy: %v: %s", err, out)
	}
	Edit(t, filepath.Join(dir, "radiusd.conf"), func(f []string) string {
		switch {
		case len(f) >= 3 && f[1] == "=" && (f[0] == "user" || f[0] == "group"):
			return "#"
		case len(f) >= 3 && f[1] == "=" && (f[0] == "run_dir" || f[0] == "logdir"):
			return f[0] + " = " + dir
		case len(f) >= 3 && f[0] == "proxy_requests":
			return "proxy_requests = no"
		}
		return ""
	})
	// The default site's four listeners (auth and accounting, IPv4 and
	// IPv6) in file order: the first is auth over IPv4.
	port = FreePort(t, "udp")
	ports := []int{port, FreePort(t, "udp"), FreePort(t, "udp"), FreePort(t, "udp")}
	Edit(t, filepath.Join(dir, "sites-enabled", "default"), func(f []string) string {
		switch {
		case len(f) == 3 && f[0] == "ipaddr" && f[2] == "*":
			return "ipaddr = 127.0.0.1"
		case len(f) == 3 && f[0] == "ipv6addr" && f[2] == "::":
			return "ipv6addr = ::1"
		case len(f) == 3 && f[0] == "port" && f[2] == "0" && len(ports) > 0:
			p := ports[0]
			ports = ports[1:]
			return fmt.Sprintf("port = %d", p)
		}
		return ""
	})
	inner := FreePort(t, "udp")
	Edit(t, filepath.Join(dir, "sites-enabled", "inner-tunnel"), func(f []string) string {
		if len(f) == 3 && f[0] == "port" && f[2] == "18120" {
			return fmt.Sprintf("port = %d", inner)
		}
		return ""
	})
	authorize := filepath.Join(dir, "mods-config", "files", "authorize")
	old, err := os.ReadFile(authorize)
	if err != nil {
		t.Fatal(err)
	}
	// authorize is a link into /etc: replace it rather than write through.
	_ = os.Remove(authorize)
	if err := os.WriteFile(authorize, append([]byte(users+"\n\n"), old...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stop = Start(t, bin, "-X", "-d", dir)
	return port, stop
}
