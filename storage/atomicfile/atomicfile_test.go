package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteNewWritesWholeAndNeverReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bundle.zip")
	if err := WriteNew(path, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	err := WriteNew(path, func(w io.Writer) error { _, err := io.WriteString(w, "second"); return err })
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "choose another name") {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("the file holds %q", b)
	}
	onlyFile(t, filepath.Dir(path), "bundle.zip")
}

func TestAFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.zip")
	boom := errors.New("test-only failure half-way")
	err := WriteNew(path, func(w io.Writer) error {
		io.WriteString(w, "half of it")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteNew = %v", err)
	}
	onlyFile(t, dir)
}

func TestWriteNewDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report")
	err := WriteNewDir(path, func(create func(string) (io.Writer, error)) error {
		for _, name := range []string{"index.html", "data.json"} {
			w, err := create(name)
			if err != nil {
				return err
			}
			io.WriteString(w, name)
		}
		_, err := create("../escape")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "not a plain file name") {
		t.Fatalf("a name outside the folder: %v", err)
	}
	onlyFile(t, dir)
	if err := WriteNewDir(path, func(create func(string) (io.Writer, error)) error {
		w, err := create("index.html")
		if err == nil {
			_, err = io.WriteString(w, "ok")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(path, "index.html")); string(b) != "ok" {
		t.Fatalf("index.html holds %q", b)
	}
}

// TestAKilledWriteLeavesNothingAtThePath kills a process half-way through
// a write: no partial file appears at the path, and the next write there
// succeeds.
func TestAKilledWriteLeavesNothingAtThePath(t *testing.T) {
	if path := os.Getenv("PMC_ATOMICFILE_CHILD"); path != "" {
		WriteNew(path, func(w io.Writer) error {
			io.WriteString(w, strings.Repeat("partial ", 1000))
			fmt.Println("writing")
			select {} // killed here
		})
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "evidence.zip")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAKilledWriteLeavesNothingAtThePath$")
	cmd.Env = append(os.Environ(), "PMC_ATOMICFILE_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill()
	cmd.Wait()
	if !strings.HasPrefix(line, "writing") {
		t.Fatalf("child said %q", line)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a killed write left something at the path (%v)", err)
	}
	if err := WriteNew(path, func(w io.Writer) error { _, err := io.WriteString(w, "whole"); return err }); err != nil {
		t.Fatalf("writing again after the kill: %v", err)
	}
}

// onlyFile fails unless dir holds exactly the named files (no temporary
// leftovers).
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}
