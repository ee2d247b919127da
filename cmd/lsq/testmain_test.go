package main

import (
	"os"
	"testing"
)

// TestMain lets a test or a benchmark run lsq as a real process (to kill it with SIGKILL, or
// to measure its memory): the test binary re-executed with LSQ_TEST_MAIN=1 (or mainEnv) is
// lsq, with its own arguments.
func TestMain(m *testing.M) {
	if os.Getenv("LSQ_TEST_MAIN") == "1" || os.Getenv(mainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}
