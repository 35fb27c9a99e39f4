package remote

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// subscription feeds one session's status-change stream. The source calls
// push on its own goroutines, which must never block: a full queue drops
// the change and the client is told to re-read (<KE type='overflow'/>).
type subscription struct {
	queue    chan Change
	overflow atomic.Bool
	cancel   func()
	done     chan struct{}
	stopped  sync.WaitGroup

	mu   sync.Mutex
	all  bool
	maps map[string]bool
	// last is the status last sent (or seen at subscription) per
	// device, so only changes are sent: the source reports every poll.
	last map[[2]string]string
	// known are the maps the user could read when last asked (at
	// subscription or at their last event). A deleted map's grants go
	// with it, so its deletion is told to those who knew the map rather
	// than to those who may read it now.
	known map[string]bool
}

// queueLen bounds the changes waiting for a slow client.
const queueLen = 1024

func (sub *subscription) push(c Change) {
	sub.mu.Lock()
	want := sub.all || sub.maps[c.Map]
	sub.mu.Unlock()
	if !want {
		return
	}
	select {
	case sub.queue <- c:
	default:
		sub.overflow.Store(true)
	}
}

// subscribe adds one map (map attribute) or every readable map.
func (ss *session) subscribe(ctx context.Context, req Request) bool {
	src := ss.srv.deps.Source
	name := req.Attr("map")
	var names []string
	if name != "" {
		if _, ok := src.Devices(name); !ok || !ss.canRead(ctx, name) {
			return ss.write(reply(req.ID, CodeNotFound, "no map "+strconv.Quote(name)))
		}
		names = []string{name}
	} else {
		for _, m := range src.Maps() {
			if ss.canRead(ctx, m.Name) {
				names = append(names, m.Name)
			}
		}
	}
	if ss.sub == nil {
		sub := &subscription{queue: make(chan Change, queueLen), done: make(chan struct{}), maps: map[string]bool{}, last: map[[2]string]string{}, known: map[string]bool{}}
		sub.stopped.Go(func() { ss.pump(ctx, sub) })
		sub.cancel = src.Subscribe(sub.push)
		ss.sub = sub
	}
	sub := ss.sub
	// The baseline is read before the map is switched on, so a change
	// that arrives meanwhile is compared with it and not lost.
	base := map[[2]string]string{}
	for _, n := range names {
		devs, _ := src.Devices(n)
		for _, d := range devs {
			base[[2]string{n, d.Name}] = d.Status
		}
	}
	sub.mu.Lock()
	for _, n := range names {
		sub.known[n] = true
	}
	for k, v := range base {
		if _, seen := sub.last[k]; !seen || !sub.maps[k[0]] && !sub.all {
			sub.last[k] = v
		}
	}
	if name == "" {
		sub.all = true
	} else {
		sub.maps[name] = true
	}
	sub.mu.Unlock()
	what := "every map you may read"
	if name != "" {
		what = "map " + strconv.Quote(name)
	}
	return ss.write(reply(req.ID, CodeOK, "subscribed to "+what))
}

// unsubscribe stops one map (map attribute) or everything.
func (ss *session) unsubscribe(req Request) bool {
	name := req.Attr("map")
	if name == "" || ss.sub == nil {
		ss.unsubscribeAll()
		return ss.write(reply(req.ID, CodeOK, "unsubscribed"))
	}
	ss.sub.mu.Lock()
	delete(ss.sub.maps, name)
	for k := range ss.sub.last {
		if k[0] == name {
			delete(ss.sub.last, k)
		}
	}
	ss.sub.mu.Unlock()
	return ss.write(reply(req.ID, CodeOK, "unsubscribed from map "+strconv.Quote(name)))
}

// unsubscribeAll ends the subscription and waits for its writer.
func (ss *session) unsubscribeAll() {
	sub := ss.sub
	if sub == nil {
		return
	}
	ss.sub = nil
	sub.cancel()
	close(sub.done)
	sub.stopped.Wait()
}

// pump writes queued changes as <KE/> elements until the subscription
// ends.
func (ss *session) pump(ctx context.Context, sub *subscription) {
	for {
		select {
		case <-sub.done:
			return
		case c := <-sub.queue:
			if ev := ss.event(ctx, sub, c); ev != "" && !ss.write(ev) {
				return
			}
			if len(sub.queue) == 0 && sub.overflow.Swap(false) {
				if !ss.write(element("KE", "type", "overflow", "time", time.Now().UTC().Format(time.RFC3339)) + "\n") {
					return
				}
			}
		}
	}
}

// event renders a change, or "" when there is nothing to tell (the
// status did not change, or the user may not read the map).
func (ss *session) event(ctx context.Context, sub *subscription, c Change) string {
	readable := ss.canRead(ctx, c.Map)
	sub.mu.Lock()
	knew := sub.known[c.Map]
	if readable && !c.MapDeleted {
		sub.known[c.Map] = true
	} else {
		delete(sub.known, c.Map)
	}
	sub.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339)
	switch {
	case c.MapDeleted:
		sub.mu.Lock()
		for k := range sub.last {
			if k[0] == c.Map {
				delete(sub.last, k)
			}
		}
		sub.mu.Unlock()
		if !readable && !knew {
			return ""
		}
		return element("KE", "type", "map", "map", c.Map, "change", "deleted", "time", now) + "\n"
	case !readable:
		return ""
	case c.MapChanged:
		return element("KE", "type", "map", "map", c.Map, "change", "changed", "time", now) + "\n"
	}
	d, ok := ss.srv.deps.Source.Status(c.Map, c.Device)
	if !ok {
		return ""
	}
	word := d.Status
	if d.Acknowledged {
		word += "+ack"
	}
	if d.Maintenance {
		word += "+maint"
	}
	key := [2]string{c.Map, c.Device}
	sub.mu.Lock()
	prev, seen := sub.last[key]
	sub.last[key] = word
	sub.mu.Unlock()
	if seen && prev == word {
		return ""
	}
	kv := []string{"type", "status", "map", d.Map, "device", d.Name, "status", d.Status, "previous", stripFlags(prev), "reason", d.Reason}
	if d.Acknowledged {
		kv = append(kv, "acknowledged", "true")
	}
	if d.Maintenance {
		kv = append(kv, "maintenance", "true")
	}
	kv = append(kv, "time", timeAttr(d.LastPoll))
	return element("KE", kv...) + "\n"
}

func stripFlags(s string) string {
	for i := range len(s) {
		if s[i] == '+' {
			return s[:i]
		}
	}
	return s
}
