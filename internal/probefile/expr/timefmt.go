package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// fnStrftime is strftime(format[, seconds]): the time (default now) in the
// server's zone, formatted with the portable codes of 03 §6.
func fnStrftime(c *evalCtx, a []Value) (Value, error) {
	t := now(c.env)
	if len(a) == 2 {
		t = unixTime(a[1].num())
	}
	return String(strftime(a[0].Str(), t.In(zone(c.env)))), nil
}

// unixTime converts seconds since 1970 to a time, saturating far outside
// the years 0–9999 so formatting stays sane.
func unixTime(f float64) time.Time {
	const lim = 1 << 38 // about 8,700 years
	switch {
	case math.IsNaN(f):
		f = 0
	case f > lim:
		f = lim
	case f < -lim:
		f = -lim
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64((f-sec)*1e9))
}

// Day and month names of the C locale.
const (
	weekdays = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday"
	months   = "January February March April May June July August September October November December"
)

// strftime formats t like C's strftime in the C locale: %a %A %b %B %c %d
// %H %I %j %m %M %p %S %s %U %w %W %x %X %y %Y %z %%, plus %e %D %F %h %n
// %R %t %T %Z. Unknown codes are copied as written.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch code := format[i]; code {
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'c':
			b.WriteString(strftime("%a %b %e %H:%M:%S %Y", t))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'D', 'x':
			b.WriteString(strftime("%m/%d/%y", t))
		case 'F':
			b.WriteString(strftime("%Y-%m-%d", t))
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'n':
			b.WriteByte('\n')
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'R':
			b.WriteString(strftime("%H:%M", t))
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 't':
			b.WriteByte('\t')
		case 'T', 'X':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'U': // week of the year, weeks starting on Sunday
			fmt.Fprintf(&b, "%02d", (t.YearDay()-1+7-int(t.Weekday()))/7)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'W': // week of the year, weeks starting on Monday
			fmt.Fprintf(&b, "%02d", (t.YearDay()-1+7-(int(t.Weekday())+6)%7)/7)
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(code)
		}
	}
	return b.String()
}

// fnStrptime is strptime(text, format): seconds since 1970 of a date read
// with the strftime codes. Fields the format lacks default as in C's
// struct tm (1900-01-01 00:00:00); the time is read in the server's zone,
// so that strftime("%Y", strptime("1990", "%Y")) gives "1990" (03 §4).
func fnStrptime(c *evalCtx, a []Value) (Value, error) {
	secs, err := strptime(a[0].Str(), a[1].Str(), zone(c.env))
	if err != nil {
		return Value{}, err
	}
	return Number(secs), nil
}

// ptime collects the fields strptime reads.
type ptime struct {
	year, month, day, hour, min, sec int
	yday                             int // 1-based day of the year, 0 if absent
	pm, hasPM                        bool
	hour12                           bool
	epoch                            *int64
	loc                              *time.Location
}

// strptime parses text with format; white space in the format matches any
// amount of white space, other characters match themselves, and text left
// over after the format is ignored.
func strptime(text, format string, loc *time.Location) (float64, error) {
	p := ptime{year: 1900, month: 1, day: 1, loc: loc}
	if _, err := p.scan(text, format, 0); err != nil {
		return 0, err
	}
	if p.epoch != nil {
		return float64(*p.epoch), nil
	}
	if p.hour12 && p.hasPM {
		p.hour %= 12
		if p.pm {
			p.hour += 12
		}
	}
	month, day := time.Month(p.month), p.day
	if p.yday > 0 {
		month, day = time.January, p.yday
	}
	t := time.Date(p.year, month, day, p.hour, p.min, p.sec, 0, p.loc)
	return float64(t.Unix()), nil
}

