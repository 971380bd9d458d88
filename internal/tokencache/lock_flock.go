//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package tokencache

import (
	"errors"
	"os"
	"syscall"
)

// tryLockFile takes an exclusive flock(2) without blocking, so that the wait
// can honour a context. flock belongs to the open file and is released by
// the kernel when the process exits, however it exits.
func tryLockFile(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		default:
			return false, err
		}
	}
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
