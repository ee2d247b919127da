package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// usersMemoryRow is one user of the account accountServer serves and of the file
// syncUsersFile writes, in the file's columns.
func usersMemoryRow(i int) string {
	return fmt.Sprintf("User%07d,Harris-Lovelace,user%07d@example.com,Sales_User,+91-98765%05d,Sales Executive North,Territory %d", i, i, i%100000, i%97)
}

// managerOf is the address of the manager of usersMemoryRow(i) in a file with managers:
// the first of each ten users manages the other nine, and has none.
func managerOf(i int) string {
	if i%10 == 0 {
		return ""
	}
	return fmt.Sprintf("user%07d@example.com", i-i%10)
}

// syncUsersFile writes a users file of about size bytes: the users accountServer serves (rows
// 0..n-1), every 100th renamed when renamed is set (a sync plans that many updates), or all
// new when offset moves them past the account's.
func syncUsersFile(tb testing.TB, size, offset int, renamed, managers bool) (string, int) {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "users.csv")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	header := "FirstName,LastName,EmailAddress,Role,PhoneMobile,mx_Custom_1,mx_Custom_2"
	if managers {
		header += ",ManagerEmail"
	}
	n, _ := w.WriteString(header + "\n")
	rows := 0
	for ; n < size; rows++ {
		row := usersMemoryRow(rows + offset)
		if renamed && rows%100 == 0 {
			row = "Renamed" + row[4:]
		}
		if managers {
			row += "," + managerOf(rows+offset)
		}
		m, _ := fmt.Fprintln(w, row)
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

// accountServer serves an account of n users (usersMemoryRow's) without keeping them:
// User Advanced Search by page (a sync's read) or by address (an import's check: every
// address asked about is there), Update a User (accepted, changing nothing) and Create a
// User (accepted, keeping nothing: an Id of a count).
func accountServer(n int, managers bool) *httptest.Server {
	var created atomic.Int64
	record := func(b *bytes.Buffer, i int) {
		f := strings.Split(usersMemoryRow(i), ",")
		fmt.Fprintf(b, `{"UserId":"%08d-0000-4000-8000-000000000000","FirstName":%q,"LastName":%q,"EmailAddress":%q,"Role":%q,"StatusCode":0,"PhoneMobile":%q,"mx_Custom_1":%q,"mx_Custom_2":%q`,
			i, f[0], f[1], f[2], f[3], f[4], f[5], f[6])
		if managers && i%10 != 0 {
			fmt.Fprintf(b, `,"ManagerUserId":"%08d-0000-4000-8000-000000000000"`, i-i%10)
		}
		b.WriteByte('}')
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/User/Update"):
			_, _ = w.Write([]byte(`{"Status":"Success","ExceptionMessage":""}`))
			return
		case strings.HasSuffix(r.URL.Path, "/Authentication.svc/UserByAccessKey.Get"): // the key owner, not among them
			_, _ = w.Write([]byte(`{"Id":"99999999-0000-4000-8000-000000000000","FirstName":"Owner","EmailAddress":"owner@example.com"}`))
			return
		case strings.HasSuffix(r.URL.Path, "/User/Create"):
			_, _ = io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, `{"Status":"Success","Message":{"Id":"%08d-0000-4000-9000-000000000000"}}`, created.Add(1))
			return
		case !strings.HasSuffix(r.URL.Path, "/User/AdvancedSearch"):
			http.NotFound(w, r)
			return
		}
		var req api.UserSearchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		var b bytes.Buffer
		b.WriteString(`{"Users":[`)
		if len(req.GroupConditions) > 0 {
			k := 0
			for _, g := range req.GroupConditions {
				for _, c := range g.Condition {
					var i int
					if _, err := fmt.Sscanf(c.LookupValue, "user%07d@", &i); err == nil && i < n && req.Paging.PageIndex <= 1 {
						if k++; k > 1 {
							b.WriteByte(',')
						}
						record(&b, i)
					}
				}
			}
		} else {
			first := (max(req.Paging.PageIndex, 1) - 1) * req.Paging.PageSize
			for i := first; i < min(first+req.Paging.PageSize, n); i++ {
				if i > first {
					b.WriteByte(',')
				}
				record(&b, i)
			}
		}
		b.WriteString(`]}`)
		_, _ = w.Write(b.Bytes())
	}))
}

