package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are representative inputs: every construct of the grammar and
// the corpus lines quoted by the spec.
var fuzzSeeds = []string{
	"1 + 2 * 3", "-(1+2) % 3", "0x1F / 2.5e1", `"a\tb\x41\101\d" + $x`,
	`$x==0 ? "a" : $x==1 ? "b" : "c"`, `${test} := (4-1)*(2+1)/(9/3)`,
	`"$sysDescr" =~ "^FW ([^,]+), (.+)Hz" ;"${1}"`, `"test123" !~ "^te([st]*)"`,
	`defined("lcpu.avgBusy1") && (${lcpu.avgBusy1} > ${CPU Busy - Alarm})`,
	`$checkEQ && !defined("theOID")`, `not $a or $b and $c <> 2 = 1`,
	`sprintf("%-10.4s|%6.5d|%a|%g", "Help/Systems", 12, "\x01\x02", 1/3)`,
	`strftime("%c %U %W %z", strptime("2007-02-06", "%Y-%m-%d"))`,
	`subid("1.3.6.1.2.1", -2, 4) + substr("0123456789", 4, -2)`,
	`unpack("\1\2\3\4", ">L") + unpack(pack(1, "<S"), "S")`, `unpack("%41\\x42", "#~")`,
	`round(3.14159, 3) + trunc(-2.5) + min(1,2,3) + max(4) + bitxor(12, 10)`,
	`log(100, 10) + pow(2, 10) + sqrt(16) + sin(pi()) + time()`,
	`strifind("Ethernet Interface", "int") + strlen("a", "bc") + crc32("x")`,
	`$a := 1; $a := $a + $a; $a`, `"$x" + "$s" + "${s}"`, `(((((1)))))`,
	"1 +", "(1 + 2", `"\xZZ"`, "foo(1)", "$", "${", "1.2.3", "abs(1,", "1 := 2",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Col < 1 || pe.Col > len(src)+1 {
				t.Fatalf("Parse(%q): error %#v is not an *Error with a column in the input", src, err)
			}
		} else {
			_ = e.Vars()
		}
		pe, n, perr := ParsePrefix(src)
		if perr == nil {
			if n < 0 || n > len(src) {
				t.Fatalf("ParsePrefix(%q) = %d, out of range", src, n)
			}
			if err == nil && n != len(src) {
				t.Fatalf("ParsePrefix(%q) stopped at %d although Parse accepts it", src, n)
			}
			if _, err := Parse(src[:n]); err != nil {
				t.Fatalf("ParsePrefix(%q) = %q, which Parse rejects: %v", src, pe.Source(), err)
			}
		} else if err == nil {
			t.Fatalf("ParsePrefix(%q) fails (%v) but Parse accepts it", src, perr)
		}
	})
}

func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		env := newEnv()
		// Expansion of the same text must not panic either.
		_ = Expander{Env: env, Round: true}.Expand(src)
		e, err := Parse(src)
		if err != nil {
			return
		}
		start := time.Now()
		_, err = e.Eval(env)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Eval(%q) took %v", src, d)
		}
		var ee *Error
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("Eval(%q): error %#v is not an *Error", src, err)
		}
		for _, v := range env.MapEnv {
			if len(v.Str()) > maxString {
				t.Fatalf("Eval(%q) stored a string of %d bytes", src, len(v.Str()))
			}
		}
	})
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"Rebooted $x ago, ${s}.", `\0\${AvgLatency}ms`, `${eval: "}" + "x"}`,
		"${chartable: #.## : $pi }", `${chartable: "%9.7f" : $pi*1000}`, "${scalable2:12304}",
		"${_BASE64:${s}:${x}}", "${_XOR:a:b}", "${_HMAC:k:m}", "${", "$$", "${a:${b:${c}}}",
		strings.Repeat("${_LENGTH:", 40) + "x" + strings.Repeat("}", 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Expand(s, newEnv())
	})
}
