package expr

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// dump shows the tree with full parentheses.
func dump(n node) string {
	switch n := n.(type) {
	case *numLit:
		return formatNum(n.v.n)
	case *strLit:
		if n.konst {
			return strconv.Quote(n.val)
		}
		return `"…"`
	case *varRef:
		return "$" + n.name
	case *unary:
		if n.not {
			return "(!" + dump(n.x) + ")"
		}
		return "(-" + dump(n.x) + ")"
	case *binop:
		return "(" + dump(n.l) + " " + n.op + " " + dump(n.r) + ")"
	case *logical:
		op := "||"
		if n.and {
			op = "&&"
		}
		return "(" + dump(n.l) + " " + op + " " + dump(n.r) + ")"
	case *match:
		op := "=~"
		if n.neg {
			op = "!~"
		}
		return "(" + dump(n.l) + " " + op + " " + dump(n.r) + ")"
	case *cond:
		return "(" + dump(n.c) + " ? " + dump(n.t) + " : " + dump(n.f) + ")"
	case *assign:
		return "($" + n.name + " := " + dump(n.x) + ")"
	case *seq:
		var parts []string
		for _, x := range n.list {
			parts = append(parts, dump(x))
		}
		return "(" + strings.Join(parts, "; ") + ")"
	case *call:
		var parts []string
		for _, x := range n.args {
			parts = append(parts, dump(x))
		}
		return n.fn.name + "(" + strings.Join(parts, ", ") + ")"
	}
	return "?"
}

func TestPrecedence(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		// 03:25-36 levels, lowest to highest: := ?: || && equality
		// relational additive multiplicative match unary.
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"1 * 2 + 3", "((1 * 2) + 3)"},
		{"1 % 2 * 3", "((1 % 2) * 3)"},
		{"8 / 4 / 2", "((8 / 4) / 2)"}, // left to right
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"1 + 2 < 3 + 4", "((1 + 2) < (3 + 4))"},
		{"1 < 2 == 1", "((1 < 2) == 1)"}, // relational above equality
		{"1 == 2 < 3", "(1 == (2 < 3))"},
		{"1 = 1 <> 0", "((1 == 1) != 0)"},
		{"$a == 1 && $b", "(($a == 1) && $b)"},
		{"$a && $b || $c", "(($a && $b) || $c)"}, // and above or
		{"$a || $b && $c", "($a || ($b && $c))"},
		{"$a or $b and $c", "($a || ($b && $c))"},
		{"$a || $b ? 1 : 2", "(($a || $b) ? 1 : 2)"}, // ?: below or
		{"$a ? 1 : 2 || 3", "($a ? 1 : (2 || 3))"},
		{"$a ? 1 : $b ? 2 : 3", "($a ? 1 : ($b ? 2 : 3))"}, // 03:50
		{"$x := 1 ? 2 : 3", "($x := (1 ? 2 : 3))"},         // := lowest
		{"$a := $b := 1", "($a := ($b := 1))"},
		{"1 ; $a := 2", "(1; ($a := 2))"},            // ; below everything
		{`"s" =~ "a" + "b"`, `(("s" =~ "a") + "b")`}, // match above additive
		{`"s" =~ "a" * 2`, `(("s" =~ "a") * 2)`},     // and multiplicative
		{`-$a =~ "x"`, `((-$a) =~ "x")`},             // unary above match
		{"!$a == 1", "((!$a) == 1)"},
		{"not $a and $b", "((!$a) && $b)"},
		{"- -$a", "(-(-$a))"},
		{"-2 * 3", "(-2 * 3)"},
		{"(1 + 2) * 3", "((1 + 2) * 3)"}, // 03:39 parentheses group
		{"round($a + 1, 2) * 2", "(round(($a + 1), 2) * 2)"},
		{`$a ? $b := 1 : $b := 2`, "($a ? ($b := 1) : ($b := 2))"},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got := dump(e.root); got != c.want {
			t.Errorf("%s: parsed as %s, want %s", c.src, got, c.want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	runErrors(t, []errCase{
		{"", "col 1: empty expression", nil},
		{"   ", "col 4: empty expression", nil},
		// Unbalanced parentheses.
		{"(1 + 2", `col 7: missing ")" to close "(" at col 1`, nil},
		{"((1)", `col 5: missing ")" to close "(" at col 1`, nil},
		{"1 + 2)", `col 6: unexpected ")"`, nil},
		{"abs(1 2)", `col 7: unexpected number 2, expected ")" to close "abs(" at col 1`, nil},
		{"abs(1,", "col 7: unexpected end of expression", nil},
		{`sprintf("%d", 1,)`, `col 17: unexpected ")"`, nil},
		// Trailing and doubled operators.
		{"1 +", "col 4: unexpected end of expression", nil},
		{"$x >", "col 5: unexpected end of expression", nil},
		{"1 * * 2", `col 5: unexpected "*"`, nil},
		{"1 2", "col 3: unexpected number 2", nil},
		{`$a "b"`, `col 4: unexpected string "b"`, nil},
		{"$a ? 1", `col 7: missing ":" for "?" at col 4`, nil},
		{"$a ? 1 2", `col 8: unexpected number 2, expected ":" for "?" at col 4`, nil},
		{"1 := 2", `col 3: ":=" needs a variable on its left`, nil},
		{"($a) + 1 := 2", `col 10: ":=" needs a variable on its left`, nil},
		// Unknown functions and identifiers, arity.
		{"foo(1)", `col 1: unknown function "foo"`, nil},
		{"1 + bar()", `col 5: unknown function "bar"`, nil},
		{"x + 1", `col 1: unexpected identifier "x" (variables start with "$")`, nil},
		{"abs 1", `col 1: unexpected identifier "abs"`, nil},
		{"round()", "col 1: round() takes 1 to 2 arguments, got 0", nil},
		{"pi(1)", "col 1: pi() takes no arguments, got 1", nil},
		{"min()", "col 1: min() takes at least 1 argument, got 0", nil},
		{"subid(1)", "col 1: subid() takes 3 arguments, got 1", nil},
		// Strings and escapes.
		{`"abc`, "col 1: unterminated string", nil},
		{`1 + "abc\"`, "col 5: unterminated string", nil},
		{`"\xZZ"`, `col 2: bad escape "\x" in string: expected hex digits`, nil},
		{`"ok\777"`, `col 4: bad escape "\\777" in string: octal value above \377`, nil},
		// Variables, numbers, characters.
		{"$", `col 1: expected a variable name after "$"`, nil},
		{"1 + $ x", `col 5: expected a variable name after "$"`, nil},
		{"${abc", `col 1: missing "}" after "${"`, nil},
		{"${ }", `col 1: empty variable name "${}"`, nil},
		{"1.2.3", `col 1: malformed number "1.2.3"`, nil},
		{"5abc", `col 1: malformed number "5abc"`, nil},
		{"0x", `col 1: malformed number "0x"`, nil},
		{"1 & 2", `col 3: unexpected character '&'`, nil},
		{"1 | 2", `col 3: unexpected character '|'`, nil},
		{"'a'", `col 1: unexpected character '\''`, nil},
		// Constant regular expressions are checked by Parse.
		{`"x" =~ "("`, "col 8: bad regular expression", nil},
		{`"x" !~ "a{2,1}"`, "col 8: bad regular expression", nil},
	})
	var e *Error
	if _, err := Parse("(1"); !errors.As(err, &e) || e.Col != 3 {
		t.Errorf(`Parse("(1") = %#v, want *Error at col 3`, err)
	}
}

func TestNestingLimit(t *testing.T) {
	for name, src := range map[string]string{
		"parentheses": strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000),
		"unary":       strings.Repeat("-", 100000) + "1",
		"not":         strings.Repeat("!", 100000) + "1",
		"chain":       "1" + strings.Repeat(" + 1", 100000),
		"assignments": strings.Repeat("$a := ", 100000) + "1",
		"ternaries":   strings.Repeat("1 ? 2 : ", 100000) + "3",
		"calls":       strings.Repeat("abs(", 100000) + "1" + strings.Repeat(")", 100000),
		"unclosed":    strings.Repeat("(", 100000),
	} {
		_, err := Parse(src)
		if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("%s: error %v, want nested too deeply", name, err)
		}
	}
	// Realistic depth is fine.
	src := strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + strings.Repeat(" + $x", 200)
	if _, err := Parse(src); err != nil {
		t.Errorf("moderate nesting: %v", err)
	}
}

