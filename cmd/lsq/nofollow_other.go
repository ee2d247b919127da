//go:build !unix

package main

// oNoFollow is 0 where the system has no O_NOFOLLOW: O_EXCL still refuses any existing name.
const oNoFollow = 0
