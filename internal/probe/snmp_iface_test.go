package probe

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

func TestSNMPDecodeInterfaces(t *testing.T) {
	t.Run("odd rows", func(t *testing.T) {
		ifRows := map[string]map[string]snmp.Value{
			"2": {snmpIfDescr: snmpVStr("eth1\x00\x00"), snmpIfType: snmpVInt(24), snmpIfOperStatus: snmpVInt(9),
				snmpIfSpeed: snmp.Value{Type: snmp.NoSuchInstance}, snmpIfPhysAddress: snmpVStr("")},
			"1":       {snmpIfDescr: snmp.Value{Type: snmp.OctetString, Bytes: []byte{0xff, 0x01}}, snmpIfType: snmpVStr("six"), snmpIfMtu: snmpVC64(math.MaxUint64)},
			"x":       {snmpIfIndex: snmpVInt(5), snmpIfDescr: snmpVStr("by column")},
			"0":       {snmpIfDescr: snmpVStr("no index")},
			"1.2.3.4": {snmpIfDescr: snmpVStr("not an ifIndex")},
		}
		ifxRows := map[string]map[string]snmp.Value{
			"2": {snmpIfName: snmpVStr(" eth1 "), snmpIfHighSpeed: snmpVG32(0), snmpIfAlias: snmpVInt(3)},
			"9": {snmpIfName: snmpVStr("only in ifXTable")},
		}
		got := snmpDecodeInterfaces(ifRows, ifxRows)
		var idx []int
		for _, r := range got {
			idx = append(idx, r.Index)
		}
		if len(got) != 4 || idx[0] != 1 || idx[1] != 2 || idx[2] != 5 || idx[3] != 9 {
			t.Fatalf("indexes %v", idx)
		}
		if got[0].Descr != "ff 01" || got[0].Type != 0 || got[0].MTU != 0 {
			t.Errorf("row 1: %+v", got[0].SNMPInterface)
		}
		if g := got[1]; g.Name != "eth1" || g.Descr != "eth1" || g.TypeName != "softwareLoopback" || g.OperStatus != "9" || g.Alias != "3" || g.SpeedBps != 0 || g.MAC != "" {
			t.Errorf("row 2: %+v", g.SNMPInterface)
		}
		if got[2].Descr != "by column" || got[3].Name != "only in ifXTable" {
			t.Errorf("rows 5, 9: %+v %+v", got[2].SNMPInterface, got[3].SNMPInterface)
		}
	})
	t.Run("labels", func(t *testing.T) {
		for _, tc := range []struct {
			i    SNMPInterface
			want string
		}{
			{SNMPInterface{Index: 3, Name: "Gi0/1", Alias: "uplink"}, "Gi0/1 (uplink)"},
			{SNMPInterface{Index: 3, Descr: "eth0"}, "eth0"},
			{SNMPInterface{Index: 3, Name: "x", Alias: "x"}, "x"},
			{SNMPInterface{Index: 3}, "#3"},
		} {
			if got := tc.i.Label(); got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.i, got, tc.want)
			}
		}
	})
}

