package expr

import (
	"errors"
	"testing"
)

// Spec references are to probes/spec/03-expression-language.md (03:line)
// and 02-snmp-probes.md (02:line).

func TestLiterals(t *testing.T) {
	runEval(t, []evalCase{
		// 03:13 everything is a double; decimal, fraction, exponent.
		{"42", N(42)}, {"3.25", N(3.25)}, {".5", N(0.5)}, {"5.", N(5)},
		{"1e3", N(1000)}, {"2.5E-1", N(0.25)},
		// Hex literals: an extension (the spec names none).
		{"0x1F", N(31)}, {"0XfF", N(255)},
		// 03:17-18, 03:134-136 strings with C escapes, interpolated.
		{`"plain"`, S("plain")},
		{`"a\tb\nc\rd"`, S("a\tb\nc\rd")},
		{`"\x01\x02\x03"`, S("\x01\x02\x03")},
		{`"\1\2\3"`, S("\x01\x02\x03")},
		{`"\101\102"`, S("AB")},
		{`"q\"q\\q"`, S(`q"q\q`)},
		{`"\a\b\f\v\'\?"`, S("\a\b\f\v'?")},
		{`"\$x"`, S("$x")},
		{`"^\d+\.\d"`, S(`^\d+\.\d`)}, // unknown escapes stay for regexes
		{`"\\1b\\needs to be replaced\\3p\\"`, S(`\1b\needs to be replaced\3p\`)},
		{`"$x is ${s} and $sysContact."`, S("3 is abc and Barney Rubble.")},
		{`"costs $ 5 or $"`, S("costs $ 5 or $")},
		{`"${CPU Busy - Alarm}%"`, S("90%")},
		{`"$pi"`, S("3.14159265")},
		{`"$half"`, S("0.5")},
		// 03:148-149 variables: $name, ${name with spaces}, dotted names.
		{"$x", N(3)}, {"${x}", N(3)}, {"${ x }", N(3)},
		{"${lcpu.avgBusy1}", N(91)}, {"$lcpu.avgBusy1", N(91)},
		{"${CPU Busy - Alarm}", S("90")},
		// 01:172 names are case-insensitive.
		{"$X + ${SYSCONTACT}", S("3Barney Rubble")},
	})
}

func TestArithmetic(t *testing.T) {
	runEval(t, []evalCase{
		// 03:33-34 additive and multiplicative operators.
		{"1 + 2", N(3)}, {"5 - 7", N(-2)}, {"6 * 7", N(42)},
		{"7 / 2", N(3.5)}, {"7 % 3", N(1)}, {"-7 % 3", N(-1)}, {"7.5 % 2", N(1.5)},
		// 03:36 unary minus, also on variables and parentheses.
		{"-$x", N(-3)}, {"- -4", N(4)}, {"-(1+2)", N(-3)},
		// 02:54 doc example.
		{"($x * 1.8)+32", N(37.4)},
		// Numeric-looking strings are numbers; others read like atof (02:66).
		{"$numstr * 2", N(24)}, {"$numstr + 1", N(13)}, {"$fred * 1", N(78)},
		{"$s * 2", N(0)}, {"0+ $numstr", N(12)},
		{"$numstr - $numstr", N(0)},
	})
}

func TestConcatenation(t *testing.T) {
	runEval(t, []evalCase{
		// 03:19 "+" is also string concatenation.
		{`"a" + "b"`, S("ab")},
		{`"n=" + 5`, S("n=5")},
		{`5 + "1"`, S("51")}, // a string literal makes "+" join
		{`$s + 1`, S("abc1")},
		{`$s + $x`, S("abc3")},
		{`$empty + 7`, S("7")},
		{`"$x" + "$x"`, S("33")},
		{`$numstr + $numstr`, N(24)}, // numeric strings from variables add
	})
}

func TestComparison(t *testing.T) {
	runEval(t, []evalCase{
		// 03:31 equality ==, = and !=; <> (03:31, corpus ups.apc).
		{"3 == 3", N(1)}, {"3 = 3", N(1)}, {"3 == 4", N(0)},
		{"3 != 4", N(1)}, {"3 <> 4", N(1)}, {"3 <> 3", N(0)},
		// 03:32 relational.
		{"2 < 3", N(1)}, {"3 < 3", N(0)}, {"3 > 2", N(1)},
		{"3 <= 3", N(1)}, {"4 <= 3", N(0)}, {"3 >= 4", N(0)}, {"3 >= 3", N(1)},
		// 03:44-45 numeric unless an operand is a quoted string.
		{"10 > 9", N(1)}, {`"10" > "9"`, N(0)}, {`("dog" > "cat")`, N(1)},
		{`${sysContact} != "Fred Flintstone"`, N(1)},
		{`$numstr == 12.0`, N(1)}, {`$numstr == "12.0"`, N(0)},
		{`"$x" == "3"`, N(1)}, {`$x == "3"`, N(1)},
		{`$empty == ""`, N(1)}, {`$s != ""`, N(1)},
		// Strings that are not numbers compare as text even unquoted
		// (ups.apc: $batUnits <> $unitsC).
		{"$batUnits <> $unitsC", N(0)}, {"$batUnits <> $unitsF", N(1)},
		{"$s < $sysContact", N(0)}, {"$s > $sysContact", N(1)},
		// Parameters held as strings compare numerically (threshold lines).
		{"${lcpu.avgBusy1} > ${CPU Busy - Alarm}", N(1)},
		{`"abc" < "abd"`, N(1)}, {`"abc" <= "abc"`, N(1)}, {`"b" >= "a"`, N(1)},
	})
}

func TestLogical(t *testing.T) {
	runEval(t, []evalCase{
		// 03:29-30 or/||, and/&&; 03:36 !, not; 03:38 keywords.
		{"1 && 1", N(1)}, {"1 && 0", N(0)}, {"0 || 1", N(1)}, {"0 || 0", N(0)},
		{"1 and 0", N(0)}, {"0 or 2", N(1)}, {"1 AND 1", N(1)}, {"0 Or 0", N(0)},
		{"!0", N(1)}, {"!5", N(0)}, {"not 0", N(1)}, {"NOT 1", N(0)},
		{`!""`, N(1)}, {`!"x"`, N(0)}, {`!"0"`, N(1)},
		// 03:15 TRUE is 1: results are 1/0 whatever the operands.
		{`"a" && 7`, N(1)}, {`0 || "yes"`, N(1)},
		// 03:38 short-circuit: the right side is never read.
		{"0 && $nope", N(0)}, {"1 || $nope", N(1)},
		{`0 && ($side := 1)`, N(0)},
	})
}

func TestConditional(t *testing.T) {
	runEval(t, []evalCase{
		// 03:28 ?: ; 03:50 nesting without parentheses.
		{`1 ? "a" : "b"`, S("a")}, {`0 ? "a" : "b"`, S("b")},
		{`$x==0 ? "a" : $x==1 ? "b" : "c"`, S("c")},
		{`$x==3 ? "a" : $x==1 ? "b" : "c"`, S("a")},
		// Only the chosen branch is evaluated.
		{`1 ? 5 : $nope`, N(5)},
		// Corpus (ups.apc) style: parenthesised condition, no spaces.
		{`($outCode = 3)?", on battery":""`, S(", on battery")},
		{`($outCode=1)?"Unknown":($outCode=2)?"On Line":($outCode=3)?"On Battery":"?"`, S("On Battery")},
		// 02:84 enumeration without a MIB.
		{`($x==0 ? "a" : $x==1 ? "b" : "c")`, S("c")},
	})
}

func TestAssignmentAndSequence(t *testing.T) {
	// 03:42-43 := assigns and yields the value.
	env := newEnv()
	for _, c := range []struct {
		src, name string
		want      Value
	}{
		{"${test} := (4-1)*(2+1)/(9/3)", "test", N(3)},
		{`$test==5 ? ($response := "Yes") : ($response := "No")`, "response", S("No")},
		{`$a := $b := 7`, "a", N(7)},
		{`$y := 1; $y + 1`, "y", N(1)},
		{`$x ? $t := "t" : $t := "f"`, "t", S("t")},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if _, err := e.Eval(env); err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got, _ := env.Get(c.name); !sameValue(got, c.want) {
			t.Errorf("%s: $%s = %v, want %v", c.src, c.name, got, c.want)
		}
	}
	// 03:40 ";" sequences; the value is the last one's; trailing ";" ok.
	runEval(t, []evalCase{
		{"1; 2; 3", N(3)}, {"$q := 4; $q * 2", N(8)}, {"1;", N(1)}, {"(1; 2)", N(2)},
		{"$b := 2; $b := $b * $b; $b", N(4)},
	})
	// A persistent variable keeps its value between evaluations (02:95-108).
	calc, _ := Parse("$count := $count + 4")
	env = clockEnv{MapEnv: MapEnv{"count": N(0)}}
	for range 3 {
		if _, err := calc.Eval(env); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := env.Get("count"); !sameValue(v, N(12)) {
		t.Errorf("count = %v, want 12", v)
	}
}

func TestMatch(t *testing.T) {
	// 03:46-49 =~ / !~ regular-expression "contains"; captures in ${1}…
	runEval(t, []evalCase{
		{`"$ifDescr" =~ "eth0"`, N(1)}, {`"$ifDescr" =~ "eth1"`, N(0)},
		{`"$ifDescr" !~ "eth1"`, N(1)}, {`"$ifDescr" !~ "eth"`, N(0)},
		{`"test123" =~ "^te([st]*)([0-9]*)"; "${1} ${2}"`, S("st 123")},
		{`"$sysDescr" =~ "^FW ([^,]+), (.+)Hz, (.+) antenna" ;"${1}"`, S("2.1.3")},
		{`"$sysDescr" =~ "^FW ([^,]+), (.+)Hz" ; "${2}"`, S("5.8G")},
		{`"a1" =~ "(x)?a(\d)"; "[${1}][${2}]"`, S("[][1]")},
		// 02:176 properties with "or" between matches.
		{`("$ifDescr" =~ "eth0" or "$ifDescr" =~ "eth1" or "$ifDescr" == "br0")`, N(1)},
		// Run-time patterns (compiled and cached per Expr).
		{`$pat := "^e.h"; "$ifDescr" =~ $pat`, N(1)},
		{`"$ifDescr" =~ "${s}" + "x"`, S("0x")}, // =~ binds tighter: 0 + "x"
	})
}

func TestUndefined(t *testing.T) {
	// 03:20-21, 01:177-179 an undefined variable stops the expression.
	for _, src := range []string{
		"$nope", "$nope + 1", `"$nope"`, "1 + ${no such}", "abs($nope)",
		"1 && $nope", "0 || $nope", `0 ? 1 : $nope`, "$nope := 1; $other",
		`"x" =~ $nope`, "defined($x) && $nope",
	} {
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err = e.Eval(newEnv())
		if !errors.Is(err, ErrUndefined) {
			t.Errorf("%s: error %v, want ErrUndefined", src, err)
		}
		var ee *Error
		if !errors.As(err, &ee) || ee.Var == "" {
			t.Errorf("%s: error %#v does not name the variable", src, err)
		}
	}
	// Guarded by defined() (03:72, 02:139, 02:141).
	runEval(t, []evalCase{
		{`defined("x")`, N(1)}, {`defined("nope")`, N(0)}, {`DEFINED("X")`, N(1)},
		{`defined($nope)`, N(0)}, {`defined($x)`, N(1)},
		{`defined("nope") && $nope > 1`, N(0)},
		{`defined("lcpu.avgBusy1") && (${lcpu.avgBusy1} > ${CPU Busy - Alarm})`, N(1)},
		{`defined("nope") ? $nope : -1`, N(-1)},
		{`defined("var2") == 1 ? "$var2 is defined" : "var2 is undefined"`, S("var2 is undefined")},
		{`!defined("theOID")`, N(1)},
	})
	// A variable whose value is the undefined Value is undefined.
	e, _ := Parse("$u")
	if _, err := e.Eval(MapEnv{"u": Undefined()}); !errors.Is(err, ErrUndefined) {
		t.Errorf("undefined value: %v", err)
	}
}

func TestRuntimeErrors(t *testing.T) {
	runErrors(t, []errCase{
		{"1 / 0", "col 3: division by zero", ErrDivideByZero},
		{"5 % $zero", "col 3: division by zero", ErrDivideByZero},
		{"$x / (1 - 1)", "division by zero", ErrDivideByZero},
	})
	runErrors(t, []errCase{
		{`$p := "("; "a" =~ $p`, `col 19: bad regular expression`, nil},
		{`unpack("x", "Q")`, `col 1: unpack(): unknown format "Q"`, nil},
		{`strptime("x", "%Y")`, `col 1: strptime(): "x" does not match format "%Y"`, nil},
		{`pack("!!", "#B")`, "bad base64", nil},
		{`$a := "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; ` +
			repeat(`$a := $a + $a; `, 15), "string longer than", nil},
		{`$a := sprintf("%512s", "x"); ` + repeat(`$a := "$a$a"; `, 12), "string longer than", nil},
	})
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// TestConcurrentEval shares one Expr, with its run-time regexp cache,
// between goroutines with their own Envs (run with -race).
func TestConcurrentEval(t *testing.T) {
	e, err := Parse(`"$s" =~ $pat ? "${1}" : "none"`)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 200 {
				pat := "^(" + string(rune('a'+(g+i)%40)) + ")"
				env := MapEnv{"s": S("abc"), "pat": S(pat)}
				v, err := e.Eval(env)
				if err == nil && (g+i)%40 == 0 && v.Str() != "a" {
					err = errors.New("wrong capture " + v.Str())
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
