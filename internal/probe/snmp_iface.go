package probe

// Decoding of the MIB-II interface table (ifTable) and its extension
// (ifXTable) into SNMPInterface values and raw counter readings. Agents
// answer with every kind of oddity (missing columns, wrong types, strings
// padded with NULs, HC columns that stay at zero), so nothing here trusts a
// type: every column goes through AsUint/AsInt and a missing or odd column
// leaves its field empty.

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/snmp"
)

// IF-MIB column OIDs, numeric and without the leading dot, as given to
// SNMPClient.Table.
const (
	snmpIfTable         = "1.3.6.1.2.1.2.2.1."
	snmpIfXTable        = "1.3.6.1.2.1.31.1.1.1."
	snmpIfIndex         = snmpIfTable + "1"
	snmpIfDescr         = snmpIfTable + "2"
	snmpIfType          = snmpIfTable + "3"
	snmpIfMtu           = snmpIfTable + "4"
	snmpIfSpeed         = snmpIfTable + "5"
	snmpIfPhysAddress   = snmpIfTable + "6"
	snmpIfAdminStatus   = snmpIfTable + "7"
	snmpIfOperStatus    = snmpIfTable + "8"
	snmpIfLastChange    = snmpIfTable + "9"
	snmpIfName          = snmpIfXTable + "1"
	snmpIfHighSpeed     = snmpIfXTable + "15"
	snmpIfAlias         = snmpIfXTable + "18"
	snmpIfDiscontinuity = snmpIfXTable + "19" // ifCounterDiscontinuityTime
)

// Counter slots of one interface. Each has a 32-bit column and, for the
// traffic counters, a 64-bit (HC) column in ifXTable.
const (
	snmpInOctets = iota
	snmpOutOctets
	snmpInUcast
	snmpOutUcast
	snmpInMcast
	snmpOutMcast
	snmpInBcast
	snmpOutBcast
	snmpInErrors
	snmpOutErrors
	snmpInDiscards
	snmpOutDiscards
	snmpSlots
)

// snmpCounterColumns gives each slot's 32-bit and 64-bit column ("" when
// there is none). It is a function, not a variable, so that nothing in the
// package can be changed at run time.
func snmpCounterColumns() [snmpSlots][2]string {
	return [snmpSlots][2]string{
		snmpInOctets:    {snmpIfTable + "10", snmpIfXTable + "6"},
		snmpOutOctets:   {snmpIfTable + "16", snmpIfXTable + "10"},
		snmpInUcast:     {snmpIfTable + "11", snmpIfXTable + "7"},
		snmpOutUcast:    {snmpIfTable + "17", snmpIfXTable + "11"},
		snmpInMcast:     {snmpIfXTable + "2", snmpIfXTable + "8"},
		snmpOutMcast:    {snmpIfXTable + "4", snmpIfXTable + "12"},
		snmpInBcast:     {snmpIfXTable + "3", snmpIfXTable + "9"},
		snmpOutBcast:    {snmpIfXTable + "5", snmpIfXTable + "13"},
		snmpInErrors:    {snmpIfTable + "14", ""},
		snmpOutErrors:   {snmpIfTable + "20", ""},
		snmpInDiscards:  {snmpIfTable + "13", ""},
		snmpOutDiscards: {snmpIfTable + "19", ""},
	}
}

// snmpIfTableColumns are the ifTable columns one poll reads.
func snmpIfTableColumns() []string {
	cols := []string{snmpIfIndex, snmpIfDescr, snmpIfType, snmpIfMtu, snmpIfSpeed, snmpIfPhysAddress,
		snmpIfAdminStatus, snmpIfOperStatus, snmpIfLastChange}
	for _, c := range snmpCounterColumns() {
		if strings.HasPrefix(c[0], snmpIfTable) {
			cols = append(cols, c[0])
		}
	}
	return cols
}

// snmpIfXTableColumns are the ifXTable columns one poll reads.
func snmpIfXTableColumns() []string {
	cols := []string{snmpIfName, snmpIfHighSpeed, snmpIfAlias, snmpIfDiscontinuity}
	for _, c := range snmpCounterColumns() {
		for _, col := range c {
			if strings.HasPrefix(col, snmpIfXTable) {
				cols = append(cols, col)
			}
		}
	}
	return cols
}

