package workspacedb

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/workspace"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ workspace.Tx = (*Tx)(nil)

// Times are stored as RFC 3339 UTC text with nanoseconds: the audit hash is
// computed over that form, and a person reading the file can read them.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func formatOptTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

func parseOptTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	return &t, err
}

// Workspace returns the file's workspace, or workspace.ErrNoWorkspace.
func (t *Tx) Workspace() (workspace.Workspace, error) {
	var (
		ws                    workspace.Workspace
		perms, connected      sql.NullString
		createdAt, updatedAt  string
		mode, status, targetU string
	)
	err := t.tx.QueryRowContext(t.ctx, `SELECT id, tenant, mode, status, target_url, target_tenant_id,
		target_session_context, target_permissions, target_connected_at, created_at, updated_at
		FROM workspace WHERE singleton = 1`).Scan(&ws.ID, &ws.Tenant, &mode, &status, &targetU,
		&ws.Target.TenantID, &ws.Target.SessionContext, &perms, &connected, &createdAt, &updatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return workspace.Workspace{}, workspace.ErrNoWorkspace
	}
	if err != nil {
		return workspace.Workspace{}, fmt.Errorf("read workspace: %w", err)
	}
	ws.Mode, ws.Status, ws.Target.URL = workspace.Mode(mode), workspace.Status(status), targetU
	if perms.Valid {
		if err := json.Unmarshal([]byte(perms.String), &ws.Target.Permissions); err != nil {
			return workspace.Workspace{}, fmt.Errorf("read workspace: target permissions: %w", err)
		}
	}
	if ws.Target.ConnectedAt, err = parseOptTime(connected); err != nil {
		return workspace.Workspace{}, fmt.Errorf("read workspace: target connected at: %w", err)
	}
	if ws.CreatedAt, err = parseTime(createdAt); err != nil {
		return workspace.Workspace{}, fmt.Errorf("read workspace: created at: %w", err)
	}
	if ws.UpdatedAt, err = parseTime(updatedAt); err != nil {
		return workspace.Workspace{}, fmt.Errorf("read workspace: updated at: %w", err)
	}
	return ws, nil
}

// SaveWorkspace inserts or updates the file's one workspace. A file belongs
// to one workspace for life: saving another id is refused.
func (t *Tx) SaveWorkspace(ws workspace.Workspace) error {
	var perms any
	if ws.Target.Permissions != nil {
		b, err := json.Marshal(ws.Target.Permissions)
		if err != nil {
			return fmt.Errorf("save workspace: target permissions: %w", err)
		}
		perms = string(b)
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO workspace (singleton, id, tenant, mode, status,
		target_url, target_tenant_id, target_session_context, target_permissions, target_connected_at,
		created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (singleton) DO UPDATE SET tenant = excluded.tenant, mode = excluded.mode,
		status = excluded.status, target_url = excluded.target_url,
		target_tenant_id = excluded.target_tenant_id, target_session_context = excluded.target_session_context,
		target_permissions = excluded.target_permissions, target_connected_at = excluded.target_connected_at,
		created_at = excluded.created_at, updated_at = excluded.updated_at
		WHERE workspace.id = excluded.id`,
		ws.ID, ws.Tenant, string(ws.Mode), string(ws.Status), ws.Target.URL, ws.Target.TenantID,
		ws.Target.SessionContext, perms, formatOptTime(ws.Target.ConnectedAt),
		formatTime(ws.CreatedAt), formatTime(ws.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save workspace %s: %w", ws.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("save workspace %s: %w", ws.ID, err)
	} else if n == 0 {
		return fmt.Errorf("save workspace %s: %w", ws.ID, workspace.ErrWorkspaceExists)
	}
	return nil
}

// checkSettings guards the settings column: a source's settings are its
// vendor's JSON document (engine/vendor), stored as given and opaque here;
// the vendor validated it when the source was added.
func checkSettings(src workspace.Source) error {
	if src.Kind == "" {
		return errors.New("a source needs a kind")
	}
	if !json.Valid(src.Settings) || !bytes.HasPrefix(bytes.TrimSpace(src.Settings), []byte("{")) {
		return fmt.Errorf("the settings of a %q source must be a JSON object", src.Kind)
	}
	return nil
}

// Sources lists every source, archived ones included, oldest first.
func (t *Tx) Sources() ([]workspace.Source, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id, name, kind, status, settings, created_at,
		archived_at, last_inventory_at FROM sources ORDER BY pk`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []workspace.Source
	for rows.Next() {
		var (
			src                       workspace.Source
			kind, status, settings, c string
			archived, lastInventory   sql.NullString
		)
		if err := rows.Scan(&src.ID, &src.Name, &kind, &status, &settings, &c, &archived, &lastInventory); err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		src.Kind, src.Status, src.Settings = workspace.SourceKind(kind), workspace.SourceStatus(status), json.RawMessage(settings)
		if src.CreatedAt, err = parseTime(c); err != nil {
			return nil, fmt.Errorf("read source %q: %w", src.Name, err)
		}
		if src.ArchivedAt, err = parseOptTime(archived); err != nil {
			return nil, fmt.Errorf("read source %q: %w", src.Name, err)
		}
		if src.LastInventoryAt, err = parseOptTime(lastInventory); err != nil {
			return nil, fmt.Errorf("read source %q: %w", src.Name, err)
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// SaveSource inserts a source or updates the one with the same id. A name
// already used by another source fails with workspace.ErrSourceExists: the
// schema enforces uniqueness even if a caller skipped its own check.
func (t *Tx) SaveSource(src workspace.Source) error {
	if err := checkSettings(src); err != nil {
		return fmt.Errorf("save source %q: %w", src.Name, err)
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO sources (id, workspace_id, name, kind, status, settings,
		created_at, archived_at, last_inventory_at)
		VALUES (?, (SELECT id FROM workspace WHERE singleton = 1), ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, status = excluded.status,
		settings = excluded.settings, created_at = excluded.created_at, archived_at = excluded.archived_at,
		last_inventory_at = excluded.last_inventory_at`,
		src.ID, src.Name, string(src.Kind), string(src.Status), string(src.Settings), formatTime(src.CreatedAt),
		formatOptTime(src.ArchivedAt), formatOptTime(src.LastInventoryAt))
	var se *sqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return fmt.Errorf("save source %q: %w", src.Name, workspace.ErrSourceExists)
	case errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return fmt.Errorf("save source %q: %w", src.Name, workspace.ErrNoWorkspace)
	default:
		return fmt.Errorf("save source %q: %w", src.Name, err)
	}
}
