package netnstest

import (
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	var name string
	t.Run("create", func(t *testing.T) {
		ns := New(t, "netnstest/create")
		name = ns.Name()
		bench := netip.MustParsePrefix("198.18.0.0/15")
		if !bench.Contains(ns.Addr()) || ns.HostAddr().Next() != ns.Addr() || ns.HostAddr().As4()[3]%4 != 1 {
			t.Fatalf("addresses host %s, namespace %s: want .1 and .2 of a /30 in %s", ns.HostAddr(), ns.Addr(), bench)
		}
		out, err := ns.Exec("ip", "-o", "-4", "addr", "show")
		if err != nil || !strings.Contains(out, ns.Addr().String()+"/30") {
			t.Fatalf("inside the namespace: %v\n%s", err, out)
		}
		if out, err := exec.Command("ip", "route", "get", ns.Addr().String()).CombinedOutput(); err != nil || !strings.Contains(string(out), " dev vth") {
			t.Fatalf("host route to %s does not use the veth: %v\n%s", ns.Addr(), err, out)
		}
		ns.LinkDown()
		// With the link down, the route must still keep traffic on the veth
		// (or refuse it), never send it to the default route.
		out2, _ := exec.Command("ip", "route", "get", ns.Addr().String()).CombinedOutput()
		if !strings.Contains(string(out2), " dev vth") && !strings.Contains(string(out2), "unreachable") {
			t.Fatalf("link down: route to %s is %s", ns.Addr(), out2)
		}
		ns.LinkUp()
		if _, err := ns.Exec("false"); err == nil {
			t.Error("Exec of a failing command returned no error")
		}
	})
	if name == "" {
		return // skipped
	}
	out, _ := exec.Command("ip", "netns", "list").CombinedOutput()
	if strings.Contains(string(out), name) {
		t.Errorf("namespace %s left behind:\n%s", name, out)
	}
}

// TestDo: a socket opened inside Do belongs to the namespace (the
// namespace's address cannot be bound on the host), and the host reaches
// it through HostIf.
func TestDo(t *testing.T) {
	ns := New(t, "netnstest/do")
	at := netip.AddrPortFrom(ns.Addr(), 0).String()
	if ln, err := net.Listen("tcp", at); err == nil {
		ln.Close()
		t.Fatalf("%s could be bound on the host", at)
	}
	var ln net.Listener
	if err := ns.Do(func() (err error) { ln, err = net.Listen("tcp", at); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("ns"))
			c.Close()
		}
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(c); err != nil || string(b) != "ns" {
		t.Fatalf("read %q, %v", b, err)
	}
	ifi, err := net.InterfaceByName(ns.HostIf())
	if err != nil {
		t.Fatal(err)
	}
	addrs, _ := ifi.Addrs()
	if len(addrs) == 0 || !strings.HasPrefix(addrs[0].String(), ns.HostAddr().String()+"/") {
		t.Fatalf("%s has addresses %v, want %s", ns.HostIf(), addrs, ns.HostAddr())
	}
	if err := ns.Do(func() error { return io.EOF }); err != io.EOF {
		t.Fatalf("Do returned %v, want fn's error", err)
	}
}