func TestSNMPSelector(t *testing.T) {
	gi := SNMPInterface{Index: 3, Name: "Gi0/1", Descr: "GigabitEthernet0/1", Alias: "Uplink (core)"}
	cases := []struct {
		sel  string
		want bool
	}{
		{"3", true}, {"4", false}, {"gi0/1", true}, {"GIGABITETHERNET0/1", true}, {"uplink (core)", true},
		{"Gi0/.*", true}, {"Gi", false}, {`gigabit.*0/\d`, true}, {"4, uplink (core)", true}, {"", false},
	}
	for _, tc := range cases {
		s, err := parseSNMPSelector(tc.sel)
		if err != nil {
			t.Fatalf("%q: %v", tc.sel, err)
		}
		if got := s.match(gi); got != tc.want {
			t.Errorf("%q matches %v, want %v", tc.sel, got, tc.want)
		}
	}
	for _, bad := range []string{"-1", "0", "a(b", "[z-a]"} {
		if _, err := parseSNMPSelector(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// snmpFuzzValue makes a Value of any type from a few fuzz bytes.
func snmpFuzzValue(kind byte, data []byte) snmp.Value {
	var u uint64
	if len(data) >= 8 {
		u = binary.BigEndian.Uint64(data)
	} else {
		for _, b := range data {
			u = u<<8 | uint64(b)
		}
	}
	v := snmp.Value{Type: snmp.Type(kind % 16)}
	switch v.Type {
	case snmp.Integer:
		v.Int = int64(u)
	case snmp.Counter32, snmp.Gauge32, snmp.TimeTicks:
		v.Uint = u & math.MaxUint32
	case snmp.Counter64:
		v.Uint = u
	case snmp.OctetString, snmp.Opaque:
		v.Bytes = data
	case snmp.ObjectIdentifier, snmp.IPAddress:
		v.Text = string(data)
	default:
		v.Uint, v.Int, v.Bytes = u, int64(u), data
	}
	return v
}

// snmpFuzzRows builds ifTable and ifXTable rows from fuzz input: each
// record is table, row, column, type, length, then that many value bytes.
func snmpFuzzRows(data []byte) (ifRows, ifxRows map[string]map[string]snmp.Value) {
	ifRows, ifxRows = map[string]map[string]snmp.Value{}, map[string]map[string]snmp.Value{}
	cols := append(snmpIfTableColumns(), snmpIfXTableColumns()...)
	for len(data) >= 5 {
		tbl, row, col, kind, n := data[0], data[1], data[2], data[3], int(data[4]%16)
		data = data[5:]
		n = min(n, len(data))
		val := snmpFuzzValue(kind, data[:n])
		data = data[n:]
		key := strconv.Itoa(int(row % 8))
		switch row % 11 {
		case 8:
			key = "1.2"
		case 9:
			key = "abc"
		case 10:
			key = "99999999999999999999"
		}
		column := cols[int(col)%len(cols)]
		rows := ifRows
		if tbl%2 == 1 {
			rows = ifxRows
		}
		if rows[key] == nil {
			rows[key] = map[string]snmp.Value{}
		}
		rows[key][column] = val
	}
	return ifRows, ifxRows
}

// FuzzInterfaceRows feeds mixed-up interface rows through decoding, rates
// and grading: nothing may panic, and rates must stay finite and
// non-negative.
func FuzzInterfaceRows(f *testing.F) {
	f.Add([]byte{0, 1, 1, 2, 4, 'e', 't', 'h', '0'}, []byte{0, 1, 9, 6, 4, 0, 0, 1, 0}, uint16(60))
	f.Add([]byte{0, 1, 9, 6, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 1, 0, 10, 8, 1, 2, 3, 4, 5, 6, 7, 8}, []byte{1, 1, 5, 10, 1, 0}, uint16(1))
	f.Add([]byte{0, 2, 6, 2, 2, 1, 0, 0, 2, 7, 2, 1, 1, 0, 2, 8, 2, 1, 2}, []byte{0, 2, 9, 6, 4, 0xff, 0xff, 0xff, 0xf0}, uint16(300))
	f.Add([]byte{}, []byte{1, 9, 255, 255, 15}, uint16(0))
	f.Fuzz(func(t *testing.T, first, second []byte, secs uint16) {
		r1, x1 := snmpFuzzRows(first)
		r2, x2 := snmpFuzzRows(second)
		a := snmpDecodeInterfaces(r1, x1)
		b := snmpDecodeInterfaces(r2, x2)
		prev := newSNMPSample(time.Unix(0, 0), snmpCounter{}, a)
		for i := 1; i < len(b); i++ {
			if b[i].Index <= b[i-1].Index {
				t.Fatalf("indexes not increasing: %d then %d", b[i-1].Index, b[i].Index)
			}
		}
		for i := range b {
			if old, ok := prev.ifs[b[i].Index]; ok {
				snmpApplyRates(&b[i], old, float64(secs))
			}
			for _, p := range []*float64{b[i].InBps, b[i].OutBps, b[i].InUtilPct, b[i].OutUtilPct, b[i].InPps, b[i].OutPps,
				b[i].InErrorsPerMin, b[i].OutErrorsPerMin, b[i].InDiscardsPerMin, b[i].OutDiscardsPerMin} {
				if p != nil && (*p < 0 || math.IsNaN(*p) || math.IsInf(*p, 0)) {
					t.Fatalf("bad rate %v in %+v", *p, b[i].SNMPInterface)
				}
			}
			_ = b[i].Label()
		}
		for _, cfg := range []snmpConfig{
			{util: snmpLimits{1, 2, 3}, errs: snmpLimits{1, 2, 3}},
			{high: true, watch: snmpSelector{indexes: map[int]bool{1: true, 2: true}}, in: snmpLimits{1, 2}, out: snmpLimits{1, 2}, bytes: snmpLimits{1, 2}},
		} {
			res := status.Result{Level: status.OK, Values: map[string]any{}}
			snmpGrade(&res, cfg, b)
			snmpValues(res.Values, snmpReading{ifs: b})
			if _, err := json.Marshal(res); err != nil {
				t.Fatal(err)
			}
		}
	})
}
