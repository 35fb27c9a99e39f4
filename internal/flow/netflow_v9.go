package flow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// Set ids of NetFlow v9 (RFC 3954) and IPFIX (RFC 7011).
const (
	v9TemplateSet        = 0
	v9OptionsTemplateSet = 1
	ipfixTemplateSet     = 2
	ipfixOptionsSet      = 3
	firstDataSet         = 256
)

// decodeEnv carries the collector's settings into an exporter's decoding
// and brings back whether its persisted state changed.
type decodeEnv struct {
	now     time.Time
	pending pendingLimits
	changed bool
}

// decodeTemplated decodes a NetFlow v9 or IPFIX message. The sets are
// walked here, so that one bad set does not lose the rest and so data sets
// whose template is unknown can be held back; each set is decoded by
// goflow2's template, options-template and data-set decoders. Data sets
// held back are decoded as soon as their template arrives — later in the
// same message (exporters that send D257 before T257) or in a later one.
func (e *exporter) decodeTemplated(b []byte, p packetInfo, out *output, env *decodeEnv) (nfHeader, error) {
	h, sets, err := parseNFHeader(b)
	if err != nil {
		return h, err
	}
	name := templatedName(h.version)
	var errs []error
	var dataRecords uint32
	incomplete := false
	for off := 0; off < len(sets); {
		if len(sets)-off < 4 {
			break // padding
		}
		id := binary.BigEndian.Uint16(sets[off:])
		length := int(binary.BigEndian.Uint16(sets[off+2:]))
		if length < 4 || off+length > len(sets) {
			errs = append(errs, fmt.Errorf("%s: set %d of length %d does not fit: %w", name, id, length, ErrMalformed))
			incomplete = true
			break
		}
		body := sets[off+4 : off+length]
		off += length
		switch {
		case h.version == 9 && id == v9TemplateSet, h.version == 10 && id == ipfixTemplateSet:
			recs, err := netflow.DecodeTemplateSet(h.version, bytes.NewBuffer(body))
			for _, t := range recs {
				if h.version == 10 && t.FieldCount == 0 {
					env.changed = e.withdraw(h.version, h.domain, t.TemplateId) || env.changed
					continue
				}
				if t.TemplateId < firstDataSet {
					continue
				}
				e.addTemplate(&template{Version: h.version, Domain: h.domain, ID: t.TemplateId, Fields: t.Fields}, out, env)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: template set: %w", name, err))
			}
		case h.version == 9 && id == v9OptionsTemplateSet:
			recs, err := netflow.DecodeNFv9OptionsTemplateSet(bytes.NewBuffer(body))
			for _, t := range recs {
				if t.TemplateId >= firstDataSet {
					e.addTemplate(&template{Version: 9, Domain: h.domain, ID: t.TemplateId, Options: true, Scopes: t.Scopes, Fields: t.Options}, out, env)
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: options template set: %w", name, err))
			}
		case h.version == 10 && id == ipfixOptionsSet:
			if len(body) >= 4 && binary.BigEndian.Uint16(body[2:]) == 0 { // withdrawal
				env.changed = e.withdraw(10, h.domain, binary.BigEndian.Uint16(body)) || env.changed
				continue
			}
			recs, err := netflow.DecodeIPFIXOptionsTemplateSet(bytes.NewBuffer(body))
			for _, t := range recs {
				if t.TemplateId >= firstDataSet {
					e.addTemplate(&template{Version: 10, Domain: h.domain, ID: t.TemplateId, Options: true, Scopes: unflag(t.Scopes), Fields: unflag(t.Options)}, out, env)
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: options template set: %w", name, err))
			}
		case id >= firstDataSet:
			k := tmplKey{h.version, h.domain, id}
			t, ok := e.templates[k]
			if !ok {
				e.stats.templateMisses++
				incomplete = true
				dropped := e.pending.add(pendingSet{key: k, hdr: h, p: p, body: body}, env.pending)
				e.stats.pendingDropped += uint64(dropped)
				continue
			}
			n, err := e.decodeDataSet(t, body, h, p, out, env)
			dataRecords += uint32(n)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: data set %d: %w", name, id, err))
			}
		default:
			// Reserved set ids (v9 2–255, IPFIX 0, 1, 4–255) are skipped.
		}
	}
	k := seqKey{version: name, domain: h.domain}
	switch {
	case h.version == 9:
		e.sequence(k, h.sequence, 1)
	case incomplete:
		e.resync(k)
	default:
		e.sequence(k, h.sequence, dataRecords)
	}
	return h, errors.Join(errs...)
}

// parseNFHeader reads the v9 or IPFIX message header and returns the sets
// that follow. An IPFIX message is cut to its length field, which TCP
// framing relies on and which must fit the datagram.
func parseNFHeader(b []byte) (nfHeader, []byte, error) {
	c := cursor{b: b}
	h := nfHeader{version: c.u16()}
	switch h.version {
	case 9:
		c.skip(2) // record count: the sets are walked by length instead
		h.uptime, h.hasUp = c.u32(), true
		h.export = time.Unix(int64(c.u32()), 0)
		h.sequence, h.domain = c.u32(), c.u32()
		if c.short {
			return h, nil, fmt.Errorf("netflow9: short header: %w", ErrMalformed)
		}
		return h, b[20:], nil
	case 10:
		length := int(c.u16())
		h.export = time.Unix(int64(c.u32()), 0)
		h.sequence, h.domain = c.u32(), c.u32()
		if c.short || length < 16 || length > len(b) {
			return h, nil, fmt.Errorf("ipfix: message length %d does not fit a %d-byte datagram: %w", length, len(b), ErrMalformed)
		}
		return h, b[16:length], nil
	}
	return h, nil, fmt.Errorf("version %d: %w", h.version, ErrVersion)
}

// unflag clears the enterprise bit goflow2 leaves in options template
// field types (it clears it in data templates).
func unflag(fs []netflow.Field) []netflow.Field {
	for i := range fs {
		if fs[i].PenProvided {
			fs[i].Type &^= 0x8000
		}
	}
	return fs
}

// addTemplate stores t and decodes the data sets that were waiting for it.
func (e *exporter) addTemplate(t *template, out *output, env *decodeEnv) {
	if e.setTemplate(t, env.now) {
		env.changed = true
	}
	k := t.key()
	cur, ok := e.templates[k]
	if !ok {
		return
	}
	for _, s := range e.pending.take(k) {
		if _, err := e.decodeDataSet(cur, s.body, s.hdr, s.p, out, env); err == nil {
			e.stats.replayed++
		} else {
			e.stats.decodeErrors++
		}
	}
}

// decodeDataSet decodes one data set with its template: flow records go
// to out, options records update sampling rates and interface names. It
// returns the number of records in the set.
func (e *exporter) decodeDataSet(t *template, body []byte, h nfHeader, p packetInfo, out *output, env *decodeEnv) (int, error) {
	buf := bytes.NewBuffer(body)
	if t.Options {
		recs, err := netflow.DecodeOptionsDataSet(h.version, buf, t.Scopes, t.Fields)
		if e.applyOptions(h.version, h.domain, recs) {
			env.changed = true
		}
		return len(recs), err
	}
	recs, err := netflow.DecodeDataSet(h.version, buf, t.Fields)
	for _, rec := range recs {
		r, keep := e.dataRecord(rec.Values, h, p)
		if !keep {
			e.stats.eventsSkipped++
			continue
		}
		out.records = append(out.records, r)
	}
	return len(recs), err
}
