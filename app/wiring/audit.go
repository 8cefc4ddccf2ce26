package wiring

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

// startAudit gives the open file the workspace's sealer and, unless
// verifyOnly, resumes anchoring: the trail is compared with the keychain's
// anchor and brought up to date (engine/audit, docs/audit-trail.md). It
// never fails the open: without the keychain the file works as before and
// verification says it could check the chain only. What it found is kept
// in AuditAtOpen, and logged when it is not a clean anchored trail.
func (w *Workspace) startAudit(ctx context.Context, verifyOnly bool) {
	ws, err := w.Service.Get(ctx)
	if err != nil {
		w.Service.Witness = absentWitness("the file holds no workspace yet")
		return
	}
	load := keys.Load // an existing workspace gets its key on first open here
	if verifyOnly {
		load = keys.Existing // verifying never mints a key
	}
	m, err := load(ctx, w.Keychain, ws.ID)
	if err != nil {
		reason := ""
		if !errors.Is(err, secret.ErrNotFound) {
			reason = "the keychain could not be read (" + keychainReason(err) + ")"
		}
		w.Service.Witness = absentWitness(reason)
		if !verifyOnly {
			w.log.Warn("the audit trail is not sealed or anchored this session: " + chainOnlyWhy(reason))
		}
		return
	}
	sealer := audit.NewSealer(m, ws.ID)
	w.DB.SealAuditWith(sealer)
	w.sealer = sealer
	a := audit.NewAnchorer(audit.AnchorerConfig{
		WorkspaceID: ws.ID, Sealer: sealer, Store: w.Keychain, Trail: w.DB,
		Note: w.Service.NoteAuditTrail,
	})
	w.anchorer, w.Service.Witness = a, a
	if verifyOnly {
		return
	}
	v, err := a.Resume(ctx)
	if err != nil {
		w.log.Warn("the audit trail could not be anchored this session", "err", err)
		return
	}
	w.AuditAtOpen = &v
	switch {
	case v.Break != nil:
		// Sealing later entries would vouch for a trail that does not
		// match the anchor; they stay unsealed until someone resolves it.
		w.DB.SealAuditWith(nil)
		w.log.Warn("the audit trail does not match this machine's keychain; run `migctl audit verify`", "break", v.Break.Reason)
	case v.Anchor.Status == audit.UnanchoredTail:
		w.log.Info("audit trail re-anchored", "found", v.Anchor.Note)
	}
	w.DB.OnAuditCommit(a.Committed)
}

// AcceptAuditTrail makes the trail as it is now the anchored one, after a
// consultant restored an older copy of the file on purpose, recording
// their reason and the finding it settles in a migration.audit_trail.anchored
// entry. It needs this workspace's key in the keychain, and a trail whose
// own chain verifies.
func (w *Workspace) AcceptAuditTrail(ctx context.Context, reason string) (audit.Verdict, error) {
	if w.anchorer == nil {
		return audit.Verdict{}, errors.New("accepting the audit trail needs this workspace's key in the keychain, and there is none on this machine (or the keychain cannot be read)")
	}
	c, err := w.Service.VerifyAudit(ctx)
	if err != nil {
		return audit.Verdict{}, err
	}
	if c.Verdict.Break == nil {
		return c.Verdict, nil
	}
	w.DB.SealAuditWith(w.sealer)
	err = w.anchorer.Accept(ctx, map[string]string{
		"finding":         c.Verdict.Break.Kind,
		"operator_reason": reason,
	})
	if err != nil {
		w.DB.SealAuditWith(nil)
		return c.Verdict, err
	}
	w.DB.OnAuditCommit(w.anchorer.Committed)
	return c.Verdict, nil
}

func chainOnlyWhy(reason string) string {
	if reason == "" {
		return "this machine's keychain holds no key for this workspace"
	}
	return reason
}

// absentWitness is the keychain's answer when it gave no key: why.
type absentWitness string

func (a absentWitness) Witness(context.Context) audit.Witness {
	return audit.Witness{Missing: string(a)}
}

var _ workspace.AuditWitness = absentWitness("")

// cleanCloseRole is the keychain role of a workspace file's last clean
// close (storage/workspacedb, "cleanclose.go").
const cleanCloseRole = "workspace-file-clean-close"

// closeLedger keeps workspacedb's clean-close records in the keychain as
// "v1 <marker> <size> <mtime-unix-ns> <crc32c> [<device>:<inode>]". None of it is secret;
// the keychain is where it is kept because it is outside the file.
type closeLedger struct{ kc *keychain.Keychain }

var closePattern = regexp.MustCompile(`^v1 ([0-9a-f]{32}) ([0-9]{1,19}) (-?[0-9]{1,19}) ([0-9]{1,10})(?: ([0-9]{1,20}:[0-9]{1,20}))?$`)

func (l closeLedger) LastClose(ctx context.Context, workspaceID string) (workspacedb.CleanClose, error) {
	v, err := l.kc.Get(ctx, workspaceID, cleanCloseRole)
	if err != nil {
		return workspacedb.CleanClose{}, err
	}
	m := closePattern.FindStringSubmatch(v.Reveal())
	if m == nil {
		return workspacedb.CleanClose{}, fmt.Errorf("the keychain's clean-close record of %s is malformed", workspaceID)
	}
	size, err1 := strconv.ParseInt(m[2], 10, 64)
	ns, err2 := strconv.ParseInt(m[3], 10, 64)
	crc, err3 := strconv.ParseUint(m[4], 10, 32)
	if err := errors.Join(err1, err2, err3); err != nil {
		return workspacedb.CleanClose{}, fmt.Errorf("the keychain's clean-close record of %s is malformed: %w", workspaceID, err)
	}
	return workspacedb.CleanClose{Marker: m[1], Size: size, ModTime: time.Unix(0, ns), Identity: m[5], CRC32C: uint32(crc)}, nil
}

func (l closeLedger) RecordClose(ctx context.Context, workspaceID string, c workspacedb.CleanClose) error {
	rec := fmt.Sprintf("v1 %s %d %d %d", c.Marker, c.Size, c.ModTime.UnixNano(), c.CRC32C)
	if c.Identity != "" {
		rec += " " + c.Identity
	}
	return l.kc.Set(ctx, workspaceID, cleanCloseRole, secret.New(rec))
}

// keychainRoles are the keychain entries a workspace owns besides its
// credentials: what forgetting a workspace removes with them.
var keychainRoles = []string{keys.Role, keychain.AnchorRole, cleanCloseRole}

// CloseAndForget closes the workspace file and removes every keychain
// entry the workspace owns: the target token, each source's credential,
// its key, anchor and clean-close record. The file itself stays; what it
// holds can no longer be verified or collected with on this machine.
func (w *Workspace) CloseAndForget(ctx context.Context) error {
	ws, err := w.Service.Get(ctx)
	if errors.Is(err, workspace.ErrNoWorkspace) {
		return w.Close()
	}
	if err != nil {
		return errors.Join(err, w.Close())
	}
	sources, err := w.Service.Sources(ctx)
	if err != nil {
		return errors.Join(err, w.Close())
	}
	roles := make([]string, 0, len(sources))
	for _, src := range sources {
		roles = append(roles, workspace.SourceRole(src.Name))
	}
	if err := w.Close(); err != nil {
		return err
	}
	return forgetKeychain(ctx, w.Keychain, ws.ID, roles)
}
