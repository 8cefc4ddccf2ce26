package inventory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/workspace"
)

// A workspace collected before secret redaction existed holds vendor
// secrets in its stored page bodies, items' raw payloads and the attributes
// derived from them. RedactStored redacts them in place. It needs the
// workspace key (keychain), which a schema migration cannot reach, so it
// runs in Go when the workspace is opened with its keychain. It works in
// small transactions, each leaving every row it touched fully redacted, and
// picks up where it stopped: a crash halfway loses nothing and the next open
// finishes. Page bodies keep their key, the SHA-256 of the bytes as received.

// StoredBody is a page body stored before redaction.
type StoredBody struct {
	SHA256 string // of the bytes as received, and as stored until now
	Body   []byte
}

// RedactionTx is what the upgrade reads and writes in a transaction.
type RedactionTx interface {
	audit.Log
	Workspace() (workspace.Workspace, error)
	// RedactionPending reports whether any body or snapshot awaits
	// redaction.
	RedactionPending() (bool, error)
	// UnredactedBodies returns up to limit bodies without a stored digest.
	UnredactedBodies(limit int) ([]StoredBody, error)
	// SaveRedactedBody replaces a body, recording its digest and record.
	SaveRedactedBody(sha256 string, body []byte, storedSHA256 string, redactions []redact.Redaction) error
	// UnredactedItems returns up to limit items after afterID (by id) of
	// snapshots not yet marked redacted.
	UnredactedItems(afterID int64, limit int) ([]StoredItem, error)
	// SaveRedactedItem replaces an item's raw payload and attributes.
	SaveRedactedItem(id int64, raw []byte, attributes map[string]any) error
	// RebuildSearchIndex indexes every item afresh.
	RebuildSearchIndex() error
	// MarkSnapshotsRedacted marks every snapshot redacted, returning how
	// many were not.
	MarkSnapshotsRedacted() (int, error)
}

// RedactionStore runs upgrade transactions.
type RedactionStore interface {
	Update(ctx context.Context, fn func(RedactionTx) error) error
	View(ctx context.Context, fn func(RedactionTx) error) error
}

// RedactionUpgrade is one run of the upgrade.
type RedactionUpgrade struct {
	Store   RedactionStore
	Secrets Secrets
	// Kinds are the source kinds whose catalogues apply; a stored body is
	// redacted with all of them (a stored body does not say which vendor
	// sent it, and over-redacting is safe).
	Kinds        []workspace.SourceKind
	SecretFields SecretCatalogue
	Actor        string
	Now          func() time.Time
}

// RedactionReport says what an upgrade did.
type RedactionReport struct {
	Ran       bool `json:"ran"`
	Pages     int  `json:"pages_redacted"`
	Items     int  `json:"items_redacted"`
	Values    int  `json:"values_redacted"`
	Snapshots int  `json:"snapshots"`
}

// Pending reports whether the store holds anything stored before redaction.
func (u RedactionUpgrade) Pending(ctx context.Context) (bool, error) {
	var pending bool
	err := u.Store.View(ctx, func(tx RedactionTx) error {
		var err error
		pending, err = tx.RedactionPending()
		return err
	})
	return pending, err
}

