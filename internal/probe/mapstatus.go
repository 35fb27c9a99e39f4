package probe

// The Map Status probe (InterMapper's com.dartware.map.status): a device on
// a top-level map that stands for a whole map, on another Vantage server or
// on this one, and takes that map's worst status. Its values carry the
// counts and map_url, the address that opens the map (drill-down).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/status"
)

// MapSummaries gives the summaries of this server's own maps. Map Status
// devices without a server read them directly, never over HTTP: no
// credentials are needed and a server cannot wait on itself.
type MapSummaries interface {
	MapSummary(ctx context.Context, name string) (remotes.Summary, bool)
	// MapKey names one of this server's maps in summaries' follows
	// (remotes.MapKey), and ServerName names the server in a loop's
	// reason: a device following another server's map looks for its own
	// map among what that map depends on.
	MapKey(name string) string
	ServerName() string
}

// defaultMapStatusTimeout bounds a poll whose device sets no timeout.
const defaultMapStatusTimeout = 10 * time.Second

// MapStatusInfo describes the Map Status probe; local answers for maps of
// this server (nil: only other servers can be watched).
func MapStatusInfo(local MapSummaries) Info {
	return Info{
		ID: remotes.MapStatusProbe, Name: "Map Status", Aliases: []string{"map.status", "mapstatus"},
		Category: "Basic/Map Status",
		Params: []Param{
			{Name: "map", Aliases: []string{"Map Name"}, Help: "name of the map to follow (required)"},
			{Name: "server", Aliases: []string{"Server URL"}, Help: "base address of the other Vantage server, https://host:8080; empty follows a map of this server"},
			{Name: "token", Kind: "password", Help: "API token of a user who may read the map on that server"},
			{Name: "user", Aliases: []string{"Username"}, Help: "user name, when no token is given (HTTP Basic)"},
			{Name: "password", Aliases: []string{"Password", "Password*"}, Kind: "password", Help: "that user's password"},
			{Name: "fingerprint", Help: "SHA-256 fingerprint of the server's certificate (SHA256:AB:CD…), for self-signed certificates"},
			{Name: "insecure", Default: "false", Kind: "checkbox", Choices: []string{"true", "false"}, Help: "skip certificate checks (prefer fingerprint)"},
			{Name: "timeout", Default: "10s", Help: "how long the poll may take"},
		},
		New: func() Probe { return &mapStatusProbe{local: local} },
	}
}

// mapStatusProbe keeps its HTTP client between polls, so connections to
// the other server are reused; it is rebuilt when the parameters change.
type mapStatusProbe struct {
	local MapSummaries

	mu     sync.Mutex
	key    remotes.ClientOptions
	client *remotes.Client
}

// CheckParams refuses a device without a map or with an unusable server
// address or fingerprint when it is saved.
func (p *mapStatusProbe) CheckParams(params map[string]string) error {
	mp := remotes.NormalizeParams(params)
	if mp.Map == "" {
		return errors.New("map: the name of the map to follow is required")
	}
	if mp.Server != "" {
		if _, err := remotes.ParseURL(mp.Server); err != nil {
			return fmt.Errorf("server: %w", err)
		}
		if _, err := remotes.TLSConfig(mp.Fingerprint, mp.Insecure); err != nil {
			return fmt.Errorf("fingerprint: %w", err)
		}
	}
	return nil
}

