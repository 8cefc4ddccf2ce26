package sandboxdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

type tx struct {
	ctx context.Context
	tx  *sql.Tx
}

func (t *tx) Get(tenant string, kind sandbox.Kind, id string) (sandbox.Object, error) {
	o := sandbox.Object{Tenant: tenant, Kind: kind, ID: id}
	err := t.tx.QueryRowContext(t.ctx,
		`SELECT seq, etag, body, secret_hash FROM objects WHERE tenant = ? AND id = ? AND kind = ?`, tenant, id, string(kind)).
		Scan(&o.Seq, &o.ETag, &o.Body, &o.SecretHash)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("%s %s: %w", kind, id, sandbox.ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("read %s %s: %w", kind, id, err)
	}
	if o.Unique, err = t.strings(`SELECT key FROM unique_keys WHERE tenant = ? AND object_id = ? ORDER BY key`, tenant, id); err != nil {
		return o, err
	}
	if o.Refs, err = t.strings(`SELECT to_id FROM refs WHERE tenant = ? AND from_id = ? ORDER BY to_id`, tenant, id); err != nil {
		return o, err
	}
	return o, nil
}

func (t *tx) strings(query string, args ...any) ([]string, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query sandbox: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("scan sandbox row: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// List leaves Unique and Refs empty: list pages serve bodies only.
func (t *tx) List(tenant string, kind sandbox.Kind, afterSeq int64, limit int) ([]sandbox.Object, error) {
	rows, err := t.tx.QueryContext(t.ctx,
		`SELECT seq, id, etag, body, secret_hash FROM objects WHERE tenant = ? AND kind = ? AND seq > ? ORDER BY seq LIMIT ?`,
		tenant, string(kind), afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []sandbox.Object
	for rows.Next() {
		o := sandbox.Object{Tenant: tenant, Kind: kind}
		if err := rows.Scan(&o.Seq, &o.ID, &o.ETag, &o.Body, &o.SecretHash); err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	return out, nil
}

func (t *tx) Insert(o *sandbox.Object) error {
	res, err := t.tx.ExecContext(t.ctx,
		`INSERT INTO objects (tenant, kind, id, etag, body, secret_hash) VALUES (?, ?, ?, ?, ?, ?)`,
		o.Tenant, string(o.Kind), o.ID, o.ETag, o.Body, o.SecretHash)
	if err != nil {
		return fmt.Errorf("insert %s: %w", o.Kind, constraint(err))
	}
	if o.Seq, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert %s: %w", o.Kind, err)
	}
	return t.index(*o)
}

func (t *tx) Replace(o sandbox.Object) error {
	res, err := t.tx.ExecContext(t.ctx,
		`UPDATE objects SET etag = ?, body = ?, secret_hash = ? WHERE tenant = ? AND id = ? AND kind = ?`,
		o.ETag, o.Body, o.SecretHash, o.Tenant, o.ID, string(o.Kind))
	if err != nil {
		return fmt.Errorf("replace %s: %w", o.Kind, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("replace %s %s: %w", o.Kind, o.ID, sandbox.ErrNotFound)
	}
	for _, q := range []string{`DELETE FROM unique_keys WHERE tenant = ? AND object_id = ?`, `DELETE FROM refs WHERE tenant = ? AND from_id = ?`} {
		if _, err := t.tx.ExecContext(t.ctx, q, o.Tenant, o.ID); err != nil {
			return fmt.Errorf("replace %s: %w", o.Kind, err)
		}
	}
	return t.index(o)
}

// index records an object's unique keys and references.
func (t *tx) index(o sandbox.Object) error {
	for _, k := range o.Unique {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO unique_keys (tenant, kind, key, object_id) VALUES (?, ?, ?, ?)`,
			o.Tenant, string(o.Kind), k, o.ID); err != nil {
			return fmt.Errorf("index %s: %w", o.Kind, constraint(err))
		}
	}
	for _, r := range o.Refs {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT OR IGNORE INTO refs (tenant, from_id, to_id) VALUES (?, ?, ?)`,
			o.Tenant, o.ID, r); err != nil {
			return fmt.Errorf("index %s: %w", o.Kind, err)
		}
	}
	return nil
}

func (t *tx) Delete(tenant string, kind sandbox.Kind, id string) error {
	res, err := t.tx.ExecContext(t.ctx, `DELETE FROM objects WHERE tenant = ? AND id = ? AND kind = ?`, tenant, id, string(kind))
	if err != nil {
		return fmt.Errorf("delete %s: %w", kind, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("delete %s %s: %w", kind, id, sandbox.ErrNotFound)
	}
	return nil
}

func (t *tx) Owner(tenant string, kind sandbox.Kind, key string) (string, error) {
	var id string
	err := t.tx.QueryRowContext(t.ctx, `SELECT object_id FROM unique_keys WHERE tenant = ? AND kind = ? AND key = ?`,
		tenant, string(kind), key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", sandbox.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("look up %s key: %w", kind, err)
	}
	return id, nil
}

func (t *tx) Referrers(tenant, id string) ([]string, error) {
	return t.strings(`SELECT from_id FROM refs WHERE tenant = ? AND to_id = ? ORDER BY from_id`, tenant, id)
}

func (t *tx) Token(hash string) (sandbox.TokenSpec, error) {
	var spec sandbox.TokenSpec
	var perms string
	var expires sql.NullInt64
	err := t.tx.QueryRowContext(t.ctx, `SELECT tenant, actor, session_context, permissions, expires_at FROM tokens WHERE hash = ?`, hash).
		Scan(&spec.Tenant, &spec.Actor, &spec.SessionContext, &perms, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return spec, sandbox.ErrNotFound
	}
	if err != nil {
		return spec, fmt.Errorf("read token: %w", err)
	}
	if err := json.Unmarshal([]byte(perms), &spec.Permissions); err != nil {
		return spec, fmt.Errorf("read token permissions: %w", err)
	}
	if expires.Valid {
		spec.ExpiresAt = time.Unix(0, expires.Int64).UTC()
	}
	return spec, nil
}

func (t *tx) SaveToken(hash string, spec sandbox.TokenSpec) error {
	perms, err := json.Marshal(spec.Permissions)
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	var expires sql.NullInt64
	if !spec.ExpiresAt.IsZero() {
		expires = sql.NullInt64{Int64: spec.ExpiresAt.UnixNano(), Valid: true}
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO tokens (hash, tenant, actor, session_context, permissions, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET tenant = excluded.tenant, actor = excluded.actor,
			session_context = excluded.session_context, permissions = excluded.permissions, expires_at = excluded.expires_at`,
		hash, spec.Tenant, spec.Actor, string(spec.SessionContext), string(perms), expires)
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}

func (t *tx) Idempotency(tenant, key string) (sandbox.IdempotencyRecord, error) {
	rec := sandbox.IdempotencyRecord{Tenant: tenant, Key: key}
	var created int64
	err := t.tx.QueryRowContext(t.ctx,
		`SELECT fingerprint, status, content_type, etag, body, created_at FROM idempotency WHERE tenant = ? AND key = ?`, tenant, key).
		Scan(&rec.Fingerprint, &rec.Status, &rec.ContentType, &rec.ETag, &rec.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, sandbox.ErrNotFound
	}
	if err != nil {
		return rec, fmt.Errorf("read idempotency record: %w", err)
	}
	rec.CreatedAt = time.Unix(0, created).UTC()
	return rec, nil
}

// SaveIdempotency overwrites an expired record of the same key.
func (t *tx) SaveIdempotency(rec sandbox.IdempotencyRecord) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT OR REPLACE INTO idempotency
		(tenant, key, fingerprint, status, content_type, etag, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.Tenant, rec.Key, rec.Fingerprint, rec.Status, rec.ContentType, rec.ETag, rec.Body, rec.CreatedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("save idempotency record: %w", err)
	}
	return nil
}

func (t *tx) PurgeIdempotency(before time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM idempotency WHERE created_at < ?`, before.UnixNano()); err != nil {
		return fmt.Errorf("purge idempotency records: %w", err)
	}
	return nil
}
