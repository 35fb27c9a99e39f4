// Package store is Vantage's SQL persistence: the embedded SQLite database
// in DIR/db/vantage.db, with schema migrations applied at open.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // pure-Go SQLite driver: no cgo, one file
)

// migrations are applied in order, each once; append, never edit.
var migrations = []string{
	`CREATE TABLE users (
		name TEXT PRIMARY KEY,
		password_hash TEXT NOT NULL,
		groups TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL
	)`,
	`CREATE TABLE tokens (
		token_hash TEXT PRIMARY KEY,
		user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
		label TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL
	)`,
	`CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY,
		user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
		csrf TEXT NOT NULL,
		expires_at INTEGER NOT NULL
	)`,
	`CREATE TABLE acks (
		map TEXT NOT NULL,
		device TEXT NOT NULL,
		kind TEXT NOT NULL,
		comment TEXT NOT NULL DEFAULT '',
		user_name TEXT NOT NULL DEFAULT '',
		until INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (map, device)
	)`,
	// Chart datasets (see samples.go): the series catalogue, raw points and
	// the 5-minute, hourly and daily roll-ups.
	`CREATE TABLE chart_series (
		id INTEGER PRIMARY KEY,
		server TEXT NOT NULL,
		map TEXT NOT NULL,
		device TEXT NOT NULL,
		dataset TEXT NOT NULL,
		label TEXT NOT NULL DEFAULT '',
		units TEXT NOT NULL DEFAULT '',
		interface TEXT NOT NULL DEFAULT '',
		last INTEGER NOT NULL DEFAULT 0,
		UNIQUE (server, map, device, dataset)
	)`,
	`CREATE TABLE chart_raw (
		series_id INTEGER NOT NULL,
		t INTEGER NOT NULL,
		v REAL NOT NULL,
		PRIMARY KEY (series_id, t)
	) WITHOUT ROWID`,
	`CREATE TABLE chart_5m (
		series_id INTEGER NOT NULL,
		t INTEGER NOT NULL,
		min REAL NOT NULL,
		max REAL NOT NULL,
		sum REAL NOT NULL,
		count INTEGER NOT NULL,
		PRIMARY KEY (series_id, t)
	) WITHOUT ROWID`,
	`CREATE TABLE chart_1h (
		series_id INTEGER NOT NULL,
		t INTEGER NOT NULL,
		min REAL NOT NULL,
		max REAL NOT NULL,
		sum REAL NOT NULL,
		count INTEGER NOT NULL,
		PRIMARY KEY (series_id, t)
	) WITHOUT ROWID`,
	`CREATE TABLE chart_1d (
		series_id INTEGER NOT NULL,
		t INTEGER NOT NULL,
		min REAL NOT NULL,
		max REAL NOT NULL,
		sum REAL NOT NULL,
		count INTEGER NOT NULL,
		PRIMARY KEY (series_id, t)
	) WITHOUT ROWID`,
	// Users and access (internal/auth): where an account comes from
	// (local, ldap, radius), groups, and per-map access grants to users
	// and groups ("*" is every map).
	`ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local'`,
	`CREATE TABLE groups (
		name TEXT PRIMARY KEY,
		description TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL
	)`,
	`CREATE TABLE map_access (
		map TEXT NOT NULL,
		kind TEXT NOT NULL,
		principal TEXT NOT NULL,
		level INTEGER NOT NULL,
		PRIMARY KEY (map, kind, principal)
	)`,
	// Other Vantage servers a user added for the map list, with the token
	// the user holds there (see internal/remotes).
	`CREATE TABLE user_servers (
		user_name TEXT NOT NULL,
		name TEXT NOT NULL,
		url TEXT NOT NULL,
		token TEXT NOT NULL,
		fingerprint TEXT NOT NULL DEFAULT '',
		insecure INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (user_name, name)
	)`,
}

// Open opens (creating if needed) the SQLite database at path, in WAL mode
// so readers never block the writer and a crash loses no committed data.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("database folder: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return db, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this Vantage knows (%d): downgrade is not supported", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, i+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}