// Run redacts whatever is pending, rebuilds the search index and records
// migration.inventory.secrets_redacted. With nothing pending it does
// nothing and touches neither the keychain nor the file.
func (u RedactionUpgrade) Run(ctx context.Context) (RedactionReport, error) {
	var rep RedactionReport
	pending, err := u.Pending(ctx)
	if err != nil || !pending {
		return rep, err
	}
	if u.SecretFields == nil {
		return rep, errors.New("redact stored evidence: no catalogue of vendor secret fields is configured")
	}
	var ws workspace.Workspace
	if err := u.Store.View(ctx, func(tx RedactionTx) error {
		var err error
		ws, err = tx.Workspace()
		return err
	}); err != nil {
		return rep, fmt.Errorf("redact stored evidence: %w", err)
	}
	master, err := keys.Load(ctx, u.Secrets, ws.ID)
	if err != nil {
		return rep, fmt.Errorf("redact stored evidence: the workspace key that digests redacted secrets: %w", err)
	}
	var fields []redact.Field
	for _, k := range u.Kinds {
		fields = append(fields, u.SecretFields(k)...)
	}
	r, err := redact.New(fields, digester(master))
	if err != nil {
		return rep, fmt.Errorf("redact stored evidence: %w", err)
	}
	rep.Ran = true
	if err := u.redactBodies(ctx, r, &rep); err != nil {
		return rep, err
	}
	if err := u.redactItems(ctx, r, &rep); err != nil {
		return rep, err
	}
	err = u.Store.Update(ctx, func(tx RedactionTx) error {
		if err := tx.RebuildSearchIndex(); err != nil {
			return err
		}
		n, err := tx.MarkSnapshotsRedacted()
		if err != nil {
			return err
		}
		rep.Snapshots = n
		now := time.Now().UTC()
		if u.Now != nil {
			now = u.Now().UTC()
		}
		_, err = audit.Record(tx, audit.Entry{At: now, Event: audit.InventorySecretsRedacted, Tenant: ws.Tenant, Actor: u.Actor, TargetID: ws.ID,
			Facts: map[string]string{
				"pages_redacted":      fmt.Sprint(rep.Pages),
				"items_redacted":      fmt.Sprint(rep.Items),
				"values_redacted":     fmt.Sprint(rep.Values),
				"snapshots":           fmt.Sprint(rep.Snapshots),
				"search_index":        "rebuilt",
				"received_digests":    "kept",
				"pre_upgrade_backups": "removed",
			}})
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("redact stored evidence: finish: %w", err)
	}
	return rep, nil
}

const (
	bodyBatch = 32
	itemBatch = 500
)

func (u RedactionUpgrade) redactBodies(ctx context.Context, r *redact.Redactor, rep *RedactionReport) error {
	for {
		done := false
		err := u.Store.Update(ctx, func(tx RedactionTx) error {
			bodies, err := tx.UnredactedBodies(bodyBatch)
			if err != nil {
				return err
			}
			done = len(bodies) == 0
			for _, b := range bodies {
				// Endpoint unknown here: every catalogue field applies,
				// and a body that is not JSON gets the text rules.
				res, err := r.Redact("", b.Body)
				if err != nil {
					return fmt.Errorf("page body %s: %w", b.SHA256, err)
				}
				if err := tx.SaveRedactedBody(b.SHA256, res.Body, sha256Hex(res.Body), res.Redactions); err != nil {
					return err
				}
				if res.Redacted() {
					rep.Pages++
					rep.Values += len(res.Redactions)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("redact stored evidence pages: %w", err)
		}
		if done {
			return nil
		}
	}
}

func (u RedactionUpgrade) redactItems(ctx context.Context, r *redact.Redactor, rep *RedactionReport) error {
	var after int64
	for {
		done := false
		err := u.Store.Update(ctx, func(tx RedactionTx) error {
			items, err := tx.UnredactedItems(after, itemBatch)
			if err != nil {
				return err
			}
			done = len(items) == 0
			for _, it := range items {
				after = it.ID
				res, err := r.Redact("", it.Raw)
				if err != nil {
					return fmt.Errorf("item %d: %w", it.ID, err)
				}
				if !res.Redacted() {
					continue
				}
				attrs, err := scrubAttributes(it.Attributes, res)
				if err != nil {
					return fmt.Errorf("item %d: %w", it.ID, err)
				}
				if err := tx.SaveRedactedItem(it.ID, res.Body, attrs); err != nil {
					return err
				}
				rep.Items++
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("redact stored items: %w", err)
		}
		if done {
			return nil
		}
	}
}

// scrubAttributes replaces, in attributes a normalizer derived from a plain
// payload, every value the payload's redaction removed.
func scrubAttributes(attrs map[string]any, res redact.Result) (map[string]any, error) {
	// Round-trip through JSON so every nested value is a plain map, slice
	// or string, whatever types the normalizer used.
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("encode attributes: %w", err)
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, fmt.Errorf("decode attributes: %w", err)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			return res.Scrub(x)
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = walk(x[k])
			}
		}
		return v
	}
	walk(generic)
	return generic, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
