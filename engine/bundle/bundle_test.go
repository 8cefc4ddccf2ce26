package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/bundle"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

// pages serves the made-up engagement's pages with bodies that hash to
// what the page records.
type pages struct{ d *reporttest.Data }

func (p pages) PageBodies(_ context.Context, snapshotID string, ids []int64, withBodies bool) ([]inventory.Page, error) {
	var out []inventory.Page
	for _, pg := range p.d.PagesOf[snapshotID] {
		if len(ids) > 0 && !contains(ids, pg.PageID) {
			continue
		}
		if withBodies {
			pg.Body = body(snapshotID, pg.PageID)
		}
		out = append(out, pg)
	}
	return out, nil
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func body(snap string, id int64) []byte {
	return []byte(`{"snapshot":"` + snap + `","page":` + string(rune('0'+id%10)) + `}`)
}

// fixPages makes each page's stored digest that of its body, and its
// as-received digest that of the body before a (fake) secret was redacted
// from it: the bundle packs, and Verify checks, the stored body.
func fixPages(d *reporttest.Data) {
	for snap, ps := range d.PagesOf {
		for i := range ps {
			stored := body(snap, ps[i].PageID)
			received := append(append([]byte{}, stored...), " fake-secret-test-only"...)
			ps[i].SHA256, ps[i].Bytes = sha(received), len(received)
			ps[i].StoredSHA256, ps[i].StoredBytes = sha(stored), len(stored)
		}
	}
}

func write(t *testing.T, mode bundle.PagesMode, key ed25519.PrivateKey) ([]byte, *reporttest.Data) {
	t.Helper()
	d := reporttest.Engagement(120)
	fixPages(d)
	doc, err := report.Build(context.Background(), report.KindEngagement, d, nil, report.Options{ConsoleVersion: "0.1.0",
		ReportID: "RPT-20260302-0123456789AB", Now: func() time.Time { return reporttest.Epoch }})
	if err != nil {
		t.Fatal(err)
	}
	render := func(doc *report.Document, format string, files report.Files) error {
		w, err := files.Create(string(doc.Kind) + "." + format)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, doc.ID+" as "+format)
		return err
	}
	var snaps []inventory.Snapshot
	snaps = append(snaps, d.Snaps...)
	var buf bytes.Buffer
	_, err = bundle.Write(context.Background(), &buf, bundle.Input{Reports: []*report.Document{doc}, Formats: []string{"txt", "md"},
		Render: render, Snapshots: snaps, Pages: pages{d}, PagesMode: mode, Trail: d.Trail, Tenant: "example-corp",
		Now: reporttest.Epoch}, key)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), d
}

