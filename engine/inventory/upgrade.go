package inventory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/keys"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/workspace"
)

// A workspace collected before secret redaction existed holds vendor
// secrets in its stored page bodies, items' raw payloads and the fields
// derived from them (the legacy attributes of items stored before views,
// and the views built from plain payloads). RedactionUpgrade redacts them in
// place. It needs the
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
	// snapshots not yet marked redacted. An item whose view was never
	// built has View.Unbuilt == ViewNotBuiltYet.
	UnredactedItems(afterID int64, limit int) ([]LegacyItem, error)
	// SaveRedactedItem replaces an item's raw payload, legacy fields and,
	// when it has one, its view.
	SaveRedactedItem(RedactedItem) error
	// RebuildSearchIndex indexes every item afresh: by its view, or by its
	// legacy fields while its view is not built yet.
	RebuildSearchIndex() error
	// MarkSnapshotsRedacted marks every snapshot redacted, returning how
	// many were not.
	MarkSnapshotsRedacted() (int, error)
}

// RedactedItem is an item's redacted replacement.
type RedactedItem struct {
	ID     int64
	Raw    []byte
	Legacy map[string]any
	// View is nil for an item whose view is not built yet: it is built
	// later, from the redacted payload (Service.BuildMissingViews).
	View *View
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
	// Catalogue is every vendor's secret-bearing fields: a stored body is
	// redacted with all of them (a stored body does not say which vendor
	// sent it, and over-redacting is safe).
	Catalogue []redact.Field
	// Views rebuild, by source kind, an item's view from its payload; the
	// upgrade uses them to carry what redaction changes in a payload into
	// the view built from it (see redactView).
	Views map[workspace.SourceKind]ViewBuilder
	Actor string
	Now   func() time.Time
}

// RedactionReport says what an upgrade did.
type RedactionReport struct {
	Ran       bool `json:"ran"`
	Pages     int  `json:"pages_redacted"`
	Items     int  `json:"items_redacted"`
	Values    int  `json:"values_redacted"`
	Views     int  `json:"views_redacted"`
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
	r, err := redact.New(u.Catalogue, digester(master))
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
				"views_redacted":      fmt.Sprint(rep.Views),
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
				red, ok, err := u.redactItem(r, it)
				if err != nil {
					return fmt.Errorf("item %d: %w", it.ID, err)
				}
				if !ok {
					continue
				}
				if err := tx.SaveRedactedItem(red); err != nil {
					return err
				}
				if red.View != nil {
					rep.Views++
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

// redactItem redacts an item's raw payload and every copy of a removed
// value in what was derived from it: its legacy fields and, when it has
// one, its view. It reports false for an item with nothing to redact.
func (u RedactionUpgrade) redactItem(r *redact.Redactor, it LegacyItem) (RedactedItem, bool, error) {
	res, err := r.Redact("", it.Raw)
	if err != nil || !res.Redacted() {
		return RedactedItem{}, false, err
	}
	legacy, err := scrubJSON(it.Legacy, res)
	if err != nil {
		return RedactedItem{}, false, fmt.Errorf("legacy fields: %w", err)
	}
	out := RedactedItem{ID: it.ID, Raw: res.Body}
	if err := remarshal(legacy, &out.Legacy); err != nil {
		return RedactedItem{}, false, fmt.Errorf("legacy fields: %w", err)
	}
	if it.View.Unbuilt != ViewNotBuiltYet {
		v, err := u.redactView(it, res, out.Legacy)
		if err != nil {
			return RedactedItem{}, false, fmt.Errorf("view: %w", err)
		}
		out.View = &v
	}
	return out, true, nil
}

// redactView carries into a view built from a plain payload what redacting
// the payload changes: the view a fresh collection would build from the
// redacted payload differs there (a SecretField gains its marker). The
// stored view may hold facts its payload alone cannot rebuild (an Okta SAML
// app's certificates came from another page), so rather than replace it,
// the view is built from the payload before and after redaction and only
// their differences are applied to it. Any copy of a removed value left
// anywhere in the view is then replaced by its marker.
func (u RedactionUpgrade) redactView(it LegacyItem, res redact.Result, scrubbedLegacy map[string]any) (View, error) {
	stored, err := generic(it.View)
	if err != nil {
		return View{}, err
	}
	if build, ok := u.Views[it.SourceKind]; ok {
		plain, redacted := it, it
		redacted.Raw, redacted.Legacy = res.Body, scrubbedLegacy
		before, errBefore := build(plain)
		after, errAfter := build(redacted)
		if errBefore == nil && errAfter == nil {
			b, err := generic(before.View)
			if err != nil {
				return View{}, err
			}
			a, err := generic(after.View)
			if err != nil {
				return View{}, err
			}
			stored = carry(stored, b, a)
		}
	}
	scrubbed, err := scrubJSON(stored, res)
	if err != nil {
		return View{}, err
	}
	var v View
	if err := remarshal(scrubbed, &v); err != nil {
		return View{}, err
	}
	return v, nil
}

// absent stands for a member an object lacks, in carry.
type absent struct{}

// carry applies to stored the change from before to after, member by member
// and element by element; where stored differs from before and the change
// cannot be placed, stored is kept.
func carry(stored, before, after any) any {
	switch {
	case reflect.DeepEqual(before, after):
		return stored
	case reflect.DeepEqual(stored, before):
		return after
	}
	sm, ok1 := stored.(map[string]any)
	bm, ok2 := before.(map[string]any)
	am, ok3 := after.(map[string]any)
	if ok1 && ok2 && ok3 {
		out := make(map[string]any, len(sm))
		for k, v := range sm {
			out[k] = v
		}
		for _, m := range []map[string]any{bm, am} {
			for k := range m {
				v := carry(member(sm, k), member(bm, k), member(am, k))
				if _, gone := v.(absent); gone {
					delete(out, k)
				} else {
					out[k] = v
				}
			}
		}
		return out
	}
	ss, ok1 := stored.([]any)
	bs, ok2 := before.([]any)
	as, ok3 := after.([]any)
	if ok1 && ok2 && ok3 && len(ss) == len(bs) && len(bs) == len(as) {
		out := make([]any, len(ss))
		for i := range ss {
			out[i] = carry(ss[i], bs[i], as[i])
		}
		return out
	}
	return stored
}

func member(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return absent{}
}

// scrubJSON replaces, in every string of v (read as JSON), every value the
// payload's redaction removed.
func scrubJSON(v any, res redact.Result) (any, error) {
	g, err := generic(v)
	if err != nil {
		return nil, err
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
	return walk(g), nil
}

// generic round-trips v through JSON, so every nested value is a plain map,
// slice, string, number or bool whatever types v used.
func generic(v any) (any, error) {
	var g any
	if err := remarshal(v, &g); err != nil {
		return nil, err
	}
	return g, nil
}

// remarshal encodes v and decodes it into into, numbers kept as written
// (json.Number), so a large integer survives the round trip.
func remarshal(v, into any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
