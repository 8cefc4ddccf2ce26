package workspacedb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// schema is the migrations directory. Migrations are forward-only: a file
// is never migrated down, and a file newer than this build is refused.
var schema = mustSub(migrationFiles, "migrations")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil { // dir is a constant the embed directive above guarantees
		panic(err)
	}
	return sub
}

// versionTable is goose's record of applied migrations.
const versionTable = goose.DefaultTablename

func provider(db *sql.DB, fsys fs.FS) (*goose.Provider, error) {
	// Only this package's SQL files: no Go migrations from the global registry.
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("load schema migrations: %w", err)
	}
	return p, nil
}

// latestVersion is the newest schema version fsys knows. Listing touches
// no database.
func latestVersion(db *sql.DB, fsys fs.FS) (int64, error) {
	p, err := provider(db, fsys)
	if err != nil {
		return 0, err
	}
	sources := p.ListSources()
	if len(sources) == 0 {
		return 0, errors.New("load schema migrations: none embedded")
	}
	return sources[len(sources)-1].Version, nil
}

// migrate applies pending migrations, up to upTo (0: all), each in its own
// transaction.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, upTo int64) error {
	p, err := provider(db, fsys)
	if err != nil {
		return err
	}
	if upTo > 0 {
		_, err = p.UpTo(ctx, upTo)
	} else {
		_, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("apply schema migrations: %w", err)
	}
	return nil
}

// schemaVersion reads the file's schema version directly, so checking an
// unknown (perhaps newer) file creates nothing in it. A file without the
// version table is at version 0: its creation stopped before the first
// migration.
func (db *DB) schemaVersion(ctx context.Context) (int64, error) {
	var n int
	err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", versionTable).Scan(&n)
	if err != nil {
		return 0, classify(db.path, err)
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	err = db.write.QueryRowContext(ctx, "SELECT max(version_id) FROM "+versionTable+" WHERE is_applied").Scan(&v)
	if err != nil {
		return 0, classify(db.path, err)
	}
	return v.Int64, nil
}

func (db *DB) checkpoint(ctx context.Context) error {
	var busy, logFrames, checkpointed int
	err := db.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
	if err != nil {
		return fmt.Errorf("checkpoint workspace file %s: %w", db.path, err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint workspace file %s: another program is reading it; close other consoles using this workspace and retry", db.path)
	}
	return nil
}

func backupPath(path string, version int64) string {
	return fmt.Sprintf("%s.pre-schema-%d.bak", path, version)
}

// backup copies the file aside before a migration. After a TRUNCATE
// checkpoint the main file holds everything; the write transaction held
// during the copy keeps other processes from adding to the WAL meanwhile.
func (db *DB) backup(ctx context.Context, version int64) error {
	if err := db.checkpoint(ctx); err != nil {
		return err
	}
	dst := backupPath(db.path, version)
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("back up %s: %w", db.path, err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE via the DSN: the write lock
	if err != nil {
		return fmt.Errorf("back up %s: lock it: %w", db.path, err)
	}
	defer tx.Rollback() // nothing was written; this only releases the lock
	if err := copyFile(db.path, dst); err != nil {
		return fmt.Errorf("back up %s before upgrading its schema: %w", db.path, err)
	}
	return nil
}

// copyFile writes src to dst (0600) through a temporary file, so dst is
// either the whole copy or untouched.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	// A leftover from an interrupted copy may have another mode; start afresh.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	if err := out.Sync(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
