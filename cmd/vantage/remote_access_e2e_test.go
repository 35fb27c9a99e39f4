package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// remoteRole is one user of the access matrix over the remote protocol:
// how they got their access to map Open, and what they must see. Nobody
// but the administrator has any access to map Secret.
type remoteRole struct {
	user   string
	groups []string
	// grant is the user's own level on Open ("" for none given), group
	// the level their group ops has there.
	grant, group string
	// reads says the user may read Open; admin that they may read every
	// map (the admin group).
	reads, admin bool
}

var remoteRoles = []remoteRole{
	{user: "nobody", grant: "none"},
	{user: "reader", grant: "read", reads: true},
	{user: "acker", grant: "acknowledge", reads: true},
	{user: "writer", grant: "write", reads: true},
	{user: "owner", grant: "admin", reads: true},
	{user: "grouped", groups: []string{"ops"}, group: "read", reads: true},
	{user: "boss", groups: []string{"admin"}, reads: true, admin: true},
}

func rolePassword(user string) string { return "pw-" + user + "-remote-e2e" }

// remoteLogin opens a plain-text session from loopback (which may log in
// without TLS), does the handshake and logs in as user.
func remoteLogin(t *testing.T, host, port, user, password string) *tool {
	t.Helper()
	nc := startTool(t, "nc", host, port)
	nc.send(handshake)
	if got := nc.line(); got != handshakeReply {
		t.Fatalf("%s: handshake %q", user, got)
	}
	nc.send(fmt.Sprintf(`<KC_login id="login" user="%s" password="%s"/>`, user, password))
	if got, want := nc.line(), fmt.Sprintf("<KR id='login' response='200'>%s</KR>", user); got != want {
		t.Fatalf("%s: login %q, want %q", user, got, want)
	}
	return nc
}

// answer sends a request with the given id and returns its whole answer:
// the <KR …> line, and for a multi-line answer every line up to </KR>.
// Status events that arrive meanwhile are returned apart.
func (tl *tool) answer(id, req string) (kr string, body []string, events []string) {
	tl.t.Helper()
	tl.send(req)
	prefix := "<KR id='" + id + "' "
	for {
		l := tl.line()
		switch {
		case strings.HasPrefix(l, "<KE "):
			events = append(events, l)
		case strings.HasPrefix(l, prefix) && strings.HasSuffix(l, "</KR>"):
			return l, nil, events
		case strings.HasPrefix(l, prefix):
			kr = l
			for {
				b := tl.line()
				if b == "</KR>" {
					return kr, body, events
				}
				body = append(body, b)
			}
		default:
			tl.t.Fatalf("unexpected line while waiting for answer %s: %q", id, l)
		}
	}
}

