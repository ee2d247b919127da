package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// readInput reads a file (or standard input for "-"), refusing one larger than max bytes
// before reading it: a regular file by its size, other input once max+1 bytes were read.
func readInput(name string, stdin io.Reader, max int64) ([]byte, error) {
	tooLarge := func(size string) error {
		return fmt.Errorf("%s is %s, larger than the size limit of %s (--max-size)", displayName(name), size, fmtSize(max))
	}
	if name == "-" {
		b, err := validate.ReadLimited(stdin, max)
		if errors.Is(err, validate.ErrTooLarge) {
			return nil, tooLarge("over " + fmtSize(max))
		}
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > max {
			return nil, tooLarge(fmtSize(st.Size()))
		}
		// Read into a buffer of the file's size: growing one as io.ReadAll does would
		// hold two copies of a large file at once.
		buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
		if _, err := buf.ReadFrom(io.LimitReader(f, st.Size())); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
		}
		if n, _ := f.Read(make([]byte, 1)); n == 0 {
			return buf.Bytes(), nil
		}
		// The file grew while it was read: read it again, within the limit.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
		}
	}
	b, err := validate.ReadLimited(f, max)
	if errors.Is(err, validate.ErrTooLarge) {
		return nil, tooLarge("over " + fmtSize(max))
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
	}
	return b, nil
}

// sizeFlag is a byte count given as 1048576, 512KB, 10MB or 1GB (powers of 1024).
type sizeFlag int64

func (s *sizeFlag) String() string { return fmtSize(int64(*s)) }

// Type names the flag's value in the help.
func (s *sizeFlag) Type() string { return "size" }

func (s *sizeFlag) Set(v string) error {
	t := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return errors.New("want a positive size: bytes, or with a KB, MB or GB suffix")
	}
	*s = sizeFlag(n * mult)
	return nil
}

// fmtSize formats a byte count: "10MB" when exact, else bytes.
func fmtSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// unwrapPathError keeps "no such file or directory" without repeating the path.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// streamInput opens a file (or standard input for "-") to be read as it is used, never held
// whole, refusing one larger than max bytes: a regular file by its size before reading,
// other input once max+1 bytes were read. Err reports what went wrong reading it, if
// anything did (a reader of it may only say that what it read was cut short); close
// closes the file.
func streamInput(name string, stdin io.Reader, max int64) (*inputStream, error) {
	s := &inputStream{name: name, max: max, close: func() {}}
	if name == "-" {
		s.r = io.LimitReader(stdin, max+1)
		return s, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > max {
		_ = f.Close()
		return nil, fmt.Errorf("%s is %s, larger than the size limit of %s", displayName(name), fmtSize(st.Size()), fmtSize(max))
	}
	s.r, s.close = io.LimitReader(f, max+1), func() { _ = f.Close() }
	return s, nil
}

// inputStream is an input streamInput opened.
type inputStream struct {
	name  string
	r     io.Reader
	max   int64
	n     int64
	err   error
	close func()
}

func (s *inputStream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	switch {
	case s.n > s.max:
		s.err = fmt.Errorf("%s is over the size limit of %s", displayName(s.name), fmtSize(s.max))
		return 0, s.err
	case err != nil && !errors.Is(err, io.EOF):
		s.err = fmt.Errorf("read %s: %w", s.name, unwrapPathError(err))
	}
	return n, err
}

// Err is the error reading the input met, if any.
func (s *inputStream) Err() error { return s.err }
