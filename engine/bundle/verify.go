package bundle

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/portal-id/migration-console/engine/audit"
)

// Limits on what Verify reads into memory: a hostile zip cannot make it
// hold more than this, whatever its headers claim. File contents are
// streamed through SHA-256 and never held.
const (
	maxManifestBytes  = 64 << 20
	maxSignatureBytes = 4 << 10
	maxAuditLineBytes = 1 << 20
	maxPagesBytes     = 256 << 20
)

// Problem is one thing that does not match. Entry is the audit entry's
// sequence number when the problem is in the audit chain.
type Problem struct {
	Path   string `json:"path"`
	Entry  int64  `json:"entry,omitempty"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Entry > 0 {
		return fmt.Sprintf("%s entry %d: %s", p.Path, p.Entry, p.Reason)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Reason)
}

// Result is what Verify found. OK only when Problems is empty.
type Result struct {
	OK                  bool      `json:"ok"`
	Fingerprint         string    `json:"signing_key_fingerprint"`
	ExpectedFingerprint string    `json:"expected_fingerprint,omitempty"`
	SignatureValid      bool      `json:"signature_valid"`
	FilesChecked        int       `json:"files_checked"`
	AuditEntries        int       `json:"audit_entries"`
	Manifest            *Manifest `json:"-"`
	Problems            []Problem `json:"problems"`
}

// Verify checks a bundle with nothing but its bytes: the manifest's
// signature under the public key it carries (and, when expected is not
// "", that the key's fingerprint is expected), every listed file's size
// and SHA-256, that no file is missing or added, that each evidence page
// body is the page its metadata names, and the audit chain from the
// export to the signed head. It returns every problem it finds in that
// order, the first being the one to name; an error means the bundle could
// not be read at all.
func Verify(r io.ReaderAt, size int64, expected string) (Result, error) {
	res := Result{Problems: []Problem{}, ExpectedFingerprint: strings.ToLower(strings.TrimSpace(expected))}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return res, fmt.Errorf("%w: it is not a readable zip (%v)", ErrNotABundle, err)
	}
	add := func(p Problem) { res.Problems = append(res.Problems, p) }

	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		switch {
		case entries[f.Name] != nil:
			add(Problem{Path: f.Name, Reason: "appears twice in the zip: a reader may see either copy"})
		case !localName(f.Name):
			add(Problem{Path: f.Name, Reason: "is not a plain relative path inside the bundle"})
		}
		if entries[f.Name] == nil {
			entries[f.Name] = f
		}
	}
	manifestBytes, err := readEntry(entries[ManifestName], maxManifestBytes)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %v", ErrNotABundle, ManifestName, err)
	}
	sigText, err := readEntry(entries[SignatureName], maxSignatureBytes)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %v", ErrNotABundle, SignatureName, err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(manifestBytes))
	dec.DisallowUnknownFields()
	// A manifest that no longer parses was most likely changed: name it as
	// the first problem rather than refusing the bundle as unreadable.
	if err := dec.Decode(&m); err != nil {
		add(Problem{Path: ManifestName, Reason: fmt.Sprintf("is not a readable manifest (changed or damaged): %v", err)})
		return res, nil
	}
	if m.Format != Format {
		add(Problem{Path: ManifestName, Reason: fmt.Sprintf("has format %q; this console reads %q", m.Format, Format)})
		return res, nil
	}
	res.Manifest = &m

	// The key and the signature first: nothing the manifest says counts
	// until they hold.
	pub, err := base64.StdEncoding.DecodeString(m.SigningKey.PublicKey)
	switch {
	case err != nil || len(pub) != ed25519.PublicKeySize || m.SigningKey.Algorithm != "ed25519":
		add(Problem{Path: ManifestName, Reason: "its signing key is not an Ed25519 public key"})
		pub = nil
	case Fingerprint(pub) != m.SigningKey.Fingerprint:
		add(Problem{Path: ManifestName, Reason: fmt.Sprintf("its signing key's fingerprint is %s, not the %s it states", Fingerprint(pub), m.SigningKey.Fingerprint)})
	}
	if pub != nil {
		res.Fingerprint = Fingerprint(pub)
		if res.ExpectedFingerprint != "" && res.Fingerprint != res.ExpectedFingerprint {
			add(Problem{Path: ManifestName, Reason: fmt.Sprintf("signed by the key with fingerprint %s, not the expected %s: this bundle was not signed by that workspace", res.Fingerprint, res.ExpectedFingerprint)})
		}
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigText)))
		if err == nil && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, manifestBytes, sig) {
			res.SignatureValid = true
		} else {
			add(Problem{Path: ManifestName, Reason: "the signature in " + SignatureName + " does not match it: the manifest was changed after signing, or the signature was replaced"})
		}
	}

	// Every listed file, in manifest order.
	listed := map[string]FileRef{ManifestName: {}, SignatureName: {}}
	for _, fr := range m.Files {
		if _, dup := listed[fr.Path]; dup {
			add(Problem{Path: fr.Path, Reason: "is listed twice in the manifest"})
			continue
		}
		listed[fr.Path] = fr
		f := entries[fr.Path]
		if f == nil {
			add(Problem{Path: fr.Path, Reason: "is missing: the manifest lists it but the zip does not hold it (removed after signing)"})
			continue
		}
		sum, n, err := digest(f)
		res.FilesChecked++
		switch {
		case err != nil:
			add(Problem{Path: fr.Path, Reason: fmt.Sprintf("cannot be read: %v", err)})
		case sum != fr.SHA256 || n != fr.Bytes:
			add(Problem{Path: fr.Path, Reason: fmt.Sprintf("does not match the manifest: SHA-256 %s over %d bytes, the manifest says %s over %d (changed after signing)", sum, n, fr.SHA256, fr.Bytes)})
		}
	}
	for _, f := range zr.File {
		if _, ok := listed[f.Name]; !ok {
			add(Problem{Path: f.Name, Reason: "is not listed in the signed manifest (added after signing)"})
		}
	}

	for _, p := range checkPages(entries, listed) {
		add(p)
	}
	n, probs := checkAudit(entries[m.Audit.File], m.Audit)
	res.AuditEntries = n
	for _, p := range probs {
		add(p)
	}
	res.OK = len(res.Problems) == 0
	return res, nil
}

// localName reports whether a zip entry name is a plain relative path:
// no absolute path, no "..", no backslashes, nothing a careless unzip
// would write outside its folder.
func localName(name string) bool {
	if name == "" || strings.Contains(name, `\`) || strings.HasPrefix(name, "/") || path.Clean(name) != name {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." {
			return false
		}
	}
	return true
}

func readEntry(f *zip.File, limit int64) ([]byte, error) {
	if f == nil {
		return nil, errors.New("missing")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

func digest(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// checkPages checks that each page body the bundle carries hashes to the
// SHA-256 recorded when the page was stored: the manifest proves the file
// is what was packed, this that what was packed is the stored page, which
// is what the vendor sent (sha256) with only the values its redactions
// list replaced. A page listed without a stored digest is checked against
// the digest of the bytes as received.
func checkPages(entries map[string]*zip.File, listed map[string]FileRef) []Problem {
	b, err := readEntry(entries[PagesName], maxPagesBytes)
	if err != nil {
		if _, ok := listed[PagesName]; ok && entries[PagesName] != nil {
			return []Problem{{Path: PagesName, Reason: fmt.Sprintf("cannot be read: %v", err)}}
		}
		return nil // reported above as missing
	}
	var metas []PageMeta
	if err := json.Unmarshal(b, &metas); err != nil {
		return []Problem{{Path: PagesName, Reason: fmt.Sprintf("is not a page list: %v", err)}}
	}
	var out []Problem
	for _, p := range metas {
		if p.File == "" {
			continue
		}
		fr, ok := listed[p.File]
		if !ok {
			out = append(out, Problem{Path: p.File, Reason: fmt.Sprintf("is named by %s but not listed in the manifest", PagesName)})
			continue
		}
		want, when := p.StoredSHA256, "stored"
		if want == "" {
			want, when = p.SHA256, "fetched"
		}
		if fr.SHA256 != want {
			out = append(out, Problem{Path: p.File, Reason: fmt.Sprintf("holds bytes with SHA-256 %s, but page %d of snapshot %s was recorded as %s when it was %s", fr.SHA256, p.PageID, p.SnapshotID, want, when)})
		}
	}
	return out
}

// checkAudit reads the audit export line by line and verifies the chain
// up to the head the signed manifest records.
func checkAudit(f *zip.File, ref AuditRef) (int, []Problem) {
	if f == nil {
		return 0, nil // reported above as missing
	}
	rc, err := f.Open()
	if err != nil {
		return 0, []Problem{{Path: ref.File, Reason: fmt.Sprintf("cannot be read: %v", err)}}
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), maxAuditLineBytes)
	var entries []audit.Entry
	for line := 1; sc.Scan(); line++ {
		var e audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return len(entries), []Problem{{Path: ref.File, Reason: fmt.Sprintf("line %d is not an audit entry: %v", line, err)}}
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return len(entries), []Problem{{Path: ref.File, Reason: fmt.Sprintf("cannot be read: %v", err)}}
	}
	var out []Problem
	if brk := audit.Verify(entries, audit.Head{Seq: ref.HeadSeq, Hash: ref.HeadHash}); brk != nil {
		out = append(out, Problem{Path: ref.File, Entry: brk.Seq, Reason: brk.Reason})
	}
	if len(entries) != ref.Entries {
		out = append(out, Problem{Path: ref.File, Reason: fmt.Sprintf("holds %d entries, the manifest says %d", len(entries), ref.Entries)})
	}
	return len(entries), out
}