// SNMPInterface is one interface as the SNMP probes report it in
// status.Result.Values["interfaces"]. Rates are nil when not known: on the
// first poll, after an agent restart or a counter discontinuity, or when
// the agent lacks the counter. Rates are per second, errors and discards
// per minute, as InterMapper shows them.
type SNMPInterface struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Descr string `json:"descr"`
	Alias string `json:"alias"`
	// Type is the IANAifType number; TypeName its name when known
	// ("ethernetCsmacd").
	Type     int    `json:"type"`
	TypeName string `json:"type_name,omitempty"`
	MTU      int    `json:"mtu"`
	// SpeedBps is ifHighSpeed×10⁶ when the agent gives it, else ifSpeed.
	SpeedBps    uint64 `json:"speed_bps"`
	MAC         string `json:"mac"`
	AdminStatus string `json:"admin_status"`
	OperStatus  string `json:"oper_status"`
	// LastChange is sysUpTime, in seconds, at the last change of
	// OperStatus (ifLastChange).
	LastChange float64 `json:"last_change_s"`

	InBps             *float64 `json:"in_bps,omitempty"` // bits per second
	OutBps            *float64 `json:"out_bps,omitempty"`
	InBytesPerSec     *float64 `json:"in_bytes_per_sec,omitempty"`
	OutBytesPerSec    *float64 `json:"out_bytes_per_sec,omitempty"`
	InUtilPct         *float64 `json:"in_util_pct,omitempty"`
	OutUtilPct        *float64 `json:"out_util_pct,omitempty"`
	InPps             *float64 `json:"in_pps,omitempty"` // unicast + multicast + broadcast
	OutPps            *float64 `json:"out_pps,omitempty"`
	InErrorsPerMin    *float64 `json:"in_errors_per_min,omitempty"`
	OutErrorsPerMin   *float64 `json:"out_errors_per_min,omitempty"`
	InDiscardsPerMin  *float64 `json:"in_discards_per_min,omitempty"`
	OutDiscardsPerMin *float64 `json:"out_discards_per_min,omitempty"`
	// HC is set when the octet counters are the 64-bit ones.
	HC bool `json:"hc"`
	// Ignored is set for interfaces the probe's ignore_interfaces hides
	// from its checks.
	Ignored bool `json:"ignored,omitempty"`
}

// Label names the interface in reasons: "Gi0/1 (uplink)", "eth0", "#3".
func (i SNMPInterface) Label() string {
	name := i.Name
	if name == "" {
		name = i.Descr
	}
	if name == "" {
		name = "#" + strconv.Itoa(i.Index)
	}
	if i.Alias != "" && i.Alias != name {
		name += " (" + i.Alias + ")"
	}
	return name
}

// snmpCounter is one counter reading.
type snmpCounter struct {
	v  uint64
	hc bool // Counter64: going backwards is a discontinuity, never a wrap
	ok bool // the agent gave it
}

// snmpIfReading is one interface as read in one poll.
type snmpIfReading struct {
	SNMPInterface
	admin, oper int // raw ifAdminStatus/ifOperStatus, 0 when missing
	cnt         [snmpSlots]snmpCounter
	disc        snmpCounter // ifCounterDiscontinuityTime
}

