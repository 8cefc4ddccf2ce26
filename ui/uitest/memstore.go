// Package uitest helps drive the console's screens in headless tests: an
// in-memory workspace store and keychain for the real engine, and finders
// that walk a window's canvas the way a user scans it.
package uitest

import (
	"context"
	"fmt"
	"sync"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/readiness"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// MemStore is a workspace.Store in memory. Update commits only when fn
// succeeds, as a database transaction would.
type MemStore struct {
	mu    sync.Mutex
	state memState
}

type memState struct {
	ws      *workspace.Workspace
	sources []workspace.Source
	trail   []audit.Entry
	head    audit.Head
}

func (s memState) clone() memState {
	c := s
	if s.ws != nil {
		ws := *s.ws
		c.ws = &ws
	}
	c.sources = append([]workspace.Source(nil), s.sources...)
	c.trail = append([]audit.Entry(nil), s.trail...)
	return c
}

// Update implements workspace.Store.
func (m *MemStore) Update(_ context.Context, fn func(workspace.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{memState: m.state.clone()}
	if err := fn(tx); err != nil {
		return err
	}
	m.state = tx.memState
	return nil
}

// View implements workspace.Store.
func (m *MemStore) View(_ context.Context, fn func(workspace.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(&memTx{memState: m.state.clone()})
}

// Readiness serves the workspace summary from the store, as
// workspacedb.ReadinessStore does from a file. The store holds no
// snapshots: a test about inventory uses a real workspace file.
func (m *MemStore) Readiness() readiness.Store { return memReadiness{m} }

type memReadiness struct{ m *MemStore }

func (r memReadiness) View(_ context.Context, fn func(readiness.Tx) error) error {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	return fn(&memTx{memState: r.m.state.clone()})
}

// Tamper rewrites the stored audit entry seq with edit, as someone editing
// the file by hand would.
func (m *MemStore) Tamper(seq int64, edit func(*audit.Entry)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	edit(&m.state.trail[seq-1])
}

type memTx struct{ memState }

func (t *memTx) Workspace() (workspace.Workspace, error) {
	if t.ws == nil {
		return workspace.Workspace{}, workspace.ErrNoWorkspace
	}
	return *t.ws, nil
}

func (t *memTx) SaveWorkspace(ws workspace.Workspace) error { t.ws = &ws; return nil }

func (t *memTx) Sources() ([]workspace.Source, error) {
	return append([]workspace.Source(nil), t.sources...), nil
}

func (t *memTx) SaveSource(src workspace.Source) error {
	for i, o := range t.sources {
		if o.ID == src.ID {
			t.sources[i] = src
			return nil
		}
	}
	t.sources = append(t.sources, src)
	return nil
}

// Snapshots implements inventory.StatusTx: there are none in memory.
func (t *memTx) Snapshots() ([]inventory.Snapshot, error) { return nil, nil }

// AssessmentRuns implements assessment.StatusTx: there are none in memory.
func (t *memTx) AssessmentRuns() ([]assessment.Run, error) { return nil, nil }

// VendorSecrets implements workspace.Tx: the store keeps no evidence, so
// no collection kept a vendor secret.
func (t *memTx) VendorSecrets(string) ([]workspace.VendorSecret, error) { return nil, nil }

func (t *memTx) AuditEntries() ([]audit.Entry, error) {
	return append([]audit.Entry(nil), t.trail...), nil
}

func (t *memTx) AuditHead() (audit.Head, error) { return t.head, nil }

func (t *memTx) AppendAudit(e audit.Entry) error {
	t.trail = append(t.trail, e)
	t.head = audit.Head{Seq: e.Seq, Hash: e.Hash}
	return nil
}

// MemSecrets is a workspace.Secrets in memory.
type MemSecrets struct {
	mu sync.Mutex
	m  map[string]secret.Value
}

func (s *MemSecrets) Set(_ context.Context, workspaceID, role string, v secret.Value) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]secret.Value{}
	}
	s.m[workspaceID+"/"+role] = v
	return nil
}

func (s *MemSecrets) Get(_ context.Context, workspaceID, role string) (secret.Value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[workspaceID+"/"+role]
	if !ok {
		return secret.Value{}, errNoCredential
	}
	return v, nil
}

func (s *MemSecrets) Delete(_ context.Context, workspaceID, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, workspaceID+"/"+role)
	return nil
}

// Len is how many credentials are held.
func (s *MemSecrets) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// errNoCredential is the keychain's not-found, as the real one reports it.
var errNoCredential = fmt.Errorf("no such credential: %w", secret.ErrNotFound)

// Scan, DecisionCounts and AckCounts implement the merge and OCM status
// readers: with no assessment runs in memory they are never asked.
func (t *memTx) Scan(string) (merge.Scan, bool, error) { return merge.Scan{}, false, nil }

func (t *memTx) DecisionCounts(string) (map[merge.Status]int, error) {
	return map[merge.Status]int{}, nil
}

func (t *memTx) AckCounts(string) (map[ocm.Status]int, error) { return map[ocm.Status]int{}, nil }
