package expr

import (
	"strings"
	"testing"
)

// expandEnv holds the variables of the expansion tables.
func expandEnv() MapEnv {
	return MapEnv{
		"RebootAlarm":                  Number(5),
		"Free Lease Critical":          String("10"),
		"ifOperStatusStr":              String("down"),
		"theLegend":                    String("ifNumber.0"),
		"batTemp":                      Number(77.9),
		"batUnits":                     String("°F"),
		"tempRange":                    String("60-90 °F"),
		"AvgLatency":                   Number(12),
		"ouLoad":                       Number(45),
		"pi":                           Number(3.14159265),
		"big":                          Number(4.75),
		"numstr":                       String("4.75"),
		"x":                            Number(3),
		"lcpu.busyPer":                 Number(17),
		"deltaBytes":                   Number(1500),
		"deltaTime":                    Number(60),
		"diff":                         Number(-42),
		"ouFreq":                       Number(59.7),
		"User":                         String("bob"),
		"Password*":                    String("secret"),
		"Units of Temperature (C / F)": String("F"),
		"odd:name":                     String("colon"),
		"Test[Equal,NotEqual]":         String("Equal"),
		"VarbindValue50":               String("last"),
	}
}

func TestExpand(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// 02:119, 02:140-141 condition strings are interpolated.
		{"Rebooted less than $RebootAlarm minutes ago", "Rebooted less than 5 minutes ago"},
		{"Fewer than ${Free Lease Critical} leases available.", "Fewer than 10 leases available."},
		{"Link is ${ifOperStatusStr}", "Link is down"},
		{"$theLegend is undefined (not equal to anything)", "ifNumber.0 is undefined (not equal to anything)"},
		{"Warning: $batTemp $batUnits (Optimal Range: $tempRange)", "Warning: 77.9 °F (Optimal Range: 60-90 °F)"},
		{"${Units of Temperature (C / F)} ${Test[Equal,NotEqual]} ${Password*} $VarbindValue50", "F Equal secret last"},
		// Names are case-insensitive (01:172).
		{"$rebootalarm ${AVGLATENCY}", "5 12"},
		// A dot ends $name unless the dotted name is defined (01:174-175).
		{"Load is $ouLoad.", "Load is 45."},
		{"$lcpu.busyPer%", "17%"},
		{"$x.y", "3.y"},
		// IMML: a closing backslash right before a macro (04, corpus).
		{`Avg:\0\${AvgLatency}ms`, `Avg:\0\12ms`},
		{`\bG4\$ouLoad\p\`, `\bG4\45\p\`},
		// Undefined variables and stray "$" stay as written.
		{"$nope and ${nope too}", "$nope and ${nope too}"},
		{"costs $5, $ and $$x", "costs $5, $ and $3"},
		{"${unterminated", "${unterminated"},
		{"${}", "${}"},
		// 04:92-94 ${eval:}; 04:72 also written ${EVAL:.
		{"${eval:${test} := (4-1)*(2+1)/(9/3)}", "3"},
		{`${eval: "test123" =~ "^te([st]*)([0-9]*)"; "${1} ${2}"}`, "st 123"},
		{"${EVAL:1+1}", "2"},
		{`${eval:sprintf("%d",($deltaBytes) / $deltaTime * 100) }`, "2500"},
		{`${eval: "}" + "x"}`, "}x"},
		{"${eval:$pi}", "3.14159265"},
		{"${eval:1/0} ${eval:$nope} ${eval:(}", "${eval:1/0} ${eval:$nope} ${eval:(}"},
		// 04:77-84 chartable.
		{"${chartable: #.## : $pi }", "3.14"},
		{"${chartable: #.####### : $pi }", "3.1415927"},
		{`${chartable: "%3d" : $pi }`, "  3"},
		{`${chartable: "%9.7f" : $pi}`, "3.1415927"},
		{`${chartable: "%11.7f" : $pi}`, "  3.1415927"},
		{"${chartable: #.####### : $pi*100}", "314.1592650"},
		{`${chartable: "%9.7f" : $pi*1000}`, "3141.5926500"},
		{"${chartable:$x}", "3"},
		{`${chartable:"%6d":$diff}`, "   -42"},
		{"${chartable: #.: $ouFreq}", "60"},
		{"${chartable: #.#: $ouFreq}", "59.7"},
		{`${chartable: "$x" }`, "3"},
		// 04:86-90 scalable10 / scalable2.
		{"${scalable10: #.## : 12304 }bytes", "12.30 kbytes"},
		{"${scalable2: #.## : 12304 }bytes", "12.02 kbytes"},
		{"${scalable10: #.## : 0.02835 }sec", "28.35 msec"},
		{"${scalable10: #.## : 123 }bytes", "123.00 bytes"},
		{"${scalable10:123}", "123.00 "},
		{"${scalable10:4.2e9}", "4.20 G"},
		{"${scalable10:-0.5}", "-500.00 m"},
		{"${scalable10:0}", "0.00 "},
		{"${scalable10:2e15}", "2000.00 T"},
		// Pure string macros of the TCP and notifier sections (04:126-130).
		{"${_BASE64:${User}:${Password*}}", "Ym9iOnNlY3JldA=="},
		{"${_LENGTH:abc}", "3"},
		{"${_URLENCODE:a b&c}", "a%20b%26c"},
		{"${urlescape:x/y}", "x%2Fy"},
		{"${_MD5:abc}", "900150983cd24fb0d6963f7d28e17f72"},
		{"${_FLOAT:0.5}", "0.5"},
		{"${_XOR:AB: }", "ab"},
		{"${_HMAC:key:The quick brown fox jumps over the lazy dog}", "80070713463e7749b90c2dc24911e275"},
		// A parameter whose name holds ":".
		{"${odd:name}", "colon"},
		// Unknown ${name:arg} without a Macro hook stays.
		{"${ifTable:View the ifTable} ${x:legend}", "${ifTable:View the ifTable} ${x:legend}"},
	} {
		if got := Expand(c.in, expandEnv()); got != c.want {
			t.Errorf("Expand(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestExpanderOptions(t *testing.T) {
	env := expandEnv()
	// 02:149-151, 04:65-66 the display rounds numeric variables.
	display := Expander{Env: env, Round: true}
	for in, want := range map[string]string{
		"$pi":                       "3",
		"${big}":                    "5",
		"$numstr":                   "4.75", // strings are shown as they are
		"${chartable:$pi}":          "3",
		"${chartable: #.## : $pi }": "3.14",
		"${eval:$pi}":               "3.14159265",
	} {
		if got := display.Expand(in); got != want {
			t.Errorf("display %q = %q, want %q", in, got, want)
		}
	}
	// Macro answers what the package cannot: legends, tables, alarm points.
	var asked []string
	x := Expander{Env: env, Undefined: "[undefined]", Macro: func(name, arg string) (string, bool) {
		asked = append(asked, name+"|"+arg)
		switch {
		case arg == "legend":
			return "Legend of " + name, true
		case name == "alarmpointlist":
			return "<list>", true
		case strings.EqualFold(name, "_LINE"):
			return "line:" + arg, true
		}
		return "", false
	}}
	got := x.Expand("${x:legend} $alarmpointlist ${_LINE:${x}0} $nope ${eval:$nope} ${t:other}")
	want := "Legend of x <list> line:30 [undefined] [undefined] [undefined]"
	if got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	if strings.Join(asked, ",") != "x|legend,alarmpointlist|,_LINE|30,nope|,t|other" {
		t.Errorf("Macro asked %q", asked)
	}
	// Assignments in ${eval:} reach the Env.
	Expand("${eval:$shown := 7}", env)
	if v, _ := env.Get("shown"); v.num() != 7 {
		t.Errorf("eval assignment lost: %v", v)
	}
	// Deep nesting does not recurse without bound.
	deep := strings.Repeat("${_LENGTH:", 10000) + "x" + strings.Repeat("}", 10000)
	if got := Expand(deep, env); got == "" {
		t.Error("deep nesting: empty result")
	}
	if got := (Expander{}).Expand("a $b c"); got != "a $b c" {
		t.Errorf("nil Env: %q", got)
	}
}
