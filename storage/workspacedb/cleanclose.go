package workspacedb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"
)

// Whether a file is worth a full integrity check at open. SQLite's
// quick_check walks every page but skips the index cross-checks that cost
// minutes on a large inventory; integrity_check does them. Neither sees a
// flipped bit inside a row's value, which SQLite does not checksum. So the
// console records, outside the file (the OS keychain, through CloseLedger),
// what the file was when it last closed it cleanly: a random marker it
// wrote into the file as its last change, and the file's size,
// modification time, identity (device and inode, where the system has them)
// and CRC-32C. At open:
//
//   - the marker in the file matches the record and size, modification
//     time and identity are unchanged: the file is as the console left it,
//     and the quick check suffices;
//   - the marker matches but the bytes do not (their CRC differs): the file
//     changed after the console closed it, and no console wrote to it since
//     (the first write of every session empties the marker), so a disk,
//     a copy or a hand edit changed it: it is refused as damaged;
//   - a marker that fails its own CRC, or a workspace id that differs from
//     the copy kept beside the marker: damage, refused (falling back to
//     the full check would let a changed value through);
//   - anything else (no record, no keychain, another marker, an empty one
//     after a crash, a WAL holding writes): the full integrity check.
//
// The identity is what catches a copy that kept the modification time (cp
// -p, rsync -a, a restore from backup) and was damaged on the way: it is
// another file, so its bytes are compared. A file whose identity the
// system does not give (Windows) relies on size and time; and like make
// or git, the stat comparison cannot see an edit in place that keeps the
// size and lands within the file system's timestamp granularity of the
// close (milliseconds; two seconds on FAT).
//
// The record lives outside the file because nothing inside a file can vouch
// for the file. SQLite's data_version would not do: it only tells a
// connection about writes while it is open.

// cleanCloseSchema is the schema version that has clean_close and the audit
// head's seal.
const cleanCloseSchema = 7

// CleanClose is what the console remembers about the last time it closed a
// workspace file cleanly.
type CleanClose struct {
	Marker  string
	Size    int64
	ModTime time.Time
	// Identity is the file's device and inode ("" where the system has
	// none).
	Identity string
	CRC32C   uint32
}

// CloseLedger keeps each workspace's last clean close outside its file.
// app/wiring keeps it in the OS keychain.
type CloseLedger interface {
	LastClose(ctx context.Context, workspaceID string) (CleanClose, error)
	RecordClose(ctx context.Context, workspaceID string, c CleanClose) error
}

// Option adjusts Open and Create.
type Option func(*DB)

// WithCloseLedger has the file's clean closes recorded in l, and its
// integrity checked at open against the last one.
func WithCloseLedger(l CloseLedger) Option { return func(db *DB) { db.ledger = l } }

// ForInspection opens a file whose bytes changed after the console closed
// it (which Open otherwise refuses) once it passes the full integrity
// check, so its audit trail can be examined: ChangedOutside then reports
// it.
func ForInspection() Option { return func(db *DB) { db.inspect = true } }

// ChangedOutside reports whether the file's bytes changed after the console
// last closed it, without a console writing to it (only ForInspection opens
// such a file).
func (db *DB) ChangedOutside() bool { return db.changedOutside }

// fileStamp is what the file system says about the main file.
type fileStamp struct {
	size     int64
	modTime  time.Time
	identity string
	walSize  int64
}

func stampOf(path string) (fileStamp, error) {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, fmt.Errorf("open workspace file %s: %w", path, err)
	}
	fs := fileStamp{size: st.Size(), modTime: st.ModTime(), identity: fileIdentity(st)}
	if wal, err := os.Stat(path + "-wal"); err == nil {
		fs.walSize = wal.Size()
	}
	return fs, nil
}

// castagnoli is CRC-32C, computed in hardware on amd64 and arm64: it finds
// damage, not forgery (the audit trail's seal and anchor are for that).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func fileCRC(path string) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, f); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}

// cleanSince reports whether the file is as the console last closed it,
// or ErrDamaged when its bytes changed without a console writing to it.
func (db *DB) cleanSince(ctx context.Context, stamp fileStamp) (bool, error) {
	if db.ledger == nil {
		return false, nil
	}
	id, marker, err := db.readCleanState(ctx)
	if err != nil {
		if db.inspect {
			db.changedOutside = true
			return false, nil
		}
		return false, err
	}
	if id == "" || marker == "" || stamp.walSize > 0 {
		// Never closed cleanly by this version, in use or crashed, or
		// holding writes that did not come through the console.
		return false, nil
	}
	rec, err := db.ledger.LastClose(ctx, id)
	if err != nil || rec.Marker != marker {
		return false, nil
	}
	if stamp.size == rec.Size && stamp.modTime.Equal(rec.ModTime) && stamp.identity == rec.Identity {
		return true, nil
	}
	crc, err := fileCRC(db.path)
	if err != nil {
		return false, fmt.Errorf("open workspace file %s: %w", db.path, err)
	}
	if stamp.size == rec.Size && crc == rec.CRC32C {
		return true, nil // the same bytes, copied or touched
	}
	if db.inspect {
		db.changedOutside = true
		return false, nil
	}
	return false, fmt.Errorf("%w: %s changed after the console closed it on %s, and no console has written to it since (%d bytes then, %d now, other contents): a disk or copy error, or an edit outside the console (`migctl audit verify` can still examine its audit trail); %s",
		ErrDamaged, db.path, rec.ModTime.Local().Format("2006-01-02 15:04:05"), rec.Size, stamp.size, restoreAdvice)
}

