package tcpscript

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// peer describes the fake device of a table case.
type peer struct {
	in      string            // sent at once
	replies map[string]string // answer to a write that starts with the key
	hang    bool              // idle instead of EOF at the end of the data
	chunk   int
}

func (p peer) conn() *fakeConn {
	c := &fakeConn{in: []byte(p.in), hang: p.hang, chunk: p.chunk}
	if p.replies != nil {
		c.reply = func(w string) string {
			for k, v := range p.replies {
				if strings.HasPrefix(w, k) {
					return v
				}
			}
			return ""
		}
	}
	return c
}

type runCase struct {
	name   string
	script string
	params map[string]string
	peer   peer
	status string
	reason string
	sent   string            // what the script wrote, when not ""
	vars   map[string]string // a subset of Result.Vars
}

func runCases(t *testing.T, cases []runCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustParse(t, c.script)
			conn := c.peer.conn()
			res := s.Run(context.Background(), Options{Address: "192.0.2.7", Port: 25, Params: c.params,
				Dial: dialFake(conn, nil), Timeout: 5 * time.Second})
			if res.Status != c.status || res.Reason != c.reason {
				t.Errorf("got %s %q, want %s %q\n%s", res.Status, res.Reason, c.status, c.reason, strings.Join(res.Transcript, "\n"))
			}
			if c.sent != "" && conn.sent() != c.sent {
				t.Errorf("sent %q, want %q", conn.sent(), c.sent)
			}
			for k, v := range c.vars {
				if res.Vars[k] != v {
					t.Errorf("var %s = %q, want %q (all: %v)", k, res.Vars[k], v, res.Vars)
				}
			}
		})
	}
}

