// Package workspacedb is the workspace file: one SQLite database per
// customer tenant (modernc.org/sqlite, WAL, foreign keys on, synchronous
// FULL), with its schema in embedded, forward-only goose migrations that run
// on open.
//
// Transactions. UpdateTx runs a function in one write transaction (BEGIN
// IMMEDIATE, so two writers never deadlock half-way) and ViewTx in a
// read-only one; both hand it a *Tx. *Tx implements workspace.Tx, and other
// stages add their own methods to it in their own files of this package, so
// one struct serves every engine stage's Tx interface. DB.Update and DB.View
// are thin adapters that make *DB a workspace.Store; Stage does the same for
// any other stage's Store interface:
//
//	store := workspacedb.NewStage(db, func(t *workspacedb.Tx) inventory.Tx { return t })
//
// Do not nest transactions: an Update inside an Update waits for itself.
//
// Opening. Open refuses, with an error a consultant can act on, a missing
// file (ErrNotExist), a file that is not a workspace file (ErrNotWorkspaceFile:
// not SQLite at all, or SQLite without this application's id), a damaged one
// (ErrDamaged: it fails SQLite's quick_check) and one written by a newer
// console (ErrNewerSchema), touching none of them. Before it migrates an
// older file it checkpoints the WAL and copies the file to
// "<path>.pre-schema-<N>.bak", N being the schema version the file had.
//
// The file, its -wal and -shm and its backups are mode 0600: the file holds
// the customer's identity estate.
package workspacedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/portal-id/migration-console/engine/workspace"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors callers can tell apart; each returned error wraps one of them and
// names the file and what to do.
var (
	ErrNotExist         = errors.New("workspace file does not exist")
	ErrExists           = errors.New("a file already exists at that path")
	ErrNotWorkspaceFile = errors.New("not a workspace file")
	ErrDamaged          = errors.New("workspace file is damaged")
	ErrNewerSchema      = errors.New("workspace file was written by a newer version of the console")
)

// applicationID marks a SQLite file as a workspace file ("PMCW") in the
// database header, so any other SQLite file is recognised and left alone.
const applicationID = 0x504D4357

// DB is an open workspace file.
type DB struct {
	path string
	// write has a single connection: writers in this process queue here
	// instead of contending for SQLite's lock.
	write *sql.DB
	// read connections are query_only, so a View cannot write.
	read *sql.DB
}

// dsn builds the connection string. Pragmas go in the DSN because a one-off
// PRAGMA would only reach one pooled connection. synchronous(FULL) makes a
// committed write durable before Commit returns.
func dsn(path string, mode string, readOnly bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve workspace path %s: %w", path, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // a Windows drive path
		p = "/" + p
	}
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_txlock", "immediate")
	// secure_delete overwrites deleted content with zeros, so a replaced
	// value (a redacted secret, above all) leaves no copy in free pages.
	q["_pragma"] = []string{"busy_timeout(5000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)", "secure_delete(1)"}
	if readOnly {
		q["_pragma"] = append(q["_pragma"], "query_only(1)")
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String(), nil
}

// connect opens the writer and reader pools. mode is SQLite's URI mode:
// "rwc" to create, "rw" to refuse a missing file.
func connect(ctx context.Context, path, mode string) (*DB, error) {
	wdsn, err := dsn(path, mode, false)
	if err != nil {
		return nil, err
	}
	rdsn, err := dsn(path, "rw", true)
	if err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("open workspace file %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, classify(path, err)
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open workspace file %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	return &DB{path: path, write: w, read: r}, nil
}

// Close closes the file. The last connection to close checkpoints the WAL
// into the file.
func (db *DB) Close() error {
	rerr := db.read.Close()
	if err := db.write.Close(); err != nil {
		return fmt.Errorf("close workspace file %s: %w", db.path, err)
	}
	if rerr != nil {
		return fmt.Errorf("close workspace file %s: %w", db.path, rerr)
	}
	return nil
}

// Path is the file's path as given to Create or Open.
func (db *DB) Path() string { return db.path }

// UpdateTx runs fn in one write transaction and commits it if fn returns
// nil; the commit is on disk when UpdateTx returns.
func (db *DB) UpdateTx(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.write, false, fn)
}

// ViewTx runs fn in one read-only transaction: a consistent snapshot.
func (db *DB) ViewTx(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return fmt.Errorf("begin transaction on %s: %w", db.path, err)
	}
	committed := false
	defer func() {
		if !committed { // fn failed or panicked: release the lock, keep nothing
			sqlTx.Rollback()
		}
	}()
	if err := fn(&Tx{ctx: ctx, tx: sqlTx}); err != nil {
		return err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit to %s: %w", db.path, err)
	}
	return nil
}

// Update makes *DB a workspace.Store.
func (db *DB) Update(ctx context.Context, fn func(workspace.Tx) error) error {
	return db.UpdateTx(ctx, func(t *Tx) error { return fn(t) })
}

// View makes *DB a workspace.Store.
func (db *DB) View(ctx context.Context, fn func(workspace.Tx) error) error {
	return db.ViewTx(ctx, func(t *Tx) error { return fn(t) })
}

// Stage serves an engine stage's Store interface (Update and View taking
// func(T) error) from this file. T is the stage's own Tx interface.
type Stage[T any] struct {
	db *DB
	as func(*Tx) T
}

// NewStage returns db as a store of T. as is usually
// func(t *Tx) T { return t }, which has the compiler check that *Tx
// implements T.
func NewStage[T any](db *DB, as func(*Tx) T) Stage[T] { return Stage[T]{db: db, as: as} }

// Update runs fn in one write transaction.
func (s Stage[T]) Update(ctx context.Context, fn func(T) error) error {
	return s.db.UpdateTx(ctx, func(t *Tx) error { return fn(s.as(t)) })
}

// View runs fn in one read-only transaction.
func (s Stage[T]) View(ctx context.Context, fn func(T) error) error {
	return s.db.ViewTx(ctx, func(t *Tx) error { return fn(s.as(t)) })
}

// Tx is one transaction on the workspace file. Stages add their methods to
// it in their own files; the context is the one given to UpdateTx/ViewTx.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
}

// restrictModes tightens the file and its WAL companions to 0600 (SQLite
// creates -wal and -shm with the database's mode; a copied-in file may be
// wider).
func restrictModes(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restrict permissions of %s: %w", p, err)
		}
	}
	return nil
}
