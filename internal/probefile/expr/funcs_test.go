package expr

import (
	"math"
	"testing"
	"time"
)

func TestNumericFunctions(t *testing.T) {
	runEval(t, []evalCase{
		// 03:56 abs.
		{"abs(-3.5)", N(3.5)}, {"abs(2)", N(2)}, {"abs($neg)", N(7)},
		// 03:57 round(x) to nearest, round(x, y) to y decimals.
		{"round(8.6)", N(9)}, {"round(8.4)", N(8)}, {"round(2.5)", N(3)}, {"round(-2.5)", N(-3)},
		{"round(3.14159, 3)", N(3.142)}, {"round(1234.5, -2)", N(1200)}, {"round($pi, 2)", N(3.14)},
		// 03:58 trunc.
		{"trunc(3.987)", N(3)}, {"trunc(-3.987)", N(-3)},
		// 03:59 min, max, variadic.
		{"min(3, 1, 2)", N(1)}, {"max(3, 1, 2)", N(3)}, {"min(5)", N(5)},
		{"max($x, $numstr, -1)", N(12)},
		// 03:60-61 bitwise and shifts.
		{"bitand(12, 10)", N(8)}, {"bitor(12, 10)", N(14)}, {"bitxor(12, 10)", N(6)},
		{"bitand(-1, 255)", N(255)}, {"bitor(-1, 0)", N(-1)},
		{"bitlshift(1, 4)", N(16)}, {"bitrshift(256, 4)", N(16)},
		{"bitrshift(-16, 2)", N(-4)}, {"bitlshift(1, 64)", N(0)}, {"bitand(4294967295, 65535)", N(65535)},
		// 03:62-63 trigonometry in radians, pi().
		{"sin(0)", N(0)}, {"cos(0)", N(1)}, {"tan(0)", N(0)}, {"sin(pi()/2)", N(1)},
		{"pi()", N(math.Pi)}, {"PI()", N(math.Pi)},
		// 03:64 pow, sqrt, exp.
		{"pow(2, 10)", N(1024)}, {"sqrt(16)", N(4)}, {"exp(0)", N(1)}, {"exp(1)", N(math.E)},
		// 03:65 log natural; log(x, y) base y.
		{"log(1)", N(0)}, {"log(exp(2))", N(2)}, {"log(100,10)", N(2)}, {"log(8, 2)", N(3)},
		{"log(81, 3)", N(4)},
		// 03:66 time(): seconds since 1970 (the test Env's clock).
		{"time()", N(float64(testNow.Unix()))},
		// Out-of-domain results are numbers, not errors.
		{"sqrt(-1)", N(math.NaN())}, {"log(0)", N(math.Inf(-1))},
	})
}

func TestStringFunctions(t *testing.T) {
	runEval(t, []evalCase{
		// 03:73-74 strfind case-sensitive, strifind not; -1 if absent.
		{`strfind("Ethernet Interface","int")`, N(-1)},
		{`strifind("Ethernet Interface","int")`, N(9)},
		{`strfind("Ethernet Interface","Int")`, N(9)},
		{`strfind("abc","")`, N(0)},
		// 03:75 strlen: bytes, or the total of all arguments.
		{`strlen("abc")`, N(3)}, {`strlen("abc", "de", 123)`, N(8)}, {`strlen("°C")`, N(3)},
		{`strlen($empty)`, N(0)},
		// 03:78 strptime / strftime round trip.
		{`strftime("%Y", strptime("1990","%Y"))`, S("1990")},
		// 03:83-86 subid.
		{`subid("1.3.6.1.2.1.4.20.1.1.10.10.2.20", 0, 2)`, S("1.3")},
		{`subid("1.3.6.1.2.1.4.20.1.1.10.10.2.20", -4, 4)`, S("10.10.2.20")},
		{`subid("1.3.6.1.2.1.4.20.1.1.10.10.2.20", 4, 4)`, S("2.1.4.20")},
		{`subid("1.3.6.1.2.1.4.20.1.1.10.10.2.20", -2, 4)`, S("2.20")},
		{`subid("1.3.6", 3, 4)`, S("")}, {`subid("1.3.6", 2, 4)`, S("6")},
		{`subid("1.3.6", -4, 4)`, S("1.3.6")}, {`subid("1.3.6", -2, 4)`, S("3.6")},
		{`subid(".1.3.6", 0, 1)`, S("1")}, {`subid("1.3.6", 0, 0)`, S("")},
		// 03:88-90 substr with Perl semantics.
		{`substr("0123456789", 7)`, S("789")}, {`substr("0123456789", 4, 2)`, S("45")},
		{`substr("0123456789", 4, -2)`, S("4567")}, {`substr("0123456789", -2, 1)`, S("8")},
		{`substr("0123456789", 20)`, S("")}, {`substr("0123456789", -20, 15)`, S("01234")},
		{`substr("0123456789", 0, -11)`, S("")}, {`substr("12 minutes", 0, -8)`, S("12")},
		{`substr($x * 100, 1)`, S("00")},
		// 03:72 defined (more in TestUndefined).
		{`defined("s")`, N(1)}, {`defined("S")`, N(1)},
		// 03:127-129 crc32 (undocumented, 03:129).
		{`crc32("123456789")`, N(0xCBF43926)}, {`crc32("")`, N(0)},
	})
}

