package workspacedb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// bigFile is a closed workspace file spanning many pages: a few hundred
// sources and their audit entries.
func bigFile(t *testing.T) string {
	t.Helper()
	db, path := newFile(t)
	svc := service(db)
	populate(t, svc)
	for i := range 300 {
		_, err := svc.AddSource(context.Background(), workspace.NewSource{
			Name: fmt.Sprintf("okta-%03d", i), Kind: "okta",
			Settings:   map[string]string{"org_url": fmt.Sprintf("https://tenant-%03d.okta.example", i)},
			Credential: secret.New(fakeOktaToken),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("closing left a WAL behind (%v); the damage below would miss part of the file", err)
	}
	return path
}

func TestOpenDamagedFiles(t *testing.T) {
	const page = 4096
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"page overwritten in the middle", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pages := len(b) / page
			if pages < 20 {
				t.Fatalf("file has only %d pages", pages)
			}
			mid := (pages / 2) * page
			copy(b[mid:mid+page], bytes.Repeat([]byte{0xA5}, page))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"cut to half its size", func(t *testing.T, path string) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, (st.Size()/page/2)*page); err != nil {
				t.Fatal(err)
			}
		}},
		{"cut inside the header", func(t *testing.T, path string) {
			if err := os.Truncate(path, 60); err != nil {
				t.Fatal(err)
			}
		}},
	}
	good, err := os.ReadFile(bigFile(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "acme.pmw")
			if err := os.WriteFile(path, good, 0o600); err != nil {
				t.Fatal(err)
			}
			c.damage(t, path)
			_, err := Open(context.Background(), path)
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Open = %v, want ErrDamaged", err)
			}
			for _, want := range []string{path, "restore", "backup"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if matches, _ := filepath.Glob(path + ".pre-schema-*"); len(matches) != 0 {
				t.Errorf("Open made backups of a damaged file: %v", matches)
			}
		})
	}
}

func TestOpenNotWorkspaceFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	otherSQLite := filepath.Join(dir, "other-app.sqlite")
	rawSQL(t, otherSQLite, "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('someone else''s data')")

	cases := []struct {
		name, path, want string
	}{
		{"text file", write("notes.txt", []byte("migration plan\nstep 1: inventory\n")), "not a database"},
		{"empty file", write("empty.pmw", nil), "empty"},
		{"another application's SQLite file", otherSQLite, "not one written by the Portal Migration Console"},
		{"a folder", dir, "folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before []byte
			if c.path != dir {
				before, _ = os.ReadFile(c.path)
			}
			_, err := Open(context.Background(), c.path)
			if !errors.Is(err, ErrNotWorkspaceFile) {
				t.Fatalf("Open = %v, want ErrNotWorkspaceFile", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("error %q should name the file and say %q", err, c.want)
			}
			if c.path != dir {
				if after, _ := os.ReadFile(c.path); !bytes.Equal(before, after) {
					t.Error("Open changed a file that is not a workspace")
				}
			}
		})
	}
}

// TestNoSecretInFile checks the credentials handed to the engine never
// reach the workspace file or its WAL.
func TestNoSecretInFile(t *testing.T) {
	db, path := newFile(t)
	populate(t, service(db))
	check := func() {
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{fakeOktaToken, fakeEntraSecret, fakeTargetToken} {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s contains a credential", filepath.Base(p))
				}
			}
		}
	}
	check() // open: the WAL holds the recent writes
	db.Close()
	check()
}
