package trap

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Real senders: net-snmp's snmptrap and snmpinform (Debian package snmp)
// against the receiver on 127.0.0.1. Skipped when they are not installed,
// unless CI is set.

const (
	v3AuthKey = "vantage-auth-key"
	v3PrivKey = "vantage-priv-key"
)

// netsnmp runs a net-snmp tool with a private configuration directory,
// bounded in time, and returns its combined output and error.
func netsnmp(t *testing.T, tool string, args ...string) (string, error) {
	t.Helper()
	path := "/usr/bin/" + tool
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("%s not found: apt-get install -y snmp", path)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "SNMPCONFPATH="+dir, "SNMP_PERSISTENT_DIR="+dir, "MIBS=", "MIBDIRS="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustSend(t *testing.T, tool string, args ...string) {
	t.Helper()
	if out, err := netsnmp(t, tool, args...); err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}

var (
	routerAddr = netip.MustParseAddr("192.0.2.1")
	loopback   = netip.MustParseAddr("127.0.0.1")
)

// TestNetSNMPv1Relayed sends a v1 trap whose agent-addr (192.0.2.1) is not
// its sender (127.0.0.1): it goes to both devices at 192.0.2.1, each its
// own copy, and is logged "(via 127.0.0.1)".
func TestNetSNMPv1Relayed(t *testing.T) {
	dir := fakeDir{routerAddr: {{"Campus", "router"}, {"Lab", "router"}}, loopback: {{"Campus", "relay"}}}
	s, k, addr := startService(t, DefaultConfig(), dir)
	mustSend(t, "snmptrap", "-v", "1", "-c", "s3cret", addr.String(),
		"1.3.6.1.4.1.6306", routerAddr.String(), "6", "333", "1234",
		"1.3.6.1.4.1.6306.1", "i", "321", "1.3.6.1.4.1.6306.2", "s", "456")
	recs := k.waitRecords(t, 1)
	events, dels := k.snapshot()
	if len(dels) != 2 || dels[0].dev != (DeviceRef{"Campus", "router"}) || dels[1].dev != (DeviceRef{"Lab", "router"}) {
		t.Fatalf("deliveries %+v", dels)
	}
	tr := dels[0].trap
	if tr.Version != "1" || tr.AgentAddress != routerAddr || tr.Sender.Addr() != loopback || tr.Community != "s3cret" ||
		tr.Enterprise != "1.3.6.1.4.1.6306" || tr.GenericTrap != 6 || tr.SpecificTrap != 333 || tr.Uptime != 1234 ||
		tr.TrapOID != "1.3.6.1.4.1.6306.0.333" || len(tr.Varbinds) != 2 {
		t.Fatalf("trap %+v", tr)
	}
	// Each device has its own copy.
	dels[0].trap.Varbinds[1].Bytes[0] = 'X'
	if string(dels[1].trap.Varbinds[1].Bytes) != "456" {
		t.Error("devices share varbinds")
	}
	want := `1.3.6.1.4.1.6306 (333) { "321", "456" } (via 127.0.0.1)`
	if len(events) != 2 || events[0].Message != want || events[0].Map != "Campus" || events[1].Map != "Lab" || events[0].Kind != "TRAP" {
		t.Fatalf("events %+v", events)
	}
	v := dels[1].trap.Variables()
	for k, want := range map[string]string{"$SnmpVersion": "0", "$CommunityString": "s3cret", "$AgentAddress": "192.0.2.1",
		"$SenderAddress": "127.0.0.1", "$GenericTrap": "6", "$SpecificTrap": "333", "$TimeStamp": "1234",
		"$Enterprise": "1.3.6.1.4.1.6306", "$VarbindCount": "2", "$VarbindValue2": "456", "$VarbindType1": "INTEGER"} {
		if v[k] != want {
			t.Errorf("%s = %q, want %q", k, v[k], want)
		}
	}
	if r := recs[0]; r.Unmatched || len(r.Devices) != 2 || r.AgentAddress != "192.0.2.1" || strings.Contains(fmt.Sprint(r), "s3cret") {
		t.Errorf("record %+v", r)
	}
	if st := s.Stats(); st.Traps["1"] != 1 || st.Delivered != 2 || st.Unmatched != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestNetSNMPv1Generic: generic traps are named, linkUp with its ifIndex;
// a trap from an address on no map is unmatched.
func TestNetSNMPv1Generic(t *testing.T) {
	dir := fakeDir{loopback: {{"Campus", "switch"}}}
	s, k, addr := startService(t, DefaultConfig(), dir)
	mustSend(t, "snmptrap", "-v", "1", "-c", "public", addr.String(), "1.3.6.1.4.1.8072.3.2.10", "127.0.0.1", "3", "0", "55",
		"1.3.6.1.2.1.2.2.1.1.7", "i", "7")
	mustSend(t, "snmptrap", "-v", "1", "-c", "public", addr.String(), "1.3.6.1.4.1.8072.3.2.10", "198.51.100.7", "0", "0", "1")
	k.waitRecords(t, 2)
	events, _ := k.snapshot()
	if events[0].Message != "linkUp, ifIndex = 7" || events[0].Device != "switch" {
		t.Errorf("linkUp event %+v", events[0])
	}
	if events[1].Message != "coldStart (via 127.0.0.1)" || events[1].Map != UnmatchedMap || events[1].Device != "198.51.100.7" {
		t.Errorf("unmatched event %+v", events[1])
	}
	if st := s.Stats(); st.Unmatched != 1 || st.Delivered != 1 {
		t.Errorf("stats %+v", st)
	}
	if got := s.Recent(Query{Unmatched: true}); len(got) != 1 || got[0].Message != "coldStart (via 127.0.0.1)" {
		t.Errorf("unmatched recent %+v", got)
	}
}

// TestNetSNMPv2c: snmpTrapOID.0 and sysUpTime.0 become TrapOID and Uptime;
// the RFC 3584 v1 fields are derived.
func TestNetSNMPv2c(t *testing.T) {
	dir := fakeDir{loopback: {{"Campus", "server"}}}
	_, k, addr := startService(t, DefaultConfig(), dir)
	mustSend(t, "snmptrap", "-v", "2c", "-c", "public", addr.String(), "4321", "1.3.6.1.4.1.8072.2.3.0.1",
		"1.3.6.1.4.1.8072.2.3.2.1", "i", "123", "1.3.6.1.2.1.1.5.0", "s", "web \"one\"")
	k.waitRecords(t, 1)
	events, dels := k.snapshot()
	tr := dels[0].trap
	if tr.Version != "2c" || tr.TrapOID != "1.3.6.1.4.1.8072.2.3.0.1" || tr.Uptime != 4321 || tr.Enterprise != "1.3.6.1.4.1.8072.2.3" ||
		tr.GenericTrap != 6 || tr.SpecificTrap != 1 || tr.AgentAddress.IsValid() || len(tr.Varbinds) != 2 {
		t.Fatalf("trap %+v", tr)
	}
	if want := `1.3.6.1.4.1.8072.2.3.0.1 { "123", "web \"one\"" }`; events[0].Message != want {
		t.Errorf("message %q, want %q", events[0].Message, want)
	}
	if v := tr.Variables(); v["$SnmpVersion"] != "1" || v["$TrapOID"] != tr.TrapOID || v["$AgentAddress"] != "127.0.0.1" {
		t.Errorf("variables %v", v)
	}
}

// v3 users of the tests, one per protocol pair.
func v3Users() []V3User {
	return []V3User{
		{User: "trapSHAAES", Auth: "SHA", AuthKey: v3AuthKey, Priv: "AES", PrivKey: v3PrivKey},
		{User: "trapMD5DES", Auth: "MD5", AuthKey: v3AuthKey, Priv: "DES", PrivKey: v3PrivKey},
		{User: "trapSHA512", Auth: "SHA-512", AuthKey: v3AuthKey, Priv: "AES-256", PrivKey: v3PrivKey},
		{User: "trapAuthOnly", Auth: "SHA-256", AuthKey: v3AuthKey},
		{User: "trapPinned", Auth: "SHA", AuthKey: v3AuthKey, Priv: "AES", PrivKey: v3PrivKey,
			EngineIDs: []string{"0x8000000001020304"}},
	}
}

func v3Args(u V3User, authKey, privKey string) []string {
	args := []string{"-v", "3", "-u", u.User}
	switch {
	case u.Priv != "":
		args = append(args, "-l", "authPriv", "-a", u.Auth, "-A", authKey, "-x", u.Priv, "-X", privKey)
	case u.Auth != "":
		args = append(args, "-l", "authNoPriv", "-a", u.Auth, "-A", authKey)
	default:
		args = append(args, "-l", "noAuthNoPriv")
	}
	return args
}

// TestNetSNMPv3Traps sends v3 traps (the sender's engine ID given with -e)
// with every user, then wrong keys, an unknown user and an engine ID the
// user is not pinned to: those are counted, never delivered.
func TestNetSNMPv3Traps(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Users = v3Users()
	s, k, addr := startService(t, cfg, fakeDir{loopback: {{"Campus", "fw"}}})
	for i, u := range cfg.Users {
		args := append(v3Args(u, v3AuthKey, v3PrivKey), "-e", "0x8000000001020304", addr.String(), "99",
			"1.3.6.1.4.1.9.9.41.2.0.1", "1.3.6.1.4.1.9.9.41.1.2.3.1.5.1", "s", "hello "+u.User)
		mustSend(t, "snmptrap", args...)
		recs := k.waitRecords(t, i+1)
		r := recs[i]
		if r.Version != "3" || r.User != u.User || r.TrapOID != "1.3.6.1.4.1.9.9.41.2.0.1" || r.Uptime != 99 ||
			len(r.Varbinds) != 1 || r.Varbinds[0].Value != "hello "+u.User {
			t.Errorf("%s: record %+v", u.User, r)
		}
	}
	good := cfg.Users[0]
	bad := []struct {
		name, reason string
		args         []string
	}{
		{"wrong auth key", "auth", v3Args(good, "wrong-auth-key", v3PrivKey)},
		{"wrong priv key", "decrypt", v3Args(good, v3AuthKey, "wrong-priv-key")},
		{"unknown user", "unknown_user", v3Args(V3User{User: "mallory", Auth: "SHA", Priv: "AES"}, v3AuthKey, v3PrivKey)},
		{"engine not pinned", "unknown_engine_id", append(v3Args(cfg.Users[4], v3AuthKey, v3PrivKey), "-e", "0x80000000010203ff")},
	}
	for _, b := range bad {
		before := s.Stats().Errors[b.reason]
		args := b.args
		if b.reason != "unknown_engine_id" {
			args = append(args, "-e", "0x8000000001020304")
		}
		args = append(args, addr.String(), "99", "1.3.6.1.4.1.9.9.41.2.0.1")
		mustSend(t, "snmptrap", args...)
		waitStats(t, s, b.name, func(st Stats) bool { return st.Errors[b.reason] == before+1 })
	}
	if st := s.Stats(); st.Traps["3"] != uint64(len(cfg.Users)) {
		t.Errorf("stats %+v", st)
	}
}

// TestNetSNMPInforms: snmpinform exits 0 only when its inform is
// acknowledged; v3 informs first discover this receiver's engine ID.
func TestNetSNMPInforms(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Users = v3Users()
	s, k, addr := startService(t, cfg, fakeDir{loopback: {{"Campus", "ups"}}})
	bound := []string{"-t", "2", "-r", "1"}
	mustSend(t, "snmpinform", append(bound, "-v", "2c", "-c", "public", addr.String(), "77",
		"1.3.6.1.4.1.318.0.5", "1.3.6.1.4.1.318.2.3.3.0", "s", "on battery")...)
	n := 1
	for _, u := range cfg.Users[:4] {
		mustSend(t, "snmpinform", append(append(bound, v3Args(u, v3AuthKey, v3PrivKey)...), addr.String(), "78",
			"1.3.6.1.4.1.318.0.9", "1.3.6.1.4.1.318.2.3.3.0", "s", "back on line")...)
		n++
	}
	// The pinned user's informs go to this receiver's own engine ID.
	mustSend(t, "snmpinform", append(append(bound, v3Args(cfg.Users[4], v3AuthKey, v3PrivKey)...), addr.String(), "79",
		"1.3.6.1.4.1.318.0.9")...)
	n++
	recs := k.waitRecords(t, n)
	for _, r := range recs {
		if !r.Inform {
			t.Errorf("not an inform: %+v", r)
		}
	}
	st := s.Stats()
	if st.InformsAcked != uint64(n) || st.Discoveries < 1 {
		t.Errorf("stats %+v", st)
	}
	// A wrong key is never acknowledged: snmpinform fails.
	out, err := netsnmp(t, "snmpinform", append(append([]string{"-t", "1", "-r", "0"}, v3Args(cfg.Users[0], "wrong-auth-key", v3PrivKey)...),
		addr.String(), "80", "1.3.6.1.4.1.318.0.9")...)
	if err == nil {
		t.Errorf("inform with a wrong key acknowledged: %s", out)
	}
}
