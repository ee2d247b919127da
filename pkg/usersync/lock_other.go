//go:build !unix

package usersync

import (
	"errors"
	"os"
)

// oNoFollow is 0 where the system has no O_NOFOLLOW: O_EXCL still refuses any existing name.
const oNoFollow = 0

var errLocked = errors.New("locked")

// lockFile does nothing where flock is missing: one import per state file is then up to the
// user.
func lockFile(*os.File) error { return nil }
