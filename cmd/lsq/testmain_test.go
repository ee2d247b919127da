package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test or a benchmark run lsq as a real process (to kill it with SIGKILL, or
// to measure its memory): the test binary re-executed with LSQ_TEST_MAIN=1 (or mainEnv) is
// lsq, with its own arguments. With hwmEnv naming a file, the process writes its peak
// resident memory there when it exits (see peakRSS).
func TestMain(m *testing.M) {
	if os.Getenv("LSQ_TEST_MAIN") == "1" || os.Getenv(mainEnv) == "1" {
		if path := os.Getenv(hwmEnv); path != "" {
			if prof := os.Getenv(heapProfileEnv); prof != "" {
				go heapProfiles(prof)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			if hwm, ok := vmHWM(); ok {
				_ = os.WriteFile(path, []byte(strconv.FormatInt(hwm, 10)), 0o600)
			}
			os.Exit(code)
		}
		main()
	}
	os.Exit(m.Run())
}

// heapProfileEnv names a file a child lsq writes a heap profile to (go tool pprof), each
// time its heap grew by a tenth: the last one is taken near its peak. A tool to find where
// the memory a benchmark reports goes; no test sets it.
const heapProfileEnv = "LSQ_TEST_HEAPPROFILE"

// heapProfiles writes the heap profile to path whenever the heap grew by a tenth.
func heapProfiles(path string) {
	var peak uint64
	for {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > peak+peak/10 {
			peak = ms.HeapAlloc
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				_ = f.Close()
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hwmEnv names the file a child lsq writes its peak RSS to, in bytes.
const hwmEnv = "LSQ_TEST_HWM_FILE"

// vmHWM is this process's peak resident set, in bytes, from /proc/self/status (Linux).
func vmHWM() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// peakRSS runs cmd (the test binary as lsq) and returns its error and its peak resident
// memory in bytes, as the child itself measured it (VmHWM of its own address space), false
// where that cannot be read. The rusage of the child is not used: Go starts a child with
// vfork, and Linux then counts the parent's resident memory at exec in the child's ru_maxrss,
// so a big test process made a small lsq look big.
func peakRSS(t testing.TB, cmd *exec.Cmd) (float64, bool, error) {
	t.Helper()
	path := t.TempDir() + "/hwm"
	cmd.Env = append(cmd.Env, hwmEnv+"="+path)
	err := cmd.Run()
	b, rerr := os.ReadFile(path)
	if rerr != nil {
		return 0, false, err
	}
	n, perr := strconv.ParseInt(string(b), 10, 64)
	return float64(n), perr == nil, err
}