// snmpDecodeInterfaces turns the rows of the ifTable and ifXTable walks
// (keyed by index, then by column OID) into interfaces sorted by index.
// It never fails: what cannot be decoded is left out.
func snmpDecodeInterfaces(ifRows, ifxRows map[string]map[string]snmp.Value) []snmpIfReading {
	type rows struct {
		r         *snmpIfReading
		row, xrow map[string]snmp.Value
	}
	byIndex := map[int]*rows{}
	get := func(key string, row map[string]snmp.Value) *rows {
		idx, ok := snmpRowIndex(key, row)
		if !ok {
			return nil
		}
		e := byIndex[idx]
		if e == nil {
			e = &rows{r: &snmpIfReading{SNMPInterface: SNMPInterface{Index: idx}}}
			byIndex[idx] = e
		}
		return e
	}
	for key, row := range ifRows {
		if e := get(key, row); e != nil && e.row == nil {
			e.row = row
			snmpDecodeIfRow(e.r, row)
		}
	}
	for key, row := range ifxRows {
		if e := get(key, nil); e != nil && e.xrow == nil {
			e.xrow = row
			snmpDecodeIfXRow(e.r, row)
		}
	}
	cols := snmpCounterColumns()
	out := make([]snmpIfReading, 0, len(byIndex))
	for _, e := range byIndex {
		r := e.r
		var c32, c64 [snmpSlots]snmpCounter
		broken := false
		for slot, c := range cols {
			c32[slot] = snmpReadCounter(snmpColumn(e.row, e.xrow, c[0]))
			c64[slot] = snmpReadCounter(snmpColumn(e.row, e.xrow, c[1]))
			// Some agents serve HC columns that stay at zero while the
			// 32-bit ones count: then none of their HC columns is used.
			broken = broken || c64[slot].ok && c64[slot].v == 0 && c32[slot].ok && c32[slot].v > 0
		}
		for slot := range cols {
			r.cnt[slot] = c32[slot]
			if c64[slot].ok && !broken {
				r.cnt[slot] = c64[slot]
			}
		}
		r.HC = r.cnt[snmpInOctets].hc || r.cnt[snmpOutOctets].hc
		if r.Name == "" {
			r.Name = r.Descr
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}

// snmpRowIndex reads a row's ifIndex from its key ("3"), else from its
// ifIndex column.
func snmpRowIndex(key string, row map[string]snmp.Value) (int, bool) {
	if v, err := strconv.ParseUint(key, 10, 31); err == nil && v > 0 {
		return int(v), true
	}
	if v, ok := row[snmpIfIndex].AsUint(); ok && v > 0 && v <= math.MaxInt32 {
		return int(v), true
	}
	return 0, false
}

func snmpColumn(row, xrow map[string]snmp.Value, col string) snmp.Value {
	if col == "" {
		return snmp.Value{}
	}
	if strings.HasPrefix(col, snmpIfXTable) {
		return xrow[col]
	}
	return row[col]
}

func snmpDecodeIfRow(r *snmpIfReading, row map[string]snmp.Value) {
	r.Descr = snmpText(row[snmpIfDescr])
	if v, ok := snmpSmallInt(row[snmpIfType]); ok {
		r.Type = v
		r.TypeName = snmpIfTypeName(v)
	}
	if v, ok := snmpSmallInt(row[snmpIfMtu]); ok {
		r.MTU = v
	}
	if v, ok := row[snmpIfSpeed].AsUint(); ok && row[snmpIfSpeed].Exists() {
		r.SpeedBps = v
	}
	if v := row[snmpIfPhysAddress]; v.Type == snmp.OctetString || v.Type == snmp.Opaque {
		r.MAC = snmpMAC(v.Bytes)
	}
	if v, ok := snmpSmallInt(row[snmpIfAdminStatus]); ok {
		r.admin, r.AdminStatus = v, snmpStatusName(v)
	}
	if v, ok := snmpSmallInt(row[snmpIfOperStatus]); ok {
		r.oper, r.OperStatus = v, snmpStatusName(v)
	}
	if v, ok := row[snmpIfLastChange].AsUint(); ok && row[snmpIfLastChange].Exists() {
		r.LastChange = float64(v) / 100
	}
}

func snmpDecodeIfXRow(r *snmpIfReading, row map[string]snmp.Value) {
	if s := snmpText(row[snmpIfName]); s != "" {
		r.Name = s
	}
	r.Alias = snmpText(row[snmpIfAlias])
	// ifHighSpeed is in Mbit/s; 0 means "use ifSpeed" (slow links, or an
	// agent that does not know).
	if v, ok := row[snmpIfHighSpeed].AsUint(); ok && row[snmpIfHighSpeed].Exists() && v > 0 && v <= math.MaxUint64/1_000_000 {
		r.SpeedBps = v * 1e6
	}
	if v, ok := row[snmpIfDiscontinuity].AsUint(); ok && row[snmpIfDiscontinuity].Exists() {
		r.disc = snmpCounter{v: v, ok: true}
	}
}

func snmpReadCounter(v snmp.Value) snmpCounter {
	if !v.Exists() {
		return snmpCounter{}
	}
	u, ok := v.AsUint()
	if !ok {
		return snmpCounter{}
	}
	return snmpCounter{v: u, hc: v.Type == snmp.Counter64, ok: true}
}

// snmpSmallInt reads an enumeration or size column.
func snmpSmallInt(v snmp.Value) (int, bool) {
	if !v.Exists() {
		return 0, false
	}
	i, ok := v.AsInt()
	if !ok || i < math.MinInt32 || i > math.MaxInt32 {
		return 0, false
	}
	return int(i), true
}

// snmpText is a value as text, surrounding blanks trimmed: printable
// OctetStrings as they are (NUL padding dropped), others in net-snmp's hex
// form, numbers in decimal (see snmp.Value.AsString).
func snmpText(v snmp.Value) string {
	if !v.Exists() {
		return ""
	}
	return strings.TrimSpace(v.AsString())
}

// snmpMAC prints a physical address as colon-separated hex pairs.
func snmpMAC(b []byte) string {
	if len(b) == 0 || len(b) > 32 {
		return ""
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// snmpStatusName spells ifAdminStatus/ifOperStatus values as IF-MIB does.
func snmpStatusName(v int) string {
	switch v {
	case 1:
		return "up"
	case 2:
		return "down"
	case 3:
		return "testing"
	case 4:
		return "unknown"
	case 5:
		return "dormant"
	case 6:
		return "notPresent"
	case 7:
		return "lowerLayerDown"
	}
	return strconv.Itoa(v)
}

// snmpIfTypeName names the common IANAifType values.
func snmpIfTypeName(t int) string {
	switch t {
	case 1:
		return "other"
	case 6:
		return "ethernetCsmacd"
	case 18:
		return "ds1"
	case 20:
		return "basicISDN"
	case 22:
		return "propPointToPointSerial"
	case 23:
		return "ppp"
	case 24:
		return "softwareLoopback"
	case 30:
		return "ds3"
	case 32:
		return "frameRelay"
	case 37:
		return "atm"
	case 53:
		return "propVirtual"
	case 62:
		return "fastEther"
	case 63:
		return "isdn"
	case 71:
		return "ieee80211"
	case 94:
		return "adsl"
	case 97:
		return "vdsl"
	case 117:
		return "gigabitEthernet"
	case 131:
		return "tunnel"
	case 135:
		return "l2vlan"
	case 136:
		return "l3ipvlan"
	case 150:
		return "mplsTunnel"
	case 161:
		return "ieee8023adLag"
	case 166:
		return "mpls"
	case 209:
		return "bridge"
	case 244:
		return "wwanPP2"
	}
	return ""
}

// snmpSelector picks interfaces by a comma-separated list of ifIndex
// numbers, names (ifName, ifDescr or ifAlias, any case) and regular
// expressions matched against the whole of any of those names.
type snmpSelector struct {
	indexes map[int]bool
	names   []string // lower case
	res     []*regexp.Regexp
	text    string
}

// parseSNMPSelector reads a selector; empty selects nothing.
func parseSNMPSelector(s string) (snmpSelector, error) {
	sel := snmpSelector{indexes: map[int]bool{}, text: strings.TrimSpace(s)}
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if n, err := strconv.Atoi(tok); err == nil {
			if n <= 0 {
				return sel, fmt.Errorf("%q is not an ifIndex (want 1 or more)", tok)
			}
			sel.indexes[n] = true
			continue
		}
		re, err := regexp.Compile(`(?i)^(?:` + tok + `)$`)
		if err != nil {
			return sel, fmt.Errorf("%q is neither an ifIndex, a name nor a regular expression: %w", tok, err)
		}
		sel.names = append(sel.names, strings.ToLower(tok))
		sel.res = append(sel.res, re)
	}
	return sel, nil
}

func (s snmpSelector) empty() bool { return len(s.indexes) == 0 && len(s.names) == 0 }

// match reports whether the selector picks i.
func (s snmpSelector) match(i SNMPInterface) bool {
	if s.indexes[i.Index] {
		return true
	}
	for _, name := range []string{i.Name, i.Descr, i.Alias} {
		if name == "" {
			continue
		}
		low := strings.ToLower(name)
		for k, n := range s.names {
			if n == low || s.res[k].MatchString(name) {
				return true
			}
		}
	}
	return false
}
