package probefile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/status"
)

func TestParseVariables(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "regular", src: head("custom-snmp") + "<snmp-device-variables>\n" +
			"  --Variable-name  OID ---            TYPE ----    CHART LEGEND ------\n" +
			"  sysDescr,        1.3.6.1.2.1.1.1.0, DEFAULT,\n" +
			"  ifInOctets2,     ifInOctets.${if},  per-second,  \"bytes/sec on interface ${if}\" <!-- a comment, with a comma -->\n" +
			"  TempF,           ($TempC * 1.8)+32, CALCULATION, \"Degrees F\"\n" +
			"  vstr, sprintf(\"%4.1f, %d\",$value, round($x, 2)), calculation, \"value, as string\"\n" +
			"  batTimeOn, ($outCode = 3)?\", UPS on battery for $secs s.\":\"\", CALCULATION\n" +
			"  theOID, $Variable, DEFAULT, \"$theLegend\"\n" +
			"  next, ifInOctets.13+, TOTAL-VALUE, \"\"\n" +
			"  vbVal1, $VarbindValue1, TRAPVARIABLE-STRING, \"First\"\n" +
			"  cond, systemCrashed?:sysUpTime.0, TRAPVARIABLE, \"\"\n" +
			"  lcpu.avgBusy1, .1.3.6.1.4.1.9.2.1.57.0, INTEGER, \"CPU\"\n" +
			"</snmp-device-variables>\n",
			check: func(t *testing.T, f *File) {
				type v struct{ Name, OID, Type, Expr, Legend string }
				var got []v
				for _, x := range f.Variables {
					got = append(got, v{x.Name, x.OID, x.Type, x.Expr, x.Legend})
				}
				want := []v{
					{"sysDescr", "1.3.6.1.2.1.1.1.0", "DEFAULT", "", ""},
					{"ifInOctets2", "ifInOctets.${if}", "PER-SECOND", "", "bytes/sec on interface ${if}"},
					{"TempF", "", "CALCULATION", "($TempC * 1.8)+32", "Degrees F"},
					{"vstr", "", "CALCULATION", `sprintf("%4.1f, %d",$value, round($x, 2))`, "value, as string"},
					{"batTimeOn", "", "CALCULATION", `($outCode = 3)?", UPS on battery for $secs s.":""`, ""},
					{"theOID", "$Variable", "DEFAULT", "", "$theLegend"},
					{"next", "ifInOctets.13+", "TOTAL-VALUE", "", ""},
					{"vbVal1", "$VarbindValue1", "TRAPVARIABLE-STRING", "", "First"},
					{"cond", "systemCrashed?:sysUpTime.0", "TRAPVARIABLE", "", ""},
					{"lcpu.avgBusy1", ".1.3.6.1.4.1.9.2.1.57.0", "INTEGER", "", "CPU"},
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("variables\n got %+v\nwant %+v", got, want)
				}
				if f.Variables[0].Line != 10 || f.Variables[1].TypeRaw != "per-second" || !f.Variables[7].IsTrap() || f.Variables[0].OnDemand {
					t.Errorf("details %+v", f.Variables[:2])
				}
			}},
		{name: "unknown type", src: "<header>\ntype=\"custom-snmp\"\npackage=\"com.example\"\nprobe_name=\"x\"\nhuman_name=\"X\"\n</header>\n\n\n\n<snmp-device-variables>\n" +
			"ifInOct, ifInOctets.1, PERSECOND, \"in\"\n</snmp-device-variables>\n",
			warns: []string{`x.txt:11: <snmp-device-variables>: variable "ifInOct" has unknown type "PERSECOND" (did you mean PER-SECOND?); read as DEFAULT`},
			check: func(t *testing.T, f *File) {
				if v := f.Variables[0]; v.Type != "DEFAULT" || v.TypeRaw != "PERSECOND" || v.Legend != "in" {
					t.Errorf("variable %+v", v)
				}
			}},
		{name: "errors", src: head("custom-snmp") + "<snmp-device-variables>\n" +
			"onlyname, 1.3.6.1\n" +
			"noType, 1.3.6.1.2.1.1.1.0, \"legend\"\n" +
			"bad name, 1.3.6.1.2.1.1.1.0, DEFAULT\n" +
			"single, 1, DEFAULT\n" +
			"trailing, 1.3.6., DEFAULT\n" +
			"emptyCalc, , CALCULATION\n" +
			"noOID, , DEFAULT\n" +
			"tbl, .1, TABLE, \"t\"\n" +
			"tbl/col, ifIndex, DEFAULT\n" +
			"open, \"unclosed, DEFAULT\n" +
			"dup, 1.3.6.1.2.1.1.1.0, DEFAULT\n" +
			"DUP, 1.3.6.1.2.1.1.2.0, DEFAULT\n" +
			"</snmp-device-variables>\n",
			errs: []string{
				`x.txt:9: <snmp-device-variables>: want`,
				`x.txt:10: <snmp-device-variables>: variable "noType" has no type`,
				`x.txt:11: <snmp-device-variables>: variable name "bad name" must start with a letter`,
				`x.txt:12: <snmp-device-variables>: variable "single": syntax error in OID "1": a single number is not an OID`,
				`x.txt:13: <snmp-device-variables>: variable "trailing": syntax error in OID "1.3.6.": trailing dot`,
				`x.txt:14: <snmp-device-variables>: CALCULATION "emptyCalc" has no expression`,
				`x.txt:15: <snmp-device-variables>: variable "noOID" has no OID`,
				`x.txt:16: <snmp-device-variables>: "tbl": tables belong in <snmp-device-variables-ondemand>`,
				`x.txt:17: <snmp-device-variables>: "tbl/col": tables belong in`,
				`x.txt:18: <snmp-device-variables>: string is not closed`,
			},
			warns: []string{`x.txt:20: <snmp-device-variables>: variable "DUP" is defined again (first at line 19)`}},
		{name: "on-demand tables", src: head("custom-snmp") + "<snmp-device-variables-ondemand>\n" +
			"ifTable,               .1,                  TABLE,       \"Interfaces of ${deviceaddress}\"\n" +
			"ifTable/ifIndex,       1.3.6.1.2.1.2.2.1.1, DEFAULT,     \"Index\"       <!-- using column OID -->\n" +
			"ifTable/ifPhysAddress, ifPhysAddress,       HEXADECIMAL, \"MAC Address\"\n" +
			"ARPTable, .1, TABLE, \"ARP\"\n" +
			"ARPTable/ip, ipNetToMediaType[1:4], DEFAULT, \"IP Address\"\n" +
			"ARPTable/rest, ipNetToMediaType[5:], DEFAULT, \"Rest\"\n" +
			"ARPTable/pct, $ip * 100, CALCULATION, \"Pct\"\n" +
			"</snmp-device-variables-ondemand>\n",
			check: func(t *testing.T, f *File) {
				if len(f.Variables) != 7 {
					t.Fatalf("variables %+v", f.Variables)
				}
				v := f.Variables
				if v[0].Table != "ifTable" || v[0].Column != "" || v[0].Type != "TABLE" || !v[0].OnDemand || v[0].Legend != "Interfaces of ${deviceaddress}" {
					t.Errorf("table %+v", v[0])
				}
				if v[1].Table != "ifTable" || v[1].Column != "ifIndex" || v[1].Legend != "Index" {
					t.Errorf("column %+v", v[1])
				}
				if !reflect.DeepEqual(v[4].Index, &IndexRange{OID: "ipNetToMediaType", Start: 1, Count: 4}) ||
					!reflect.DeepEqual(v[5].Index, &IndexRange{OID: "ipNetToMediaType", Start: 5, Count: -1}) {
					t.Errorf("index ranges %+v %+v", v[4].Index, v[5].Index)
				}
				if v[6].Expr != "$ip * 100" || v[6].Column != "pct" {
					t.Errorf("calculation column %+v", v[6])
				}
			}},
		{name: "on-demand errors", src: head("custom-snmp") + "<snmp-device-variables-ondemand>\n" +
			"scalar, 1.3.6.1.2.1.1.1.0, DEFAULT\n" +
			"noTable/col, ifIndex, DEFAULT\n" +
			"t, .1, TABLE\n" +
			"t/c, ifIndex[a:b], DEFAULT\n" +
			"t2, .1.3, TABLE\n" +
			"</snmp-device-variables-ondemand>\n",
			errs: []string{
				`x.txt:9: <snmp-device-variables-ondemand>: on-demand variable "scalar" must be a TABLE or a table/column`,
				`x.txt:10: <snmp-device-variables-ondemand>: column "noTable/col": table "noTable" is not declared`,
				`x.txt:12: <snmp-device-variables-ondemand>: variable "t/c": index range in "ifIndex[a:b]" must be [start:count]`,
			},
			warns: []string{`x.txt:13: <snmp-device-variables-ondemand>: table "t2": the OID field of a TABLE line is always .1`}},
	})
}

