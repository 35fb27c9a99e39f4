package remote

import (
	"context"
	"strings"
	"testing"
)

func TestHandshakeIsExact(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.send(`<KC_version id="0">0.9</KC_version>` + "\r\n")
	c.c.SetReadDeadline(deadline())
	buf := make([]byte, 64)
	n, err := c.r.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(buf[:n]); got != "<KR id='0' response='200'>0.9</KR>\n" {
		t.Fatalf("handshake answer %q", got)
	}
}

func TestRequests(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	for _, tc := range []struct{ name, req, want string }{
		{"other 0.x version", `<KC_version id="7">0.8</KC_version>`, `<KR id='7' response='200'>0.9</KR>`},
		{"unsupported version", `<KC_version id="8">2.0</KC_version>`, `<KR id='8' response='505'>0.9</KR>`},
		{"ping", `<KC_ping id="p"/>`, `<KR id='p' response='200'>pong</KR>`},
		{"maps before login", `<KC_maps id="2"/>`, `<KR id='2' response='401'>log in first with &lt;KC_login user=&quot;…&quot; password=&quot;…&quot;/&gt;</KR>`},
		{"unknown", `<KC_reboot id="3"/>`, `<KR id='3' response='400'>unknown request &lt;KC_reboot&gt;</KR>`},
		{"login without user", `<KC_login id="4"/>`, `<KR id='4' response='400'>&lt;KC_login&gt; needs user and password attributes</KR>`},
	} {
		t.Run(tc.name, func(t *testing.T) { c.ask(tc.req, tc.want) })
	}
}

func TestEngineStatusWithoutLogin(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.send(`<KC_checkenginestatus id='12345' loops='500'/><KC_quit/>`)
	got := c.block()
	want := []string{"<KR id='12345' response='200'>", "mapcount=2", "devicecount=3", "</KR>"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("engine status %q", got)
	}
	if l := c.line(); l != "<KR id='' response='200'>bye</KR>" {
		t.Fatalf("quit: %q", l)
	}
}

func TestBrowse(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.login()
	for _, tc := range []struct {
		name, req string
		want      []string
	}{
		{"maps", `<KC_maps id="2"/>`, []string{"<KR id='2' response='200'>", "<map name='Branch' status='ok' devices='1' down='0'/>", "<map name='Lab' status='down' devices='2' down='1'/>", "</KR>"}},
		{"one map", `<KC_maps id="2" map="Lab"/>`, []string{"<KR id='2' response='200'>", "<map name='Lab' status='down' devices='2' down='1'/>", "</KR>"}},
		{"unknown map", `<KC_maps id="2" map="Nope"/>`, []string{"<KR id='2' response='404'>no map &quot;Nope&quot;</KR>"}},
		{"devices", `<KC_devices id="3" map="Lab"/>`, []string{"<KR id='3' response='200'>",
			"<device map='Lab' name='gw' address='192.0.2.1' probe='com.dartware.ping' status='ok' reason='RTT 1 ms'/>",
			"<device map='Lab' name='web' address='192.0.2.80' probe='com.dartware.tcp.http' status='down' reason='connection&#10;refused'/>", "</KR>"}},
		{"devices without map", `<KC_devices id="3"/>`, []string{"<KR id='3' response='400'>&lt;KC_devices&gt; needs a map attribute</KR>"}},
		{"status", `<KC_status id="4" map="Lab" device="web"/>`, []string{"<KR id='4' response='200'>",
			"<device map='Lab' name='web' address='192.0.2.80' probe='com.dartware.tcp.http' status='down' reason='connection&#10;refused' polls='10' failures='4'/>", "</KR>"}},
		{"status of unknown", `<KC_status id="5" map="Lab" device="nope"/>`, []string{"<KR id='5' response='404'>no device &quot;nope&quot; on map &quot;Lab&quot;</KR>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.send(tc.req)
			if got := c.block(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestMapAccess(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), func(d *Deps) {
		d.CanRead = func(_ context.Context, user, m string) bool { return user == "admin" || m == "Branch" }
	})
	c := pipe(t, s, false)
	c.ask(`<KC_login id="1" user="viewer" password="`+testPassword+`"/>`, `<KR id='1' response='200'>viewer</KR>`)
	c.send(`<KC_maps id="2"/>`)
	if got := strings.Join(c.block(), "|"); strings.Contains(got, "Lab") || !strings.Contains(got, "Branch") {
		t.Fatalf("viewer sees %s", got)
	}
	c.ask(`<KC_devices id="3" map="Lab"/>`, `<KR id='3' response='404'>no map &quot;Lab&quot;</KR>`)
	c.ask(`<KC_status id="4" map="Lab" device="gw"/>`, `<KR id='4' response='404'>no device &quot;gw&quot; on map &quot;Lab&quot;</KR>`)
	c.ask(`<KC_subscribe id="5" map="Lab"/>`, `<KR id='5' response='404'>no map &quot;Lab&quot;</KR>`)
}

func TestTooManyErrorsCloses(t *testing.T) {
	cfg := testConfig()
	cfg.MaxErrors = 3
	s, _ := newTestServer(t, cfg, nil)
	c := pipe(t, s, false)
	c.ask("junk\n", "<KR id='' response='400'>malformed request: expected &apos;&lt;&apos;, got &apos;j&apos;</KR>")
	c.ask("<KC_nope/>", "<KR id='' response='400'>unknown request &lt;KC_nope&gt;</KR>")
	c.ask("<a><b/></a>\n", "<KR id='' response='400'>malformed request: child elements are not allowed in a request; too many bad requests, closing</KR>")
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open")
	}
}

func TestTooLargeCloses(t *testing.T) {
	cfg := testConfig()
	cfg.MaxElement = 1024
	s, _ := newTestServer(t, cfg, nil)
	c := pipe(t, s, false)
	go c.c.Write([]byte("<KC_version>" + strings.Repeat("x", 4096)))
	if got := c.line(); got != "<KR id='' response='413'>element larger than the limit; closing</KR>" {
		t.Fatalf("got %q", got)
	}
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open")
	}
}

func TestQuitCloses(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.ask("<KC_quit id='9'/>", "<KR id='9' response='200'>bye</KR>")
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open")
	}
}
