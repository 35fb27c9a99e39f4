package flow

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// lpLine is one Telegraf line-protocol line: the tags and fields of an
// expected.out file, values as written (strings unquoted, the integer
// suffix u/i dropped).
type lpLine struct {
	tags, fields map[string]string
}

// readLineProtocol parses the subset of InfluxDB line protocol that
// Telegraf's test files use: measurement,tag=v field=v,field="s" [ts].
func readLineProtocol(path string) ([]lpLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []lpLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := splitOutsideQuotes(line, ' ')
		l := lpLine{tags: map[string]string{}, fields: map[string]string{}}
		for i, kv := range splitOutsideQuotes(parts[0], ',') {
			if i == 0 {
				continue // measurement
			}
			k, v, _ := strings.Cut(kv, "=")
			l.tags[k] = v
		}
		if len(parts) > 1 {
			for _, kv := range splitOutsideQuotes(parts[1], ',') {
				k, v, _ := strings.Cut(kv, "=")
				switch {
				case strings.HasPrefix(v, `"`):
					v, _ = strconv.Unquote(v)
				case strings.HasSuffix(v, "u"), strings.HasSuffix(v, "i"):
					v = v[:len(v)-1]
				}
				l.fields[k] = v
			}
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// tcpFlagsFromTelegraf reads Telegraf's "CEUAPRSF" flag string ('.' for a
// clear bit).
func tcpFlagsFromTelegraf(s string) uint8 {
	var v uint8
	for i := 0; i < len(s) && i < 8; i++ {
		if s[i] != '.' {
			v |= 1 << (7 - i)
		}
	}
	return v
}

func (l lpLine) uint(k string) (uint64, bool) {
	v, ok := l.fields[k]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(v, "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(v, "0x")], 64)
	return n, err == nil
}
