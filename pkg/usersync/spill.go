package usersync

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"runtime"
	"slices"
)

// spill holds a plan's creates in a temporary file (Options.SpillCreates), one record each,
// in the order Apply makes them: a plan of a file of new users holds each of them, an Action
// and its body, about 350 bytes a user in memory with the garbage collector's headroom
// doubling that; in the file they cost nothing until they are read back one at a time.
type spill struct {
	f    *os.File
	w    *bufio.Writer
	n    int     // the creates written
	at   int     // where they go among the plan's Actions
	size int64   // the bytes written, once flushed
	offs []int64 // where each create starts (MakePlanFrom's, to write them again in another order)
	pos  int64   // the bytes added
}

// newSpill creates the temporary file (a new one, only its owner can read it). Where an
// open file outlives its name (not on Windows), the name is removed at once: a process
// that is killed leaves no file behind.
func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "usersync-creates-*")
	if err != nil {
		return nil, fmt.Errorf("usersync: a temporary file for the plan's creates: %w", err)
	}
	if runtime.GOOS != "windows" {
		_ = os.Remove(f.Name())
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// add writes a create.
func (s *spill) add(a Action) error {
	var b []byte
	str := func(v string) { b = binary.AppendUvarint(b, uint64(len(v))); b = append(b, v...) }
	str(string(a.Kind))
	str(a.Email)
	b = binary.AppendVarint(b, int64(a.Line))
	str(a.UserID)
	b = binary.AppendUvarint(b, uint64(len(a.Changes)))
	for _, c := range a.Changes {
		str(c.Attr)
		str(c.Old)
		str(c.New)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Create)))
	b = append(b, a.Create...)
	str(a.ManagerEmail)
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("usersync: writing the plan's creates to a temporary file: %w", err)
	}
	s.offs = append(s.offs, s.pos)
	s.pos += int64(len(b))
	s.n++
	return nil
}

// reorder writes the creates again, in a new file, in the order of order (indexes of the
// creates as added), reading each one alone, and removes s's file (also on an error). s
// must be done.
func (s *spill) reorder(order []int32) (_ *spill, err error) {
	defer func() { _ = s.close() }()
	out, err := newSpill()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = out.close()
		}
	}()
	var buf []byte
	for _, k := range order {
		end := s.size
		if int(k)+1 < len(s.offs) {
			end = s.offs[k+1]
		}
		buf = slices.Grow(buf[:0], int(end-s.offs[k]))[:end-s.offs[k]]
		if _, err := s.f.ReadAt(buf, s.offs[k]); err != nil {
			return nil, fmt.Errorf("usersync: reading the plan's creates back from a temporary file: %w", err)
		}
		a, err := readSpilled(bytes.NewReader(buf))
		if err != nil {
			return nil, fmt.Errorf("usersync: reading the plan's creates back from a temporary file: %w", err)
		}
		if err := out.add(a); err != nil {
			return nil, err
		}
	}
	if err := out.done(); err != nil {
		return nil, err
	}
	out.at = s.at
	return out, nil
}

// done flushes what add wrote.
func (s *spill) done() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("usersync: writing the plan's creates to a temporary file: %w", err)
	}
	off, err := s.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	s.size, s.w = off, nil
	return nil
}

// close removes the file.
func (s *spill) close() error {
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = rerr
	}
	return err
}

// all reads the creates back, in order; each pass reads the file anew.
func (s *spill) all() iter.Seq2[Action, error] {
	return func(yield func(Action, error) bool) {
		r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.size), 64<<10)
		for range s.n {
			a, err := readSpilled(r)
			if err != nil {
				yield(Action{}, fmt.Errorf("usersync: reading the plan's creates back from a temporary file: %w", err))
				return
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// readSpilled reads a create that add wrote.
func readSpilled(r interface {
	io.Reader
	io.ByteReader
}) (Action, error) {
	var err error
	bytesOf := func() []byte {
		if err != nil {
			return nil
		}
		var n uint64
		if n, err = binary.ReadUvarint(r); err != nil {
			return nil
		}
		if n > 1<<30 {
			err = errors.New("a record too long")
			return nil
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return b
	}
	str := func() string { return string(bytesOf()) }
	var a Action
	a.Kind = Kind(str())
	a.Email = str()
	if err == nil {
		var line int64
		line, err = binary.ReadVarint(r)
		a.Line = int(line)
	}
	a.UserID = str()
	var nc uint64
	if err == nil {
		nc, err = binary.ReadUvarint(r)
	}
	for i := uint64(0); err == nil && i < nc; i++ {
		a.Changes = append(a.Changes, Change{Attr: str(), Old: str(), New: str()})
	}
	if body := bytesOf(); len(body) > 0 {
		a.Create = body
	}
	a.ManagerEmail = str()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return a, err
}

// All yields the plan's actions in the order Apply makes them: its Actions, and the creates
// a plan made with [Options.SpillCreates] holds in a temporary file, read back one at a
// time. An error (reading that file) ends it.
func (p *Plan) All() iter.Seq2[Action, error] {
	return func(yield func(Action, error) bool) {
		at := len(p.Actions)
		if p.spill != nil {
			at = min(p.spill.at, at)
		}
		for _, a := range p.Actions[:at] {
			if !yield(a, nil) {
				return
			}
		}
		if p.spill != nil {
			for a, err := range p.spill.all() {
				if !yield(a, err) || err != nil {
					return
				}
			}
		}
		for _, a := range p.Actions[at:] {
			if !yield(a, nil) {
				return
			}
		}
	}
}

// Len returns how many actions the plan holds, those in a temporary file included.
func (p *Plan) Len() int {
	if p.spill != nil {
		return len(p.Actions) + p.spill.n
	}
	return len(p.Actions)
}

// Close removes the temporary file of a plan made with [Options.SpillCreates] (its creates
// are then gone: All no longer yields them); it does nothing for another plan.
func (p *Plan) Close() error {
	if p.spill == nil {
		return nil
	}
	s := p.spill
	p.spill = nil
	return s.close()
}
