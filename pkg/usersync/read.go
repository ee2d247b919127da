package usersync

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
)

// ReadUsers reads the users of a users file (what lsq users export writes, or what a
// spreadsheet saves: see [OpenSheet]; delim 0 finds the delimiter) as the [Desired] users
// of a sync. The header names columns of [LookupColumn], in any letter case; EmailAddress
// is required. A cell that export neutralised ('+91...) is read without its '; an empty
// cell leaves the attribute alone; Status is Active, Inactive or empty; read-only columns
// are read and ignored. Every problem is reported at once: the error wraps
// [ErrInvalidSource] and joins one [*RowError] per problem (or is the file's syntax
// error), and the users are nil. [ScanUsers] reads a file too large to hold.
func ReadUsers(r io.Reader, delim rune) ([]Desired, error) {
	var out []Desired
	if err := ScanUsers(r, delim, func(d Desired) bool { out = append(out, d); return true }); err != nil {
		return nil, err
	}
	return out, nil
}

// ScanUsers reads a users file as [ReadUsers] does, one user at a time: it calls fn with
// each user read without a problem, in the file's order (blank lines skipped), until fn
// returns false, and returns what ReadUsers would (nil, or every problem at once). A
// header with a problem stops it before the first user.
func ScanUsers(r io.Reader, delim rune, fn func(Desired) bool) error {
	sh, err := OpenSheet(r, delim)
	if err != nil {
		return err
	}
	var errs []error
	fail := func(line int, col, msg string) { errs = append(errs, &RowError{Line: line, Attr: col, Msg: msg}) }
	cols := make([]Column, len(sh.Header()))
	for i, h := range sh.Header() {
		if msg := InvalidUTF8(h); msg != "" {
			fail(1, fmt.Sprint(i+1), msg)
			continue
		}
		n := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if n == "" {
			continue
		}
		c, ok := LookupColumn(n)
		switch {
		case !ok:
			fail(1, fmt.Sprintf("%d %q", i+1, n), "not a column of a users file (the fields of Create a User, ManagerEmail, Status, mx_*, and an export's columns)"+sh.DelimiterHint(n))
		case slices.ContainsFunc(cols[:i], func(x Column) bool { return x.Kind != ColumnIgnored && strings.EqualFold(x.Name, c.Name) }):
			fail(1, fmt.Sprintf("%d %q", i+1, n), "the same column twice")
		}
		cols[i] = c
	}
	if !slices.ContainsFunc(cols, func(c Column) bool { return c.Name == "EmailAddress" }) {
		fail(1, "", "no EmailAddress column")
	}
	if len(errs) > 0 {
		return errors.Join(append([]error{ErrInvalidSource}, errs...)...)
	}
	for {
		rec, line, err := sh.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(rec, func(c string) bool { return strings.TrimSpace(c) != "" }) {
			continue // a blank line
		}
		d, rowErrs := readUser(line, rec, cols)
		errs = append(errs, rowErrs...)
		if len(rowErrs) == 0 && !fn(d) {
			return nil
		}
	}
	if len(errs) > 0 {
		return errors.Join(append([]error{ErrInvalidSource}, errs...)...)
	}
	return nil
}

// Source is a list of desired users that can be read more than once (a file read again
// from its start): each call returns an iterator over the users from the first. An error
// (the source cannot be read, or users of it are invalid: an error wrapping
// [ErrInvalidSource]) ends the iteration.
type Source func() iter.Seq2[Desired, error]

// SliceSource is the [Source] of the users of a slice.
func SliceSource(desired []Desired) Source {
	return func() iter.Seq2[Desired, error] {
		return func(yield func(Desired, error) bool) {
			for _, d := range desired {
				if !yield(d, nil) {
					return
				}
			}
		}
	}
}

// FileSource is the [Source] of a users file that open opens (once per read): [ScanUsers]
// reads it, delim as there. The file is read one user at a time, never held.
func FileSource(open func() (io.ReadCloser, error), delim rune) Source {
	return func() iter.Seq2[Desired, error] {
		return func(yield func(Desired, error) bool) {
			f, err := open()
			if err != nil {
				yield(Desired{}, err)
				return
			}
			defer func() { _ = f.Close() }()
			stopped := false
			err = ScanUsers(f, delim, func(d Desired) bool {
				stopped = !yield(d, nil)
				return !stopped
			})
			if err != nil && !stopped {
				yield(Desired{}, err)
			}
		}
	}
}

// readUser reads one record.
func readUser(line int, rec []string, cols []Column) (Desired, []error) {
	var errs []error
	emailErr := false
	fail := func(col, msg string) {
		errs = append(errs, &RowError{Line: line, Attr: col, Msg: msg})
		emailErr = emailErr || col == "EmailAddress"
	}
	d := Desired{Line: line, Attrs: map[string]string{}}
	for i, cell := range rec {
		col := Column{Name: fmt.Sprint(i + 1)}
		if i < len(cols) && cols[i].Kind != "" {
			col = cols[i]
		}
		if msg := InvalidUTF8(cell); msg != "" {
			fail(col.Name, msg)
			return d, errs
		}
		val := strings.TrimSpace(Unneutralise(strings.TrimSpace(cell)))
		switch {
		case val == "" || col.Kind == ColumnReadOnly || col.Kind == ColumnIgnored:
		case col.Kind == "":
			fail(col.Name, "a value in a column without a field name")
		case ScientificCell(col.Name, val) != "":
			fail(col.Name, ScientificCell(col.Name, val))
		case col.Name == "EmailAddress":
			addr, _, err := CheckAddress(val)
			if err != nil {
				fail("EmailAddress", err.Error())
				continue
			}
			d.Email = addr
		case col.Kind == ColumnManager:
			d.ManagerEmail = val
		case col.Kind == ColumnStatus:
			switch strings.ToLower(val) {
			case "active":
				t := true
				d.Active = &t
			case "inactive":
				f := false
				d.Active = &f
			default:
				fail(ColStatus, "want Active or Inactive")
			}
		default:
			d.Attrs[col.Name] = val
		}
	}
	if d.Email == "" && !emailErr {
		fail("EmailAddress", "required")
	}
	return d, errs
}
