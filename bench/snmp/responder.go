package main

import (
	"bytes"
	"slices"
)

// BER tags of an SNMP message.
const (
	tagSequence    = 0x30
	tagOID         = 0x06
	pduGet         = 0xa0
	pduGetNext     = 0xa1
	pduResponse    = 0xa2
	pduGetBulk     = 0xa5
	noSuchObject   = 0x80
	endOfMibView   = 0x82
	maxAnswerBinds = 60_000 // bytes of VarBinds in one answer; gosnmp reads up to 65,535
)

// responder answers SNMPv2c Get, GetNext and GetBulk from one recording.
// It decodes only what it needs and copies the request ID, version and
// community into the answer as they came.
type responder struct {
	rec       *recording
	community []byte
}

// answer appends to dst the answer to req, using binds as scratch space,
// and returns both with the number of values answered. It returns a nil
// answer for what an agent ignores: other versions or communities,
// malformed packets, other PDU types.
func (r *responder) answer(dst, binds, req []byte) (msg, scratch []byte, values int) {
	tag, body, _, _, err := tlv(req)
	if err != nil || tag != tagSequence {
		return nil, binds, 0
	}
	_, ver, verRaw, body, err := tlv(body)
	if err != nil || !bytes.Equal(ver, []byte{1}) { // 1 is v2c
		return nil, binds, 0
	}
	_, comm, commRaw, body, err := tlv(body)
	if err != nil || !bytes.Equal(comm, r.community) {
		return nil, binds, 0
	}
	kind, pdu, _, _, err := tlv(body)
	var idRaw, a, b, list []byte
	if err == nil {
		_, _, idRaw, pdu, err = tlv(pdu)
	}
	if err == nil {
		_, a, _, pdu, err = tlv(pdu) // error-status, or non-repeaters
	}
	if err == nil {
		_, b, _, pdu, err = tlv(pdu) // error-index, or max-repetitions
	}
	if err == nil {
		_, list, _, _, err = tlv(pdu)
	}
	if err != nil {
		return nil, binds, 0
	}
	names := make([][]byte, 0, 32)
	for len(list) > 0 {
		var vb, oid []byte
		if _, vb, _, list, err = tlv(list); err == nil {
			tag, oid, _, _, err = tlv(vb)
		}
		if err != nil || tag != tagOID {
			return nil, binds, 0
		}
		names = append(names, oid)
	}
	binds = binds[:0]
	switch kind {
	case pduGet:
		for _, o := range names {
			if i, ok := slices.BinarySearchFunc(r.rec.oids, o, compareOID); ok {
				binds = append(binds, r.rec.binds[i]...)
			} else {
				binds = appendException(binds, o, noSuchObject)
			}
		}
	case pduGetNext:
		for _, o := range names {
			binds = r.appendNext(binds, o)
		}
	case pduGetBulk:
		binds = r.bulk(binds, names, berInt(a), berInt(b))
	default:
		return nil, binds, 0
	}
	return appendMessage(dst, verRaw, commRaw, idRaw, binds), binds, countBinds(binds)
}

// appendNext appends the VarBind after oid, or endOfMibView.
func (r *responder) appendNext(binds, oid []byte) []byte {
	if i := r.rec.next(oid); i < len(r.rec.oids) {
		return append(binds, r.rec.binds[i]...)
	}
	return appendException(binds, oid, endOfMibView)
}

// bulk answers a GetBulk, stopping before maxAnswerBinds bytes. Each
// repeater is searched for once; its next rows are the following entries.
func (r *responder) bulk(binds []byte, names [][]byte, nonRep, reps int) []byte {
	nonRep = min(nonRep, len(names))
	for _, o := range names[:nonRep] {
		binds = r.appendNext(binds, o)
	}
	names = names[nonRep:]
	var buf [64]int
	next := buf[:0]
	for _, o := range names {
		next = append(next, r.rec.next(o))
	}
	end := len(r.rec.oids)
	for rep := 0; rep < reps && len(names) > 0; rep++ {
		atEnd := 0
		for j, o := range names {
			before := len(binds)
			if i := next[j]; i < end {
				binds = append(binds, r.rec.binds[i]...)
				next[j]++
			} else {
				binds = appendException(binds, o, endOfMibView)
				atEnd++
			}
			if len(binds) > maxAnswerBinds {
				return binds[:before]
			}
		}
		if atEnd == len(names) {
			break
		}
	}
	return binds
}

func appendException(binds, oid []byte, tag byte) []byte {
	binds = appendHeader(binds, tagSequence, headerLen(len(oid))+len(oid)+2)
	binds = appendHeader(binds, tagOID, len(oid))
	binds = append(binds, oid...)
	return append(binds, tag, 0)
}

// appendMessage appends Message{version, community, Response{id, 0, 0, binds}}.
func appendMessage(dst, verRaw, commRaw, idRaw, binds []byte) []byte {
	pdu := len(idRaw) + 3 + 3 + headerLen(len(binds)) + len(binds)
	body := len(verRaw) + len(commRaw) + headerLen(pdu) + pdu
	dst = appendHeader(dst, tagSequence, body)
	dst = append(dst, verRaw...)
	dst = append(dst, commRaw...)
	dst = appendHeader(dst, pduResponse, pdu)
	dst = append(dst, idRaw...)
	dst = append(dst, 2, 1, 0, 2, 1, 0)
	dst = appendHeader(dst, tagSequence, len(binds))
	return append(dst, binds...)
}

func countBinds(binds []byte) int {
	n := 0
	for len(binds) > 0 {
		var err error
		if _, _, _, binds, err = tlv(binds); err != nil {
			break
		}
		n++
	}
	return n
}
