package tcpscript

import (
	"context"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are scripts the fuzz targets start from.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		ldapScript,
		"CONN #5 \"TELNET\"\nWAIT #1 @I\nEXPT \"^v=([0-9]+)\"ri\nSTOR \"${1}\" \"${_BASE64:${1}}\"\nNBGT #${v} #3 @+2\nDONE OKAY\n@I\nDONE DOWN",
		"LINE OFF\nSEND \"GET / HTTP/1.0\\r\\n\\r\\n\"\nEXPT \"<html\"i else goto #0\nLINE #4\nSKIP \"x\"\nRECV \"r\"\nSBNE \"${r}\" m\"^a\" #1",
		"MTCH \"(.+)\"r\nEVAL $v := \"${1}\" =~ \"([0-9]+)\" ? $1 * 2 : -1\nNBLT #${v} #0 @+2\nDONE OKAY \"${eval:$v+1}\"",
		"@L:\nSCAT \"a\" \"${a}${a}x\" @E\nNADD \"n\" #1\nGOTO @L\n@E\nSTAT WARN \"${n}\"\nEXIT",
	}
	for _, name := range []string{"com.dartware.tcp.http", "com.dartware.tcp.smtp", "com.dartware.tcp.ftp.login", "com.dartware.tcp.custom"} {
		seeds = append(seeds, readProbe(f, name).script)
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add("MTCH \"(\"r\nGOTO @\nBSND { [\"x\"]{ ... }, #${a}, \"\\\"\" }\n<!-- open")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src, 1)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for i, st := range s.lines {
			for _, a := range st.args {
				if a.ok && a.static && (a.tgt < stopDown || a.tgt > len(s.lines)) {
					t.Fatalf("line %d: target %d out of range", i, a.tgt)
				}
			}
		}
	})
}

func FuzzRun(f *testing.F) {
	peers := []string{
		"220 hello\r\n331 ok\r\n230 in\r\n",
		"HTTP/1.0 200 OK\r\n\r\n<HTML>",
		"\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
		"\xff\xfd\x18\xff\xfa\x01\xff\xf0v=9\n",
	}
	for i, s := range fuzzSeeds(f) {
		f.Add(s, peers[i%len(peers)], uint8(i))
	}
	f.Fuzz(func(t *testing.T, src, in string, chunk uint8) {
		start := time.Now()
		s, err := Parse(src, 1)
		if err != nil {
			return
		}
		conn := &fakeConn{in: []byte(in), chunk: int(chunk), reply: func(w string) string {
			if len(w) > 64 {
				w = w[:64]
			}
			return w
		}}
		res := s.Run(context.Background(), Options{Address: "192.0.2.1", Port: 7, Timeout: 2 * time.Second,
			Params: map[string]string{"a": "1", "Seconds to wait": "1"}, Dial: dialFake(conn, nil)})
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("run took %s", took)
		}
		switch res.Status {
		case "OKAY", "WARN", "ALRM", "CRIT", "DOWN":
		default:
			t.Fatalf("status %q", res.Status)
		}
		if strings.HasPrefix(res.Reason, "internal error") {
			t.Fatalf("%s", res.Reason)
		}
		if len(res.Transcript) > transcriptLines {
			t.Fatalf("transcript of %d lines", len(res.Transcript))
		}
	})
}
