package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mainEnv makes the test binary run lsq itself (TestMain), so a benchmark can measure a
// real lsq process.
const mainEnv = "LSQ_TEST_RUN_MAIN"

// usersFile writes a JSON array of user objects (like a GetUsers reply) of about size bytes.
func usersFile(tb testing.TB, size int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "users.json")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	written := 0
	if _, err := f.WriteString("["); err != nil {
		tb.Fatal(err)
	}
	for i := 0; written < size; i++ {
		u, _ := json.Marshal(map[string]any{
			"ID": fmt.Sprintf("3b1041fb-8374-11e7-8758-%012d", i), "FirstName": fmt.Sprintf("User%06d", i), "LastName": "Harris",
			"EmailAddress": fmt.Sprintf("user%06d@example.com", i), "Role": "Sales_User", "StatusCode": 0,
			"PhoneMobile": "+91-9876543210", "Designation": "Sales Executive", "Team": "North", "TimeZone": "Asia/Kolkata",
		})
		if i > 0 {
			u = append([]byte(","), u...)
		}
		n, err := f.Write(u)
		if err != nil {
			tb.Fatal(err)
		}
		written += n
	}
	if _, err := f.WriteString("]"); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkValidateLargeFile runs `lsq validate response GetUsers 200` on a 50 MB array of
// users in a process of its own and reports its peak resident memory (maxrss-B) and that
// as a multiple of the file (x-input): with the default size limit (the file is refused
// unread) and with --max-size 64MB (validated, element by element).
func BenchmarkValidateLargeFile(b *testing.B) {
	const size = 50 << 20
	path := usersFile(b, size)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"limit=default", nil},
		{"limit=64MB", []string{"--max-size", "64MB"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var rss float64
			runs := 0
			for b.Loop() {
				args := append(append([]string{"validate", "response"}, tc.args...), "GetUsers", "200", path)
				cmd := exec.Command(exe, args...)
				cmd.Env = append(os.Environ(), mainEnv+"=1")
				out, err := cmd.CombinedOutput()
				if tc.args == nil {
					if !strings.Contains(string(out), "larger than the size limit of 10MB") {
						b.Fatalf("want the size limit's message; got %v: %.300s", err, out)
					}
				} else if err != nil {
					b.Fatalf("lsq validate: %v: %.300s", err, out)
				}
				ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				if !ok {
					b.Skip("no rusage on this platform")
				}
				rss += float64(ru.Maxrss) * 1024 // kilobytes on Linux
				runs++
			}
			peak := rss / float64(runs)
			b.ReportMetric(peak, "maxrss-B")
			b.ReportMetric(peak/size, "x-input")
		})
	}
}
