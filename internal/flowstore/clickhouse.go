package flowstore

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ClickHouse is the scale-out store: one MergeTree table partitioned by
// day, reached over ClickHouse's HTTP interface with plain net/http
// (TabSeparated in and out). Its SQL runs on ClickHouse 18.16 (Debian's)
// and on current releases.
type ClickHouse struct {
	base   *url.URL // the HTTP endpoint, without credentials
	user   *url.Userinfo
	db     string
	name   string // the table
	table  string // database.table, quoted
	client *http.Client
	opts   Options
	log    *slog.Logger

	mu      sync.Mutex
	lastMnt time.Time
}

// chTable is the sessions table. The day column exists for partitioning
// (18.16 has no DateTime64 to partition start by directly).
const chTable = `CREATE TABLE IF NOT EXISTS %s (
	day Date, start Int64, dur UInt32,
	c_hi UInt64, c_lo UInt64, s_hi UInt64, s_lo UInt64,
	cport UInt16, sport UInt16, proto UInt8,
	bcs UInt64, bsc UInt64, pcs UInt64, psc UInt64,
	exporter String, in_if UInt32, out_if UInt32,
	flows UInt32, sampling UInt32, dup UInt8, cont UInt8
) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(day) ORDER BY (start)`

// OpenClickHouse connects to ClickHouse and creates the table when
// missing. rawURL is clickhouse://[user[:password]@]host:port/database
// (HTTP; clickhouses:// for HTTPS; http:// and https:// are accepted too);
// the database defaults to "default" and the table is flow_sessions
// (?table=NAME changes it).
func OpenClickHouse(ctx context.Context, rawURL string, opts Options) (*ClickHouse, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("flow store ClickHouse: %w", err)
	}
	opts = opts.withDefaults()
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("flow store ClickHouse URL: %w", err)
	}
	switch u.Scheme {
	case "clickhouse", "http":
		u.Scheme = "http"
	case "clickhouses", "https":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("flow store ClickHouse URL %s: scheme %q: want clickhouse, clickhouses, http or https", u.Redacted(), u.Scheme)
	}
	c := &ClickHouse{user: u.User, db: strings.Trim(u.Path, "/"), client: &http.Client{}, opts: opts, log: opts.Logger}
	if c.db == "" {
		c.db = "default"
	}
	table := u.Query().Get("table")
	if table == "" {
		table = "flow_sessions"
	}
	for _, n := range []string{c.db, table} {
		if strings.ContainsAny(n, "`\\ ") {
			return nil, fmt.Errorf("flow store ClickHouse URL %s: name %q not allowed", u.Redacted(), n)
		}
	}
	c.name, c.table = table, "`"+c.db+"`.`"+table+"`"
	u.User, u.Path, u.RawQuery = nil, "/", ""
	c.base = u
	if err := c.exec(ctx, fmt.Sprintf(chTable, c.table), nil); err != nil {
		return nil, fmt.Errorf("flow store ClickHouse %s: create table: %w", u.Redacted(), err)
	}
	return c, nil
}

// do sends one statement; body, when set, is the data of an INSERT.
func (c *ClickHouse) do(ctx context.Context, sql string, body io.Reader) (*http.Response, error) {
	u := *c.base
	v := url.Values{"database": {c.db}}
	if body != nil {
		v.Set("query", sql)
	} else {
		body = strings.NewReader(sql)
	}
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, err
	}
	if c.user != nil {
		pw, _ := c.user.Password()
		req.SetBasicAuth(c.user.Username(), pw)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, fmt.Errorf("ClickHouse %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

func (c *ClickHouse) exec(ctx context.Context, sql string, body io.Reader) error {
	resp, err := c.do(ctx, sql, body)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// query runs a SELECT and hands each TabSeparated line to fn as fields.
func (c *ClickHouse) query(ctx context.Context, sql string, fn func([]string) error) error {
	resp, err := c.do(ctx, sql+" FORMAT TabSeparated", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if err := fn(strings.Split(sc.Text(), "\t")); err != nil {
			return err
		}
	}
	return sc.Err()
}

// Insert stores sessions with one INSERT … FORMAT TabSeparated.
func (c *ClickHouse) Insert(ctx context.Context, sessions []Session) error {
	if len(sessions) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for i := range sessions {
		s := &sessions[i]
		start, dur := storedTimes(s)
		ch, cl := addrHalves(s.Client)
		sh, sl := addrHalves(s.Server)
		exp := ""
		if s.Exporter.IsValid() {
			exp = s.Exporter.Unmap().String()
		}
		fmt.Fprintf(&buf, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n",
			time.UnixMilli(start).UTC().Format("2006-01-02"), start, dur, ch, cl, sh, sl,
			s.ClientPort, s.ServerPort, s.Proto, s.BytesCS, s.BytesSC, s.PacketsCS, s.PacketsSC,
			exp, s.InIf, s.OutIf, s.Flows, s.Sampling, flag(s.Duplicate), flag(s.Continued))
	}
	sql := fmt.Sprintf("INSERT INTO %s (day, %s) FORMAT TabSeparated", c.table, columns)
	if err := c.exec(ctx, sql, &buf); err != nil {
		return fmt.Errorf("flow store ClickHouse: insert %d sessions: %w", len(sessions), err)
	}
	c.mu.Lock()
	due := (c.opts.MaxBytes > 0 || c.opts.MaxAge > 0) && time.Since(c.lastMnt) >= maintainEvery
	if due {
		c.lastMnt = time.Now()
	}
	c.mu.Unlock()
	if due {
		return c.Maintain(ctx)
	}
	return nil
}

// Progress: ClickHouse keeps its data itself; there is nothing to reload.
func (c *ClickHouse) Progress() Progress { return Progress{} }

// Close releases idle connections.
func (c *ClickHouse) Close() error {
	c.client.CloseIdleConnections()
	return nil
}