func (p *mapStatusProbe) Poll(ctx context.Context, t Target) status.Result {
	mp := remotes.NormalizeParams(t.Params)
	timeout := t.Timeout
	if timeout <= 0 {
		if d, err := parseTimeout(t.Params["timeout"]); err == nil && d > 0 {
			timeout = d
		} else {
			timeout = defaultMapStatusTimeout
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	if mp.Map == "" {
		return status.Result{Level: status.Down, Reason: "no map name given (parameter map)", Time: time.Now()}
	}
	if mp.Server == "" {
		return p.pollLocal(ctx, mp)
	}
	c, err := p.clientFor(mp)
	if err != nil {
		return status.Result{Level: status.Down, Reason: err.Error(), Time: time.Now()}
	}
	s, err := c.Summary(ctx, mp.Map)
	if err != nil {
		var se *remotes.StatusError
		if errors.As(err, &se) {
			reason := fmt.Sprintf("map %s on %s: %s", mp.Map, c.Base(), se.Msg)
			if se.Code == http.StatusUnauthorized || se.Code == http.StatusForbidden {
				reason = fmt.Sprintf("map %s on %s: not allowed (%d): check token or user", mp.Map, c.Base(), se.Code)
			}
			return status.Result{Level: status.Down, Reason: reason, Time: time.Now(), Values: map[string]any{"map_url": c.MapURL(mp.Map)}}
		}
		return status.Result{Level: status.Down, NoResponse: true, Reason: fmt.Sprintf("map %s: %v", mp.Map, err), Time: time.Now()}
	}
	where := s.Server
	if where == "" {
		where = c.Host()
	}
	r := summaryResult(s, where, c.MapURL(mp.Map))
	r.RTT = time.Since(start)
	r.Values["server"] = c.Base()
	// What this device depends on goes into its map's summary, so a
	// server following that map can tell when it would count itself.
	if through := s.Through(); through != nil {
		r.Values[remotes.ValueFollows] = through
	}
	if p.local != nil && t.Map != "" {
		if hops, loop := s.LoopTo(p.local.MapKey(t.Map)); loop {
			return loopResult(r, remotes.LoopText(p.local.ServerName()+"/"+t.Map, where+"/"+s.Map, hops))
		}
	}
	return r
}

// loopResult reports a device whose map depends on itself through it: an
// error of its own, not the followed map's status, which would include
// this device's and so latch. Its map's summary leaves it out (Loop).
// The values still carry what it follows, so every server on the loop
// keeps seeing the loop until it is broken.
func loopResult(r status.Result, loop string) status.Result {
	v := map[string]any{remotes.ValueLoop: loop}
	for _, k := range []string{"map", "map_url", "server", remotes.ValueFollows} {
		if x, ok := r.Values[k]; ok {
			v[k] = x
		}
	}
	return status.Result{Level: status.Critical, Reason: "loop: " + loop + " (a Map Status device that follows a map which follows this one back; remove one of them)",
		Values: v, RTT: r.RTT, Time: r.Time}
}

func (p *mapStatusProbe) pollLocal(ctx context.Context, mp remotes.Params) status.Result {
	if p.local == nil {
		return status.Result{Level: status.Unknown, Reason: "this server's maps are not available to the Map Status probe", Time: time.Now()}
	}
	s, ok := p.local.MapSummary(ctx, mp.Map)
	if !ok {
		return status.Result{Level: status.Down, Reason: fmt.Sprintf("no map named %q on this server", mp.Map), Time: time.Now()}
	}
	return summaryResult(s, "", "#/map/"+url.PathEscape(mp.Map))
}

// summaryResult turns a summary into the device's status: the map's worst
// status, a reason with the counts, and the counts as values.
func summaryResult(s remotes.Summary, where, link string) status.Result {
	lvl, err := status.Parse(s.Status)
	if err != nil {
		return status.Result{Level: status.Unknown, Reason: fmt.Sprintf("map %s: %v", s.Map, err), Time: time.Now()}
	}
	v := map[string]any{
		"map": s.Map, "map_url": link, "map_status": s.Status, "devices": s.Devices,
		"unreachable": s.Unreachable, "acknowledged": s.Acknowledged, "maintenance": s.Maintenance,
	}
	for _, l := range []status.Level{status.OK, status.Warning, status.Alarm, status.Critical, status.Down, status.Unknown} {
		v[l.String()] = s.Counts[l.String()]
	}
	if len(s.Loops) > 0 {
		v["loops"] = s.Loops
	}
	return status.Result{Level: lvl, Reason: s.Reason(where), Values: v, Time: time.Now()}
}

// clientFor returns the cached client, or a new one when the parameters
// changed.
func (p *mapStatusProbe) clientFor(mp remotes.Params) (*remotes.Client, error) {
	o := remotes.ClientOptions{URL: mp.Server, Token: mp.Token, User: mp.User, Password: mp.Password, Fingerprint: mp.Fingerprint, Insecure: mp.Insecure}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil && p.key == o {
		return p.client, nil
	}
	c, err := remotes.NewClient(o)
	if err != nil {
		return nil, err
	}
	p.key, p.client = o, c
	return c, nil
}