func TestIOCommands(t *testing.T) {
	runCases(t, []runCase{
		{name: "SEND escapes", script: `SEND "a\r\n\x41\101\t\"q\"\\\$x\0"`, status: "OKAY",
			sent: "a\r\nAA\t\"q\"\\$x\x00"},
		{name: "SEND substitutes parameters verbatim", script: `SEND "USER ${User ID}\r\n"`,
			params: map[string]string{"User ID": `a\r"b`}, status: "OKAY", sent: "USER a\\r\"b\r\n"},
		{name: "MTCH keeps the current line", script: "MTCH \"220\" #0\nMTCH \"ready\" #0\nDONE OKAY \"${_LINE}\"",
			peer: peer{in: "220 ready\r\nnext\r\n"}, status: "OKAY", reason: "220 ready"},
		{name: "MTCH fails to target", script: "MTCH \"220\" else goto @BAD\nDONE OKAY\n@BAD:\nDONE ALRM \"got ${_LINE:3}\"",
			peer: peer{in: "500 no\r\n"}, status: "ALRM", reason: "got 500"},
		{name: "MTCH without target ends DOWN", script: `MTCH "220"`, peer: peer{in: "500 no\n"},
			status: "DOWN", reason: `MTCH "220" failed on "500 no" (line 1)`},
		{name: "MTCH case-insensitive", script: `MTCH "READY"i`, peer: peer{in: "ready\n"}, status: "OKAY"},
		{name: "MTCH is case-sensitive", script: `MTCH "READY" @+2` + "\nDONE OKAY\nDONE WARN", peer: peer{in: "ready\n"}, status: "WARN"},
		{name: "empty pattern matches any line", script: "MTCH \"${OK Response}\" else #+2\nDONE OKAY\nDONE DOWN",
			params: map[string]string{"OK Response": ""}, peer: peer{in: "anything\n"}, status: "OKAY"},
		{name: "EXPT reads until a match", script: "EXPT \"220 \"\nDONE OKAY \"${_LINE}\"",
			peer: peer{in: "220-one\r\n220-two\r\n220 three\r\n"}, status: "OKAY", reason: "220 three"},
		{name: "EXPT tests the current line first", script: "MTCH \"220\"\nEXPT \"220 \"\nSEND \"QUIT\\r\\n\"\nMTCH \"221\"",
			peer: peer{in: "220 hi\r\n", replies: map[string]string{"QUIT": "221 bye\r\n"}}, status: "OKAY"},
		{name: "EXPT regexp groups", script: "EXPT \"^v=([0-9]+) (.*)$\"r\nSTOR \"version\" \"${1}\"\nDONE OKAY \"${2}\"",
			peer: peer{in: "hello\nv=42 rest of it\n"}, status: "OKAY", reason: "rest of it", vars: map[string]string{"version": "42"}},
		{name: "SKIP passes matching lines", script: "SKIP \"#\"\nMTCH \"data\"\nDONE OKAY \"${_LINE}\"",
			peer: peer{in: "# one\n# two\ndata here\n"}, status: "OKAY", reason: "data here"},
		{name: "NEXT moves to the next line", script: "MTCH \"a\"\nNEXT\nMTCH \"b\"\nDONE OKAY \"${_LINE}\"",
			peer: peer{in: "a\nb\n"}, status: "OKAY", reason: "b"},
		{name: "SEND discards the current line", script: "MTCH \"a\"\nSEND \"x\\n\"\nMTCH \"a\" @+2\nDONE OKAY\nDONE WARN \"${_LINE}\"",
			peer: peer{in: "a\n", replies: map[string]string{"x": "b\n"}}, status: "WARN", reason: "b"},
		{name: "LF and CRLF lines, partial last line", script: "EXPT \"end\"\nDONE OKAY \"${_LINE}\"",
			peer: peer{in: "one\ntwo\r\nthe end"}, status: "OKAY", reason: "the end"},
		{name: "long line cut at 4096 bytes", script: "MTCH \"x\"\nDONE OKAY \"${_LENGTH:${_LINE}}\"",
			peer: peer{in: strings.Repeat("x", 5000) + "\n"}, status: "OKAY", reason: "4096"},
		{name: "key=value loop", script: "@DATA:\nMTCH \"^([a-z]+)=(.*)$\"ri else goto @FINISHED\nSTOR \"${1}\" \"${2}\"\nNEXT\nGOTO @DATA\n@FINISHED:\nDONE OKAY \"${uptime}\"",
			peer: peer{in: "Uptime=5 days\nusers=3\nEND\n"}, status: "OKAY", reason: "5 days", vars: map[string]string{"Uptime": "5 days", "users": "3"}},
		{name: "RECV stores the current line", script: "RECV \"buf\"\nDONE OKAY \"${buf}\"", peer: peer{in: "payload\n"}, status: "OKAY", reason: "payload"},
		{name: "LINE OFF reads blocks and finds strings split across reads",
			script: "LINE OFF\nEXPT \"<HTML\"i else goto @NO\nDONE OKAY\n@NO:\nDONE WARN",
			peer:   peer{in: strings.Repeat("z", 6000) + "<ht" + "ml>", chunk: 6001}, status: "OKAY"},
		{name: "LINE OFF no match then close", script: "LINE OFF\nEXPT \"<HTML\"i else goto @NO\nDONE OKAY\n@NO:\nDONE WARN",
			peer: peer{in: "plain text"}, status: "WARN"},
		{name: "LINE #n reads fixed blocks", script: "LINE #4\nMTCH \"abcd\"\nNEXT\nMTCH \"efgh\"\nLINE ON\nNEXT\nMTCH \"tail\"",
			peer: peer{in: "abcdefghtail\n"}, status: "OKAY"},
		{name: "LINE #${var}", script: "STOR \"n\" \"3\"\nLINE #${n}\nMTCH \"abc\"\nDONE OKAY \"${_LINE}\"",
			peer: peer{in: "abcdef"}, status: "OKAY", reason: "abc"},
	})
}