func TestVars(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"$a + ${b c} * \"$d ${e}\"", []string{"a", "b c", "d", "e"}},
		{"$a + $A + ${a}", []string{"a"}},
		{`defined("x") && $x > 1`, []string{"x"}},
		{`defined("x")`, nil},
		{`defined($x)`, nil},
		{`$y := $z`, []string{"z"}},
		{`"$s" =~ "(.)"; "${1}"`, []string{"s", "1"}},
		{`abs($n) ? $t : $f`, []string{"n", "t", "f"}},
		{`1 + 2`, nil},
		{`${lcpu.avgBusy1} > ${CPU Busy - Alarm}`, []string{"lcpu.avgBusy1", "CPU Busy - Alarm"}},
		{`$VarbindValue50 == "x" && $GenericTrap = 6`, []string{"VarbindValue50", "GenericTrap"}},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := e.Vars(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Vars() = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	for _, c := range []struct{ src, expr, rest string }{
		// 03:140-145 and 02:137-145 embedded expressions.
		{`$x > 5 "Too high"`, "$x > 5", `"Too high"`},
		{`${noAddFree} < ${Free Lease Critical}	"Fewer than ${Free Lease Critical} leases available."`,
			"${noAddFree} < ${Free Lease Critical}", `"Fewer than ${Free Lease Critical} leases available."`},
		{`$checkEQ && !defined("theOID")	"$theLegend is undefined"`, `$checkEQ && !defined("theOID")`, `"$theLegend is undefined"`},
		{`"$ciscoMemoryPoolName2" != ""`, `"$ciscoMemoryPoolName2" != ""`, ""},
		{`($a+$b), CALCULATION, "legend"`, "($a+$b)", `, CALCULATION, "legend"`},
		{`sprintf("%4.1f",$value), CALCULATION, "value as string"`, `sprintf("%4.1f",$value)`, `, CALCULATION, "value as string"`},
		{`($Temp > $CriticalHighTemp) "VERY_HIGH_TEMP" => PageFred`, "($Temp > $CriticalHighTemp)", `"VERY_HIGH_TEMP" => PageFred`},
		{`1 = 1 "unterminated`, "1 = 1", `"unterminated`},
		{`$x   `, "$x", ""},
	} {
		e, n, err := ParsePrefix(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if e.Source() != c.expr || c.src[n:] != c.rest {
			t.Errorf("%s: expr %q rest %q, want %q and %q", c.src, e.Source(), c.src[n:], c.expr, c.rest)
		}
	}
	if _, _, err := ParsePrefix(`$x > "oops`); err == nil {
		t.Error("ParsePrefix accepted an operand that does not lex")
	}
}

func TestNonASCII(t *testing.T) {
	runErrors(t, []errCase{{"1 ° 2", `col 3: unexpected character '°'`, nil}})
	runEval(t, []evalCase{{`"°C" + "$batUnits"`, S("°C°C")}})
}
