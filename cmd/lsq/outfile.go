package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Files lsq writes never replace a file that is there: not the input (--failed given the
// input's name), not a file an earlier run wrote that the user may have edited since (a
// team.failed.csv being fixed), and never the target of a symlink planted under the name.
// They are created with O_EXCL, which fails on any existing name, a symlink (dangling or
// not) included, and O_NOFOLLOW, so neither a file nor a link is ever opened for writing.

// createExclusive creates path for writing; it fails if anything is there.
func createExclusive(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
}

// createFresh creates the first free name of path, path-2, path-3, ... (the number before
// the extension: team.failed.csv, team.failed-2.csv) and returns the file and its name.
func createFresh(path string) (*os.File, string, error) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for i := 1; i <= 1000; i++ {
		name := path
		if i > 1 {
			name = stem + "-" + strconv.Itoa(i) + ext
		}
		f, err := createExclusive(name)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
	}
	return nil, "", fmt.Errorf("%s: 1000 files of that name are there already; remove some", path)
}

// createNamed creates the file a flag named, which must not be there; input is the file
// being read, named in the error when they are the same.
func createNamed(flag, path, input string) (*os.File, error) {
	f, err := createExclusive(path)
	if err == nil {
		return f, nil
	}
	if errors.Is(err, fs.ErrExist) {
		if input != "" && sameFile(path, input) {
			return nil, fmt.Errorf("%s %s is the input file: give another name", flag, path)
		}
		return nil, fmt.Errorf("%s %s is there already, and lsq never overwrites a file: remove it or give another name", flag, path)
	}
	return nil, fmt.Errorf("%s %s: %w", flag, path, unwrapPathError(err))
}

// sameFile reports whether a and b name the same file (through links too).
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// pendingFile is an output written under a temporary name next to its final one, and
// given the final name only once complete: a run that fails or is killed leaves no file
// that looks complete under the final name.
type pendingFile struct {
	*os.File
	final string
}

// createPending starts writing path (which must not be there).
func createPending(flag, path string) (*pendingFile, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s %s is there already, and lsq never overwrites a file: remove it or give another name", flag, path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, unwrapPathError(err))
	}
	return &pendingFile{File: f, final: path}, nil
}

// commit gives the complete file its name: a hard link, which fails rather than replace a
// file created there meanwhile (a rename where links are not supported).
func (p *pendingFile) commit() error {
	if err := p.Sync(); err != nil {
		p.discard()
		return err
	}
	if err := p.Close(); err != nil {
		p.discard()
		return err
	}
	err := os.Link(p.Name(), p.final)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		if _, lerr := os.Lstat(p.final); errors.Is(lerr, fs.ErrNotExist) {
			err = os.Rename(p.Name(), p.final)
		}
	}
	_ = os.Remove(p.Name())
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s was created meanwhile; lsq never overwrites a file", p.final)
	}
	return err
}

// discard removes the incomplete file.
func (p *pendingFile) discard() {
	_ = p.Close()
	_ = os.Remove(p.Name())
}
