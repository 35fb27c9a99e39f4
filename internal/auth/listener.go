package auth

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/eventlog"
)

// FilteredListener closes connections an allow-list refuses as they are
// accepted, before a byte is read, and logs each refusal with the rule
// that decided it: once a minute per address at most, so a scan cannot
// flood the logs.
type FilteredListener struct {
	net.Listener
	name   string
	list   *AllowList
	logger *slog.Logger
	events Events
	now    func() time.Time

	mu     sync.Mutex
	logged map[netip.Addr]time.Time
}

// Filter wraps ln for listener name (http, remote, console); events may
// be nil.
func Filter(ln net.Listener, name string, list *AllowList, logger *slog.Logger, events Events) *FilteredListener {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &FilteredListener{Listener: ln, name: name, list: list, logger: logger, events: events, now: time.Now, logged: map[netip.Addr]time.Time{}}
}

// Accept returns the next allowed connection.
func (f *FilteredListener) Accept() (net.Conn, error) {
	for {
		c, err := f.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := remoteAddr(c)
		ok, reason := f.list.Allow(addr)
		if ok {
			return c, nil
		}
		c.Close()
		f.refused(addr, reason)
	}
}

func (f *FilteredListener) refused(addr netip.Addr, reason string) {
	now := f.now()
	f.mu.Lock()
	last, seen := f.logged[addr]
	quiet := seen && now.Sub(last) < time.Minute
	if !quiet {
		if len(f.logged) > 10000 {
			clear(f.logged)
		}
		f.logged[addr] = now
	}
	f.mu.Unlock()
	if quiet {
		return
	}
	msg := fmt.Sprintf("refused %s on %s: %s", addr, f.name, reason)
	f.logger.Warn(msg, "listener", f.name, "address", addr.String())
	if f.events != nil {
		f.events.Write(eventlog.Event{Kind: KindAuth, Message: msg})
	}
}

// remoteAddr is a connection's peer address (invalid when unknown, which
// only a rule-less list allows).
func remoteAddr(c net.Conn) netip.Addr {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return ta.AddrPort().Addr().Unmap()
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
