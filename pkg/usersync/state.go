package usersync

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

// Outcomes a [StateFile] records (the statuses of a [Journal] are among them).
const (
	StatePending = StatusPending // a create (or other write) was about to be sent
	StateCreated = "created"     // done: created
	StateExists  = "exists"      // done: the user was already there
	StateDone    = StatusDone    // done: changed (activated, deactivated, updated, ...)
	StateAlready = "already"     // done: already in the wanted state
	StateFailed  = StatusFailed  // not done: retried on a rerun
)

// stateHeader is the first line of a state file.
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

// StateRecord is one line of a state file after its header: the outcome of the action (or
// row) Key. It never holds an API key.
type StateRecord struct {
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
	for _, c := range []string{StatePending, StateCreated, StateExists, StateDone, StateAlready, StateFailed} {
		if s == c {
			return c
		}
	}
	return s
}

// StateFile is a [Journal] in a file, the state file of lsq's batch commands: it records the
// outcome of every action (or row) as it happens, one JSON object a line, appended with one
// write each, so that a run that is killed (kill -9, Ctrl-C, a crash) loses at most the
// line it was writing, and a rerun with the same file skips what was done. It never holds
// an API key: actions are keyed by kind and email address, reasons are scrubbed.
//
// The first line names the command, the account's API host, and the plan whose records the
// file holds ([StateFile.Begin]); a rerun against another account or with another command
// refuses the file. While one process holds a state file, another one opening it stops at
// once (on systems with flock). It is safe for concurrent use.
type StateFile struct {
	mu       sync.Mutex
	f        *os.File
	header   stateHeader
	complete bool                  // the last record says the plan was carried out whole
	last     map[string]stateEntry // the latest outcome of each key in earlier runs
	scrub    func(string) string
}

// OpenStateFile opens (or creates, mode 0600, never through a symlink, and only a regular
// file) the state file of command against account and locks it: while one run holds a
// state file, another one given the same file stops at once (two imports of one file
// would otherwise both create the users the state does not list yet). scrub, if not nil,
// is applied to every reason recorded (to take API keys out of a server's error).
func OpenStateFile(path, command, account string, scrub func(string) string) (*StateFile, error) {
	if scrub == nil {
		scrub = func(s string) string { return s }
	}
	st := &StateFile{last: map[string]stateEntry{}, scrub: scrub}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|oNoFollow, 0o600)
	if err != nil {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("state file %s is a symbolic link: give the file itself", path)
		}
		return nil, fmt.Errorf("state file %s: %w", path, pathError(err))
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		// A FIFO or a device: reading it could block for ever, and it keeps nothing.
		_ = f.Close()
		return nil, fmt.Errorf("state file %s is not a regular file: give the name of a file", path)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("state file %s is in use by another lsq run: wait for it to end (one run per state file at a time)", path)
		}
		return nil, fmt.Errorf("state file %s: locking: %w", path, err)
	}
	fail := func(err error) (*StateFile, error) {
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
			var r StateRecord
			if json.Unmarshal(line, &r) == nil && r.Key != "" { // else a line cut short by a crash
				st.complete = r.Key == stateComplete
				if !st.complete {
					st.last[r.Key] = stateEntry{status: internStatus(r.Status), userID: r.UserID}
				}
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return fail(fmt.Errorf("state file %s: %w", path, pathError(err)))
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

// Lookup returns the latest record of key that the file held when it was opened (or
// Begin kept): what earlier runs did (a run keeps what it does itself, so that a large
// import does not hold a copy of every row's outcome).
func (s *StateFile) Lookup(key string) (StateRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.last[key]
	return StateRecord{Key: key, Status: e.status, UserID: e.userID}, ok
}

// Record appends r (the reason scrubbed) in one write.
func (s *StateFile) Record(r StateRecord) error {
	r.Reason = s.scrub(r.Reason)
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

// Close closes the file (and so releases its lock).
func (s *StateFile) Close() error { return s.f.Close() }

// Get implements [Journal]: Lookup.
func (s *StateFile) Get(id string) (string, string, bool) {
	r, ok := s.Lookup(id)
	return r.Status, r.UserID, ok
}

// Put implements [Journal]: Record.
func (s *StateFile) Put(id, status, userID, reason string) error {
	return s.Record(StateRecord{Key: id, Status: status, UserID: userID, Reason: reason})
}

// Begin implements [Journal]: it binds the file to the plan with this ID: it keeps the records of an unfinished run
// of the same plan (and reports true), and otherwise starts the file again, empty but for
// a header naming the plan: another plan's records, or those of a run that completed, never
// skip an action of this one.
func (s *StateFile) Begin(plan string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.header.Plan == plan && !s.complete && len(s.last) > 0 {
		return true, nil
	}
	s.header.Plan, s.header.Created = plan, time.Now().UTC().Format(time.RFC3339)
	h, _ := json.Marshal(s.header)
	if err := s.f.Truncate(0); err != nil {
		return false, fmt.Errorf("state file: %w", pathError(err))
	}
	if _, err := s.f.Write(append(h, '\n')); err != nil { // O_APPEND: at the new end, 0
		return false, fmt.Errorf("state file: %w", pathError(err))
	}
	clear(s.last)
	s.complete = false
	return false, nil
}

// Complete implements [Journal]: it records that the plan of the file was carried out
// whole, so that the next Begin starts the file clean.
func (s *StateFile) Complete() error {
	if err := s.Record(StateRecord{Key: stateComplete, Status: StateDone}); err != nil {
		return err
	}
	s.mu.Lock()
	s.complete = true
	s.mu.Unlock()
	return nil
}

// IsDone reports whether a recorded status means the action (or row) needs nothing more.
func IsDone(status string) bool {
	switch status {
	case StateCreated, StateExists, StateDone, StateAlready:
		return true
	}
	return false
}

// pathError keeps "no such file or directory" without repeating the path.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
