package imml

import (
	"os"
	"strings"
	"testing"
)

func TestParseStyles(t *testing.T) {
	segs := Parse(`\B5\Title\0P\ plain \b\Bold \i\Bold Italic \!b\Italic \p\Plain`)
	want := []struct {
		text         string
		bold, italic bool
		color        int
	}{
		{"Title", true, false, 5},
		{" plain ", false, false, 0},
		{"Bold ", true, false, 0},
		{"Bold Italic ", true, true, 0},
		{"Italic ", false, true, 0},
		{"Plain", false, false, 0},
	}
	if len(segs) != len(want) {
		t.Fatalf("segments = %+v", segs)
	}
	for i, w := range want {
		s := segs[i]
		if s.Text != w.text || s.Style.Bold != w.bold || s.Style.Italic != w.italic || s.Style.Color != w.color {
			t.Errorf("segment %d = %+v, want %+v", i, s, w)
		}
	}
}

func TestEscapesAndLinks(t *testing.T) {
	tests := []struct{ in, text, html string }{
		{`domain\\user`, `domain\user`, `domain\user`},
		{`You may enter \${ADDRESS}`, `You may enter ${ADDRESS}`, `You may enter ${ADDRESS}`},
		{`see \U2\http://www.nagios.org\P0\ now`, `see http://www.nagios.org now`, `<a href="http://www.nagios.org"`},
		{`in \U2=http://www.ietf.org/rfc/rfc1034.txt\RFC 1034\p0\.`, `in RFC 1034 <http://www.ietf.org/rfc/rfc1034.txt>.`, `<a href="http://www.ietf.org/rfc/rfc1034.txt"`},
		{`\u2=javascript:alert(1)\x\p\`, `x <javascript:alert(1)>`, `color:#1565c0">x</span>`},
		{`<script>\b\&`, `<script>&`, `&lt;script&gt;<span style="font-weight:bold">&amp;</span>`},
		{"legacy \u00b2B5\u00b3Tranzeo\u00b20P\u00b3 ok", "legacy Tranzeo ok", `color:#2e7d32`},
		{`\M1++\Big red monospace\p\`, `Big red monospace`, `font-family:monospace;color:#c62828;font-size:130%`},
		{`trailing \`, `trailing \`, `trailing \`},
	}
	for _, tc := range tests {
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := HTML(tc.in); !strings.Contains(got, tc.html) {
			t.Errorf("HTML(%q) = %q, want it to contain %q", tc.in, got, tc.html)
		}
		if strings.Contains(HTML(tc.in), "javascript:") && strings.Contains(HTML(tc.in), "href") {
			t.Errorf("HTML(%q) links to javascript", tc.in)
		}
	}
}

func TestDisclosure(t *testing.T) {
	got := HTML(`\#hide:ifs\ \b\Interfaces\p\ \#begin:ifs\` + "\nrow 1\n" + `\#end:ifs\ after \#show:x\X\#begin:x\in\#end:x\`)
	for _, want := range []string{`<details class="imml-block"><summary> <span style="font-weight:bold">Interfaces</span> </summary><br>row 1<br></details> after `, `<details class="imml-block" open><summary>X</summary>in</details>`} {
		if !strings.Contains(got, want) {
			t.Fatalf("HTML = %q\nwant %q", got, want)
		}
	}
}

// The IMML2HTML test file renders without leftover markup.
func TestTestTags(t *testing.T) {
	b, err := os.ReadFile("../../../../shared/probes/spec/imml-testtags.txt")
	if err != nil {
		t.Skipf("shared test file not found: %v", err)
	}
	text := Text(string(b))
	for _, bad := range []string{`\b\`, `\B5\`, `\p0\`, `\u2\`, `\m\`} {
		if strings.Contains(text, bad) {
			t.Errorf("markup %q left in text", bad)
		}
	}
	for _, want := range []string{`"domain\user"`, `\${ADDRESS}`[1:], "Looking for Bold strings", `# of objects`} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func FuzzHTML(f *testing.F) {
	f.Add(`\B5\Title\0P\ \U2=http://x\y\p\ \#hide:a\t\#begin:a\b\#end:a\`)
	f.Fuzz(func(t *testing.T, s string) {
		h := HTML(s)
		if strings.Contains(h, "<script") {
			t.Fatalf("unescaped script in %q", h)
		}
		Text(s)
	})
}
