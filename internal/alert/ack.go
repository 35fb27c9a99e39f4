// Package alert decides what people are told about: acknowledgements and
// maintenance now; notification rules, escalation and suppression next.
package alert

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Ack kinds. A basic acknowledgement says "someone is on it" and clears
// itself when the device's status changes; maintenance silences a device
// until a time (timed) or until removed (indefinite), even when it is OK.
const (
	KindBasic       = "basic"
	KindMaintenance = "maintenance"
)

// Ack is an acknowledgement or maintenance window on one device.
type Ack struct {
	Map     string    `json:"map"`
	Device  string    `json:"device"`
	Kind    string    `json:"kind"`
	Comment string    `json:"comment"`
	User    string    `json:"user"`
	Until   time.Time `json:"until,omitzero"`
	Since   time.Time `json:"since"`
}

// Active reports whether the ack is in force at t.
func (a Ack) Active(t time.Time) bool { return a.Until.IsZero() || t.Before(a.Until) }

// Acks keeps acknowledgements in the database, with a copy in memory for
// the hot read path (every device view asks).
type Acks struct {
	db  *sql.DB
	now func() time.Time

	mu  sync.RWMutex
	all map[[2]string]Ack
}

// OpenAcks loads the acknowledgements.
func OpenAcks(ctx context.Context, db *sql.DB) (*Acks, error) {
	a := &Acks{db: db, now: time.Now, all: map[[2]string]Ack{}}
	rows, err := db.QueryContext(ctx, `SELECT map, device, kind, comment, user_name, until, created_at FROM acks`)
	if err != nil {
		return nil, fmt.Errorf("load acknowledgements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k Ack
		var until, created int64
		if err := rows.Scan(&k.Map, &k.Device, &k.Kind, &k.Comment, &k.User, &until, &created); err != nil {
			return nil, err
		}
		if until != 0 {
			k.Until = time.Unix(until, 0)
		}
		k.Since = time.Unix(created, 0)
		a.all[[2]string{k.Map, k.Device}] = k
	}
	return a, rows.Err()
}

// Set records an ack, replacing any earlier one on the device.
func (a *Acks) Set(ctx context.Context, k Ack) (Ack, error) {
	if k.Kind != KindBasic && k.Kind != KindMaintenance {
		return Ack{}, fmt.Errorf("kind %q is not basic or maintenance", k.Kind)
	}
	k.Since = a.now().Truncate(time.Second)
	if !k.Until.IsZero() && !k.Until.After(k.Since) {
		return Ack{}, errors.New("until is in the past")
	}
	var until int64
	if !k.Until.IsZero() {
		until = k.Until.Unix()
	}
	_, err := a.db.ExecContext(ctx, `INSERT OR REPLACE INTO acks (map, device, kind, comment, user_name, until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.Map, k.Device, k.Kind, k.Comment, k.User, until, k.Since.Unix())
	if err != nil {
		return Ack{}, fmt.Errorf("save acknowledgement of %s:%s: %w", k.Map, k.Device, err)
	}
	a.mu.Lock()
	a.all[[2]string{k.Map, k.Device}] = k
	a.mu.Unlock()
	return k, nil
}

// Clear removes a device's ack; it reports what was removed.
func (a *Acks) Clear(ctx context.Context, mapName, device string) (Ack, bool, error) {
	a.mu.Lock()
	k, ok := a.all[[2]string{mapName, device}]
	delete(a.all, [2]string{mapName, device})
	a.mu.Unlock()
	if !ok {
		return Ack{}, false, nil
	}
	if _, err := a.db.ExecContext(ctx, `DELETE FROM acks WHERE map = ? AND device = ?`, mapName, device); err != nil {
		return k, true, fmt.Errorf("remove acknowledgement of %s:%s: %w", mapName, device, err)
	}
	return k, true, nil
}

// Get returns the device's ack in force, if any.
func (a *Acks) Get(mapName, device string) (Ack, bool) {
	a.mu.RLock()
	k, ok := a.all[[2]string{mapName, device}]
	a.mu.RUnlock()
	if !ok || !k.Active(a.now()) {
		return Ack{}, false
	}
	return k, true
}

// Effective returns what silences a device now: its own maintenance, else
// its map's maintenance window (stored with an empty device name, so it
// covers devices added during it too), else its own acknowledgement.
// Planned work outranks "someone is on it".
func (a *Acks) Effective(mapName, device string) (Ack, bool) {
	own, ok := a.Get(mapName, device)
	if ok && own.Kind == KindMaintenance || device == "" {
		return own, ok
	}
	if m, mok := a.Get(mapName, ""); mok {
		return m, true
	}
	return own, ok
}

// Expired removes and returns the acks whose time is up.
func (a *Acks) Expired(ctx context.Context) []Ack {
	now := a.now()
	var out []Ack
	a.mu.RLock()
	for _, k := range a.all {
		if !k.Active(now) {
			out = append(out, k)
		}
	}
	a.mu.RUnlock()
	for _, k := range out {
		a.Clear(ctx, k.Map, k.Device)
	}
	return out
}
