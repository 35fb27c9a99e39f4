package engine

import (
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

// maxVarbindIndex is the highest N of $VarbindValueN and its kin.
const maxVarbindIndex = 50

// HandleTrap implements TrapHandler. Every TRAPVARIABLE is first forgotten,
// then set from this trap: from a special variable ($GenericTrap,
// $VarbindValue3 …), from the varbind with its OID, or, for
// "trapOID?:varbindOID", from that varbind only when the trap's OID
// matches. The special variables are also readable directly by the
// probe's expressions. CALCULATIONs, thresholds and alarm points are then
// evaluated again; those needing a trap variable the trap did not set are
// skipped, since it is undefined.
func (p trapProbe) HandleTrap(vars map[string]string, varbinds []snmp.Value, trapOID string) (res status.Result) {
	defer guard(p.d.Now, &res)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.d.Now()
	special := make(map[string]string, len(vars)+1)
	for k, v := range vars {
		special[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(k), "$"))] = v
	}
	trapOID = strings.TrimPrefix(strings.TrimSpace(trapOID), ".")
	if trapOID == "" {
		trapOID = strings.TrimPrefix(special["trapoid"], ".")
	} else if _, ok := special["trapoid"]; !ok {
		special["trapoid"] = trapOID
	}
	for _, k := range p.trapSet {
		delete(p.vars, k)
	}
	p.trapSet = p.trapSet[:0]
	for k, v := range special {
		p.vars[k] = p.trapConvert("", "", textValue(v), now)
		p.trapSet = append(p.trapSet, k)
	}
	e := p.env()
	for _, v := range p.spec.vars {
		if !v.IsTrap() {
			continue
		}
		p.unset(v.key, "")
		sub := strings.TrimPrefix(strings.TrimPrefix(v.Type, "TRAPVARIABLE"), "-")
		if vb, ok := p.trapSource(v, e, special, varbinds, trapOID); ok {
			p.vars[v.key] = p.trapConvert(v.key, sub, vb, now)
			delete(p.labels, v.key)
		}
	}
	res = p.evaluate(e)
	p.trapped, p.last = true, res
	return res
}

// trapSource finds the value a trap gives variable v, as a varbind.
func (p trapProbe) trapSource(v *varSpec, e *env, special map[string]string, vbs []snmp.Value, trapOID string) (snmp.Value, bool) {
	field := strings.TrimSpace(v.OID)
	if strings.HasPrefix(field, "$") {
		name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(field, "$"), "{"), "}"))
		if n, ok := varbindIndex(name); ok && n <= len(vbs) {
			return vbs[n-1], true // typed, rather than its text
		}
		if s, ok := special[name]; ok {
			return textValue(s), true
		}
		// Otherwise a parameter holding the OID.
	}
	if cond, oid, ok := strings.Cut(field, "?:"); ok {
		want, err := p.res.numeric(strings.TrimSpace(expr.Expand(cond, e)))
		if err != nil || want != trapOID {
			return snmp.Value{}, false
		}
		field = oid
	}
	ref, err := p.res.resolve(expr.Expand(field, e))
	if err != nil {
		return snmp.Value{}, false
	}
	for _, vb := range vbs {
		if strings.TrimPrefix(vb.OID, ".") == ref.OID {
			return vb, true
		}
	}
	return snmp.Value{}, false
}

// varbindIndex reads N from "varbindvalueN" (lower case), 1 to 50.
func varbindIndex(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "varbindvalue")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 1 && n <= maxVarbindIndex
}

// textValue turns a special variable's text into a value: an INTEGER
// when it is a whole number, else an OCTET STRING.
func textValue(s string) snmp.Value {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return snmp.Value{Type: snmp.Integer, Int: n}
	}
	return snmp.Value{Type: snmp.OctetString, Bytes: []byte(s)}
}

// trapConvert converts a trap value by the TRAPVARIABLE's sub-type ("" for
// plain TRAPVARIABLE, "STRING", "PER-SECOND" …); key names the variable
// for rates.
func (p trapProbe) trapConvert(key, sub string, v snmp.Value, now time.Time) expr.Value {
	switch sub {
	case "":
		typ := deduce(v)
		if typ == typePerSecond {
			typ = "TOTAL-VALUE" // a trap's counter is a reading, not a rate
		}
		return convert(typ, v, p.d.Names)
	case typePerSecond, typePerMinute:
		cur := newSample(v, now)
		r, ok := rate(p.trapPrev[key], cur, sub == typePerMinute)
		p.trapPrev[key] = cur
		if !ok {
			return expr.Undefined()
		}
		return expr.Number(r)
	}
	return convert(sub, v, p.d.Names)
}

// trapState is a trap probe's status between traps; p.mu held.
func (p *snmpProbe) trapState() status.Result {
	if !p.trapped {
		return status.Result{Level: status.Unknown, Reason: "waiting for traps", Time: p.d.Now(),
			Values: map[string]any{"vars": map[string]any{}}}
	}
	r := p.last
	r.Values = maps.Clone(r.Values)
	r.Time = p.d.Now()
	return r
}
