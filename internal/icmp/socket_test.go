package icmp

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPermissionError(t *testing.T) {
	eperm := os.NewSyscallError("socket", syscall.EPERM)
	eacces := os.NewSyscallError("socket", syscall.EACCES)
	for _, tc := range []struct {
		name        string
		raw, dgram  error
		want, avoid []string
	}{
		{"both refused", eperm, eacces,
			[]string{"run vantage as root", "setcap cap_net_raw+ep /usr/bin/vantage", `sysctl -w net.ipv4.ping_group_range="0 2147483647"`, "group 1000", `currently "1 0"`},
			nil},
		{"raw mode only", eperm, nil,
			[]string{"CAP_NET_RAW", "setcap cap_net_raw+ep /usr/bin/vantage"},
			[]string{"ping_group_range"}},
		{"dgram mode only", nil, eacces,
			[]string{"ping_group_range", "permission denied"},
			[]string{"setcap"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := permissionError(tc.raw, tc.dgram, 1000, "1\t0", "/usr/bin/vantage")
			if !errors.Is(err, ErrPermission) {
				t.Errorf("%v does not wrap ErrPermission", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%v", w, err)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(err.Error(), a) {
					t.Errorf("message has %q:\n%v", a, err)
				}
			}
		})
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{eperm, true},
		{eacces, true},
		{os.NewSyscallError("socket", syscall.EAFNOSUPPORT), false},
		{nil, false},
	} {
		if got := isPermission(tc.err); got != tc.want {
			t.Errorf("isPermission(%v) = %v", tc.err, got)
		}
	}
}

// TestOpenWithoutPermission runs this test binary again as user nobody,
// who may open neither raw sockets nor (with ping_group_range "1 0", the
// kernel default) ping sockets, and checks the advice Open gives.
func TestOpenWithoutPermission(t *testing.T) {
	if os.Getenv("VANTAGE_ICMP_NOPERM_CHILD") == "1" {
		e, err := Open(DefaultConfig(), nil)
		if err == nil {
			e.Close()
			fmt.Println("CHILD-SKIP: nobody may open ICMP sockets on this host")
			return
		}
		fmt.Println("CHILD-ERROR:", err)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a child process as nobody")
	}
	// The test binary lives in a directory only root can read: copy it.
	dir, err := os.MkdirTemp("", "vantage-icmp-noperm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "icmp.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestOpenWithoutPermission$")
	cmd.Env = append(os.Environ(), "VANTAGE_ICMP_NOPERM_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("child: %s", out)
	if strings.Contains(string(out), "CHILD-SKIP") {
		t.Skip("ping sockets are allowed for nobody here; nothing to refuse")
	}
	for _, w := range []string{ErrPermission.Error(), "CAP_NET_RAW", "setcap cap_net_raw+ep", "ping_group_range=\"0 2147483647\""} {
		if !strings.Contains(string(out), w) {
			t.Errorf("child output lacks %q:\n%s", w, out)
		}
	}
}

func TestLimiter(t *testing.T) {
	var l limiter
	now := time.Now()
	if ok, _ := l.allow(now); !ok {
		t.Fatal("first message suppressed")
	}
	for range 3 {
		if ok, _ := l.allow(now.Add(100 * time.Millisecond)); ok {
			t.Fatal("message within a second let through")
		}
	}
	ok, suppressed := l.allow(now.Add(2 * time.Second))
	if !ok || suppressed != 3 {
		t.Fatalf("after a second: ok=%v suppressed=%d, want true, 3", ok, suppressed)
	}
}
