package console

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReadLine(t *testing.T) {
	type line struct {
		s       string
		tooLong bool
	}
	for _, tc := range []struct {
		name   string
		in     string
		want   []line
		answer string
	}{
		{"LF", "maps\nhelp\n", []line{{s: "maps"}, {s: "help"}}, ""},
		{"CRLF and CR NUL", "maps\r\nhelp\r\x00quit\r", []line{{s: "maps"}, {s: "help"}, {s: "quit"}}, ""},
		{"empty lines", "\n\r\n", []line{{s: ""}, {s: ""}}, ""},
		{"control characters dropped", "ma\x07ps\x7f\tx\n", []line{{s: "maps\tx"}}, ""},
		{"escaped 0xFF is data, made valid UTF-8", "a\xff\xffb\n", []line{{s: "a\uFFFDb"}}, ""},
		{"DO refused, WILL refused", "\xff\xfd\x18\xff\xfb\x1fok\n", []line{{s: "ok"}}, "\xff\xfc\x18\xff\xfe\x1f"},
		{"WONT and DONT need no answer", "\xff\xfc\x01\xff\xfe\x01ok\n", []line{{s: "ok"}}, ""},
		{"subnegotiation skipped", "\xff\xfa\x18\x00xterm\xff\xf0ok\n", []line{{s: "ok"}}, ""},
		{"other commands ignored", "o\xff\xf1k\n", []line{{s: "ok"}}, ""},
		{"too long, then fine", strings.Repeat("x", 100) + "\nok\n", []line{{tooLong: true}, {s: "ok"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var answers bytes.Buffer
			l := newLineReader(bufio.NewReader(strings.NewReader(tc.in)), 64, func(b []byte) { answers.Write(b) })
			for i, w := range tc.want {
				got, err := l.ReadLine()
				if w.tooLong {
					if !errors.Is(err, ErrLineTooLong) {
						t.Fatalf("line %d: err = %v, want ErrLineTooLong", i, err)
					}
					continue
				}
				if err != nil || got != w.s {
					t.Fatalf("line %d = %q, %v; want %q", i, got, err, w.s)
				}
			}
			if _, err := l.ReadLine(); !errors.Is(err, io.EOF) {
				t.Fatalf("after the lines: %v", err)
			}
			if answers.String() != tc.answer {
				t.Fatalf("answers %q, want %q", answers.String(), tc.answer)
			}
		})
	}
}

// FuzzConsoleReadLine: any byte stream ends in EOF without a panic, and
// every line returned is bounded, valid UTF-8 without control characters.
func FuzzConsoleReadLine(f *testing.F) {
	for _, s := range []string{"maps\r\n", "\xff\xfd\x01\xff\xfb\x03x\n", "\xff\xfa\x18\x00xterm\xff\xf0\n", "\xff\xff\r\x00\r", strings.Repeat("y", 100) + "\n", "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		const max = 64
		l := newLineReader(bufio.NewReader(bytes.NewReader(b)), max, func([]byte) {})
		for i := 0; i <= len(b); i++ {
			s, err := l.ReadLine()
			if errors.Is(err, ErrLineTooLong) {
				continue
			}
			if err != nil {
				return
			}
			if len(s) > 3*max || !utf8.ValidString(s) {
				t.Fatalf("line %q", s)
			}
			for _, r := range s {
				if r < 0x20 && r != '\t' || r == 0x7f {
					t.Fatalf("control character in %q", s)
				}
			}
		}
		t.Fatal("reader did not reach the end of the stream")
	})
}
