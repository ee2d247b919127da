package usersync

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
)

// rowDigests let a plan recognise, as it reads the account, the users whose row in the
// source changes nothing, without holding the rows: per row, a 64-bit hash of the values
// it sets (each normalised as same compares them) and which attributes those are (an index
// into the distinct lists of them). A user whose hash matches is not kept: its row plans
// nothing. A user whose hash differs is kept and compared value by value, so that a hash
// that differs for values same holds equal costs only memory, never a change.
type rowDigests struct {
	seed  maphash.Seed
	sets  [][]string        // distinct lists of attributes a row sets (canonical names)
	index map[string]uint32 // a list, joined by NUL, to its index in sets
	set   []uint32          // by row
	sum   []uint64          // by row
}

func newRowDigests() *rowDigests {
	return &rowDigests{seed: maphash.MakeSeed(), index: map[string]uint32{}}
}

// compared returns the attributes of d a plan compares with the account (sorted by the
// source's names, as the plan compares them), as canonical names.
func compared(d Desired) (keys, names []string) {
	for k, v := range d.Attrs {
		if strings.TrimSpace(v) == "" || readOnly[strings.ToLower(k)] || strings.EqualFold(k, "EmailAddress") {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	names = make([]string, len(keys))
	for i, k := range keys {
		names[i] = canonical(k)
	}
	return keys, names
}

// add records the next row's digest.
func (r *rowDigests) add(d Desired) {
	keys, names := compared(d)
	joined := strings.Join(names, "\x00")
	i, ok := r.index[joined]
	if !ok {
		i = uint32(len(r.sets))
		r.index[strings.Clone(joined)] = i
		r.sets = append(r.sets, slices.Clone(names))
	}
	var h maphash.Hash
	h.SetSeed(r.seed)
	for j, k := range keys {
		writeNorm(&h, names[j], d.Attrs[k])
	}
	r.set, r.sum = append(r.set, i), append(r.sum, h.Sum64())
}

// same reports whether the account user's values (by column of cs) hash as row i's do.
func (r *rowDigests) same(i int32, cs *columnSet, vals []string, has []bool) bool {
	var h maphash.Hash
	h.SetSeed(r.seed)
	for _, name := range r.sets[r.set[i]] {
		v := ""
		if c := cs.find(name); c >= 0 && has[c] {
			v = vals[c]
		}
		writeNorm(&h, name, v)
	}
	return h.Sum64() == r.sum[i]
}

// writeNorm hashes an attribute and its value normalised so that two values with the same
// normal form are the same to same (the converse need not hold): trimmed, a Role in lower
// case, a boolean by value; each form tagged so that no two kinds meet.
func writeNorm(h *maphash.Hash, attr, v string) {
	_, _ = h.WriteString(attr)
	_ = h.WriteByte(0)
	v = strings.TrimSpace(v)
	switch b, err := strconv.ParseBool(v); {
	case strings.EqualFold(attr, "Role"):
		_ = h.WriteByte('r')
		v = strings.ToLower(v)
	case err == nil:
		_ = h.WriteByte('b')
		v = strconv.FormatBool(b)
	default:
		_ = h.WriteByte('s')
	}
	_, _ = h.WriteString(v)
	_ = h.WriteByte(0)
}

// keyIndex finds a row of the source by its address key without holding the key: a
// 128-bit hash of it (two 64-bit hashes of independent seeds) to the row's index. Two keys
// of one hash would be taken for one user; at 128 bits that does not happen by chance.
// It is a map while rows are put, and a sorted slice (half the size) once frozen.
type keyIndex struct {
	seeds  [2]maphash.Seed
	rows   map[[2]uint64]int32
	frozen []keyRow
}

type keyRow struct {
	h [2]uint64
	i int32
}

func compareHash(a, b [2]uint64) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// freeze turns the map into the sorted slice: no put after it.
func (x *keyIndex) freeze() {
	x.frozen = make([]keyRow, 0, len(x.rows))
	for h, i := range x.rows {
		x.frozen = append(x.frozen, keyRow{h, i})
	}
	slices.SortFunc(x.frozen, func(a, b keyRow) int { return compareHash(a.h, b.h) })
	x.rows = nil
}

func newKeyIndex() *keyIndex {
	return &keyIndex{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, rows: map[[2]uint64]int32{}}
}

func (x *keyIndex) hash(k string) [2]uint64 {
	return [2]uint64{maphash.String(x.seeds[0], k), maphash.String(x.seeds[1], k)}
}

// get returns the row of the key k.
func (x *keyIndex) get(k string) (int32, bool) {
	h := x.hash(k)
	if x.rows != nil {
		i, ok := x.rows[h]
		return i, ok
	}
	j, ok := slices.BinarySearchFunc(x.frozen, h, func(r keyRow, h [2]uint64) int { return compareHash(r.h, h) })
	if !ok {
		return 0, false
	}
	return x.frozen[j].i, true
}

// put records that the key k is row i's.
func (x *keyIndex) put(k string, i int32) { x.rows[x.hash(k)] = i }
