package tcpscript

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// tlv builds one BER element.
func tlv(tag byte, content ...[]byte) []byte {
	c := bytes.Join(content, nil)
	return append(append([]byte{tag}, berLen(len(c))...), c...)
}

func octets(s string) []byte { return tlv(0x04, []byte(s)) }
func integer(v byte) []byte  { return tlv(0x02, []byte{v}) }

const ldapScript = `CONN #5
WAIT #5 @IDLE
DISC @DISCONNECT
LINE BER
BSND { #1, [60]{ #3, "${Bind Name}", [80]"${Bind Password*}"} }
BRCV { #1, [61]{ [0A]#ENUM, "", "" } } else @PARSE_ERROR
NBNE #${ENUM} #0 @BAD_BIND
BSND { #2, [63]{ "${Base}", [0A]#2, [0A]#3, #0, #60, [01]#0, [A3]{ "cn", "${Name}"}, {}  }}
STOR "COUNT" "0"
@PARSE_REPLY:
BRCV { #2, ["TAG"]{ ... } } else @PARSE_ERROR
NBNE #${TAG} #100 else @NOT_ENTRY
BRCV { #2, [64]{ "C", { {"X",[31]{ "Y" }},... } } } else @PARSE_ERROR
NADD "COUNT" #1
NEXT
GOTO @PARSE_REPLY
@NOT_ENTRY:
NBNE #${TAG} #101 @UNEXPECTED
DONE OKAY "Found ${COUNT} matches; last ${C} ${X}=${Y}"
@BAD_BIND:
DONE WARN "bind result ${ENUM}"
@UNEXPECTED:
DONE ALRM "tag ${TAG}"
@PARSE_ERROR:
DONE ALRM "parse error [Line ${_IDLELINE}]"
@IDLE:
DONE DOWN "idle"
@DISCONNECT:
DONE DOWN "disc"`

func TestBER(t *testing.T) {
	bindReq := tlv(0x30, integer(1), tlv(0x60, integer(3), octets("cn=admin,dc=test"), tlv(0x80, []byte("pw"))))
	entry := func(dn, val string) []byte {
		return tlv(0x30, integer(2), tlv(0x64, octets(dn), tlv(0x30, tlv(0x30, octets("cn"), tlv(0x31, octets(val))))))
	}
	done := tlv(0x30, integer(2), tlv(0x65, tlv(0x0a, []byte{0}), octets(""), octets("")))
	server := func(bindResult byte) func(string) string {
		return func(w string) string {
			switch {
			case strings.HasPrefix(w, string(bindReq)):
				return string(tlv(0x30, integer(1), tlv(0x61, tlv(0x0a, []byte{bindResult}), octets(""), octets("bind msg"))))
			case len(w) > 6 && w[5] == 0x63:
				return string(entry("cn=bob,dc=test", "bob")) + string(entry("cn=bobby,dc=test", "bobby")) + string(done)
			}
			return ""
		}
	}
	params := map[string]string{"Bind Name": "cn=admin,dc=test", "Bind Password*": "pw", "Base": "dc=test", "Name": "bob"}
	s := mustParse(t, ldapScript)
	for _, c := range []struct {
		name           string
		result         byte
		status, reason string
	}{
		{"search", 0, "OKAY", "Found 2 matches; last cn=bobby,dc=test cn=bobby"},
		{"bind refused", 49, "WARN", "bind result 49"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := &fakeConn{reply: server(c.result), chunk: 7}
			res := s.Run(context.Background(), Options{Params: params, Dial: dialFake(conn, nil)})
			if res.Status != c.status || res.Reason != c.reason {
				t.Errorf("got %s %q, want %s %q\n%s", res.Status, res.Reason, c.status, c.reason, strings.Join(res.Transcript, "\n"))
			}
			if !strings.HasPrefix(conn.sent(), string(bindReq)) {
				t.Errorf("bind request % x, want % x", conn.sent()[:len(bindReq)], bindReq)
			}
		})
	}
	t.Run("garbage", func(t *testing.T) {
		conn := &fakeConn{reply: func(string) string { return string(tlv(0x30, octets("junk"))) }}
		res := s.Run(context.Background(), Options{Params: params, Dial: dialFake(conn, nil)})
		if res.Status != "ALRM" || res.Reason != "parse error [Line 6]" {
			t.Errorf("got %s %q", res.Status, res.Reason)
		}
	})
}

