package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// A state file records the outcome of every row of a batch command as it happens, one JSON
// object a line, appended with one write each: a run that is killed (kill -9, Ctrl-C, a
// crash) loses at most the line it was writing, and a rerun with the same file skips the
// rows already done. It never holds a key: rows are keyed by email address.
//
// The first line names the command and the account's API host; a rerun against another
// account or with another command refuses the file.

// Row outcomes in a state file.
const (
	statePending    = "pending"     // a create (or other write) was about to be sent
	stateCreated    = "created"     // done: created by lsq
	stateExists     = "exists"      // done: the user was already there
	stateDone       = "done"        // done: activated or deactivated
	stateAlready    = "already"     // done: already in the wanted state
	stateFailed     = "failed"      // not done: retried on a rerun
	stateNotRun     = "interrupted" // summary only: not done because the run stopped
	stateInvalidRow = "invalid"     // summary only: the row broke a rule of the spec
)

type stateHeader struct {
	Command string `json:"lsq"`
	Account string `json:"account"`
	Created string `json:"created"`
	// Plan is the ID of the plan whose records the file holds (sync, activate and
	// deactivate: see begin); "" for an import's.
	Plan string `json:"plan,omitempty"`
}

// stateComplete is the key of the record that says the plan of the file was carried out
// whole: the next run starts clean.
const stateComplete = "lsq:complete"

type stateRecord struct {
	Key    string `json:"key"`
	Row    int    `json:"row,omitempty"`
	Status string `json:"status"`
	UserID string `json:"userId,omitempty"`
	Reason string `json:"reason,omitempty"`
	At     string `json:"at"`
}

// stateEntry is what a stateFile keeps of a key's latest record: an import of a large file
// keeps one per row, so not the record's reason and time.
type stateEntry struct {
	status string // one of the state constants (interned)
	userID string
}

// internStatus returns the constant equal to s, so that entries share it.
func internStatus(s string) string {
	for _, c := range []string{statePending, stateCreated, stateExists, stateDone, stateAlready, stateFailed} {
		if s == c {
			return c
		}
	}
	return s
}

type stateFile struct {
	mu       sync.Mutex
	f        *os.File
	header   stateHeader
	complete bool                  // the last record says the plan was carried out whole
	last     map[string]stateEntry // the latest outcome of each key in earlier runs
	keys     credentials
}

// openState opens (or creates) the state file of command against account and locks it:
// while one run holds a state file, another one given the same file stops at once (two
// imports of one file would otherwise both create the users the state does not list yet).
func openState(path, command, account string, keys credentials) (*stateFile, error) {
	st := &stateFile{last: map[string]stateEntry{}, keys: keys}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|oNoFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, unwrapPathError(err))
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("state file %s is in use by another lsq run: wait for it to end (one run per state file at a time)", path)
		}
		return nil, fmt.Errorf("state file %s: locking: %w", path, err)
	}
	fail := func(err error) (*stateFile, error) {
		_ = f.Close()
		return nil, err
	}
	var size int64
	var lastByte byte
	br := bufio.NewReaderSize(f, 64<<10)
	first := true
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than any record: skip it whole.
			size += int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				size += int64(len(line))
			}
			lastByte = '\n'
			if err == nil {
				continue
			}
		}
		if len(line) > 0 {
			size += int64(len(line))
			lastByte = line[len(line)-1]
		}
		if len(line) > 0 && first {
			first = false
			var h stateHeader
			if json.Unmarshal(line, &h) != nil || h.Command == "" {
				return fail(fmt.Errorf("state file %s: not an lsq state file", path))
			}
			if h.Command != command || h.Account != account {
				return fail(fmt.Errorf("state file %s was written by 'lsq %s' for %s; give another --state or remove it", path, h.Command, h.Account))
			}
			st.header = h
		} else if len(line) > 0 {
			var r stateRecord
			if json.Unmarshal(line, &r) == nil && r.Key != "" { // else a line cut short by a crash
				st.complete = r.Key == stateComplete
				if !st.complete {
					st.last[r.Key] = stateEntry{status: internStatus(r.Status), userID: r.UserID}
				}
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return fail(fmt.Errorf("state file %s: %w", path, unwrapPathError(err)))
			}
			break
		}
	}
	st.f = f
	if size == 0 {
		st.header = stateHeader{Command: command, Account: account, Created: time.Now().UTC().Format(time.RFC3339)}
		h, _ := json.Marshal(st.header)
		if _, err := f.Write(append(h, '\n')); err != nil {
			return fail(fmt.Errorf("state file %s: %w", path, err))
		}
	} else if lastByte != '\n' {
		_, _ = f.Write([]byte{'\n'}) // end a line cut short by a crash
	}
	return st, nil
}

// lookup returns the latest record of key that the file held when it was opened: what
// earlier runs did (a run keeps what it does itself, so that a large import does not hold a
// copy of every row's outcome).
func (s *stateFile) lookup(key string) (stateRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.last[key]
	return stateRecord{Key: key, Status: e.status, UserID: e.userID}, ok
}

// record appends r (the reason scrubbed of the keys) in one write.
func (s *stateFile) record(r stateRecord) error {
	r.Reason = scrub(r.Reason, s.keys)
	r.At = time.Now().UTC().Format(time.RFC3339Nano)
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err = s.f.Write(append(b, '\n'))
	return err
}

func (s *stateFile) close() error { return s.f.Close() }

// begin binds the file to the plan with this ID: it keeps the records of an unfinished run
// of the same plan (and reports true), and otherwise starts the file again, empty but for
// a header naming the plan: another plan's records, or those of a run that completed, never
// skip an action of this one.
func (s *stateFile) begin(plan string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.header.Plan == plan && !s.complete && len(s.last) > 0 {
		return true, nil
	}
	s.header.Plan, s.header.Created = plan, time.Now().UTC().Format(time.RFC3339)
	h, _ := json.Marshal(s.header)
	if err := s.f.Truncate(0); err != nil {
		return false, fmt.Errorf("state file: %w", unwrapPathError(err))
	}
	if _, err := s.f.Write(append(h, '\n')); err != nil { // O_APPEND: at the new end, 0
		return false, fmt.Errorf("state file: %w", unwrapPathError(err))
	}
	clear(s.last)
	s.complete = false
	return false, nil
}

// markComplete records that the plan of the file was carried out whole.
func (s *stateFile) markComplete() error {
	if err := s.record(stateRecord{Key: stateComplete, Status: stateDone}); err != nil {
		return err
	}
	s.mu.Lock()
	s.complete = true
	s.mu.Unlock()
	return nil
}

// isDone reports whether a recorded status means the row needs nothing more.
func isDone(status string) bool {
	switch status {
	case stateCreated, stateExists, stateDone, stateAlready:
		return true
	}
	return false
}
