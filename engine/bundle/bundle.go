// Package bundle writes and verifies the signed evidence bundle: one zip
// holding the reports in every format, the raw evidence pages (or only
// their digests), the audit trail export, and manifest.json listing the
// SHA-256 and size of every other file, signed with the workspace's
// Ed25519 evidence-signing key (manifest.sig). The manifest carries the
// public key and its fingerprint, so Verify needs neither the keychain nor
// the workspace: an auditor checks the signature, every digest, and the
// audit chain with nothing but the zip, and with the fingerprint printed on
// the report's cover checks that the right workspace signed it.
package bundle

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/report"
)

// Format names the bundle layout.
const Format = "portal-migration-console/signed-evidence-bundle/v1"

// Fixed names inside the zip.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
	AuditName     = "audit/trail.jsonl"
	PagesName     = "evidence/pages.json"
	ReadmeName    = "README.txt"
)

// PagesMode says whether the bundle carries page bodies.
type PagesMode string

const (
	// PagesBodies packs every evidence page byte for byte as stored (vendor
	// secrets redacted).
	PagesBodies PagesMode = "bodies"
	// PagesDigests packs only the pages' metadata and SHA-256: smaller,
	// and enough to check against a copy of the pages kept elsewhere.
	PagesDigests PagesMode = "digests"
)

// Manifest is manifest.json. Everything an auditor needs to check the
// bundle is here or in a file it lists.
type Manifest struct {
	Format         string        `json:"format"`
	CreatedAt      time.Time     `json:"created_at"`
	ConsoleVersion string        `json:"console_version"`
	Tenant         string        `json:"tenant"`
	WorkspaceID    string        `json:"workspace_id"`
	PreparedBy     string        `json:"prepared_by"`
	SigningKey     SigningKey    `json:"signing_key"`
	PagesMode      PagesMode     `json:"pages_mode"`
	Audit          AuditRef      `json:"audit"`
	Snapshots      []SnapshotRef `json:"snapshots"`
	Reports        []ReportRef   `json:"reports"`
	Files          []FileRef     `json:"files"`
}

// SigningKey is the public half of the key that signed the manifest.
type SigningKey struct {
	Algorithm   string `json:"algorithm"` // "ed25519"
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"` // hex SHA-256 of the public key
}

// AuditRef is the audit export and the head the workspace recorded.
type AuditRef struct {
	File     string `json:"file"`
	Entries  int    `json:"entries"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	// Verified is what the workspace's own check said when the bundle
	// was made; Verify checks the chain again from the export.
	Verified bool   `json:"verified"`
	Break    string `json:"break,omitempty"`
}

// SnapshotRef is one inventory snapshot whose pages the bundle carries.
type SnapshotRef struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	SourceKind string `json:"source_kind"`
	Status     string `json:"status"`
	Items      int    `json:"items"`
	Pages      int    `json:"pages"`
}

// ReportRef is one report in the bundle.
type ReportRef struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"`
	Format string   `json:"format"`
	Files  []string `json:"files"`
}

// FileRef is one file in the bundle with its digest.
type FileRef struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// PageMeta is one evidence page in evidence/pages.json; File is set when
// the bundle carries the body.
type PageMeta struct {
	SnapshotID string `json:"snapshot_id"`
	File       string `json:"file,omitempty"`
	inventory.Page
}

// Pages reads evidence pages (see inventory.Tx.Pages).
type Pages interface {
	PageBodies(ctx context.Context, snapshotID string, ids []int64, withBodies bool) ([]inventory.Page, error)
}

// Render writes one report in one format (formats.Render).
type Render func(doc *report.Document, format string, files report.Files) error

// Input is everything a bundle packs.
type Input struct {
	Reports   []*report.Document
	Formats   []string
	Render    Render
	Snapshots []inventory.Snapshot
	Pages     Pages
	PagesMode PagesMode
	Trail     report.AuditTrail

	Tenant, WorkspaceID, ConsoleVersion, PreparedBy string
	Now                                             time.Time
}

// pageBatch is how many page bodies are read per query.
const pageBatch = 64

