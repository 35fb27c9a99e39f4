package probefile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// head is a 7-line header of the given type: bodies start at line 8.
func head(typ string) string {
	return "<header>\n type = \"" + typ + "\"\n package = \"com.example\"\n probe_name = \"x\"\n" +
		" human_name = \"X\"\n version = \"1.0\"\n</header>\n"
}

type parseCase struct {
	name  string
	src   string
	errs  []string // each must be in its own error, in line order; no others
	warns []string // likewise for warnings
	check func(t *testing.T, f *File)
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("x.txt", []byte(tc.src))
			if f == nil {
				t.Fatal("Parse returned a nil File")
			}
			matchProblems(t, "error", FileErrors(err), tc.errs)
			matchProblems(t, "warning", f.Warnings, tc.warns)
			if err != nil && len(tc.errs) > 0 {
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Errorf("errors.As(%v, *FileError) failed", err)
				}
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func matchProblems(t *testing.T, kind string, got []*FileError, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d %ss, want %d:\n%s", len(got), kind, len(want), joinErrs(got))
		return
	}
	for i, w := range want {
		if !strings.Contains(got[i].Error(), w) {
			t.Errorf("%s %d = %q, want it to contain %q", kind, i, got[i].Error(), w)
		}
	}
}

func joinErrs(list []*FileError) string {
	var b strings.Builder
	for _, e := range list {
		b.WriteString("  " + e.Error() + "\n")
	}
	return b.String()
}

func TestParseHeader(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name: "quoted and bare keys, comments, case",
			src: "<!-- leading comment\n <header> inside a comment is ignored\n-->\n-- a dash comment\n<header>\n" +
				"\t\"type\"\t=\t\"custom-snmp\"\n\tpackage=\"com.example\"\n\t\"probe_name\" = \"snmp.x\"\n" +
				"\thuman_name = \"Example\"\n\tversion = \"2.11\"\n\taddress_type = \"IP, at\" # Both IP and AppleTalk\n" +
				"\tport_number = \"161\"\n\tdisplay_name = \"Basic/Ping\\/Echo\"\n\t\"FLAGS\" = \"SNMPv2c,Minimal, NOICMPFALLBACK\"\n" +
				"\turl_hint = \"http://${ADDRESS}:${PORT}/\"\n\tpoll_interval = 300\n\told_protocol = \"8\"\t\t\t# compat\n</header>\n",
			check: func(t *testing.T, f *File) {
				h := f.Header
				if f.ID() != "com.example.snmp.x" || h.Type != CustomSNMP || h.HumanName != "Example" || h.Version != "2.11" {
					t.Errorf("header %+v", h)
				}
				if !reflect.DeepEqual(h.AddressType, []string{"IP", "AT"}) || h.PortNumber != 161 || h.PollInterval != 300 {
					t.Errorf("address/port/interval %+v", h)
				}
				if !reflect.DeepEqual(h.Flags, []string{"SNMPV2C", "MINIMAL", "NOICMPFALLBACK"}) || !h.HasFlag("snmpv2c") || h.HasFlag("NOLINKS") {
					t.Errorf("flags %v", h.Flags)
				}
				if got := h.DisplayPath(); !reflect.DeepEqual(got, []string{"Basic", "Ping/Echo"}) {
					t.Errorf("DisplayPath %q", got)
				}
				if h.URLHint != "http://${ADDRESS}:${PORT}/" || h.Raw["old_protocol"] != "8" || h.Raw["flags"] == "" || h.Line != 5 {
					t.Errorf("raw %+v", h)
				}
			},
		},
		{name: "builtin alias", src: strings.Replace(head("builtin"), "x", "y", 1), check: func(t *testing.T, f *File) {
			if f.Header.Type != BuiltIn {
				t.Errorf("type %q", f.Header.Type)
			}
		}},
		{name: "command-line alias", src: head("command-line") + "<command-line>\ncmd = \"true\"\n</command-line>\n", check: func(t *testing.T, f *File) {
			if f.Header.Type != CmdLine {
				t.Errorf("type %q", f.Header.Type)
			}
		}},
		{name: "missing header", src: "<description>\nhi\n</description>\n", errs: []string{"x.txt: missing <header> section"}},
		{name: "missing probe_name", src: "<header>\ntype = \"built-in\"\npackage = \"a\"\n</header>\n",
			errs: []string{"x.txt:1: <header>: probe_name is required"}},
		{name: "unknown type", src: head("tcp-scrpt"), errs: []string{`x.txt:1: <header>: unknown probe type "tcp-scrpt" (did you mean tcp-script?)`}},
		{name: "bad port", src: strings.Replace(head("built-in"), " version", " port_number = \"http\"\n version", 1),
			errs: []string{`x.txt:6: <header>: port_number "http" is not a number`}},
		{name: "unsafe probe name", src: strings.Replace(head("built-in"), `"x"`, `"../x"`, 1),
			errs: []string{`x.txt:4: <header>: probe_name "../x" may only hold`}},
		{name: "unknown key and flag", src: strings.Replace(head("built-in"), " version", " versoin = \"2\"\n flags = \"NOLINK\"\n version", 1),
			warns: []string{`x.txt:6: <header>: unknown key "versoin" is ignored (did you mean version?)`, `x.txt:7: <header>: unknown flag "NOLINK" is ignored (did you mean NOLINKS?)`}},
		{name: "malformed line", src: strings.Replace(head("built-in"), " version", " version \"1\"\n version", 1),
			errs: []string{`x.txt:6: <header>: want`}},
		{name: "missing human name", src: "<header>\ntype=\"built-in\"\npackage=\"p\"\nprobe_name=\"n\"\n</header>\n",
			warns: []string{"x.txt:1: <header>: human_name is missing"},
			check: func(t *testing.T, f *File) {
				if f.Header.HumanName != "n" || f.ID() != "p.n" {
					t.Errorf("header %+v", f.Header)
				}
			}},
	})
}

