package trap

import (
	"sync"
	"time"
)

// Record is a received trap as the API serves it (GET /api/v1/traps):
// every field but the community, the devices it went to, and its
// event-log message.
type Record struct {
	// ID numbers traps from 1 in the order they were kept.
	ID           uint64    `json:"id"`
	Received     time.Time `json:"received"`
	Sender       string    `json:"sender"` // "192.0.2.1:49152"
	AgentAddress string    `json:"agent_address,omitempty"`
	Version      string    `json:"version"` // "1", "2c", "3"
	User         string    `json:"user,omitempty"`
	Enterprise   string    `json:"enterprise,omitempty"`
	GenericTrap  int       `json:"generic_trap"`
	SpecificTrap int       `json:"specific_trap"`
	TrapOID      string    `json:"trap_oid,omitempty"`
	// TrapName is TrapOID named by the MIBs ("IF-MIB::linkDown").
	TrapName string    `json:"trap_name,omitempty"`
	Uptime   uint32    `json:"uptime"` // hundredths of a second
	Inform   bool      `json:"inform"`
	Varbinds []Varbind `json:"varbinds"`
	// Devices received the trap; none means it was unmatched.
	Devices   []DeviceRef `json:"devices"`
	Unmatched bool        `json:"unmatched"`
	// Message is the event-log message (short or verbose, as configured).
	Message string `json:"message"`
}

// Varbind is one variable binding of a Record.
type Varbind struct {
	OID   string `json:"oid"`
	Name  string `json:"name,omitempty"` // named by the MIBs, when they know it
	Type  string `json:"type"`           // INTEGER, STRING, OID, IpAddress, Counter32 …
	Value string `json:"value"`
}

// Query selects recent traps.
type Query struct {
	// Since keeps traps received at or after it.
	Since time.Time
	// AfterID keeps traps with a greater ID, for a client polling for new ones.
	AfterID uint64
	// Limit is the most returned (default 100). With Since or AfterID the
	// first ones from there are returned, otherwise the latest.
	Limit int
	// Map and Device keep traps delivered to that map (and device).
	Map, Device string
	// Unmatched keeps only traps no device received.
	Unmatched bool
}

type entry struct {
	id      uint64
	trap    Trap // Community cleared
	devices []DeviceRef
	message string
}

// ring keeps the last traps; safe for concurrent use.
type ring struct {
	mu     sync.Mutex
	buf    []entry
	next   int // where the next entry goes
	full   bool
	lastID uint64
}

func newRing(n int) *ring { return &ring{buf: make([]entry, n)} }

// add keeps t (without its community) and returns its ID.
func (r *ring) add(t Trap, devices []DeviceRef, message string) uint64 {
	t.Community = ""
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastID++
	if len(r.buf) == 0 {
		return r.lastID
	}
	r.buf[r.next] = entry{id: r.lastID, trap: t, devices: devices, message: message}
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
	return r.lastID
}

func (e *entry) match(q Query) bool {
	if e.id <= q.AfterID || !q.Since.IsZero() && e.trap.Received.Before(q.Since) {
		return false
	}
	if q.Unmatched && len(e.devices) > 0 {
		return false
	}
	if q.Map == "" && q.Device == "" {
		return true
	}
	for _, d := range e.devices {
		if (q.Map == "" || d.Map == q.Map) && (q.Device == "" || d.Device == q.Device) {
			return true
		}
	}
	return false
}

// query returns matching entries oldest first.
func (r *ring) query(q Query) []entry {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	fromStart := !q.Since.IsZero() || q.AfterID > 0
	r.mu.Lock()
	defer r.mu.Unlock()
	n, start := r.next, 0
	if r.full {
		n, start = len(r.buf), r.next
	}
	at := func(i int) *entry { return &r.buf[(start+i)%len(r.buf)] }
	var out []entry
	if fromStart {
		for i := 0; i < n && len(out) < q.Limit; i++ {
			if e := at(i); e.match(q) {
				out = append(out, *e)
			}
		}
		return out
	}
	for i := n - 1; i >= 0 && len(out) < q.Limit; i-- {
		if e := at(i); e.match(q) {
			out = append(out, *e)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// record turns an entry into its API form.
func (e *entry) record(n Namer) Record {
	t := &e.trap
	name := func(oid string) string {
		if n == nil || oid == "" {
			return ""
		}
		if s := n.Name(oid); s != oid {
			return s
		}
		return ""
	}
	r := Record{
		ID: e.id, Received: t.Received, Sender: t.Sender.String(), Version: t.Version, User: t.User,
		Enterprise: t.Enterprise, GenericTrap: t.GenericTrap, SpecificTrap: t.SpecificTrap,
		TrapOID: t.TrapOID, TrapName: name(t.TrapOID), Uptime: t.Uptime, Inform: t.Inform,
		Varbinds: make([]Varbind, len(t.Varbinds)), Devices: e.devices, Unmatched: len(e.devices) == 0,
		Message: e.message,
	}
	if t.AgentAddress.IsValid() {
		r.AgentAddress = t.AgentAddress.String()
	}
	if r.Devices == nil {
		r.Devices = []DeviceRef{}
	}
	for i, v := range t.Varbinds {
		r.Varbinds[i] = Varbind{OID: v.OID, Name: name(v.OID), Type: v.Type.String(), Value: v.AsString()}
	}
	return r
}
