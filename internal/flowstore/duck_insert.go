package flowstore

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"time"

	"github.com/marcboeker/go-duckdb"
)

// maintainEvery is how often Insert checks the size cap and age limit.
const maintainEvery = 30 * time.Second

// Insert stores sessions, each in the file of the UTC day it starts, with
// DuckDB's appender.
func (d *Duck) Insert(ctx context.Context, sessions []Session) error {
	byDay := make(map[string][]*Session)
	for i := range sessions {
		s := &sessions[i]
		start, _ := storedTimes(s)
		day := time.UnixMilli(start).UTC().Format("20060102")
		byDay[day] = append(byDay[day], s)
	}
	d.mu.Lock()
	for day, ss := range byDay {
		if err := d.appendDayLocked(ctx, day, ss); err != nil {
			d.mu.Unlock()
			return err
		}
		if err := d.unrollLocked(ctx, ss); err != nil {
			d.mu.Unlock()
			return err
		}
	}
	due := time.Since(d.lastMnt) >= maintainEvery
	if due {
		d.lastMnt = time.Now()
	}
	d.mu.Unlock()
	if due {
		if err := d.Maintain(ctx); err != nil {
			return err
		}
		return d.Rollup(ctx, time.Now().Add(-rollupDelay))
	}
	return nil
}

func (d *Duck) appendDayLocked(ctx context.Context, day string, ss []*Session) error {
	if d.db == nil {
		return fmt.Errorf("flow store %s: closed", d.dir)
	}
	if err := d.attachLocked(ctx, day, true); err != nil {
		return err
	}
	for _, s := range ss {
		_, dur := storedTimes(s)
		d.maxDur[day] = max(d.maxDur[day], int64(dur))
	}
	// The appender (DuckDB 1.1's C API) names a schema but no catalog:
	// make the day's database the default on the ingest connection.
	if _, err := d.ingest.ExecContext(ctx, "USE "+alias(day)); err != nil {
		return fmt.Errorf("flow store day %s: %w", day, err)
	}
	err := d.ingest.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "main", "sessions")
		if err != nil {
			return err
		}
		for _, s := range ss {
			start, dur := storedTimes(s)
			ch, cl := addrHalves(s.Client)
			sh, sl := addrHalves(s.Server)
			exp := ""
			if s.Exporter.IsValid() {
				exp = s.Exporter.Unmap().String()
			}
			if err := a.AppendRow(start, dur, ch, cl, sh, sl, s.ClientPort, s.ServerPort, s.Proto,
				s.BytesCS, s.BytesSC, s.PacketsCS, s.PacketsSC, exp, s.InIf, s.OutIf,
				s.Flows, s.Sampling, flag(s.Duplicate), flag(s.Continued)); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if _, uerr := d.ingest.ExecContext(ctx, "USE memory"); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("flow store day %s: append %d sessions: %w", day, len(ss), err)
	}
	return nil
}

// Size is the bytes of the day files (with their write-ahead logs).
func (d *Duck) Size(context.Context) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sizeLocked(), nil
}

func (d *Duck) sizeLocked() int64 {
	var n int64
	for day := range d.days {
		n += fileSize(d.dayPath(day))
	}
	return n
}

// Maintain enforces the size cap and the age limit: while the files are
// larger than MaxBytes, or the oldest day ended more than MaxAge ago, the
// oldest day is detached and its file removed. The newest day is kept
// whatever its size. Insert calls it every 30 seconds; it is exported for
// tests and tools.
func (d *Duck) Maintain(ctx context.Context) error {
	<-d.loaded
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.db == nil {
		return nil
	}
	for {
		days := make([]string, 0, len(d.days))
		for day := range d.days {
			days = append(days, day)
		}
		if len(days) < 2 {
			return nil
		}
		oldest := days[0]
		for _, day := range days {
			oldest = min(oldest, day)
		}
		size := d.sizeLocked()
		tooBig := d.opts.MaxBytes > 0 && size > d.opts.MaxBytes
		t, _ := time.Parse("20060102", oldest)
		tooOld := d.opts.MaxAge > 0 && time.Since(t.Add(24*time.Hour)) > d.opts.MaxAge
		if !tooBig && !tooOld {
			return nil
		}
		if err := d.dropLocked(ctx, oldest); err != nil {
			return err
		}
		d.log.Info("flow store: oldest day dropped", "day", oldest, "size", size, "max_bytes", d.opts.MaxBytes, "too_old", tooOld)
	}
}

// dropLocked detaches a day and removes its file; running queries finish
// first.
func (d *Duck) dropLocked(ctx context.Context, day string) error {
	d.queries.Lock()
	defer d.queries.Unlock()
	if _, err := d.db.ExecContext(ctx, "DETACH "+alias(day)); err != nil {
		return fmt.Errorf("flow store: drop day %s: %w", day, err)
	}
	delete(d.days, day)
	delete(d.dayBuilt, day)
	delete(d.maxDur, day)
	t, _ := time.Parse("20060102", day)
	for h := t.UnixMilli(); h < t.UnixMilli()+24*hourMS; h += hourMS {
		delete(d.built, h)
	}
	path := d.dayPath(day)
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("flow store: drop day %s: %w", day, err)
		}
	}
	return nil
}
