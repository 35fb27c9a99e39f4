package eventlog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Config sets rotation.
type Config struct {
	// MaxSize is the size in bytes at which event.log is rotated.
	MaxSize int64 `yaml:"max_size"`
	// Keep is how many rotated files (event.log.1 … event.log.N) are kept.
	Keep int `yaml:"keep"`
}

// DefaultConfig rotates at 10 MiB and keeps 10 old files.
func DefaultConfig() Config { return Config{MaxSize: 10 << 20, Keep: 10} }

// Validate reports a setting that cannot work.
func (c Config) Validate() error {
	if c.MaxSize < 1024 {
		return fmt.Errorf("eventlog.max_size: %d bytes is too small (at least 1024)", c.MaxSize)
	}
	if c.Keep < 0 {
		return fmt.Errorf("eventlog.keep: must not be negative, got %d", c.Keep)
	}
	return nil
}

// Log is the event log. It is safe for concurrent use.
type Log struct {
	cfg    Config
	path   string
	logger *slog.Logger

	mu   sync.Mutex
	f    *os.File
	size int64
	subs map[chan Event]struct{}
}

// Open opens (creating if needed) dir/event.log for appending.
func Open(dir string, cfg Config, logger *slog.Logger) (*Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("event log folder: %w", err)
	}
	l := &Log{cfg: cfg, path: filepath.Join(dir, "event.log"), logger: logger, subs: map[chan Event]struct{}{}}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Log) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat event log: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Path is the current log file.
func (l *Log) Path() string { return l.path }

// Write appends e (its Time set to now when zero) and rotates when the file
// has grown past MaxSize. Each line is written with one write call so a
// crash never leaves half a line behind another.
func (l *Log) Write(e Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	line := Format(e) + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("event log is closed")
	}
	if l.size > 0 && l.size+int64(len(line)) > l.cfg.MaxSize {
		if err := l.rotate(); err != nil {
			l.logger.Error("event log rotation failed", "err", err)
		}
	}
	n, err := l.f.WriteString(line)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("write event log: %w", err)
	}
	for ch := range l.subs {
		select {
		case ch <- e:
		default: // a slow reader loses live events, never blocks the log
		}
	}
	return nil
}

// rotate shifts event.log.N-1 → .N … event.log → .1 and reopens.
func (l *Log) rotate() error {
	l.f.Close()
	l.f = nil
	if l.cfg.Keep == 0 {
		os.Remove(l.path)
	} else {
		os.Remove(fmt.Sprintf("%s.%d", l.path, l.cfg.Keep))
		for i := l.cfg.Keep - 1; i >= 1; i-- {
			os.Rename(fmt.Sprintf("%s.%d", l.path, i), fmt.Sprintf("%s.%d", l.path, i+1))
		}
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			l.logger.Error("event log rotation", "err", err)
		}
	}
	return l.open()
}

// Subscribe returns a channel receiving events as they are written, and a
// function that ends the subscription.
func (l *Log) Subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, buffer)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		if _, ok := l.subs[ch]; ok {
			delete(l.subs, ch)
			close(ch)
		}
		l.mu.Unlock()
	}
}

// Close flushes and closes the file. Later writes fail.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// Query selects events.
type Query struct {
	Since  time.Time // only events at or after this time
	Until  time.Time // only events before this time (zero: no bound)
	Limit  int       // at most this many (default 100, at most 10000)
	Map    string
	Device string
	Kind   string
}

// Read returns the events matching q in time order. With Since set it
// returns the first Limit events from Since on (so a client can page
// forward); without, the latest Limit events.
func (l *Log) Read(q Query) ([]Event, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 10000)
	l.mu.Lock()
	files := []string{}
	for i := l.cfg.Keep; i >= 1; i-- {
		files = append(files, fmt.Sprintf("%s.%d", l.path, i))
	}
	files = append(files, l.path)
	l.mu.Unlock()

	var out []Event
	for _, name := range files {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read event log: %w", err)
		}
		out, err = scan(f, q, out)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if !q.Since.IsZero() && len(out) >= q.Limit {
			return out[:q.Limit], nil
		}
	}
	if len(out) > q.Limit {
		out = out[len(out)-q.Limit:]
	}
	return out, nil
}

func scan(r io.Reader, q Query, out []Event) ([]Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		e, err := Parse(sc.Text())
		if err != nil {
			continue // a hand-edited or truncated line is skipped, not fatal
		}
		if !q.Since.IsZero() && e.Time.Before(q.Since) ||
			!q.Until.IsZero() && !e.Time.Before(q.Until) ||
			q.Map != "" && e.Map != q.Map ||
			q.Device != "" && e.Device != q.Device ||
			q.Kind != "" && !strings.EqualFold(e.Kind, q.Kind) {
			continue
		}
		out = append(out, e)
		if q.Since.IsZero() && len(out) > 2*q.Limit {
			// Keep memory bounded while scanning for the latest events.
			out = append(out[:0], out[len(out)-q.Limit:]...)
		}
	}
	return out, sc.Err()
}
