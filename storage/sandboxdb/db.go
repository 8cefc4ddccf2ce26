// Package sandboxdb is the sandbox Portal's SQLite store: one file (WAL,
// mode 0600) holding the API objects, the idempotency records and the
// hashes of the tokens it accepts, with its schema in embedded goose
// migrations run on Open. It implements sandbox.Store.
package sandboxdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is one sandbox file.
type DB struct {
	path string
	// write has one connection: writers queue in the process instead of
	// contending for SQLite's lock.
	write *sql.DB
	// read connections are query_only, so a View cannot write.
	read *sql.DB
}

var _ sandbox.Store = (*DB)(nil)

// Open opens or creates the sandbox file at path and brings its schema up
// to date.
func Open(ctx context.Context, path string) (*DB, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sandbox file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sandbox file: %w", err)
	}
	db := &DB{path: path}
	if db.write, err = open(path, false); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	if db.read, err = open(path, true); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read.SetMaxOpenConns(4)
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("restrict permissions of sandbox file: %w", err)
		}
	}
	return db, nil
}

// open builds the pool. Pragmas go in the DSN because a one-off PRAGMA
// reaches one pooled connection only. synchronous(NORMAL) is durable across
// a process crash in WAL mode, which is what a sandbox needs.
func open(path string, readOnly bool) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve sandbox path: %w", err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // a Windows drive path
		p = "/" + p
	}
	q := url.Values{}
	q["_pragma"] = []string{"busy_timeout(5000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"}
	if readOnly {
		q["_pragma"] = append(q["_pragma"], "query_only(1)")
	} else {
		// take the write lock at BEGIN, so a read-then-write transaction
		// never fails halfway with SQLITE_BUSY
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open sandbox file: %w", err)
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sandbox migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("sandbox migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate sandbox file: %w", err)
	}
	return nil
}

// Close closes the file; the last connection checkpoints the WAL.
func (db *DB) Close() error {
	rerr := db.read.Close()
	if err := db.write.Close(); err != nil {
		return fmt.Errorf("close sandbox file: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("close sandbox file: %w", rerr)
	}
	return nil
}

// Update runs fn in one write transaction, committed only if fn succeeds.
func (db *DB) Update(ctx context.Context, fn func(sandbox.Tx) error) error {
	return run(ctx, db.write, fn)
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(sandbox.Tx) error) error {
	return run(ctx, db.read, fn)
}

func run(ctx context.Context, pool *sql.DB, fn func(sandbox.Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin sandbox transaction: %w", err)
	}
	if err := fn(&tx{ctx: ctx, tx: sqlTx}); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit sandbox transaction: %w", err)
	}
	return nil
}

// constraint maps a unique-index violation to sandbox.ErrConflict.
func constraint(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", sandbox.ErrConflict, err)
		}
	}
	return err
}