func TestHandlers(t *testing.T) {
	runCases(t, []runCase{
		{name: "idle handler", script: "WAIT #7 @IDLE\nEXPT \"x\" else goto @DISC\nDONE OKAY\n@IDLE:\nDONE DOWN \"idle ${_IDLETIMEOUT}s line ${_IDLELINE} want ${_STRINGTOMATCH}\"\n@DISC:\nDONE WARN",
			peer: peer{hang: true}, status: "DOWN", reason: "idle 7s line 2 want x"},
		{name: "idle without handler goes to the target", script: "WAIT #7\nEXPT \"x\" else goto @T\nDONE OKAY\n@T:\nDONE WARN \"target\"",
			peer: peer{hang: true}, status: "WARN", reason: "target"},
		{name: "idle without handler or target", script: "WAIT #7\nEXPT \"x\"",
			peer: peer{hang: true}, status: "DOWN", reason: `No data for 7 seconds while waiting for "x" (line 2)`},
		{name: "IDLE command", script: "IDLE ${timeout} @I\nEXPT \"x\"\n@I\nDONE WARN \"${_IDLETIMEOUT}\"",
			params: map[string]string{"timeout": "15"}, peer: peer{hang: true}, status: "WARN", reason: "15"},
		{name: "WAIT sets the disconnect handler too", script: "WAIT #5 @I @D\nEXPT \"x\" @T\n@I\nDONE WARN\n@D\nDONE DOWN \"disc\"\n@T\nDONE ALRM",
			status: "DOWN", reason: "disc"},
		{name: "DISC handler supersedes the target", script: "DISC @D\nEXPT \"x\" @T\n@D\nDONE DOWN \"disc ${_SECSCONNECTED}\"\n@T\nDONE ALRM",
			status: "DOWN", reason: "disc 0"},
		{name: "close goes to the target", script: "EXPT \"x\" else goto @T\nDONE OKAY\n@T:\nDONE ALRM \"target\"", status: "ALRM", reason: "target"},
		{name: "close without handler or target", script: "EXPT \"x\"", status: "DOWN", reason: `Connection closed while waiting for "x" (line 1)`},
		{name: "DISC changed later", script: "DISC @A\nDISC if disconnected goto @B\nMTCH \"x\"\n@A\nDONE DOWN\n@B\nDONE WARN \"b\"", status: "WARN", reason: "b"},
	})
}

