package discover

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

// nodeStatusResponse builds what Windows and Samba answer to a node
// status request (RFC 1002 4.2.18).
func nodeStatusResponse(id uint16, names []NetBIOSName, mac [6]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0)
	b = encodeNetBIOSName(b, "*", 0, 0)
	b = append(b, 0, 0x21, 0, 1, 0, 0, 0, 0)
	rd := []byte{byte(len(names))}
	for _, n := range names {
		var e [18]byte
		for i := range 15 {
			e[i] = ' '
		}
		copy(e[:15], n.Name)
		e[15] = n.Suffix
		flags := n.Flags
		if n.Group {
			flags |= nbGroupFlag
		}
		binary.BigEndian.PutUint16(e[16:], flags)
		rd = append(rd, e[:]...)
	}
	rd = append(rd, mac[:]...)
	rd = append(rd, make([]byte, 40)...) // the rest of the statistics
	b = binary.BigEndian.AppendUint16(b, uint16(len(rd)))
	return append(b, rd...)
}

// nameQueryResponse is a positive name query response for addr.
func nameQueryResponse(id uint16, name string, addr netip.Addr) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x85, 0x00, 0, 0, 0, 1, 0, 0, 0, 0)
	b = encodeNetBIOSName(b, strings.ToUpper(name), ' ', 0)
	b = append(b, 0, 0x20, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 0, 0)
	a := addr.As4()
	return append(b, a[:]...)
}

func TestNodeStatusRequest(t *testing.T) {
	got := NodeStatusRequest(0x1234)
	// As nmblookup -A sends it: id, flags 0, one question for "*" <00>,
	// type NBSTAT, class IN.
	want := "\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x20CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00\x00\x21\x00\x01"
	if string(got) != want {
		t.Fatalf("request = %q\nwant      %q", got, want)
	}
}

func TestNameQueryRequest(t *testing.T) {
	got, err := NameQueryRequest(7, "fs1")
	if err != nil {
		t.Fatal(err)
	}
	// "FS1" padded with spaces, suffix 00: F=0x46 → EG, S=0x53 → FD, 1=0x31 → DB, space → CA.
	want := "\x00\x07\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00\x20EGFDDBCACACACACACACACACACACACAAA\x00\x00\x20\x00\x01"
	if string(got) != want {
		t.Fatalf("request = %q\nwant      %q", got, want)
	}
	for _, bad := range []string{"", "sixteen-chars-xx", "a.b", "a b", `x\y`} {
		if _, err := NameQueryRequest(1, bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

func TestParseNodeStatus(t *testing.T) {
	mac := [6]byte{0x52, 0x54, 0, 0x12, 0x34, 0x56}
	names := []NetBIOSName{
		{Name: "WORKGROUP", Suffix: 0x00, Group: true, Flags: 0x0400},
		{Name: "FILESRV", Suffix: 0x20, Flags: 0x0400},
		{Name: "PC-ALICE", Suffix: 0x00, Flags: 0x0400},
		{Name: "\x01__MSBROWSE__\x02", Suffix: 0x01, Group: true},
	}
	s, err := ParseNodeStatus(nodeStatusResponse(9, names, mac), 9)
	if err != nil {
		t.Fatal(err)
	}
	if s.Computer() != "PC-ALICE" || s.Workgroup() != "WORKGROUP" || s.MAC != mac || len(s.Names) != 4 {
		t.Fatalf("status = %+v (computer %q, workgroup %q)", s, s.Computer(), s.Workgroup())
	}
	if s.Names[3].Name != "__MSBROWSE__" {
		t.Errorf("control characters kept: %q", s.Names[3].Name)
	}
	for _, c := range []struct {
		name string
		b    []byte
		err  string
	}{
		{"empty", nil, "truncated"},
		{"wrong id", nodeStatusResponse(8, names, mac), "does not match"},
		{"request", NodeStatusRequest(9), "request, not a response"},
		{"negative", append([]byte{0, 9, 0x84, 0x03}, make([]byte, 8)...), "negative"},
		{"cut", nodeStatusResponse(9, names, mac)[:70], "truncated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParseNodeStatus(c.b, 9); err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}

func TestComputerName(t *testing.T) {
	for _, c := range []struct {
		names []NetBIOSName
		want  string
	}{
		{[]NetBIOSName{{Name: "SRV", Suffix: 0x20}, {Name: "WS", Suffix: 0x00}}, "WS"},
		{[]NetBIOSName{{Name: "G", Suffix: 0x00, Group: true}, {Name: "SRV", Suffix: 0x20}}, "SRV"},
		{[]NetBIOSName{{Name: "X", Suffix: 0x03}}, "X"},
		{[]NetBIOSName{{Name: "G", Group: true}}, ""},
	} {
		if got := (NodeStatus{Names: c.names}).Computer(); got != c.want {
			t.Errorf("Computer(%+v) = %q, want %q", c.names, got, c.want)
		}
	}
}

func TestParseNameQueryResponse(t *testing.T) {
	want := netip.MustParseAddr("192.0.2.9")
	got, err := ParseNameQueryResponse(nameQueryResponse(3, "fs1", want), 3)
	if err != nil || len(got) != 1 || got[0] != want {
		t.Fatalf("got %v, %v", got, err)
	}
	// A compressed answer name is skipped too.
	b := append([]byte{0, 3, 0x85, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 0x0c}, 0, 0x20, 0, 1, 0, 0, 0, 0, 0, 6, 0, 0, 192, 0, 2, 9)
	if got, err := ParseNameQueryResponse(b, 3); err != nil || got[0] != want {
		t.Fatalf("compressed: %v, %v", got, err)
	}
}

func FuzzParseNetBIOS(f *testing.F) {
	f.Add(nodeStatusResponse(1, []NetBIOSName{{Name: "A"}, {Name: "G", Group: true}}, [6]byte{1}))
	f.Add(nameQueryResponse(1, "x", netip.MustParseAddr("192.0.2.1")))
	f.Add(NodeStatusRequest(1))
	f.Add([]byte{0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x3f})
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := ParseNodeStatus(b, 1); err == nil {
			for _, n := range s.Names {
				if strings.ContainsFunc(n.Name, func(r rune) bool { return r < 0x20 || r > 0x7e }) || len(n.Name) > 15 {
					t.Fatalf("name %q", n.Name)
				}
			}
		}
		if addrs, err := ParseNameQueryResponse(b, 1); err == nil && len(addrs) == 0 {
			t.Fatal("success without addresses")
		}
	})
}