// scan matches text against format, filling p, and returns the unread text.
func (p *ptime) scan(text, format string, depth int) (string, error) {
	fail := func() (string, error) {
		return "", fmt.Errorf("%q does not match format %q", text, format)
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case isSpace(c):
			text = strings.TrimLeft(text, " \t\n\r\v\f")
			continue
		case c != '%' || i+1 == len(format):
			if text == "" || text[0] != c {
				return fail()
			}
			text = text[1:]
			continue
		}
		i++
		code := format[i]
		var ok bool
		switch code {
		case 'Y':
			text, p.year, ok = digits(text, 4, true)
		case 'y':
			text, p.year, ok = digits(text, 2, false)
			if p.year < 69 {
				p.year += 2000
			} else {
				p.year += 1900
			}
		case 'm':
			text, p.month, ok = digits(text, 2, false)
		case 'd', 'e':
			text, p.day, ok = digits(strings.TrimLeft(text, " "), 2, false)
		case 'H':
			text, p.hour, ok = digits(text, 2, false)
		case 'I':
			text, p.hour, ok = digits(text, 2, false)
			p.hour12 = true
		case 'M':
			text, p.min, ok = digits(text, 2, false)
		case 'S':
			text, p.sec, ok = digits(text, 2, false)
		case 'j':
			text, p.yday, ok = digits(text, 3, false)
		case 's':
			var n int
			text, n, ok = digits(text, 18, true)
			e := int64(n)
			p.epoch = &e
		case 'a', 'A':
			text, _, ok = name(text, weekdays)
		case 'b', 'B', 'h':
			text, p.month, ok = name(text, months)
		case 'p':
			switch up := strings.ToUpper(text); {
			case strings.HasPrefix(up, "AM"), strings.HasPrefix(up, "PM"):
				p.pm, p.hasPM, ok = up[0] == 'P', true, true
				text = text[2:]
			}
		case 'z':
			text, ok = p.zone(text)
		case 'n', 't':
			text, ok = strings.TrimLeft(text, " \t\n\r\v\f"), true
		case '%':
			text, ok = strings.CutPrefix(text, "%")
		case 'c', 'D', 'x', 'F', 'R', 'T', 'X':
			if depth > 0 {
				return fail()
			}
			sub := map[byte]string{'c': "%a %b %e %H:%M:%S %Y", 'D': "%m/%d/%y", 'x': "%m/%d/%y",
				'F': "%Y-%m-%d", 'R': "%H:%M", 'T': "%H:%M:%S", 'X': "%H:%M:%S"}[code]
			var err error
			if text, err = p.scan(text, sub, depth+1); err != nil {
				return fail()
			}
			ok = true
		}
		if !ok {
			return fail()
		}
	}
	return text, nil
}

// zone reads a %z offset such as +0100 or -05:30.
func (p *ptime) zone(text string) (string, bool) {
	if text == "" || (text[0] != '+' && text[0] != '-') {
		return text, false
	}
	rest, hh, ok := digits(text[1:], 2, false)
	if !ok {
		return text, false
	}
	rest = strings.TrimPrefix(rest, ":")
	rest, mm, ok := digits(rest, 2, false)
	if !ok {
		return text, false
	}
	off := hh*3600 + mm*60
	if text[0] == '-' {
		off = -off
	}
	p.loc = time.FixedZone("", off)
	return rest, true
}

// digits reads up to max decimal digits (and a sign if signed).
func digits(text string, max int, signed bool) (string, int, bool) {
	neg := false
	if signed && text != "" && (text[0] == '-' || text[0] == '+') {
		neg = text[0] == '-'
		text = text[1:]
	}
	n, i := 0, 0
	for i < len(text) && i < max && isDigit(text[i]) {
		n = n*10 + int(text[i]-'0')
		i++
	}
	if i == 0 {
		return text, 0, false
	}
	if neg {
		n = -n
	}
	return text[i:], n, true
}

// name reads a full or three-letter day or month name, case-insensitively,
// and returns its 1-based index in the space-separated list.
func name(text, list string) (string, int, bool) {
	up := strings.ToLower(text)
	for i, full := range strings.Fields(strings.ToLower(list)) {
		if strings.HasPrefix(up, full) {
			return text[len(full):], i + 1, true
		}
		if strings.HasPrefix(up, full[:3]) {
			return text[3:], i + 1, true
		}
	}
	return text, 0, false
}