func TestParseThresholdsAndAlarms(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "thresholds", src: head("custom-snmp") + "<snmp-device-thresholds>\n" +
			"   down:     ${ifOperStatus}   =  0 \"Device Down\"\n" +
			"   critical: ${noAddFree} < ${Free Lease Critical}\t\"Fewer than ${Free Lease Critical} leases.\"\n" +
			"   ALARM:    defined(\"lcpu.avgBusy1\") && (${lcpu.avgBusy1} > ${CPU Busy - Alarm})\n" +
			"   Warning:  \"$sysContact\" != \"Fred\"\n" +
			"   alarm:    \"$a\" == \"b\" \"a is b\"\n" +
			"   warning:  $x ? 1 : 0 \"ternary\"\n" +
			"   alarm:    $brand \"word ending in and\"\n" +
			"   alarm:    $x and \"y\"\n" +
			"   okay: 1 = 1 \"Everything \\\"OK\\\"\"\n" +
			"</snmp-device-thresholds>\n",
			check: func(t *testing.T, f *File) {
				want := []Threshold{
					{status.Down, "${ifOperStatus}   =  0", "Device Down", 9},
					{status.Critical, "${noAddFree} < ${Free Lease Critical}", "Fewer than ${Free Lease Critical} leases.", 10},
					{status.Alarm, `defined("lcpu.avgBusy1") && (${lcpu.avgBusy1} > ${CPU Busy - Alarm})`, "", 11},
					{status.Warning, `"$sysContact" != "Fred"`, "", 12},
					{status.Alarm, `"$a" == "b"`, "a is b", 13},
					{status.Warning, `$x ? 1 : 0`, "ternary", 14},
					{status.Alarm, `$brand`, "word ending in and", 15},
					{status.Alarm, `$x and "y"`, "", 16},
					{status.OK, `1 = 1`, `Everything "OK"`, 17},
				}
				if !reflect.DeepEqual(f.Thresholds, want) {
					t.Errorf("thresholds\n got %+v\nwant %+v", f.Thresholds, want)
				}
			}},
		{name: "threshold errors", src: head("custom-snmp") + "<snmp-device-thresholds>\n" +
			"alrm: $x > 1\n$x > 1 \"no level\"\nwarning: \"only a reason\"\ncritical: $x > \"open\n" +
			"</snmp-device-thresholds>\n",
			errs: []string{
				`x.txt:9: <snmp-device-thresholds>: unknown level "alrm" (did you mean alarm?)`,
				`x.txt:10: <snmp-device-thresholds>: want`,
				`x.txt:11: <snmp-device-thresholds>: warning: expression is missing`,
				`x.txt:12: <snmp-device-thresholds>: string is not closed`,
			}},
		{name: "alarm points", src: head("custom-snmp") + "<snmp-device-alarmpoints>\n" +
			"SiteTemp: critical ($Temp > $CriticalHighTemp) \"VERY_HIGH_TEMP\" => PageFred\n" +
			"SiteTemp:    major ($Temp > $MajorHighTemp)    \"HIGH_TEMP\"      => PageFred, \"Mail Bob\"\n" +
			"_Link: Minor ($a == \"x)\") \"paren in string\"\n" +
			"Stop: break ($x) \n" +
			"</snmp-device-alarmpoints>\n" +
			"<snmp-device-notifiers>\nPageFred: \"Fred via Pager:0:0:0\", \"Boss:15:60\"\n</snmp-device-notifiers>\n",
			check: func(t *testing.T, f *File) {
				want := []AlarmPoint{
					{"SiteTemp", "critical", "$Temp > $CriticalHighTemp", "VERY_HIGH_TEMP", []string{"PageFred"}, 9},
					{"SiteTemp", "major", "$Temp > $MajorHighTemp", "HIGH_TEMP", []string{"PageFred", "Mail Bob"}, 10},
					{"_Link", "minor", `$a == "x)"`, "paren in string", nil, 11},
					{"Stop", "break", "$x", "", nil, 12},
				}
				if !reflect.DeepEqual(f.AlarmPoints, want) {
					t.Errorf("alarm points\n got %+v\nwant %+v", f.AlarmPoints, want)
				}
				wantN := []NotifierList{{Name: "PageFred", Line: 15, Rules: []NotifierRule{
					{Notifier: "Fred via Pager", Count: 0}, {Notifier: "Boss", Delay: 15, Repeat: 60, Count: -1}}}}
				if !reflect.DeepEqual(f.NotifierLists, wantN) || !strings.Contains(f.Notifiers, "PageFred") {
					t.Errorf("notifiers %+v", f.NotifierLists)
				}
			}},
		{name: "alarm point errors", src: head("custom-snmp") + "<snmp-device-alarmpoints>\n" +
			"Temp: severe ($x)\nTemp: major ($x \"r\"\nTemp: major () \"r\"\nTemp: minor ($x) =>\n" +
			"</snmp-device-alarmpoints>\n<snmp-device-notifiers>\nN: \"pager:soon\"\n</snmp-device-notifiers>\n",
			errs: []string{
				`x.txt:9: <snmp-device-alarmpoints>: Temp: unknown severity "severe"`,
				`x.txt:10: <snmp-device-alarmpoints>: Temp: ( is not closed`,
				`x.txt:11: <snmp-device-alarmpoints>: Temp: expression is missing`,
				`x.txt:12: <snmp-device-alarmpoints>: Temp: no notifier after =>`,
				`x.txt:15: <snmp-device-notifiers>: N: rule "pager:soon": "soon" is not a number of minutes`,
			}},
	})
}

