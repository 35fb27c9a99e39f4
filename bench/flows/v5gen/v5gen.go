// Package v5gen builds the synthetic NetFlow v5 stream the flow benchmarks
// send and decode: 30 records per datagram, every record a new flow or
// records cycling through a fixed number of 5-tuples.
package v5gen

import (
	"encoding/binary"
	"time"
)

// RecordsPerDatagram is what a busy router packs into one v5 export.
const RecordsPerDatagram = 30

// Datagram is datagram number n of the stream, with sequence number seq,
// exported at now: distinct flows, or with flows > 0, records of flows
// cycling through that many 5-tuples.
func Datagram(seq, n, flows uint32, now time.Time) []byte {
	b := make([]byte, 24+48*RecordsPerDatagram)
	be := binary.BigEndian
	be.PutUint16(b[0:], 5)
	be.PutUint16(b[2:], RecordsPerDatagram)
	be.PutUint32(b[4:], 3600_000)
	be.PutUint32(b[8:], uint32(now.Unix()))
	be.PutUint32(b[16:], seq)
	for i := range RecordsPerDatagram {
		r := b[24+48*i:]
		k := n*RecordsPerDatagram + uint32(i)
		if flows > 0 {
			k %= flows
		}
		be.PutUint32(r[0:], 0xc0000200|k&0xff)      // 192.0.2.x
		be.PutUint32(r[4:], 0xc6336400|(k>>8)&0xff) // 198.51.100.x
		be.PutUint16(r[12:], 1)
		be.PutUint16(r[14:], 2)
		be.PutUint32(r[16:], 10)
		be.PutUint32(r[20:], 1500)
		be.PutUint32(r[24:], 3590_000)
		be.PutUint32(r[28:], 3599_000)
		be.PutUint16(r[32:], uint16(1024+k%60000))
		be.PutUint16(r[34:], 443)
		r[37], r[38] = 0x18, 6
	}
	return b
}
