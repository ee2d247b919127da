package lsqtest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// The zero Clock runs over the real clock, as NewClock's does, rather than panic.
func TestZeroClock(t *testing.T) {
	t.Parallel()
	var c lsqtest.Clock
	before := time.Now()
	if err := c.Sleep(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if now := c.Now(); now.Before(before.Add(time.Hour)) {
		t.Errorf("Now after a 1h Sleep = %v, want at least %v", now, before.Add(time.Hour))
	}
	if w := c.Waits(); !slices.Equal(w, []time.Duration{time.Hour}) {
		t.Errorf("Waits = %v, want [1h]", w)
	}
}

// A Clock's Sleep returns at once, moves the clock on and records the wait; a done context
// stops it before it skips anything; Advance moves the clock without recording a wait.
func TestClockSkipsAndRecords(t *testing.T) {
	t.Parallel()
	c := lsqtest.NewClock()
	t0 := c.Now()
	if err := c.Sleep(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := c.Sleep(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if d := c.Now().Sub(t0); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("after a 1h sleep the clock moved %s", d)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a done context: %v", err)
	}
	c.Advance(time.Hour)
	if d := c.Now().Sub(t0); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Errorf("after Advance the clock moved %s, want 2h", d)
	}
	if got := c.Waits(); !slices.Equal(got, []time.Duration{time.Hour}) || c.Slept() != time.Hour {
		t.Errorf("waits %v, slept %s; want [1h], 1h", got, c.Slept())
	}
}

// The server reads its time from its Clock, over the clock of WithClock: a sleep on it
// moves the server's dates and rate-limit windows on.
func TestServerClockOverWithClock(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := lsqtest.MustNewServer(t, lsqtest.WithClock(func() time.Time { return fixed }),
		lsqtest.WithRateLimit(1, 250*time.Millisecond, lsqtest.Form429))
	if !srv.Clock().Now().Equal(fixed) {
		t.Fatalf("server clock %s, want %s", srv.Clock().Now(), fixed)
	}
	if err := srv.Clock().Sleep(t.Context(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := srv.Clock().Now(); !got.Equal(fixed.Add(5 * time.Second)) {
		t.Errorf("after a 5s sleep: %s", got)
	}
	// The sub-second window, named in seconds with decimals; it passes on the clock.
	get := func() (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/UserManagement.svc/Users.Get", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("x-LSQ-AccessKey", srv.AccessKey)
		req.Header.Set("x-LSQ-SecretKey", srv.SecretKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, _ := get(); status != 200 {
		t.Fatalf("first call: %d", status)
	}
	if status, body := get(); status != 429 || !strings.Contains(body, "exceeded the limit of 1 in 0.25 second(s)") {
		t.Errorf("second call in the window: %d %s", status, body)
	}
	srv.Clock().Advance(250 * time.Millisecond)
	if status, body := get(); status != 200 {
		t.Errorf("after the window passed on the clock: %d %s", status, body)
	}
}
