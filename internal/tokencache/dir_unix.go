//go:build unix

package tokencache

import (
	"fmt"
	"os"
	"syscall"
)

// unsafeDir says why a directory must not hold the token cache, or "" when
// it may: it must belong to the user running the provider and be writable
// by nobody else. Reading is not checked: entries are sealed, and their
// names reveal nothing.
func unsafeDir(path string, fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := os.Geteuid(); int(st.Uid) != uid {
			return fmt.Sprintf("it is owned by uid %d, not by the user running the provider (uid %d); use a directory of your own", st.Uid, uid)
		}
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("group or others can write to it (mode %04o); remove their write access (chmod go-w %q) or use a directory of your own", perm, path)
	}
	return ""
}

// foreignParent says why the directory must not be created inside parent,
// or "" when it may: parent belongs to neither the user running the
// provider nor root (whose shared directories, such as /tmp, are where
// users are meant to create their own).
func foreignParent(parent string, fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if uid := os.Geteuid(); int(st.Uid) != uid && st.Uid != 0 {
		return fmt.Sprintf("it does not exist, and %q, where it would be created, is owned by uid %d, not by the user running the provider (uid %d); create it yourself or use a directory of your own", parent, st.Uid, uid)
	}
	return ""
}

// openNoFollow opens no symbolic link and never blocks on a FIFO or device.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// syncDir makes a rename in the directory durable.
func syncDir(root *os.Root) error {
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