func TestParseCommandLine(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "command-line probe", src: head("cmd-line") + "<command-line>\n" +
			"\t-- Empty path forces the tools folder\n\tpath=\"\"\n\tcmd=${Plugin}\n" +
			"\targ = \"-H ${ADDRESS} -w 100,10%\"\n\tinput='${User} ${Password*}'\n\ttimeout = ${Timeout (sec)}\n" +
			"</command-line>\n<command-exit>\n\tdown:${EXIT_CODE}=3\n\tcritical: ${EXIT_CODE} = 2\n\twarn:$EXIT_CODE==1\n" +
			"\tokay: ${EXIT_CODE} < 1\n</command-exit>\n<command-display>\n${^stdout}\n</command-display>\n" +
			"<tool:check.py>\n#!/usr/bin/env python3\n<header>\nprint(\"</tool:other>\")\n</tool:check.py>\n" +
			"<tool:second.sh>\necho hi\n</tool>\n",
			check: func(t *testing.T, f *File) {
				want := CommandLine{Cmd: "${Plugin}", Args: "-H ${ADDRESS} -w 100,10%", Input: "${User} ${Password*}", Timeout: "${Timeout (sec)}", Line: 8}
				if f.CommandLine != want {
					t.Errorf("command line %+v", f.CommandLine)
				}
				wantExit := []ExitRule{
					{status.Down, "${EXIT_CODE}=3", 3, 17}, {status.Critical, "${EXIT_CODE} = 2", 2, 18},
					{status.Warning, "$EXIT_CODE==1", 1, 19}, {status.OK, "${EXIT_CODE} < 1", -1, 20},
				}
				if !reflect.DeepEqual(f.CommandExit, wantExit) {
					t.Errorf("exit rules %+v", f.CommandExit)
				}
				if f.CommandDisplay != "${^stdout}" {
					t.Errorf("display %q", f.CommandDisplay)
				}
				wantTools := map[string]Tool{
					"check.py":  {Name: "check.py", Text: "#!/usr/bin/env python3\n<header>\nprint(\"</tool:other>\")", Line: 26},
					"second.sh": {Name: "second.sh", Text: "echo hi", Line: 31},
				}
				if !reflect.DeepEqual(f.Tools, wantTools) {
					t.Errorf("tools %+v", f.Tools)
				}
			}},
		{name: "command-line errors", src: head("cmd-line") + "<command-line>\npath=\"\"\ncommand = \"x\"\n</command-line>\n" +
			"<command-exit>\nfatal: ${EXIT_CODE}=9\ndown: ${EXIT_CODE}=300\nokay: 1\ndown\n</command-exit>\n" +
			"<tool:../evil>\nrm -rf /\n</tool:../evil>\n",
			errs: []string{
				`x.txt:8: <command-line>: cmd is required`,
				`x.txt:13: <command-exit>: unknown level "fatal"`,
				`x.txt:14: <command-exit>: exit code 300 is not from 0 to 255`,
				`x.txt:16: <command-exit>: want`,
				`x.txt:18: <tool:../evil>: tool name "../evil" must be a plain file name`,
			},
			warns: []string{
				`x.txt:10: <command-line>: unknown key "command" is ignored`,
				`x.txt:15: <command-exit>: condition "1" does not test ${EXIT_CODE}`,
			}},
		{name: "cmd-line without command-line", src: head("cmd-line"), errs: []string{"x.txt:1: cmd-line probe has no <command-line> section"}},
	})
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2.11", "2.9", 1}, {"2.9", "2.11", -1}, {"2.0", "2", 0}, {"1.10", "1.9.9", 1},
		{"1.2b3", "1.2b2", 1}, {"1.2", "1.2b1", -1}, {"", "0.1", -1}, {"beta", "0.1", -1},
		{"1.8", "1.8", 0}, {" 3 ", "3.0.0", 0}, {"99999999999999999999999.1", "1", 1},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCheckNumericOID(t *testing.T) {
	for oid, valid := range map[string]bool{
		".1": true, "1.": true, "1.3.6": true, ".1.3.6.1": true, "1": false, "1.3.6.": false,
		"1.3..6": false, ".": false, "sysUpTime.0": true, "1.3.6.blah": false, "1.99999999999": false,
		"1.3.6.1.4.1.9.9.42.1.2.1.1.6.${SNMP Index}": true, "1.3.6.$x": true, "1.3.6.1.4.1.8072.1.\"LOG\"": true,
		"1.3.6.1.2.1::sysUpTime.0": true, "1.3.6.1.6.3.1.1.5.3?:ifIndex.1": true, ".${x}": false,
	} {
		if got := checkNumericOID(oid) == ""; got != valid {
			t.Errorf("checkNumericOID(%q) valid = %v, want %v", oid, got, valid)
		}
	}
}
