package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// exportMemoryUsers is how many users TestExportMemory exports.
const exportMemoryUsers = 100_000

// searchPages serves User Advanced Search over total synthetic users (the fake keeps its
// users in a list it scans per call, too slow to seed with 100,000).
func searchPages(t *testing.T, total int) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/User/AdvancedSearch") {
			http.NotFound(w, r)
			return
		}
		var req api.UserSearchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Paging.PageIndex < 1 || req.Paging.PageSize < 1 {
			http.Error(w, "bad paging", http.StatusBadRequest)
			return
		}
		var b bytes.Buffer
		b.WriteString(`{"Users":[`)
		first := (req.Paging.PageIndex - 1) * req.Paging.PageSize
		for i := first; i < min(first+req.Paging.PageSize, total); i++ {
			if i > first {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"UserId":"%08d-0000-4000-8000-000000000000","FirstName":"User%d","LastName":"Export","EmailAddress":"user%d@example.com",`+
				`"Role":"Sales_User","StatusCode":"0","IsAdministrator":"false","PhoneMobile":"+91-98765%05d","Department":"Sales",`+
				`"Designation":"Executive","AvailabilityStatus":"Offline","CreatedOn":"2024-01-02 03:04:05","mx_Custom_1":"custom %d"}`, i, i, i, i%100000, i)
		}
		b.WriteString(`]}`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	}))
}

// TestExportMemory exports 100,000 users in a child process and checks its peak resident
// memory stays under 50 MB. The race detector multiplies memory, so under -race it only
// checks the export (make test also runs it without -race).
func TestExportMemory(t *testing.T) {
	t.Parallel()
	total := exportMemoryUsers
	if raceEnabled {
		total = 5000
	}
	ts := searchPages(t, total)
	defer ts.Close()
	out, err := os.CreateTemp(t.TempDir(), "export-*.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = out.Close() }()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "users", "export", "--format", "csv", "--columns", "UserId,EmailAddress,FirstName,LastName,Role,Status,mx_Custom_1")
	cmd.Env = append(os.Environ(), "LSQ_TEST_MAIN=1", envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, envHost+"="+ts.URL+"/v2")
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errb
	peak, measured, err := peakRSS(t, cmd)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errb.String())
	}
	st, _ := out.Stat()
	if !strings.Contains(errb.String(), fmt.Sprintf("%d users", total)) {
		t.Errorf("stderr: %s", errb.String())
	}
	if !measured {
		t.Skip("no /proc/self/status on this platform")
	}
	peakMB := peak / (1 << 20)
	t.Logf("exported %d users (%d bytes of CSV); peak RSS of lsq %.1f MB", total, st.Size(), peakMB)
	if !raceEnabled && peakMB >= 50 {
		t.Errorf("peak RSS %.1f MB, want < 50 MB", peakMB)
	}
}
