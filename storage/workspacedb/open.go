package workspacedb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Create makes a new workspace file at path, mode 0600, with the current
// schema. It fails with ErrExists if anything is already there.
func Create(ctx context.Context, path string, opts ...Option) (*DB, error) {
	return create(ctx, path, schema, 0, opts...)
}

// create builds the file with the migrations in fsys up to version upTo
// (0: all of them); tests use it to build files at older schemas.
func create(ctx context.Context, path string, fsys fs.FS, upTo int64, opts ...Option) (*DB, error) {
	// O_EXCL claims the name atomically, so two consoles cannot both create it.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create workspace file %s: %w; choose another name or open the existing workspace", path, ErrExists)
		}
		return nil, fmt.Errorf("create workspace file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create workspace file %s: %w", path, err)
	}
	db, err := func() (*DB, error) {
		db, err := connect(ctx, path, "rw")
		if err != nil {
			return nil, err
		}
		for _, o := range opts {
			o(db)
		}
		if err := db.initialise(ctx, fsys, upTo); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}()
	if err != nil {
		// Nothing refers to a half-made file; leaving it would only make the
		// next Create fail with ErrExists.
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
		return nil, err
	}
	return db, nil
}

func (db *DB) initialise(ctx context.Context, fsys fs.FS, upTo int64) error {
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
		return fmt.Errorf("create workspace file %s: mark it: %w", db.path, err)
	}
	if err := migrate(ctx, db.write, fsys, upTo); err != nil {
		return fmt.Errorf("create workspace file %s: %w", db.path, err)
	}
	version, err := db.schemaVersion(ctx)
	if err != nil {
		return err
	}
	db.version = version
	// Checkpoint so the header (and its application id) is in the main file,
	// where Open looks for it before handing the file to SQLite.
	if err := db.checkpoint(ctx); err != nil {
		return err
	}
	return restrictModes(db.path)
}

// Open opens an existing workspace file, checks it and brings its schema up
// to date (after backing it up). See the package documentation for the
// errors it returns.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	return open(ctx, path, schema, opts...)
}

func open(ctx context.Context, path string, fsys fs.FS, opts ...Option) (*DB, error) {
	if err := inspectHeader(path); err != nil {
		return nil, err
	}
	stamp, err := stampOf(path) // before SQLite touches the file
	if err != nil {
		return nil, err
	}
	db, err := connect(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(db)
	}
	if err := db.prepare(ctx, fsys, stamp); err != nil {
		db.abandon()
		return nil, err
	}
	return db, nil
}

// abandon closes a file Open refused without recording a clean close.
func (db *DB) abandon() {
	db.ledger = nil
	db.Close()
}

func (db *DB) prepare(ctx context.Context, fsys fs.FS, stamp fileStamp) error {
	clean, err := db.cleanSince(ctx, stamp)
	if err != nil {
		return err
	}
	check := "integrity_check"
	if clean {
		check = "quick_check"
	}
	if err := db.check(ctx, check); err != nil {
		return err
	}
	db.cleanAtOpen = clean
	current, err := db.schemaVersion(ctx)
	if err != nil {
		return err
	}
	known, err := latestVersion(db.write, fsys)
	if err != nil {
		return err
	}
	if current > known {
		return fmt.Errorf("%w: %s (schema %d, this build knows up to %d); upgrade the console to open it", ErrNewerSchema, db.path, current, known)
	}
	if current < known {
		if err := db.backup(ctx, current); err != nil {
			return err
		}
		db.version = current
		if err := db.markInUse(ctx, db.write); err != nil { // before the first change
			return err
		}
		db.wrote.Store(true)
		if err := migrate(ctx, db.write, fsys, 0); err != nil {
			return fmt.Errorf("upgrade workspace file %s from schema %d: %w; the file before the upgrade is at %s", db.path, current, err, backupPath(db.path, current))
		}
	}
	db.version = known
	return restrictModes(db.path)
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// inspectHeader reads the 100-byte database header itself, so a missing
// file, a file of another kind or another application's SQLite file is
// turned away before SQLite opens (and could convert) it.
func inspectHeader(path string) error {
	// A named pipe would block the open below until someone writes to it,
	// and a device may never end: only a regular file (or a link to one)
	// is opened at all.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return notRegular(path, st.Mode())
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s; check the path, or create a new workspace", ErrNotExist, path)
		}
		return fmt.Errorf("open workspace file %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return notRegular(path, st.Mode())
	}
	header := make([]byte, 100)
	n, err := io.ReadFull(f, header)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read workspace file %s: %w", path, err)
	}
	switch {
	case n == 0:
		return fmt.Errorf("%w: %s is empty; it may be a workspace whose creation was interrupted, or the wrong file", ErrNotWorkspaceFile, path)
	case n < len(sqliteMagic) || !bytes.Equal(header[:len(sqliteMagic)], sqliteMagic):
		return fmt.Errorf("%w: %s is not a database at all; check the path (a workspace file is the one you created with the console)", ErrNotWorkspaceFile, path)
	case n < len(header):
		return fmt.Errorf("%w: %s is cut short (%d bytes); %s", ErrDamaged, path, n, restoreAdvice)
	}
	if id := binary.BigEndian.Uint32(header[68:72]); id != applicationID {
		return fmt.Errorf("%w: %s is a SQLite database, but not one written by the Portal Migration Console; it was left untouched", ErrNotWorkspaceFile, path)
	}
	return nil
}

func notRegular(path string, mode fs.FileMode) error {
	what := "not a regular file"
	switch {
	case mode.IsDir():
		what = "a folder"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%w: %s is %s, not a file; give the path of the workspace file itself", ErrNotWorkspaceFile, path, what)
}

const restoreAdvice = "restore the workspace from your latest backup (or a .pre-schema-N.bak copy next to it) and stop using this copy"

// check runs SQLite's quick_check or integrity_check (cleanclose.go says
// which when). quick_check walks every page of every table, so cut-short
// and overwritten files are found before any use; integrity_check also
// cross-checks every index against its table, which costs several times as
// much on a large inventory (BenchmarkOpenCheck1M).
func (db *DB) check(ctx context.Context, pragma string) error {
	rows, err := db.write.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return classify(db.path, err)
	}
	defer rows.Close()
	var problems []string
	damaged := false
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return classify(db.path, err)
		}
		damaged = damaged || line != "ok"
		// One result row may hold several lines; the "*** in database main
		// ***" banner says nothing to a consultant.
		for _, l := range strings.Split(line, "\n") {
			if l = strings.TrimSpace(l); l != "ok" && l != "" && !strings.HasPrefix(l, "*** in database") {
				problems = append(problems, l)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return classify(db.path, err)
	}
	if damaged {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("%w: %s failed SQLite's check (%s); %s", ErrDamaged, db.path, strings.Join(problems, "; "), restoreAdvice)
	}
	return nil
}

// classify turns SQLite's corruption codes into ErrDamaged; other errors
// (permissions, a full disk) keep their own cause.
func classify(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %s cannot be read (%v); %s", ErrDamaged, path, err, restoreAdvice)
		}
	}
	return fmt.Errorf("open workspace file %s: %w", path, err)
}