func TestSprintf(t *testing.T) {
	runEval(t, []evalCase{
		// 03:105-107 %s: width right-aligns, "-" left-aligns, precision cuts.
		{`sprintf("%10s","Help/Systems")`, S("Help/Systems")},
		{`sprintf("%14s","Help/Systems")`, S("  Help/Systems")},
		{`sprintf("%-10.4s", "Help/Systems")`, S("Help      ")},
		{`sprintf("%s and %s", "a", 5)`, S("a and 5")},
		// 03:108-110 integers.
		{`sprintf("%5d",12)`, S("   12")}, {`sprintf("%-5d",12)`, S("12   ")},
		{`sprintf("%6.5d",12)`, S(" 00012")}, {`sprintf("%-2X",15)`, S("F ")},
		{`sprintf("%-2.2x",15)`, S("0f")}, {`sprintf("%d", 3.9)`, S("3")},
		{`sprintf("%d", -3.9)`, S("-3")}, {`sprintf("%i", "42abc")`, S("42")},
		{`sprintf("%o", 8)`, S("10")}, {`sprintf("%u", 7)`, S("7")},
		{`sprintf("%x", -1)`, S("ffffffffffffffff")}, {`sprintf("%05d", 42)`, S("00042")},
		{`sprintf("%+d", 5)`, S("+5")}, {`sprintf("%ld", 5)`, S("5")}, {`sprintf("%lu", 5)`, S("5")},
		// 03:111-112 floats.
		{`sprintf("%f",1/2)`, S("0.500000")}, {`sprintf("%5.3f",1/2)`, S("0.500")},
		{`sprintf("%e",1/2)`, S("5.000000e-01")}, {`sprintf("%g",1/2)`, S("0.5")},
		{`sprintf("%g",1/3)`, S("0.333333")}, {`sprintf("%g",100000000)`, S("1e+08")},
		{`sprintf("%E",1234.5)`, S("1.234500E+03")}, {`sprintf("%G",0.00001)`, S("1E-05")},
		{`sprintf("%4.1f",$pi)`, S(" 3.1")}, // 03:114 corpus
		// 03:102 %c number to character, %a hex bytes (03:113), %%.
		{`sprintf("%c%c", 72, 105)`, S("Hi")}, {`sprintf("%a","\x01\x02\x03")`, S("01:02:03")},
		{`sprintf("100%%")`, S("100%")},
		// Missing arguments format as empty/zero; unknown codes are copied.
		{`sprintf("%d|%s|")`, S("0||")}, {`sprintf("%y %")`, S("%y %")},
		{`sprintf("%999999999d", 1) == sprintf("%512d", 1)`, N(1)}, // widths capped
		// 03:147 corpus.
		{`sprintf("%d",($x) / 2 * 100)`, S("150")},
	})
}

func TestStrftime(t *testing.T) {
	// testNow is Tue Feb 6 11:19:24 2007 at -0500; 1170778895 is
	// 2007-02-06 16:21:35 UTC, 11:21:35 in the test zone.
	runEval(t, []evalCase{
		// 03:119-120 doc examples.
		{`strftime("%c")`, S("Tue Feb  6 11:19:24 2007")},
		{`strftime("%Y-%m-%d", 1170778895)`, S("2007-02-06")},
		// 03:118 each portable code.
		{`strftime("%a %A %b %B", 1170778895)`, S("Tue Tuesday Feb February")},
		{`strftime("%d %H %I %j %m %M %p %S", 1170778895)`, S("06 11 11 037 02 21 AM 35")},
		{`strftime("%s", 1170778895)`, S("1170778895")},
		{`strftime("%U %w %W", 1170778895)`, S("05 2 06")},
		{`strftime("%x %X", 1170778895)`, S("02/06/07 11:21:35")},
		{`strftime("%y %Y %z %%", 1170778895)`, S("07 2007 -0500 %")},
		{`strftime("%I %p", 1170778895 + 3 * 3600)`, S("02 PM")},
		{`strftime("%I %p", 1170738000)`, S("12 AM")}, // midnight local
		// Extras: %e %D %F %R %T %Z, unknown codes copied.
		{`strftime("%e|%D|%F|%R|%T|%Z|%Q", 1170778895)`, S(" 6|02/06/07|2007-02-06|11:21|11:21:35|EST|%Q")},
		// Week numbers at the start of a year: 2007-01-01 is a Monday.
		{`strftime("%U %W", 1167627600)`, S("00 01")},
	})
}

