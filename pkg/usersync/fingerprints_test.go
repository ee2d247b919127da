package usersync_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// Fingerprints keeps the last hash set of each key, forgets a deleted one, gives them back
// sorted by key, hex hashes and any other text alike, and reads back what it writes.
func TestFingerprints(t *testing.T) {
	t.Parallel()
	var f usersync.Fingerprints
	if _, ok := f.Get("a"); ok || f.Len() != 0 {
		t.Fatal("the zero value is not empty")
	}
	f.Set("b@x.com", "0123456789abcdef01234567")
	f.Set("a@x.com", "not hex")
	f.Set("\x00id-1", "0123456789ABCDEF01234567") // upper case: held as written
	if h, ok := f.Get("a@x.com"); !ok || h != "not hex" {
		t.Errorf("Get(a) = %q, %v", h, ok)
	}
	f.Set("a@x.com", "89abcdef0123456789abcdef") // read, then set again
	f.Set("c@x.com", "")
	f.Delete("b@x.com")
	f.Delete("none@x.com")
	f.Set("d@x.com", strings.Repeat("x", 3<<20)) // larger than a chunk
	want := map[string]string{"\x00id-1": "0123456789ABCDEF01234567", "a@x.com": "89abcdef0123456789abcdef", "c@x.com": "", "d@x.com": strings.Repeat("x", 3<<20)}
	if got := maps.Collect(f.All()); !maps.Equal(got, want) || f.Len() != len(want) {
		t.Errorf("All = %d entries, want %d: %q", len(got), len(want), slices.Collect(maps.Keys(got)))
	}
	if keys := slices.Collect(func(yield func(string) bool) {
		for k := range f.All() {
			if !yield(k) {
				return
			}
		}
	}); !slices.IsSorted(keys) {
		t.Errorf("keys not sorted: %q", keys)
	}
	if _, ok := f.Get("b@x.com"); ok {
		t.Error("a deleted key is still there")
	}
	// A copy (a Plan copied) shares the entries, as a map would, rather than corrupting them.
	g := f
	g.Set("e@x.com", "e")
	f.Set("f@x.com", "f")
	for _, k := range []string{"e@x.com", "f@x.com"} {
		if _, ok := f.Get(k); !ok {
			t.Errorf("%s not in the original", k)
		}
		if _, ok := g.Get(k); !ok {
			t.Errorf("%s not in the copy", k)
		}
	}
	f.Delete("e@x.com")
	f.Delete("f@x.com")
	b, err := json.Marshal(f) // a value, as in a Plan marshalled by value
	if err != nil {
		t.Fatal(err)
	}
	var back usersync.Fingerprints
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := maps.Collect(back.All()); !maps.Equal(got, want) {
		t.Errorf("read back %d entries, want %d", len(got), len(want))
	}
	for _, bad := range []string{`[]`, `{"a":1}`, `{"a":"b"`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if err := json.Unmarshal([]byte(`null`), &back); err != nil || back.Len() != 0 {
		t.Errorf("null: %v, %d entries", err, back.Len())
	}
}