func TestBERIntegers(t *testing.T) {
	for v, want := range map[int64]string{0: "00", 127: "7f", 128: "0080", 256: "0100", -1: "ff", -128: "80", -129: "ff7f"} {
		if got := berInt(v); !bytes.Equal(got, mustHex(want)) {
			t.Errorf("berInt(%d) = % x, want %s", v, got, want)
		}
	}
	long := tlv(0x04, bytes.Repeat([]byte("a"), 300))
	if n, ok := berLength(long); !ok || n != len(long) || long[1] != 0x82 {
		t.Errorf("long form: %d %v % x", n, ok, long[:4])
	}
}

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		b[i] = byte(unhex(s[2*i])<<4 | unhex(s[2*i+1]))
	}
	return b
}

func TestTelnet(t *testing.T) {
	in := "\xff\xfd\x18\xff\xfb\x01\xff\xfa\x18\x01\xff\xf0log\xff\xffin:\r\n"
	conn := &fakeConn{in: []byte(in), chunk: 4}
	s := mustParse(t, "CONN #5 \"TELNET\"\nEXPT \"login\" @+2\nDONE OKAY \"${_LINE}\"\nDONE WARN \"${_LINE}\"")
	res := s.Run(context.Background(), Options{Dial: dialFake(conn, nil)})
	if res.Status != "WARN" || res.Reason != "log\xffin:" {
		t.Errorf("got %s %q", res.Status, res.Reason)
	}
	if got := conn.sent(); got != "\xff\xfc\x18\xff\xfe\x01" {
		t.Errorf("refusals % x", got)
	}
}

// dials counts connections and hands out conns in turn.
type dials struct {
	addrs []string
	tls   []bool
	conns []*fakeConn
	err   error
}

func (d *dials) dial(_ context.Context, _, addr string, useTLS bool) (Conn, error) {
	d.addrs = append(d.addrs, addr)
	d.tls = append(d.tls, useTLS)
	if d.err != nil {
		return nil, d.err
	}
	c := d.conns[0]
	if len(d.conns) > 1 {
		d.conns = d.conns[1:]
	}
	return c, nil
}

func TestConnect(t *testing.T) {
	run := func(script string, d *dials, port int) Result {
		t.Helper()
		return mustParse(t, script).Run(context.Background(), Options{Address: "192.0.2.7", Port: port, Dial: d.dial})
	}
	t.Run("FAIL handler", func(t *testing.T) {
		d := &dials{err: errors.New("connection refused")}
		res := run("CONN #5\nFAIL @F\nDONE OKAY\n@F:\nDONE DOWN \"no ${_REMOTEPORT}\"", d, 25)
		if res.Status != "DOWN" || res.Reason != "no 25" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("DONE DOWN without a message in the FAIL handler", func(t *testing.T) {
		d := &dials{err: errors.New("connection refused")}
		res := run("CONN #5\nFAIL @F\nDONE OKAY\n@F:\nDONE DOWN", d, 25)
		if res.Status != "DOWN" || res.Reason != "Could not connect to 192.0.2.7:25: connection refused (line 1)" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("no FAIL handler", func(t *testing.T) {
		d := &dials{err: errors.New("connection refused")}
		res := run("CONN #5\nDONE OKAY", d, 25)
		if res.Status != "DOWN" || res.Reason != "Could not connect to 192.0.2.7:25: connection refused (line 1)" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("without CONN the first I/O connects", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{in: []byte("hi\n")}}}
		res := run("STOR \"a\" \"b\"\nPORT #2121\nMTCH \"hi\"\nDONE OKAY \"${a}\"", d, 0)
		if res.Status != "OKAY" || res.Reason != "b" || len(d.addrs) != 1 || d.addrs[0] != "192.0.2.7:2121" {
			t.Errorf("got %+v, dials %v", res, d.addrs)
		}
	})
	t.Run("PORT is ignored when the device has a port", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{in: []byte("hi\n")}}}
		run("PORT #2121\nMTCH \"hi\"", d, 25)
		if d.addrs[0] != "192.0.2.7:25" {
			t.Errorf("dialled %v", d.addrs)
		}
	})
	t.Run("SECURE asks for TLS", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{}}}
		run("CONN #5 \"SECURE\"", d, 443)
		run("CONN #5", d, 443)
		if len(d.tls) != 2 || !d.tls[0] || d.tls[1] {
			t.Errorf("tls %v", d.tls)
		}
	})
	t.Run("RCON reconnects", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{in: []byte("first\n")}, {in: []byte("second\n")}}}
		res := run("CONN #5\nMTCH \"first\"\nRCON\nMTCH \"second\"\nDONE OKAY \"${_LINE}\"", d, 80)
		if res.Status != "OKAY" || res.Reason != "second" || len(d.addrs) != 2 {
			t.Errorf("got %+v, dials %v", res, d.addrs)
		}
	})
	t.Run("write failure goes to DISC", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{closed: true}}}
		res := run("CONN #5\nDISC @D\nSEND \"x\"\nDONE OKAY\n@D\nDONE DOWN \"gone\"", d, 80)
		if res.Status != "DOWN" || res.Reason != "gone" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("what arrived before a failed write can still be read", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{in: []byte("220 hi\r\n221 Bye\r\n"), closed: true}}}
		res := run("CONN #5\nMTCH \"220\"\nSEND \"QUIT\\r\\n\"\nMTCH \"221\" @+2\nDONE OKAY \"bye\"\nDONE WARN", d, 21)
		if res.Status != "OKAY" || res.Reason != "bye" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("write failure without DISC is noticed by the next read", func(t *testing.T) {
		d := &dials{conns: []*fakeConn{{closed: true}}}
		res := run("STAT WARN \"bad\"\nCONN #5\nSEND \"QUIT\\r\\n\"\nMTCH \"221\" #+2\nEXPT \"221 \" #+1\nEXIT", d, 80)
		if res.Status != "WARN" || res.Reason != "bad" {
			t.Errorf("got %+v", res)
		}
	})
}

