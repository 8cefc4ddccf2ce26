package cli

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/bundle"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

// zipFile is one entry, kept in order so a rewritten zip differs only
// where a test means it to.
type zipFile struct {
	name string
	body []byte
}

func readZip(t *testing.T, path string) []zipFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []zipFile
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipFile{f.Name, b})
	}
	return out
}

func writeZip(t *testing.T, path string, files []zipFile) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// verify runs evidence verify the way an auditor would: no --workspace,
// no PMC_WORKSPACE, nothing but the zip.
func (e *engagement) verify(path string, args ...string) (result, bundle.Result) {
	h := &harness{t: e.h.t, env: map[string]string{}}
	r := h.runRaw("", append(append([]string{"evidence", "verify", "--json"}, args...), path)...)
	e.h.printed = append(e.h.printed, h.printed...)
	var res bundle.Result
	if r.stdout != "" {
		decodeInto(e.h.t, r.stdout, &res)
	}
	return r, res
}

func (e *engagement) bundle(t *testing.T, name string, extra ...string) (bundleResult, string) {
	t.Helper()
	out := filepath.Join(e.dir(), name)
	var res bundleResult
	decodeInto(t, e.h.ok("", append([]string{"evidence", "bundle", "--out", out, "--json"}, extra...)...).stdout, &res)
	return res, out
}

func TestEvidenceBundleVerifiesAndNamesEveryTamper(t *testing.T) {
	e := newEngagement(t, "fake-token-for-bundle-tests")
	rep, _ := e.report(t, "engagement", "json")
	res, path := e.bundle(t, "evidence.zip")
	if res.Fingerprint != rep.Fingerprint || len(res.Fingerprint) != 64 {
		t.Fatalf("the bundle is signed by %q, the report shows %q", res.Fingerprint, rep.Fingerprint)
	}
	if len(res.Reports) != 12 {
		t.Errorf("the bundle holds %d reports, want 3 kinds x 4 formats", len(res.Reports))
	}

	r, v := e.verify(path, "--fingerprint", res.Fingerprint)
	if r.code != 0 || !v.OK || !v.SignatureValid || v.AuditEntries == 0 {
		t.Fatalf("a fresh bundle does not verify: exit %d %+v\n%s", r.code, v, r.stderr)
	}
	if r := e.h.runRaw("", "evidence", "verify", path); r.code != 0 || !strings.Contains(r.stdout, "Bundle verified") {
		t.Errorf("human verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r, _ = e.verify(path, "--fingerprint", strings.Repeat("0", 64))
	if r.code != 1 || !strings.Contains(r.stderr, "manifest.json") || !strings.Contains(r.stderr, "not the expected") {
		t.Errorf("a bundle checked against another key: exit %d, %s", r.code, r.stderr)
	}

	files := readZip(t, path)
	pageBodies := 0
	for _, f := range files {
		if strings.HasPrefix(f.name, "evidence/pages/") {
			pageBodies++
		}
	}
	if pageBodies != e.okta.PageCount+e.entra.PageCount {
		t.Errorf("the bundle holds %d page bodies, the snapshots %d pages", pageBodies, e.okta.PageCount+e.entra.PageCount)
	}
	tampered := filepath.Join(e.dir(), "tampered.zip")
	expectFailure := func(what, name string) {
		t.Helper()
		r, v := e.verify(tampered, "--fingerprint", res.Fingerprint)
		if r.code != 1 || v.OK || len(v.Problems) == 0 {
			t.Errorf("%s: verify passed (exit %d)", what, r.code)
			return
		}
		if v.Problems[0].Path != name || !strings.Contains(r.stderr, name) {
			t.Errorf("%s: the first problem names %q (%s), want %s", what, v.Problems[0].Path, v.Problems[0].Reason, name)
		}
	}

	// One changed byte in any file.
	for i := range files {
		changed := append([]zipFile(nil), files...)
		body := append([]byte(nil), files[i].body...)
		// A letter or digit near the middle: flipping a byte of the JSON
		// syntax would make the manifest unreadable (not a bundle at all)
		// rather than tampered with, which this loop is not about.
		at := len(body) / 2
		for at < len(body)-1 && !flippable(body[at]) {
			at++
		}
		body[at] ^= 0x01
		changed[i] = zipFile{files[i].name, body}
		writeZip(t, tampered, changed)
		want := files[i].name
		if want == bundle.SignatureName {
			want = bundle.ManifestName // its signature no longer holds
		}
		expectFailure("a byte changed in "+files[i].name, want)
	}
	// A file removed, or one added.
	for _, name := range []string{"reports/engagement/pdf/engagement.pdf", bundle.AuditName, files[len(files)/2].name} {
		var kept []zipFile
		for _, f := range files {
			if f.name != name {
				kept = append(kept, f)
			}
		}
		writeZip(t, tampered, kept)
		expectFailure("removed "+name, name)
	}
	writeZip(t, tampered, append(append([]zipFile(nil), files...), zipFile{"reports/engagement/notes.txt", []byte("added later")}))
	expectFailure("an added file", "reports/engagement/notes.txt")

	// The audit export edited: by hand; and with the manifest's digest
	// recomputed and re-signed by another key, which only the fingerprint
	// and the chain catch.
	edited := append([]zipFile(nil), files...)
	var manifest bundle.Manifest
	for i, f := range edited {
		if f.name == bundle.AuditName {
			lines := strings.SplitAfter(string(f.body), "\n")
			var entry map[string]any
			json.Unmarshal([]byte(lines[1]), &entry)
			entry["actor"] = "someone-else"
			b, _ := json.Marshal(entry)
			lines[1] = string(b) + "\n"
			edited[i].body = []byte(strings.Join(lines, ""))
		}
		if f.name == bundle.ManifestName {
			json.Unmarshal(f.body, &manifest)
		}
	}
	writeZip(t, tampered, edited)
	expectFailure("an edited audit export", bundle.AuditName)
	r, v = e.verify(tampered)
	if len(v.Problems) < 2 || v.Problems[1].Entry != 2 {
		t.Errorf("the edited audit entry is not named: %+v", v.Problems)
	}

	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	for i := range manifest.Files {
		for _, f := range edited {
			if f.name == manifest.Files[i].Path {
				sum := sha256.Sum256(f.body)
				manifest.Files[i].SHA256, manifest.Files[i].Bytes = hex.EncodeToString(sum[:]), int64(len(f.body))
			}
		}
	}
	manifest.SigningKey = bundle.SigningKey{Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(pub), Fingerprint: bundle.Fingerprint(pub)}
	mb, _ := json.MarshalIndent(manifest, "", "  ")
	for i, f := range edited {
		switch f.name {
		case bundle.ManifestName:
			edited[i].body = mb
		case bundle.SignatureName:
			edited[i].body = []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(priv, mb)))
		}
	}
	writeZip(t, tampered, edited)
	r, v = e.verify(tampered)
	if r.code != 1 || v.OK || v.Problems[0].Path != bundle.AuditName || v.Problems[0].Entry != 2 {
		t.Errorf("a re-signed bundle with an edited audit entry: exit %d %+v", r.code, v.Problems)
	}
	expectFailure("a bundle re-signed by another key", bundle.ManifestName)

	// Digests only: smaller, no bodies, still verifies.
	dres, dpath := e.bundle(t, "digests.zip", "--pages", "digests")
	if r, v := e.verify(dpath, "--fingerprint", dres.Fingerprint); r.code != 0 || !v.OK {
		t.Errorf("a digests-only bundle does not verify: %+v", v.Problems)
	}
	for _, f := range readZip(t, dpath) {
		if strings.HasPrefix(f.name, "evidence/pages/") {
			t.Errorf("a digests-only bundle carries the body %s", f.name)
		}
	}
	if dres.Bytes >= res.Bytes {
		t.Errorf("the digests-only bundle (%d bytes) is not smaller than the full one (%d)", dres.Bytes, res.Bytes)
	}

	// Never overwritten; bad usage is exit 2.
	if r := e.h.run("", "evidence", "bundle", "--out", path); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("a bundle over an existing file: exit %d %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"evidence", "bundle", "--out", filepath.Join(e.dir(), "x.zip"), "--pages", "some"},
		{"evidence", "verify"},
		{"evidence", "verify", "--fingerprint", "not-hex", path},
	} {
		if r := e.h.runRaw("", args...); r.code != 2 {
			t.Errorf("migctl %v: exit %d, want 2", args, r.code)
		}
	}
	if r := e.h.runRaw("", "evidence", "verify", filepath.Join(e.dir(), "acme.pmcw")); r.code != 1 || !strings.Contains(r.stderr, "not a signed evidence bundle") {
		t.Errorf("verify of a workspace file: exit %d %s", r.code, r.stderr)
	}
}

