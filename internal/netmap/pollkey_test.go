package netmap

import (
	"testing"
	"time"
)

func TestPollKey(t *testing.T) {
	const ping = "com.dartware.ping"
	tests := []struct {
		name   string
		a, b   [2]string // address, probe
		pa, pb map[string]string
		shared bool
	}{
		{"same device on two maps", [2]string{"192.0.2.1", ping}, [2]string{"192.0.2.1", ping}, nil, nil, true},
		{"different address", [2]string{"192.0.2.1", ping}, [2]string{"192.0.2.2", ping}, nil, nil, false},
		{"different probe", [2]string{"192.0.2.1", ping}, [2]string{"192.0.2.1", "com.dartware.tcp.http"}, nil, nil, false},
		{"IPv6 spellings", [2]string{"2001:DB8:0:0::1", ping}, [2]string{"2001:db8::1", ping}, nil, nil, true},
		{"IPv4-mapped", [2]string{"::ffff:192.0.2.1", ping}, [2]string{"192.0.2.1", ping}, nil, nil, true},
		{"zones differ", [2]string{"fe80::1%eth0", ping}, [2]string{"fe80::1%eth1", ping}, nil, nil, false},
		{"DNS name case and dot", [2]string{"GW.Example.com.", ping}, [2]string{"gw.example.com", ping}, nil, nil, true},
		{"params in any order",
			[2]string{"192.0.2.1", "http"}, [2]string{"192.0.2.1", "http"},
			map[string]string{"port": "80", "path": "/"}, map[string]string{"path": "/", "port": "80"}, true},
		{"different param value",
			[2]string{"192.0.2.1", "http"}, [2]string{"192.0.2.1", "http"},
			map[string]string{"port": "80"}, map[string]string{"port": "8080"}, false},
		{"nil and empty params", [2]string{"192.0.2.1", ping}, [2]string{"192.0.2.1", ping}, nil, map[string]string{}, true},
		{"separators inside values do not collide",
			[2]string{"192.0.2.1", "x"}, [2]string{"192.0.2.1", "x"},
			map[string]string{"a": "1&b=2"}, map[string]string{"a": "1", "b": "2"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka := PollKey(tc.a[0], tc.a[1], tc.pa)
			kb := PollKey(tc.b[0], tc.b[1], tc.pb)
			if (ka == kb) != tc.shared {
				t.Errorf("keys %q and %q: shared = %v, want %v", ka, kb, ka == kb, tc.shared)
			}
		})
	}
	if got, want := PollKey("192.0.2.1", "com.dartware.tcp.http", map[string]string{"port": "80", "path": "/"}),
		"com.dartware.tcp.http@192.0.2.1?path=%2F&port=80"; got != want {
		t.Errorf("PollKey = %q, want %q", got, want)
	}
}

func TestPollParamsSeparateSNMPCredentials(t *testing.T) {
	a := Device{Address: "192.0.2.1", Probe: "com.dartware.snmp", SNMP: &SNMPSettings{Version: "2c", Community: "public"}}
	b := a.Clone()
	b.SNMP.Community = "private"
	c := a.Clone()
	c.Timeout = Duration(5 * time.Second)
	ka := PollKey(a.Address, a.ProbeID(), a.PollParams())
	if ka == PollKey(b.Address, b.ProbeID(), b.PollParams()) {
		t.Error("two communities share a poll")
	}
	if ka == PollKey(c.Address, c.ProbeID(), c.PollParams()) {
		t.Error("two timeouts share a poll")
	}
	if ka != PollKey(a.Address, a.ProbeID(), a.Clone().PollParams()) {
		t.Error("identical devices do not share")
	}
}

func TestDeviceID(t *testing.T) {
	tests := []struct{ m, d, id string }{
		{"campus", "gw", "campus~gw"},
		{"Campus A", "core/1", "Campus%20A~core%2F1"},
		{"a~b", "c~d", "a%7Eb~c%7Ed"},
		{"x?y#z", "%", "x%3Fy%23z~%25"},
		{"Zoë", "☃", "Zo%C3%AB~%E2%98%83"},
	}
	for _, tc := range tests {
		id := DeviceID(tc.m, tc.d)
		if id != tc.id {
			t.Errorf("DeviceID(%q, %q) = %q, want %q", tc.m, tc.d, id, tc.id)
		}
		m, d, err := ParseDeviceID(id)
		if err != nil || m != tc.m || d != tc.d {
			t.Errorf("ParseDeviceID(%q) = %q, %q, %v", id, m, d, err)
		}
	}
	for _, bad := range []string{"", "campus", "~gw", "campus~", "a~b~c", "a%zz~b"} {
		if _, _, err := ParseDeviceID(bad); err == nil {
			t.Errorf("ParseDeviceID(%q) succeeded", bad)
		}
	}
}
