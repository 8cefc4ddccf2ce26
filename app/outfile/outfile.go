// Package outfile writes the files the console hands to a reader (reports,
// evidence bundles) so that a partial one never passes for a whole one and
// nothing the operator already has is overwritten. migctl and the GUI both
// write through it.
package outfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteNew writes a file that must not exist yet, atomically: the content
// goes to a temporary file beside it, is synced, and only then appears at
// path (by a hard link, which fails rather than replace a file that
// appeared meanwhile). A killed or failed write leaves no file at path,
// so a partial report or bundle never passes for a whole one, and nothing
// the operator already has is ever overwritten.
func WriteNew(path string, write func(io.Writer) error) error {
	if err := MustNotExist(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
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
	return publish(tmpName, path)
}

// WriteNewDir makes a folder that must not exist yet and fills it through
// create, atomically in the same way: the files are written into a
// temporary folder beside it, synced, and the folder renamed into place.
func WriteNewDir(path string, fill func(create func(name string) (io.Writer, error)) error) error {
	if err := MustNotExist(path); err != nil {
		return err
	}
	tmpDir := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial-"+randomSuffix())
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

// MustNotExist refuses a path that names anything already.
func MustNotExist(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; reports and bundles are never overwritten: choose another name", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("check %s: %w", path, err)
	}
	return nil
}

// publish makes tmp appear at path without replacing anything there.
func publish(tmp, path string) error {
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

func randomSuffix() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return hex.EncodeToString(b[:])
}
