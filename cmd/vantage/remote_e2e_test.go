package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listenerAddr reads a bound listener's address from GET /api/v1/server:
// with port 0 only the server knows it.
func (in *instance) listenerAddr(name string) string {
	in.t.Helper()
	var info struct {
		Listeners []struct{ Name, Address, State, Error string }
	}
	in.must("GET", "/api/v1/server", nil, 200, &info)
	for _, l := range info.Listeners {
		if l.Name == name {
			if l.State != "listening" {
				in.t.Fatalf("listener %s is %s: %s", name, l.State, l.Error)
			}
			return l.Address
		}
	}
	in.t.Fatalf("no listener %s in %+v", name, info.Listeners)
	return ""
}

// tool runs an interactive command-line client (nc, openssl s_client)
// with pipes, as a person at a terminal would use it.
type tool struct {
	t   *testing.T
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	// lines carries what the tool printed, so reads can be bounded.
	lines chan string
}

func startTool(t *testing.T, name string, args ...string) *tool {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (Debian package %s; make test-deps installs it)", name, map[string]string{"nc": "netcat-openbsd", "openssl": "openssl"}[name])
	}
	cmd := exec.Command(path, args...)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tl := &tool{t: t, cmd: cmd, in: in, out: bufio.NewReader(out), lines: make(chan string, 100)}
	go func() {
		defer close(tl.lines)
		for {
			l, err := tl.out.ReadString('\n')
			if l != "" {
				tl.lines <- strings.TrimRight(l, "\r\n")
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		in.Close()
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return tl
}

func (tl *tool) send(s string) {
	tl.t.Helper()
	if _, err := io.WriteString(tl.in, s+"\n"); err != nil {
		tl.t.Fatalf("write to %s: %v", tl.cmd.Path, err)
	}
}

// line returns the next line the tool printed.
func (tl *tool) line() string {
	tl.t.Helper()
	select {
	case l, ok := <-tl.lines:
		if !ok {
			tl.t.Fatalf("%s exited", tl.cmd.Path)
		}
		return l
	case <-time.After(30 * time.Second):
		tl.t.Fatalf("%s printed nothing", tl.cmd.Path)
	}
	return ""
}

// until returns the first line with the substring, skipping others.
func (tl *tool) until(sub string) string {
	tl.t.Helper()
	for {
		if l := tl.line(); strings.Contains(l, sub) {
			return l
		}
	}
}

// exits closes the tool's input, as at the end of a script, and waits
// for it to end.
func (tl *tool) exits() {
	tl.t.Helper()
	tl.in.Close()
	done := make(chan struct{})
	go func() { tl.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		tl.t.Fatalf("%s still running after its input ended and the server closed", tl.cmd.Path)
	}
}

const handshake = `<KC_version id="0">0.9</KC_version>`
const handshakeReply = `<KR id='0' response='200'>0.9</KR>`

func TestRemoteProtocolWithRealClients(t *testing.T) {
	bin := buildBinary(t)
	in := start(t, bin, t.TempDir(), "--remote", "127.0.0.1:0")
	addr := in.listenerAddr("remote")
	host, port, _ := net.SplitHostPort(addr)

	// A service that goes down on cue.
	svc, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := svc.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, svcPort, _ := net.SplitHostPort(svc.Addr().String())
	in.must("POST", "/api/v1/maps", map[string]any{"name": "Lab"}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1, "params": map[string]string{"port": svcPort, "timeout": "1s"}}, 201, nil)
	in.waitStatus("Lab", "svc", "ok", 20*time.Second)

	// The seed's first check: telnet/nc to the port, type the version
	// command, see the KR answer.
	t.Run("nc", func(t *testing.T) {
		nc := startTool(t, "nc", host, port)
		nc.send(handshake)
		if got := nc.line(); got != handshakeReply {
			t.Fatalf("nc: %q, want %q", got, handshakeReply)
		}
		nc.send(`<KC_quit/>`)
		if got := nc.line(); got != "<KR id='' response='200'>bye</KR>" {
			t.Fatalf("quit: %q", got)
		}
		nc.exits()
	})

	// The seed's second check, over TLS with openssl s_client; then a
	// whole session: log in, list maps and devices, subscribe, and see the
	// service's outage arrive.
	t.Run("openssl s_client", func(t *testing.T) {
		ssl := startTool(t, "openssl", "s_client", "-connect", addr, "-quiet")
		ssl.send(handshake)
		if got := ssl.line(); got != handshakeReply {
			t.Fatalf("openssl s_client: %q, want %q", got, handshakeReply)
		}
		ssl.send(`<KC_maps id="1"/>`)
		if got := ssl.line(); !strings.HasPrefix(got, "<KR id='1' response='401'>") {
			t.Fatalf("maps before login: %q", got)
		}
		ssl.send(`<KC_login id="2" user="admin" password="wrong-password"/>`)
		if got := ssl.line(); got != "<KR id='2' response='400'>invalid user name or password</KR>" {
			t.Fatalf("bad login: %q", got)
		}
		ssl.send(`<KC_login id="3" user="admin" password="` + adminPassword + `"/>`)
		if got := ssl.line(); got != "<KR id='3' response='200'>admin</KR>" {
			t.Fatalf("login: %q", got)
		}
		ssl.send(`<KC_maps id="4"/>`)
		if got := ssl.line(); got != "<KR id='4' response='200'>" {
			t.Fatalf("maps: %q", got)
		}
		if got := ssl.line(); got != "<map name='Lab' status='ok' devices='1' down='0'/>" {
			t.Fatalf("maps: %q", got)
		}
		if got := ssl.line(); got != "</KR>" {
			t.Fatalf("maps end: %q", got)
		}
		ssl.send(`<KC_status id="5" map="Lab" device="svc"/>`)
		ssl.line()
		if got := ssl.line(); !strings.HasPrefix(got, "<device map='Lab' name='svc' address='127.0.0.1' probe='tcp' status='ok'") {
			t.Fatalf("status: %q", got)
		}
		ssl.line()
		ssl.send(`<KC_subscribe id="6" map="Lab"/>`)
		if got := ssl.line(); got != "<KR id='6' response='200'>subscribed to map &quot;Lab&quot;</KR>" {
			t.Fatalf("subscribe: %q", got)
		}
		svc.Close()
		ev := ssl.until("<KE type='status'")
		if !strings.HasPrefix(ev, "<KE type='status' map='Lab' device='svc' status='down' previous='ok' reason='") {
			t.Fatalf("event: %q", ev)
		}
		ssl.send(`<KC_quit id="7"/>`)
		ssl.until("<KR id='7' response='200'>bye</KR>")
		ssl.exits()
	})
}

func TestConsoleAndCtl(t *testing.T) {
	bin := buildBinary(t)
	in := start(t, bin, t.TempDir(), "--console", "127.0.0.1:0")
	addr := in.listenerAddr("console")
	in.must("POST", "/api/v1/maps", map[string]any{"name": "Lab"}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "lo", "address": "127.0.0.1", "probe": "ping", "interval": "1s", "params": map[string]string{"count": "1", "timeout": "1s"}}, 201, nil)
	in.waitStatus("Lab", "lo", "ok", 20*time.Second)

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	until := func(marker string) string {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		var b strings.Builder
		for !strings.HasSuffix(strings.ReplaceAll(b.String(), "\r\n", "\n"), marker) {
			ch, err := r.ReadByte()
			if err != nil {
				t.Fatalf("waiting for %q: %v; got %q", marker, err, b.String())
			}
			b.WriteByte(ch)
		}
		return strings.ReplaceAll(b.String(), "\r\n", "\n")
	}
	send := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }

	until("User: ")
	send("admin")
	until("Password: ")
	send("wrong-password")
	until("Login incorrect.\n")
	until("User: ")
	send("admin")
	until("Password: ")
	send(adminPassword)
	until("Welcome, admin.")
	until("> ")

	cmds := map[string][]string{
		"help":        {"help", "maps", "devices [MAP]", "status DEVICE", "flows", "ext", "poll DEVICE", "quit"},
		"maps":        {"MAP", "STATUS", "Lab", "ok"},
		"devices":     {"DEVICE", "Lab~lo", "ok", "ping", "127.0.0.1"},
		"devices Lab": {"Lab~lo"},
		"status lo":   {"device:", "Lab~lo", "address:", "127.0.0.1", "status:", "ok"},
		"flows":       {"flow collector not running"},
		"ext":         {"central database", "off", "flow collector", "off"},
		"poll Lab~lo": {"polled Lab~lo: ok"},
	}
	outputs := map[string]string{}
	for _, cmd := range []string{"help", "maps", "devices", "devices Lab", "status lo", "flows", "ext", "poll Lab~lo"} {
		send(cmd)
		out := strings.TrimSuffix(until("> "), "> ")
		for _, w := range cmds[cmd] {
			if !strings.Contains(out, w) {
				t.Errorf("console %q lacks %q:\n%s", cmd, w, out)
			}
		}
		outputs[cmd] = out
	}
	send("quit")
	until("Bye.\n")

	// vantage ctl prints what the console printed (less the lines that
	// move with every poll).
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(adminPassword+"\n"), 0o600)
	for _, args := range [][]string{{"status", "Lab~lo"}, {"maps"}, {"flows"}} {
		cmd := exec.Command(bin, append([]string{"ctl", "--url", in.url, "--password-file", pw}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("vantage ctl %v: %v\n%s", args, err, out)
		}
		console := outputs[strings.Join(args, " ")]
		if args[0] == "status" {
			console = outputs["status lo"]
		}
		if stable(string(out)) != stable(console) {
			t.Errorf("vantage ctl %v:\n%s\nconsole:\n%s", args, out, console)
		}
	}
	cmd := exec.Command(bin, "ctl", "--url", in.url, "--password-file", pw, "status", "Lab~nope")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `no device "nope" on map "Lab"`) {
		t.Fatalf("ctl unknown device: %v %s", err, out)
	}
}

// stable drops the status lines that change with every poll.
func stable(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "last poll:") && !strings.HasPrefix(l, "polls:") && !strings.HasPrefix(l, "since:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