// BenchmarkUsersLargeFile runs lsq users import and sync on a 50 MB users file (about
// 464,000 users), each in a process of its own against a loopback account that has them,
// and reports the process's peak resident memory (maxrss-B) and that as a multiple of the
// file (x-input); save-plan also reports the plan's size (plan-B, plan-x-input). The account
// has every user of the file (one in 100 renamed in the file: that many updates);
// op=save-plan-new plans a file of users the account does not have (a plan of creates), and
// op=apply-plan-new applies that plan (saved first, not measured): every user created;
// op=apply-new plans and applies that file in one run (sync --apply);
// op=sync-plan-managers and op=apply-plan-managers plan and apply a file with a ManagerEmail
// column (nine users in ten name the first of their ten, as the account has it);
// op=save-plan-new-managers and op=apply-plan-new-managers the same of new users (the plan
// creates the managers too); op=import-new and op=import-new-managers import the files of new
// users; op=sync-plan-scope plans the file with a deactivation scope of every user; op=apply
// plans and applies the file of renames in one run (sync --apply).
// Run it with -benchtime=1x.
func BenchmarkUsersLargeFile(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	existing, rows := syncUsersFile(b, importMemorySize, 0, true, false)
	fresh, _ := syncUsersFile(b, importMemorySize, 10_000_000, false, false)
	managed, managedRows := syncUsersFile(b, importMemorySize, 0, true, true)
	freshManaged, _ := syncUsersFile(b, importMemorySize, 10_000_000, false, true)
	for _, op := range []string{"import", "sync-plan", "save-plan", "save-plan-new", "apply-plan", "apply-plan-new", "apply-new", "sync-plan-managers", "apply-plan-managers", "save-plan-new-managers", "apply-plan-new-managers", "import-new", "import-new-managers", "sync-plan-scope", "apply"} {
		b.Run("op="+op, func(b *testing.B) {
			file := existing
			n := rows
			switch {
			case strings.HasSuffix(op, "-new-managers"):
				file = freshManaged
			case strings.HasSuffix(op, "-new"):
				file = fresh
			case strings.HasSuffix(op, "-managers"):
				file, n = managed, managedRows
			}
			var rss, planSize float64
			for b.Loop() {
				ts := accountServer(n, file == managed)
				dir := b.TempDir()
				plan := filepath.Join(dir, "plan.json")
				state := filepath.Join(dir, "state")
				run := func(args ...string) {
					cmd := exec.Command(exe, args...)
					cmd.Env = append(os.Environ(), mainEnv+"=1", envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, envHost+"="+ts.URL+"/v2")
					var out bytes.Buffer
					cmd.Stdout, cmd.Stderr = &out, &out
					peak, measured, err := peakRSS(b, cmd)
					if err != nil {
						b.Fatalf("lsq %s: %v: %.500s", strings.Join(args, " "), err, out.String())
					}
					if measured {
						rss = max(rss, peak)
					}
				}
				switch op {
				case "import", "import-new", "import-new-managers":
					run("users", "import", "--workers", "1", "--state", state, file)
				case "sync-plan", "sync-plan-managers":
					run("users", "sync", file)
				case "sync-plan-scope":
					run("users", "sync", "--deactivate", "--scope-role", "Sales_User", file)
				case "save-plan", "save-plan-new", "save-plan-new-managers":
					run("users", "sync", "--save-plan", plan, file)
					st, err := os.Stat(plan)
					if err != nil {
						b.Fatal(err)
					}
					planSize = float64(st.Size())
				case "apply", "apply-new":
					run("users", "sync", "--apply", "--state", state, file)
				case "apply-plan", "apply-plan-new", "apply-plan-managers", "apply-plan-new-managers":
					b.StopTimer()
					cmd := exec.Command(exe, "users", "sync", "--save-plan", plan, file)
					cmd.Env = append(os.Environ(), mainEnv+"=1", envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, envHost+"="+ts.URL+"/v2")
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("save-plan: %v: %.500s", err, out)
					}
					b.StartTimer()
					run("users", "sync", "--apply-plan", plan, "--state", state)
				}
				ts.Close()
			}
			b.ReportMetric(rss, "maxrss-B")
			b.ReportMetric(rss/float64(importMemorySize), "x-input")
			if planSize > 0 {
				b.ReportMetric(planSize, "plan-B")
				b.ReportMetric(planSize/float64(importMemorySize), "plan-x-input")
			}
		})
	}
}
