package probe

// NTP packets (RFC 5905 §7.3): only what a client-mode query needs.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

const ntpPacketLen = 48

// ntpEpochOffset is the seconds from 1900-01-01 (era 0 of NTP timestamps)
// to the Unix epoch.
const ntpEpochOffset = 2208988800

// ntpTime converts to a 64-bit NTP timestamp (era 0 until 2036; the era
// is resolved in toTime against the local clock).
func ntpTime(t time.Time) uint64 {
	ns := uint64(t.UnixNano())
	secs := ns/1e9 + ntpEpochOffset
	frac := (ns % 1e9) << 32 / 1e9
	return secs<<32 | frac
}

// ntpToTime converts a timestamp, picking the era that puts it nearest to
// ref so that a server's times past 2036 read correctly.
func ntpToTime(ts uint64, ref time.Time) time.Time {
	secs := int64(ts >> 32)
	nanos := int64((ts & 0xffffffff) * 1e9 >> 32)
	base := secs - int64(ntpEpochOffset)
	const era = int64(1) << 32
	refSecs := ref.Unix()
	// Move base by whole eras towards ref (at most a couple of steps).
	for base+era/2 < refSecs {
		base += era
	}
	for base-era/2 > refSecs {
		base -= era
	}
	return time.Unix(base, nanos)
}

// ntpRequest is a client-mode (3) request whose transmit timestamp is
// xmt: the server echoes it as the origin timestamp, which is how the
// reply is matched.
func ntpRequest(version int, xmt uint64) []byte {
	b := make([]byte, ntpPacketLen)
	b[0] = byte(version)<<3 | 3
	binary.BigEndian.PutUint64(b[40:], xmt)
	return b
}

// ntpReply is a parsed server reply.
type ntpReply struct {
	leap      int
	version   int
	mode      int
	stratum   int
	poll      int8
	precision int8
	rootDelay time.Duration
	rootDisp  time.Duration
	refID     [4]byte
	origin    uint64
	receive   uint64
	transmit  uint64
}

// parseNTPReply checks the fixed header; extension fields and MACs after
// it are ignored.
func parseNTPReply(b []byte) (ntpReply, error) {
	if len(b) < ntpPacketLen {
		return ntpReply{}, fmt.Errorf("reply of %d bytes is shorter than an NTP header (48)", len(b))
	}
	r := ntpReply{
		leap:      int(b[0] >> 6),
		version:   int(b[0] >> 3 & 7),
		mode:      int(b[0] & 7),
		stratum:   int(b[1]),
		poll:      int8(b[2]),
		precision: int8(b[3]),
		rootDelay: ntpShort(binary.BigEndian.Uint32(b[4:])),
		rootDisp:  ntpShort(binary.BigEndian.Uint32(b[8:])),
		origin:    binary.BigEndian.Uint64(b[24:]),
		receive:   binary.BigEndian.Uint64(b[32:]),
		transmit:  binary.BigEndian.Uint64(b[40:]),
	}
	copy(r.refID[:], b[12:16])
	switch {
	case r.version < 1 || r.version > 4:
		return r, fmt.Errorf("NTP version %d in reply", r.version)
	case r.mode != 4:
		return r, fmt.Errorf("reply in NTP mode %d, not server mode (4)", r.mode)
	case r.stratum != 0 && r.transmit == 0:
		return r, errors.New("reply has no transmit timestamp")
	}
	return r, nil
}

// ntpShort converts an NTP short (16.16 seconds) duration.
func ntpShort(v uint32) time.Duration {
	return time.Duration(float64(v) / 65536 * float64(time.Second))
}

// kissCode is the reference ID of a stratum-0 reply as text ("RATE", "DENY").
func (r ntpReply) kissCode() string { return printable(r.refID[:]) }

// refIDString is the reference ID as shown by ntpq: four letters for
// stratum 1 (GPS, PPS), an IPv4 address for stratum 2 and up.
func (r ntpReply) refIDString() string {
	if r.stratum <= 1 {
		return printable(r.refID[:])
	}
	return fmt.Sprintf("%d.%d.%d.%d", r.refID[0], r.refID[1], r.refID[2], r.refID[3])
}

// ntpSample is the offset and delay of one exchange (RFC 5905 §8): t1
// sent, t2 received by the server, t3 sent by the server, t4 received.
func ntpSample(t1, t2, t3, t4 time.Time) (offset, delay time.Duration) {
	o := (float64(t2.Sub(t1)) + float64(t3.Sub(t4))) / 2
	d := float64(t4.Sub(t1)) - float64(t3.Sub(t2))
	clamp := func(v float64) time.Duration {
		if math.IsNaN(v) || math.Abs(v) > float64(math.MaxInt64) {
			return time.Duration(math.MaxInt64)
		}
		return time.Duration(v)
	}
	return clamp(o), max(clamp(d), 0)
}

// printable keeps ASCII letters, digits and punctuation, dropping NULs.
func printable(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c > 32 && c < 127 {
			out = append(out, c)
		}
	}
	return string(out)
}
