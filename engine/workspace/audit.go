package workspace

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/engine/audit"
)

// AuditWitness says what this machine knows about the trail from outside
// the workspace file: the workspace's key and the keychain's anchor
// (*audit.Anchorer implements it).
type AuditWitness interface {
	Witness(ctx context.Context) audit.Witness
}

// AuditCheck is the trail as read in one transaction, and its verdict.
type AuditCheck struct {
	Entries []audit.Entry
	Head    audit.Head
	Verdict audit.Verdict
}

// VerifyAudit checks the whole trail: its own chain, and, when the service
// has a Witness, the keychain's anchor, so an emptied, rewritten or
// rolled-back file is found and named. Without one only the chain is
// checked, and the verdict says so.
func (s *Service) VerifyAudit(ctx context.Context) (AuditCheck, error) {
	var c AuditCheck
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if c.Entries, err = tx.AuditEntries(); err != nil {
			return err
		}
		c.Head, err = tx.AuditHead()
		return err
	})
	if err != nil {
		return AuditCheck{}, fmt.Errorf("read audit trail: %w", err)
	}
	var w audit.Witness
	if s.Witness != nil {
		w = s.Witness.Witness(ctx)
	} else {
		w.Missing = "this console was not given the keychain"
	}
	c.Verdict = audit.Check(c.Entries, c.Head, w)
	return c, nil
}

// NoteAuditTrail appends an entry about the trail itself (the anchorer's
// AuditTrailAnchored) in its own transaction.
func (s *Service) NoteAuditTrail(ctx context.Context, facts map[string]string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		_, err = audit.Record(tx, s.entry(ws, audit.AuditTrailAnchored, ws.ID, facts))
		return err
	})
}