// TestRemoteAccessMatrix runs the remote-access protocol (:8181) as every
// kind of user: no access, read, acknowledge, write and admin on a map,
// read through a group, and an administrator. After login each lists only
// the maps they may read; a map they may not read answers 404 exactly as
// a map that does not exist, for its devices, one device and a
// subscription; and their stream of status changes carries the map they
// may read and never the other. Wrong passwords, unknown users and an
// address the listener's allow-list refuses get nothing.
func TestRemoteAccessMatrix(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	// 127.0.0.2 is loopback too (the whole of 127/8 is), so the refused
	// address never leaves the machine.
	if err := os.WriteFile(filepath.Join(data, "config.yaml"), []byte("access:\n  remote:\n    - deny: 127.0.0.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := start(t, bin, data, "--remote", "127.0.0.1:0")
	addr := in.listenerAddr("remote")
	host, port, _ := net.SplitHostPort(addr)

	openSvc, secretSvc := newAcceptor(t), newAcceptor(t)
	openPort, secretPort := openSvc.port(), secretSvc.port()
	for _, m := range []struct{ name, port string }{{"Open", openPort}, {"Secret", secretPort}} {
		in.must("POST", "/api/v1/maps", map[string]any{"name": m.name}, 201, nil)
		in.must("POST", "/api/v1/maps/"+m.name+"/devices", map[string]any{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "down_after": 1,
			"params": map[string]string{"port": m.port, "timeout": "1s"}}, 201, nil)
	}
	in.must("POST", "/api/v1/groups", map[string]string{"name": "ops", "description": "operators"}, 201, nil)
	grants := map[string]map[string]string{"users": {}, "groups": {}}
	for _, r := range remoteRoles {
		in.must("POST", "/api/v1/users", map[string]any{"name": r.user, "password": rolePassword(r.user), "groups": r.groups}, 201, nil)
		if r.grant != "" {
			grants["users"][r.user] = r.grant
		}
		if r.group != "" {
			grants["groups"][r.groups[0]] = r.group
		}
	}
	in.must("PUT", "/api/v1/maps/Open/access", grants, 200, nil)
	in.waitStatus("Open", "svc", "ok", 20*time.Second)
	in.waitStatus("Secret", "svc", "ok", 20*time.Second)

	t.Run("refused logins", func(t *testing.T) {
		for _, tc := range []struct{ name, user, password string }{
			{"wrong password", "reader", "not-the-password"},
			{"unknown user", "mallory", "whatever-password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				nc := startTool(t, "nc", host, port)
				nc.send(handshake)
				nc.line()
				// The same answer for both, so a name cannot be
				// confirmed by guessing.
				kr, _, _ := nc.answer("1", fmt.Sprintf(`<KC_login id="1" user="%s" password="%s"/>`, tc.user, tc.password))
				if kr != "<KR id='1' response='400'>invalid user name or password</KR>" {
					t.Fatalf("login: %q", kr)
				}
				kr, _, _ = nc.answer("2", `<KC_maps id="2"/>`)
				if !strings.HasPrefix(kr, "<KR id='2' response='401'>") {
					t.Fatalf("maps after a refused login: %q", kr)
				}
				kr, _, _ = nc.answer("3", `<KC_subscribe id="3"/>`)
				if !strings.HasPrefix(kr, "<KR id='3' response='401'>") {
					t.Fatalf("subscribe after a refused login: %q", kr)
				}
				nc.send(`<KC_quit/>`)
				nc.until("bye")
				nc.exits()
			})
		}
	})

	t.Run("allow-list", func(t *testing.T) {
		// The right password from a refused address: the connection is
		// closed before a byte is read, and the refusal is logged with
		// the rule.
		c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}).Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial from 127.0.0.2: %v", err)
		}
		defer c.Close()
		fmt.Fprintf(c, "%s\n<KC_login id=\"1\" user=\"boss\" password=\"%s\"/>\n", handshake, rolePassword("boss"))
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := c.Read(make([]byte, 256)); n > 0 || err == nil {
			t.Fatalf("a refused address got an answer (%d bytes, %v)", n, err)
		}
		in.waitEvent("limit=50", func(e event) bool {
			return e.Kind == "AUTH" && strings.Contains(e.Message, "refused 127.0.0.2 on remote") && strings.Contains(e.Message, "deny 127.0.0.2")
		})
	})

	// Every role logs in on its own connection, lists, reads and
	// subscribes to every map it may read.
	// The sessions belong to the whole test (they stream until its end);
	// each subtest reports through its own t.
	sessions := map[string]*tool{}
	for _, r := range remoteRoles {
		nc := remoteLogin(t, host, port, r.user, rolePassword(r.user))
		sessions[r.user] = nc
		t.Run("as "+r.user, func(t *testing.T) {
			nc.t = t
			var want []string
			if r.reads {
				want = append(want, "<map name='Open' status='ok' devices='1' down='0'/>")
			}
			if r.admin {
				want = append(want, "<map name='Secret' status='ok' devices='1' down='0'/>")
			}
			if kr, body, _ := nc.answer("m", `<KC_maps id="m"/>`); kr != "<KR id='m' response='200'>" || strings.Join(body, "\n") != strings.Join(want, "\n") {
				t.Fatalf("maps: %q %q, want %q", kr, body, want)
			}

			// A map the user may not read answers like a missing one.
			for _, m := range []string{"Open", "Secret"} {
				readable := r.admin || m == "Open" && r.reads
				for _, q := range []struct{ req, missing string }{
					{`<KC_maps id="q" map="%s"/>`, "<KR id='q' response='404'>no map &quot;%s&quot;</KR>"},
					{`<KC_devices id="q" map="%s"/>`, "<KR id='q' response='404'>no map &quot;%s&quot;</KR>"},
					{`<KC_status id="q" map="%s" device="svc"/>`, "<KR id='q' response='404'>no device &quot;svc&quot; on map &quot;%s&quot;</KR>"},
				} {
					kr, body, _ := nc.answer("q", fmt.Sprintf(q.req, m))
					if !readable {
						if kr != fmt.Sprintf(q.missing, m) {
							t.Errorf("%s: %q, want %q", fmt.Sprintf(q.req, m), kr, fmt.Sprintf(q.missing, m))
						}
						if ghost, _, _ := nc.answer("q", fmt.Sprintf(q.req, "Nowhere")); ghost != fmt.Sprintf(q.missing, "Nowhere") {
							t.Errorf("a missing map: %q", ghost)
						}
						continue
					}
					if kr != "<KR id='q' response='200'>" || len(body) != 1 || !strings.Contains(body[0], "name='") {
						t.Errorf("%s: %q %q", fmt.Sprintf(q.req, m), kr, body)
					}
				}
				kr, _, _ := nc.answer("s", fmt.Sprintf(`<KC_subscribe id="s" map="%s"/>`, m))
				switch {
				case readable && kr != fmt.Sprintf("<KR id='s' response='200'>subscribed to map &quot;%s&quot;</KR>", m):
					t.Errorf("subscribe to %s: %q", m, kr)
				case !readable && kr != fmt.Sprintf("<KR id='s' response='404'>no map &quot;%s&quot;</KR>", m):
					t.Errorf("subscribe to %s: %q", m, kr)
				}
			}
			// And every map it may read, which must not widen the
			// per-map subscriptions to a forbidden one.
			if kr, _, _ := nc.answer("all", `<KC_subscribe id="all"/>`); kr != "<KR id='all' response='200'>subscribed to every map you may read</KR>" {
				t.Fatalf("subscribe: %q", kr)
			}
		})
	}
	if t.Failed() {
		return
	}

	// In each phase Secret changes first and Open after it: the monitor
	// tells every subscriber in that order, so a Secret event a session
	// should not get would arrive before its Open event.
	for _, ph := range []struct {
		name         string
		change       func()
		open, secret string // the event each map's change makes
	}{
		{"status changes", func() {
			secretSvc.stop()
			in.waitStatus("Secret", "svc", "down", 20*time.Second)
			openSvc.stop()
			in.waitStatus("Open", "svc", "down", 20*time.Second)
		}, "<KE type='status' map='Open' device='svc' status='down' previous='ok' reason='", "<KE type='status' map='Secret' device='svc' status='down' previous='ok' reason='"},
		// The access grants of a deleted map go with it, yet those who
		// could read it must still hear that it is gone.
		{"deleted maps", func() {
			in.must("DELETE", "/api/v1/maps/Secret", nil, 204, nil)
			in.must("DELETE", "/api/v1/maps/Open", nil, 204, nil)
		}, "<KE type='map' map='Open' change='deleted' time='", "<KE type='map' map='Secret' change='deleted' time='"},
	} {
		ph.change()
		for _, r := range remoteRoles {
			t.Run(ph.name+" for "+r.user, func(t *testing.T) {
				nc := sessions[r.user]
				nc.t = t
				var got []string
				if r.reads {
					for {
						l := nc.line()
						if !strings.HasPrefix(l, "<KE ") {
							t.Fatalf("unexpected line %q", l)
						}
						got = append(got, l)
						if strings.HasPrefix(l, ph.open) {
							break
						}
					}
				}
				// A round trip drains whatever was queued for the
				// session after the changes.
				kr, _, evs := nc.answer("p", `<KC_ping id="p"/>`)
				if kr != "<KR id='p' response='200'>pong</KR>" {
					t.Fatalf("ping: %q", kr)
				}
				got = append(got, evs...)
				var open, secret int
				for _, e := range got {
					switch {
					case strings.HasPrefix(e, ph.open):
						open++
					case strings.HasPrefix(e, ph.secret):
						secret++
					default:
						t.Errorf("unexpected event %q", e)
					}
				}
				wantOpen, wantSecret := 0, 0
				if r.reads {
					wantOpen = 1
				}
				if r.admin {
					wantSecret = 1
				}
				if open != wantOpen || secret != wantSecret {
					t.Fatalf("events %q: Open %d, Secret %d; want %d and %d", got, open, secret, wantOpen, wantSecret)
				}
			})
		}
	}
	for _, nc := range sessions {
		nc.t = t
		nc.send(`<KC_quit/>`)
		nc.until("bye")
		nc.exits()
	}
}
