//go:build unix && !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package tokencache

import (
	"errors"
	"os"
	"runtime"
)

// Systems without flock(2) get no cross-process cache: without a lock,
// parallel processes would each request a token and race on the entry.
func tryLockFile(*os.File) (bool, error) {
	return false, errors.New("file locks are not supported on " + runtime.GOOS + "; unset token_cache_dir")
}

func unlockFile(*os.File) error { return nil }