func TestParseSections(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "case-insensitive names", src: "<HEADER>\ntype=\"tcp-script\"\npackage=\"a\"\nprobe_name=\"b\"\nhuman_name=\"B\"\n</Header>\n" +
			"<Script>\nCONN #60\nDONE OKAY\n</SCRIPT>\n<SCRIPT-OUTPUT>\n\\B5\\Out\\0P\\\n</script-output>\n",
			check: func(t *testing.T, f *File) {
				if f.Script != "CONN #60\nDONE OKAY" || f.ScriptLine != 8 || f.ScriptOutput != `\B5\Out\0P\` || f.ScriptOutputLine != 12 {
					t.Errorf("script %q line %d, output %q line %d", f.Script, f.ScriptLine, f.ScriptOutput, f.ScriptOutputLine)
				}
				if s := f.Sections["script"]; s.Name != "Script" || s.Line != 7 || s.BodyLine != 8 {
					t.Errorf("section %+v", s)
				}
			}},
		{name: "script keeps comments and payload tags", src: head("tcp-script") +
			"<script>\nSEND \"<!-- not a comment\"\nSEND \"<header>\" -- trailing text\nDONE OKAY <!-- comment -->\n</script>\n",
			check: func(t *testing.T, f *File) {
				want := "SEND \"<!-- not a comment\"\nSEND \"<header>\" -- trailing text\nDONE OKAY <!-- comment -->"
				if f.Script != want || f.ScriptLine != 9 {
					t.Errorf("script %q at %d", f.Script, f.ScriptLine)
				}
			}},
		{name: "description as written", src: head("built-in") + "<description>\n\n\\GB\\Title\\P\\\n<!-- kept -->\n- bullet\n</description>\n",
			check: func(t *testing.T, f *File) {
				if f.Description != "\n\\GB\\Title\\P\\\n<!-- kept -->\n- bullet" {
					t.Errorf("description %q", f.Description)
				}
				if StripComments(f.Description) != "\n\\GB\\Title\\P\\\n\n- bullet" {
					t.Errorf("StripComments %q", StripComments(f.Description))
				}
			}},
		{name: "snmp display as written", src: head("custom-snmp") + "<snmp-device-display>\n\\B5\\Title\\0P\\\n  \\4\\Up:\\0\\ ${chartable: #.## : $x} <!-- kept -->\n\n</snmp-device-display>\n",
			check: func(t *testing.T, f *File) {
				if f.Display != "\\B5\\Title\\0P\\\n  \\4\\Up:\\0\\ ${chartable: #.## : $x} <!-- kept -->\n" {
					t.Errorf("display %q", f.Display)
				}
			}},
		{name: "comment inside a section hides tags", src: head("custom-snmp") + "<snmp-device-variables>\n<!--\n<snmp-device-thresholds>\nold, 1.3.6.1.2.1.1.1.0, DEFAULT\n-->\nnew, 1.3.6.1.2.1.1.2.0, DEFAULT\n</snmp-device-variables>\n",
			check: func(t *testing.T, f *File) {
				if len(f.Variables) != 1 || f.Variables[0].Name != "new" || f.Variables[0].Line != 13 {
					t.Errorf("variables %+v", f.Variables)
				}
			}},
		{name: "closing tag with a comment", src: head("built-in") + "<description> <!-- c -->\nx\n</description> <!-- end -->\n<parameters>\n</parameters>\n",
			check: func(t *testing.T, f *File) {
				if f.Description != "x" {
					t.Errorf("description %q", f.Description)
				}
			}},
		{name: "tag and text on one line", src: head("built-in") + "<description>One line</description>\n",
			check: func(t *testing.T, f *File) {
				if f.Description != "One line" || f.Sections["description"].BodyLine != 8 {
					t.Errorf("description %q", f.Description)
				}
			}},
		{name: "CRLF", src: strings.ReplaceAll(head("built-in")+"<parameters>\n\"a\" = \"1\"\n</parameters>\n", "\n", "\r\n"),
			check: func(t *testing.T, f *File) {
				if len(f.Parameters) != 1 || f.Parameters[0].Default != "1" || f.Parameters[0].Line != 9 {
					t.Errorf("parameters %+v", f.Parameters)
				}
			}},
		{name: "old Mac CR", src: strings.ReplaceAll(head("built-in")+"<parameters>\n\"a\" = \"1\"\n</parameters>\n", "\n", "\r"),
			check: func(t *testing.T, f *File) {
				if len(f.Parameters) != 1 || f.Parameters[0].Line != 9 || f.ID() != "com.example.x" {
					t.Errorf("parameters %+v", f.Parameters)
				}
			}},
		{name: "Latin-1 and UTF-8 bytes", src: "<!-- Copyright \xa9 2000 -->\n" + head("built-in") + "<description>\n\xa9 Dartware, \xc2\xb0C, \xb2B5\xb3\n</description>\n",
			check: func(t *testing.T, f *File) {
				if f.Description != "© Dartware, °C, ²B5³" {
					t.Errorf("description %q", f.Description)
				}
			}},
		{name: "UTF-16", src: utf16LE(head("built-in")), check: func(t *testing.T, f *File) {
			if f.ID() != "com.example.x" {
				t.Errorf("id %q", f.ID())
			}
		}},
		{name: "unclosed at end", src: head("tcp-script") + "<script>\nDONE OKAY\n",
			errs: []string{"x.txt:8: section <script> is not closed"}},
		{name: "unclosed before next", src: head("built-in") + "<description>\ntext\n<parameters>\n\"a\"=\"b\"\n</parameters>\n",
			errs: []string{"x.txt:8: section <description> is not closed (next section <parameters> starts at line 10)"},
			check: func(t *testing.T, f *File) {
				if f.Description != "text" || len(f.Parameters) != 1 {
					t.Errorf("recovery: %q %+v", f.Description, f.Parameters)
				}
			}},
		{name: "wrong closing tag", src: head("built-in") + "<parameters>\n\"a\"=\"b\"\n</parameter>\n",
			errs: []string{"x.txt:10: <parameters> (line 8) is closed by </parameter>; want </parameters>"}},
		{name: "unknown section", src: head("built-in") + "<command-dater>\nx\n</command-dater>\n",
			warns: []string{"x.txt:8: unknown section <command-dater> is ignored (did you mean command-data?)"},
			check: func(t *testing.T, f *File) {
				if f.Sections["command-dater"].Text != "x" {
					t.Errorf("sections %+v", f.Sections)
				}
			}},
		{name: "duplicate section", src: head("built-in") + "<description>\na\n</description>\n<description>\nb\n</description>\n",
			errs: []string{"x.txt:11: duplicate section <description> (first at line 8)"}},
		{name: "stray closing tag", src: head("built-in") + "</description>\n",
			warns: []string{"x.txt:8: </description> outside any section is ignored"}},
		{name: "unclosed comment", src: head("built-in") + "<!-- never closed\n",
			warns: []string{"x.txt:8: comment <!-- is not closed"}},
		{name: "section unused by type", src: head("custom-snmp") + "<script>\nDONE OKAY\n</script>\n",
			warns: []string{"x.txt:8: section <script> is not used by custom-snmp probes"}},
		{name: "tcp-script without script", src: head("tcp-script"), errs: []string{"x.txt:1: tcp-script probe has no <script> section"}},
		{name: "several errors", src: head("custom-snmp") + "<snmp-device-thresholds>\nbad line\nalarm:\n</snmp-device-thresholds>\n<script>\n",
			errs:  []string{"x.txt:9: <snmp-device-thresholds>: want", "x.txt:10: <snmp-device-thresholds>: alarm: expression is missing", "x.txt:12: section <script> is not closed"},
			warns: []string{"x.txt:12: section <script> is not used"}},
	})
}

func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

func TestParseParameters(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "kinds", src: head("built-in") + "<parameters>\n" +
			"\t\"Host Name\"\t=\t\"\"\n" +
			"\t\"Password*\" = \"\"\n" +
			"\t\"Test[Equal, NotEqual]\" = \"NotEqual\" //Default value is NotEqual\n" +
			"\t\"Enabled[true,false]\" = \"true\"\n" +
			"\t\"RebootAlarm\" = \"2\" -- 2 min = 120 seconds\n" +
			"\tRows=\"5\"\n" +
			"\tPlugin=check_http --ssl -u /x -- a comment\n" +
			"\t\"Mode[BPSK 1/2,QPSK 1/2]\" = \"Please select one...\"\n" +
			"\t-- No more parameters\n" +
			"\t\"graphID/\" = \"\"\n" +
			"</parameters>\n",
			check: func(t *testing.T, f *File) {
				want := []Parameter{
					{Name: "Host Name", Var: "Host Name", Default: "", Kind: ParamText, Line: 9},
					{Name: "Password", Var: "Password*", Default: "", Kind: ParamPassword, Line: 10},
					{Name: "Test", Var: "Test[Equal, NotEqual]", Default: "NotEqual", Kind: ParamDropdown, Choices: []string{"Equal", "NotEqual"}, Line: 11},
					{Name: "Enabled", Var: "Enabled[true,false]", Default: "true", Kind: ParamCheckbox, Choices: []string{"true", "false"}, Line: 12},
					{Name: "RebootAlarm", Var: "RebootAlarm", Default: "2", Line: 13},
					{Name: "Rows", Var: "Rows", Default: "5", Line: 14},
					{Name: "Plugin", Var: "Plugin", Default: "check_http --ssl -u /x", Line: 15},
					{Name: "Mode", Var: "Mode[BPSK 1/2,QPSK 1/2]", Default: "Please select one...", Kind: ParamDropdown, Choices: []string{"BPSK 1/2", "QPSK 1/2"}, Line: 16},
					{Name: "graphID/", Var: "graphID/", Line: 18},
				}
				if !reflect.DeepEqual(f.Parameters, want) {
					t.Errorf("parameters\n got %+v\nwant %+v", f.Parameters, want)
				}
				if p, ok := f.Parameter("password*"); !ok || p.Kind != ParamPassword || p.Kind.String() != "password" {
					t.Errorf("Parameter lookup %+v %v", p, ok)
				}
			}},
		{name: "duplicate", src: head("built-in") + "<parameters>\n\"A\" = \"1\"\n\"a\" = \"2\"\n</parameters>\n",
			errs: []string{`x.txt:10: <parameters>: duplicate parameter "a" (first at line 9)`}},
		{name: "malformed", src: head("built-in") + "<parameters>\n\"A\" \"1\"\n\"B\" = \"unclosed\n\"C[]\" = \"\"\n</parameters>\n",
			errs: []string{`x.txt:9: <parameters>: want`, `x.txt:10: <parameters>: parameter "B": string is not closed`, `x.txt:11: <parameters>: parameter "C[]" has an empty choice list`}},
		{name: "junk after value", src: head("built-in") + "<parameters>\n\"A\" = \"1\" junk\n</parameters>\n",
			warns: []string{`x.txt:9: <parameters>: parameter "A": text after the value is ignored: "junk"`}},
	})
}

func TestParseDatasetsAndProperties(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "datasets", src: head("custom-snmp") + "<datasets>\n" +
			"\t$lcpu.busyPer, 'cpupercent', \"percent\", \"true\", \"CPU Percent Busy\"\n" +
			"\t${theOID}, \"$Tag\", \"$Units\", \"false\", \"$Legend\"\n" +
			"</datasets>\n",
			check: func(t *testing.T, f *File) {
				want := []Dataset{
					{Variable: "lcpu.busyPer", Tag: "cpupercent", Units: "percent", Record: true, Legend: "CPU Percent Busy", Line: 9},
					{Variable: "theOID", Tag: "$Tag", Units: "$Units", Legend: "$Legend", Line: 10},
				}
				if !reflect.DeepEqual(f.Datasets, want) {
					t.Errorf("datasets\n got %+v\nwant %+v", f.Datasets, want)
				}
			}},
		{name: "old autorecord", src: head("custom-snmp") + "<autorecord>\n$batMin, 'batttimeleft', \"Time left :units(min)\"\n</autorecord>\n",
			check: func(t *testing.T, f *File) {
				want := []Dataset{{Variable: "batMin", Tag: "batttimeleft", Units: "min", Record: true, Legend: "Time left", Autorecord: true, Line: 9}}
				if !reflect.DeepEqual(f.Datasets, want) {
					t.Errorf("datasets %+v", f.Datasets)
				}
			}},
		{name: "dataset errors", src: head("custom-snmp") + "<datasets>\nvar, 'x'\n$v, '_BiRt', \"ms\", \"maybe\"\n</datasets>\n",
			errs:  []string{`x.txt:9: <datasets>: want a $variable first, got "var"`},
			warns: []string{`x.txt:10: <datasets>: tag "_BiRt"`, `x.txt:10: <datasets>: record flag "maybe"`}},
		{name: "properties", src: head("custom-snmp") + "<snmp-device-properties>\n" +
			"\tnomib2=\"true\"\n\t\"pdutype\" = \"get-request\"\n\tmaxvars = \"4\" -- should solve tooBig\n" +
			"\tinterface_visible = (\"$ifDescr\" =~ \"eth0\" or \"$ifDescr\" == \"br0\")\n" +
			"</snmp-device-properties>\n",
			check: func(t *testing.T, f *File) {
				want := map[string]string{"nomib2": "true", "pdutype": "get-request", "maxvars": "4",
					"interface_visible": `("$ifDescr" =~ "eth0" or "$ifDescr" == "br0")`}
				if !reflect.DeepEqual(f.Properties, want) || f.PropertyLines["interface_visible"] != 12 {
					t.Errorf("properties %q %v", f.Properties, f.PropertyLines)
				}
			}},
		{name: "property errors", src: head("custom-snmp") + "<snmp-device-properties>\nmaxvars=\"lots\"\nnomib=\"true\"\njunk\n</snmp-device-properties>\n",
			errs:  []string{`x.txt:9: <snmp-device-properties>: maxvars "lots" is not a positive number`, `x.txt:11: <snmp-device-properties>: want`},
			warns: []string{`x.txt:10: <snmp-device-properties>: unknown property "nomib" is ignored (did you mean nomib2?)`}},
	})
}
