package tcpscript

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runProbe runs a real example probe against 127.0.0.1:port with the
// file's parameters overridden by params.
func runProbe(t *testing.T, name string, port int, params map[string]string) Result {
	t.Helper()
	p := readProbe(t, name)
	s, err := Parse(p.script, p.firstLine)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for k, v := range params {
		p.params[k] = v
	}
	res := s.Run(context.Background(), Options{Address: "127.0.0.1", Port: port, Params: p.params, Timeout: 20 * time.Second})
	t.Logf("%s: %s %q\n  %s", name, res.Status, res.Reason, strings.Join(res.Transcript, "\n  "))
	return res
}

func check(t *testing.T, res Result, status, reason string) {
	t.Helper()
	if res.Status != status || res.Reason != reason {
		t.Errorf("got %s %q, want %s %q", res.Status, res.Reason, status, reason)
	}
}

func serverPort(t *testing.T, rawURL string) int {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return port
}

func TestHTTPProbe(t *testing.T) {
	var gotHost string
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		gotHost = r.Host
		fmt.Fprint(w, "<html><body>Welcome</body></html>\n")
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "just text\n") })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("padding line of the page\n", 700)+"<HTML>late marker</HTML>")
	})
	mux.HandleFunc("/secret", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret:x" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "<HTML>private</HTML>")
	})
	mux.Handle("/moved", http.RedirectHandler("/", http.StatusFound))
	mux.Handle("/gone", http.RedirectHandler("/", http.StatusMovedPermanently))
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	port := serverPort(t, srv.URL)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	cases := []struct {
		name           string
		params         map[string]string
		status, reason string
	}{
		{"page contains the string", nil, "OKAY", ""},
		{"string missing", map[string]string{"URL Path": "/plain"}, "WARN", `[HTTP] "<HTML" not found in ` + base + "/plain"},
		{"custom string", map[string]string{"URL Path": "/plain", "String to verify": "JUST"}, "OKAY", ""},
		{"string after 17 KB", map[string]string{"URL Path": "/big"}, "OKAY", ""},
		{"401 without credentials", map[string]string{"URL Path": "/secret"}, "WARN", "[HTTP] 401 Unauthorized (" + base + "/secret)"},
		{"basic auth", map[string]string{"URL Path": "/secret", "User ID": "alice", "Password*": "s3cret:x"}, "OKAY", ""},
		{"wrong password", map[string]string{"URL Path": "/secret", "User ID": "alice", "Password*": "nope"}, "WARN", "[HTTP] 401 Unauthorized (" + base + "/secret)"},
		{"302 redirect", map[string]string{"URL Path": "/moved"}, "WARN", "[HTTP] 302 Moved Temporarily (" + base + "/moved)"},
		{"301 redirect", map[string]string{"URL Path": "/gone"}, "WARN", "[HTTP] 301 Moved Permanently (" + base + "/gone)"},
		{"404", map[string]string{"URL Path": "/nothing"}, "WARN", "[HTTP] 404 Not Found (" + base + "/nothing)"},
		{"500", map[string]string{"URL Path": "/boom"}, "ALRM", "[HTTP] 500 Internal Server Error (" + base + "/boom)"},
		{"virtual host", map[string]string{"Host Name": "www.example.test"}, "OKAY", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runProbe(t, "com.dartware.tcp.http", port, c.params), c.status, c.reason)
		})
	}
	t.Run("Host header", func(t *testing.T) {
		gotHost = ""
		runProbe(t, "com.dartware.tcp.http", port, map[string]string{"Host Name": "www.example.test"})
		if gotHost != "www.example.test" {
			t.Errorf("Host header = %q, want www.example.test", gotHost)
		}
	})

	t.Run("unexpected greeting", func(t *testing.T) {
		port := lineServer(t, "SSH-2.0-OpenSSH_9.2\r\n", nil)
		check(t, runProbe(t, "com.dartware.tcp.http", port, nil), "DOWN",
			fmt.Sprintf("[HTTP] Unexpected greeting from port %d. (http://127.0.0.1:%d/)", port, port))
	})
	t.Run("closed at once", func(t *testing.T) {
		port := lineServer(t, "", func(string) (string, bool) { return "", true })
		res := runProbe(t, "com.dartware.tcp.http", port, nil)
		want := fmt.Sprintf("[HTTP] Disconnected from port %d after 0 seconds. (http://127.0.0.1:%d/)", port, port)
		check(t, res, "DOWN", want)
	})
	t.Run("nothing listening", func(t *testing.T) {
		port := freePort(t)
		res := runProbe(t, "com.dartware.tcp.http", port, nil)
		if res.Status != "DOWN" || !strings.Contains(res.Reason, "Could not connect") {
			t.Errorf("got %s %q", res.Status, res.Reason)
		}
	})
}