// Write packs in into w as a zip and signs its manifest with key.
func Write(ctx context.Context, w io.Writer, in Input, key ed25519.PrivateKey) (Manifest, error) {
	if in.PagesMode != PagesBodies && in.PagesMode != PagesDigests {
		return Manifest{}, fmt.Errorf("pages mode %q: want %s or %s", in.PagesMode, PagesBodies, PagesDigests)
	}
	pub := key.Public().(ed25519.PublicKey)
	m := Manifest{
		Format: Format, CreatedAt: in.Now.UTC(), ConsoleVersion: in.ConsoleVersion, Tenant: in.Tenant,
		WorkspaceID: in.WorkspaceID, PreparedBy: in.PreparedBy, PagesMode: in.PagesMode,
		SigningKey: SigningKey{Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(pub), Fingerprint: Fingerprint(pub)},
		Snapshots:  []SnapshotRef{}, Reports: []ReportRef{}, Files: []FileRef{},
	}
	zw := &zipWriter{zw: zip.NewWriter(w), modified: in.Now, seen: map[string]bool{}}

	if err := zw.file(ReadmeName, func(f io.Writer) error {
		_, err := io.WriteString(f, readme)
		return err
	}, &m); err != nil {
		return m, err
	}
	for _, doc := range in.Reports {
		for _, format := range in.Formats {
			ref := ReportRef{ID: doc.ID, Kind: string(doc.Kind), Format: format}
			files := &zipFiles{zw: zw, m: &m, dir: path.Join("reports", string(doc.Kind), format), ref: &ref}
			if err := in.Render(doc, format, files); err != nil {
				return m, err
			}
			if err := files.close(); err != nil {
				return m, err
			}
			m.Reports = append(m.Reports, ref)
		}
	}
	if err := writePages(ctx, zw, in, &m); err != nil {
		return m, err
	}
	if err := writeAudit(zw, in.Trail, &m); err != nil {
		return m, err
	}

	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, fmt.Errorf("encode the manifest: %w", err)
	}
	body = append(body, '\n')
	sig := ed25519.Sign(key, body)
	for _, f := range []struct {
		name string
		body []byte
	}{{ManifestName, body}, {SignatureName, []byte(base64.StdEncoding.EncodeToString(sig) + "\n")}} {
		w, err := zw.create(f.name)
		if err != nil {
			return m, err
		}
		if _, err := w.Write(f.body); err != nil {
			return m, fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := zw.zw.Close(); err != nil {
		return m, fmt.Errorf("finish the bundle: %w", err)
	}
	return m, nil
}

// Fingerprint is the hex SHA-256 of an Ed25519 public key: the same value
// keys.Master.Fingerprint prints on a report's cover.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}

func writePages(ctx context.Context, zw *zipWriter, in Input, m *Manifest) error {
	var metas []PageMeta
	for _, sn := range in.Snapshots {
		all, err := in.Pages.PageBodies(ctx, sn.ID, nil, false)
		if err != nil {
			return fmt.Errorf("list the evidence pages of snapshot %s: %w", sn.ID, err)
		}
		m.Snapshots = append(m.Snapshots, SnapshotRef{ID: sn.ID, Source: sn.SourceName, SourceKind: string(sn.SourceKind),
			Status: string(sn.Status), Items: sn.ItemCount, Pages: len(all)})
		if in.PagesMode == PagesDigests {
			for _, p := range all {
				metas = append(metas, PageMeta{SnapshotID: sn.ID, Page: p})
			}
			continue
		}
		for start := 0; start < len(all); start += pageBatch {
			end := min(start+pageBatch, len(all))
			ids := make([]int64, 0, end-start)
			for _, p := range all[start:end] {
				ids = append(ids, p.PageID)
			}
			pages, err := in.Pages.PageBodies(ctx, sn.ID, ids, true)
			if err != nil {
				return fmt.Errorf("read the evidence pages of snapshot %s: %w", sn.ID, err)
			}
			for _, p := range pages {
				// The body is stored with vendor secrets redacted: it is
				// checked against the digest recorded when it was stored
				// (docs/evidence.md); SHA256 stays that of the bytes as
				// received.
				if p.StoredSHA256 == "" {
					return fmt.Errorf("evidence page %d of snapshot %s predates secret redaction and has not been redacted yet; reopen the workspace with its keychain to finish its upgrade", p.PageID, sn.ID)
				}
				sum := sha256.Sum256(p.Body)
				if got := hex.EncodeToString(sum[:]); got != p.StoredSHA256 {
					return fmt.Errorf("evidence page %d of snapshot %s: its stored body hashes to %s but %s was recorded when it was stored; the workspace file was altered", p.PageID, sn.ID, got, p.StoredSHA256)
				}
				name := path.Join("evidence", "pages", sn.ID, fmt.Sprintf("%06d-%s-p%d.%s", p.PageID, safeName(p.Domain), p.PageNumber, extension(p.Body)))
				body := p.Body
				if err := zw.file(name, func(f io.Writer) error { _, err := f.Write(body); return err }, m); err != nil {
					return err
				}
				p.Body = nil
				metas = append(metas, PageMeta{SnapshotID: sn.ID, File: name, Page: p})
			}
		}
	}
	if metas == nil {
		metas = []PageMeta{}
	}
	return zw.file(PagesName, func(f io.Writer) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(metas)
	}, m)
}

