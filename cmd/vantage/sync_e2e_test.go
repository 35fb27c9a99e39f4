package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const greetProbe = `<header>
	type = "tcp-script"
	package = "com.example"
	probe_name = "sync.greet"
	human_name = "Greeting"
	version = "1"
	port_number = "25"
</header>
<script>
CONN #5
EXPT "220" else goto @NO
DONE OKAY "greeted"
@NO:
DONE DOWN "no greeting"
</script>
`

// TestSyncAndMapStatus: a secondary pulls the primary's maps and probe
// files with vantage sync and monitors them on its own, even with the
// primary stopped; Map Status devices on the secondary follow a map of the
// primary and of itself; the map list shows the primary's maps.
func TestSyncAndMapStatus(t *testing.T) {
	bin := buildBinary(t)
	skipUnwired(t, bin)
	pdata, sdata := t.TempDir(), t.TempDir()
	p := start(t, bin, pdata)
	secure := strings.HasPrefix(p.url, "https:")
	var tok struct{ Token string }
	p.must("POST", "/api/v1/tokens", map[string]string{"label": "secondary"}, 201, &tok)

	// A service the test can stop, and one that stays.
	web, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := web.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	webPort := fmt.Sprint(web.Addr().(*net.TCPAddr).Port)
	_, mailPort, _ := net.SplitHostPort(bannerServer(t))

	os.WriteFile(filepath.Join(pdata, "probes", "com.example.sync.greet.txt"), []byte(greetProbe), 0o644)
	p.must("POST", "/api/v1/maps", map[string]any{"name": "Campus"}, 201, nil)
	p.must("POST", "/api/v1/maps/Campus/devices", map[string]any{"name": "web", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1,
		"params": map[string]string{"port": webPort, "timeout": "1s"}}, 201, nil)
	// The probe file may need a moment to be read before the device is accepted.
	deadline := time.Now().Add(10 * time.Second)
	for p.do("POST", "/api/v1/maps/Campus/devices", map[string]any{"name": "mail", "address": "127.0.0.1", "probe": "com.example.sync.greet", "interval": "1s",
		"params": map[string]string{"port": mailPort}}, nil) != 201 {
		if time.Now().After(deadline) {
			t.Fatal("the probe file was not loaded on the primary")
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.waitStatus("Campus", "web", "ok", 20*time.Second)
	p.waitStatus("Campus", "mail", "ok", 20*time.Second)

	// The secondary lists the primary (and a server that is down) among
	// its other servers; vantage sync keeps that list.
	trust := ""
	if secure {
		trust = "\n    insecure: true"
	}
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	os.WriteFile(filepath.Join(sdata, "config.yaml"), []byte(fmt.Sprintf("servers:\n  - name: primary\n    url: %s\n    token: %s%s\n  - name: gone\n    url: %s\n    token: x\n",
		p.url, tok.Token, trust, deadURL)), 0o644)
	s := start(t, bin, sdata)

	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(adminPassword+"\n"), 0o600)
	args := []string{"sync", "--from", p.url, "--user", "admin", "--password-file", pw, "--data", sdata}
	if secure {
		args = append(args, "--insecure")
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "+ maps/campus.yaml") || !strings.Contains(string(out), "+ probes/com.example.sync.greet.txt") {
		t.Fatalf("vantage sync: %v\n%s", err, out)
	}
	// Wrong password: refused, nothing changes.
	os.WriteFile(pw, []byte("wrong-password\n"), 0o600)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err == nil || !strings.Contains(string(out), "401") {
		t.Fatalf("sync with a wrong password: %v\n%s", err, out)
	}
	os.WriteFile(pw, []byte(adminPassword+"\n"), 0o600)

	s.waitStatus("Campus", "web", "ok", 20*time.Second)
	s.waitStatus("Campus", "mail", "ok", 20*time.Second)
	cfg, _ := os.ReadFile(filepath.Join(sdata, "config.yaml"))
	if !strings.Contains(string(cfg), "name: primary") {
		t.Fatalf("sync lost the secondary's servers:\n%s", cfg)
	}

	// The remote map list: the primary's maps with a link, the dead server
	// with its error.
	var remote []struct {
		Name, URL, Error string
		Maps             []struct{ Name, Status, URL string }
	}
	s.must("GET", "/api/v1/remote-maps", nil, 200, &remote)
	if len(remote) != 2 || remote[0].Name != "primary" || remote[0].Error != "" || len(remote[0].Maps) != 1 ||
		remote[0].Maps[0].Name != "Campus" || remote[0].Maps[0].URL != p.url+"/#/map/Campus" || remote[1].Error == "" {
		t.Fatalf("remote maps: %+v", remote)
	}
	// A user's own server (with a token that user holds there) joins that
	// user's list only; the token never comes back.
	in := map[string]any{"url": p.url, "token": tok.Token, "insecure": secure}
	s.must("PUT", "/api/v1/servers/mine", in, 200, nil)
	var mine []map[string]any
	s.must("GET", "/api/v1/servers", nil, 200, &mine)
	if len(mine) != 1 || mine[0]["name"] != "mine" || mine[0]["token"] != nil {
		t.Fatalf("own servers %+v", mine)
	}
	s.must("GET", "/api/v1/remote-maps", nil, 200, &remote)
	if len(remote) != 3 || remote[2].Name != "mine" || remote[2].Error != "" || len(remote[2].Maps) != 1 {
		t.Fatalf("remote maps with the user's own server: %+v", remote)
	}
	if code := s.do("PUT", "/api/v1/servers/bad", map[string]any{"url": "ftp://x", "token": "t"}, nil); code != 400 {
		t.Fatalf("a bad server: %d", code)
	}
	s.must("DELETE", "/api/v1/servers/mine", nil, 204, nil)
	if code := s.do("DELETE", "/api/v1/servers/mine", nil, nil); code != 404 {
		t.Fatalf("deleting twice: %d", code)
	}

	// Map Status devices on the secondary: the primary's Campus, its own
	// Campus, and a loop back to their own map.
	ms := map[string]string{"server": p.url, "map": "Campus", "user": "admin", "password": adminPassword}
	if secure {
		ms["insecure"] = "true"
	}
	s.must("POST", "/api/v1/maps", map[string]any{"name": "Top"}, 201, nil)
	for _, d := range []map[string]any{
		{"name": "primary-campus", "address": "127.0.0.1", "probe": "com.dartware.map.status", "interval": "1s", "params": ms},
		{"name": "own-campus", "address": "127.0.0.1", "probe": "com.dartware.map.status", "interval": "1s", "params": map[string]string{"Map Name": "Campus"}},
		{"name": "self", "address": "127.0.0.1", "probe": "com.dartware.map.status", "interval": "1s", "params": map[string]string{"map": "Top"}},
	} {
		s.must("POST", "/api/v1/maps/Top/devices", d, 201, nil)
	}
	pc := s.waitStatus("Top", "primary-campus", "ok", 20*time.Second)
	if !strings.Contains(pc.Reason, "all 2 devices ok") || pc.Values["map_url"] != p.url+"/#/map/Campus" || pc.Values["devices"] != float64(2) {
		t.Fatalf("map status: %+v", pc)
	}
	s.waitStatus("Top", "own-campus", "ok", 20*time.Second)
	self := s.waitStatus("Top", "self", "ok", 20*time.Second)
	if !strings.Contains(self.Reason, "loop ignored: Top/self → Top") {
		t.Fatalf("loop not reported: %+v", self)
	}
	var sum struct {
		Status  string
		Devices int
		Loops   []string
	}
	s.must("GET", "/api/v1/maps/Top/summary", nil, 200, &sum)
	if sum.Devices != 2 || len(sum.Loops) != 1 {
		t.Fatalf("summary of Top: %+v", sum)
	}

	// A device on the primary goes down: the Map Status device follows,
	// and the secondary sees it on its own too.
	web.Close()
	p.waitStatus("Campus", "web", "down", 20*time.Second)
	pc = s.waitStatus("Top", "primary-campus", "down", 20*time.Second)
	if !strings.Contains(pc.Reason, "1 down") || pc.Values["down"] != float64(1) {
		t.Fatalf("map status after the failure: %+v", pc)
	}
	s.waitStatus("Campus", "web", "down", 20*time.Second)
	s.waitStatus("Top", "own-campus", "down", 20*time.Second)

	// The primary stops: the secondary keeps polling its copy.
	p.stop()
	before := s.waitStatus("Campus", "mail", "ok", 5*time.Second).Polls
	deadline = time.Now().Add(20 * time.Second)
	for s.waitStatus("Campus", "mail", "ok", 5*time.Second).Polls < before+2 {
		if time.Now().After(deadline) {
			t.Fatal("the secondary stopped polling when the primary stopped")
		}
		time.Sleep(300 * time.Millisecond)
	}
	pc = s.waitStatus("Top", "primary-campus", "down", 20*time.Second)
	if !strings.Contains(pc.Reason, "Campus") {
		t.Fatalf("map status with the primary gone: %+v", pc)
	}
}

// TestSyncInterval: with --interval, vantage sync syncs at once, keeps
// going when the primary is unreachable, and stops cleanly on SIGTERM.
func TestSyncInterval(t *testing.T) {
	bin := buildBinary(t)
	skipUnwired(t, bin)
	pdata, sdata := t.TempDir(), t.TempDir()
	p := start(t, bin, pdata)
	p.must("POST", "/api/v1/maps", map[string]any{"name": "Lab"}, 201, nil)
	args := []string{"sync", "--from", p.url, "--user", "admin", "--data", sdata, "--interval", "10s"}
	if strings.HasPrefix(p.url, "https:") {
		args = append(args, "--insecure")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "VANTAGE_PASSWORD="+adminPassword)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if !strings.Contains(l, "synced") {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no sync within 30s")
	}
	if _, err := os.Stat(filepath.Join(sdata, "maps", "lab.yaml")); err != nil {
		t.Fatalf("map not synced: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 20s of SIGTERM")
	}
}

// skipUnwired skips until main.go dispatches "sync" (the wiring is the
// lead's), instead of failing on "unknown command".
func skipUnwired(t *testing.T, bin string) {
	t.Helper()
	out, _ := exec.Command(bin, "sync", "-h").CombinedOutput()
	if strings.Contains(string(out), "unknown command") {
		t.Skip("vantage sync is not wired into main.go yet")
	}
}
