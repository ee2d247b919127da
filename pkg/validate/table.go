package validate

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// JSON types, as bits: a node's types, and the type of a value.
type jsonType uint8

const (
	jsonString jsonType = 1 << iota
	jsonInteger
	jsonNumber
	jsonBoolean
	jsonObject
	jsonArray
	jsonNull
	numJSONTypes = 7
)

var jsonTypeNames = [numJSONTypes]string{"string", "integer", "number", "boolean", "object", "array", "null"}

// names lists the types of t.
func (t jsonType) names() []string {
	var out []string
	for i, n := range jsonTypeNames {
		if t&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// name is the name of a single type.
func (t jsonType) name() string {
	for i, n := range jsonTypeNames {
		if t == 1<<i {
			return n
		}
	}
	return ""
}

// node is one schema of the checker's table (check.gen.go). The fields a walk reads for every
// value come first, so that a node's check touches one or two cache lines of the table.
type node struct {
	types, also jsonType
	nullable    bool
	// strRules is set when a rule reads a string's value (enum, lengths, pattern,
	// x-lsq-attribute-of): without one, a string of a string node is only scanned.
	strRules    bool
	objectOnly  bool  // accepts an object and has no oneOf: an object of it is walked directly
	hasEnum     bool  // enum != nil
	hasOneOf    bool  // len(oneOf) == 2
	hasPattern  bool  // pattern != "": the table's matchers hold its matcher
	open        bool  // additionalProperties: other attributes are expected
	custom      bool  // x-lsq-custom-fields: mx_* attributes are custom fields...
	customNode  int32 // ...whose values are of this node (a string or null)
	addNode     int32 // the schema of other attributes' values, -1 any
	items       int32 // the schema of array items, -1 any
	attrOf      int32 // x-lsq-attribute-of: a string names an attribute of this node, -1 none
	minLen      int32 // -1 when unset, as the other bounds
	maxLen      int32
	minItems    int32
	maxItems    int32
	hasMin      bool
	hasMax      bool
	unknownType bool // x-lsq-type-unknown
	goType      bool // x-go-type: a tolerant scalar of package scalar

	// keys finds a property's index faster than props: a collision-free hash of the names,
	// built with the table (nil when none was found: props is used).
	keys     *keyIndex
	names    []string // the properties, sorted
	keyColon []string // each name followed by `":`
	children []int32  // the node of each property's value
	required []int32  // indexes of the required properties, in the spec's order
	enum     []string
	oneOf    []int32 // x-lsq-error-body: the answer and the Error body, told apart by type

	loc      string           // JSONPath in the spec
	props    map[string]int32 // property name -> its index in names and children
	min, max float64
	pattern  string
}

// keyIndex is a perfect hash of an object's property names: slots[keyHash(k, mult, shift)]
// is the index of the only property that can be k (-1: none), which is then compared.
type keyIndex struct {
	mult  uint64
	shift uint8
	slots []int16
}

// keyHash is multiply-shift hashing of a key's length and five of its bytes (the first, the
// last, and those at a third, a half and two thirds), packed into a word: one multiplication, the
// bytes read independently of one another.
func keyHash[K ~string | ~[]byte](k K, mult uint64, shift uint8) uint32 {
	n := len(k)
	x := uint64(n)
	if n > 0 {
		x |= uint64(k[0])<<8 | uint64(k[n-1])<<16 | uint64(k[n/2])<<24 | uint64(k[n/3])<<32 | uint64(k[2*n/3])<<40
	}
	return uint32((x * mult) >> shift)
}

// newKeyIndex finds a multiplier that hashes names without collisions, nil when none does.
func newKeyIndex(names []string) *keyIndex {
	size, bits := uint32(1), uint8(0)
	for size < uint32(4*len(names)) {
		size <<= 1
		bits++
	}
	shift := 64 - bits
	if bits == 0 {
		shift = 63 // one name: slots has one entry, every key hashes to 0 or is out of range
	}
	slots := make([]int16, max(size, 2))
	mult := uint64(0x9E3779B97F4A7C15)
	for range 4000 {
		for i := range slots {
			slots[i] = -1
		}
		ok := true
		for i, name := range names {
			h := keyHash(name, mult, shift)
			if slots[h] >= 0 {
				ok = false
				break
			}
			slots[h] = int16(i)
		}
		if ok {
			return &keyIndex{mult: mult, shift: shift, slots: slots}
		}
		mult = mult*6364136223846793005 + 1442695040888963407 | 1
	}
	return nil
}

// property returns the index of the property named key, -1 when none.
func (n *node) property(key []byte) int32 {
	if x := n.keys; x != nil {
		i := x.slots[keyHash(key, x.mult, x.shift)]
		if i >= 0 && n.names[i] == string(key) {
			return int32(i)
		}
		return -1
	}
	if i, ok := n.props[string(key)]; ok {
		return i
	}
	return -1
}

// operation returns the operation whose ID is exactly id, nil when none.
func (t *table) operation(id api.OperationID) *Operation {
	if x := t.ids; x != nil {
		if i := x.slots[keyHash(id, x.mult, x.shift)]; i >= 0 && t.idNames[i] == id {
			return t.idOps[i]
		}
		return nil
	}
	return t.byID[id]
}

// accepts reports whether a value of type t is of the node's types.
func (n *node) accepts(t jsonType) bool {
	return n.types == 0 || n.types&t != 0 || t == jsonInteger && n.types&jsonNumber != 0
}

// queryParam is a query parameter of an operation.
type queryParam struct {
	name     string
	required bool
	node     int32
}

// reply is the schema of a reply of one status ("200", "4XX", "default").
type reply struct {
	status string
	node   int32 // -1: any body
	json   bool
	// code is the status as a number (0 for a class or the default), class the class of a
	// "4XX" (0 otherwise): set with the table.
	code, class int
}

// opCheck is what the table knows of one operation.
type opCheck struct {
	body         int32 // -1: no JSON body
	bodyRequired bool
	query        []queryParam
	replies      []reply
	drift        int32 // the node of the 200 answer that drift reports walk
}

// strKind is what a walk does with a string of a node: scan it only (strPlain: a string node
// no rule reads), check it with stringRules (strRuled: a string node a rule reads), or check
// it as any value (strNone: another node, or one with oneOf).
type strKind uint8

const (
	strNone strKind = iota
	strPlain
	strRuled
	// strNonEmpty: strRuled whose only rule is minLength 1, checked in place for a string
	// without an escape.
	strNonEmpty
)

// table is the checker's table, built once from check.gen.go.
type table struct {
	nodes []node
	// strKinds is, by node, its strKind: a byte each, so that the string values of an object
	// are dispatched from a line or two of the table rather than from each node's.
	strKinds []strKind
	ops      map[string]*opCheck
	errNode  int32
	matchers []func([]byte) bool // by node: the pattern's matcher, nil when none
	byID     map[api.OperationID]*Operation
	// ids finds an operation of byID by its exact ID faster than the map: ids.slots index
	// idOps (nil when no seed was found: byID is used).
	ids     *keyIndex
	idOps   []*Operation
	idNames []api.OperationID // idOps' IDs, compared without reaching each Operation
}

// The table, built on first use. Not a package-level variable's initialiser: that would link
// the table into every program that imports the package.
var (
	tableOnce sync.Once
	theTable  *table
)

func checkTable() *table {
	tableOnce.Do(func() {
		nodes, ops, errNode := checkTableData()
		t := &table{nodes: nodes, ops: ops, errNode: errNode, matchers: make([]func([]byte) bool, len(nodes)), strKinds: make([]strKind, len(nodes))}
		for i := range nodes {
			if p := nodes[i].pattern; p != "" {
				t.matchers[i] = matcher(p)
			}
			if names := nodes[i].names; len(names) > 0 {
				nodes[i].keys = newKeyIndex(names)
				// The names' bytes side by side, in the order a payload brings them (sorted):
				// a walk that compares a key in place reads them from a line or two, not from
				// wherever the linker put each literal.
				// Each is followed by `":`, the rest of a key and its colon as json.Marshal
				// writes them (keyColon), compared in one go.
				blob, at := strings.Join(names, `":`)+`":`, 0
				nodes[i].keyColon = make([]string, len(names))
				for k, name := range names {
					names[k] = blob[at : at+len(name)]
					nodes[i].keyColon[k] = blob[at : at+len(name)+2]
					at += len(name) + 2
				}
			}
			nd := &nodes[i]
			nd.strRules = nd.enum != nil || nd.minLen >= 0 || nd.maxLen >= 0 || nd.pattern != "" || nd.attrOf >= 0
			nd.hasEnum, nd.hasOneOf, nd.hasPattern = nd.enum != nil, len(nd.oneOf) == 2, nd.pattern != ""
			nd.objectOnly = !nd.hasOneOf && nd.accepts(jsonObject)
			if nd.types == jsonString && len(nd.oneOf) == 0 {
				t.strKinds[i] = strPlain
				if nd.strRules {
					t.strKinds[i] = strRuled
				}
				if nd.minLen == 1 && nd.maxLen < 0 && nd.enum == nil && nd.pattern == "" && nd.attrOf < 0 {
					t.strKinds[i] = strNonEmpty
				}
			}
		}
		for _, oc := range ops {
			for i := range oc.replies {
				r := &oc.replies[i]
				if c, err := strconv.Atoi(r.status); err == nil {
					r.code = c
				} else if len(r.status) == 3 && r.status[1:] == "XX" {
					r.class = int(r.status[0] - '0')
				}
			}
		}
		t.byID = make(map[api.OperationID]*Operation, len(ops))
		for _, id := range api.OperationIDs {
			if op, ok := api.LookupOperation(id); ok && ops[string(id)] != nil {
				o := &Operation{Operation: op, check: ops[string(id)]}
				t.byID[id] = o
				t.idOps = append(t.idOps, o)
			}
		}
		names := make([]string, len(t.idOps))
		for i, o := range t.idOps {
			names[i] = string(o.ID)
		}
		if t.ids = newKeyIndex(names); t.ids == nil {
			t.idOps = nil
		}
		for _, o := range t.idOps {
			t.idNames = append(t.idNames, o.ID)
		}
		theTable = t
	})
	return theTable
}

// matcher returns a function that reports whether a string matches the spec's pattern p:
// hand-written for the date patterns every user carries (a regexp costs more than the rest of
// the check of a reply), a regexp otherwise.
func matcher(p string) func([]byte) bool {
	switch p {
	case `^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2}(\.\d{1,7})?$`:
		return func(b []byte) bool { return isDateTime(b) }
	case `^(\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2}(\.\d{1,7})?)?$`:
		return func(b []byte) bool { return len(b) == 0 || isDateTime(b) }
	case `^\d{4}-\d{2}-\d{2}$`:
		return func(b []byte) bool { return len(b) == 10 && isDate(b) }
	}
	re := regexp.MustCompile(p)
	return re.Match
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isDate matches \d{4}-\d{2}-\d{2} on the first 10 bytes of b.
func isDate(b []byte) bool {
	return len(b) >= 10 && digits(b[0:4]) && b[4] == '-' && digits(b[5:7]) && b[7] == '-' && digits(b[8:10])
}

// isDateTime matches \d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2}(\.\d{1,7})?
func isDateTime(b []byte) bool {
	if !isDate(b) || len(b) < 11 || b[10] != ' ' {
		return false
	}
	r := b[11:]
	h := 0
	for h < len(r) && h < 3 && r[h] >= '0' && r[h] <= '9' {
		h++
	}
	if h < 1 || h > 2 {
		return false
	}
	r = r[h:]
	if len(r) < 6 || r[0] != ':' || !digits(r[1:3]) || r[3] != ':' || !digits(r[4:6]) {
		return false
	}
	r = r[6:]
	if len(r) == 0 {
		return true
	}
	return r[0] == '.' && len(r) >= 2 && len(r) <= 8 && digits(r[1:])
}
