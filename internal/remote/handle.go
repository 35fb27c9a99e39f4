package remote

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/ctl"
)

// handle answers one request and reports whether to read the next.
func (ss *session) handle(ctx context.Context, req Request) bool {
	switch req.Name {
	case "KC_version":
		return ss.version(req)
	case "KC_ping":
		return ss.write(reply(req.ID, CodeOK, "pong"))
	case "KC_quit":
		ss.write(reply(req.ID, CodeOK, "bye"))
		return false
	case "KC_login":
		return ss.login(ctx, req)
	case "KC_checkenginestatus":
		return ss.engineStatus(req)
	case "KC_maps", "KC_devices", "KC_status", "KC_subscribe", "KC_unsubscribe":
		if ss.user == "" {
			return ss.write(reply(req.ID, CodeUnauthorized, "log in first with <KC_login user=\"…\" password=\"…\"/>"))
		}
	default:
		return ss.bad(req.ID, fmt.Sprintf("unknown request <%s>", req.Name))
	}
	switch req.Name {
	case "KC_maps":
		return ss.maps(ctx, req)
	case "KC_devices":
		return ss.devices(ctx, req)
	case "KC_status":
		return ss.status(ctx, req)
	case "KC_subscribe":
		return ss.subscribe(ctx, req)
	default: // KC_unsubscribe
		return ss.unsubscribe(req)
	}
}

// version answers the handshake. Any 0.x client is served in 0.9; the
// answer always names the version the server speaks.
func (ss *session) version(req Request) bool {
	if v := req.Text; v != "" && !strings.HasPrefix(v, "0.") && v != "0" {
		return ss.write(reply(req.ID, CodeVersionNotSup, Version))
	}
	return ss.write(reply(req.ID, CodeOK, Version))
}

// login checks a password, slowing down and then locking out an address
// that keeps failing.
func (ss *session) login(ctx context.Context, req Request) bool {
	lim := ss.srv.limiter
	user, pw := req.Attr("user"), req.Attr("password")
	if user == "" {
		return ss.bad(req.ID, "<KC_login> needs user and password attributes")
	}
	if !ss.secure && !ss.local() && !ss.srv.cfg.AllowPlainLogin {
		ss.log.Warn("remote plain-text login refused", "user", user)
		return ss.write(reply(req.ID, CodeForbidden, "log in over TLS: this connection is not encrypted"))
	}
	if locked, until := lim.Locked(ss.peer); locked {
		ss.log.Warn("remote login refused: address locked out", "user", user, "until", until)
		return ss.write(reply(req.ID, CodeTooMany, "too many failed logins from this address; try again after "+until.UTC().Format(time.RFC3339)))
	}
	ok, err := ss.srv.deps.CheckPassword(ctx, user, pw)
	if err != nil {
		ss.log.Error("remote login failed", "user", user, "err", err)
		return ss.write(reply(req.ID, CodeInternal, "cannot check the password now (see the server log)"))
	}
	if !ok {
		locked := lim.Fail(ss.peer)
		ss.log.Warn("remote login failed", "user", user, "locked_out", locked)
		if d := lim.Delay(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return false
			}
		}
		if locked {
			return ss.write(reply(req.ID, CodeTooMany, "too many failed logins from this address; locked out"))
		}
		// Repeated failures close the connection like other bad requests
		// (a 400 answer, not 401: the code says the request was refused).
		return ss.bad(req.ID, "invalid user name or password")
	}
	lim.Succeed(ss.peer)
	ss.unsubscribeAll()
	ss.user = user
	ss.log.Info("remote user logged in", "user", user)
	return ss.write(reply(req.ID, CodeOK, user))
}

// engineStatus answers InterMapper's "Engine Status" probe request with
// name=value lines. It needs no login, like the probe: it tells counts
// only.
func (ss *session) engineStatus(req Request) bool {
	maps := ss.srv.deps.Source.Maps()
	devices := 0
	for _, m := range maps {
		devices += m.Devices
	}
	body := fmt.Sprintf("<KR id='%s' response='%d'>\nmapcount=%d\ndevicecount=%d\n</KR>\n", escape(req.ID), CodeOK, len(maps), devices)
	return ss.write(body)
}

func (ss *session) maps(ctx context.Context, req Request) bool {
	only := req.Attr("map")
	var lines []string
	for _, m := range ss.srv.deps.Source.Maps() {
		if only != "" && m.Name != only || !ss.canRead(ctx, m.Name) {
			continue
		}
		lines = append(lines, mapElement(m))
	}
	if only != "" && len(lines) == 0 {
		return ss.write(reply(req.ID, CodeNotFound, "no map "+strconv.Quote(only)))
	}
	return ss.write(replyElements(req.ID, CodeOK, lines))
}

func (ss *session) devices(ctx context.Context, req Request) bool {
	name := req.Attr("map")
	if name == "" {
		return ss.bad(req.ID, "<KC_devices> needs a map attribute")
	}
	devs, ok := ss.srv.deps.Source.Devices(name)
	if !ok || !ss.canRead(ctx, name) {
		return ss.write(reply(req.ID, CodeNotFound, "no map "+strconv.Quote(name)))
	}
	lines := make([]string, 0, len(devs))
	for _, d := range devs {
		lines = append(lines, deviceElement(d, false))
	}
	return ss.write(replyElements(req.ID, CodeOK, lines))
}

func (ss *session) status(ctx context.Context, req Request) bool {
	m, d := req.Attr("map"), req.Attr("device")
	if m == "" || d == "" {
		return ss.bad(req.ID, "<KC_status> needs map and device attributes")
	}
	dev, ok := ss.srv.deps.Source.Status(m, d)
	if !ok || !ss.canRead(ctx, m) {
		return ss.write(reply(req.ID, CodeNotFound, fmt.Sprintf("no device %q on map %q", d, m)))
	}
	return ss.write(replyElements(req.ID, CodeOK, []string{deviceElement(dev, true)}))
}

func mapElement(m ctl.Map) string {
	return element("map", "name", m.Name, "status", m.Status, "devices", strconv.Itoa(m.Devices), "down", strconv.Itoa(m.Down))
}

// deviceElement renders a device; full adds the poll counters.
func deviceElement(d ctl.Device, full bool) string {
	kv := []string{"map", d.Map, "name", d.Name, "address", d.Address, "probe", d.Probe, "status", d.Status, "reason", d.Reason, "since", timeAttr(d.Since)}
	if d.Acknowledged {
		kv = append(kv, "acknowledged", "true")
	}
	if d.Maintenance {
		kv = append(kv, "maintenance", "true")
	}
	if full {
		kv = append(kv, "last_poll", timeAttr(d.LastPoll), "polls", strconv.FormatInt(d.Polls, 10), "failures", strconv.FormatInt(d.Failures, 10))
	}
	return element("device", kv...)
}

func timeAttr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
