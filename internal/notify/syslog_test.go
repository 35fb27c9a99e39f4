package notify

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func syslogConfig(network, addr string) Config {
	c := DefaultConfig()
	c.Name, c.Type, c.Network, c.Address = "syslog", TypeSyslog, network, addr
	c.Facility, c.AppName, c.Hostname = "local3", "vantage", "nms1"
	c.Template = "{{.Device}} is {{.Status}}\n{{.Reason}}"
	return c
}

func wantLine(pri int, m Message) string {
	return fmt.Sprintf(`<%d>1 2026-03-04T05:06:07.890123Z nms1 vantage %d %s [vantage@32473 map="Core" device="router-1" address="192.0.2.1" status="%s" acknowledged="false"] router-1 is %s no reply to ping`,
		pri, os.Getpid(), m.Kind, m.Status, m.Status)
}

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n, err := New(syslogConfig("udp", pc.LocalAddr().String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind string
		sev  int
	}{{"DOWN", 2}, {"CRITICAL", 2}, {"ALARM", 3}, {"WARNING", 4}, {"UP", 5}, {"OK", 5}, {"TRAP", 6}} {
		m := testMessage()
		m.Kind, m.Status = tc.kind, strings.ToLower(tc.kind)
		if err := n.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2048)
		_ = pc.SetReadDeadline(time.Now().Add(2 * time.Second))
		k, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if want := wantLine(19*8+tc.sev, m); string(buf[:k]) != want {
			t.Errorf("%s:\n got %q\nwant %q", tc.kind, buf[:k], want)
		}
	}
}

func TestSyslogTCPOctetCounting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		lenStr, _ := r.ReadString(' ')
		size, _ := strconv.Atoi(strings.TrimSpace(lenStr))
		b := make([]byte, size)
		_, _ = io.ReadFull(r, b)
		rest, _ := io.ReadAll(r)
		got <- string(b) + string(rest)
	}()
	c := syslogConfig("tcp", ln.Addr().String())
	n, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	m.Device = `router-1`
	if err := n.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-got:
		if want := wantLine(19*8+2, m); line != want {
			t.Errorf("got  %q\nwant %q", line, want)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("nothing received")
	}
}

func TestSyslogEscaping(t *testing.T) {
	s, err := newSyslog(syslogConfig("udp", "127.0.0.1:514").withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	m.Device, m.Kind, m.Time = `a"b]c\d`, "", time.Time{}
	line, err := s.format(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, ` device="a\"b\]c\\d"`) || !strings.HasPrefix(line, "<158>1 - nms1 vantage ") ||
		!strings.Contains(line, " - [vantage@32473 ") {
		t.Errorf("line = %q", line)
	}
}
