package remote

import (
	"errors"
	"io"
	"maps"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	type result struct {
		req Request
		err string // substring of the error; "" for none
	}
	for _, tc := range []struct {
		name string
		in   string
		want []result
	}{
		{"seed handshake", `<KC_version id="0">0.9</KC_version>` + "\r\n", []result{{req: Request{Name: "KC_version", ID: "0", Attrs: map[string]string{"id": "0"}, Text: "0.9"}}}},
		{"self-closing, single quotes", `<KC_checkenginestatus id='12345' loops='500'/><KC_quit/>`, []result{
			{req: Request{Name: "KC_checkenginestatus", ID: "12345", Attrs: map[string]string{"id": "12345", "loops": "500"}}},
			{req: Request{Name: "KC_quit", Attrs: map[string]string{}}},
		}},
		{"entities", `<KC_login id="1" user="a&amp;b" password="&lt;&#34;&gt;"/>`, []result{{req: Request{Name: "KC_login", ID: "1", Attrs: map[string]string{"id": "1", "user": "a&b", "password": `<">`}}}}},
		{"quoted >", `<KC_login password="a>b/>c" user="u"/>`, []result{{req: Request{Name: "KC_login", Attrs: map[string]string{"password": "a>b/>c", "user": "u"}}}}},
		{"telnet NUL after CR", "\r\x00<KC_ping/>\r\x00", []result{{req: Request{Name: "KC_ping", Attrs: map[string]string{}}}}},
		{"text over lines", "<KC_version>\n 0.9 \n</KC_version>", []result{{req: Request{Name: "KC_version", Attrs: map[string]string{}, Text: "0.9"}}}},
		{"garbage line then good", "hello there\n<KC_ping id='2'/>", []result{{err: "expected '<'"}, {req: Request{Name: "KC_ping", ID: "2", Attrs: map[string]string{"id": "2"}}}}},
		{"child element", "<KC_login><user>x</user></KC_login>\n<KC_ping/>", []result{{err: "child elements"}, {req: Request{Name: "KC_ping", Attrs: map[string]string{}}}}},
		{"mismatched end", "<KC_ping></KC_pong>\n", []result{{err: "closed by"}}},
		{"unquoted attribute", "<KC_ping id=1/>\n", []result{{err: "unquoted"}}},
		{"duplicate attribute", "<KC_ping id='1' id='2'/>\n", []result{{err: "given twice"}}},
		{"bad entity", "<KC_ping>&nope;</KC_ping>\n", []result{{err: "entity"}}},
		{"comment", "<!-- hi -->\n<KC_ping/>", []result{{err: "comments"}, {req: Request{Name: "KC_ping", Attrs: map[string]string{}}}}},
		{"processing instruction", "<?xml version='1.0'?>\n", []result{{err: "processing"}}},
		{"prefixed name", "<a:KC_ping xmlns:a='x'/>\n", []result{{err: "prefix"}}},
		{"lt in tag", "<KC_ping <x/>\n", []result{{err: "'<' inside a tag"}}},
		{"empty name", "</>\n", []result{{err: ""}}},
		{"truncated", "<KC_version>0.9", []result{{err: "stream ended"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tc.in), 1024)
			for i, w := range tc.want {
				got, err := d.Decode()
				if w.err != "" || (w.req.Name == "" && err != nil) {
					var se *SyntaxError
					if !errors.As(err, &se) || !strings.Contains(err.Error(), w.err) {
						t.Fatalf("request %d: err = %v, want a SyntaxError with %q", i, err, w.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if got.Name != w.req.Name || got.ID != w.req.ID || got.Text != w.req.Text || !maps.Equal(got.Attrs, w.req.Attrs) {
					t.Fatalf("request %d = %+v, want %+v", i, got, w.req)
				}
			}
			if _, err := d.Decode(); err == nil {
				t.Fatal("more requests than expected")
			}
		})
	}
}

func TestDecodeBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"long text", "<KC_version>" + strings.Repeat("9", 2000) + "</KC_version>"},
		{"endless tag", "<KC_version " + strings.Repeat("a", 2000)},
		{"endless whitespace", strings.Repeat(" ", 2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewDecoder(strings.NewReader(tc.in), 1024).Decode()
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestDecodeEOF(t *testing.T) {
	if _, err := NewDecoder(strings.NewReader(" \r\n"), 1024).Decode(); !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v, want EOF", err)
	}
}

// FuzzRemoteDecode feeds arbitrary streams to the decoder: it must never
// panic, must stop within the stream, and what it accepts must be a
// well-formed flat request.
func FuzzRemoteDecode(f *testing.F) {
	for _, s := range []string{
		`<KC_version id="0">0.9</KC_version>`,
		`<KC_checkenginestatus id='12345' loops='500'/><KC_quit/>`,
		`<KC_login id="1" user="admin" password="p&amp;w"/>`,
		`<KC_subscribe id="3" map="Lab"/>` + "\r\n<KC_ping/>",
		"<a><b/></a>", "<!-- x -->", "<?xml?>", "<a x='1' x='2'/>", "\xff\xfb\x01<a/>", "<a>&#0;</a>", "<a>]]></a>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(strings.NewReader(string(b)), 512)
		for i := 0; i <= len(b); i++ {
			req, err := d.Decode()
			var se *SyntaxError
			switch {
			case err == nil:
				if req.Name == "" || strings.ContainsAny(req.Name, "<>/ ") {
					t.Fatalf("accepted a bad name %q", req.Name)
				}
			case errors.As(err, &se):
			default:
				return
			}
		}
		t.Fatal("decoder did not reach the end of the stream")
	})
}