func writeAudit(zw *zipWriter, t report.AuditTrail, m *Manifest) error {
	m.Audit = AuditRef{File: AuditName, Entries: len(t.Entries), HeadSeq: t.Head.Seq, HeadHash: t.Head.Hash, Verified: t.Break == nil}
	if t.Break != nil {
		m.Audit.Break = t.Break.Error()
	}
	return zw.file(AuditName, func(f io.Writer) error {
		bw := bufio.NewWriter(f)
		enc := json.NewEncoder(bw) // one entry per line
		for _, e := range t.Entries {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return bw.Flush()
	}, m)
}

// zipWriter adds files to the zip, hashing each as it is written.
type zipWriter struct {
	zw       *zip.Writer
	modified time.Time
	seen     map[string]bool
}

func (z *zipWriter) create(name string) (io.Writer, error) {
	if z.seen[name] {
		return nil, fmt.Errorf("bundle file %s written twice", name)
	}
	z.seen[name] = true
	f, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.modified})
	if err != nil {
		return nil, fmt.Errorf("add %s to the bundle: %w", name, err)
	}
	return f, nil
}

// file writes one listed file and records its digest in m.
func (z *zipWriter) file(name string, write func(io.Writer) error, m *Manifest) error {
	f, err := z.create(name)
	if err != nil {
		return err
	}
	h := &hashingWriter{w: f, h: sha256.New()}
	if err := write(h); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	m.Files = append(m.Files, FileRef{Path: name, SHA256: hex.EncodeToString(h.h.Sum(nil)), Bytes: h.n})
	return nil
}

type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// zipFiles is report.Files over the zip: a renderer's files land in dir,
// each hashed into the manifest when the next one opens or at close.
type zipFiles struct {
	zw   *zipWriter
	m    *Manifest
	dir  string
	ref  *ReportRef
	open *hashingWriter
	name string
}

func (z *zipFiles) Create(name string) (io.Writer, error) {
	if err := z.close(); err != nil {
		return nil, err
	}
	if name != path.Base(name) || name == "." || name == ".." {
		return nil, fmt.Errorf("report file name %q is not a plain file name", name)
	}
	full := path.Join(z.dir, name)
	f, err := z.zw.create(full)
	if err != nil {
		return nil, err
	}
	z.open, z.name = &hashingWriter{w: f, h: sha256.New()}, full
	return z.open, nil
}

func (z *zipFiles) close() error {
	if z.open == nil {
		return nil
	}
	z.m.Files = append(z.m.Files, FileRef{Path: z.name, SHA256: hex.EncodeToString(z.open.h.Sum(nil)), Bytes: z.open.n})
	z.ref.Files = append(z.ref.Files, z.name)
	z.open = nil
	return nil
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
	}
	return "txt"
}

// ErrNotABundle is returned for a zip without a signed manifest.
var ErrNotABundle = errors.New("not a signed evidence bundle")

const readme = `Portal Migration Console: signed evidence bundle

This zip holds the reports of one migration workspace in every format
(reports/), the raw evidence pages the incumbents' APIs returned, or their
digests (evidence/), and the workspace's audit trail (audit/trail.jsonl).

Vendor secrets (client secrets, API tokens, private keys) were replaced,
before the pages were stored, by markers such as
"[REDACTED client_secret hmac-sha256:...]" that name the field and carry a
keyed digest of the value. evidence/pages.json gives each page two digests:
sha256 and bytes, of the body exactly as the vendor sent it; stored_sha256
and stored_bytes, of the body as stored and packed here; and redactions,
the JSON pointer, field and keyed digest of every value replaced. The two
are equal for a page nothing was redacted from.

manifest.json lists every other file with its SHA-256 and size, the audit
trail's recorded head, and the public key that signed it; manifest.sig is
the Ed25519 signature of manifest.json, base64-encoded.

To check the bundle, with no keychain and no workspace needed:

    migctl evidence verify --fingerprint FINGERPRINT THIS-FILE.zip

where FINGERPRINT is the evidence signing key printed on the report's cover.
It checks the signature, that the key is the one expected, every file's
digest, that no file was added or removed, and the audit chain, and names
the first file or entry that does not match.
`
