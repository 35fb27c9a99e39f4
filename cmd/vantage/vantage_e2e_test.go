package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// acceptor is a TCP service on loopback that can be stopped and restarted
// on the same port.
type acceptor struct {
	addr string
	ln   net.Listener
}

func newAcceptor(t *testing.T) *acceptor {
	a := &acceptor{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.addr = ln.Addr().String()
	a.serve(ln)
	t.Cleanup(func() { a.stop() })
	return a
}

func (a *acceptor) serve(ln net.Listener) {
	a.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// port is the service's port, for a tcp probe's parameters.
func (a *acceptor) port() string {
	_, p, _ := net.SplitHostPort(a.addr)
	return p
}

// stoppedAcceptor reserves a loopback port with nothing listening on it yet.
func stoppedAcceptor(t *testing.T) *acceptor {
	a := newAcceptor(t)
	a.stop()
	return a
}

func (a *acceptor) stop() {
	if a.ln != nil {
		a.ln.Close()
		a.ln = nil
	}
}

func (a *acceptor) restart(t *testing.T) {
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		t.Fatal(err)
	}
	a.serve(ln)
}

// TestVantagePointChain is the seed's topology — vantage point, #2, #1, #3 in
// a chain — with everything behind #2 failing at once: exactly one DOWN
// notification (for #2), #1 and #3 unreachable and never announced, and a
// clean recovery with one UP notification.
func TestVantagePointChain(t *testing.T) {
	recvURL, bodies := webhookReceiver(t)
	notices := make(chan string, 20)
	go func() {
		for body := range bodies {
			notices <- fmt.Sprintf("%v %v", body["kind"], body["device"])
		}
	}()
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "config.yaml"), []byte(fmt.Sprintf(
		"notifiers:\n  - {name: hook, type: webhook, url: %q}\nrules:\n  - {name: all, kinds: [DOWN, UP], notifiers: [hook]}\n", recvURL)), 0o644)
	in := start(t, buildBinary(t), data)

	svc := map[string]*acceptor{"n2": newAcceptor(t), "n1": newAcceptor(t), "n3": newAcceptor(t)}
	devs := []map[string]any{{"name": "im", "address": "127.0.0.1", "probe": "ping", "interval": "1s", "params": map[string]string{"count": "1"}}}
	for _, n := range []string{"n2", "n1", "n3"} {
		_, port, _ := net.SplitHostPort(svc[n].addr)
		devs = append(devs, map[string]any{"name": n, "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 2,
			"params": map[string]string{"port": port, "timeout": "1s"}})
	}
	in.must("POST", "/api/v1/maps", map[string]any{"name": "V", "vantage": "im", "devices": devs,
		"links": []map[string]string{{"from": "im", "to": "n2"}, {"from": "n2", "to": "n1"}, {"from": "n1", "to": "n3"}}}, 201, nil)
	for _, n := range []string{"n2", "n1", "n3"} {
		in.waitStatus("V", n, "ok", 20*time.Second)
	}

	for _, n := range []string{"n3", "n1", "n2"} {
		svc[n].stop()
	}
	for _, n := range []string{"n2", "n1", "n3"} {
		in.waitStatus("V", n, "down", 30*time.Second)
	}
	var d struct {
		Unreachable bool
		Behind      string
	}
	for _, n := range []string{"n1", "n3"} {
		deadline := time.Now().Add(10 * time.Second)
		for in.must("GET", "/api/v1/maps/V/devices/"+n, nil, 200, &d); !d.Unreachable && time.Now().Before(deadline); in.must("GET", "/api/v1/maps/V/devices/"+n, nil, 200, &d) {
			time.Sleep(100 * time.Millisecond)
		}
		if !d.Unreachable || d.Behind != "n2" {
			t.Fatalf("%s: %+v", n, d)
		}
	}
	got := collect(notices, 3*time.Second)
	if fmt.Sprint(got) != "[DOWN n2]" {
		t.Fatalf("notifications during the outage: %v", got)
	}
	for _, n := range []string{"n1", "n3"} {
		for _, e := range in.events("map=V&device=" + n) {
			if e.Kind == "DOWN" {
				t.Fatalf("%s logged DOWN: %+v", n, e)
			}
		}
	}

	for _, n := range []string{"n2", "n1", "n3"} {
		svc[n].restart(t)
	}
	for _, n := range []string{"n2", "n1", "n3"} {
		in.waitStatus("V", n, "ok", 30*time.Second)
	}
	got = collect(notices, 3*time.Second)
	if fmt.Sprint(got) != "[UP n2]" {
		t.Fatalf("notifications on recovery: %v", got)
	}
	in.stop()
}

// collect gathers notices until none arrives for quiet.
func collect(ch chan string, quiet time.Duration) []string {
	var out []string
	for {
		select {
		case s := <-ch:
			out = append(out, s)
		case <-time.After(quiet):
			sort.Strings(out)
			return out
		}
	}
}