func verify(t *testing.T, b []byte, fp string) bundle.Result {
	t.Helper()
	res, err := bundle.Verify(bytes.NewReader(b), int64(len(b)), fp)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func TestWriteThenVerify(t *testing.T) {
	k := key(1)
	fp := bundle.Fingerprint(k.Public().(ed25519.PublicKey))
	for _, mode := range []bundle.PagesMode{bundle.PagesBodies, bundle.PagesDigests} {
		b, d := write(t, mode, k)
		res := verify(t, b, strings.ToUpper(fp))
		if !res.OK || !res.SignatureValid || res.Fingerprint != fp || res.AuditEntries != len(d.Trail.Entries) {
			t.Errorf("%s: %+v", mode, res)
		}
		if res.Manifest.PagesMode != mode || len(res.Manifest.Reports) != 2 {
			t.Errorf("%s: manifest %+v", mode, res.Manifest)
		}
	}
	// Same input, same key: the same bytes (a bundle can be rebuilt and compared).
	a, _ := write(t, bundle.PagesBodies, k)
	c, _ := write(t, bundle.PagesBodies, k)
	if !bytes.Equal(a, c) {
		t.Error("the same input wrote different bundles")
	}
}

// rezip rewrites a bundle through edit, which may drop (return nil) or
// change any entry, and appends extra.
func rezip(t *testing.T, b []byte, edit func(name string, body []byte) []byte, extra map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	put := func(name string, body []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if body = edit(f.Name, body); body != nil {
			put(f.Name, body)
		}
	}
	for name, body := range extra {
		put(name, body)
	}
	zw.Close()
	return out.Bytes()
}

func keep(_ string, b []byte) []byte { return b }

func TestHostileZips(t *testing.T) {
	b, _ := write(t, bundle.PagesBodies, key(2))
	cases := map[string]struct {
		zip  []byte
		path string
	}{
		"path traversal": {rezip(t, b, keep, map[string][]byte{"../outside.txt": []byte("x")}), "../outside.txt"},
		"absolute path":  {rezip(t, b, keep, map[string][]byte{"/etc/x": []byte("x")}), "/etc/x"},
		"duplicate":      {rezip(t, b, keep, map[string][]byte{bundle.AuditName: []byte("{}\n")}), bundle.AuditName},
		// A manifest changed so that it no longer parses is named, not
		// refused as an unreadable bundle.
		"garbage manifest": {rezip(t, b, func(n string, body []byte) []byte {
			return map[bool][]byte{true: []byte("{"), false: body}[n == bundle.ManifestName]
		}, nil), bundle.ManifestName},
		"page body swapped": {rezip(t, b, func(name string, body []byte) []byte {
			if strings.HasPrefix(name, "evidence/pages/") {
				return append(body, ' ')
			}
			return body
		}, nil), ""},
	}
	for name, c := range cases {
		res := verify(t, c.zip, "")
		if res.OK || len(res.Problems) == 0 {
			t.Errorf("%s: verified", name)
			continue
		}
		if c.path != "" && res.Problems[0].Path != c.path {
			t.Errorf("%s: first problem %v", name, res.Problems[0])
		}
	}
	for name, z := range map[string][]byte{
		"not a zip": []byte("PK but not really"),
		"no manifest": rezip(t, b, func(n string, body []byte) []byte {
			return map[bool][]byte{true: nil, false: body}[n == bundle.ManifestName]
		}, nil),
		"no signature": rezip(t, b, func(n string, body []byte) []byte {
			return map[bool][]byte{true: nil, false: body}[n == bundle.SignatureName]
		}, nil),
	} {
		if _, err := bundle.Verify(bytes.NewReader(z), int64(len(z)), ""); !errors.Is(err, bundle.ErrNotABundle) {
			t.Errorf("%s: err = %v, want ErrNotABundle", name, err)
		}
	}
}

func TestAlteredPageBodyIsRefusedAtWrite(t *testing.T) {
	d := reporttest.Engagement(60)
	fixPages(d)
	for snap := range d.PagesOf {
		d.PagesOf[snap][0].StoredSHA256 = sha([]byte("something else"))
		break
	}
	doc, _ := report.Build(context.Background(), report.KindEngagement, d, nil, report.Options{})
	_, err := bundle.Write(context.Background(), io.Discard, bundle.Input{Reports: []*report.Document{doc},
		Render: func(*report.Document, string, report.Files) error { return nil }, Snapshots: d.Snaps, Pages: pages{d},
		PagesMode: bundle.PagesBodies, Trail: d.Trail, Now: reporttest.Epoch}, key(3))
	if err == nil || !strings.Contains(err.Error(), "workspace file was altered") {
		t.Errorf("a stored body that does not match its recorded digest was packed: %v", err)
	}

	// A page stored before secret redaction, not yet upgraded, is not
	// packed: it may hold a vendor secret.
	fixPages(d)
	for snap := range d.PagesOf {
		d.PagesOf[snap][0].StoredSHA256 = ""
		break
	}
	_, err = bundle.Write(context.Background(), io.Discard, bundle.Input{Reports: []*report.Document{doc},
		Render: func(*report.Document, string, report.Files) error { return nil }, Snapshots: d.Snaps, Pages: pages{d},
		PagesMode: bundle.PagesBodies, Trail: d.Trail, Now: reporttest.Epoch}, key(3))
	if err == nil || !strings.Contains(err.Error(), "predates secret redaction") {
		t.Errorf("a page stored before redaction was packed: %v", err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
