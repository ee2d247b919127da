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
// Each is written under a temporary name (os.CreateTemp: O_EXCL, mode 0600) beside its
// final one and given that name once complete, by a hard link, which fails on any existing
// name, a symlink (dangling or not) included: a run that fails or is killed leaves no file
// that looks complete.

// freshNames are the names createFresh tries: path, path-2, path-3, ... (the number before
// the extension: team.failed.csv, team.failed-2.csv).
func freshNames(path string) func(yield func(string) bool) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	return func(yield func(string) bool) {
		for i := 1; i <= 1000; i++ {
			name := path
			if i > 1 {
				name = stem + "-" + strconv.Itoa(i) + ext
			}
			if !yield(name) {
				return
			}
		}
	}
}

// checkNew refuses, before any work, the name a flag gives a file to write: -, a name that
// is there (input, the file being read, named in the error when it is the one), or one in a
// directory that is not there.
func checkNew(flag, path, input string) error {
	if err := notDash(flag, path); err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		if input != "" && sameFile(path, input) {
			return fmt.Errorf("%s %s is the input file: give another name", flag, path)
		}
		return fmt.Errorf("%s %s is there already, and lsq never overwrites a file: remove it or give another name", flag, path)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, unwrapPathError(err))
	} else if !st.IsDir() {
		return fmt.Errorf("%s %s: %s is not a directory", flag, path, filepath.Dir(path))
	}
	return nil
}

// notDash refuses "-" as the name of a file to write: everywhere else - is standard input
// or output, and a file named - in the working directory is never what was meant.
func notDash(flag, path string) error {
	if path == "-" {
		return fmt.Errorf("%s -: give the name of a file (lsq writes no file named -)", flag)
	}
	return nil
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
	fresh bool // final is the first free name of freshNames(final)
}

// createFresh starts writing a file that commit names with the first free name of path,
// path-2, path-3, ...: it never replaces a file, and a run killed while writing leaves
// none that looks complete (the rows to fix a user would import again).
func createFresh(path string) (*pendingFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	return &pendingFile{File: f, final: path, fresh: true}, nil
}

// createPending starts writing path (which must not be there).
func createPending(flag, path string) (*pendingFile, error) {
	if err := notDash(flag, path); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s %s is there already, and lsq never overwrites a file: remove it or give another name", flag, path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, unwrapPathError(err))
	}
	return &pendingFile{File: f, final: path}, nil
}

// commit gives the complete file its name (the first free one, for createFresh's): a hard
// link, which fails rather than replace a file created there meanwhile (a rename where
// links are not supported).
func (p *pendingFile) commit() error {
	if err := p.Sync(); err != nil {
		p.discard()
		return err
	}
	if err := p.Close(); err != nil {
		p.discard()
		return err
	}
	defer func() { _ = os.Remove(p.Name()) }()
	names := freshNames(p.final)
	if !p.fresh {
		names = func(yield func(string) bool) { yield(p.final) }
	}
	for name := range names {
		err := os.Link(p.Name(), name)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			if _, lerr := os.Lstat(name); errors.Is(lerr, fs.ErrNotExist) {
				err = os.Rename(p.Name(), name)
			}
		}
		if errors.Is(err, fs.ErrExist) {
			if p.fresh {
				continue
			}
			return fmt.Errorf("%s was created meanwhile; lsq never overwrites a file", name)
		}
		if err == nil {
			p.final = name
		}
		return err
	}
	return fmt.Errorf("%s: 1000 files of that name are there already; remove some", p.final)
}

// discard removes the incomplete file.
func (p *pendingFile) discard() {
	_ = p.Close()
	_ = os.Remove(p.Name())
}
