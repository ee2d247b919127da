package main

import (
	"errors"
	"net/url"
	"strings"
)

// redisURL returns the Redis URL of a command: --redis, else LSQ_REDIS_URL. A URL with a
// password is refused as a flag: every user of the machine sees a process's arguments
// (ps, /proc/PID/cmdline); it goes in the environment, which only the user sees. A command
// without the pacing flags (a few calls: lsq spec drift --live) shares no budget.
func (a *app) redisURL(f *clientFlags) (string, error) {
	if !f.pacing {
		return "", nil
	}
	if f.redis == "" {
		return strings.TrimSpace(a.getenv(envRedisURL)), nil
	}
	if urlHasSecret(f.redis) {
		return "", usageError{errors.New("--redis: the URL holds a password, which other users of the machine can read in the process list; set " + envRedisURL + " instead")}
	}
	return f.redis, nil
}

// urlHasSecret reports whether a Redis URL holds a password (user:password@, or a password
// query parameter), or cannot be read to tell.
func urlHasSecret(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return true
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	for k := range u.Query() {
		if strings.Contains(strings.ToLower(k), "pass") {
			return true
		}
	}
	// redis://secret@host: go-redis reads a lone user name as the password.
	return u.User != nil && u.User.Username() != ""
}
