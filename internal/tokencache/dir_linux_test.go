//go:build linux

package tokencache_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/servicetitan-tf/terraform-provider-servicetitan/internal/acctest"
)

// On a read-only file system, where the lock and an old entry exist but
// nothing can be written, the cache only turns itself down: the lock is
// taken read-only, the token is requested and used, and the failed write
// is logged. The directory is made read-only in a mount namespace of the
// child process's own, which needs root; elsewhere the test says so.
func TestTokenDirReadOnlyFileSystemNeverFailsARun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a directory read-only for one process needs a mount namespace of its own, which needs root")
	}
	srv := acctest.StandIn(t)
	dir := filepath.Join(t.TempDir(), "tokens")
	entry, _ := cachedNames(t, srv, dir)
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	cmd := childCommand(t, srv, dir, "read-only")
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "cannot make the directory read-only") {
			t.Skipf("no read-only bind mount here: %s", out)
		}
		t.Fatalf("the child failed on a read-only directory (%v):\n%s", err, out)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2 (the fill, and the child's own)", got)
	}
	if _, err := os.Stat(entry); err == nil {
		t.Error("an entry was written into a read-only directory")
	}
}

func init() {
	// The child of TestTokenDirReadOnlyFileSystemNeverFailsARun, in a mount
	// namespace of its own, makes the directory read-only for itself: no
	// mount is seen by the rest of the machine.
	childSetups["read-only"] = func(t *testing.T, vars map[string]string) {
		dir := vars["SERVICETITAN_TOKEN_CACHE_DIR"]
		for _, m := range []struct {
			source, target string
			flags          uintptr
		}{
			{"", "/", syscall.MS_REC | syscall.MS_PRIVATE},
			{dir, dir, syscall.MS_BIND},
			{"", dir, syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_RDONLY},
		} {
			if err := syscall.Mount(m.source, m.target, "", m.flags, ""); err != nil {
				t.Fatalf("cannot make the directory read-only: %v", err)
			}
		}
	}
}