// TestCanaryNeverReachesAReportOrBundle: one unique secret is the target's
// token and both sources' credentials; no report in any format or kind,
// and no file of either bundle, holds it, as bytes or as the text a PDF
// shows.
func TestCanaryNeverReachesAReportOrBundle(t *testing.T) {
	canary := "canary-" + randomHex(t, 16)
	e := newEngagement(t, canary)
	e.h.env["PMC_LOG_LEVEL"] = "debug"
	checked := 0
	check := func(name string, b []byte) {
		t.Helper()
		checked++
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the secret is in %s", name)
		}
		if strings.HasSuffix(name, ".pdf") && strings.Contains(reporttest.PDFText(t, b, 0, 0), canary) {
			t.Errorf("the secret is in the text of %s", name)
		}
	}
	for _, kind := range []string{"assessment", "cutover", "engagement"} {
		for _, format := range []string{"pdf", "html", "json", "csv"} {
			_, out := e.report(t, kind, format)
			if format != "csv" {
				b, _ := os.ReadFile(out)
				check(out, b)
				continue
			}
			entries, _ := os.ReadDir(out)
			for _, de := range entries {
				b, _ := os.ReadFile(filepath.Join(out, de.Name()))
				check(de.Name(), b)
			}
		}
	}
	for _, mode := range []string{"bodies", "digests"} {
		_, path := e.bundle(t, mode+".zip", "--pages", mode)
		raw, _ := os.ReadFile(path)
		check(path, raw)
		for _, f := range readZip(t, path) {
			check(mode+":"+f.name, f.body)
		}
		e.verify(path)
	}
	if checked < 40 {
		t.Fatalf("only %d files checked: the search proves little", checked)
	}
	all := strings.Join(e.h.printed, "\n")
	if strings.Contains(all, canary) {
		t.Error("migctl printed the secret")
	}
	names := make([]string, 0)
	for _, p := range e.h.printed {
		if strings.Contains(p, "level=DEBUG") {
			names = append(names, "debug")
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Error("debug logging did not run: the output search proves less")
	}
}

// flippable reports a byte that stays a letter or digit with its lowest
// bit flipped.
func flippable(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'y' || b >= 'A' && b <= 'Y'
}
