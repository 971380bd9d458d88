//go:build unix

package servicetitan

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

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
