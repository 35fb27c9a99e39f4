package remote

import (
	"context"
	"strings"
	"sync"
	"testing"
)

func TestSubscribeStreamsChanges(t *testing.T) {
	s, src := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.login()
	c.ask(`<KC_subscribe id="2" map="Lab"/>`, `<KR id='2' response='200'>subscribed to map &quot;Lab&quot;</KR>`)
	// A poll that changes nothing is not sent; a change is.
	src.emit(Change{Map: "Lab", Device: "gw"})
	src.SetStatus("Lab", "gw", "down", "no reply to 3 pings")
	src.emit(Change{Map: "Lab", Device: "gw"})
	if got := c.line(); got != `<KE type='status' map='Lab' device='gw' status='down' previous='ok' reason='no reply to 3 pings'/>` {
		t.Fatalf("event %q", got)
	}
	// Other maps are not sent; map changes are.
	src.SetStatus("Branch", "gw", "down", "x")
	src.emit(Change{Map: "Branch", Device: "gw"})
	src.emit(Change{Map: "Lab", MapChanged: true})
	if got := c.line(); !strings.HasPrefix(got, `<KE type='map' map='Lab' change='changed' time='`) {
		t.Fatalf("event %q", got)
	}
	// Requests keep working between events.
	c.ask(`<KC_ping id="3"/>`, `<KR id='3' response='200'>pong</KR>`)
	c.ask(`<KC_unsubscribe id="4"/>`, `<KR id='4' response='200'>unsubscribed</KR>`)
	if n := src.subscribers(); n != 0 {
		t.Fatalf("%d subscribers after unsubscribe", n)
	}
	src.SetStatus("Lab", "gw", "ok", "")
	src.emit(Change{Map: "Lab", Device: "gw"})
	c.ask(`<KC_ping id="5"/>`, `<KR id='5' response='200'>pong</KR>`)
}

func TestSubscribeAllAndClose(t *testing.T) {
	s, src := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.login()
	c.ask(`<KC_subscribe id="2"/>`, `<KR id='2' response='200'>subscribed to every map you may read</KR>`)
	src.SetStatus("Branch", "gw", "warning", "RTT 400 ms")
	src.emit(Change{Map: "Branch", Device: "gw"})
	if got := c.line(); got != `<KE type='status' map='Branch' device='gw' status='warning' previous='ok' reason='RTT 400 ms'/>` {
		t.Fatalf("event %q", got)
	}
	c.ask(`<KC_quit/>`, `<KR id='' response='200'>bye</KR>`)
	c.r.ReadByte()
	if n := src.subscribers(); n != 0 {
		t.Fatalf("%d subscribers after quit", n)
	}
}

func TestSubscribeOverflow(t *testing.T) {
	sub := &subscription{queue: make(chan Change, 1), all: true}
	sub.push(Change{Map: "m", Device: "a"})
	sub.push(Change{Map: "m", Device: "b"})
	if !sub.overflow.Load() {
		t.Fatal("a full queue did not flag overflow")
	}
}

func TestSubscribeNeedsLogin(t *testing.T) {
	s, _ := newTestServer(t, testConfig(), nil)
	c := pipe(t, s, false)
	c.send(`<KC_subscribe id="2"/>`)
	if got := c.line(); !strings.HasPrefix(got, `<KR id='2' response='401'>`) {
		t.Fatalf("got %q", got)
	}
}

// TestSubscribeDeletedMap: a map's deletion takes its access grants with
// it, so whether to tell a subscriber follows what the user could read
// before: those who could hear that the map is gone, others never learn
// that it existed, and a user whose access was withdrawn (seen at an
// earlier event) hears nothing more of it.
func TestSubscribeDeletedMap(t *testing.T) {
	var mu sync.Mutex
	grants := map[string]bool{"Lab": true, "Branch": false, "Old": true}
	s, src := newTestServer(t, testConfig(), func(d *Deps) {
		d.CanRead = func(_ context.Context, user, m string) bool {
			mu.Lock()
			defer mu.Unlock()
			return user == "viewer" && grants[m]
		}
	})
	c := pipe(t, s, false)
	c.ask(`<KC_login id="1" user="viewer" password="`+testPassword+`"/>`, `<KR id='1' response='200'>viewer</KR>`)
	c.ask(`<KC_subscribe id="2"/>`, `<KR id='2' response='200'>subscribed to every map you may read</KR>`)
	// Old is made after the subscription; its first change makes it known.
	src.emit(Change{Map: "Old", MapChanged: true})
	if got := c.line(); !strings.HasPrefix(got, `<KE type='map' map='Old' change='changed' time='`) {
		t.Fatalf("event %q", got)
	}
	mu.Lock()
	grants["Old"] = false
	mu.Unlock()
	src.emit(Change{Map: "Old", MapChanged: true})
	mu.Lock()
	clear(grants)
	mu.Unlock()
	for _, m := range []string{"Branch", "Old", "Lab"} {
		src.emit(Change{Map: m, MapDeleted: true})
	}
	if got := c.line(); !strings.HasPrefix(got, `<KE type='map' map='Lab' change='deleted' time='`) {
		t.Fatalf("event %q, want Lab's deletion only", got)
	}
	c.ask(`<KC_ping id="3"/>`, `<KR id='3' response='200'>pong</KR>`)
}
