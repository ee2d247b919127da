package usersync_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// A state file resumes an unfinished run of its own plan only.
func TestStateFileBelongsToOnePlan(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.lsq-state")
	open := func() *usersync.StateFile {
		t.Helper()
		st, err := usersync.OpenStateFile(path, "users sync", "host", nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	if resumed, err := st.Begin("A"); err != nil || resumed {
		t.Fatalf("a new file: %v %v", resumed, err)
	}
	if err := st.Record(usersync.StateRecord{Key: "update:x@example.com", Status: "done"}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	st = open() // a crash, then the same plan: resumed
	if resumed, _ := st.Begin("A"); !resumed {
		t.Error("the same unfinished plan is not resumed")
	}
	if _, ok := st.Lookup("update:x@example.com"); !ok {
		t.Error("the record is lost")
	}
	_ = st.Close()
	st = open() // another plan: clean
	if resumed, _ := st.Begin("B"); resumed {
		t.Error("another plan resumes A's records")
	}
	if _, ok := st.Lookup("update:x@example.com"); ok {
		t.Error("A's record seen by B")
	}
	if err := st.Record(usersync.StateRecord{Key: "update:x@example.com", Status: "done"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Complete(); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	st = open() // B completed: B again starts clean
	defer func() { _ = st.Close() }()
	if resumed, _ := st.Begin("B"); resumed {
		t.Error("a completed plan is resumed")
	}
	if b, _ := os.ReadFile(path); strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), `"plan":"B"`) {
		t.Errorf("the file after a clean start:\n%s", b)
	}
}
