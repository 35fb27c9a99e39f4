package engine

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/status"
)

// listen starts a TCP listener on loopback, closed when the test ends.
func listen(t *testing.T) (net.Listener, string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	a := ln.Addr().(*net.TCPAddr)
	return ln, a.IP.String(), a.Port
}

func tcpPoll(t *testing.T, p probe.Probe, addr string, params map[string]string) status.Result {
	t.Helper()
	return p.Poll(context.Background(), probe.Target{Address: addr, Params: params, Timeout: 10 * time.Second})
}

func TestExampleHTTP(t *testing.T) {
	ln, addr, port := listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprintf(w, "<HTML><body>Hello from Vantage, host=%s</body></HTML>\n", r.Host)
		case "/private":
			if u, pw, ok := r.BasicAuth(); !ok || u != "admin" || pw != "s3cret" {
				w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, "<HTML>secret</HTML>\n")
		case "/broken":
			http.Error(w, "oops", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	f := example(t, "com.dartware.tcp.http")
	p := newProbe(t, f, Deps{})
	portParam := strconv.Itoa(port)
	for _, tc := range []struct {
		params map[string]string
		level  status.Level
		reason string
	}{
		{map[string]string{}, status.OK, ""},
		{map[string]string{"Host Name": "www.example.test", "String to verify": "host=www.example.test<"}, status.OK, ""},
		{map[string]string{"URL Path": "/private", "User ID": "admin", "Password": "s3cret"}, status.OK, ""},
		{map[string]string{"URL Path": "/private"}, status.Warning, "[HTTP] 401 Unauthorized (http://" + addr + ":" + portParam + "/private)"},
		{map[string]string{"URL Path": "/nothere"}, status.Warning, "[HTTP] 404 Not Found (http://" + addr + ":" + portParam + "/nothere)"},
		{map[string]string{"URL Path": "/broken"}, status.Alarm, "[HTTP] 500 Internal Server Error (http://" + addr + ":" + portParam + "/broken)"},
		{map[string]string{"String to verify": "Goodbye"}, status.Warning, `[HTTP] "Goodbye" not found in http://` + addr + ":" + portParam + "/"},
	} {
		t.Run(fmt.Sprint(tc.params), func(t *testing.T) {
			tc.params["port"] = portParam
			r := tcpPoll(t, p, addr, tc.params)
			if r.Level != tc.level || r.Reason != tc.reason {
				t.Errorf("got %v %q, want %v %q\n%s", r.Level, r.Reason, tc.level, tc.reason, strings.Join(r.Values["transcript"].([]string), "\n"))
			}
			txt := text(r)
			if !strings.HasPrefix(txt, "HTTP Information\n  Time to establish connection: ") || !strings.Contains(txt, " msecs\n  Time spent connected to host: ") {
				t.Errorf("display %q", txt)
			}
			if ds, _ := r.Values["datasets"].([]DatasetValue); len(ds) != 2 || ds[0].Tag != "conntime" {
				t.Errorf("datasets %+v", ds)
			}
		})
	}

	// Nothing listens: down, and counted as no response.
	ln2, _, closedPort := listen(t)
	ln2.Close()
	r := tcpPoll(t, p, addr, map[string]string{"port": strconv.Itoa(closedPort)})
	if r.Level != status.Down || !r.NoResponse || !strings.Contains(r.Reason, "connect") {
		t.Errorf("closed port: %v %v %q", r.Level, r.NoResponse, r.Reason)
	}
}

// smtpServer answers a minimal SMTP conversation; vrfy is the reply to
// VRFY.
func smtpServer(t *testing.T, ln net.Listener, vrfy string) {
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				rd := bufio.NewReader(c)
				fmt.Fprint(c, "220-mail.example.test ESMTP\r\n220 ready\r\n")
				for {
					line, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
					case "HELO":
						fmt.Fprint(c, "250 mail.example.test\r\n")
					case "VRFY":
						fmt.Fprint(c, vrfy+"\r\n")
					case "RSET":
						fmt.Fprint(c, "250 OK\r\n")
					case "QUIT":
						fmt.Fprint(c, "221 bye\r\n")
						return
					default:
						fmt.Fprint(c, "500 what?\r\n")
					}
				}
			}()
		}
	}()
}

func TestExampleSMTP(t *testing.T) {
	f := example(t, "com.dartware.tcp.smtp")
	p := newProbe(t, f, Deps{})
	for _, tc := range []struct {
		vrfy   string
		level  status.Level
		reason string
	}{
		{"252 Cannot VRFY user, but will accept message", status.OK, ""},
		{"502 VRFY disabled", status.OK, ""},
		{"550 No such user", status.Alarm, "[SMTP] Name not found. (550 No such user)"},
	} {
		t.Run(tc.vrfy, func(t *testing.T) {
			ln, addr, port := listen(t)
			smtpServer(t, ln, tc.vrfy)
			r := tcpPoll(t, p, addr, map[string]string{"port": strconv.Itoa(port)})
			if r.Level != tc.level || r.Reason != tc.reason {
				t.Errorf("got %v %q, want %v %q\n%s", r.Level, r.Reason, tc.level, tc.reason, strings.Join(r.Values["transcript"].([]string), "\n"))
			}
			if r.RTT <= 0 && r.Level == status.OK {
				// Connecting on loopback may take under a millisecond.
				t.Logf("RTT %v", r.RTT)
			}
		})
	}
}

func TestTCPScriptEval(t *testing.T) {
	ln, addr, port := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprint(c, "load=42\r\n")
			c.Close()
		}
	}()
	f := parse(t, `<header>
	type = "tcp-script"
	package = "com.example"
	probe_name = "tcp.load"
	human_name = "Load"
	version = "1"
	port_number = "`+strconv.Itoa(port)+`"
</header>
<parameters>
	"Limit" = "40"
</parameters>
<script>
CONN #5
EXPT "load=([0-9]+)"r else goto @BAD
STOR "load" "${1}"
EVAL $over := ${load} - ${Limit}
NBGT #${load} #${Limit} @HIGH
DONE OKAY "load ${load}"
@HIGH:
DONE WARN "load ${load} is ${over} over"
@BAD:
DONE DOWN "no load line"
</script>
<script-output>
\B\Load:\P\ ${load} (limit ${Limit}, ${eval:$load * 2} doubled) on ${deviceaddress}
</script-output>
`)
	r := tcpPoll(t, newProbe(t, f, Deps{}), addr, nil)
	if r.Level != status.Warning || r.Reason != "load 42 is 2 over" {
		t.Errorf("got %v %q", r.Level, r.Reason)
	}
	if got := text(r); got != "Load: 42 (limit 40, 84 doubled) on "+addr {
		t.Errorf("display %q", got)
	}
	if v := varsOf(r); v["load"] != "42" {
		t.Errorf("vars %v", v)
	}
}
