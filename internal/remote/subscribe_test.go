package remote

import (
	"strings"
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