func TestFlowCommands(t *testing.T) {
	runCases(t, []runCase{
		{name: "GOTO label and relative", script: "GOTO @L\nDONE DOWN\n@L:\nGOTO #+2\nDONE DOWN\nDONE OKAY \"here\"", status: "OKAY", reason: "here"},
		{name: "GOTO absolute counts blank and label lines", script: "\n\nGOTO #5\nDONE DOWN\n\nDONE DOWN\n@X\nDONE OKAY \"five\"", status: "OKAY", reason: "five"},
		{name: "GOTO absolute", script: "GOTO #4\nDONE DOWN\n\nDONE OKAY \"four\"", status: "OKAY", reason: "four"},
		{name: "GOTO #0 ends DOWN", script: "GOTO #0", status: "DOWN", reason: "GOTO #0 (line 1)"},
		{name: "GOTO to a label by macro", script: "STOR \"where\" \"END\"\nGOTO @${where}\nDONE DOWN\n@END\nDONE OKAY \"end\"", status: "OKAY", reason: "end"},
		{name: "GOTO <BEGIN #4> as the IMAP4 probe writes it", script: "GOTO <BEGIN #4>\nDONE DOWN\n\n@BEGIN:\nDONE OKAY \"begin\"", status: "OKAY", reason: "begin"},
		{name: "GOTO relative by macro", script: "STOR \"n\" \"+2\"\nGOTO #${n}\nDONE DOWN\nDONE OKAY \"rel\"", status: "OKAY", reason: "rel"},
		{name: "GOTO absolute by $var", script: "STOR \"n\" \"4\"\nGOTO #$n\nDONE DOWN\nDONE OKAY \"abs\"", status: "OKAY", reason: "abs"},
		{name: "GOTO by macro outside the script", script: "STOR \"n\" \"99\"\nGOTO #$n", status: "DOWN", reason: "jump target #99 is outside the script (2 lines) (line 2)"},
		{name: "subroutine return through GOTO ${RET}", script: "STOR \"RET\" \"@BACK\"\nGOTO @SUB\n@BACK:\nDONE OKAY \"${x}\"\n@SUB:\nSTOR \"x\" \"sub ran\"\nGOTO ${RET}",
			status: "OKAY", reason: "sub ran"},
		{name: "else goto ${RET}", script: "STOR \"RET\" \"#4\"\nMTCH \"x\" else goto ${RET}\nDONE DOWN\nDONE OKAY \"four\"", peer: peer{in: "y\n"}, status: "OKAY", reason: "four"},
		{name: "GOTO to an unknown label by macro", script: "GOTO @${where}", status: "DOWN", reason: "unknown label @ (line 1)"},
		{name: "endless loop stops", script: "@L\nGOTO @L", status: "DOWN", reason: "Stopped after 10000 steps: the script loops (line 2)"},
		{name: "CHCK non-empty", script: "CHCK \"${User}\" else goto @NO\nDONE OKAY\n@NO\nDONE WARN", params: map[string]string{"user": "bob"}, status: "OKAY"},
		{name: "CHCK empty", script: "CHCK \"${User}\" ELSE @NO_USER\nDONE OKAY\n@NO_USER\nDONE WARN", status: "WARN"},
		{name: "SBNE equal", script: "SBNE \"abc\" \"abc\" @NE\nDONE OKAY\n@NE\nDONE WARN", status: "OKAY"},
		{name: "SBNE differ", script: "SBNE \"abc\" \"abd\" @NE\nDONE OKAY\n@NE\nDONE WARN", status: "WARN"},
		{name: "SBNE case-insensitive", script: "SBNE \"abc\" \"ABC\"i @NE\nDONE OKAY\n@NE\nDONE WARN", status: "OKAY"},
		{name: "SBNE regexp", script: "SBNE \"v12\" \"v([0-9])\"r @NE\nDONE OKAY \"${1}\"\n@NE\nDONE WARN", status: "OKAY", reason: "1"},
		{name: "SBNE m-regexp as the SMTP probe uses it", script: "SBNE \"127.0.0.1\" m\"^[.+]$\" #+3\nDONE DOWN\nDONE DOWN\nDONE OKAY", status: "OKAY"},
		{name: "NBNE", script: "NBNE #${a} #5 @NE\nDONE OKAY\n@NE\nDONE WARN", params: map[string]string{"a": "5"}, status: "OKAY"},
		{name: "NBNE numeric conversion", script: "NBNE \"${a}\" #50 @NE\nDONE OKAY\n@NE\nDONE WARN", params: map[string]string{"a": "50.5 units"}, status: "OKAY"},
		{name: "NBGT", script: "NBGT #$count #3 @GT\nDONE OKAY\n@GT\nDONE WARN", params: map[string]string{"count": "4"}, status: "WARN"},
		{name: "NBGT not greater", script: "NBGT #3 #3 @GT\nDONE OKAY\n@GT\nDONE WARN", status: "OKAY"},
		{name: "NBLT", script: "NBLT #-2 #1 @LT\nDONE OKAY\n@LT\nDONE WARN", status: "WARN"},
		{name: "STAT then EXIT", script: "STAT WARN \"careful ${x}\"\nSTOR \"x\" \"later\"\nEXIT", params: map[string]string{"x": "now"}, status: "WARN", reason: "careful now"},
		{name: "DONE without status uses STAT", script: "STAT ALRM \"alarm\"\nDONE ", status: "ALRM", reason: "alarm"},
		{name: "EXIT without STAT", script: "EXIT", status: "OKAY"},
		{name: "running off the end", script: "STOR \"a\" \"b\"", status: "OKAY", vars: map[string]string{"a": "b"}},
		{name: "running off the end after STAT", script: "STAT CRIT \"c\"", status: "CRIT", reason: "c"},
		{name: "DONE CRIT", script: "DONE CRIT \"critical\"", status: "CRIT", reason: "critical"},
		{name: "DONE status from a macro", script: "DONE ${level} \"m\"", params: map[string]string{"level": "alrm"}, status: "ALRM", reason: "m"},
		{name: "DONE bad status from a macro", script: "DONE ${level} \"m\"", params: map[string]string{"level": "meh"}, status: "DOWN", reason: `DONE: bad status "meh" (line 1)`},
		{name: "DONE reason keeps IMML", script: `DONE WARN "\\B\\bold\\P\\"`, status: "WARN", reason: `\B\bold\P\`},
	})
}

func TestVariableCommands(t *testing.T) {
	runCases(t, []runCase{
		{name: "STOR number", script: "STOR \"n\" #2048\nSTOR \"m\" #${n}", status: "OKAY", vars: map[string]string{"n": "2048", "m": "2048"}},
		{name: "STOR name from macros", script: "STOR \"k\" \"key\"\nSTOR \"${k}\" \"v\"", status: "OKAY", vars: map[string]string{"key": "v"}},
		{name: "names are case-insensitive", script: "STOR \"Name\" \"a\"\nDONE OKAY \"${NAME}${name}\"", status: "OKAY", reason: "aa"},
		{name: "parameters are variables", script: "STOR \"Host Name\" \"${host name}!\"\nDONE OKAY \"${HOST NAME}\"",
			params: map[string]string{"Host Name": "h"}, status: "OKAY", reason: "h!"},
		{name: "SCAT", script: "STOR \"u\" \"http://\"\nSCAT \"u\" \"${_REMOTEADDRESS}\"\nSCAT \"u\" \":${_REMOTEPORT}/\"", status: "OKAY",
			vars: map[string]string{"u": "http://192.0.2.7:25/"}},
		{name: "SCAT overflow", script: "STOR \"big\" \"" + strings.Repeat("x", 40000) + "\"\nSCAT \"big\" \"${big}\" @TOO\nDONE OKAY\n@TOO\nDONE WARN \"${_LENGTH:${big}}\"",
			status: "WARN", reason: "40000"},
		{name: "NADD", script: "NADD \"c\" #2\nNADD \"c\" #-5\nSTOR \"s\" \"abc\"\nNADD \"s\" #1", status: "OKAY", vars: map[string]string{"c": "-3", "s": "1"}},
		{name: "STRT and TIME", script: "TIME \"none\"\nSTRT\nTIME \"t\"", status: "OKAY", vars: map[string]string{"none": "0", "t": "0"}},
		{name: "_ variables of the script's own", script: "STOR \"_divisor\" \"10\"\nEVAL $_uptime := 100 / ${_divisor}\nDONE OKAY \"${_divisor} ${_uptime} ${_remoteport}\"",
			status: "OKAY", reason: "10 10 25", vars: map[string]string{"_uptime": "10"}},
		{name: "^ variables", script: "STOR \"^data\" \"x\"\nDONE OKAY \"${^data}$^data\"", status: "OKAY", reason: "xx", vars: map[string]string{"^data": "x"}},
		{name: "bare $name only for defined variables", script: "STOR \"a\" \"1\"\nDONE OKAY \"$a $b US$ ^$\"", status: "OKAY", reason: "1 $b US$ ^$"},
	})
}

func TestEval(t *testing.T) {
	t.Run("expression language", func(t *testing.T) {
		s := mustParse(t, "MTCH \"(b+)\"r\nEVAL $x := \"${1}\" + \"!\"\nEVAL $n := 2*3\nEVAL $y := $undefined + 1\n"+
			"EVAL \"key=42\" =~ \"=([0-9]+)\"\nDONE OKAY \"${eval:$n + 1} ${x} ${1} ${y}\"")
		res := s.Run(context.Background(), Options{Dial: dialFake(&fakeConn{in: []byte("abbc\n")}, nil)})
		if res.Status != "OKAY" || res.Reason != "7 bb! 42 " || res.Vars["x"] != "bb!" || res.Vars["n"] != "6" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("custom evaluator", func(t *testing.T) {
		eval := func(expr string, vars map[string]string) (string, error) {
			if name, v, ok := strings.Cut(expr, ":="); ok {
				v = strings.TrimSpace(v)
				vars[strings.TrimPrefix(strings.TrimSpace(name), "$")] = v + "/" + vars["1"]
				return v, nil
			}
			if expr == "$fail" {
				return "", fmt.Errorf("undefined variable")
			}
			return "<" + expr + ">", nil
		}
		s := mustParse(t, "MTCH \"(b+)\"r\nEVAL $x := 5\nEVAL $fail\nDONE OKAY \"${eval:1+1} ${x}\"")
		res := s.Run(context.Background(), Options{Dial: dialFake(&fakeConn{in: []byte("abbc\n")}, nil), Eval: eval})
		if res.Status != "OKAY" || res.Reason != "<1+1> 5/bb" || res.Vars["x"] != "5/bb" {
			t.Errorf("got %+v", res)
		}
	})
	t.Run("syntax errors are parse errors", func(t *testing.T) {
		if _, err := Parse("EVAL $x := (1 +", 7); err == nil || !strings.HasPrefix(err.Error(), "line 7: EVAL: ") {
			t.Errorf("got %v", err)
		}
	})
}

func TestPersistentVariables(t *testing.T) {
	s := mustParse(t, `STOR "count" 0
EVAL $prev := defined("total") == 1 ? $total : 0
SEND "stats\r\n"
SKIP "<KR id='1' "
@DATA:
MTCH "^([a-z]+)=(.*)$"ri else goto @FINISHED
STOR "${1}" "${2}"
NEXT
GOTO @DATA
@FINISHED:
EXPT "</KR>"
EVAL $diff := $total - $prev
DONE OKAY "diff ${diff} count ${count}"`)
	poll := func(total string, prev map[string]string) Result {
		conn := &fakeConn{reply: func(string) string { return "<KR id='1' >\ntotal=" + total + "\n</KR>\n" }}
		return s.Run(context.Background(), Options{Dial: dialFake(conn, nil), Persistent: prev})
	}
	first := poll("150", nil)
	if first.Reason != "diff 150 count 0" {
		t.Fatalf("first poll: %+v", first)
	}
	second := poll("175", first.Vars)
	if second.Reason != "diff 25 count 0" || second.Vars["prev"] != "150" {
		t.Errorf("second poll: %+v", second)
	}
}

// TestBinaryExchange follows the NRPE probe's pattern: a packet built with
// EVAL and pack(), sent with SEND "$cmd", a fixed-size reply read with
// LINE #n and RECV, and decoded with unpack().
func TestBinaryExchange(t *testing.T) {
	s := mustParse(t, `EVAL $cmd := pack(2, ">S") + "hi" + "\x00"
LINE #6
SEND "$cmd"
RECV "buf"
EVAL $type := unpack(substr("$buf", 0, 2), ">S")
NBNE #$type #3 @BAD
EVAL $has := ("$buf" =~ "(d.+)$")
STOR "perf" "${1}"
DONE OKAY "type $type, $$${perf}"
@BAD:
DONE DOWN "type $type"`)
	conn := &fakeConn{reply: func(string) string { return "\x00\x03data" + "extra" }}
	res := s.Run(context.Background(), Options{Dial: dialFake(conn, nil)})
	if res.Status != "OKAY" || res.Reason != "type 3, $data" {
		t.Errorf("got %+v", res)
	}
	if got := conn.sent(); got != "\x00\x02hi\x00" {
		t.Errorf("sent %q", got)
	}
}

func TestTimer(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	s := mustParse(t, "STRT\nNEXT\nTIME \"elapsed\"\nDONE OKAY \"${elapsed} ms, connect ${_CONNECT} ms\"")
	res := s.Run(context.Background(), Options{Now: now, Dial: dialFake(&fakeConn{}, nil)})
	if res.Reason != "250 ms, connect 0 ms" || res.Vars["elapsed"] != "250" {
		t.Errorf("got %+v", res)
	}
}
