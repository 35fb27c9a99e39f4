package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/snmp/snmptest"
)

// recording is one snmprec file, ready to serve: each variable binding
// BER-encoded once, sorted by the encoded OID (see compareOID).
type recording struct {
	name    string
	oids    [][]byte // encoded OID contents, sorted
	binds   [][]byte // the whole encoded VarBind of oids[i]
	ifRows  int      // ifIndex values, for the report
	skipped int      // values gosnmp would not encode
}

// loadRecording reads path with snmptest.ParseSnmprec, in place.
func loadRecording(path string) (*recording, error) {
	vals, err := snmptest.ParseSnmprec(path)
	if err != nil {
		return nil, err
	}
	r := &recording{name: strings.TrimSuffix(filepath.Base(path), ".snmprec")}
	type entry struct{ oid, bind []byte }
	entries := make([]entry, 0, len(vals))
	for _, v := range vals {
		if v.Type == snmp.NoSuchObject || v.Type == snmp.NoSuchInstance || v.Type == snmp.EndOfMibView {
			continue
		}
		oid, bind, err := encodeBind(v)
		if err != nil {
			r.skipped++
			continue
		}
		entries = append(entries, entry{oid, bind})
		if snmp.InSubtree(v.OID, "1.3.6.1.2.1.2.2.1.1") {
			r.ifRows++
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return compareOID(a.oid, b.oid) })
	for _, e := range entries {
		if k := len(r.oids) - 1; k >= 0 && bytes.Equal(e.oid, r.oids[k]) {
			r.binds[k] = e.bind // the last of duplicates wins, as in snmptest.FakeAgent
			continue
		}
		r.oids = append(r.oids, e.oid)
		r.binds = append(r.binds, e.bind)
	}
	return r, nil
}

// encodeBind has gosnmp marshal a response carrying v alone, and cuts the
// VarBind out of it.
func encodeBind(v snmp.Value) (oid, bind []byte, err error) {
	pkt := &gosnmp.SnmpPacket{Version: gosnmp.Version2c, Community: "x", PDUType: gosnmp.GetResponse,
		Variables: []gosnmp.SnmpPDU{snmp.ToPDU(v)}}
	msg, err := pkt.MarshalMsg()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", v.OID, err)
	}
	// Message{version, community, PDU{id, status, index, VarBindList{VarBind}}}
	_, body, _, _, err := tlv(msg)
	for range 2 {
		if err == nil {
			_, _, _, body, err = tlv(body)
		}
	}
	if err == nil {
		_, body, _, _, err = tlv(body)
	}
	for range 3 {
		if err == nil {
			_, _, _, body, err = tlv(body)
		}
	}
	if err == nil {
		_, body, _, _, err = tlv(body) // VarBindList contents: one VarBind
	}
	var vb []byte
	if err == nil {
		_, vb, bind, _, err = tlv(body)
	}
	if err == nil {
		_, oid, _, _, err = tlv(vb)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: cutting the VarBind out: %w", v.OID, err)
	}
	return oid, bind, nil
}

// next returns the index of the first OID after oid, or len(r.oids).
func (r *recording) next(oid []byte) int {
	i, found := slices.BinarySearchFunc(r.oids, oid, compareOID)
	if found {
		i++
	}
	return i
}

// compareOID orders BER-encoded OID contents as SNMP orders OIDs, without
// decoding them: a sub-identifier of fewer base-128 bytes is the smaller
// one, and two of the same length compare byte by byte.
func compareOID(a, b []byte) int {
	for len(a) > 0 && len(b) > 0 {
		na, nb := subLen(a), subLen(b)
		if na != nb {
			return na - nb
		}
		if c := bytes.Compare(a[:na], b[:nb]); c != 0 {
			return c
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// subLen is the length of the first sub-identifier: up to the first byte
// without the continuation bit.
func subLen(b []byte) int {
	for i, c := range b {
		if c&0x80 == 0 {
			return i + 1
		}
	}
	return len(b)
}
