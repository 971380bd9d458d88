package tokencache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/servicetitan"
)

// The lock beside each entry, through which cold processes share one token
// request.

// Lock polling: short enough that a process waiting for another's request
// (50 ms or more away) adds little to it, long enough to cost no CPU.
const (
	lockPollMin = 2 * time.Millisecond
	lockPollMax = 25 * time.Millisecond
)

// lockTimeout is a wait for another process's token request that lasted
// as long as such a request may take.
type lockTimeout struct{ waited time.Duration }

func (e *lockTimeout) Error() string {
	return "the token cache lock was still held after " + e.waited.String()
}

// acquire takes the entry's lock, waiting while another process holds it
// (that process is requesting the token this one needs). The wait ends with
// ctx (Ctrl-C, the provider stopping), saying why, or after as long as the
// holder's request may take, with a lockTimeout. The operating system
// releases the lock of a process that dies, so it never goes stale.
func (d *tokenDir) acquire(ctx context.Context, root *os.Root) (func(), error) {
	f, err := d.openLock(root)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeoutCause(ctx, d.wait, &lockTimeout{waited: d.wait})
	defer cancel()
	delay := lockPollMin
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("its lock file cannot be locked: %s", err)
		}
		if ok {
			return func() {
				_ = unlockFile(f)
				f.Close()
			}, nil
		}
		if delay == lockPollMin {
			servicetitan.SetProgress(ctx, "waiting for another process's token request (it holds the token cache lock "+filepath.Join(d.dir, d.lock)+")")
			d.log(ctx, "waiting for another process's token request (token cache lock held)", map[string]any{"path": filepath.Join(d.dir, d.lock), "wait_limit": d.wait.String()})
		}
		t := time.NewTimer(delay)
		select {
		case <-wctx.Done():
			t.Stop()
			f.Close()
			if ctx.Err() != nil {
				return nil, servicetitan.StopError(ctx)
			}
			return nil, context.Cause(wctx)
		case <-t.C:
		}
		delay = min(2*delay, lockPollMax)
	}
}

// openLock opens the entry's lock file, creating it if needed. On a
// read-only directory an existing lock is opened for reading, which flock
// takes as well. A link or anything but a regular file in its place is not
// used: creating through a dangling link would make a file wherever it
// points.
func (d *tokenDir) openLock(root *os.Root) (*os.File, error) {
	f, err := openInDir(root, d.lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
		f, err = openInDir(root, d.lock, os.O_RDONLY, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("its lock file cannot be opened: %s", pathErrReason(err))
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("its lock file cannot be read: %s", pathErrReason(err))
		}
		return nil, fmt.Errorf("its lock file is not a regular file (%s)", fi.Mode().Type())
	}
	return f, nil
}
