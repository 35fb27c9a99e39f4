package tcpscript

import (
	"context"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	errEOF        = io.EOF
	errClosedPipe = errors.New("closed")
)

// examples is where the real InterMapper probe files are (read in place).
const examples = "../../../../shared/probes/examples/"

// probeFile is the part of a real probe file the tests need.
type probeFile struct {
	script    string
	firstLine int
	params    map[string]string
	port      string
}

var paramLine = regexp.MustCompile(`^\s*"([^"]*)"\s*=\s*"([^"]*)"`)

// readProbe extracts <script> (and its first line number), <parameters>
// and the header's port_number with a tiny reader of its own.
func readProbe(t testing.TB, name string) probeFile {
	t.Helper()
	data, err := os.ReadFile(examples + name)
	if err != nil {
		t.Skipf("example probe %s not available: %v", name, err)
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	p := probeFile{params: map[string]string{}}
	section := ""
	var script []string
	for i, l := range lines {
		tag := strings.ToLower(strings.TrimSpace(l))
		switch {
		case strings.HasPrefix(tag, "</"):
			section = ""
			continue
		case tag == "<script>" || tag == "<parameters>" || tag == "<header>":
			section = strings.Trim(tag, "<>")
			if section == "script" {
				p.firstLine = i + 2
			}
			continue
		}
		switch section {
		case "script":
			script = append(script, l)
		case "parameters":
			if m := paramLine.FindStringSubmatch(l); m != nil {
				p.params[m[1]] = m[2]
			}
		case "header":
			if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "port_number" {
				p.port = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
	}
	p.script = strings.Join(script, "\n")
	return p
}

// mustParse parses or fails the test.
func mustParse(t testing.TB, src string) *Script {
	t.Helper()
	s, err := Parse(src, 1)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

// fakeConn is a scripted peer: it serves queued input, answers each write
// with reply(written), and at the end of its data either closes (EOF) or,
// with hang set, reports an idle timeout at once.
type fakeConn struct {
	mu      sync.Mutex
	in      []byte
	written strings.Builder
	reply   func(written string) string
	hang    bool
	chunk   int // bytes per Read at most; 0 means any
	closed  bool
}

func (f *fakeConn) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.in) == 0 {
		if f.hang {
			return 0, os.ErrDeadlineExceeded
		}
		return 0, errEOF
	}
	if f.chunk > 0 && len(p) > f.chunk {
		p = p[:f.chunk]
	}
	n := copy(p, f.in)
	f.in = f.in[n:]
	return n, nil
}

func (f *fakeConn) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, errClosedPipe
	}
	if f.written.Len() < 1<<20 {
		f.written.Write(p)
	}
	if f.reply != nil {
		f.in = append(f.in, f.reply(string(p))...)
	}
	return len(p), nil
}

func (f *fakeConn) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

func (f *fakeConn) SetDeadline(time.Time) error { return nil }

func (f *fakeConn) sent() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.written.String()
}

// dialFake returns a Dialer that hands out c and records TLS requests.
func dialFake(c *fakeConn, tls *bool) Dialer {
	return func(_ context.Context, _, _ string, useTLS bool) (Conn, error) {
		if tls != nil {
			*tls = useTLS
		}
		return c, nil
	}
}
