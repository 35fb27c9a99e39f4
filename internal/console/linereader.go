package console

import (
	"bufio"
	"errors"
	"strings"
)

// Telnet bytes (RFC 854, 857).
const (
	iac  = 255
	dont = 254
	do   = 253
	wont = 252
	will = 251
	sb   = 250
	se   = 240
	// optEcho is the ECHO option: the server echoing means the client
	// does not, which hides a password as it is typed.
	optEcho = 1
)

// ErrLineTooLong is returned for a line past the bound; the rest of it has
// been discarded and reading may go on.
var ErrLineTooLong = errors.New("line too long")

// lineReader reads lines from a telnet client or a plain TCP one (nc).
// Telnet negotiation is stripped and answered minimally: every option the
// client asks for is refused, except ECHO when the console offered it.
type lineReader struct {
	r   *bufio.Reader
	max int
	// answer sends negotiation replies to the client.
	answer func([]byte)
	// telnet is set once the client sent a telnet command.
	telnet bool
	// echo is set while the console offers to echo (password prompt).
	echo bool
	// skipLF drops the LF or NUL that follows a CR ending the last line.
	skipLF bool
}

func newLineReader(r *bufio.Reader, max int, answer func([]byte)) *lineReader {
	return &lineReader{r: r, max: max, answer: answer}
}

// ReadLine returns the next line without its end, control characters
// removed and invalid UTF-8 replaced.
func (l *lineReader) ReadLine() (string, error) {
	var b []byte
	tooLong := false
	for {
		c, err := l.r.ReadByte()
		if err != nil {
			return "", err
		}
		if l.skipLF {
			l.skipLF = false
			if c == '\n' || c == 0 {
				continue
			}
		}
		switch {
		case c == iac:
			data, err := l.command()
			if err != nil {
				return "", err
			}
			if !data {
				continue
			}
		case c == '\r' || c == '\n':
			l.skipLF = c == '\r'
			if tooLong {
				return "", ErrLineTooLong
			}
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		case c < 0x20 && c != '\t' || c == 0x7f:
			continue
		}
		if len(b) >= l.max {
			tooLong = true
			continue
		}
		b = append(b, c)
	}
}

// command consumes a telnet command after IAC; data reports an escaped
// 0xFF data byte.
func (l *lineReader) command() (data bool, err error) {
	cmd, err := l.r.ReadByte()
	if err != nil {
		return false, err
	}
	if cmd == iac {
		return true, nil
	}
	l.telnet = true
	switch cmd {
	case will, wont, do, dont:
		opt, err := l.r.ReadByte()
		if err != nil {
			return false, err
		}
		switch {
		case cmd == do && opt == optEcho && l.echo:
			// The client agrees to our WILL ECHO.
		case cmd == do:
			l.answer([]byte{iac, wont, opt})
		case cmd == will:
			l.answer([]byte{iac, dont, opt})
		}
	case sb:
		// Skip the subnegotiation up to IAC SE, bounded like a line.
		prev := byte(0)
		for n := 0; n < l.max; n++ {
			c, err := l.r.ReadByte()
			if err != nil {
				return false, err
			}
			if prev == iac && c == se {
				return false, nil
			}
			if prev == iac && c == iac {
				c = 0
			}
			prev = c
		}
	}
	return false, nil
}
