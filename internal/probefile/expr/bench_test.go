package expr

import "testing"

// benchEnv is a device's variables after a poll of the traffic-util probe.
func benchEnv() MapEnv {
	return MapEnv{
		"ifInOctets":           Number(1234567),
		"ifOutOctets":          Number(7654321),
		"ifSpeed":              Number(100000000),
		"InUtil":               Number(9.87),
		"ifOperStatus":         Number(1),
		"ifOperStatusStr":      String("up"),
		"Alarm Threshold Proc": String("90"),
		"sysDescr":             String("FW 2.1.3, 5.8GHz, Internal antenna"),
	}
}

// BenchmarkEval evaluates typical threshold and CALCULATION expressions
// from the example probes (com.dartware.snmp.traffic-util.txt).
func BenchmarkEval(b *testing.B) {
	for _, c := range []struct{ name, src string }{
		{"threshold", `${InUtil}  > ${Alarm Threshold Proc}`},
		{"calculation", `(${ifInOctets}*8*100/${ifSpeed})`},
		{"guarded", `defined("ifOperStatus") && ${ifOperStatus} != 1`},
		{"ternary-string", `($ifOperStatus == 1 ? "up" : $ifOperStatus == 2 ? "down" : "testing")`},
		{"regex-capture", `"$sysDescr" =~ "^FW ([^,]+), (.+)Hz" ;"${1}"`},
	} {
		e, err := Parse(c.src)
		if err != nil {
			b.Fatal(err)
		}
		env := benchEnv()
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse measures parsing a threshold line's expression.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(`${InUtil}  > ${Alarm Threshold Proc} && defined("ifSpeed")`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpand measures expanding a display line.
func BenchmarkExpand(b *testing.B) {
	env := benchEnv()
	x := Expander{Env: env, Round: true}
	b.ReportAllocs()
	for b.Loop() {
		_ = x.Expand(`\4\In:\0\ ${chartable: #.## : $InUtil}% of $ifSpeed bps, link ${ifOperStatusStr}`)
	}
}
