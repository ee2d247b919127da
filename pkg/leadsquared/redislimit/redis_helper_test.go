package redislimit_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server process on a loopback port, run by a test.
type redisServer struct {
	Addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	out  *syncBuffer
}

// startRedis starts `redis-server` on a free loopback port, without persistence, and stops
// it when the test ends. Without redis-server the test is skipped, unless CI is "true":
// then it fails (CI must install it: `make deps`).
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is not installed, and CI=true requires it (make deps installs it): %v", err)
		}
		t.Skip("redis-server is not installed: skipping the Redis tests (install it with `make deps` or `apt-get install redis-server`; with CI=true this is a failure)")
	}
	var lastErr error
	for range 3 { // another process may take the free port first
		rs, err := launchRedis(path, freePort(t))
		if err == nil {
			t.Cleanup(rs.stop)
			return rs
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

// launchRedis starts redis-server on port and waits (at most 10s) until it answers PING.
func launchRedis(path string, port int) (*redisServer, error) {
	rs := &redisServer{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		done: make(chan struct{}),
		out:  &syncBuffer{},
	}
	rs.cmd = exec.Command(path,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	rs.cmd.Stdout, rs.cmd.Stderr = rs.out, rs.out
	if err := rs.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = rs.cmd.Wait()
		close(rs.done)
	}()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer func() { _ = rdb.Close() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-rs.done:
			return nil, fmt.Errorf("redis-server exited: %s", rs.out.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return rs, nil
		}
		if time.Now().After(deadline) {
			rs.stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer PING: %w; output: %s", port, err, rs.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop kills the server and waits for it to exit.
func (rs *redisServer) stop() {
	_ = rs.cmd.Process.Kill()
	<-rs.done
}

// Client returns a client of the server, closed when the test ends.
func (rs *redisServer) Client(t testing.TB) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
