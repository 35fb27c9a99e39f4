package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/tlsconf"
)

// The end-to-end tests run the real binary, as an administrator would.

const adminPassword = "e2e-secret-pw"

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vantage")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

type instance struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	data string
	out  *bytes.Buffer
	done chan error
}

// start runs `vantage serve` on a free loopback port with the other
// listeners off, and waits for the banner that gives the URL.
func start(t *testing.T, bin, data string, extra ...string) *instance {
	t.Helper()
	return startWith(t, bin, data, append([]string{"--traps", "off"}, extra...)...)
}

// startWith is start without the default "--traps off".
func startWith(t *testing.T, bin, data string, extra ...string) *instance {
	t.Helper()
	// Plain HTTP, as asked for explicitly: TestGeneratedAdminPassword
	// covers the default, HTTPS.
	args := append([]string{"serve", "--data", data, "--starter-map=false", "--http", "127.0.0.1:0", "--http-plain", "--remote", "off",
		"--netflow", "off", "--sflow", "off", "--jflow", "off"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "VANTAGE_ADMIN_PASSWORD="+adminPassword)
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{t: t, cmd: cmd, data: data, out: &stderr, done: make(chan error, 1)}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`API at (http://\S+/)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- strings.TrimSuffix(m[1], "/")
			}
		}
	}()
	go func() { in.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-in.done
		}
	})
	select {
	case in.url = <-urlc:
	case err := <-in.done:
		t.Fatalf("server exited: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no start-up banner\n%s", stderr.String())
	}
	return in
}

func (in *instance) do(method, path string, body any, out any) int {
	in.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, in.url+path, rd)
	req.SetBasicAuth("admin", adminPassword)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			in.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

func (in *instance) must(method, path string, body any, want int, out any) {
	in.t.Helper()
	var raw json.RawMessage
	code := in.do(method, path, body, &raw)
	if code != want {
		in.t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, raw)
	}
	if out != nil {
		json.Unmarshal(raw, out)
	}
}

type device struct {
	Name, Address, Probe, Status, Reason string
	Shared                               int
	Polls                                int64
	Values                               map[string]any
}

// waitStatus polls the API until the device has the wanted status.
func (in *instance) waitStatus(mapName, dev, want string, within time.Duration) device {
	in.t.Helper()
	deadline := time.Now().Add(within)
	var d device
	for time.Now().Before(deadline) {
		// 404 is fine for a while: a hand-edited map takes a moment to load.
		if code := in.do("GET", "/api/v1/maps/"+mapName+"/devices/"+dev, nil, &d); code == 200 && d.Status == want {
			return d
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("%s:%s status %q (%s), want %q within %v", mapName, dev, d.Status, d.Reason, want, within)
	return d
}

type event struct {
	Kind, Map, Device, Message string
	Time                       time.Time
}

func (in *instance) events(query string) []event {
	var evs []event
	in.must("GET", "/api/v1/events?"+query, nil, 200, &evs)
	return evs
}

func (in *instance) waitEvent(query string, match func(event) bool) event {
	in.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range in.events(query) {
			if match(e) {
				return e
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("no matching event for %q in %+v", query, in.events(query))
	return event{}
}

func (in *instance) stop() {
	in.t.Helper()
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-in.done:
		if err != nil {
			in.t.Fatalf("exit after SIGTERM: %v\n%s", err, in.out)
		}
	case <-time.After(20 * time.Second):
		in.t.Fatal("no clean exit within 20s of SIGTERM")
	}
}

// bannerServer is a TCP service on loopback that greets like an SMTP server.
func bannerServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fmt.Fprintf(c, "220 mail.example.test ESMTP ready\r\n")
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).AddrPort().String()
}

func TestEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	in := start(t, bin, data)

	// Health needs no credentials; everything else does.
	resp, err := http.Get(in.url + "/api/v1/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp, _ = http.Get(in.url + "/api/v1/maps")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("unauthenticated maps: %d", resp.StatusCode)
	}

	smtp := bannerServer(t)
	host, port, _ := net.SplitHostPort(smtp)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := fmt.Sprint(closed.Addr().(*net.TCPAddr).Port)
	closed.Close()

	in.must("POST", "/api/v1/maps", map[string]any{"name": "Lab"}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/networks", map[string]any{"name": "loopback", "cidrs": []string{"127.0.0.0/8"}}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/networks", map[string]any{"name": "far", "cidrs": []string{"10.0.0.0/8"}}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "lo", "address": "127.0.0.1", "probe": "ping", "interval": "1s", "params": map[string]string{"count": "1", "timeout": "1s"}}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "mail", "address": host, "probe": "com.dartware.tcp.smtp", "interval": "1s", "params": map[string]string{"port": port}}, 201, nil)
	in.must("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "gone", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 2, "params": map[string]string{"port": closedPort, "timeout": "1s"}}, 201, nil)

	// Bad input is refused with the reason.
	var apiErr struct{ Error string }
	if code := in.do("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "x", "address": "1.2.3.4", "probe": "no.such.probe"}, &apiErr); code != 400 || !strings.Contains(apiErr.Error, "unknown probe") {
		t.Fatalf("unknown probe: %d %q", code, apiErr.Error)
	}
	if code := in.do("POST", "/api/v1/maps/Lab/devices", map[string]any{"name": "y", "adress": "1.2.3.4"}, &apiErr); code != 400 || !strings.Contains(apiErr.Error, "adress") {
		t.Fatalf("misspelt field: %d %q", code, apiErr.Error)
	}
	if code := in.do("POST", "/api/v1/maps/Lab/links", map[string]any{"from": "lo", "to": "far"}, &apiErr); code != 400 || !strings.Contains(apiErr.Error, "not in network") {
		t.Fatalf("link outside oval: %d %q", code, apiErr.Error)
	}

	lo := in.waitStatus("Lab", "lo", "ok", 20*time.Second)
	if lo.Values["rtt_ms"] == nil {
		t.Fatalf("ping values missing: %+v", lo)
	}
	mail := in.waitStatus("Lab", "mail", "ok", 20*time.Second)
	if !strings.Contains(fmt.Sprint(mail.Values["banner"]), "ESMTP") {
		t.Fatalf("banner not shown: %+v", mail.Values)
	}
	gone := in.waitStatus("Lab", "gone", "down", 20*time.Second)
	if !strings.Contains(gone.Reason, "refused") {
		t.Fatalf("down reason %q", gone.Reason)
	}

	// Auto links: every loopback device sits in the loopback oval.
	var links []struct {
		From, To string
		Auto     bool
	}
	in.must("GET", "/api/v1/maps/Lab/links", nil, 200, &links)
	auto := 0
	for _, l := range links {
		if l.Auto && l.To == "loopback" || l.Auto && l.From == "loopback" {
			auto++
		}
	}
	if auto != 3 {
		t.Fatalf("auto links = %+v", links)
	}

	in.waitEvent("map=Lab&device=gone", func(e event) bool { return e.Kind == "DOWN" })
	in.waitEvent("map=Lab&device=lo&kind=UP", func(e event) bool { return true })

	// Shared polling: the same ping on another map polls once.
	var before, after struct {
		Devices   int `json:"devices"`
		Monitored int `json:"devices_monitored"`
		Listeners []struct{ Name, State string }
	}
	in.must("GET", "/api/v1/server", nil, 200, &before)
	in.must("POST", "/api/v1/maps", map[string]any{"name": "Other", "devices": []map[string]any{{"name": "lo-again", "address": "127.0.0.1", "probe": "com.dartware.ping", "interval": "1s", "params": map[string]string{"count": "1", "timeout": "1s"}}}}, 201, nil)
	in.must("GET", "/api/v1/server", nil, 200, &after)
	if after.Devices != before.Devices+1 || after.Monitored != before.Monitored {
		t.Fatalf("sharing: before %+v after %+v", before, after)
	}
	shared := in.waitStatus("Other", "lo-again", "ok", 10*time.Second)
	if shared.Shared != 2 {
		t.Fatalf("shared count %d", shared.Shared)
	}

	// A hand edit is picked up; a broken one is refused with file and line
	// and the last good version keeps running.
	file := filepath.Join(data, "maps", "other.yaml")
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("map file: %v", err)
	}
	edited := strings.Replace(string(good), "lo-again", "lo-renamed", 1)
	os.WriteFile(file, []byte(edited), 0o644)
	in.waitStatus("Other", "lo-renamed", "ok", 20*time.Second)
	os.WriteFile(file, []byte(edited+"devices: [oops\n"), 0o644)
	bad := in.waitEvent("kind=ERROR", func(e event) bool { return strings.Contains(e.Message, "other.yaml:") })
	if !regexp.MustCompile(`other\.yaml:\d+`).MatchString(bad.Message) {
		t.Fatalf("error event lacks file:line: %q", bad.Message)
	}
	in.waitStatus("Other", "lo-renamed", "ok", 5*time.Second)

	// Exports as YAML.
	req, _ := http.NewRequest("GET", in.url+"/api/v1/maps/Lab?format=yaml", nil)
	req.SetBasicAuth("admin", adminPassword)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(y), "name: Lab") || !strings.Contains(string(y), "com.dartware.tcp.smtp") {
		t.Fatalf("yaml export:\n%s", y)
	}

	// Metrics and the API description.
	resp, _ = http.Get(in.url + "/metrics")
	m, _ := io.ReadAll(resp.Body)
	for _, name := range []string{"vantage_poller_polls_total", "vantage_poller_queue_depth", "vantage_devices_monitored", "vantage_icmp_echo_sent_total"} {
		if !strings.Contains(string(m), name) {
			t.Errorf("metrics lack %s", name)
		}
	}
	var spec struct{ Paths map[string]any }
	in.must("GET", "/api/v1/openapi.json", nil, 200, &spec)
	if spec.Paths["/api/v1/maps/{map}/devices"] == nil {
		t.Fatal("openapi lacks devices path")
	}

	// SIGHUP reloads; SIGTERM stops cleanly and says so in the log.
	in.cmd.Process.Signal(syscall.SIGHUP)
	in.waitEvent("kind=INFO", func(e event) bool { return strings.HasPrefix(e.Message, "SIGHUP: re-read settings and 2 maps") })
	in.stop()
	log, _ := os.ReadFile(filepath.Join(data, "logs", "event.log"))
	if !strings.Contains(string(log), " STOP ") || !strings.Contains(string(log), " DOWN Lab:gone :: ") {
		t.Fatalf("event.log:\n%s", log)
	}

	// Restart on the same folder: maps survive, the admin is not re-created.
	in2 := start(t, bin, data)
	in2.waitStatus("Lab", "lo", "ok", 20*time.Second)
	in2.stop()
}

func TestListenerErrors(t *testing.T) {
	bin := buildBinary(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cmd := exec.Command(bin, "serve", "--data", t.TempDir(), "--starter-map=false", "--http", busy.Addr().String())
	cmd.Env = append(os.Environ(), "VANTAGE_ADMIN_PASSWORD="+adminPassword)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--http") || !strings.Contains(string(out), "another program uses that port") {
		t.Fatalf("busy --http: %v\n%s", err, out)
	}
}

func TestGeneratedAdminPassword(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	cmd := exec.Command(bin, "serve", "--data", data, "--starter-map=false", "--http", "127.0.0.1:0", "--remote", "off", "--traps", "off", "--netflow", "off", "--sflow", "off", "--jflow", "off")
	cmd.Env = os.Environ()
	for i, e := range cmd.Env {
		if strings.HasPrefix(e, "VANTAGE_ADMIN_PASSWORD=") {
			cmd.Env[i] = "VANTAGE_ADMIN_PASSWORD="
		}
	}
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var pw, url string
	for (pw == "" || url == "") && sc.Scan() {
		if m := regexp.MustCompile(`password (\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			pw = m[1]
		}
		// Without --http-plain the server speaks HTTPS only.
		if m := regexp.MustCompile(`API at (https://\S+)/`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
	}
	file, err := os.ReadFile(filepath.Join(data, "initial-admin-password"))
	if err != nil || strings.TrimSpace(string(file)) != pw || pw == "" {
		t.Fatalf("printed %q, file %q, %v", pw, file, err)
	}
	// The self-signed certificate made on first start is in DIR/tls and
	// verifies for 127.0.0.1.
	pem, err := os.ReadFile(filepath.Join(data, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", url+"/api/v1/server", nil)
	req.SetBasicAuth("admin", pw)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login with generated password over verified TLS: %v %v", resp, err)
	}
	var info struct {
		TLS     struct{ Fingerprint string } `json:"tls"`
		HTTPTLS bool                         `json:"http_tls"`
	}
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if !info.HTTPTLS || resp.TLS == nil || info.TLS.Fingerprint != tlsconf.Fingerprint(resp.TLS.PeerCertificates[0].Raw) {
		t.Fatalf("server info %+v does not give the certificate's fingerprint", info)
	}
	// A wrong password is refused, and plain HTTP gets no API.
	req, _ = http.NewRequest("GET", url+"/api/v1/server", nil)
	req.SetBasicAuth("admin", "not-"+pw)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("wrong password: %v %v", resp, err)
	}
	if resp, err := http.Get(strings.Replace(url, "https://", "http://", 1) + "/api/v1/health"); err == nil && resp.StatusCode == 200 {
		t.Fatal("plain HTTP served the API without --http-plain")
	}
}

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "vantage ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := run([]string{"bogus"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
}