func TestStrptime(t *testing.T) {
	runEval(t, []evalCase{
		// Read in the server's zone (the test clock's, -0500).
		{`strptime("2007-02-06 11:21:35", "%Y-%m-%d %H:%M:%S")`, N(1170778895)},
		{`strptime("02/06/07", "%m/%d/%y")`, N(1170738000)},
		{`strptime("Tue Feb  6 11:21:35 2007", "%c")`, N(1170778895)},
		{`strptime("6 February 2007 11:21:35 AM", "%d %B %Y %I:%M:%S %p")`, N(1170778895)},
		{`strptime("6 feb 2007 11:21:35 pm", "%d %b %Y %I:%M:%S %p")`, N(1170778895 + 12*3600)},
		{`strptime("2007-02-06T16:21:35+0000", "%Y-%m-%dT%H:%M:%S%z")`, N(1170778895)},
		{`strptime("1170778895", "%s")`, N(1170778895)},
		{`strptime("2007 037", "%Y %j")`, N(1170738000)},
		{`strptime("100%", "%Y%%")`, N(-59011441200)},
		{`strftime("%Y-%m-%d %H:%M", strptime("12:30", "%H:%M"))`, S("1900-01-01 12:30")},
	})
	runErrors(t, []errCase{
		{`strptime("1990", "%m/%d")`, `does not match format`, nil},
		{`strptime("x", "x%Y")`, `does not match format`, nil},
	})
}

func TestUnpackPack(t *testing.T) {
	runEval(t, []evalCase{
		// 03:96-98 doc examples.
		{`unpack("\1","c")`, N(1)},
		{`unpack("\1\2\3\4",">L")`, N(16909060)},
		{`unpack("\1\2\3\4","<L")`, N(67305985)},
		{`unpack("\1\2\3",">L")`, N(16909056)},
		{`unpack("1F","H")`, N(31)},
		{`unpack("42696c6c207761732068657265","#H")`, S("Bill was here")},
		// 03:92-95 the other codes; the default order is little-endian.
		{`unpack("\xff","c")`, N(-1)}, {`unpack("\xff","C")`, N(255)},
		{`unpack("\xff\xfe",">s")`, N(-2)}, {`unpack("\xff\xfe",">S")`, N(65534)},
		{`unpack("\1\2","S")`, N(513)}, {`unpack("\xff\xff\xff\xff","l")`, N(-1)},
		{`unpack("\1\2\3\4\5","L>")`, N(16909060)}, // long input truncated
		{`unpack("abc","#B")`, S("YWJj")},
		{`unpack("00:1A:2b","#H")`, S("\x00\x1a\x2b")},
		{`unpack("FFFFFFFFFF","H")`, N(4294967295)},
		{`unpack("abc")`, S("abc")}, {`unpack("abc", "")`, S("abc")},
		// "#~" (03:130): escaped byte strings.
		{`unpack("\\x41%42\\u0043\\n%u00e9", "#~")`, S("ABC\n\xe9")},
		// 03:127 pack, the inverse.
		{`pack(1, ">S")`, S("\x00\x01")}, {`pack(1, "<S")`, S("\x01\x00")},
		{`pack(16909060, ">L")`, S("\x01\x02\x03\x04")}, {`pack(-1, "c")`, S("\xff")},
		{`pack(31, "H")`, S("1F")}, {`pack("Bill", "#H")`, S("42696c6c")},
		{`pack("YWJj", "#B")`, S("abc")}, {`pack("A\n", "#~")`, S(`A\x0a`)},
		{`unpack(pack(305419896, ">L"), ">L")`, N(305419896)},
		{`pack("x")`, S("x")},
	})
}

func TestTimeWithoutClock(t *testing.T) {
	// A plain Env gets the real clock and the server's zone.
	e, _ := Parse(`time()`)
	v, err := e.Eval(MapEnv{})
	if n, _ := v.Num(); err != nil || math.Abs(n-float64(time.Now().Unix())) > 5 {
		t.Errorf("time() = %v, %v", v, err)
	}
	e, _ = Parse(`strftime("%Y-%m-%d %H:%M", 1170778895)`)
	v, _ = e.Eval(MapEnv{})
	if want := time.Unix(1170778895, 0).Local().Format("2006-01-02 15:04"); v.Str() != want {
		t.Errorf("strftime in the local zone = %v, want %s", v, want)
	}
}
