package usersync

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
)

// Fingerprints maps the key of each user a plan read to the hash of that user
// ([Plan].Users); in JSON, an object of them. It holds them packed, a few allocations in
// all, rather than as a map of strings (about 100 bytes a user; a plan of a 464,000-user
// account held 46 MB of them): about 40 bytes a user.
//
// The zero value is empty and ready to use. Like a map, a copy shares its entries with the
// original. A read after Set or Delete sorts it first: reads are safe for concurrent use
// only once it was read after its last change.
type Fingerprints struct {
	s *fpStore
}

// fpStore is the entries of a Fingerprints.
type fpStore struct {
	chunks [][]byte
	offs   []uint64 // each entry's chunk<<32 | position; sorted by key, and one per key, up to sorted
	sorted int
}

// fpChunk is the size of a chunk of entries.
const fpChunk = 1 << 20

// Entry flags: a hash as given, a hash of 24 lower-case hex digits held as its 12 bytes,
// and a deleted key.
const (
	fpText    = 0
	fpHex     = 1
	fpDeleted = 2
)

// store returns the entries, made on the first change.
func (f *Fingerprints) store() *fpStore {
	if f.s == nil {
		f.s = &fpStore{}
	}
	return f.s
}

// Set sets the hash of the user with the key.
func (f *Fingerprints) Set(key, hash string) {
	f.store().set(key, hash)
}

// Delete removes the key.
func (f *Fingerprints) Delete(key string) { f.store().add(key, fpDeleted, "") }

func (f *fpStore) set(key, hash string) {
	if b, err := hex.DecodeString(hash); err == nil && len(hash) == 24 && hex.EncodeToString(b) == hash {
		f.add(key, fpHex, string(b))
		return
	}
	f.add(key, fpText, hash)
}

func (f *fpStore) add(key string, flag byte, v string) {
	n := 2*binary.MaxVarintLen64 + len(key) + 1 + len(v)
	last := len(f.chunks) - 1
	if last < 0 || len(f.chunks[last])+n > cap(f.chunks[last]) {
		f.chunks = append(f.chunks, make([]byte, 0, max(fpChunk, n)))
		last++
	}
	c := f.chunks[last]
	f.offs = append(f.offs, uint64(last)<<32|uint64(len(c)))
	c = binary.AppendUvarint(c, uint64(len(key)))
	c = append(c, key...)
	c = append(c, flag)
	c = binary.AppendUvarint(c, uint64(len(v)))
	f.chunks[last] = append(c, v...)
}

// entry returns the key, flag and value bytes of the entry at off.
func (f *fpStore) entry(off uint64) ([]byte, byte, []byte) {
	c := f.chunks[off>>32][uint32(off):]
	n, w := binary.Uvarint(c)
	key := c[w : w+int(n)]
	c = c[w+int(n):]
	flag := c[0]
	n, w = binary.Uvarint(c[1:])
	return key, flag, c[1+w : 1+w+int(n)]
}

func (f *fpStore) key(off uint64) []byte { k, _, _ := f.entry(off); return k }

// value returns the hash of the entry at off.
func (f *fpStore) value(off uint64) string {
	_, flag, v := f.entry(off)
	if flag == fpHex {
		return hex.EncodeToString(v)
	}
	return string(v)
}

// has reports whether the key is set, without sorting the entries: it reads them all (for a
// key rarely looked up while the entries are being added).
func (f Fingerprints) has(key string) bool {
	if f.s == nil {
		return false
	}
	var last uint64
	found := false
	for _, off := range f.s.offs {
		if string(f.s.key(off)) == key && (!found || off > last) {
			last, found = off, true // positions grow in the order of the calls
		}
	}
	if !found {
		return false
	}
	_, flag, _ := f.s.entry(last)
	return flag != fpDeleted
}

// sort sorts the entries by key, the last one set of each key kept.
func (f *fpStore) sort() {
	if f.sorted == len(f.offs) {
		return
	}
	// Positions grow in the order of the calls: the last one set of a key sorts last.
	slices.SortFunc(f.offs, func(a, b uint64) int {
		if c := bytes.Compare(f.key(a), f.key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := f.offs[:0]
	for i, off := range f.offs {
		if i+1 < len(f.offs) && bytes.Equal(f.key(off), f.key(f.offs[i+1])) {
			continue
		}
		if _, flag, _ := f.entry(off); flag != fpDeleted {
			out = append(out, off)
		}
	}
	f.offs, f.sorted = slices.Clip(out), len(out)
}

// index returns the position of the key among the sorted keys.
func (f Fingerprints) index(key string) (int, bool) {
	if f.s == nil {
		return 0, false
	}
	f.s.sort()
	return slices.BinarySearchFunc(f.s.offs, key, func(off uint64, k string) int { return bytes.Compare(f.s.key(off), []byte(k)) })
}

// at returns the hash at a position index returned.
func (f Fingerprints) at(i int) string { return f.s.value(f.s.offs[i]) }

// Get returns the hash of the user with the key.
func (f Fingerprints) Get(key string) (string, bool) {
	i, ok := f.index(key)
	if !ok {
		return "", false
	}
	return f.at(i), true
}

// Len returns the number of users.
func (f Fingerprints) Len() int {
	if f.s == nil {
		return 0
	}
	f.s.sort()
	return len(f.s.offs)
}

// All returns the keys and their hashes, sorted by key.
func (f Fingerprints) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if f.s == nil {
			return
		}
		f.s.sort()
		for _, off := range f.s.offs {
			if !yield(string(f.s.key(off)), f.s.value(off)) {
				return
			}
		}
	}
}

// MarshalJSON writes an object of the keys and their hashes, sorted by key.
func (f Fingerprints) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	i := 0
	for k, h := range f.All() {
		if i++; i > 1 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k) // strings always marshal
		hj, _ := json.Marshal(h)
		b.Write(kj)
		b.WriteByte(':')
		b.Write(hj)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of keys and hashes (null: none).
func (f *Fingerprints) UnmarshalJSON(b []byte) error {
	return f.decode(json.NewDecoder(bytes.NewReader(b)))
}

// decode reads an object of keys and hashes (null: none) from dec, a user at a time: a
// plan's users are never held as JSON.
func (f *Fingerprints) decode(dec *json.Decoder) error {
	*f = Fingerprints{}
	t, err := dec.Token()
	if err != nil || t == nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return errors.New("users: not an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string) // an object's key is a string
		var h string
		if err := dec.Decode(&h); err != nil {
			return fmt.Errorf("users: %q: %w", k, err)
		}
		f.Set(k, h)
	}
	_, err = dec.Token()
	return err
}
