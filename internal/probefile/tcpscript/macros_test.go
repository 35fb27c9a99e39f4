package tcpscript

import (
	"context"
	"testing"
	"time"
)

func TestMacros(t *testing.T) {
	params := map[string]string{"User ID": "alice", "Password*": "pw", "Host Name": "www.test", "n": "3"}
	cases := []struct{ in, want string }{
		{`${User ID}`, "alice"},
		{`${user id}/${USER ID}`, "alice/alice"},
		{`${Password*}`, "pw"},
		{`${_BASE64:${User ID}:${Password*}}`, "YWxpY2U6cHc="},
		{`${_MD5:abc}`, "900150983cd24fb0d6963f7d28e17f72"},
		{`${_HMAC:key:The quick brown fox jumps over the lazy dog}`, "80070713463e7749b90c2dc24911e275"},
		{`${_LENGTH:hello}`, "5"},
		{`${_URLENCODE:a b&c}`, "a+b%26c"},
		{`${_CVSPASSWORD:anoncvs}`, "Ay=0=h<Z"},
		{`${_FLOAT:0.5}`, "0.5"},
		{`${_FLOAT:1234567}`, "1.23457e+06"},
		{`${_XOR:${_XOR:secret:k3y}:k3y}`, "secret"},
		{`${_LINE}|${_LINE:5}|${_line:500}`, "220 mail.test ready|220 m|220 mail.test ready"},
		{`${_REMOTEADDRESS}:${_REMOTEPORT}`, "192.0.2.7:2525"},
		{`${ADDRESS}:${PORT} ${deviceaddress}`, "192.0.2.7:2525 192.0.2.7"},
		{`${DEVICENAME}`, "mail"},
		{`${_VERSION}`, "6.0"},
		{`${_GMTTIME}`, "Sat, 01 Feb 2025 03:04:05 GMT"},
		{`${_IDLETIMEOUT}`, "60"},
		{`${_STRINGTOMATCH}`, "220 ([a-z]+).([a-z]+)"},
		{`${_CONNECT}`, "0"},
		{`${_NOSUCH}|${nosuch}|${}`, "||"},
		{`${1}${2}|${0}${99}`, "mailtest|"},
		{`$n items, $nope, $`, "3 items, $nope, $"},
		{`\${User ID} \x41\102\q`, `${User ID} AB\q`},
		{`${unclosed`, "${unclosed"},
		{`$${perf-${1}} costs $$5`, "${perf-mail} costs $5"},
	}
	clock := time.Date(2025, 2, 1, 3, 4, 5, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			s := mustParse(t, "MTCH \"220 ([a-z]+).([a-z]+)\"r\nDONE OKAY \""+c.in+"\"")
			res := s.Run(context.Background(), Options{Address: "192.0.2.7", Port: 2525, Params: params, DeviceName: "mail",
				Now: func() time.Time { return clock }, Dial: dialFake(&fakeConn{in: []byte("220 mail.test ready\r\n")}, nil)})
			if res.Status != "OKAY" || res.Reason != c.want {
				t.Errorf("got %s %q, want %q", res.Status, res.Reason, c.want)
			}
		})
	}
}

func TestRegexpEscapes(t *testing.T) {
	runCases(t, []runCase{
		{name: "regexp keeps its escapes", script: `MTCH "^a\.b\s\"c\"$"r`, peer: peer{in: "a.b \"c\"\n"}, status: "OKAY"},
		{name: "regexp dot needs escaping", script: `MTCH "^a\.b$"r @+2` + "\nDONE OKAY\nDONE WARN", peer: peer{in: "axb\n"}, status: "WARN"},
		{name: "regexp from a parameter", script: `MTCH "${re}"r @+2` + "\nDONE OKAY\nDONE WARN", params: map[string]string{"re": "^[0-9]+$"}, peer: peer{in: "123\n"}, status: "OKAY"},
		{name: "bad regexp from a parameter", script: `MTCH "${re}"r`, params: map[string]string{"re": "(["}, peer: peer{in: "123\n"},
			status: "DOWN", reason: "MTCH: bad regular expression \"([\": error parsing regexp: missing closing ]: `[` (line 1)"},
		{name: "escapes are decoded first, as the SSH probe relies on", script: `EXPT "SSH-([^\\s-]+)-(.*)\s*"r` + "\nDONE OKAY \"${1}|${2}\"",
			peer: peer{in: "SSH-1.99s-OpenSSH_9.2p1 Debian\r\n"}, status: "OKAY", reason: "1.99s|OpenSSH_9.2p1 Debian"},
		{name: "doubled backslash", script: `MTCH "^a\\.b$"r @+2` + "\nDONE OKAY\nDONE WARN", peer: peer{in: "axb\n"}, status: "WARN"},
		{name: "word boundary and tab", script: `MTCH "\bOK\b\t[0-9]+"r`, peer: peer{in: "all OK\t42\n"}, status: "OKAY"},
		{name: "Latin-1 byte in a pattern", script: "MTCH \"caf\xe9\"r", peer: peer{in: "caf\xe9\n"}, status: "OKAY"},
		{name: "substring is not a regexp", script: `MTCH "a.b"`, peer: peer{in: "xa.by\n"}, status: "OKAY"},
	})
}
