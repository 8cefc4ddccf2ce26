// Package atomicfile writes files that must not exist yet, so that a
// reader never sees half of one: the content goes to a temporary file
// beside the target, is synced, and only then appears at the target's
// name, without replacing anything there. A killed or failed write leaves
// nothing at the target, so a partial export, report or workspace file
// never passes for a whole one, nor blocks the next attempt. It imports
// nothing of the console's, so both entry points (and the GUI, through
// app/console) use it.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrExists is wrapped when something is already at the target path.
var ErrExists = errors.New("already exists")

// WriteNew writes a new file at path through write.
func WriteNew(path string, write func(io.Writer) error) error {
	if err := MustNotExist(path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return fmt.Errorf("create a temporary file beside %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link (or a failure) the temporary name goes
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return Publish(tmpName, path)
}

// WriteNewDir makes a folder that must not exist yet and fills it through
// fill, atomically in the same way: the files are written into a temporary
// folder beside it, synced, and the folder renamed into place.
func WriteNewDir(path string, fill func(create func(name string) (io.Writer, error)) error) error {
	if err := MustNotExist(path); err != nil {
		return err
	}
	tmpDir := TempBeside(path, "partial")
	if err := os.Mkdir(tmpDir, 0o700); err != nil {
		return fmt.Errorf("create a temporary folder beside %s: %w", path, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.RemoveAll(tmpDir)
		}
	}()
	var open []*os.File
	closeAll := func() error {
		var errs []error
		for _, f := range open {
			errs = append(errs, f.Sync(), f.Close())
		}
		open = nil
		return errors.Join(errs...)
	}
	err := fill(func(name string) (io.Writer, error) {
		if name != filepath.Base(name) || name == "." || name == ".." {
			return nil, fmt.Errorf("file name %q is not a plain file name", name)
		}
		f, err := os.OpenFile(filepath.Join(tmpDir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		open = append(open, f)
		return f, nil
	})
	if cerr := closeAll(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := MustNotExist(path); err != nil {
		return err
	}
	if err := os.Rename(tmpDir, path); err != nil {
		return fmt.Errorf("move the finished folder to %s: %w", path, err)
	}
	renamed = true
	return nil
}

// MustNotExist fails, wrapping ErrExists, when anything is at path.
func MustNotExist(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s %w: choose another name (nothing is ever overwritten)", path, ErrExists)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("check %s: %w", path, err)
	}
	return nil
}

// TempBeside names a hidden, unused-looking path in path's folder for
// building what will become path: ".<name>.<purpose>-<random>". The same
// folder keeps the final rename on one file system.
func TempBeside(path, purpose string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+purpose+"-"+hex.EncodeToString(b[:]))
}

// Publish makes the finished file tmp appear at path without replacing
// anything there. tmp stays (the caller removes it) when a hard link was
// made; it is gone when it had to be renamed.
func Publish(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil {
		return nil
	}
	if errors.Is(err, os.ErrExist) {
		return MustNotExist(path)
	}
	// Some file systems (FAT on a USB stick) have no hard links: rename,
	// having checked the name is still free.
	if err := MustNotExist(path); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("move the finished file to %s: %w", path, err)
	}
	return nil
}