// readCleanState reads the workspace id and the clean-close marker; either
// is empty when the file has none (or cannot say: the full check that
// follows names the damage). The id is also kept beside the marker: two
// copies that differ are damage, which no console writes.
func (db *DB) readCleanState(ctx context.Context) (id, marker string, err error) {
	var n int
	if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'clean_close'").Scan(&n); err != nil || n == 0 {
		return "", "", nil
	}
	var closedID string
	if err := db.write.QueryRowContext(ctx, "SELECT marker, workspace_id FROM clean_close WHERE singleton = 1").Scan(&marker, &closedID); err != nil {
		return "", "", nil
	}
	if err := db.write.QueryRowContext(ctx, "SELECT id FROM workspace WHERE singleton = 1").Scan(&id); err != nil {
		return "", "", nil
	}
	if marker != "" && !markerIntact(marker) {
		return "", "", fmt.Errorf("%w: %s holds a clean-close marker that no console wrote: a disk or copy error, or an edit outside the console; %s",
			ErrDamaged, db.path, restoreAdvice)
	}
	if marker != "" && closedID != id {
		return "", "", fmt.Errorf("%w: %s records two different workspace ids (%q and %q): a disk or copy error, or an edit outside the console; %s",
			ErrDamaged, db.path, clipID(id), clipID(closedID), restoreAdvice)
	}
	return id, marker, nil
}

func clipID(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// totalChanges is SQLite's count of rows this connection has changed: a
// write transaction that changed none leaves the file as it was.
func totalChanges(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&n)
	return n, err
}

// markInUse empties the marker in a write transaction that changed
// something, so a session that stops without closing leaves a file that
// asks for the full check.
func (db *DB) markInUse(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if db.version < cleanCloseSchema {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE clean_close SET marker = '' WHERE singleton = 1 AND marker <> ''"); err != nil {
		return fmt.Errorf("write to %s: %w", db.path, err)
	}
	return nil
}

// markClean writes a fresh marker as the session's last change, when there
// is a clean close to record, and returns the workspace id and the marker
// (both "" when there is nothing to record).
func (db *DB) markClean() (id, marker string) {
	if db.ledger == nil || db.version < cleanCloseSchema || db.changedOutside || (db.cleanAtOpen && !db.wrote.Load()) {
		return "", "" // a file changed outside the console is never vouched for
	}
	ctx := context.Background()
	if err := db.write.QueryRowContext(ctx, "SELECT id FROM workspace WHERE singleton = 1").Scan(&id); err != nil {
		return "", "" // no workspace in it yet: nothing to vouch for
	}
	marker, err := newMarker()
	if err != nil {
		return "", ""
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE clean_close SET marker = ?, workspace_id = ? WHERE singleton = 1", marker, id); err != nil {
		return "", ""
	}
	return id, marker
}

// recordClean records the clean close after the connections are closed.
// It records nothing while another connection keeps the WAL (its own close
// will), and a failure to record only costs the next open a full check, so
// it is not an error of Close.
func (db *DB) recordClean(id, marker string) {
	if marker == "" {
		return
	}
	if _, err := os.Stat(db.path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		return
	}
	st, err := os.Stat(db.path)
	if err != nil {
		return
	}
	crc, err := fileCRC(db.path)
	if err != nil {
		return
	}
	_ = db.ledger.RecordClose(context.Background(), id, CleanClose{Marker: marker, Size: st.Size(), ModTime: st.ModTime(), Identity: fileIdentity(st), CRC32C: crc})
}

func fmtIdentity(dev, ino uint64) string { return fmt.Sprintf("%d:%d", dev, ino) }

// newMarker is 12 random bytes and their CRC-32C, in hex. The CRC makes
// the marker check itself: a damaged marker would otherwise only fail to
// match the record, which sends the file to the full check, and that
// check cannot see a changed value.
func newMarker() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:12]); err != nil {
		return "", err
	}
	binary.BigEndian.PutUint32(b[12:], crc32.Checksum(b[:12], castagnoli))
	return hex.EncodeToString(b[:]), nil
}

func markerIntact(marker string) bool {
	b, err := hex.DecodeString(marker)
	return err == nil && len(b) == 16 && binary.BigEndian.Uint32(b[12:]) == crc32.Checksum(b[:12], castagnoli)
}