// pipeDialer connects the script to a silent in-memory peer.
func pipeDialer(t *testing.T) Dialer {
	return func(context.Context, string, string, bool) (Conn, error) {
		c, peer := net.Pipe()
		t.Cleanup(func() { _ = peer.Close() })
		return c, nil
	}
}

func TestTimeoutsAndCancel(t *testing.T) {
	s := mustParse(t, "CONN #5\nWAIT #30 @IDLE\nEXPT \"x\"\n@IDLE\nDONE WARN \"idle\"")
	t.Run("overall timeout", func(t *testing.T) {
		start := time.Now()
		res := s.Run(context.Background(), Options{Timeout: 200 * time.Millisecond, Dial: pipeDialer(t)})
		if res.Status != "DOWN" || res.Reason != "Timed out after 200ms (line 3)" || time.Since(start) > 2*time.Second {
			t.Errorf("got %+v after %s", res, time.Since(start))
		}
	})
	t.Run("cancel interrupts a read", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		res := s.Run(ctx, Options{Dial: pipeDialer(t)})
		if res.Status != "DOWN" || res.Reason != "Cancelled (line 3)" || time.Since(start) > 2*time.Second {
			t.Errorf("got %+v after %s", res, time.Since(start))
		}
	})
	t.Run("idle timeout on a real connection", func(t *testing.T) {
		s := mustParse(t, "CONN #5\nWAIT #1 @IDLE\nEXPT \"x\"\n@IDLE\nDONE WARN \"idle ${_IDLELINE}\"")
		res := s.Run(context.Background(), Options{Dial: pipeDialer(t)})
		if res.Status != "WARN" || res.Reason != "idle 3" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("cancelled before the start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := s.Run(ctx, Options{Dial: pipeDialer(t)})
		if res.Status != "DOWN" || res.Reason != "Cancelled (line 1)" {
			t.Errorf("got %+v", res)
		}
	})
}

func TestTranscriptIsBounded(t *testing.T) {
	conn := &fakeConn{in: []byte(strings.Repeat("line of text "+strings.Repeat("x", 300)+"\n", 200))}
	res := mustParse(t, "SEND \"hello\\r\\n\"\nEXPT \"never\"").Run(context.Background(), Options{Dial: dialFake(conn, nil)})
	if len(res.Transcript) != transcriptLines {
		t.Errorf("%d transcript lines", len(res.Transcript))
	}
	for _, l := range res.Transcript {
		if len(l) > transcriptLineLen+4 {
			t.Errorf("line of %d bytes", len(l))
		}
	}
	if last := res.Transcript[len(res.Transcript)-1]; !strings.HasPrefix(last, "* connection closed") {
		t.Errorf("last transcript line %q", last)
	}
}

func TestScriptIsReusable(t *testing.T) {
	s := mustParse(t, "MTCH \"(.*)\"r\nSTOR \"v\" \"${1}\"\nDONE OKAY \"${v}\"")
	done := make(chan Result)
	for i := 0; i < 8; i++ {
		go func(i int) {
			done <- s.Run(context.Background(), Options{Dial: dialFake(&fakeConn{in: []byte{'a' + byte(i), '\n'}}, nil)})
		}(i)
	}
	seen := map[string]bool{}
	for i := 0; i < 8; i++ {
		seen[(<-done).Reason] = true
	}
	if len(seen) != 8 {
		t.Errorf("runs shared state: %v", seen)
	}
}
