package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// importMemorySize is the size of the CSV TestImportMemory imports (issue 20: a 50 MB file
// used to take about 1 GB).
const importMemorySize = 50 << 20

// importCSV writes a CSV of about size bytes of realistic rows (about 190 bytes each) and
// returns its path and row count.
func importCSV(tb testing.TB, size int) (string, int) {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "big.csv")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	n, _ := w.WriteString("FirstName,LastName,EmailAddress,Role,PhoneMobile,TimeZone,IsPhoneCallAgent,mx_Custom_1,mx_Custom_2\n")
	rows := 0
	for ; n < size; rows++ {
		m, _ := fmt.Fprintf(w, "User%07d,Harris-Lovelace,user%07d@example.com,Sales_User,+91-98765%05d,Asia/Kolkata,true,Sales Executive North,Territory %d\n",
			rows, rows, rows%100000, rows%97)
		n += m
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p, rows
}

// existingUsers serves User Advanced Search answering that every address asked about is
// there: an import then sends one search per 50 rows and no create, so the test measures
// the import's own memory at loopback speed.
func existingUsers(t *testing.T, searches *atomic.Int64) *httptest.Server {
	t.Helper()
	return existingUsersServer(searches)
}

func existingUsersServer(searches *atomic.Int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/User/AdvancedSearch") {
			http.NotFound(w, r)
			return
		}
		searches.Add(1)
		var req api.UserSearchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		var b bytes.Buffer
		b.WriteString(`{"Users":[`)
		if req.Paging.PageIndex <= 1 {
			for i, g := range req.GroupConditions {
				for j, c := range g.Condition {
					if i+j > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"UserId":"%08d-0000-4000-8000-000000000000","EmailAddress":%q,"StatusCode":"0"}`, j, c.LookupValue)
				}
			}
		}
		b.WriteString(`]}`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	}))
}

// TestImportMemory imports a 50 MB CSV in a child process and checks its peak resident
// memory stays within 3 times the file. The race detector multiplies memory, so under -race
// it imports 2 MB and only checks the import.
func TestImportMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a 50 MB file")
	}
	t.Parallel()
	size := importMemorySize
	if raceEnabled {
		size = 2 << 20
	}
	path, rows := importCSV(t, size)
	var searches atomic.Int64
	ts := existingUsers(t, &searches)
	defer ts.Close()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "users", "import", "--workers", "1", "--state", filepath.Join(t.TempDir(), "state"), path)
	cmd.Env = append(os.Environ(), "LSQ_TEST_MAIN=1", envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, envHost+"="+ts.URL+"/v2")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	peak, measured, err := peakRSS(t, cmd)
	if err != nil {
		t.Fatalf("import: %v\n%s\n%s", err, out.String(), errb.String())
	}
	if want := fmt.Sprintf("%d rows: 0 created, %d already there", rows, rows); !strings.Contains(out.String(), want) {
		t.Errorf("stdout lacks %q: %s", want, out.String())
	}
	if want := int64((rows + usersync.LookupBatch - 1) / usersync.LookupBatch); searches.Load() != want {
		t.Errorf("%d searches, want %d", searches.Load(), want)
	}
	if !measured {
		t.Skip("no /proc/self/status on this platform")
	}
	t.Logf("imported %d rows (%.1f MB of CSV); peak RSS of lsq %.1f MB, %.2fx the file", rows, float64(size)/(1<<20), peak/(1<<20), peak/float64(size))
	if !raceEnabled && peak > 3*float64(size) {
		t.Errorf("peak RSS %.1f MB, more than 3x the %.1f MB file", peak/(1<<20), float64(size)/(1<<20))
	}
}

// BenchmarkImportLargeFile imports a 50 MB CSV (about 400,000 rows, all already in the
// account: one search per 50 rows, no create) in a process of its own and reports its peak
// resident memory (maxrss-B) and that as a multiple of the file (x-input). Run it with
// -benchtime=1x: one import takes about 40 s.
func BenchmarkImportLargeFile(b *testing.B) {
	path, rows := importCSV(b, importMemorySize)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var rss float64
	for b.Loop() {
		var searches atomic.Int64
		ts := existingUsersServer(&searches)
		cmd := exec.Command(exe, "users", "import", "--workers", "1", "--state", filepath.Join(b.TempDir(), "state"), path)
		cmd.Env = append(os.Environ(), mainEnv+"=1", envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, envHost+"="+ts.URL+"/v2")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		peak, measured, err := peakRSS(b, cmd)
		ts.Close()
		if err != nil || !strings.Contains(out.String(), fmt.Sprintf("%d rows: 0 created, %d already there", rows, rows)) {
			b.Fatalf("import: %v: %.300s", err, out.String())
		}
		if !measured {
			b.Skip("no /proc/self/status on this platform")
		}
		rss = max(rss, peak)
	}
	b.ReportMetric(rss, "maxrss-B")
	b.ReportMetric(rss/float64(importMemorySize), "x-input")
}
