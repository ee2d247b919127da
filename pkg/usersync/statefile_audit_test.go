//go:build unix

package usersync_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// A state file that is not a regular file (a FIFO, a device) is refused at once: reading a
// FIFO would block for ever (SIGTERM included); a symlink is refused, and said to be one.
func TestStateFileMustBeARegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		st, err := usersync.OpenStateFile(fifo, "users import", "host", nil)
		if err == nil {
			_ = st.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(30 * time.Second): // a watchdog, not a measure: the open blocks for ever
		t.Fatal("OpenStateFile blocked reading a FIFO")
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := usersync.OpenStateFile(link, "users import", "host", nil)
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("symlink: %v", err)
	}
	if b, _ := os.ReadFile(target); len(b) != 0 {
		t.Errorf("the link's target was written: %q", b)
	}
}
