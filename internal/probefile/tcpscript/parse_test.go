package tcpscript

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		first     int
		want      string
	}{
		{"misspelt command", "CONN #5\nSNED \"x\"", 46, `line 47: unknown command "SNED" (did you mean SEND?)`},
		{"lower-case command", "send \"x\"", 1, `line 1: unknown command "send" (did you mean SEND? commands are upper-case)`},
		{"no suggestion", "FROBNICATE", 1, `line 1: unknown command "FROBNICATE"`},
		{"leading blank lines keep file lines", "\n\n  SNED \"x\"", 10, `line 12: unknown command "SNED" (did you mean SEND?)`},
		{"unknown label", "GOTO @NOWHERE", 1, `line 1: GOTO: unknown label @NOWHERE`},
		{"unknown label in else", "MTCH \"x\" else goto @MISSING", 1, `line 1: MTCH: unknown label @MISSING`},
		{"relative jump past the end", "NEXT\nGOTO #+5", 1, `line 2: GOTO: jump target #+5 is outside the script (2 lines)`},
		{"absolute jump past the end", "GOTO #9", 1, `line 1: GOTO: jump target #9 is outside the script (1 lines)`},
		{"relative jump before the start", "GOTO @-1", 1, `line 1: GOTO: jump target @-1 is outside the script (1 lines)`},
		{"bad jump target", "GOTO #abc", 1, `line 1: GOTO: bad jump target #abc`},
		{"missing string", "MTCH #5", 1, `line 1: MTCH: missing string operand`},
		{"missing target", "GOTO", 1, `line 1: GOTO: missing jump target operand`},
		{"missing number", "NBNE #1", 1, `line 1: NBNE: missing number operand`},
		{"missing status", "STAT", 1, `line 1: STAT: missing status (OKAY, WARN, ALRM, CRIT or DOWN) operand`},
		{"bad status", `DONE OKYA "x"`, 1, `line 1: DONE: bad status "OKYA" (want OKAY, WARN, ALRM, CRIT or DOWN)`},
		{"duplicate label", "@A\nNEXT\n@a:", 1, `line 3: duplicate label @A (first at line 1)`},
		{"bad regexp", `MTCH "([a-"r`, 1, "line 1: MTCH: bad regular expression \"([a-\"r: error parsing regexp: missing closing ]: `[a-`"},
		{"unterminated string", `SEND "abc`, 1, `line 1: SEND: unterminated string "abc`},
		{"bad LINE mode", "LINE SIDEWAYS", 1, `line 1: LINE: expected ON, OFF, HTML, BER or #bytes, not "SIDEWAYS"`},
		{"bad BER template", "BSND { #1, [ZZ]#2 }", 1, `line 1: BSND: BER template: bad tag [ZZ]`},
		{"missing BER template", "BRCV else @X\n@X", 1, `line 1: BRCV: missing BER template { ... }`},
		{"empty EVAL", "EVAL", 1, `line 1: EVAL: missing expression`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.src, c.first)
			if err == nil {
				t.Fatalf("no error; script %+v", s)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error is not a *ParseError")
			}
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	_, err := Parse("SNED\nGOTO @X\nNEXT\nWAIT", 1)
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("want 3 errors, got %v", err)
	}
}

func TestParseForms(t *testing.T) {
	src := `
<!-- a comment
     over two lines -->
-- a dash comment
# a hash comment
CONN #60 (connect timeout in secs, see #5)
WAIT #${Seconds to wait} else goto @IDLE
MTCH "blah" else goto #7
MTCH "331 " else goto -1- #14 -- comment #99
MTCH m"^25[0-9]"
MTCH "^HTTP/... 200"ri ELSE @BAD
EXPT "x"I else goto @+2
NBGT #$count #3 @BAD
IDLE ${timeout} @IDLE
LINE #${^content_length}
DISC if disconnected goto @BAD   (added line in 2.1.1b1)
STOR "${1}" "${2}"
STOR "n" #2048
DONE
@BAD:
DONE ALRM "bad \"quote\""
@IDLE
DONE DOWN`
	s, err := Parse(src, 100)
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int]*stmt{}
	for i := range s.lines {
		byLine[s.lines[i].line] = &s.lines[i]
	}
	// The first non-blank line is line 101 of the file and script line 1.
	if s.lines[0].line != 101 {
		t.Fatalf("first line %d", s.lines[0].line)
	}
	conn := byLine[105]
	if conn.cmd != "CONN" || conn.args[0].tok.text != "60" {
		t.Errorf("CONN: %+v", conn)
	}
	if a := byLine[106].args; a[1].tgt != s.labels["IDLE"] || a[0].tok.text != "${Seconds to wait}" {
		t.Errorf("WAIT: %+v", a)
	}
	if a := byLine[107].args; a[1].tgt != 6 {
		t.Errorf("MTCH #7 -> index %d, want 6", a[1].tgt)
	}
	if a := byLine[108].args; a[1].tgt != 13 {
		t.Errorf("MTCH -1- #14 -> index %d, want 13", a[1].tgt)
	}
	if a := byLine[109].args; !a[0].tok.regex || a[0].re == nil || a[1].ok {
		t.Errorf("m\"...\": %+v", a)
	}
	if a := byLine[110].args; !a[0].tok.regex || !a[0].tok.icase || a[1].tgt != s.labels["BAD"] {
		t.Errorf("\"...\"ri: %+v", a)
	}
	if a := byLine[111].args; !a[0].tok.icase || a[1].tgt != 12 {
		t.Errorf("@+2: %+v", a)
	}
	if a := byLine[112].args; a[0].tok.text != "$count" || a[1].tok.text != "3" {
		t.Errorf("NBGT: %+v", a)
	}
	if a := byLine[113].args; a[0].tok.text != "${timeout}" || a[1].tgt != s.labels["IDLE"] {
		t.Errorf("IDLE: %+v", a)
	}
	if a := byLine[120].args; a[0].tok.text != "ALRM" || a[1].tok.text != `bad \"quote\"` {
		t.Errorf("DONE: %+v", a)
	}
	if !s.hasConn {
		t.Error("hasConn")
	}
}

func TestParseCRLFAndLabelsCaseInsensitive(t *testing.T) {
	s := mustParse(t, "GOTO @end\r\nNEXT\r\n@END:\r\nDONE OKAY\r\n")
	if s.lines[0].args[0].tgt != 2 {
		t.Errorf("target %d", s.lines[0].args[0].tgt)
	}
}
