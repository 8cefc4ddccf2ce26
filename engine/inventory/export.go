package inventory

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Manifest describes an evidence bundle: the snapshot and, for every file
// in the zip, its two digests, so a reviewer can check nothing was altered
// (Digests explains them; docs/evidence.md in more detail).
type Manifest struct {
	Format     string          `json:"format"`
	ExportedAt time.Time       `json:"exported_at"`
	Digests    string          `json:"digests"`
	Snapshot   Snapshot        `json:"snapshot"`
	Pages      []ManifestEntry `json:"pages"`
}

// digestsNote is written into every manifest: the bundle must explain
// itself to a reviewer who has only the zip.
const digestsNote = "Each page file holds the response body the vendor sent with every secret value " +
	"(client secrets, private keys, passwords, tokens) replaced by a marker of the form " +
	"\"[REDACTED <field> hmac-sha256:<digest>]\" (base64-encoded for binary fields); " +
	"\"redactions\" lists the JSON pointer, field and keyed digest of each. " +
	"\"stored_sha256\" and \"stored_bytes\" are the SHA-256 and size of the page file in this bundle. " +
	"\"sha256\" and \"bytes\" are those of the body exactly as the vendor sent it, recorded before " +
	"redaction: they prove what was received, and differ from the file's only where something was redacted. " +
	"The marker digests are HMAC-SHA256 under a key held in the workspace owner's keychain, so two " +
	"snapshots show whether a secret changed without revealing it."

// ManifestEntry is one evidence page in the bundle.
type ManifestEntry struct {
	File string `json:"file"`
	Page
}

// manifestFormat v2: page files are redacted; each entry carries both
// digests and the redaction record.
const manifestFormat = "portal-migration-console/evidence-bundle/v2"

// ExportEvidence writes a snapshot's evidence as a zip: one file per
// fetched page, the stored (redacted) body, and manifest.json with each
// page's metadata, both digests and its redactions. Bodies are read in
// small batches so a large snapshot does not have to fit in memory.
func (s *Service) ExportEvidence(ctx context.Context, snapshotID string, w io.Writer) (Manifest, error) {
	snap, err := s.Snapshot(ctx, snapshotID)
	if err != nil {
		return Manifest{}, err
	}
	var meta []Page
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		meta, err = tx.Pages(snap.ID, nil, false)
		return err
	}); err != nil {
		return Manifest{}, fmt.Errorf("list evidence pages of %s: %w", snap.ID, err)
	}
	m := Manifest{Format: manifestFormat, ExportedAt: s.now(), Digests: digestsNote, Snapshot: snap, Pages: make([]ManifestEntry, 0, len(meta))}
	zw := zip.NewWriter(w)
	const batch = 64
	for start := 0; start < len(meta); start += batch {
		end := min(start+batch, len(meta))
		ids := make([]int64, 0, end-start)
		for _, p := range meta[start:end] {
			ids = append(ids, p.PageID)
		}
		var pages []Page
		if err := s.Store.View(ctx, func(tx Tx) error {
			var err error
			pages, err = tx.Pages(snap.ID, ids, true)
			return err
		}); err != nil {
			return Manifest{}, fmt.Errorf("read evidence pages of %s: %w", snap.ID, err)
		}
		for _, p := range pages {
			if p.StoredSHA256 == "" {
				return Manifest{}, fmt.Errorf("evidence page %d predates secret redaction and has not been redacted yet; reopen the workspace with its keychain to finish its upgrade", p.PageID)
			}
			sum := sha256.Sum256(p.Body)
			if got := hex.EncodeToString(sum[:]); got != p.StoredSHA256 {
				return Manifest{}, fmt.Errorf("evidence page %d: stored body hashes to %s, recorded %s: the workspace file was altered", p.PageID, got, p.StoredSHA256)
			}
			name := path.Join("pages", fmt.Sprintf("%06d-%s-p%d.%s", p.PageID, safeName(p.Domain), p.PageNumber, extension(p.Body)))
			f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: p.FetchedAt})
			if err != nil {
				return Manifest{}, fmt.Errorf("add %s to the bundle: %w", name, err)
			}
			if _, err := f.Write(p.Body); err != nil {
				return Manifest{}, fmt.Errorf("write %s: %w", name, err)
			}
			p.Body = nil
			m.Pages = append(m.Pages, ManifestEntry{File: name, Page: p})
		}
	}
	f, err := zw.Create("manifest.json")
	if err != nil {
		return Manifest{}, fmt.Errorf("add manifest: %w", err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return Manifest{}, fmt.Errorf("write manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("finish evidence bundle: %w", err)
	}
	return m, nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

func extension(body []byte) string {
	trimmed := strings.TrimSpace(string(body[:min(len(body), 64)]))
	switch {
	case strings.HasPrefix(trimmed, "{"), strings.HasPrefix(trimmed, "["):
		return "json"
	case strings.HasPrefix(trimmed, "<"):
		return "xml"
	default:
		return "txt"
	}
}