// TestHTTPProbePython runs the HTTP probe against Python's http.server
// when python3 is installed.
func TestHTTPProbePython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	port := freePort(t)
	cmd := exec.Command(py, "-m", "http.server", "--bind", "127.0.0.1", "--directory", t.TempDir(), strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Skipf("python3 http.server: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	waitListening(t, port)
	check(t, runProbe(t, "com.dartware.tcp.http", port, nil), "OKAY", "")
	check(t, runProbe(t, "com.dartware.tcp.http", port, map[string]string{"URL Path": "/missing.html"}), "WARN",
		fmt.Sprintf("[HTTP] 404 Not Found (http://127.0.0.1:%d/missing.html)", port))
}

// TestSMTPProbePython runs the SMTP probe against Python's smtpd module
// (Python 3.11 and older) when it is installed.
func TestSMTPProbePython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	if exec.Command(py, "-W", "ignore", "-c", "import smtpd").Run() != nil {
		t.Skip("python3 has no smtpd module")
	}
	port := freePort(t)
	cmd := exec.Command(py, "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer", fmt.Sprintf("127.0.0.1:%d", port))
	if err := cmd.Start(); err != nil {
		t.Skipf("python3 smtpd: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	waitListening(t, port)
	check(t, runProbe(t, "com.dartware.tcp.smtp", port, nil), "OKAY", "")
}

// smtpServer answers like a mail server; vrfy is the VRFY reply.
func smtpServer(t *testing.T, greeting, vrfy string, helo *string) int {
	return lineServer(t, greeting, func(line string) (string, bool) {
		cmd, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(cmd) {
		case "HELO":
			*helo = arg
			return "250-mail.test Hello\r\n250 HELP\r\n", false
		case "VRFY":
			return vrfy, false
		case "RSET":
			return "250 2.0.0 Ok\r\n", false
		case "QUIT":
			return "221 2.0.0 Bye\r\n", true
		}
		return "500 5.5.2 Error: command not recognized\r\n", false
	})
}

func TestSMTPProbe(t *testing.T) {
	cases := []struct {
		name, greeting, vrfy string
		status, reason       string
	}{
		{"address exists", "220 mail.test ESMTP\r\n", "252 2.0.0 postmaster\r\n", "OKAY", ""},
		{"multi-line greeting", "220-mail.test ESMTP\r\n220-more\r\n220 ready\r\n", "250 postmaster <postmaster@test>\r\n", "OKAY", ""},
		{"VRFY not implemented", "220 mail.test ESMTP\r\n", "502 5.5.1 VRFY command is disabled\r\n", "OKAY", ""},
		{"unknown address", "220 mail.test ESMTP\r\n", "550 5.1.1 <postmaster>: Recipient address rejected\r\n", "ALRM",
			"[SMTP] Name not found. (550 5.1.1 <postmaster>: Recipient address rejected)"},
		{"odd VRFY reply", "220 mail.test ESMTP\r\n", "451 4.3.0 try later\r\n", "ALRM",
			"[SMTP] Unexpected response to VRFY command. (451 4.3.0 try later)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var helo string
			port := smtpServer(t, c.greeting, c.vrfy, &helo)
			check(t, runProbe(t, "com.dartware.tcp.smtp", port, nil), c.status, c.reason)
			if helo != "[127.0.0.1]" {
				t.Errorf("HELO %q, want [127.0.0.1]", helo)
			}
		})
	}
	t.Run("service not available", func(t *testing.T) {
		var helo string
		port := smtpServer(t, "554 5.3.2 go away\r\n", "", &helo)
		check(t, runProbe(t, "com.dartware.tcp.smtp", port, nil), "DOWN",
			fmt.Sprintf("[SMTP] Unexpected greeting from port %d. (554 5.3.2 go away)", port))
	})
	t.Run("closes after greeting", func(t *testing.T) {
		port := lineServer(t, "220-mail.test\r\n\x00", nil)
		check(t, runProbe(t, "com.dartware.tcp.smtp", port, nil), "DOWN",
			`[SMTP] Connection disconnected while expecting "220 ".`)
	})
}

// ftpServer is a minimal FTP control connection.
func ftpServer(t *testing.T, greeting, password string) int {
	return lineServer(t, greeting, func(line string) (string, bool) {
		cmd, arg, _ := strings.Cut(line, " ")
		switch cmd {
		case "USER":
			return "331 Password required for " + arg + ".\r\n", false
		case "PASS":
			if arg != password {
				return "530 Login incorrect.\r\n", false
			}
			return "230-Welcome\r\n230 User logged in.\r\n", false
		case "NOOP":
			return "200 NOOP ok.\r\n", false
		case "QUIT":
			return "221 Goodbye.\r\n", true
		}
		return "500 '" + cmd + "': command not understood.\r\n", false
	})
}

func TestFTPProbe(t *testing.T) {
	cases := []struct {
		name, greeting, password string
		params                   map[string]string
		status, reason           string
	}{
		{"anonymous login", "220 FTP server ready.\r\n", "", nil, "OKAY", ""},
		{"multi-line greeting", "220-Welcome\r\n220-to the test\r\n220 FTP server ready.\r\n", "pw", map[string]string{"Password*": "pw"}, "OKAY", ""},
		{"wrong password", "220 FTP server ready.\r\n", "right", map[string]string{"Password*": "wrong"}, "WARN",
			`[FTP] Incorrect login for "anonymous". (530 Login incorrect.)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := ftpServer(t, c.greeting, c.password)
			check(t, runProbe(t, "com.dartware.tcp.ftp.login", port, c.params), c.status, c.reason)
		})
	}
	t.Run("passwords stay out of the transcript", func(t *testing.T) {
		port := ftpServer(t, "220 ready\r\n", "hunter2")
		res := runProbe(t, "com.dartware.tcp.ftp.login", port, map[string]string{"Password*": "hunter2"})
		check(t, res, "OKAY", "")
		all := strings.Join(res.Transcript, "\n")
		if strings.Contains(all, "hunter2") || !strings.Contains(all, "* sent 14 bytes holding a password") {
			t.Errorf("transcript:\n%s", all)
		}
	})
	t.Run("too many users", func(t *testing.T) {
		port := ftpServer(t, "421 Too many users.\r\n", "")
		check(t, runProbe(t, "com.dartware.tcp.ftp.login", port, nil), "DOWN",
			fmt.Sprintf("[FTP] Unexpected greeting from port %d. (421 Too many users.)", port))
	})
	t.Run("USER not understood", func(t *testing.T) {
		port := lineServer(t, "220 ready\r\n", func(line string) (string, bool) {
			if strings.HasPrefix(line, "QUIT") {
				return "221 bye\r\n", true
			}
			return "500 What?\r\n", false
		})
		check(t, runProbe(t, "com.dartware.tcp.ftp.login", port, nil), "ALRM",
			fmt.Sprintf(`[FTP] Port %d did not recognize the "USER" command. (500 What?)`, port))
	})
}

func TestCustomProbe(t *testing.T) {
	status := func(reply string) func(string) (string, bool) {
		return func(line string) (string, bool) {
			if line == "STATUS" {
				return reply, false
			}
			return "", true
		}
	}
	warn := map[string]string{"String to send": "STATUS", "OK Response": "all good", "WARN Response": "degraded"}
	cases := []struct {
		name, reply    string
		params         map[string]string
		status, reason string
	}{
		{"any line is OK by default", "hello there\r\n", map[string]string{"String to send": "STATUS"}, "OKAY", `[Custom] Response was "hello there".`},
		{"OK response", "server: all good\r\n", warn, "OKAY", `[Custom] Response was "server: all good".`},
		{"WARN response", "server: degraded mode\r\n", warn, "WARN", `[Custom] Response was "server: degraded mode".`},
		{"closed without a line", "", warn, "DOWN", "[Custom] Connection disconnected before a full line was received."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reply := status(c.reply)
			if c.reply == "" {
				reply = func(string) (string, bool) { return "", true }
			}
			port := lineServer(t, "", reply)
			check(t, runProbe(t, "com.dartware.tcp.custom", port, c.params), c.status, c.reason)
		})
	}
	t.Run("silent device", func(t *testing.T) {
		port := lineServer(t, "", func(string) (string, bool) { return "", false })
		p := readProbe(t, "com.dartware.tcp.custom")
		line := p.firstLine + strings.Count(p.script[:strings.Index(p.script, `EXPT "."r`)], "\n")
		check(t, runProbe(t, "com.dartware.tcp.custom", port, map[string]string{"Seconds to wait": "1"}), "DOWN",
			fmt.Sprintf("[Custom] Did not receive a line of data within 1 seconds. [Line %d]", line))
	})
}

func TestSecureConn(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<HTML>secure</HTML>")
	}))
	defer srv.Close()
	port := serverPort(t, srv.URL)
	s := mustParse(t, `CONN #5 "SECURE"
WAIT #5 @IDLE
SEND "GET / HTTP/1.0\r\n\r\n"
MTCH "^HTTP/1.. 200"r else goto @BAD
EXPT "secure" else goto @BAD
DONE OKAY "secure page"
@BAD:
DONE ALRM "bad: ${_LINE:40}"
@IDLE:
DONE DOWN "idle"`)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	trusted := &tls.Config{RootCAs: pool}
	res := s.Run(context.Background(), Options{Address: "127.0.0.1", Port: port, TLSConfig: trusted, Timeout: 10 * time.Second})
	check(t, res, "OKAY", "secure page")

	res = s.Run(context.Background(), Options{Address: "127.0.0.1", Port: port, Timeout: 10 * time.Second})
	if res.Status != "DOWN" || !strings.Contains(res.Reason, "certificate") {
		t.Errorf("untrusted certificate: got %s %q", res.Status, res.Reason)
	}
	adh := mustParse(t, `CONN #5 "SECURE:ADH"
SEND "GET / HTTP/1.0\r\n\r\n"
EXPT "secure"
DONE OKAY "anon"`)
	check(t, adh.Run(context.Background(), Options{Address: "127.0.0.1", Port: port, Timeout: 10 * time.Second}), "OKAY", "anon")
}

// lineServer listens on 127.0.0.1, writes greeting to each connection (a
// trailing NUL: then hangs up) and answers each line with respond (nil: say
// nothing); close ends the connection.
func lineServer(t *testing.T, greeting string, respond func(line string) (reply string, close bool)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				if greeting != "" {
					_, _ = c.Write([]byte(strings.TrimSuffix(greeting, "\x00")))
					if strings.HasSuffix(greeting, "\x00") {
						return // greet and hang up
					}
				}
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if respond == nil {
						continue
					}
					reply, done := respond(strings.TrimRight(line, "\r\n"))
					_, _ = c.Write([]byte(reply))
					if done {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

func waitListening(t *testing.T, port int) {
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Skipf("port %d never listened", port)
}
